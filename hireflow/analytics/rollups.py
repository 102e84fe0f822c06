"""Rollup tables behind the pipeline dashboards, so a company-wide funnel or time-in-stage
reads a few hundred thousand pre-summed rows instead of millions of stage events.

What is summed: per opening and day an application was received, the applications per set of
stages they were ever moved to (:class:`FunnelRollup`) and the moves out of each stage with the
seconds spent in it (:class:`StageTimeRollup`). Both are functions of the source rows up to a
*cut* (the highest application and stage-move ids they include, :class:`RollupState`).

Stage moves are only ever appended and applications are never deleted (erasure blanks texts,
keeps the facts), so going from one cut to a later one needs only the applications created
and the moves appended in between: :func:`delta`. The worker applies it to the tables
(:func:`refresh`, idempotent: the state row is advanced with a conditional UPDATE in the same
transaction, so a second run of the same work changes nothing); a reader adds the delta since
the last cut to what the tables say (:func:`funnel_sets`, :func:`stage_time_sums`), so answers
are exactly those of the direct queries however far the worker is behind.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import Select, func, literal_column, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollup_state
from hireflow.analytics.models import (
    FunnelRollup,
    PassRollup,
    RollupState,
    ScoreRollup,
    StageTimeRollup,
)
from hireflow.analytics.rollup_state import chunks, in_period
from hireflow.candidates.models import Application
from hireflow.core.db import Database
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.interviews.queries import for_hiring
from hireflow.workflow.models import StageMove

NAME = "pipeline"
ROLLUP = rollup_state.Rollup(
    RollupState, NAME, (FunnelRollup, StageTimeRollup, PassRollup, ScoreRollup)
)


@dataclass(frozen=True)
class Cut:
    """Every application with ``id <= application_id`` and every move with ``id <= move_id``."""

    application_id: int = 0
    move_id: int = 0
    report_id: int = 0  # the score rollups: every report with ``id <= report_id``

    def covers(self, other: Cut) -> bool:
        return (
            self.application_id >= other.application_id
            and self.move_id >= other.move_id
            and self.report_id >= other.report_id
        )


Key = tuple[int, int, date]  # tenant, opening, day received


@dataclass
class Delta:
    """Changes to the rollups between two cuts."""

    funnel: Counter[tuple[int, int, date, str]] = field(default_factory=Counter)
    moves: Counter[tuple[int, int, date, str]] = field(default_factory=Counter)
    seconds: Counter[tuple[int, int, date, str]] = field(default_factory=Counter)
    # moves per "from_key to_key" (keys have no spaces): the pass rates
    passes: Counter[tuple[int, int, date, str]] = field(default_factory=Counter)


def reached_key(keys: Iterable[str]) -> str:
    """The stored form of a set of stage keys (keys match ``[a-z][a-z0-9_]*``: no spaces)."""
    return " ".join(sorted(set(keys)))


def built_cut(session: Session) -> Cut | None:
    """Where the rollups stand, or None before their first build."""
    row = session.get(RollupState, NAME)
    return None if row is None else rollup_state.cut_of(row, Cut)


def current_cut(session: Session) -> Cut:
    """The newest consistent cut. On PostgreSQL ids are handed out before commit, so a
    transaction holding a lower id may still be open: a SHARE lock waits for every open
    writer of the two tables (and holds new ones for the instant of two ``max`` reads), after
    which every id up to the maximum is committed. SQLite has one writer at a time. Call in a
    transaction of its own and commit right after, to release the lock."""
    return rollup_state.max_ids(
        session,
        Cut,
        (Application, StageMove, InterviewReport),
        "applications, workflow_stage_moves, interview_reports",
    )


def _add(
    found: Delta,
    since: Cut,
    applications: Iterable[Any],
    moves: Iterable[Any],
) -> None:
    """Fold one batch of applications (id, tenant, opening, created_at) and all their moves up
    to the later cut (application id, move id, from, to, seconds) into ``found``."""
    by_app: dict[int, list[Any]] = {}
    for move in moves:
        by_app.setdefault(move[0], []).append(move)
    funnel, moves_out, seconds, passes = found.funnel, found.moves, found.seconds, found.passes
    for app_id, tenant_id, opening_id, created_at in applications:
        day = created_at.date()
        mine = by_app.get(app_id, ())
        after = [m for m in mine if m[1] > since.move_id]
        if app_id <= since.application_id:
            if not after:
                continue
            before = reached_key(m[3] for m in mine if m[1] <= since.move_id)
            funnel[(tenant_id, opening_id, day, before)] -= 1
        funnel[(tenant_id, opening_id, day, reached_key(m[3] for m in mine))] += 1
        for move in after:
            key = (tenant_id, opening_id, day, move[2])
            moves_out[key] += 1
            seconds[key] += move[4]
            passes[(tenant_id, opening_id, day, f"{move[2]} {move[3]}")] += 1


_APP = (Application.id, Application.tenant_id, Application.opening_id, Application.created_at)
_MOVE = (
    StageMove.application_id,
    StageMove.id,
    StageMove.from_key,
    StageMove.to_key,
    StageMove.seconds_in_stage,
)


def delta(
    session: Session, since: Cut, until: Cut | None = None, openings: Select[Any] | None = None
) -> Delta:
    """What changes between ``since`` and ``until`` (None: everything visible now), for the
    applications of ``openings`` (None: all)."""
    found = Delta()
    new = select(Application.id).where(Application.id > since.application_id)
    moved = select(StageMove.application_id).where(StageMove.id > since.move_id)
    move_bound = [] if until is None else [StageMove.id <= until.move_id]
    if until is not None:
        new = new.where(Application.id <= until.application_id)
        moved = moved.where(*move_bound)
    if openings is not None:
        new = new.where(Application.opening_id.in_(openings))
        moved = moved.where(StageMove.opening_id.in_(openings))
    ids = sorted(set(session.scalars(new)) | set(session.scalars(moved)))
    for chunk in chunks(ids):
        applications = session.execute(select(*_APP).where(Application.id.in_(chunk)))
        moves = session.execute(
            select(*_MOVE).where(StageMove.application_id.in_(chunk), *move_bound)
        )
        _add(found, since, list(applications), moves)
    return found


def _day(session: Session) -> Any:
    """The UTC day of ``Application.created_at`` in SQL (SQLite keeps UTC text)."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", Application.created_at))
    return func.substr(Application.created_at, 1, 10)


