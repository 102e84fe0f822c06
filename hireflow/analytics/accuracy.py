"""The AI accuracy review (SPEC I4): does the AI interview score like the company's
interviewers, does its recommendation match who was hired, where does HR correct it, and does
any of that drift.

- Agreement per competency: every current (not superseded) interviewer scorecard rating of an
  application, paired with the AI's score of the same competency in the application's newest
  report, both on the five anchored levels (the AI's 0-10 score / 2, rounded half up). Quadratic
  weighted kappa (QWK) and the mean difference (AI - interviewer, in levels; above 0 = the AI is
  more generous), each with a 95 % bootstrap interval (applications resampled with all their pairs,
  since two interviewers of one application share its AI score; seeded: the same data gives
  the same interval). A competency with at least ``MIN_PAIRS`` pairs and QWK under
  ``LOW_QWK`` is flagged; the page links it to the calibration screen.
- The AI's own recommendation (its job match, before HR's adjustments, at or above the
  opening's bar) against the final decision, for applications that were hired, rejected or
  withdrew.
- HR's overrides (``ScoreAdjustment``) per competency: how many raised, how many lowered the
  AI's score, and the mean change.
- Drift: per month of the report, the pairs, QWK and mean difference, and HR's overrides.

Reads scores, levels, stages and dates only; no person is shown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.analytics.queries import Filters, openings_in_scope, within
from hireflow.analytics.review_counts import (
    LEVELS,
    SCALE,
    Counts,
    cells_matrix,
    difference_interval,
    qwk_interval,
    qwk_of_cells,
    share_interval,
)
from hireflow.candidates.models import Application
from hireflow.core.permissions import Principal
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.interviews.queries import for_hiring
from hireflow.openings.models import Opening
from hireflow.workflow.models import Scorecard

CAPABILITY = "analytics.read"
LOW_QWK = 0.4  # below "moderate" agreement on the usual reading of kappa
MIN_PAIRS = 10  # fewer pairs: the interval is too wide to flag anything
DECIDED = frozenset({"hired", "rejected", "withdrawn"})


@dataclass(frozen=True)
class Estimate:
    value: float | None
    low: float | None = None  # 95 % bootstrap interval
    high: float | None = None


@dataclass(frozen=True)
class Agreement:
    competency: str
    pairs: int
    qwk: Estimate
    mean_difference: Estimate
    flagged: bool


@dataclass(frozen=True)
class Recommendation:
    """Decided applications by the AI's recommendation and the outcome."""

    recommended_hired: int
    recommended_not_hired: int
    not_recommended_hired: int
    not_recommended_not_hired: int
    agreement: Estimate  # share where recommended == hired


@dataclass(frozen=True)
class Overrides:
    competency: str
    raised: int
    lowered: int
    mean_change: float  # HR's score - the AI's, 0-10 scale


@dataclass(frozen=True)
class Month:
    month: str  # YYYY-MM
    pairs: int
    qwk: float | None
    mean_difference: float | None
    overrides: int


@dataclass(frozen=True)
class Review:
    agreement: list[Agreement]
    recommendation: Recommendation
    overrides: list[Overrides]
    drift: list[Month]


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# id, tenant, candidate, opening, stage, received
AppRow = tuple[int, int, int, int, str, datetime]
APP_COLUMNS = (
    Application.id,
    Application.tenant_id,
    Application.candidate_id,
    Application.opening_id,
    Application.stage,
    Application.created_at,
)
CHUNK = 5_000  # ids per IN list: well under SQLite's bound-parameter limit


def count_applications(
    session: Session,
    apps: Sequence[AppRow],
    bars: dict[int, float],
    into: Callable[[AppRow], Counts],
) -> None:
    """Add what each of ``apps`` gives the review (its pairs, decision and HR's overrides, from
    its newest hiring report) to the counts ``into`` names for it."""
    for start in range(0, len(apps), CHUNK):
        chunk = apps[start : start + CHUNK]
        by_pair = {(a[2], a[3]): a for a in chunk}
        reports: dict[int, tuple[int, dict, float | None, datetime]] = {}
        for candidate_id, opening_id, interview_id, scores, match, created in session.execute(
            select(
                InterviewSession.candidate_id,
                InterviewSession.opening_id,
                InterviewSession.id,
                InterviewReport.scores,
                InterviewReport.job_match,
                InterviewReport.created_at,
            )
            .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
            .where(
                InterviewSession.candidate_id.in_({a[2] for a in chunk}),
                InterviewSession.opening_id.in_({a[3] for a in chunk}),
                for_hiring(),
            )
            .order_by(InterviewReport.id)  # the newest report of an application wins
        ):
            app = by_pair.get((candidate_id, opening_id))
            if app is not None:
                reports[app[0]] = (interview_id, scores or {}, match, created)
        _count_chunk(session, {a[0]: a for a in chunk}, reports, bars, into)


