"""Predictive validity (SPEC I2): do the interview's dimension scores predict what became of
the people hired?

Who is counted: the openings the caller may analyse (``analytics.read``), narrowed to one
opening, a department or a job family (the opening's job type), and the reports of the period.
*Assessed*: one row per person and opening, the newest report's scores in effect (HR's
adjustments replace the AI's score of a dimension). *Hired*: the employees hired into those
openings (``offers.Employee``), with the scores of their report for that opening and their
outcomes:

- ``rating``: the mean of their performance ratings (1-5) over the periods recorded;
- ``probation``: failed 0, extended 1, passed 2;
- ``retained_3`` / ``_6`` / ``_12``: 1 when still employed that many months after the start
  date, 0 when they left before; unknown (left out) while that time has not passed yet.

Per dimension and outcome: n, Pearson r and Spearman rho with bootstrap 95 % intervals over
people, the SD ratio hired ÷ assessed (restriction of range) and r corrected for it. For one
opening and one outcome, proposed weights (``validity_stats.propose_weights``). Reads scores,
dates and outcomes only; no person is shown.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.analytics import validity_stats as stats
from hireflow.analytics.queries import Filters, openings_in_scope, within
from hireflow.candidates.models import PerformanceRating
from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.interviews.queries import for_hiring
from hireflow.offers.models import Employee
from hireflow.openings import versions
from hireflow.openings.competency import competency_model_of
from hireflow.openings.models import JOB_TYPES, CompetencyModelVersion, Opening

CAPABILITY = "analytics.read"
OUTCOMES = ("rating", "probation", "retained_3", "retained_6", "retained_12")
PROBATION = {"failed": 0.0, "extended": 1.0, "passed": 2.0}
RETENTION_MONTHS = {"retained_3": 3, "retained_6": 6, "retained_12": 12}


class TooFewPeople(Conflict):
    message = N_("Too few hired people with this outcome to propose weights (at least %(n)s).")


@dataclass(frozen=True)
class Scope:
    filters: Filters
    family: str | None = None  # a job type: the openings of one job family
    outcome: str = "rating"  # the outcome the weights are fitted to


@dataclass(frozen=True)
class Row:
    dimension: str
    outcome: str
    pearson: stats.Correlation
    spearman: stats.Correlation
    range_ratio: float | None  # SD of the dimension's scores, hired ÷ all assessed
    corrected: float | None  # Pearson r corrected for the restriction of range


@dataclass
class Data:
    assessed: list[dict[str, float]] = field(default_factory=list)
    hired: list[tuple[dict[str, float], dict[str, float]]] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    assessed: int
    hired: int
    rows: list[Row]
    proposal: stats.Proposal | None  # one opening chosen, else None
    opening_id: int | None
    versions: list[CompetencyModelVersion]


def parse_scope(filters: Filters, family: str | None, outcome: str | None) -> Scope:
    """The analysis's scope from URL parameters (bad values raise ``ValidationFailed``)."""
    family = (family or "").strip() or None
    outcome = (outcome or "").strip() or "rating"
    if family is not None and family not in JOB_TYPES:
        raise ValidationFailed(N_("Choose a value from the list."), fields={"family": "invalid"})
    if outcome not in OUTCOMES:
        raise ValidationFailed(N_("Choose a value from the list."), fields={"outcome": "invalid"})
    return Scope(filters.checked(), family, outcome)


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def employee_outcomes(
    start: date,
    left_on: date | None,
    probation: str | None,
    rating: float | None,
    today: date,
) -> dict[str, float]:
    """The known outcomes of one employee (an unknown one is absent)."""
    found: dict[str, float] = {}
    if rating is not None:
        found["rating"] = float(rating)
    if probation in PROBATION:
        found["probation"] = PROBATION[probation]
    for key, months in RETENTION_MONTHS.items():
        mark = add_months(start, months)
        if left_on is not None and left_on < mark:
            found[key] = 0.0
        elif mark <= today:
            found[key] = 1.0
    return found


