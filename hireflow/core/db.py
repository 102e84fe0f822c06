"""Database engine, declarative base, sessions and after-commit hooks.

One code path for SQLite (the embedded default) and PostgreSQL (production, CI). Datetimes
are stored in UTC and always come back timezone-aware, whatever the backend does with them.
Side effects such as enqueueing a Celery task are registered with :func:`on_commit` so they run
only once the transaction that justified them is durable (DESIGN rule 2).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar, ParamSpec, TypeVar, cast

from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    MetaData,
    String,
    TypeDecorator,
    create_engine,
    event,
)
from sqlalchemy.engine import CursorResult, Engine, make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.sql import Executable

from hireflow.core import settings as settings_module

RowT = TypeVar("RowT", bound="Base")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the only clock the product reads)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and returned timezone-aware.

    SQLite has no time zone support and returns naive values; PostgreSQL returns aware ones.
    Refusing naive input catches the classic bug of mixing local and UTC times.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware datetimes (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class JSONText(TypeDecorator[Any]):
    """JSON that round-trips identically on SQLite and PostgreSQL (keys kept as written)."""

    impl = JSON
    cache_ok = True


class Base(DeclarativeBase):
    """Declarative base for every table; constraint names are stable for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSONText(),
    }


class TimestampMixin:
    """Creation and update times, set by the application clock in UTC."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class TenantRow:
    """A row of one tenant: its own id and the tenant's, indexed, as the first two columns
    (``sort_order`` keeps them first, where the migrations made them)."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True, sort_order=-1)


def short_str(length: int = 200) -> String:
    return String(length)


_SQLITE_WRITE = re.compile(
    r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|SAVEPOINT)\b", re.I
)
_SQLITE_CTE_WRITE = re.compile(r"^\s*WITH\b.*\b(INSERT|UPDATE|DELETE)\b", re.I | re.S)


def _sqlite_begin(connection: Any) -> None:
    connection.info["sqlite_begun"] = False


def _sqlite_begin_before_write(
    connection: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
) -> None:
    """Open the SQLite transaction at its first write, taking the write lock at once.

    The driver runs in autocommit mode and we issue BEGIN ourselves: pysqlite's own handling
    ignores SAVEPOINT nesting (a released outer savepoint would commit). Reads before the first
    write run outside the transaction, as with pysqlite's default; ``BEGIN IMMEDIATE`` then
    queues writers on the busy timeout instead of failing with "database is locked" when a
    read snapshot would have to be upgraded.
    """
    if connection.info.get("sqlite_begun", True) or not connection.in_transaction():
        return
    if _SQLITE_WRITE.match(statement) or _SQLITE_CTE_WRITE.match(statement):
        _begin_immediate(cursor)
        connection.info["sqlite_begun"] = True


# How often a transaction's first write asks again for SQLite's write lock when the busy
# timeout ran out (each ask waits up to that timeout).
BEGIN_ATTEMPTS = 6


def _begin_immediate(cursor: Any) -> None:
    """Take the write lock, asking again while other writers hold it past the busy timeout.

    Under a flood of writers (the web process's threads and the worker) a transaction can
    wait longer than the timeout for its turn; its BEGIN then fails with "database is
    locked" although nothing is wrong. Nothing of the transaction is written before its BEGIN,
    so asking again is safe at this point, for every writer, whether or not the function
    around it retries (``retry_when_busy`` reruns a whole function; not every writer has it).
    """
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            cursor.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if attempt == BEGIN_ATTEMPTS - 1 or not _is_busy_message(str(exc)):
                raise
            time.sleep(0.02 * (attempt + 1) + secrets.randbelow(20) / 1000)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # autocommit driver; SQLAlchemy emits BEGIN
    cursor = dbapi_connection.cursor()
    # WAL lets the web process read while the embedded worker writes; busy_timeout turns
    # brief lock contention into a wait instead of an error.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: talent-pool queries scan a lot
    # Deleted and overwritten content is zeroed, not left in free pages: an erasure leaves
    # nothing of the person in the database file (docs/security.md).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the backend-specific settings the product relies on."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    parsed = make_url(url)
    in_memory = parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:")
    if "poolclass" not in kwargs and not in_memory:
        # As many connections as the web server's worker threads (AnyIO's default is 40):
        # a thread then never waits for a connection that another waiting request holds.
        # Overflow connections close when returned, so an idle process keeps a few.
        kwargs.setdefault("pool_size", 5 if url.startswith("sqlite") else 10)
        kwargs.setdefault("max_overflow", 35 if url.startswith("sqlite") else 30)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, json_serializer=_dumps, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _sqlite_begin_before_write)
        return engine
    engine = create_engine(url, json_serializer=_dumps, **kwargs)
    if "pool_pre_ping" not in kwargs:
        ping_when_idle(engine)
    return engine


