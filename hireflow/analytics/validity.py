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

Where it reads: the assessed side from the review rollups (``rollups_review``, kind ``v``),
the hired people's scores and hire dates from the worker-kept rows per hired person
(``rollups_hired``, exact even while the worker lags), their outcomes by key from the
employee and rating rows; before the worker's first build, or with ``direct``, everything
from the source tables. The hired are taken in the order of their employee rows either way
(the bootstrap draws people by position). Before any of that, a request takes its scope's
answer kept at the company's current data version when there is one (``validity_ready``:
a few key reads instead of the scope's data).
"""

from __future__ import annotations

import calendar
import functools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import numpy as np
from sqlalchemy import ARRAY, Integer, any_, bindparam, func, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollups_hired, validity_cache, validity_ready
from hireflow.analytics import validity_assessed as assessed
from hireflow.analytics import validity_groups as groups
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
CHUNK = 5_000  # people per IN list


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
    assessed: assessed.Sums = field(default_factory=assessed.Sums)
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


@functools.lru_cache(maxsize=8192)  # three marks per hired person; many share a start date
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


def _openings(session: Session, principal: Principal, scope: Scope) -> list[int]:
    stmt = openings_in_scope(session, principal, scope.filters, CAPABILITY)
    if scope.family is not None:
        stmt = stmt.where(Opening.job_type == scope.family)
    return list(session.scalars(stmt))


def _reports(
    session: Session, openings: list[int], filters: Filters, hired: bool
) -> dict[tuple[int, int], dict[str, float]]:
    """Per person and opening, the scores in effect of the newest hiring report of the period
    (``hired``: of the people hired into that opening only, matched in the query)."""
    found: dict[tuple[int, int], dict[str, float]] = {}
    stmt = (
        select(
            InterviewSession.candidate_id,
            InterviewSession.opening_id,
            InterviewReport.scores,
            InterviewReport.final_scores,
        )
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        # the hiring interview, never a later development re-assessment of the same person
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
        .where(*within(InterviewReport.created_at, filters))
        .order_by(InterviewReport.id)  # the newest report of a person and opening wins
    )
    if hired:
        stmt = stmt.where(
            select(Employee.id)
            .where(
                Employee.person_id == InterviewSession.candidate_id,
                Employee.opening_id == InterviewSession.opening_id,
            )
            .exists()
        )
    for person, opening, scores, final in session.execute(stmt):
        scores_in_effect = assessed.effective(scores, final)
        if scores_in_effect:
            found[(person, opening)] = scores_in_effect
    return found


def _assessed(
    session: Session, openings: list[int], filters: Filters, direct: bool
) -> assessed.Sums:
    if not direct:
        from hireflow.analytics import rollups_review

        rows = rollups_review.summed_rows(
            session, select(Opening.id).where(Opening.id.in_(openings)), filters, ("v",)
        )
        if rows is not None:
            return assessed.sums_of(rows, filters.end)
    sums = assessed.Sums()
    for scores in _reports(session, openings, filters, False).values():
        sums.add(scores)
    return sums


def _hired_direct(
    session: Session, openings: list[int], filters: Filters
) -> list[rollups_hired.Hired]:
    """The hired people of ``openings`` with a report in the period, by employee id, from the
    source tables."""
    reports = _reports(session, openings, filters, True)
    return [
        rollups_hired.Hired(employee_id, person, start, reports[(person, opening)])
        for employee_id, person, opening, start in session.execute(
            select(Employee.id, Employee.person_id, Employee.opening_id, Employee.start_date)
            .where(Employee.opening_id.in_(openings))
            .order_by(Employee.id)
        )
        if (person, opening) in reports
    ]


def _among(session: Session, column: Any, ids: list[int]) -> Any:
    """``column IN ids``; on PostgreSQL as ``= ANY`` of one array parameter: the driver then
    handles one value, not thousands of bound parameters (parsing an IN list of 5,000 took it
    about 0.2 s a query at 1,000,000 applications)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def _outcomes(
    session: Session, hired: list[rollups_hired.Hired], today: date
) -> list[dict[str, float]]:
    """The known outcomes of each hired person: their employee row's probation result and
    leaving date, the mean of their performance ratings (read by key, as they are now)."""
    employees: dict[int, tuple[date | None, str | None]] = {}
    ratings: dict[int, float] = {}
    for start in range(0, len(hired), CHUNK):
        part = hired[start : start + CHUNK]
        employees.update(
            (employee_id, (left_on, probation))
            for employee_id, left_on, probation in session.execute(
                select(Employee.id, Employee.left_on, Employee.probation_result).where(
                    _among(session, Employee.id, [h.employee_id for h in part])
                )
            )
        )
        ratings.update(
            (person, float(mean))
            for person, mean in session.execute(
                select(PerformanceRating.candidate_id, func.avg(PerformanceRating.rating))
                .where(_among(session, PerformanceRating.candidate_id, [h.person_id for h in part]))
                .group_by(PerformanceRating.candidate_id)
            )
        )
    return [
        employee_outcomes(h.hire_date, *employees[h.employee_id], ratings.get(h.person_id), today)
        for h in hired
    ]


