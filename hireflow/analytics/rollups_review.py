"""Rollups behind the AI accuracy review and predictive validity, so a company-wide review
reads a few hundred thousand pre-summed rows instead of every application, report and
scorecard (:class:`~hireflow.analytics.models.ReviewRollup`, one table, ``kind`` per sum):

- ``k``: per competency, AI level and the application's interviewer levels: applications,
  the sum of their score units and of their levels (``review_counts.Counts``);
- ``t``: per report month, AI level (``a``) and interviewer level (``b``): pairs and their
  sums (the drift);
- ``d``: per competency, pairs and summed difference at a tenth: applications;
- ``r``: per AI recommendation (``a``) and hired (``b``): decided applications;
- ``o``: per competency, override month and sign: HR's overrides and their summed change;
- ``v``: per dimension (``""``: every report), the newest hiring reports' scores in effect:
  how many, their sum and sum of squares in units (validity's restriction of range), with
  ``c`` the day of the same person's next report for the opening ("" when none: the reader
  counts a report for a period ending before that day).

``k d r o`` sit on the day the application was received, ``v`` on the day the report was
written; each per day (``grain`` "d"), month ("m") and year ("y"): a period reads its whole
years from year rows, then like the pipeline rollups (whole months, ragged ends by day).

Applications' facts change in place (a stage, a newer report, an amended scorecard, an HR
override, the opening's bar), so the worker does not add deltas: :func:`refresh` finds the
(opening, day) buckets touched since its last cut (new applications, stage moves, reports,
scorecards and overrides by id; bars by comparing the opening's with the one counted),
recomputes those day rows from the source and the months holding them from their day rows.
Recomputing is idempotent, so overlapping or repeated runs are harmless.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from hireflow.analytics import accuracy, rollup_state
from hireflow.analytics import validity_assessed as assessed
from hireflow.analytics.models import ReviewBar, ReviewRollup, ReviewState
from hireflow.analytics.queries import Filters
from hireflow.analytics.review_counts import Counts
from hireflow.analytics.rollup_state import chunks
from hireflow.candidates.models import Application
from hireflow.core.db import Database
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.openings.models import Opening
from hireflow.workflow.models import Scorecard, StageMove

NAME = "review"
ROLLUP = rollup_state.Rollup(ReviewState, NAME, (ReviewRollup, ReviewBar))
ACCURACY_KINDS = ("k", "t", "d", "r", "o")
VALIDITY_KINDS = ("v",)
_CUT_TABLES = (
    "applications, workflow_stage_moves, interview_reports, workflow_scorecards, "
    "interview_score_adjustments"
)


@dataclass(frozen=True)
class Cut:
    application_id: int = 0
    move_id: int = 0
    report_id: int = 0
    scorecard_id: int = 0
    adjustment_id: int = 0


_MODELS = (Application, StageMove, InterviewReport, Scorecard, ScoreAdjustment)


def current_cut(session: Session) -> Cut:
    """The newest consistent cut (:func:`rollup_state.max_ids`: no lower id can still belong
    to an open transaction)."""
    return rollup_state.max_ids(session, Cut, _MODELS, _CUT_TABLES)


def built(session: Session) -> bool:
    return session.get(ReviewState, NAME) is not None


# ---- rows of one bucket ------------------------------------------------------------------


def _accuracy_rows(counts: Counts) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for (c, level, humans), (n, s, h) in counts.cells.items():
        rows.append(_row("k", c, "", level, 0, humans, n, s, h))
    for (month, level, human), (n, s, h) in counts.drift.items():
        rows.append(_row("t", "", month, level, human, "", n, s, h))
    for (c, pairs, summed), n in counts.spreads.items():
        rows.append(_row("d", c, "", pairs, summed, "", n))
    for (recommended, hired), n in counts.decisions.items():
        rows.append(_row("r", "", "", recommended, hired, "", n))
    for (c, month, sign), (n, s) in counts.overrides.items():
        rows.append(_row("o", c, month, sign, 0, "", n, s))
    return rows


def _row(
    kind: str, competency: str, month: str, a: int, b: int, c: str, n: int, s: int = 0, h: int = 0
) -> dict[str, Any]:
    return {
        "kind": kind,
        "competency": competency,
        "month": month,
        "a": a,
        "b": b,
        "c": c,
        "n": n,
        "s": s,
        "h": h,
    }


def counts_of(rows: Iterable[Any]) -> Counts:
    """The accuracy counts of summed rows (kind, competency, month, a, b, c, n, s, h)."""
    counts = Counts()
    for kind, competency, month, a, b, c, n, s, h in rows:
        if kind == "k":
            cell = counts.cells[(competency, int(a), c)]
            cell[0], cell[1], cell[2] = cell[0] + int(n), cell[1] + int(s), cell[2] + int(h)
        elif kind == "t":
            pair = counts.drift[(month, int(a), int(b))]
            pair[0], pair[1], pair[2] = pair[0] + int(n), pair[1] + int(s), pair[2] + int(h)
        elif kind == "d":
            counts.spreads[(competency, int(a), int(b))] += int(n)
        elif kind == "r":
            counts.decisions[(int(a), int(b))] += int(n)
        elif kind == "o":
            row = counts.overrides[(competency, month, int(a))]
            row[0], row[1] = row[0] + int(n), row[1] + int(s)
    return counts


# ---- recomputing buckets -----------------------------------------------------------------

Buckets = dict[int, set[date] | None]  # opening -> days (None: every day)


def _accuracy_days(session: Session, opening_id: int, days: set[date] | None) -> dict[date, Counts]:
    """The accuracy counts of the opening's applications received on ``days`` (None: all)."""
    stmt = select(*accuracy.APP_COLUMNS).where(Application.opening_id == opening_id)
    if days is not None:
        stmt = stmt.where(
            Application.created_at >= datetime.combine(min(days), time.min, UTC),
            Application.created_at < datetime.combine(max(days) + timedelta(days=1), time.min, UTC),
        )
    apps: list[accuracy.AppRow] = [
        (r[0], r[1], r[2], r[3], r[4], r[5])
        for r in session.execute(stmt)
        if days is None or r[5].date() in days
    ]
    found: dict[date, Counts] = defaultdict(Counts)
    accuracy.count_applications(
        session,
        apps,
        accuracy.bars_of(session, [opening_id]),
        lambda a: found[a[5].date()],  # type: ignore[arg-type]
    )
    return found