# A pooled connection idle for longer than this is tested (a round trip) before it is handed
# out; one returned more recently is not. SQLAlchemy's pre-ping tests every checkout, and a
# candidate's request checks one out for each of its transactions: on a busy PostgreSQL
# server that round trip was 7 % of a request's time. A server restart takes longer than
# this, so a connection from before it has always been idle longer and is still tested.
PING_AFTER_IDLE = 1.0
_RETURNED = "hireflow_returned_at"


def ping_when_idle(engine: Engine, idle: float | None = None) -> None:
    """Test a pooled connection on checkout when it was idle for over ``idle`` seconds
    (default :data:`PING_AFTER_IDLE`); a dead one is replaced (``DisconnectionError``: the
    pool discards it and connects anew)."""
    limit = PING_AFTER_IDLE if idle is None else idle

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info[_RETURNED] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED)
        if returned is None or time.monotonic() - returned <= limit:
            return  # just connected, or returned a moment ago
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise DisconnectionError() from exc


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


T = TypeVar("T")


def insert_unless_present(session: Session, entity: type[T], /, **values: Any) -> T | None:
    """Insert one row of ``entity`` and return it as a loaded object in the session, or None
    when a row with the same unique key exists already (a concurrent creator's): one
    ``INSERT ... ON CONFLICT DO NOTHING RETURNING`` where a savepoint around a flush took
    three statements (SAVEPOINT, INSERT, RELEASE). Column defaults apply as in a flush. A
    database without that statement gets the savepoint (:func:`add_in_savepoint`)."""
    from sqlalchemy.dialects import postgresql, sqlite

    dialect = session.get_bind().dialect.name
    if dialect not in ("postgresql", "sqlite"):
        row = entity(**values)
        return None if add_in_savepoint(session, row) else row
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(entity).values(**values).on_conflict_do_nothing().returning(entity)
    return session.scalars(statement).first()


def insert_or_find(
    session: Session, entity: type[T], find: Callable[[], T | None], /, **values: Any
) -> tuple[T, bool]:
    """:func:`insert_unless_present`, or the row a concurrent creator inserted first (read by
    ``find``); the second item says whether this call inserted it."""
    row = insert_unless_present(session, entity, **values)
    if row is not None:
        return row, True
    found = find()
    if found is None:  # pragma: no cover - a conflict on a key the row cannot have
        raise LookupError(f"{entity.__name__}: neither inserted nor found")
    return found, False


_COMMIT_HOOKS = "hireflow_on_commit"