def gather(
    session: Session, principal: Principal, scope: Scope, today: date, direct: bool = False
) -> Data:
    """Everyone assessed (as sums) and the hired people with their scores and outcomes, in
    the order of their employee rows (the bootstrap draws people by position)."""
    openings = _openings(session, principal, scope)
    return gather_openings(session, openings, scope.filters, today, direct)


def gather_openings(
    session: Session, openings: list[int], filters: Filters, today: date, direct: bool = False
) -> Data:
    """:func:`gather` of these openings (already checked against the caller's scope) over
    the period of ``filters`` (its opening and department are not read)."""
    data = Data(assessed=_assessed(session, openings, filters, direct))
    hired = None if direct else rollups_hired.hired(session, openings, filters)
    if hired is None:
        hired = _hired_direct(session, openings, filters)
    outcomes = _outcomes(session, hired, today)
    data.hired = [(h.scores, found) for h, found in zip(hired, outcomes, strict=True)]
    return data


def _arrays(data: Data) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The dimensions (sorted), and per hired person (rows, in order) their scores (one
    column per dimension) and outcomes (one column per ``OUTCOMES``), NaN where unknown."""
    dimensions = sorted({d for scores, _ in data.hired for d in scores})
    nan = float("nan")
    size = (len(data.hired), len(dimensions))
    scores = np.array([[s.get(d, nan) for d in dimensions] for s, _ in data.hired], dtype=float)
    outcomes = np.array([[o.get(k, nan) for k in OUTCOMES] for _, o in data.hired], dtype=float)
    return dimensions, scores.reshape(size), outcomes.reshape(len(data.hired), len(OUTCOMES))


def correlations(data: Data) -> list[Row]:
    """One row per dimension and outcome with at least one hired person holding both. The
    dimensions every hired person with the outcome has share their resamples."""
    dimensions, scores, outcomes = _arrays(data)
    return _rows_of(data, dimensions, scores, _found(dimensions, scores, outcomes)[0])


def _rows_of(data: Data, dimensions: list[str], scores: np.ndarray, found: Found) -> list[Row]:
    rows = []
    for j, dimension in enumerate(dimensions):
        hired = scores[~np.isnan(scores[:, j]), j]
        ratio = stats.ratio_of(stats.standard_deviation(hired), data.assessed.sd(dimension))
        for outcome in OUTCOMES:
            if (dimension, outcome) in found:
                pearson, spearman = found[(dimension, outcome)]
                rows.append(
                    Row(
                        dimension,
                        outcome,
                        pearson,
                        spearman,
                        ratio,
                        stats.corrected_r(pearson.r, ratio),
                    )
                )
    return rows


Found = dict[tuple[str, str], tuple[stats.Correlation, stats.Correlation]]


def _found(
    dimensions: list[str],
    scores: np.ndarray,
    outcomes: np.ndarray,
    session: Session | None = None,
    tenant_id: int | None = None,
) -> tuple[Found, str, dict[str, Found] | None]:
    """(Pearson, Spearman) per dimension and outcome, from the last computation of the very
    same arrays when one is remembered (``validity_cache``: keyed by their contents, so a
    changed score or outcome is a new key, never a stale answer) or, with a session, kept in
    the database for the company (``validity_ready``: the worker's or another process's);
    with the data's digest and, when it was computed here, each group's part of it by the
    group's digest (``validity_groups``: a group whose own arrays are unchanged was taken as
    kept, not resampled)."""
    key = validity_cache.key(dimensions, OUTCOMES, scores, outcomes)
    found = validity_cache.get(key)
    if found is None and session is not None and tenant_id is not None:
        found = validity_ready.stored(session, tenant_id, key.hex())
    parts = None
    if found is None:
        keyed = groups.keyed(dimensions, OUTCOMES, scores, outcomes)
        kept = _kept_parts(keyed, session, tenant_id)
        found = _computed(dimensions, scores, outcomes, kept, keyed)
        by_key = groups.parts(dimensions, OUTCOMES, keyed, found)
        for part_key, part in by_key.items():
            validity_cache.put(part_key, part)
        parts = {k.hex(): part for k, part in by_key.items()}
    validity_cache.put(key, found)
    return found, key.hex(), parts


def _kept_parts(
    keyed: groups.Keyed, session: Session | None, tenant_id: int | None
) -> dict[bytes, Found]:
    """The groups' results remembered in this process or kept in the database."""
    keys = [digest for digest, _group in keyed]
    kept = {k: part for k in keys if (part := validity_cache.get(k)) is not None}
    missing = [k for k in keys if k not in kept]
    if missing and session is not None and tenant_id is not None:
        stored = validity_ready.stored_many(session, tenant_id, [k.hex() for k in missing])
        kept.update((k, stored[k.hex()]) for k in missing if k.hex() in stored)
    return kept


