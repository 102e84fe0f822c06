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
