"""Development plans, re-assessments and progress over time (SPEC J2, J3).

The plan is derived, never stored: the competencies of the latest report below the job's
required level (or, with none below, the two weakest), each with the catalogue's courses for
it. A re-assessment is an AI invitation of the person to the opening they were hired for,
whose interview keeps only the questions on the plan's competencies; it runs through the
interviews flow like any other, and its report joins the person's reports, which is what the
progress over time is drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import (
    Principal,
    condition_for,
    require,
    require_visible,
)
from hireflow.core.settings import get_settings
from hireflow.interviews.models import InterviewSession
from hireflow.interviews.sessions import prepare_for_invitation
from hireflow.offers.models import Employee
from hireflow.scheduling.messages import link_token
from hireflow.scheduling.models import DEVELOPMENT, Invitation
from hireflow.scheduling.policies import policy_for
from hireflow.selfservice.messages import tell_person
from hireflow.selfservice.models import Course, Enrolment, Reassessment
from hireflow.selfservice.reports import (
    ReportView,
    my_reports,
    own_employee,
    reports_as_seen_by_owner,
)
from hireflow.selfservice.training import courses, seats_taken

REASSESSMENT_DAYS = 14
REASSESSMENT_MINUTES = 20
WEAKEST = 2


@dataclass
class PlanItem:
    dimension: str
    name: str
    score: float | None
    required: float
    suggestion: str
    courses: list[Course] = field(default_factory=list)


@dataclass
class Point:
    at: datetime
    score: float
    interview_id: int
    development: bool
    quote: str


@dataclass
class Series:
    dimension: str
    name: str
    points: list[Point]

    @property
    def first(self) -> float:
        return self.points[0].score

    @property
    def last(self) -> float:
        return self.points[-1].score


def plan_from(latest: ReportView | None, catalogue: list[Course]) -> list[PlanItem]:
    """Competencies to work on, weakest first, with the courses that train them."""
    if latest is None:
        return []
    scored = [d for d in latest.dimensions if d.score is not None]
    gaps = sorted((d for d in scored if d.below), key=lambda d: d.score - d.required)  # type: ignore[operator]
    if not gaps:
        gaps = sorted(scored, key=lambda d: d.score)[:WEAKEST]  # type: ignore[arg-type, return-value]
    by_competency: dict[str, list[Course]] = {}
    for course in catalogue:
        by_competency.setdefault(course.competency, []).append(course)
    suggestions = latest.suggestions
    items = []
    for index, d in enumerate(gaps):
        items.append(
            PlanItem(
                dimension=d.id,
                name=d.name,
                score=d.score,
                required=d.required,
                suggestion=suggestions[index] if index < len(suggestions) and d.below else "",
                courses=by_competency.get(d.id, []),
            )
        )
    return items


def progress_from(reports: list[ReportView]) -> list[Series]:
    """Per competency, the scores of every report in time order, with the evidence quoted."""
    series: dict[str, Series] = {}
    for report in reports:
        for d in report.dimensions:
            if d.score is None:
                continue
            line = series.setdefault(d.id, Series(d.id, d.name, []))
            line.points.append(
                Point(
                    at=report.taken_at,
                    score=d.score,
                    interview_id=report.interview_id,
                    development=report.development,
                    quote=d.quotes[0] if d.quotes else "",
                )
            )
    return list(series.values())


@dataclass
class MyDevelopment:
    employee: Employee | None
    reports: list[ReportView]
    plan: list[PlanItem]
    enrolments: list[tuple[Enrolment, Course]]
    seats: dict[int, int]
    progress: list[Series]
    reassessments: list[dict[str, Any]]


def my_development(session: Session, principal: Principal, lang: str) -> MyDevelopment:
    """Everything the development page shows the caller about themselves."""
    require(principal, "self.development")
    employee = own_employee(session, principal)
    reports = my_reports(session, principal, lang)
    catalogue = courses(session, principal.tenant_id, only_open=True)
    latest = reports[-1] if reports else None
    enrolments = session.execute(
        select(Enrolment, Course)
        .where(condition_for(principal, "self.development", Enrolment))
        .join(Course, Course.id == Enrolment.course_id)
        .where(Enrolment.status != "cancelled")
        .order_by(Enrolment.enrolled_at.desc(), Enrolment.id.desc())
    ).all()
    return MyDevelopment(
        employee=employee,
        reports=reports,
        plan=plan_from(latest, catalogue),
        enrolments=[(e, c) for e, c in enrolments],
        seats=seats_taken(session, [c.id for c in catalogue]),
        progress=progress_from(reports),
        reassessments=reassessments_of(session, principal, "self.development"),
    )


def reassessments_of(
    session: Session, principal: Principal, capability: str, person_id: int | None = None
) -> list[dict[str, Any]]:
    """Re-assessments in reach, newest first, with their interview's state and the link."""
    stmt = (
        select(Reassessment, Invitation)
        .where(condition_for(principal, capability, Reassessment))
        .join(Invitation, Invitation.id == Reassessment.invitation_id)
    )
    if person_id is not None:
        stmt = stmt.where(Reassessment.person_id == person_id)
    settings = get_settings()
    found = []
    for reassessment, invitation in session.execute(stmt.order_by(Reassessment.id.desc())).all():
        interview = session.scalars(
            select(InterviewSession).where(InterviewSession.invitation_id == invitation.id)
        ).first()
        state = interview.status if interview is not None else "invited"
        open_link = state in ("invited", "verified", "in_progress") and (
            invitation.deadline > utcnow()
        )
        link = None
        if open_link and capability == "self.development":
            link = "/i/" + link_token(
                settings, invitation, policy_for(session, invitation.tenant_id)
            )
        found.append(
            {"reassessment": reassessment, "invitation": invitation, "state": state, "link": link}
        )
    return found


class ReassessmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    dimensions: list[str] = Field(default_factory=list, max_length=12)


def _person_dimensions(reports: list[ReportView]) -> set[str]:
    return {d.id for r in reports for d in r.dimensions}


def schedule_own(
    session: Session, principal: Principal, data: ReassessmentIn, lang: str
) -> Reassessment:
    """The employee schedules their own development interview on their plan's competencies."""
    require(principal, "self.development")
    employee = own_employee(session, principal)
    if employee is None:
        raise NotFound()
    reports = my_reports(session, principal, lang)
    return _schedule(session, principal, employee, reports, data)


def schedule_for(
    session: Session, principal: Principal, employee_id: int, data: ReassessmentIn
) -> Reassessment:
    """HR, or the manager of the employee's department, schedules a development interview."""
    employee = require_visible(session, Employee, employee_id, principal, "development.manage")
    reports = reports_as_seen_by_owner(session, employee, "en")
    return _schedule(session, principal, employee, reports, data)


def _schedule(
    session: Session,
    principal: Principal,
    employee: Employee,
    reports: list[ReportView],
    data: ReassessmentIn,
) -> Reassessment:
    known = _person_dimensions(reports)
    if not known:
        raise Conflict(
            N_("A re-assessment needs a first report to compare with."), code="no_report"
        )
    wanted = [d for d in dict.fromkeys(data.dimensions) if d]
    if not wanted:
        latest = reports[-1]
        wanted = [item.dimension for item in plan_from(latest, [])]
    unknown = [d for d in wanted if d not in known]
    if unknown or not wanted:
        raise ValidationFailed(
            N_("Choose competencies from your report."), fields={"dimensions": "unknown"}
        )
    if _open_reassessment(session, employee.person_id):
        raise Conflict(
            N_("A re-assessment is already waiting to be taken."), code="reassessment_open"
        )
    invitation = _invite(session, principal, employee)
    interview = prepare_for_invitation(session, invitation)
    kept = [q for q in interview.questions if set(q.get("dimensions") or ()) & set(wanted)]
    if kept:
        interview.questions = kept
    reassessment = Reassessment(
        tenant_id=employee.tenant_id,
        person_id=employee.person_id,
        department_id=employee.department_id,
        invitation_id=invitation.id,
        dimensions=wanted,
        requested_by_id=principal.user_id,
    )
    session.add(reassessment)
    session.flush()
    person = session.get(Candidate, employee.person_id)
    if person is not None:
        tell_person(
            session,
            person,
            "development.reassessment",
            {"deadline": invitation.deadline.date().isoformat()},
            dedupe_key=f"reassessment:{reassessment.id}",
            related=("reassessment", reassessment.id),
        )
    audit.commit_recorded(
        session,
        "development.reassessment_scheduled",
        actor=principal,
        target_type="reassessment",
        target_id=reassessment.id,
        new={"employee": employee.id, "dimensions": wanted, "questions": len(kept)},
    )
    return reassessment


def _open_reassessment(session: Session, person_id: int) -> bool:
    rows = session.execute(
        select(Reassessment.id, Invitation.deadline, InterviewSession.status)
        .join(Invitation, Invitation.id == Reassessment.invitation_id)
        .outerjoin(InterviewSession, InterviewSession.invitation_id == Invitation.id)
        .where(Reassessment.person_id == person_id, Reassessment.status == "invited")
    ).all()
    now = utcnow()
    return any(
        deadline > now and (status or "invited") in ("invited", "verified", "in_progress")
        for _id, deadline, status in rows
    )


def _invite(session: Session, principal: Principal, employee: Employee) -> Invitation:
    person = session.get(Candidate, employee.person_id)
    if person is None:  # pragma: no cover - the employee row keeps its person
        raise NotFound()
    now = utcnow()
    invitation = Invitation(
        tenant_id=employee.tenant_id,
        opening_id=employee.opening_id,
        candidate_id=employee.person_id,
        kind="ai",
        purpose=DEVELOPMENT,
        round_name="development",
        status="sent",
        language=person.language or "zh-CN",
        timezone=person.timezone or "Asia/Shanghai",
        deadline=now + timedelta(days=REASSESSMENT_DAYS),
        duration_minutes=REASSESSMENT_MINUTES,
        created_by_id=principal.user_id,
        sent_at=now,
    )
    session.add(invitation)
    session.flush()
    return invitation