def _replace(
    session: Session,
    tenant_id: int,
    opening_id: int,
    kinds: tuple[str, ...],
    days: set[date] | None,
    found: dict[date, list[dict[str, Any]]],
) -> None:
    """Put ``found`` (rows per day) in place of the opening's day rows of ``kinds`` on ``days``
    (None: all), then recompute the month rows of the months touched."""
    base = [ReviewRollup.opening_id == opening_id, ReviewRollup.kind.in_(kinds)]
    if days is None:
        session.execute(delete(ReviewRollup).where(*base))
        months = {d.replace(day=1) for d in found}
    else:
        for chunk in chunks(sorted(days)):
            session.execute(
                delete(ReviewRollup).where(
                    *base, ReviewRollup.grain == "d", ReviewRollup.day.in_(chunk)
                )
            )
        months = {d.replace(day=1) for d in days}
    place = {"tenant_id": tenant_id, "opening_id": opening_id}
    rows = [
        {**place, "grain": "d", "day": day, **row}
        for day, day_rows in found.items()
        for row in day_rows
    ]
    if rows:
        session.execute(ReviewRollup.__table__.insert(), rows)  # type: ignore[attr-defined]
    for month in sorted(months):
        _sum_up(session, place, kinds, "m", month)
    for year in sorted({m.replace(month=1) for m in months}):
        _sum_up(session, place, kinds, "y", year)


