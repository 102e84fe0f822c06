"""Rollups behind the flow figures: end-to-end time, completion by answer mode and device,
source and invitation channel (see :mod:`hireflow.analytics.flow_facts` for the facts).

These facts change in place, so the rollups keep one *fact* row per source row (keyed by the
source's id, :class:`FlowFact`) and month sums of them (:class:`FlowRollup`). The worker
(:func:`refresh`) recomputes the facts of every source row changed since its last run (found
by ``updated_at``, indexed, less :data:`MARGIN` for transactions that committed late), compares
them with the stored ones and applies the difference to facts and sums in one transaction.
Recomputing a fact that did not change changes nothing, so overlapping runs are harmless; the
state row is advanced with a conditional UPDATE so two runs never apply the same difference.

A reader sums the month rows of the whole months of the period, reads the facts of its ragged
ends (indexed by day), and applies the same difference for the sources changed since the
worker's last run, computed on the fly: so a figure equals the direct query however far the
worker is behind. The percentiles of a duration are found by bucket counts, then the values of
the one bucket holding each rank are read from the facts (indexed by bucket).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Select, Table, and_, delete, func, select
from sqlalchemy.orm import Session

from hireflow.analytics import rollup_state
from hireflow.analytics.flow_facts import FIELDS, Dirty, Fact, changed_since, facts_of, hours_of
from hireflow.analytics.flow_models import FlowFact, FlowRollup, FlowState
from hireflow.analytics.rollup_state import chunks, day_range
from hireflow.candidates.models import Application
from hireflow.core.db import Database, utcnow
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.scheduling.models import Invitation

NAME = "flow"
ROLLUP = rollup_state.Rollup(FlowState, NAME, (FlowFact, FlowRollup))
# A change written this long before the worker's run but committed after it is still seen by
# the next run (and by readers): longer transactions than this are not expected here.
MARGIN = timedelta(minutes=2)
TWO_DATES = frozenset({"source_inv"})  # kinds whose day2 differs from day
KINDS_OF = {
    "sessions": ("completion",),
    "reports": ("report",),
    "applications": ("offer", "source_app"),
    "invitations": ("source_inv", "channel"),
}
SUMS = ("n", "a", "b", "c", "us")
AggKey = tuple[int, int, str, date, date, str, int]  # tenant, opening, kind, months, key, bucket


def _month(day: date) -> date:
    return day.replace(day=1)


def _add(found: dict[AggKey, list[int]], fact: Fact, sign: int) -> None:
    key = (
        fact.tenant_id,
        fact.opening_id,
        fact.kind,
        _month(fact.day),
        _month(fact.day2),
        fact.key,
        fact.bucket,
    )
    sums = found.setdefault(key, [0, 0, 0, 0, 0])
    for at, value in enumerate((1, fact.a, fact.b, fact.c, fact.us)):
        sums[at] += sign * value


# --------------------------------------------------------------------------- storage


def _stored(session: Session, dirty: Dirty) -> dict[tuple[str, int, str], tuple[int, Fact]]:
    """The stored facts of the dirty sources: ident -> (row id, fact)."""
    columns = [getattr(FlowFact, name) for name in FIELDS]
    found = {}
    for what, kinds in KINDS_OF.items():
        for chunk in chunks(sorted(getattr(dirty, what))):
            rows = session.execute(
                select(FlowFact.id, *columns).where(
                    FlowFact.kind.in_(kinds), FlowFact.source_id.in_(chunk)
                )
            )
            for row_id, *values in rows:
                fact = Fact(*values)
                found[fact.ident] = (row_id, fact)
    return found


@dataclass
class Change:
    """Facts to take out and to put in."""

    removed: list[Fact] = field(default_factory=list)
    added: list[Fact] = field(default_factory=list)
    removed_ids: list[int] = field(default_factory=list)


def pending(session: Session, dirty: Dirty) -> Change:
    """How the stored facts of the dirty sources differ from the source tables now."""
    stored = _stored(session, dirty)
    now = {fact.ident: fact for fact in facts_of(session, dirty)}
    change = Change()
    for ident, (row_id, fact) in stored.items():
        if now.get(ident) != fact:
            change.removed.append(fact)
            change.removed_ids.append(row_id)
    change.added = [
        fact for ident, fact in now.items() if ident not in stored or stored[ident][1] != fact
    ]
    return change


def _write_facts(session: Session, facts: Iterable[Fact]) -> None:
    rows = [dict(zip(FIELDS, _values(f), strict=True)) for f in facts]
    rollup_state.upsert(session, FlowFact, rows, [], [])


def _values(fact: Fact) -> tuple[Any, ...]:
    return tuple(getattr(fact, name) for name in FIELDS)


def _write_sums(session: Session, found: dict[AggKey, list[int]]) -> None:
    rows = [
        {
            "tenant_id": t,
            "opening_id": o,
            "kind": kind,
            "month": month,
            "month2": month2,
            "key": key,
            "bucket": bucket,
            **dict(zip(SUMS, sums, strict=True)),
        }
        for (t, o, kind, month, month2, key, bucket), sums in found.items()
        if any(sums)
    ]
    conflict = ["opening_id", "kind", "month", "month2", "key", "bucket"]
    rollup_state.upsert(session, FlowRollup, rows, conflict, list(SUMS))


def _apply(session: Session, change: Change) -> None:
    for chunk in chunks(change.removed_ids):
        session.execute(delete(FlowFact).where(FlowFact.id.in_(chunk)))
    _write_facts(session, change.added)
    found: dict[AggKey, list[int]] = {}
    for fact in change.removed:
        _add(found, fact, -1)
    for fact in change.added:
        _add(found, fact, 1)
    _write_sums(session, found)


# --------------------------------------------------------------------------- the worker


def _max_report(session: Session) -> int:
    return session.scalar(select(func.coalesce(func.max(InterviewReport.id), 0))) or 0


def refresh(database: Database) -> dict[str, int]:
    """Bring the flow rollups up to now (the worker's run; from nothing the first time)."""
    started = utcnow()
    with database.session() as session:
        state = session.get(FlowState, NAME, with_for_update=True)
        if state is None:
            return _rebuild_in(session, started)
        since, report_id = state.changed_before, state.report_id
        until = {"changed_before": started, "report_id": _max_report(session)}
        if not rollup_state.claim(session, ROLLUP, {"changed_before": since}, until):
            return {"sources": 0, "facts": 0}
        change = pending(session, changed_since(session, since - MARGIN, report_id))
        _apply(session, change)
        session.commit()
    return {"sources": len(change.added) + len(change.removed), "facts": len(change.added)}


def rebuild(database: Database) -> dict[str, int]:
    """Recompute the flow facts and sums from the source tables."""
    started = utcnow()
    return rollup_state.rebuild(database, ROLLUP, lambda session: _rebuild_in(session, started))


def _all_ids(session: Session, column: Any) -> list[int]:
    return list(session.scalars(select(column).order_by(column)))


def _rebuild_in(session: Session, started: datetime) -> dict[str, int]:
    report_id = _max_report(session)
    rollup_state.start_rebuild(session, ROLLUP, changed_before=started, report_id=report_id)
    found: dict[AggKey, list[int]] = {}
    written = 0
    # The secondary indexes are built once at the end (sorting, not millions of random
    # inserts), with a larger page cache on SQLite.
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA cache_size = -262144")
    secondary = [i for i in cast(Table, FlowFact.__table__).indexes if not i.unique]
    for index in secondary:
        index.drop(connection)
    sources = {
        "sessions": _all_ids(session, InterviewSession.id),
        "reports": [i for i in _all_ids(session, InterviewReport.id) if i <= report_id],
        "applications": _all_ids(session, Application.id),
        "invitations": _all_ids(session, Invitation.id),
    }
    for what, ids in sources.items():
        for chunk in chunks(ids, 20_000):
            dirty = Dirty(set(), set(), set(), set())
            setattr(dirty, what, set(chunk))
            facts = facts_of(session, dirty)
            _write_facts(session, facts)
            for fact in facts:
                _add(found, fact, 1)
            written += len(facts)
    _write_sums(session, found)
    for index in secondary:
        index.create(connection)
    rollup_state.finish_rebuild(session, ROLLUP)
    return {"sources": sum(len(ids) for ids in sources.values()), "facts": written}


# --------------------------------------------------------------------------- readers


def built(session: Session) -> FlowState | None:
    return session.get(FlowState, NAME)


@dataclass(frozen=True)
class Period:
    start: date | None
    end: date | None

    def whole_months(self) -> tuple[date | None, date | None] | None:
        """[from, until) of the whole months inside, None if there are none."""
        return rollup_state.whole(self.start, self.end, "m")

    def ragged(self) -> list[tuple[date | None, date | None]]:
        """The day ranges outside the whole months (inclusive)."""
        return rollup_state.ragged(self.start, self.end, "m")

    def holds(self, day: date) -> bool:
        return rollup_state.in_period(day, self.start, self.end)


Sums = dict[tuple[str, int], list[int]]  # (key, bucket) -> n, a, b, c, us


def _in_scope(fact: Fact, kind: str, scope: set[int], period: Period) -> bool:
    return (
        fact.kind == kind
        and fact.opening_id in scope
        and period.holds(fact.day)
        and period.holds(fact.day2)
    )


def _corrections(session: Session, state: FlowState) -> Change:
    return pending(session, changed_since(session, state.changed_before - MARGIN, state.report_id))


@dataclass
class Reading:
    """What a reader needs: the scope's opening ids, the period, the worker's state and the
    difference of the sources changed since it ran."""

    openings: Select[Any]
    scope: set[int]
    period: Period
    change: Change


def reading(
    session: Session, openings: Select[Any], start: date | None, end: date | None
) -> Reading | None:
    """None before the first build (the figures then read the source tables)."""
    state = built(session)
    if state is None:
        return None
    scope = set(session.scalars(openings))
    return Reading(openings, scope, Period(start, end), _corrections(session, state))


def flow_sums(session: Session, read: Reading, kind: str) -> Sums:
    """(key, bucket) -> [facts, Σa, Σb, Σc, Σus] of ``kind`` in the scope and period."""
    found: Sums = {}
    period, months = read.period, read.period.whole_months()
    scoped = [FlowFact.kind == kind, FlowFact.opening_id.in_(read.openings)]
    if months is not None:
        rows = session.execute(
            select(
                FlowRollup.key,
                FlowRollup.bucket,
                *(func.sum(getattr(FlowRollup, name)) for name in SUMS),
            )
            .where(
                FlowRollup.opening_id.in_(read.openings),
                FlowRollup.kind == kind,
                *day_range(FlowRollup.month, *months, exclusive=True),
                *day_range(FlowRollup.month2, *months, exclusive=True),
            )
            .group_by(FlowRollup.key, FlowRollup.bucket)
        )
        for key, bucket, *sums in rows:
            _sum(found, key, bucket, [int(s or 0) for s in sums])
    columns = (FlowFact.key, FlowFact.bucket, FlowFact.a, FlowFact.b, FlowFact.c, FlowFact.us)
    parts = []
    # One indexed range per part; the other date is wrapped so the planner cannot pick its
    # index instead (without statistics SQLite guesses, and a period's range is the longer).
    for low, high in period.ragged():
        second = day_range(func.coalesce(FlowFact.day2, FlowFact.day2), period.start, period.end)
        parts.append(and_(*day_range(FlowFact.day, low, high), *second))
        if kind in TWO_DATES and months is not None:
            first = day_range(func.coalesce(FlowFact.day, FlowFact.day), *months, exclusive=True)
            parts.append(and_(*day_range(FlowFact.day2, low, high), *first))
    for part in parts:
        for key, bucket, a, b, c, us in session.execute(select(*columns).where(*scoped, part)):
            _sum(found, key, bucket, [1, a, b, c, us])
    for sign, facts in ((-1, read.change.removed), (1, read.change.added)):
        for fact in facts:
            if _in_scope(fact, kind, read.scope, period):
                _sum(
                    found,
                    fact.key,
                    fact.bucket,
                    [sign, sign * fact.a, sign * fact.b, sign * fact.c, sign * fact.us],
                )
    return {k: v for k, v in found.items() if v[0]}


def _sum(found: Sums, key: str, bucket: int, values: list[int]) -> None:
    sums = found.setdefault((key, bucket), [0, 0, 0, 0, 0])
    for at, value in enumerate(values):
        sums[at] += value


# --------------------------------------------------------------------------- durations


@dataclass(frozen=True)
class Hours:
    n: int
    median: float | None
    mean: float | None
    p90: float | None


def _in_bucket(read: Reading, kind: str, bucket: int) -> list[Any]:
    return [
        FlowFact.kind == kind,
        FlowFact.bucket == bucket,
        FlowFact.opening_id.in_(read.openings),
        *day_range(FlowFact.day, read.period.start, read.period.end),
    ]


def _touched(read: Reading, kind: str, bucket: int) -> bool:
    """Whether a change not yet folded in has a fact in the bucket."""
    return any(
        f.kind == kind and f.bucket == bucket for f in [*read.change.removed, *read.change.added]
    )


def _ranked_value(session: Session, read: Reading, kind: str, bucket: int, rank: int) -> int:
    """The ``rank``-th smallest duration of an untouched bucket, sorted by the database."""
    stmt = select(FlowFact.us).where(*_in_bucket(read, kind, bucket))
    return int(session.scalar(stmt.order_by(FlowFact.us).offset(rank).limit(1)) or 0)


def _bucket_values(session: Session, read: Reading, kind: str, bucket: int) -> list[int]:
    """The durations (µs) of ``kind`` in one bucket, scope and period, sorted."""
    removed = {f.ident for f in read.change.removed}
    rows = session.execute(
        select(FlowFact.source_id, FlowFact.part, FlowFact.us).where(
            *_in_bucket(read, kind, bucket)
        )
    )
    values = [us for source_id, part, us in rows if (kind, source_id, part) not in removed]
    values += [
        f.us
        for f in read.change.added
        if f.bucket == bucket and _in_scope(f, kind, read.scope, read.period)
    ]
    return sorted(values)


def durations(session: Session, read: Reading, kind: str) -> Hours:
    """n, median, mean and 90th percentile in hours of ``kind`` ("report", "offer"), rounded
    to 0.1 as the direct query rounds them."""
    sums = flow_sums(session, read, kind)
    n = sum(v[0] for v in sums.values())
    if not n:
        return Hours(0, None, None, None)
    total = sum(v[4] for v in sums.values())
    counts = sorted((bucket, v[0]) for (_key, bucket), v in sums.items())
    cache: dict[int, list[int]] = {}

    def at(rank: int) -> float:
        for bucket, count in counts:
            if rank < count:
                if not _touched(read, kind, bucket):
                    return hours_of(_ranked_value(session, read, kind, bucket, rank))
                if bucket not in cache:
                    cache[bucket] = _bucket_values(session, read, kind, bucket)
                return hours_of(cache[bucket][rank])
            rank -= count
        raise IndexError(rank)

    median = at(n // 2) if n % 2 else (at(n // 2 - 1) + at(n // 2)) / 2
    p90 = at(min(n - 1, int(0.9 * n)))
    return Hours(n, round(median, 1), round(hours_of(total) / n, 1), round(p90, 1))


def counts(session: Session, read: Reading, kind: str) -> dict[str, list[int]]:
    """key -> [facts, Σa, Σb, Σc] of a counting kind in the scope and period."""
    found: dict[str, list[int]] = {}
    for (key, _bucket), sums in flow_sums(session, read, kind).items():
        entry = found.setdefault(key, [0, 0, 0, 0])
        for at in range(4):
            entry[at] += sums[at]
    return found
