"""Database behaviour the product relies on, on both backends."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, text

from hireflow.core.db import on_commit, utcnow
from hireflow.org import service
from hireflow.org.models import Tenant
from tests.conftest import unique


def test_service_commits_stay_inside_the_test_transaction(engine, session):
    slug = unique("iso")
    service.create_tenant(session, "Isolated", slug)  # commits (a savepoint here)
    assert session.scalars(select(Tenant).where(Tenant.slug == slug)).first() is not None
    with engine.connect() as other:
        seen = other.execute(text("SELECT count(*) FROM tenants WHERE slug = :s"), {"s": slug})
        assert seen.scalar() == 0, "a commit inside the test leaked out of its transaction"


def test_naive_datetimes_are_refused(session):
    tenant = Tenant(name="x", slug=unique("naive"))
    tenant.created_at = datetime(2026, 1, 1)  # noqa: DTZ001 - the point of the test
    session.add(tenant)
    with pytest.raises(Exception, match="naive datetime"):
        session.flush()
    session.rollback()


def test_datetimes_come_back_aware_in_utc(session):
    tenant = service.create_tenant(session, "Aware", unique("aware"))
    session.expire_all()
    loaded = session.get(Tenant, tenant.id)
    assert loaded.created_at.tzinfo is not None
    assert abs((utcnow() - loaded.created_at).total_seconds()) < 120


def test_after_commit_hooks_run_only_on_commit(session):
    ran: list[str] = []
    on_commit(session, lambda: ran.append("rolled back"))
    session.rollback()
    on_commit(session, lambda: ran.append("committed"))
    session.commit()
    assert ran == ["committed"]


def test_a_sqlite_writer_waiting_past_the_busy_timeout_asks_again(tmp_path):
    """Under a flood of writers a transaction's first write (here the audit chain's head,
    as the identity check's) can wait for the write lock longer than the busy timeout: its
    BEGIN is asked again instead of failing with "database is locked"."""
    import sqlite3
    import threading
    import time

    from sqlalchemy import event, func

    from hireflow.core import audit
    from hireflow.core.db import BEGIN_ATTEMPTS, make_engine, make_session_factory

    path = tmp_path / "flood.db"
    engine = make_engine(f"sqlite:///{path}")

    def short_timeout(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=50")  # the real 10 s, scaled down
        dbapi_connection.execute("PRAGMA foreign_keys=OFF")  # only the audit tables here

    event.listen(engine, "connect", short_timeout)
    audit.AuditEntry.metadata.create_all(
        engine, tables=[audit.AuditEntry.__table__, audit.ChainHead.__table__]
    )
    holding = threading.Event()

    def other_writer() -> None:
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(0.3)  # six busy timeouts, fewer than the attempts allow in all
        conn.execute("COMMIT")
        conn.close()

    holder = threading.Thread(target=other_writer)
    holder.start()
    assert holding.wait(5)
    session = make_session_factory(engine)()
    try:
        audit.record(session, "test.flood", actor=None, actor_label="system")
        session.commit()
    finally:
        session.close()
        holder.join()
    with make_session_factory(engine)() as check:
        assert check.scalar(select(func.count()).select_from(audit.AuditEntry)) == 1
        assert check.scalar(select(audit.ChainHead.seq)) == 1
    assert BEGIN_ATTEMPTS * 0.05 + 0.02 * sum(range(1, BEGIN_ATTEMPTS)) > 0.3
    engine.dispose()


def test_a_sqlite_write_that_fails_for_another_reason_is_not_asked_again(tmp_path):
    from sqlalchemy.exc import OperationalError

    from hireflow.core.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    with engine.connect() as conn, pytest.raises(OperationalError, match="no such table"):
        conn.execute(text("INSERT INTO missing VALUES (1)"))
    engine.dispose()


def test_insert_unless_present_returns_the_new_row_or_none_on_a_taken_key(session):
    """One statement: the row, loaded with its defaults, in the session; a second insert of
    the same unique key (a concurrent creator's) returns None and changes nothing."""
    from hireflow.core.audit import ChainHead
    from hireflow.core.db import insert_unless_present

    chain = unique("test:")
    head = insert_unless_present(session, ChainHead, chain_id=chain, seq=3, hash="a" * 64)
    assert head is not None and head.seq == 3 and head.checkpointed_seq == 0
    assert head.updated_at is not None and head in session
    assert insert_unless_present(session, ChainHead, chain_id=chain, seq=9, hash="b" * 64) is None
    session.expire_all()
    stored = session.get(ChainHead, chain)
    assert stored is not None and stored.seq == 3 and stored.hash == "a" * 64


def test_tenant_rows_keep_their_id_and_tenant_first_and_indexed():
    """``TenantRow`` gives a table the columns the migrations made first: a wrong order or a
    missing index would show up as a schema the migrations do not build."""
    import hireflow.models  # noqa: F401 - every domain's tables
    from hireflow.core.db import Base, TenantRow

    tables = [m.class_.__table__ for m in Base.registry.mappers if issubclass(m.class_, TenantRow)]
    assert len(tables) > 40
    for table in tables:
        assert [c.name for c in table.columns][:2] == ["id", "tenant_id"], table.name
        assert table.c.id.primary_key
        (key,) = table.c.tenant_id.foreign_keys
        assert key.target_fullname == "tenants.id"
        assert f"ix_{table.name}_tenant_id" in {i.name for i in table.indexes}, table.name
        assert not table.c.tenant_id.nullable
