"""What the three rollups (:mod:`rollups`, :mod:`rollups_flow`, :mod:`rollups_review`) share:
their state row (claimed with a conditional UPDATE so two runs never apply the same work,
rebuilt under a row lock), the way they write sums and the way a reader splits a period into
the coarsest rows that cover it.

A rollup table keeps one row per place and ``grain``: "d" (a day), "m" (a month, keyed by its
1st) and, for the review rollups, "y" (a year, keyed by January 1st). A period reads its whole
years or months from the coarse rows and its ragged ends from finer ones.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Select, and_, delete, func, select, text, union_all, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from hireflow.core.db import Database, utcnow

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

CHUNK = 5_000  # ids per read or IN list: well under SQLite's bound-parameter limit
T = TypeVar("T")
C = TypeVar("C", bound="DataclassInstance")  # a frozen dataclass of ids: a rollup's cut
Span = tuple[date | None, date | None]


def chunks(values: list[T], size: int = CHUNK) -> Iterator[list[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --------------------------------------------------------------------------- state


@dataclass(frozen=True)
class Rollup:
    """One rollup: its state model (a row named ``name``) and the tables a rebuild empties
    (and, on PostgreSQL, analyzes: a table filled from nothing has no planner statistics until
    autovacuum gets to it; measured at 1,000,000 applications, the review's period pages took
    17-23 s instead of < 1 s)."""

    state: Any
    name: str
    tables: tuple[Any, ...]


def take_cut(database: Database, current: Callable[[Session], T]) -> T:
    """``current(session)`` in a transaction of its own, committed at once: it may lock the
    source tables for the instant of a few ``max`` reads."""
    with database.session() as session:
        cut = current(session)
        session.commit()
    return cut


def max_ids(session: Session, cut: type[C], models: Sequence[Any], tables: str) -> C:
    """The newest consistent cut: ``cut`` of the highest id of each of ``models``. On
    PostgreSQL ids are handed out before commit, so a transaction holding a lower id may still
    be open: a SHARE lock on ``tables`` waits for every open writer (and holds new ones for the
    instant of the ``max`` reads), after which every id up to the maximum is committed. SQLite
    has one writer at a time. Call in a transaction of its own and commit right after, to
    release the lock (:func:`take_cut`)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"LOCK TABLE {tables} IN SHARE MODE"))
    return cut(*(session.scalar(select(func.coalesce(func.max(m.id), 0))) or 0 for m in models))


def cut_of(state: Any, cut: type[C]) -> C:
    """The cut a rollup's state row stands at (its columns named as ``cut``'s fields)."""
    return cut(*(getattr(state, f.name) for f in fields(cut)))


def refresh(
    database: Database,
    rollup: Rollup,
    current: Callable[[Session], C],
    rebuild_in: Callable[[Session, C], dict[str, int]],
    apply: Callable[[Session, C, C, set[int]], dict[str, int]],
    idle: dict[str, int],
    stale: Callable[[Session], set[int]] = lambda session: set(),
    *,
    done: Callable[[C, C], bool] = operator.eq,
) -> dict[str, int]:
    """The worker's run of a rollup kept by an id cut (safe to run twice or at once): take the
    newest cut, lock the state row (none yet: build from nothing) and, unless the state's cut
    is ``done`` with it and ``stale`` finds nothing to correct, claim the move from the one
    cut to the other and ``apply(session, since, until, stale ids)`` in the same transaction.
    ``idle`` is the answer of a run that had nothing to do."""
    until = take_cut(database, current)
    with database.session() as session:
        state = session.get(rollup.state, rollup.name, with_for_update=True)
        if state is None:
            return rebuild_in(session, until)
        since = cut_of(state, type(until))
        extra = stale(session)
        if (done(since, until) and not extra) or not claim(
            session, rollup, asdict(since), asdict(until)
        ):
            return dict(idle)
        result = apply(session, since, until, extra)
        session.commit()
    return result


def rebuild_to_cut(
    database: Database,
    rollup: Rollup,
    current: Callable[[Session], C],
    rebuild_in: Callable[[Session, C], dict[str, int]],
) -> dict[str, int]:
    """Recompute a rollup kept by an id cut from the source tables, up to the newest cut."""
    until = take_cut(database, current)
    return rebuild(database, rollup, lambda session: rebuild_in(session, until))


def claim(
    session: Session, rollup: Rollup, before: Mapping[str, Any], after: Mapping[str, Any]
) -> bool:
    """Move the state row from ``before`` to ``after``; False (and rolled back) when another
    run moved it first and so did this work."""
    state = rollup.state
    claimed = session.execute(
        update(state)
        .where(state.name == rollup.name, *(getattr(state, f) == v for f, v in before.items()))
        .values(**after, updated_at=utcnow())
    )
    if claimed.rowcount:  # type: ignore[attr-defined]
        return True
    session.rollback()
    return False


def start_rebuild(session: Session, rollup: Rollup, **values: Any) -> None:
    """Empty the rollup's tables and put a state row with ``values`` in place of its own."""
    for table in rollup.tables:
        session.execute(delete(table))
    session.execute(delete(rollup.state).where(rollup.state.name == rollup.name))
    session.add(rollup.state(name=rollup.name, **values))
    session.flush()


def finish_rebuild(session: Session, rollup: Rollup) -> None:
    """Commit a rebuild, then give PostgreSQL's planner the new tables' statistics."""
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        for table in rollup.tables:
            session.execute(text(f"ANALYZE {table.__tablename__}"))
        session.commit()


