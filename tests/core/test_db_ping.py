"""A pooled PostgreSQL connection is tested before use only when it sat idle (``core.db``
``ping_when_idle``): one returned a moment ago goes out as it is, one idle longer is tested
and, when the server dropped it meanwhile, replaced; the request never sees the dead one."""

from __future__ import annotations

import time

import psycopg
import pytest
from sqlalchemy import text

from hireflow.core import db as core_db
from hireflow.core.db import make_engine


@pytest.fixture
def pg_engine(backend, database_url, monkeypatch):
    if backend != "postgresql":
        pytest.skip("pooled server connections: PostgreSQL (run with --db postgresql)")
    monkeypatch.setattr(core_db, "PING_AFTER_IDLE", 0.2)  # the real 1 s, scaled down
    engine = make_engine(database_url, pool_size=1, max_overflow=0)
    pings: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    yield engine, pings
    engine.dispose()


def _backend_pid(engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_returned_a_moment_ago_is_not_tested(pg_engine):
    engine, pings = pg_engine
    first = _backend_pid(engine)  # a new connection: nothing to test
    assert [_backend_pid(engine) for _ in range(5)] == [first] * 5
    assert pings == []


def test_an_idle_connection_is_tested_and_kept_when_alive(pg_engine):
    engine, pings = pg_engine
    first = _backend_pid(engine)
    time.sleep(0.3)
    assert _backend_pid(engine) == first
    assert len(pings) == 1
    assert _backend_pid(engine) == first and len(pings) == 1  # used again at once


def test_an_idle_connection_the_server_dropped_is_replaced(pg_engine, database_url):
    engine, pings = pg_engine
    first = _backend_pid(engine)
    admin_url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (first,))
    time.sleep(0.3)
    second = _backend_pid(engine)  # no error: the dead connection never went out
    assert second != first and len(pings) == 1


def test_sqlite_connections_are_never_tested(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'plain.db'}")
    try:
        assert not engine.pool._pre_ping
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar_one() == 1
    finally:
        engine.dispose()
