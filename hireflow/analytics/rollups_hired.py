"""The worker-kept rows behind predictive validity's hired side
(:class:`~hireflow.analytics.hired_models.HiredScore`): per hired person, the scores in effect
of each hiring report of the opening they were hired into, with where it counts, so a request
reads a few thousand small rows instead of joining and decoding the hired people's reports.

A row's facts come from reports (new ones, and HR's score adjustments, which rewrite a
report's scores in effect) and employees (a new hire); each of those tables only grows, so
the worker (:func:`refresh`, with the review rollups every minute) keeps an id cut of the
three like the review rollups (taken under a brief SHARE lock on PostgreSQL, so no lower id
can still commit later), recomputes the rows of every employee whose reports, adjustments or
hire came after its last cut, and puts them in place of the old ones. Recomputing is
idempotent, so overlapping or repeated runs are harmless. Each run also corrects the place
columns of rows whose opening moved to another department or subsidiary.

A reader (:func:`hired`) reads the rows in scope, and recomputes on the fly the rows of the
employees touched after the worker's cut (found by id, indexed): so the answer equals the
direct query however far the worker is behind. The outcomes that change in place (probation
result, leaving date, performance ratings) are not kept here: the reader takes them from the
employee and rating rows of the people it found, by key.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollup_state
from hireflow.analytics.hired_models import HiredScore, HiredState
from hireflow.analytics.queries import Filters
from hireflow.analytics.rollup_state import chunks
from hireflow.analytics.validity_assessed import effective
from hireflow.core.db import Database
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.interviews.queries import for_hiring
from hireflow.offers.models import Employee
from hireflow.openings.models import Opening

NAME = "hired"
ROLLUP = rollup_state.Rollup(HiredState, NAME, (HiredScore,))
_CUT_TABLES = "interview_reports, interview_score_adjustments, employees"
_PLACE = ("tenant_id", "subsidiary_id", "department_id")


@dataclass(frozen=True)
class Cut:
    report_id: int = 0
    adjustment_id: int = 0
    employee_id: int = 0


_MODELS = (InterviewReport, ScoreAdjustment, Employee)


def current_cut(session: Session) -> Cut:
    """The newest consistent cut (:func:`rollup_state.max_ids`)."""
    return rollup_state.max_ids(session, Cut, _MODELS, _CUT_TABLES)


def built(session: Session) -> HiredState | None:
    return session.get(HiredState, NAME)


# ---- rows from the source tables ---------------------------------------------------------


def rows_of(session: Session, employees: Iterable[int]) -> list[dict[str, Any]]:
    """The rows of these employees as the source tables say now: one per hiring report of
    the opening they were hired into whose scores in effect are not empty."""
    found: list[dict[str, Any]] = []
    for chunk in chunks(sorted(set(employees))):
        places = {
            row[0]: row
            for row in session.execute(
                select(
                    Employee.id,
                    Employee.person_id,
                    Employee.opening_id,
                    Employee.start_date,
                    Opening.tenant_id,
                    Opening.subsidiary_id,
                    Opening.department_id,
                )
                .join(Opening, Opening.id == Employee.opening_id)
                .where(Employee.id.in_(chunk))
            )
        }
        chains: dict[int, list[tuple[int, date, dict[str, float]]]] = defaultdict(list)
        # Sorted here, not by the query: asked to order by report, SQLite would walk every
        # report in id order (minutes per chunk at 1,000,000 applications) instead of
        # seeking each employee's few.
        for employee_id, report_id, created, scores, final in sorted(
            session.execute(
                select(
                    Employee.id,
                    InterviewReport.id,
                    InterviewReport.created_at,
                    InterviewReport.scores,
                    InterviewReport.final_scores,
                )
                .join(
                    InterviewSession,
                    (InterviewSession.candidate_id == Employee.person_id)
                    & (InterviewSession.opening_id == Employee.opening_id),
                )
                .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
                .where(Employee.id.in_(chunk), for_hiring())
            ),
            key=lambda row: row[1],
        ):
            in_effect = effective(scores, final)
            if in_effect:
                chains[employee_id].append((report_id, created.date(), in_effect))
        for employee_id, chain in chains.items():
            _id, person, opening, start, tenant, subsidiary, department = places[employee_id]
            for at, (report_id, day, in_effect) in enumerate(chain):
                found.append(
                    {
                        "tenant_id": tenant,
                        "opening_id": opening,
                        "subsidiary_id": subsidiary,
                        "department_id": department,
                        "employee_id": employee_id,
                        "person_id": person,
                        "report_id": report_id,
                        "hire_date": start,
                        "day": day,
                        "next_day": chain[at + 1][1] if at + 1 < len(chain) else None,
                        "scores": in_effect,
                    }
                )
    return found


def touched(session: Session, since: Cut, until: Cut | None) -> set[int]:
    """The employees whose rows may differ after ``since`` (up to ``until``; None: now): new
    hires, and the hired people of new reports and score adjustments (their opening's)."""

    def after(column: Any, field: str) -> list[Any]:
        low = column > getattr(since, field)
        return [low] if until is None else [low, column <= getattr(until, field)]

    employees = set(session.scalars(select(Employee.id).where(*after(Employee.id, "employee_id"))))
    groups: set[tuple[int, int]] = set()
    for stmt in (
        select(InterviewSession.candidate_id, InterviewSession.opening_id)
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .where(*after(InterviewReport.id, "report_id")),
        select(InterviewSession.candidate_id, InterviewSession.opening_id)
        .join(ScoreAdjustment, ScoreAdjustment.interview_id == InterviewSession.id)
        .where(*after(ScoreAdjustment.id, "adjustment_id")),
    ):
        groups.update((person, opening) for person, opening in session.execute(stmt))
    for chunk in chunks(sorted({person for person, _opening in groups})):
        employees.update(
            employee_id
            for employee_id, person, opening in session.execute(
                select(Employee.id, Employee.person_id, Employee.opening_id).where(
                    Employee.person_id.in_(chunk)
                )
            )
            if (person, opening) in groups
        )
    return employees


def _moved(session: Session) -> set[int]:
    """Employees whose rows' place or hire date no longer match their opening's and their
    own (an opening moved to another department, say)."""
    return set(
        session.scalars(
            select(HiredScore.employee_id)
            .join(Opening, Opening.id == HiredScore.opening_id)
            .join(Employee, Employee.id == HiredScore.employee_id)
            .where(
                or_(
                    HiredScore.opening_id != Employee.opening_id,
                    HiredScore.hire_date != Employee.start_date,
                    *(getattr(HiredScore, c) != getattr(Opening, c) for c in _PLACE),
                )
            )
            .distinct()
        )
    )


def _replace(session: Session, employees: set[int]) -> int:
    for chunk in chunks(sorted(employees)):
        session.execute(delete(HiredScore).where(HiredScore.employee_id.in_(chunk)))
    rows = rows_of(session, employees)
    rollup_state.upsert(session, HiredScore, rows, [], [])
    return len(rows)


# ---- the worker --------------------------------------------------------------------------


def refresh(database: Database) -> dict[str, int]:
    """Bring the rows up to now (the worker's task; the first run builds them)."""
    idle = {"employees": 0, "rows": 0}
    return rollup_state.refresh(database, ROLLUP, current_cut, _rebuild_in, _apply, idle, _moved)


def _apply(session: Session, since: Cut, until: Cut, moved: set[int]) -> dict[str, int]:
    employees = touched(session, since, until) | moved
    return {"employees": len(employees), "rows": _replace(session, employees)}


def rebuild(database: Database) -> dict[str, int]:
    """Recompute every row from the source tables."""
    return rollup_state.rebuild_to_cut(database, ROLLUP, current_cut, _rebuild_in)


def _rebuild_in(session: Session, until: Cut) -> dict[str, int]:
    rollup_state.start_rebuild(session, ROLLUP, **asdict(until))
    employees = list(
        session.scalars(
            select(Employee.id).where(Employee.id <= until.employee_id).order_by(Employee.id)
        )
    )
    written = 0
    for chunk in chunks(employees, 20_000):
        rows = rows_of(session, chunk)
        rollup_state.upsert(session, HiredScore, rows, [], [])
        written += len(rows)
    rollup_state.finish_rebuild(session, ROLLUP)
    return {"employees": len(employees), "rows": written}


# ---- the reader --------------------------------------------------------------------------


@dataclass(frozen=True)
class Hired:
    """A hired person counted in a scope: their employee row's id, the person, the hire date
    and the scores in effect of their newest hiring report of the period."""

    employee_id: int
    person_id: int
    hire_date: date
    scores: dict[str, float]


def counts(day: date, next_day: date | None, filters: Filters) -> bool:
    """Whether a report written on ``day`` is the newest of the period (the next one, if any,
    written after its end)."""
    if not rollup_state.in_period(day, filters.start, filters.end):
        return False
    return next_day is None or (filters.end is not None and next_day > filters.end)


def hired(session: Session, openings: list[int], filters: Filters) -> list[Hired] | None:
    """The hired people of ``openings`` with a report in the period, by employee id (None
    before the first build: the caller reads the source tables)."""
    state = built(session)
    if state is None:
        return None
    changed = touched(session, rollup_state.cut_of(state, Cut), None)
    found: dict[int, Hired] = {}
    period = rollup_state.day_range(HiredScore.day, filters.start, filters.end)
    latest: Any = HiredScore.next_day.is_(None)
    if filters.end is not None:
        latest = or_(latest, HiredScore.next_day > filters.end)
    for chunk in chunks(openings):
        for employee_id, person, start, scores in session.execute(
            select(
                HiredScore.employee_id,
                HiredScore.person_id,
                HiredScore.hire_date,
                HiredScore.scores,
            ).where(HiredScore.opening_id.in_(chunk), *period, latest)
        ):
            if employee_id not in changed:
                found[employee_id] = Hired(employee_id, person, start, scores)
    scope = set(openings)
    for row in rows_of(session, changed):
        if row["opening_id"] in scope and counts(row["day"], row["next_day"], filters):
            found[row["employee_id"]] = Hired(
                row["employee_id"], row["person_id"], row["hire_date"], row["scores"]
            )
    return [found[key] for key in sorted(found)]


__all__ = ["Hired", "built", "counts", "hired", "rebuild", "refresh", "rows_of", "touched"]