def _scores(scores: object, final: object) -> dict[str, float]:
    merged = {**(scores if isinstance(scores, dict) else {})}
    merged.update(final if isinstance(final, dict) else {})
    return {
        str(k): float(v)
        for k, v in merged.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


def _openings(session: Session, principal: Principal, scope: Scope) -> list[int]:
    stmt = openings_in_scope(session, principal, scope.filters, CAPABILITY)
    if scope.family is not None:
        stmt = stmt.where(Opening.job_type == scope.family)
    return list(session.scalars(stmt))


def gather(session: Session, principal: Principal, scope: Scope, today: date) -> Data:
    openings = _openings(session, principal, scope)
    reports: dict[tuple[int, int], dict[str, float]] = {}
    for person, opening, scores, final in session.execute(
        select(
            InterviewSession.candidate_id,
            InterviewSession.opening_id,
            InterviewReport.scores,
            InterviewReport.final_scores,
        )
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        # the hiring interview, never a later development re-assessment of the same person
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
        .where(*within(InterviewReport.created_at, scope.filters))
        .order_by(InterviewReport.id)  # the newest report of a person and opening wins
    ):
        found = _scores(scores, final)
        if found:
            reports[(person, opening)] = found
    data = Data(assessed=list(reports.values()))
    employees = session.execute(
        select(
            Employee.person_id,
            Employee.opening_id,
            Employee.start_date,
            Employee.left_on,
            Employee.probation_result,
        ).where(Employee.opening_id.in_(openings))
    ).all()
    people = [e.person_id for e in employees if (e.person_id, e.opening_id) in reports]
    ratings = {
        person: float(mean)
        for person, mean in session.execute(
            select(PerformanceRating.candidate_id, func.avg(PerformanceRating.rating))
            .where(PerformanceRating.candidate_id.in_(people))
            .group_by(PerformanceRating.candidate_id)
        )
    }
    for e in employees:
        scores = reports.get((e.person_id, e.opening_id))
        if scores is not None:
            outcome = employee_outcomes(
                e.start_date, e.left_on, e.probation_result, ratings.get(e.person_id), today
            )
            data.hired.append((scores, outcome))
    return data


def correlations(data: Data) -> list[Row]:
    """One row per dimension and outcome with at least one hired person holding both."""
    dimensions = sorted({d for scores, _ in data.hired for d in scores})
    rows = []
    for dimension in dimensions:
        everyone = [s[dimension] for s in data.assessed if dimension in s]
        hired = [s[dimension] for s, _ in data.hired if dimension in s]
        ratio = stats.range_ratio(hired, everyone)
        for outcome in OUTCOMES:
            pairs = [
                (s[dimension], o[outcome]) for s, o in data.hired if dimension in s and outcome in o
            ]
            if not pairs:
                continue
            x, y = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
            pearson = stats.correlation(x, y, "pearson")
            rows.append(
                Row(
                    dimension,
                    outcome,
                    pearson,
                    stats.correlation(x, y, "spearman"),
                    ratio,
                    stats.corrected_r(pearson.r, ratio),
                )
            )
    return rows


def proposal_for(opening: Opening, data: Data, outcome: str) -> stats.Proposal:
    """Proposed weights of the opening's model for ``outcome``, from the hired people who
    have that outcome and a score on every dimension of the model."""
    model = competency_model_of(opening)
    current = {d.id: float(d.weight) for d in model.dimensions}
    rows = [(s, o[outcome]) for s, o in data.hired if outcome in o and all(k in s for k in current)]
    x = np.array([[s[k] for k in current] for s, _ in rows], dtype=float).reshape(
        len(rows), len(current)
    )
    return stats.propose_weights(x, np.array([y for _, y in rows], dtype=float), current)


def analyse(
    session: Session, principal: Principal, scope: Scope, today: date | None = None
) -> Analysis:
    today = today or datetime.now(UTC).date()
    data = gather(session, principal, scope, today)
    opening_id = scope.filters.opening_id
    proposal, found_versions = None, []
    if opening_id is not None:
        opening = session.get(Opening, opening_id)
        if opening is not None and (scope.family is None or opening.job_type == scope.family):
            proposal = proposal_for(opening, data, scope.outcome)
            found_versions = versions.versions(session, principal, opening_id, CAPABILITY)
    return Analysis(
        len(data.assessed),
        len(data.hired),
        correlations(data),
        proposal,
        opening_id,
        found_versions,
    )


def adopt(
    session: Session, principal: Principal, scope: Scope, today: date | None = None
) -> CompetencyModelVersion:
    """Save the proposed weights of one opening as a new version of its competency model,
    NOT active: HR activates it (and can go back to any older version) on the same page."""
    require(principal, versions.ADOPT)
    opening_id = scope.filters.opening_id
    if opening_id is None:
        raise ValidationFailed(N_("Choose an opening."), fields={"opening": "required"})
    analysis = analyse(session, principal, Scope(scope.filters, None, scope.outcome), today)
    proposal = analysis.proposal
    if proposal is None or proposal.n < stats.MIN_N:
        raise TooFewPeople(params={"n": stats.MIN_N})
    opening = session.get(Opening, opening_id)
    assert opening is not None  # analyse() checked the scope
    model = versions.weighted_model(opening, proposal.proposed)
    note = (
        f"outcome={scope.outcome} n={proposal.n} lambda={proposal.shrinkage:.3f} "
        f"period={scope.filters.start or ''}..{scope.filters.end or ''}"
    )
    return versions.add_version(session, principal, opening_id, model, "validity", note)