def _count_chunk(
    session: Session,
    apps: dict[int, AppRow],
    reports: dict[int, tuple[int, dict, float | None, datetime]],
    bars: dict[int, float],
    into: Callable[[AppRow], Counts],
) -> None:
    humans: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for app_id, ratings in session.execute(
        select(Scorecard.application_id, Scorecard.ratings).where(
            Scorecard.application_id.in_(list(reports)), Scorecard.superseded_at.is_(None)
        )
    ):
        for competency, level in (ratings or {}).items():
            if isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= LEVELS:
                humans[app_id][competency].append(level)
    for app_id, (_interview, scores, match, created) in reports.items():
        app = apps[app_id]
        counts = into(app)
        if app[4] in DECIDED and match is not None:
            counts.decisions[(int(float(match) >= bars[app[3]] * 10), int(app[4] == "hired"))] += 1
        month = created.strftime("%Y-%m")
        for competency, levels in humans.get(app_id, {}).items():
            ai = scores.get(competency)
            if _number(ai):
                counts.add_pairs(competency, month, float(ai), levels)
    owner = {r[0]: app_id for app_id, r in reports.items()}
    for interview_id, competency, ai, hr, created in session.execute(
        select(
            ScoreAdjustment.interview_id,
            ScoreAdjustment.dimension_id,
            ScoreAdjustment.ai_score,
            ScoreAdjustment.hr_score,
            ScoreAdjustment.created_at,
        ).where(ScoreAdjustment.interview_id.in_(list(owner)))
    ):
        counts = into(apps[owner[interview_id]])
        counts.add_override(competency, created.strftime("%Y-%m"), float(ai), float(hr))


def bars_of(session: Session, openings: Iterable[int]) -> dict[int, float]:
    """Each opening's bar (``pass_threshold``, 0-1: the AI recommends at job match ≥ bar × 10)."""
    return {
        opening_id: float(bar)
        for opening_id, bar in session.execute(
            select(Opening.id, Opening.pass_threshold).where(Opening.id.in_(list(openings)))
        )
    }


def _gather(session: Session, principal: Principal, filters: Filters) -> Counts:
    openings = openings_in_scope(session, principal, filters, CAPABILITY)
    apps: list[AppRow] = [
        tuple(row)  # type: ignore[misc]
        for row in session.execute(
            select(*APP_COLUMNS)
            .where(Application.opening_id.in_(openings))
            .where(*within(Application.created_at, filters))
        )
    ]
    counts = Counts()
    count_applications(session, apps, bars_of(session, {a[3] for a in apps}), lambda _a: counts)
    return counts


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _agreement(competency: str, counts: Counts) -> Agreement:
    cells: dict[tuple[int, str], int] = defaultdict(int)
    scores = levels = 0
    for (c, level, humans), (n, s, h) in counts.cells.items():
        if c == competency:
            cells[(level, humans)] += n
            scores, levels = scores + s, levels + h
    pairs = sum(n * len(humans) for (_level, humans), n in cells.items())
    kappa = qwk_of_cells(cells_matrix(cells))
    # mean of score / 2 - level, from integers: exact whatever order they were added in
    difference = (scores - 2 * SCALE * levels) / (2 * SCALE * pairs)
    spreads = {(k[1], k[2]): n for k, n in counts.spreads.items() if k[0] == competency}
    k_low, k_high = qwk_interval(cells)
    d_low, d_high = difference_interval(spreads, difference)
    flagged = kappa is not None and pairs >= MIN_PAIRS and kappa < LOW_QWK
    return Agreement(
        competency,
        pairs,
        Estimate(_rounded(kappa), k_low, k_high),
        Estimate(round(difference, 3), d_low, d_high),
        flagged,
    )


def _recommendation(decisions: Counter[tuple[int, int]]) -> Recommendation:
    total = sum(decisions.values())
    agree = decisions[(1, 1)] + decisions[(0, 0)]
    low, high = share_interval(agree, total)
    return Recommendation(
        decisions[(1, 1)],
        decisions[(1, 0)],
        decisions[(0, 1)],
        decisions[(0, 0)],
        Estimate(_rounded(agree / total) if total else None, low, high),
    )


def _drift(counts: Counts) -> list[Month]:
    by_month: dict[str, dict[tuple[int, str], int]] = defaultdict(lambda: defaultdict(int))
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (month, level, human), (n, s, h) in counts.drift.items():
        by_month[month][(level, str(human))] += n
        sums[month][0] += s
        sums[month][1] += h
    overrides: dict[str, int] = defaultdict(int)
    for (_c, month, _sign), (n, _s) in counts.overrides.items():
        overrides[month] += n
    months = []
    for month in sorted(set(by_month) | set(overrides)):
        cells = by_month.get(month, {})
        pairs = sum(cells.values())
        s, h = sums.get(month, [0, 0])
        difference = (s - 2 * SCALE * h) / (2 * SCALE * pairs) if pairs else None
        kappa = qwk_of_cells(cells_matrix(cells))
        months.append(Month(month, pairs, _rounded(kappa), _rounded(difference), overrides[month]))
    return months


def review_of(counts: Counts) -> Review:
    """The review's figures from the counts alone."""
    changes: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # raised, lowered, n, sum
    for (competency, _month, sign), (n, s) in counts.overrides.items():
        row = changes[competency]
        row[0] += n if sign > 0 else 0
        row[1] += n if sign < 0 else 0
        row[2], row[3] = row[2] + n, row[3] + s
    return Review(
        [_agreement(c, counts) for c in sorted({k[0] for k in counts.cells})],
        _recommendation(counts.decisions),
        [
            Overrides(c, r[0], r[1], round(r[3] / (SCALE * r[2]), 2))
            for c, r in sorted(changes.items())
        ],
        _drift(counts),
    )


def review(
    session: Session, principal: Principal, filters: Filters, direct: bool = False
) -> Review:
    """The review over the applications in the caller's scope received in the period: from
    the worker's rollups once built (``direct``: from the source tables)."""
    filters = filters.checked()
    if not direct:
        from hireflow.analytics import rollups_review

        counts = rollups_review.review_counts(
            session, openings_in_scope(session, principal, filters, CAPABILITY), filters
        )
        if counts is not None:
            return review_of(counts)
    return review_of(_gather(session, principal, filters))