def _build(session: Session, until: Cut) -> None:
    """The rollups from nothing up to ``until``, aggregated by the database (a Python pass
    over millions of moves would take minutes), per day; the funnel's sets come back as the
    database lists them (SQLite cannot order inside ``group_concat``) and are put in the
    stored form here, and :func:`_write` adds the month rows."""
    day = _day(session)
    moves = [StageMove.id <= until.move_id]
    apps = [Application.id <= until.application_id]
    times = (
        select(
            Application.tenant_id,
            Application.opening_id,
            day,
            StageMove.from_key,
            StageMove.to_key,
            func.count(),
            func.sum(StageMove.seconds_in_stage),
        )
        .join(Application, Application.id == StageMove.application_id)
        .where(*moves, *apps)
        .group_by(
            Application.tenant_id,
            Application.opening_id,
            day,
            StageMove.from_key,
            StageMove.to_key,
        )
    )
    found = Delta()
    for tenant_id, opening_id, received, key, to_key, n, seconds in session.execute(times):
        place = (tenant_id, opening_id, _as_date(received), key)
        found.moves[place] += n
        found.seconds[place] += int(seconds)
        found.passes[(*place[:3], f"{key} {to_key}")] += n
    if session.get_bind().dialect.name == "postgresql":
        listed = func.string_agg(StageMove.to_key.distinct(), literal_column("','"))
    else:
        listed = func.group_concat(StageMove.to_key.distinct())
    sets = (
        select(StageMove.application_id, listed.label("s"))
        .where(*moves)
        .group_by(StageMove.application_id)
        .subquery()
    )
    rows = session.execute(
        select(Application.tenant_id, Application.opening_id, day, sets.c.s, func.count())
        .outerjoin(sets, sets.c.application_id == Application.id)
        .where(*apps)
        .group_by(Application.tenant_id, Application.opening_id, day, sets.c.s)
    )
    for tenant_id, opening_id, received, keys, n in rows:
        place = (tenant_id, opening_id, _as_date(received), reached_key((keys or "").split(",")))
        found.funnel[place] += n
    _write(session, found, fresh=True)


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _upsert(
    session: Session,
    model: type,
    rows: list[dict[str, Any]],
    conflict: list[str],
    sums: list[str],
    fresh: bool,
) -> None:
    """``fresh``: the table is empty, plain inserts."""
    rollup_state.upsert(session, model, rows, [] if fresh else conflict, sums)