def rebuild(
    database: Database, rollup: Rollup, rebuild_in: Callable[[Session], dict[str, int]]
) -> dict[str, int]:
    """``rebuild_in`` with the state row locked, so a worker's run waits for it."""
    with database.session() as session:
        session.get(rollup.state, rollup.name, with_for_update=True)
        return rebuild_in(session)


def upsert(
    session: Session, model: Any, rows: list[dict[str, Any]], conflict: list[str], sums: list[str]
) -> None:
    """Add ``sums`` of ``rows`` to the rows with the same ``conflict`` columns, or insert
    (no ``conflict``: plain inserts, for a table known to hold none of them)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)
    if conflict:
        table = model.__table__
        stmt = stmt.on_conflict_do_update(
            index_elements=conflict,
            set_={name: getattr(table.c, name) + getattr(stmt.excluded, name) for name in sums},
        )
    connection = session.connection()  # Core, not the ORM's bulk path: several times faster
    for start in range(0, len(rows), CHUNK):
        connection.execute(stmt, rows[start : start + CHUNK])


# --------------------------------------------------------------------------- periods


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def next_year(day: date) -> date:
    return date(day.year + 1, 1, 1)


_FLOOR = {"m": lambda d: d.replace(day=1), "y": lambda d: d.replace(month=1, day=1)}
_NEXT = {"m": next_month, "y": next_year}
FINER = {"m": "d", "y": "m"}


def whole(start: date | None, end: date | None, grain: str) -> Span | None:
    """[from, until) of the whole months (``grain`` "m") or years ("y") inside ``start``..
    ``end``; None if there are none."""
    first = start if start is None or _FLOOR[grain](start) == start else _NEXT[grain](start)
    until = None if end is None else _FLOOR[grain](end + timedelta(days=1))
    if first is not None and until is not None and first >= until:
        return None
    return first, until


def ragged(start: date | None, end: date | None, grain: str) -> list[Span]:
    """The day ranges (inclusive) of ``start``..``end`` outside its whole months or years."""
    inside = whole(start, end, grain)
    if inside is None:
        return [(start, end)]
    found: list[Span] = []
    if start is not None and inside[0] is not None and inside[0] != start:
        found.append((start, inside[0] - timedelta(days=1)))
    if end is not None and inside[1] is not None and inside[1] <= end:
        found.append((inside[1], end))
    return found


def in_period(day: date, start: date | None, end: date | None) -> bool:
    return (start is None or day >= start) and (end is None or day <= end)


def day_range(
    column: Any, low: date | None, high: date | None, exclusive: bool = False
) -> list[Any]:
    """``column`` from ``low`` to ``high`` (inclusive, or exclusive of ``high``); None: open."""
    found = []
    if low is not None:
        found.append(column >= low)
    if high is not None:
        found.append(column < high if exclusive else column <= high)
    return found


def period_parts(model: Any, start: date | None, end: date | None, grain: str = "m") -> list[Any]:
    """The rows of ``model`` covering days ``start``..``end``: ``grain`` rows for the whole
    months ("m") or years ("y") inside, finer rows for the rest. One condition per part, each
    a range of the (opening, grain, day, ...) unique index: read as one OR, SQLite would seek
    by opening only and visit every day of every opening."""
    inside = whole(start, end, grain)
    if inside is None:
        return _finer(model, start, end, grain)
    parts = [and_(model.grain == grain, *day_range(model.day, *inside, exclusive=True))]
    for low, high in ragged(start, end, grain):
        parts += _finer(model, low, high, grain)
    return parts


def _finer(model: Any, start: date | None, end: date | None, grain: str) -> list[Any]:
    if FINER[grain] == "d":
        return [and_(model.grain == "d", *day_range(model.day, start, end))]
    return period_parts(model, start, end, FINER[grain])


def summed(
    session: Session,
    model: Any,
    parts: list[Any],
    where: list[Any],
    keys: list[str],
    sums: list[str],
) -> list[Any]:
    """``keys`` and the sums of ``sums`` of the rows of ``model`` matching ``where``, one
    index range per part of a period (UNION ALL), added up by ``keys``."""
    columns = [getattr(model, name) for name in [*keys, *sums]]
    selects: list[Select[Any]] = [select(*columns).where(*where, part) for part in parts]
    rows = (selects[0] if len(selects) == 1 else union_all(*selects)).subquery()
    by = [rows.c[k] for k in keys]
    return list(session.execute(select(*by, *(func.sum(rows.c[n]) for n in sums)).group_by(*by)))


@contextmanager
def planned_as_ranges(session: Session) -> Iterator[None]:
    """PostgreSQL: plan the reads inside as the index ranges they are, without JIT.

    At 1,000,000 applications a review rollup read of a period (a few hundred thousand
    rows of 7.7 million) was planned as parallel sequential scans of the whole table at the
    default ``random_page_cost`` 4 (a disk's), and its cost estimate switched JIT on, which
    spent longer compiling than the ranges of the unique index take to read (EXPLAIN ANALYZE
    on the bench database; docs/analytics.md). ``SET LOCAL`` for this read only: each
    setting goes back to what the session had."""
    if session.get_bind().dialect.name != "postgresql":
        yield
        return
    settings = {"jit": "off", "random_page_cost": "1.1"}
    for name, value in settings.items():
        session.execute(text(f"SET LOCAL {name} = {value}"))
    try:
        yield
    finally:
        for name in settings:
            session.execute(text(f"SET LOCAL {name} TO DEFAULT"))
