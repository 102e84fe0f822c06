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

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeGuard

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.analytics.queries import Filters, openings_in_scope, within
from hireflow.candidates.models import Application
from hireflow.core.permissions import Principal
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.interviews.queries import for_hiring
from hireflow.openings.models import Opening
from hireflow.workflow.models import Scorecard

CAPABILITY = "analytics.read"
LEVELS = 5
LOW_QWK = 0.4  # below "moderate" agreement on the usual reading of kappa
MIN_PAIRS = 10  # fewer pairs: the interval is too wide to flag anything
RESAMPLES = 400
SEED = 16
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


def ai_level(score: float) -> int:
    """The AI's 0-10 score on the scorecards' levels 1-5 (half up: 7.0 → 4, 6.9 → 3)."""
    return min(LEVELS, max(1, int(float(score) / 2 + 0.5)))


def qwk(first: Sequence[int] | np.ndarray, second: Sequence[int] | np.ndarray) -> float | None:
    """Quadratic weighted kappa of two ratings on levels 1-5; None when undefined (no
    pairs, or both raters always gave one same level)."""
    a = np.asarray(first, dtype=int) - 1
    b = np.asarray(second, dtype=int) - 1
    if a.size == 0:
        return None
    observed = np.bincount(a * LEVELS + b, minlength=LEVELS * LEVELS).reshape(LEVELS, LEVELS)
    expected = np.outer(np.bincount(a, minlength=LEVELS), np.bincount(b, minlength=LEVELS)) / float(
        a.size
    )
    grid = np.arange(LEVELS)
    weights = (grid[:, None] - grid[None, :]) ** 2 / (LEVELS - 1) ** 2
    disagreement = float((weights * expected).sum())
    if disagreement == 0:
        return None
    return 1 - float((weights * observed).sum()) / disagreement


def bootstrap(
    n: int,
    statistic: Callable[[np.ndarray], float | None],
    resamples: int = RESAMPLES,
    groups: Sequence[object] | None = None,
) -> tuple[float | None, float | None]:
    """The 2.5th and 97.5th percentiles of ``statistic`` over resampled row indexes.

    With ``groups`` (a cluster per row, e.g. the application), whole clusters are resampled:
    rows of one cluster are not independent, and resampling them one by one would narrow the
    interval.
    """
    if n < 2:
        return None, None
    rng = np.random.default_rng(SEED)
    if groups is None:
        found = [statistic(rng.integers(0, n, n)) for _ in range(resamples)]
    else:
        resample = _cluster_resampler(groups)
        if resample is None:
            return None, None
        found = [statistic(resample(rng)) for _ in range(resamples)]
    values = [v for v in found if v is not None]
    if len(values) < resamples / 2:
        return None, None
    low, high = np.percentile(values, [2.5, 97.5])
    return round(float(low), 3), round(float(high), 3)


def _cluster_resampler(
    groups: Sequence[object],
) -> Callable[[np.random.Generator], np.ndarray] | None:
    """Row indexes of whole clusters drawn with replacement, in the order drawn and each
    cluster's rows in their order (None under two clusters). Built once, then each resample
    is a few array operations instead of joining one array per cluster."""
    position: dict[object, int] = {}
    cluster = np.fromiter(
        (position.setdefault(g, len(position)) for g in groups), dtype=np.int64, count=len(groups)
    )
    count = len(position)
    if count < 2:
        return None
    rows = np.argsort(cluster, kind="stable")  # rows grouped by cluster, in row order
    sizes = np.bincount(cluster, minlength=count)
    starts = np.cumsum(sizes) - sizes

    def resample(rng: np.random.Generator) -> np.ndarray:
        picked = rng.integers(0, count, count)
        lengths = sizes[picked]
        offsets = np.repeat(starts[picked] - (np.cumsum(lengths) - lengths), lengths)
        return rows[np.arange(int(lengths.sum())) + offsets]

    return resample