def on_commit(session: Session, callback: Callable[[], Any]) -> None:
    """Run ``callback`` after the session's current transaction commits; drop it on rollback."""
    session.connection()  # make sure the transaction the hook belongs to has begun
    session.info.setdefault(_COMMIT_HOOKS, []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_commit_hooks(session: Session) -> None:
    callbacks = session.info.pop(_COMMIT_HOOKS, [])
    for callback in callbacks:
        callback()


@event.listens_for(Session, "after_rollback")
def _drop_commit_hooks(session: Session) -> None:
    session.info.pop(_COMMIT_HOOKS, None)


_WROTE = "hireflow_wrote"


@event.listens_for(Session, "after_flush")
def _mark_written(session: Session, _context: Any) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _clear_written(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def changed_one(
    session: Session,
    statement: Executable,
    params: dict[str, Any] | None = None,
    *,
    rollback: bool = True,
) -> bool:
    """Run a guarded UPDATE meant to change exactly one row (``UPDATE ... WHERE id = :id AND
    status = 'queued'``: a claim, a compare-and-set); True when it did. When it changed
    none, another run moved the row first: the transaction is rolled back, unless
    ``rollback=False`` leaves that to the caller."""
    result = cast(CursorResult[Any], session.execute(statement, params))
    if result.rowcount == 1:
        return True
    if rollback:
        session.rollback()
    return False


def add_in_savepoint(session: Session, row: object) -> IntegrityError | None:
    """Add ``row`` and flush it in a savepoint; the refusal (the savepoint rolled back) when a
    unique constraint refused it, else None."""
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError as refused:
        return refused
    return None


def add_or_find(session: Session, row: RowT, find: Callable[[], RowT | None]) -> tuple[RowT, bool]:
    """Insert ``row`` in a savepoint; when a unique constraint refuses it (a concurrent run
    inserted the same thing first), the row ``find`` reads instead. The second item says
    whether ``row`` was inserted. A conflict ``find`` cannot explain is raised again."""
    refused = add_in_savepoint(session, row)
    if refused is None:
        return row, True
    found = find()
    if found is None:  # the conflict was something else
        raise refused
    return found, False


def release_connection(session: Session) -> None:
    """Give the session's connection back to the pool, keeping loaded objects usable.

    A transaction that only read is committed (nothing to write; objects stay loaded, as
    sessions do not expire on commit); one holding uncommitted work is rolled back, exactly
    as closing the session would have done. Web requests call this before leaving their
    worker thread, so no request holds a connection while it waits for a thread.
    """
    if not session.in_transaction():
        return
    if (
        session.new
        or session.dirty
        or session.deleted
        or session.info.get(_WROTE)
        or session.info.get(_COMMIT_HOOKS)
    ):
        session.rollback()
    else:
        session.commit()


class Database:
    """The engine and session factory of one process, built from settings or given by tests."""

    def __init__(self, engine: Engine, session_factory: sessionmaker[Session] | None = None):
        self.engine = engine
        self.session_factory = session_factory or make_session_factory(engine)

    @classmethod
    def from_url(cls, url: str) -> Database:
        return cls(make_engine(url))

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session whose uncommitted work is rolled back on any error."""
        session = self.session_factory()
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name


_database: Database | None = None


def get_database() -> Database:
    """The process-wide database built from settings (created on first use)."""
    global _database
    if _database is None:
        _database = Database.from_url(settings_module.get_settings().database_url)
    return _database


def set_database(database: Database | None) -> None:
    """Install a database for this process (tests, the CLI with a --database option)."""
    global _database
    _database = database


# --------------------------------------------------------------------------- SQLite contention

P = ParamSpec("P")

R = TypeVar("R")

BUSY_ATTEMPTS = 4


def _is_busy_message(message: str) -> bool:
    return "database is locked" in message or "database is busy" in message


def _is_busy(exc: OperationalError) -> bool:
    return _is_busy_message(str(exc.orig))


def retry_when_busy(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write again when SQLite refused it for a concurrent writer.

    In WAL mode a write transaction that read first cannot commit over another process's
    newer commit (``SQLITE_BUSY_SNAPSHOT``); SQLite answers at once rather than waiting,
    so the busy timeout does not help. The web process and the worker do write the same
    tables, so a candidate's save could fail for no reason of theirs. The failed
    transaction was rolled back entirely; running the function again from a fresh snapshot
    is safe. PostgreSQL never takes this path.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0] if args else kwargs.get("session")
        for attempt in range(BUSY_ATTEMPTS):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if attempt == BUSY_ATTEMPTS - 1 or not _is_busy(exc):
                    raise
                if isinstance(session, Session):
                    session.rollback()
                time.sleep(0.02 * (attempt + 1) + secrets.randbelow(20) / 1000)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
