"""What became of the people hired (SPEC I2): performance ratings per period, the probation
result, and the leaving date and reason (retention is counted from the start date).

HR (the company) and hiring managers (their department) record them (``employees.outcomes``);
anyone else, or an employee outside the caller's departments, gets 404. Each change is audited
in its own transaction. Ratings are the person's performance ratings (``performance_ratings``,
one per period), the same rows HR sees when the person later applies internally.

Each change also lands on the person's HR record as an ``outcome`` entry (chained and signed
like any entry, in the same transaction): codes and numbers in its facts (which outcome, the
period and rating, the probation result, the last day and the reason code, the value it
replaces), a rating's comment in its encrypted data. Saving the same value again adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate, PerformanceRating
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require, restrict
from hireflow.core.rows import shaped
from hireflow.offers import schemas
from hireflow.offers.models import Employee
from hireflow.records import service as records
from hireflow.records.service import SystemActor

CAPABILITY = "employees.outcomes"
PROBATION_LABELS = {
    "passed": N_("Passed"),
    "extended": N_("Extended"),
    "failed": N_("Failed"),
}
LEAVING_LABELS = {
    "resigned": N_("Resigned"),
    "dismissed": N_("Dismissed"),
    "contract_ended": N_("Contract ended"),
    "other": N_("Other reason"),
}


RECORD_SOURCE = "outcomes"


def _record_outcome(
    session: Session,
    principal: Principal,
    employee: Employee,
    action: str,
    facts: dict[str, object],
    data: dict[str, str] | None,
    *,
    old: dict[str, Any] | None,
    new: dict[str, Any],
) -> None:
    """Chain an ``outcome`` entry onto the person's record, audit ``action`` by ``principal``
    and commit: the last step of every outcome recorded.

    The record entry is written by a system actor confined to the employee's company: a
    hiring manager records outcomes without the right to write the record at large; the audit
    row of the outcome names them."""
    records.append_entry(
        session,
        SystemActor("employee-outcomes", tenant_id=employee.tenant_id),
        employee.person_id,
        "outcome",
        data=data,
        source=RECORD_SOURCE,
        facts={"employee_id": employee.id, **{k: v for k, v in facts.items() if v is not None}},
        opening_id=employee.opening_id,
        commit=False,
    )
    audit.commit_on(session, action, principal, ("employee", employee.id), old=old, new=new)


@dataclass(frozen=True)
class Outcomes:
    employee: Employee
    name: str
    ratings: list[PerformanceRating]


def employee_of(session: Session, principal: Principal, person_id: int) -> Employee:
    """The employee record of a person, if the caller may record their outcomes (else 404)."""
    require(principal, CAPABILITY)
    employee = session.scalars(
        restrict(select(Employee), principal, CAPABILITY, Employee).where(
            Employee.person_id == person_id
        )
    ).first()
    if employee is None:
        raise NotFound()
    return employee


def outcomes(session: Session, principal: Principal, person_id: int) -> Outcomes:
    employee = employee_of(session, principal, person_id)
    ratings = session.scalars(
        select(PerformanceRating)
        .where(PerformanceRating.candidate_id == person_id)
        .order_by(PerformanceRating.period.desc())
    )
    person = session.get(Candidate, person_id)
    return Outcomes(employee, person.name if person else "", list(ratings))


def record_rating(
    session: Session, principal: Principal, person_id: int, data: schemas.EmployeeRatingIn
) -> PerformanceRating:
    """Add or replace the employee's rating of a period."""
    employee = employee_of(session, principal, person_id)
    row = session.scalars(
        select(PerformanceRating).where(
            PerformanceRating.candidate_id == person_id, PerformanceRating.period == data.period
        )
    ).first()
    old = None if row is None else {"period": row.period, "rating": row.rating}
    comment = data.comment.strip()
    if row is not None and (row.rating, row.comment or "") == (float(data.rating), comment):
        return row  # the same rating again: nothing changed, nothing to record
    if row is None:
        row = PerformanceRating(
            tenant_id=employee.tenant_id, candidate_id=person_id, period=data.period
        )
        session.add(row)
    row.rating, row.comment = float(data.rating), comment
    row.recorded_by_id, row.created_at = principal.user_id, utcnow()
    session.flush()
    _record_outcome(
        session,
        principal,
        employee,
        "employee.rating_recorded",
        {
            "outcome": "rating",
            "period": data.period,
            "rating": float(data.rating),
            "previous_rating": None if old is None else old["rating"],
        },
        {"comment": comment} if comment else None,
        old=old,
        new={"period": data.period, "rating": float(data.rating)},
    )
    return row


def set_probation(
    session: Session, principal: Principal, person_id: int, data: schemas.ProbationIn
) -> Employee:
    employee = employee_of(session, principal, person_id)
    old = employee.probation_result
    if old == data.result:
        return employee
    employee.probation_result = data.result
    _record_outcome(
        session,
        principal,
        employee,
        "employee.probation_set",
        {"outcome": "probation", "result": data.result, "previous_result": old},
        None,
        old={"result": old},
        new={"result": data.result},
    )
    return employee


def set_leaving(
    session: Session, principal: Principal, person_id: int, data: schemas.LeavingIn
) -> Employee:
    """Record (or clear, with neither field) the last day and the reason for leaving."""
    employee = employee_of(session, principal, person_id)
    if (data.left_on is None) != (data.reason is None):
        field = "reason" if data.reason is None else "left_on"
        raise ValidationFailed(
            N_("Give both the last day and the reason, or neither."), fields={field: "required"}
        )
    if data.left_on is not None and data.left_on < employee.start_date:
        raise ValidationFailed(
            N_("The last day cannot be before the start date."), fields={"left_on": "early"}
        )
    old = {"left_on": employee.left_on, "reason": employee.leaving_reason}
    if (employee.left_on, employee.leaving_reason) == (data.left_on, data.reason):
        return employee
    employee.left_on, employee.leaving_reason = data.left_on, data.reason
    _record_outcome(
        session,
        principal,
        employee,
        "employee.leaving_set",
        {
            "outcome": "leaving" if data.left_on is not None else "leaving_cleared",
            "left_on": data.left_on.isoformat() if data.left_on is not None else None,
            "reason": data.reason,
        },
        None,
        old=old,
        new={"left_on": data.left_on, "reason": data.reason},
    )
    return employee


def outcomes_out(found: Outcomes) -> schemas.OutcomesOut:
    ratings = [schemas.RatingOut.model_validate(r) for r in found.ratings]
    return shaped(schemas.OutcomesOut, found.employee, ratings=ratings)