_PLACE = ["opening_id", "grain", "day"]


def _grains(found: Counter[tuple[int, int, date, str]]) -> Counter[tuple[int, int, str, date, str]]:
    """Each change once per day and once per month (keyed by the month's 1st)."""
    out: Counter[tuple[int, int, str, date, str]] = Counter()
    for (tenant_id, opening_id, day, what), n in found.items():
        out[(tenant_id, opening_id, "d", day, what)] += n
        out[(tenant_id, opening_id, "m", day.replace(day=1), what)] += n
    return out


def _write(session: Session, found: Delta, fresh: bool = False) -> None:
    funnel = [
        {"tenant_id": t, "opening_id": o, "grain": g, "day": d, "reached": r, "applications": n}
        for (t, o, g, d, r), n in _grains(found.funnel).items()
        if n
    ]
    seconds = _grains(found.seconds)
    times = [
        {
            "tenant_id": t,
            "opening_id": o,
            "grain": g,
            "day": d,
            "from_key": k,
            "moves": n,
            "seconds": seconds[(t, o, g, d, k)],
        }
        for (t, o, g, d, k), n in _grains(found.moves).items()
    ]
    passes = [
        {
            "tenant_id": t,
            "opening_id": o,
            "grain": g,
            "day": d,
            "from_key": k.split(" ")[0],
            "to_key": k.split(" ")[1],
            "moves": n,
        }
        for (t, o, g, d, k), n in _grains(found.passes).items()
        if n
    ]
    _upsert(session, FunnelRollup, funnel, [*_PLACE, "reached"], ["applications"], fresh)
    _upsert(session, PassRollup, passes, [*_PLACE, "from_key", "to_key"], ["moves"], fresh)
    _upsert(session, StageTimeRollup, times, [*_PLACE, "from_key"], ["moves", "seconds"], fresh)


def refresh(database: Database) -> dict[str, int]:
    """Bring the rollups up to now (the Celery task's work; safe to run twice or at once):
    from the last cut if there is one, else from nothing."""
    idle = {"applications": 0, "moves": 0, "reports": 0}
    return rollup_state.refresh(
        database, ROLLUP, current_cut, _rebuild_in, _apply, idle, done=Cut.covers
    )


def _apply(session: Session, since: Cut, until: Cut, _stale: set[int]) -> dict[str, int]:
    _write(session, delta(session, since, until))
    _write_scores(session, score_delta(session, since.report_id, until.report_id))
    return {
        "applications": until.application_id - since.application_id,
        "moves": until.move_id - since.move_id,
        "reports": until.report_id - since.report_id,
    }


def rebuild(database: Database) -> dict[str, int]:
    """Recompute the rollups from the source tables (``hireflow analytics-rollups --rebuild``)."""
    return rollup_state.rebuild_to_cut(database, ROLLUP, current_cut, _rebuild_in)


def _rebuild_in(session: Session, until: Cut) -> dict[str, int]:
    rollup_state.start_rebuild(session, ROLLUP, **asdict(until))
    _build(session, until)
    _write_scores(session, score_delta(session, 0, until.report_id), fresh=True)
    rollup_state.finish_rebuild(session, ROLLUP)
    return {
        "applications": until.application_id,
        "moves": until.move_id,
        "reports": until.report_id,
    }


def _summed(
    session: Session,
    model: Any,
    openings: Select[Any],
    period: tuple[date | None, date | None],
    keys: list[str],
    sums: list[str],
) -> list[Any]:
    """``keys`` and the sums of ``sums`` of the rollup rows of ``openings`` in the period."""
    parts = rollup_state.period_parts(model, *period)
    where = [model.opening_id.in_(openings)]
    return rollup_state.summed(session, model, parts, where, keys, sums)


