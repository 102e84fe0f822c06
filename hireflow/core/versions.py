"""Per-company data versions: a counter per (company, topic) that moves whenever a row one
of the topic's readers depends on is written, in the same transaction as the write.

A reader that keeps a computed answer stamps it with the version it read *before* reading
the data; a later request compares one counter row with the stamp instead of reading the
data again (predictive validity: ``analytics.validity_ready``). So the counter must move
for every write of every input, or a stale answer would be shown. That is why the bump is
not left to each service: a model marks itself with :func:`versioned` (the topic and, for
rows updated in place, the columns that matter) and every ORM flush of such a row, insert,
update or delete, through any session, bumps its company's counter when the session
commits. Bulk statements through the ORM (``session.execute(update(Model)...)``) bump too:
the company named by the ``versions_tenant`` execution option, or every company when none
is named (safe, only costlier). Writes that bypass the ORM (a bulk COPY, a connection's
Core statement) must call :func:`bump` themselves.

Moving the counter only makes a kept answer unused (the next request computes it again);
a spurious bump costs one computation, a missing one would show stale figures: when in
doubt, bump.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    String,
    column,
    event,
    inspect,
    literal,
    select,
    table,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from hireflow.core.db import Base

VALIDITY = "validity"  # predictive validity's inputs: scores, outcomes, hires, weights
PENDING = "hireflow_versions"  # session.info: {(topic, tenant_id or None for every company)}
ALL = None

_VERSIONED: dict[type, tuple[str, frozenset[str] | None]] = {}


class DataVersion(Base):
    __tablename__ = "data_versions"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger(), default=0)


def versioned(model: type, topic: str, columns: tuple[str, ...] | None = None) -> None:
    """Writes of ``model``'s rows move their company's ``topic`` version; with ``columns``,
    an update moves it only when one of those changed (inserts and deletes always do)."""
    _VERSIONED[model] = (topic, None if columns is None else frozenset(columns))


def current(session: Session, tenant_id: int, topic: str) -> int:
    """The company's version of ``topic`` as committed now (0 before the first write): read
    from the database every time, never the session's identity map."""
    found = session.execute(
        select(DataVersion.version).where(
            DataVersion.tenant_id == tenant_id, DataVersion.topic == topic
        )
    ).scalar()
    return int(found or 0)


def bump(bind: Session | Connection, tenant_id: int | None, topic: str) -> None:
    """Move the version now, in the caller's transaction (``tenant_id`` None: every
    company's). For writers that bypass the ORM; ORM writes are caught by the listeners."""
    if tenant_id is None:  # every company: those without a row yet (at 0) get one first
        _every_company(bind, topic)
        stmt = update(DataVersion).where(DataVersion.topic == topic)
        stmt = stmt.values(version=DataVersion.version + 1)
        bind.execute(stmt.execution_options(synchronize_session=False))
        return
    values = {"tenant_id": tenant_id, "topic": topic, "version": 1}
    stmt = _insert(bind).values(**values)  # the first row, or the row there moved
    bind.execute(
        stmt.on_conflict_do_update(
            index_elements=["tenant_id", "topic"], set_={"version": DataVersion.version + 1}
        )
    )


def _insert(bind: Session | Connection) -> Any:
    """INSERT with ON CONFLICT (the product runs on PostgreSQL and SQLite)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = bind.dialect if isinstance(bind, Connection) else bind.get_bind().dialect
    return (postgresql.insert if dialect.name == "postgresql" else sqlite.insert)(DataVersion)


def _every_company(bind: Session | Connection, topic: str) -> None:
    tenants = table("tenants", column("id"))
    missing = select(tenants.c.id, literal(topic), literal(0)).where(
        ~select(DataVersion.tenant_id)
        .where(DataVersion.tenant_id == tenants.c.id, DataVersion.topic == topic)
        .exists()
    )
    stmt = _insert(bind).from_select(["tenant_id", "topic", "version"], missing)
    bind.execute(stmt.on_conflict_do_nothing())


def _changed(row: Any, columns: frozenset[str] | None) -> bool:
    state = inspect(row)
    names = columns if columns is not None else state.mapper.column_attrs.keys()
    return any(state.attrs[name].history.has_changes() for name in names)


@event.listens_for(Session, "before_flush")
def _note_flushed(session: Session, _context: Any, _instances: Any) -> None:
    pending: set[tuple[str, int | None]] = session.info.setdefault(PENDING, set())
    for rows, updated in ((session.new, False), (session.deleted, False), (session.dirty, True)):
        for row in rows:
            mark = _VERSIONED.get(type(row))
            if mark is None:
                continue
            topic, columns = mark
            if updated and not _changed(row, columns):
                continue
            # a row's company, or every company when it has none yet (never for a real row)
            pending.add((topic, getattr(row, "tenant_id", None)))


@event.listens_for(Session, "do_orm_execute")
def _note_bulk(state: Any) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    mapper = state.bind_mapper
    mark = None if mapper is None else _VERSIONED.get(mapper.class_)
    if mark is None:
        return
    tenant_id = state.execution_options.get("versions_tenant", ALL)
    state.session.info.setdefault(PENDING, set()).add((mark[0], tenant_id))


@event.listens_for(Session, "before_commit")
def _bump_pending(session: Session) -> None:
    """Bump at commit (the counter row's lock is then held only while committing), after
    flushing what is still pending (the commit's own flush comes after this event)."""
    session.flush()
    pending = session.info.pop(PENDING, None)
    for topic, tenant_id in sorted(pending or (), key=lambda p: (p[0], p[1] or 0)):
        bump(session, tenant_id, topic)


@event.listens_for(Session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction: Any) -> None:
    """The whole transaction is over: what it noted was bumped at its commit, or rolled
    back with it (a savepoint's end keeps the rest of the transaction's notes)."""
    if transaction.parent is None:
        session.info.pop(PENDING, None)


__all__ = ["VALIDITY", "DataVersion", "bump", "current", "versioned"]