def ready_result(
    session: Session, tenant_id: int, openings: list[int], scope: Any, today: date
) -> tuple[str, bool, dict[str, Any] | None]:
    """The worker's part (``validity_ready.refresh``): read the data of ``openings`` over
    the period of ``scope`` (``start``, ``end``), and compute and store its result unless
    one is stored; the data's digest, whether it was computed, and the scope's answer."""
    data = gather_openings(session, openings, Filters(start=scope.start, end=scope.end), today)
    dimensions, scores, outcomes = _arrays(data)
    found, digest, parts = _found(dimensions, scores, outcomes, session, tenant_id)
    computed = parts is not None
    if validity_ready.stored(session, tenant_id, digest) is None:
        validity_ready.store_in(session, tenant_id, digest, found)
        computed = True
    for part_digest, part in (parts or {}).items():
        validity_ready.store_in(session, tenant_id, part_digest, part)
    rows = _rows_of(data, dimensions, scores, found)
    return digest, computed, _answer(session, data, rows, openings)


def _answer(
    session: Session, data: Data, rows: list[Row], openings: list[int]
) -> dict[str, Any] | None:
    """The scope's whole answer to keep: counts, rows and, for one opening, the proposed
    weights for every outcome (a request may ask for any)."""
    proposals = None
    opening = session.get(Opening, openings[0]) if len(openings) == 1 else None
    if opening is not None:
        proposals = (opening.id, {o: proposal_for(opening, data, o) for o in OUTCOMES})
    return validity_ready.answer_of(data.assessed.people, len(data.hired), rows, proposals)