def funnel_sets(
    session: Session, openings: Select[Any], start: date | None, end: date | None
) -> Counter[str] | None:
    """Applications of ``openings`` received in the period, per set of stages reached (see
    :func:`reached_key`); None before the first build."""
    cut = built_cut(session)
    if cut is None:
        return None
    found: Counter[str] = Counter()
    rows = _summed(session, FunnelRollup, openings, (start, end), ["reached"], ["applications"])
    for reached, n in rows:
        found[reached] += int(n)
    for (_t, _o, day, reached), n in delta(session, cut, None, openings).funnel.items():
        if in_period(day, start, end):
            found[reached] += n
    return +found  # drops sets no application has any more


def stage_time_sums(
    session: Session, openings: Select[Any], start: date | None, end: date | None
) -> dict[str, tuple[int, int]] | None:
    """Moves out of each stage and their seconds, for the applications of ``openings``
    received in the period; None before the first build."""
    cut = built_cut(session)
    if cut is None:
        return None
    moves: Counter[str] = Counter()
    seconds: Counter[str] = Counter()
    rows = _summed(
        session, StageTimeRollup, openings, (start, end), ["from_key"], ["moves", "seconds"]
    )
    for key, n, total in rows:
        moves[key] += int(n)
        seconds[key] += int(total)
    tail = delta(session, cut, None, openings)
    for (_t, _o, day, key), n in tail.moves.items():
        if in_period(day, start, end):
            moves[key] += n
            seconds[key] += tail.seconds[(_t, _o, day, key)]
    return {key: (n, seconds[key]) for key, n in moves.items() if n}


def pass_sums(
    session: Session, openings: Select[Any], start: date | None, end: date | None
) -> Counter[tuple[str, str]] | None:
    """Moves per (from stage, to stage) of the applications of ``openings`` received in the
    period; None before the first build."""
    cut = built_cut(session)
    if cut is None:
        return None
    found: Counter[tuple[str, str]] = Counter()
    rows = _summed(session, PassRollup, openings, (start, end), ["from_key", "to_key"], ["moves"])
    for from_key, to_key, n in rows:
        found[(from_key, to_key)] += int(n)
    for (_t, _o, day, keys), n in delta(session, cut, None, openings).passes.items():
        if in_period(day, start, end):
            from_key, to_key = keys.split(" ")
            found[(from_key, to_key)] += n
    return +found


# --------------------------------------------------------------------------- scores

SCORE_BINS = 10  # one point each on the report's 0-10 scale
ScoreKey = tuple[int, int, date, str, int]  # tenant, opening, day written, competency, bin


@dataclass
class ScoreSums:
    """Scores per (tenant, opening, day, competency, bin): how many and their sum."""

    n: Counter[ScoreKey] = field(default_factory=Counter)
    total: dict[ScoreKey, float] = field(default_factory=dict)

    def add(self, place: tuple[int, int, date], scores: dict[str, Any] | None, sign: int) -> None:
        for competency, value in (scores or {}).items():
            if not isinstance(value, int | float) or isinstance(value, bool):
                continue
            score = min(10.0, max(0.0, float(value)))
            key = (*place, competency, min(SCORE_BINS - 1, int(score)))
            self.n[key] += sign
            self.total[key] = self.total.get(key, 0.0) + sign * score

    def by_bin(self) -> dict[tuple[str, int], tuple[int, float]]:
        """(competency, bin) -> (scores, sum), over every place (an override within one bin
        changes the sum and not the count: kept)."""
        n: Counter[tuple[str, int]] = Counter()
        total: dict[tuple[str, int], float] = defaultdict(float)
        for key, count in self.n.items():
            n[(key[3], key[4])] += count
            total[(key[3], key[4])] += self.total[key]
        return {key: (n[key], total[key]) for key in n if n[key] or total[key]}


def effective_scores(scores: dict[str, Any] | None, final: dict[str, Any] | None) -> dict[str, Any]:
    """The scores in effect: HR's overrides replace the AI's."""
    return {**(scores or {}), **(final or {})}


