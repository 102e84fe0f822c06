"""Fixtures for the record tests: regional storage in a temporary directory, people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.candidates.models import Application, Candidate
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.openings.models import Opening, OpeningMember
from hireflow.records.storage import override_storage
from tests.conftest import Org, unique

REGIONS = ("cn", "eu", "us")


@pytest.fixture
def storage_root(tmp_path: Path) -> Path:
    return tmp_path / "storage"


@pytest.fixture
def regional(storage_root: Path) -> Iterator[RegionalStorage]:
    storage = RegionalStorage({r: LocalStorage(storage_root / r) for r in REGIONS})
    with override_storage(storage):
        yield storage


def make_opening(session, org: Org, dept_index: int = 0, *, members: bool = True) -> Opening:
    """An opening in one of the org's departments (dept 0, 1: cn; dept 2, 3: eu)."""
    dept = org.departments[dept_index]
    subsidiary = next(s for s in org.subsidiaries if s.id == dept.subsidiary_id)
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=unique("Opening"),
        region=subsidiary.region,
        status="open",
    )
    if members:
        opening.members = [
            OpeningMember(user_id=org.users["recruiter"].id, role="owner"),
            OpeningMember(user_id=org.users["interviewer"].id, role="interviewer"),
        ]
    session.add(opening)
    session.flush()
    return opening


def make_person(
    session,
    org: Org,
    *,
    dept_index: int = 0,
    name: str | None = None,
    email: str | None = None,
    phone: str = "13800138000",
    user=None,
    opening: Opening | None = None,
) -> Candidate:
    """A candidate who applied to an opening of ``dept_index`` (which fixes the region)."""
    opening = opening or make_opening(session, org, dept_index)
    candidate = Candidate(
        tenant_id=org.tenant.id,
        name=name or unique("Person"),
        email=email or f"{unique('p')}@example.com",
        phone=phone,
        location="Shanghai",
        user_id=user.id if user is not None else None,
    )
    candidate.applications = [Application(tenant_id=org.tenant.id, opening_id=opening.id)]
    session.add(candidate)
    session.commit()
    return candidate


@pytest.fixture
def fresh_db(backend: str, tmp_path: Path):
    """A new, migrated, empty database on the backend (for commands that work on a whole
    database: backup, restore, concurrent writers). Dropped afterwards."""
    from hireflow.core.db import Database, make_engine
    from tests import conftest as root

    url = root.migrated_url(backend, tmp_path / "fresh.db")
    database = Database(make_engine(url))
    try:
        yield database
    finally:
        database.engine.dispose()
        if backend == "postgresql":
            root._drop_postgres(url)


@pytest.fixture(autouse=True)
def _forget_test_keys(request):
    """Remove key-registry rows of keys made up by a test.

    With SQLite, the shared test database keeps what a test commits (pysqlite starts no
    transaction before the first savepoint, so releasing it commits); a made-up key left
    registered would make every later app start-up refuse the process key.
    """
    yield
    if "backend" not in request.fixturenames:
        return
    from sqlalchemy import delete

    from hireflow.core import pii
    from hireflow.records.models import KeyRegistryEntry
    from tests.conftest import engine_for

    engine, _url = engine_for(request.getfixturevalue("backend"))
    with engine.begin() as connection:
        connection.execute(
            delete(KeyRegistryEntry).where(KeyRegistryEntry.key_id != pii.keyring().current.key_id)
        )