_SUMMED = ["kind", "competency", "month", "a", "b", "c"]


_GRAINS = {"m": ("d", rollup_state.next_month), "y": ("m", rollup_state.next_year)}


def _sum_up(
    session: Session, place: dict[str, Any], kinds: tuple[str, ...], grain: str, day: date
) -> None:
    """The rows of one month (``grain`` "m") from its day rows, or of one year ("y") from its
    month rows."""
    after = _GRAINS[grain][1]
    source = rollup_state.FINER[grain]
    where = [ReviewRollup.opening_id == place["opening_id"], ReviewRollup.kind.in_(kinds)]
    session.execute(
        delete(ReviewRollup).where(*where, ReviewRollup.grain == grain, ReviewRollup.day == day)
    )
    keys = [getattr(ReviewRollup, k) for k in _SUMMED]
    summed = session.execute(
        select(*keys, func.sum(ReviewRollup.n), func.sum(ReviewRollup.s), func.sum(ReviewRollup.h))
        .where(
            *where,
            ReviewRollup.grain == source,
            ReviewRollup.day >= day,
            ReviewRollup.day < after(day),
        )
        .group_by(*keys)
    ).all()
    rows = [
        {
            **place,
            "grain": grain,
            "day": day,
            **dict(zip(_SUMMED, r[:6], strict=True)),
            "n": int(r[6]),
            "s": int(r[7]),
            "h": int(r[8]),
        }
        for r in summed
    ]
    if rows:
        session.execute(ReviewRollup.__table__.insert(), rows)  # type: ignore[attr-defined]


def recompute(
    session: Session,
    accuracy_buckets: Mapping[int, set[date] | None],
    validity_buckets: Mapping[int, set[date] | None],
) -> None:
    """Recompute the given buckets (a set of days None: the whole opening) from the source."""
    tenants = dict(session.execute(select(Opening.id, Opening.tenant_id)).all())
    for opening_id, days in accuracy_buckets.items():
        found = _accuracy_days(session, opening_id, days)
        rows = {day: _accuracy_rows(c) for day, c in found.items()}
        _replace(session, tenants[opening_id], opening_id, ACCURACY_KINDS, days, rows)
        _keep_bar(session, opening_id)
    for opening_id, days in validity_buckets.items():
        rows = assessed.day_rows(session, opening_id, days)
        _replace(session, tenants[opening_id], opening_id, VALIDITY_KINDS, days, rows)


def _keep_bar(session: Session, opening_id: int) -> None:
    bar = session.scalar(select(Opening.pass_threshold).where(Opening.id == opening_id))
    row = session.get(ReviewBar, opening_id)
    if row is None:
        session.add(ReviewBar(opening_id=opening_id, bar=float(bar or 0)))
    else:
        row.bar = float(bar or 0)
    session.flush()


# ---- what changed ------------------------------------------------------------------------


def _touched(
    session: Session, since: Cut, until: Cut
) -> tuple[dict[int, set[date]], dict[int, set[date]]]:
    """The accuracy and validity buckets whose sources changed between the two cuts."""
    apps: set[int] = set()
    apps.update(
        session.scalars(
            select(Application.id).where(
                Application.id > since.application_id, Application.id <= until.application_id
            )
        )
    )
    for model, column, lo, hi in (
        (StageMove, StageMove.application_id, since.move_id, until.move_id),
        (Scorecard, Scorecard.application_id, since.scorecard_id, until.scorecard_id),
    ):
        apps.update(session.scalars(select(column).where(model.id > lo, model.id <= hi)))
    interviews = set(
        session.scalars(
            select(InterviewReport.interview_id).where(
                InterviewReport.id > since.report_id, InterviewReport.id <= until.report_id
            )
        )
    )
    interviews.update(
        session.scalars(
            select(ScoreAdjustment.interview_id).where(
                ScoreAdjustment.id > since.adjustment_id, ScoreAdjustment.id <= until.adjustment_id
            )
        )
    )
    groups = _groups(session, interviews)
    for pairs in chunks(sorted(groups)):
        apps.update(
            a
            for a, c, o in session.execute(
                select(Application.id, Application.candidate_id, Application.opening_id).where(
                    Application.candidate_id.in_({g[0] for g in pairs})
                )
            )
            if (c, o) in groups
        )
    found: defaultdict[int, set[date]] = defaultdict(set)
    for chunk in chunks(sorted(apps)):
        for opening_id, created in session.execute(
            select(Application.opening_id, Application.created_at).where(Application.id.in_(chunk))
        ):
            found[opening_id].add(created.date())
    return found, assessed.group_days(session, groups)