_REPORT = (
    InterviewReport.id,
    InterviewReport.tenant_id,
    InterviewSession.opening_id,
    InterviewReport.created_at,
    InterviewReport.scores,
)


def score_delta(session: Session, since: int, until: int) -> ScoreSums:
    """The AI's scores of the reports with ``since < id <= until`` (streamed: a rebuild
    reads every report once)."""
    found = ScoreSums()
    stmt = (
        select(*_REPORT)
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(InterviewReport.id > since, InterviewReport.id <= until, for_hiring())
        .execution_options(yield_per=rollup_state.CHUNK)
    )
    for _id, tenant_id, opening_id, created_at, scores in session.execute(stmt):
        found.add((tenant_id, opening_id, created_at.date()), scores, 1)
    return found


def _write_scores(session: Session, found: ScoreSums, fresh: bool = False) -> None:
    rows = []
    for (t, o, day, competency, b), n in found.n.items():
        total = found.total[(t, o, day, competency, b)]
        for grain, when in (("d", day), ("m", day.replace(day=1))):
            rows.append((t, o, grain, when, competency, b, n, total))
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for t, o, grain, when, competency, b, n, total in rows:
        entry = merged.setdefault((t, o, grain, when, competency, b), [0, 0.0])
        entry[0] += n
        entry[1] += total
    values = [
        {
            "tenant_id": t,
            "opening_id": o,
            "grain": grain,
            "day": when,
            "competency": competency,
            "bin": b,
            "scores": n,
            "total": total,
        }
        for (t, o, grain, when, competency, b), (n, total) in merged.items()
        if n
    ]
    conflict = [*_PLACE, "competency", "bin"]
    _upsert(session, ScoreRollup, values, conflict, ["scores", "total"], fresh)


def reports_in(openings: Select[Any], start: date | None, end: date | None) -> Select[Any]:
    """The reports on ``openings`` written in the period (whole days, UTC)."""
    stmt = (
        select(*_REPORT, InterviewReport.final_scores)
        .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
        .where(InterviewSession.opening_id.in_(openings), for_hiring())
    )
    if start is not None:
        stmt = stmt.where(InterviewReport.created_at >= datetime.combine(start, time.min, UTC))
    if end is not None:
        stmt = stmt.where(InterviewReport.created_at <= datetime.combine(end, time.max, UTC))
    return stmt


def score_sums(
    session: Session,
    tenant_id: int,
    openings: Select[Any],
    start: date | None,
    end: date | None,
) -> dict[tuple[str, int], tuple[int, float]] | None:
    """(competency, bin) -> (scores, sum) of the scores in effect of the reports written in
    the period on ``openings``; None before the first build. The rollups hold the AI's
    scores up to the cut; the reports after it are read directly, and the reports HR
    overrode (found through the company's score adjustments) swap their AI scores for the
    scores in effect."""
    cut = built_cut(session)
    if cut is None:
        return None
    n: Counter[tuple[str, int]] = Counter()
    total: dict[tuple[str, int], float] = defaultdict(float)
    rows = _summed(
        session, ScoreRollup, openings, (start, end), ["competency", "bin"], ["scores", "total"]
    )
    for competency, b, count, subtotal in rows:
        n[(competency, b)] += int(count)
        total[(competency, b)] += float(subtotal)
    found = ScoreSums()
    reports = reports_in(openings, start, end)
    newer = session.execute(reports.where(InterviewReport.id > cut.report_id))
    for _id, _t, _o, _at, scores, final in newer:
        found.add((0, 0, start or date.min), effective_scores(scores, final), 1)
    adjusted = select(ScoreAdjustment.interview_id).where(ScoreAdjustment.tenant_id == tenant_id)
    overridden = session.execute(
        reports.where(
            InterviewReport.id <= cut.report_id,
            InterviewReport.interview_id.in_(adjusted),
            InterviewReport.adjusted_at.is_not(None),
        )
    )
    for _id, _t, _o, _at, scores, final in overridden:
        found.add((0, 0, start or date.min), scores, -1)
        found.add((0, 0, start or date.min), effective_scores(scores, final), 1)
    for key, (count, subtotal) in found.by_bin().items():
        n[key] += count
        total[key] += subtotal
    return {key: (count, total[key]) for key, count in n.items() if count}