def _rounded(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class _Data:
    # competency -> [(month, ai level 1-5, ai level as a float, interviewer level, application)]
    pairs: dict[str, list[tuple[str, int, float, int, int]]]
    decisions: list[tuple[bool, bool]]  # (AI recommended, hired), decided applications
    adjustments: list[tuple[str, str, float, float]]  # (month, competency, ai, hr)


def _gather(session: Session, principal: Principal, filters: Filters) -> _Data:
    openings = openings_in_scope(session, principal, filters, CAPABILITY)
    applications = {
        (candidate_id, opening_id): (app_id, stage)
        for app_id, candidate_id, opening_id, stage in session.execute(
            select(
                Application.id, Application.candidate_id, Application.opening_id, Application.stage
            )
            .where(Application.opening_id.in_(openings))
            .where(*within(Application.created_at, filters))
        )
    }
    bars = dict(
        session.execute(
            select(Opening.id, Opening.pass_threshold).where(Opening.id.in_(openings))
        ).all()
    )
    reports: dict[int, tuple[int, dict, float | None, datetime, str, int]] = {}
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
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
        .order_by(InterviewReport.id)  # the newest report of an application wins
    ):
        found = applications.get((candidate_id, opening_id))
        if found is not None:
            reports[found[0]] = (interview_id, scores or {}, match, created, found[1], opening_id)
    data = _Data(defaultdict(list), [], [])
    for _i, _s, match, _c, stage, opening_id in reports.values():
        if stage in DECIDED and match is not None:
            data.decisions.append((float(match) >= float(bars[opening_id]) * 10, stage == "hired"))
    cards = session.execute(
        select(Scorecard.application_id, Scorecard.ratings).where(
            Scorecard.opening_id.in_(openings), Scorecard.superseded_at.is_(None)
        )
    )
    for app_id, ratings in cards:
        if app_id not in reports:
            continue
        _interview, scores, _match, created, _stage, _opening = reports[app_id]
        for competency, level in (ratings or {}).items():
            ai = scores.get(competency)
            if _number(ai) and isinstance(level, int) and 1 <= level <= LEVELS:
                score = float(ai)
                month = created.strftime("%Y-%m")
                data.pairs[competency].append((month, ai_level(score), score / 2, level, app_id))
    interviews = {r[0] for r in reports.values()}
    for interview_id, competency, ai, hr, created in session.execute(
        select(
            ScoreAdjustment.interview_id,
            ScoreAdjustment.dimension_id,
            ScoreAdjustment.ai_score,
            ScoreAdjustment.hr_score,
            ScoreAdjustment.created_at,
        )
        .join(InterviewSession, InterviewSession.id == ScoreAdjustment.interview_id)
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
    ):
        if interview_id in interviews:
            data.adjustments.append((created.strftime("%Y-%m"), competency, float(ai), float(hr)))
    return data


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _agreement(competency: str, pairs: list[tuple[str, int, float, int, int]]) -> Agreement:
    ai = np.array([p[1] for p in pairs])
    ai_exact = np.array([p[2] for p in pairs])
    human = np.array([p[3] for p in pairs])
    applications = [p[4] for p in pairs]
    kappa = qwk(ai, human)
    difference = float((ai_exact - human).mean())
    k_low, k_high = bootstrap(len(pairs), lambda i: qwk(ai[i], human[i]), groups=applications)
    d_low, d_high = bootstrap(
        len(pairs), lambda i: float((ai_exact[i] - human[i]).mean()), groups=applications
    )
    flagged = kappa is not None and len(pairs) >= MIN_PAIRS and kappa < LOW_QWK
    return Agreement(
        competency,
        len(pairs),
        Estimate(_rounded(kappa), k_low, k_high),
        Estimate(round(difference, 3), d_low, d_high),
        flagged,
    )


def _recommendation(decisions: list[tuple[bool, bool]]) -> Recommendation:
    count = {
        (r, h): sum(1 for d in decisions if d == (r, h))
        for r in (True, False)
        for h in (True, False)
    }
    agree = np.array([r == h for r, h in decisions], dtype=float)
    share = float(agree.mean()) if decisions else None
    low, high = bootstrap(len(decisions), lambda i: float(agree[i].mean()))
    return Recommendation(
        count[(True, True)],
        count[(True, False)],
        count[(False, True)],
        count[(False, False)],
        Estimate(_rounded(share), low, high),
    )


def _drift(data: _Data) -> list[Month]:
    by_month: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
    for pairs in data.pairs.values():
        for month, level, exact, human, _application in pairs:
            by_month[month].append((level, exact, human))
    overrides: dict[str, int] = defaultdict(int)
    for month, *_rest in data.adjustments:
        overrides[month] += 1
    months = []
    for month in sorted(set(by_month) | set(overrides)):
        rows = by_month.get(month, [])
        difference = sum(r[1] - r[2] for r in rows) / len(rows) if rows else None
        kappa = qwk([r[0] for r in rows], [r[2] for r in rows])
        months.append(
            Month(month, len(rows), _rounded(kappa), _rounded(difference), overrides[month])
        )
    return months


def review(session: Session, principal: Principal, filters: Filters) -> Review:
    """The review over the applications in the caller's scope received in the period."""
    data = _gather(session, principal, filters.checked())
    changes: dict[str, list[float]] = defaultdict(list)
    for _month, competency, ai, hr in data.adjustments:
        changes[competency].append(hr - ai)
    return Review(
        [_agreement(c, data.pairs[c]) for c in sorted(data.pairs)],
        _recommendation(data.decisions),
        [
            Overrides(
                c,
                sum(1 for d in changes[c] if d > 0),
                sum(1 for d in changes[c] if d < 0),
                round(sum(changes[c]) / len(changes[c]), 2),
            )
            for c in sorted(changes)
        ],
        _drift(data),
    )