def _groups(session: Session, interviews: set[int]) -> set[tuple[int, int]]:
    """(candidate, opening) of the interviews."""
    groups: set[tuple[int, int]] = set()
    for chunk in chunks(sorted(interviews)):
        groups.update(
            (c, o)
            for c, o in session.execute(
                select(InterviewSession.candidate_id, InterviewSession.opening_id).where(
                    InterviewSession.id.in_(chunk)
                )
            )
        )
    return groups


def _bars_changed(session: Session) -> set[int]:
    """Openings whose bar differs from the one their recommendations were counted with."""
    counted = dict(session.execute(select(ReviewBar.opening_id, ReviewBar.bar)).all())
    return {
        opening_id
        for opening_id, bar in session.execute(select(Opening.id, Opening.pass_threshold))
        if opening_id in counted and float(bar or 0) != counted[opening_id]
    }


# ---- the worker --------------------------------------------------------------------------


def refresh(database: Database) -> dict[str, int]:
    """Bring the review rollups up to now (the worker's task; safe to run twice or at once)."""
    idle = {"openings": 0, "days": 0}
    return rollup_state.refresh(
        database, ROLLUP, current_cut, _rebuild_in, _apply, idle, _bars_changed
    )


def _apply(session: Session, since: Cut, until: Cut, changed: set[int]) -> dict[str, int]:
    touched, validity_buckets = _touched(session, since, until)
    buckets: Buckets = {**touched, **dict.fromkeys(changed)}  # a new bar: every day
    recompute(session, buckets, validity_buckets)
    days = sum(len(d or ()) for d in buckets.values())
    return {"openings": len(buckets), "days": days}


def rebuild(database: Database) -> dict[str, int]:
    """Recompute the review rollups from the source tables."""
    return rollup_state.rebuild_to_cut(database, ROLLUP, current_cut, _rebuild_in)


def _rebuild_in(session: Session, until: Cut) -> dict[str, int]:
    rollup_state.start_rebuild(session, ROLLUP, **asdict(until))
    openings = list(session.scalars(select(Opening.id).order_by(Opening.id)))
    whole: Buckets = dict.fromkeys(openings)
    recompute(session, whole, whole)
    rollup_state.finish_rebuild(session, ROLLUP)
    return {"openings": len(openings), "days": 0}


# ---- readers -----------------------------------------------------------------------------


def summed_rows(
    session: Session, openings: Select[Any], filters: Filters, kinds: tuple[str, ...]
) -> list[Any] | None:
    """The summed rows of ``kinds`` of the openings in the period (None before the first
    build), one index range per part of the period (UNION ALL), added up by their keys."""
    if not built(session):
        return None
    model = ReviewRollup
    parts = rollup_state.period_parts(model, filters.start, filters.end, "y")
    where = [model.opening_id.in_(openings), model.kind.in_(kinds)]
    with rollup_state.planned_as_ranges(session):
        return rollup_state.summed(session, model, parts, where, _SUMMED, ["n", "s", "h"])


def review_counts(session: Session, openings: Select[Any], filters: Filters) -> Counts | None:
    """The accuracy counts of the applications of ``openings`` received in the period."""
    rows = summed_rows(session, openings, filters, ACCURACY_KINDS)
    return None if rows is None else counts_of(rows)