def _from_answer(
    session: Session, principal: Principal, scope: Scope, answer: dict[str, Any]
) -> Analysis | None:
    """The analysis from a kept answer (None when it does not hold the proposal asked for)."""
    opening_id = scope.filters.opening_id
    proposal, found_versions = None, []
    if opening_id is not None:
        opening = session.get(Opening, opening_id)
        if opening is not None and (scope.family is None or opening.job_type == scope.family):
            kept = answer["proposals"]
            if kept is None or kept["opening"] != opening_id:
                return None
            proposal = kept["by_outcome"].get(scope.outcome)
            if proposal is None:
                return None
            found_versions = versions.versions(session, principal, opening_id, CAPABILITY)
    rows = [Row(*row) for row in answer["rows"]]
    return Analysis(answer["assessed"], answer["hired"], rows, proposal, opening_id, found_versions)


def _computed(
    dimensions: list[str],
    scores: np.ndarray,
    outcomes: np.ndarray,
    kept: dict[bytes, Found] | None = None,
    keyed: groups.Keyed | None = None,
) -> Found:
    """Per outcome, the dimensions every hired person with the outcome has share their
    resamples (outcomes known for the same people too: a group, ``validity_groups``; one in
    ``kept`` under its digest is taken, not resampled); any other dimension is computed
    alone over the people with both values."""
    found = groups.taken_or_computed(dimensions, OUTCOMES, scores, outcomes, kept, keyed)
    known = ~np.isnan(scores)
    for k, outcome in enumerate(OUTCOMES):
        for j, d in enumerate(dimensions):
            both = known[:, j] & ~np.isnan(outcomes[:, k])
            if (d, outcome) not in found and both.any():
                x1, y1 = scores[both, j], outcomes[both, k]
                found[(d, outcome)] = (
                    stats.correlation(x1, y1, "pearson"),
                    stats.correlation(x1, y1, "spearman"),
                )
    return found


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
    session: Session,
    principal: Principal,
    scope: Scope,
    today: date | None = None,
    direct: bool = False,
    ready: bool = True,
) -> Analysis:
    """The analysis of the scope (``direct``: the assessed side from the source tables even
    when the worker's rollups are built, nothing kept or read from what is kept; ``ready``:
    the scope's kept answer when it was computed at the current data version)."""
    today = today or datetime.now(UTC).date()
    openings = _openings(session, principal, scope)
    period = (scope.filters.start, scope.filters.end)
    tenant_id = principal.tenant_id
    # read before the data: a write committed in between leaves the stamp older, never newer
    current = None if direct else validity_ready.version(session, tenant_id, today)
    if current is not None and ready:
        kept, note = validity_ready.kept_answer(session, tenant_id, openings, *period, current)
        analysis = None if kept is None else _from_answer(session, principal, scope, kept)
        if analysis is not None:
            if note:
                validity_ready.remember(session, tenant_id, None, None, openings, *period)
            return analysis
    data = gather_openings(session, openings, scope.filters, today, direct)
    dimensions, scores, outcomes = _arrays(data)
    # direct: a check of the rollups against the source tables, computed from nothing kept
    kept_in = None if direct else session
    found, digest, parts = _found(dimensions, scores, outcomes, kept_in, tenant_id)
    rows = _rows_of(data, dimensions, scores, found)
    answer = None if current is None else _answer(session, data, rows, openings)
    if current is not None and answer is not None:
        kept_found = None if parts is None else found
        done = (current, answer)
        validity_ready.remember(
            session, tenant_id, digest, kept_found, openings, *period, done, parts
        )
    opening_id = scope.filters.opening_id
    proposal, found_versions = None, []
    if opening_id is not None:
        opening = session.get(Opening, opening_id)
        if opening is not None and (scope.family is None or opening.job_type == scope.family):
            proposal = proposal_for(opening, data, scope.outcome)
            found_versions = versions.versions(session, principal, opening_id, CAPABILITY)
    return Analysis(
        data.assessed.people, len(data.hired), rows, proposal, opening_id, found_versions
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
    # computed from the data itself, never a kept answer: what is saved is what the data says
    analysis = analyse(
        session, principal, Scope(scope.filters, None, scope.outcome), today, ready=False
    )
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
