"""Shared fixtures: the real database (SQLite and PostgreSQL), the app, and factories.

Every test that touches the database runs once per backend (``--db`` picks them; both by
default). A missing PostgreSQL is an error, never a silent skip. Each test runs inside a
transaction that is rolled back afterwards, so tests stay independent and fast while service
functions still call ``commit()`` as they do in production (the commits become savepoints).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="hireflow-tests-"))
os.environ.setdefault("HIREFLOW_ENV", "test")
os.environ["HIREFLOW_DATA_DIR"] = str(_TMP / "data")
os.environ.setdefault("HIREFLOW_LOG_JSON", "false")
os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")
# Under pytest-xdist ("gw0", "gw1", ...) each worker runs the code sandbox under uids of its
# own (the slots, their locks and cgroups stay shared and exclusive): the coding tests'
# "nothing left running" check counts the processes of the slot uids, and must not count
# another worker's runs as leftovers of its own.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER.removeprefix("gw").isdigit():
    os.environ.setdefault(
        "HIREFLOW_SANDBOX_UID_BASE", str(61000 + 100 * (1 + int(XDIST_WORKER.removeprefix("gw"))))
    )

import psycopg  # noqa: E402
import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

import hireflow.models  # noqa: E402, F401
from hireflow.core import security  # noqa: E402
from hireflow.core.db import Database, make_engine, set_database  # noqa: E402
from hireflow.core.migrate import upgrade  # noqa: E402
from hireflow.core.permissions import Role  # noqa: E402
from hireflow.core.settings import get_settings  # noqa: E402
from hireflow.org import schemas, service  # noqa: E402
from hireflow.org.models import Department, Subsidiary, Tenant, User  # noqa: E402

# Argon2 at production cost makes hundreds of test logins slow; the algorithm is the same.
# The unknown-account dummy is re-made at the same cost, so a failed sign-in for an unknown
# e-mail costs what a wrong password costs, as in production (tests/core/test_security.py
# checks the production hasher and dummy, kept here).
PRODUCTION_HASHER, PRODUCTION_DUMMY_HASH = security._hasher, security._DUMMY_HASH
security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
security._DUMMY_HASH = security._hasher.hash(secrets.token_urlsafe(16))

PG_ADMIN_URL = os.environ.get("HIREFLOW_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PASSWORD = "Correct-horse-42"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("HIREFLOW_TEST_DBS", "sqlite,postgresql"),
        help="comma-separated database backends to run database tests on",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        backends = [b.strip() for b in metafunc.config.getoption("--db").split(",") if b.strip()]
        metafunc.parametrize("backend", backends, scope="session")


def _postgres_url(template: str | None = None) -> str:
    """Create a fresh database for this process on the machine's PostgreSQL (each pytest-xdist
    worker gets its own; the worker's name in it tells whose it is), empty or a copy of the
    database ``template`` names."""
    name = f"hireflow_test_{XDIST_WORKER or 'main'}_{os.getpid()}_{secrets.token_hex(3)}"
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"{copy}')
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"PostgreSQL is required for the database tests ({PG_ADMIN_URL}): {exc}")
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def _drop_postgres(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_ENGINES: dict[str, tuple[Engine, str]] = {}
_TEMPLATES: dict[str, str] = {}


def _template(backend: str) -> str:
    """This process's migrated, never-used database of ``backend``: the source of the copies."""
    if backend not in _TEMPLATES:
        url = f"sqlite:///{_TMP / 'template.db'}" if backend == "sqlite" else _postgres_url()
        upgrade(url)  # alembic's engine has no pool: no connection stays open on the template
        _TEMPLATES[backend] = url
    return _TEMPLATES[backend]


def migrated_url(backend: str, sqlite_path: Path) -> str:
    """A new database of its own at the newest revision (``sqlite_path`` on SQLite).

    Migrating takes seconds per database (28 revisions; longer on a loaded machine), so it is
    a copy of one database migrated once per process: SQLite's backup API, PostgreSQL's
    ``CREATE DATABASE .. TEMPLATE``. tests/test_migrations.py runs the migrations themselves.
    """
    template = _template(backend)
    if backend == "postgresql":
        return _postgres_url(template=template.rsplit("/", 1)[1])
    with (
        closing(sqlite3.connect(template.removeprefix("sqlite:///"))) as source,
        closing(sqlite3.connect(sqlite_path)) as target,
    ):
        source.backup(target)
    return f"sqlite:///{sqlite_path}"


def engine_for(backend: str) -> tuple[Engine, str]:
    """One migrated engine per backend for the whole run."""
    if backend not in _ENGINES:
        if backend == "sqlite":
            url = f"sqlite:///{_TMP / 'test.db'}"
        elif backend == "postgresql":
            url = _postgres_url()
        else:
            raise pytest.UsageError(f"unknown backend {backend!r}")
        upgrade(url)
        _ENGINES[backend] = (make_engine(url), url)
    return _ENGINES[backend]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for engine, url in _ENGINES.values():
        engine.dispose()
        if url.startswith("postgresql"):
            _drop_postgres(url)
    _ENGINES.clear()
    if "postgresql" in _TEMPLATES:
        _drop_postgres(_TEMPLATES["postgresql"])
    _TEMPLATES.clear()
    # This process's SQLite database and data directory (each xdist worker has its own).
    shutil.rmtree(_TMP, ignore_errors=True)


@pytest.fixture(scope="session")
def engine(backend: str) -> Engine:
    return engine_for(backend)[0]


@pytest.fixture(scope="session")
def database_url(backend: str) -> str:
    return engine_for(backend)[1]


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A new database of ``backend`` with nothing in it (no migration run), dropped after."""
    url = f"sqlite:///{tmp_path / 'empty.db'}" if backend == "sqlite" else _postgres_url()
    yield url
    if backend == "postgresql":
        _drop_postgres(url)


@pytest.fixture
def db(engine: Engine) -> Iterator[Database]:
    """A Database whose every session joins one outer transaction, rolled back afterwards."""
    connection = engine.connect()
    transaction = connection.begin()
    factory = sessionmaker(
        bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
    )
    database = Database(engine, factory)
    set_database(database)
    try:
        yield database
    finally:
        set_database(None)
        transaction.rollback()
        connection.close()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.session() as s:
        yield s


@pytest.fixture
def settings():
    return get_settings()


_APPS: dict[int, tuple[object, FastAPI]] = {}


@pytest.fixture
def app(db: Database, settings) -> FastAPI:
    """The web app on this test's database: one app per settings object for the process.

    ``create_app`` spends one to two seconds of CPU preparing the ~500 routes' dependencies,
    which hundreds of tests paid again and again. The app keeps nothing of a test's own: the
    database is looked up per request (``get_database``, set by ``db``), the settings object
    is read per request, and TestClient runs the lifespan (the master-key check) per test.
    Settings made anew (``get_settings.cache_clear()``) get an app of their own.
    """
    application = _app_for(settings)
    set_database(db)
    return application


def _app_for(settings) -> FastAPI:
    from hireflow.app import create_app
    from hireflow.core.logging import configure_logging

    cached = _APPS.get(id(settings))
    if cached is None or cached[0] is not settings:
        cached = _APPS[id(settings)] = (settings, create_app(settings))
    configure_logging(settings.log_level, settings.log_json)  # as create_app does
    return cached[1]


@pytest.fixture
def routes_app(settings) -> FastAPI:
    """The same web app for a test that only reads its routes and schemas and sends no request:
    such a test uses no database, so it runs once rather than once per database (``app``
    would make it run on each backend: the route-matching walk costs 25 s of CPU a run)."""
    return _app_for(settings)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver") as c:
        yield c


# --- factories --------------------------------------------------------------------------


def _bound_socket() -> socket.socket:
    """A TCP socket bound to a free local port: any port, or the first free one in
    ``HIREFLOW_TEST_PORTS`` ("18350-18399") when machines share ranges between developers."""
    bounds = os.environ.get("HIREFLOW_TEST_PORTS", "")
    low, _, high = bounds.partition("-")
    candidates = range(int(low), int(high) + 1) if low.isdigit() and high.isdigit() else [0]
    # Each pytest-xdist worker takes its own share of the range: two workers taking "the first
    # free port" would hand the port a test keeps closed (an unreachable mail server) to the
    # other worker's server between the probe and the bind.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "").removeprefix("gw")
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1") or 1)
    if candidates != [0] and worker.isdigit() and count > 1 and len(candidates) >= count:
        candidates = candidates[int(worker) % count :: count]
    for port in candidates:
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        return sock
    raise RuntimeError(f"no free port in {bounds}")


def free_port() -> int:
    """A free local TCP port for a server a test starts (see :func:`_bound_socket`)."""
    with _bound_socket() as sock:
        return sock.getsockname()[1]


def listening_socket() -> socket.socket:
    """A socket listening on a free local port (see :func:`_bound_socket`), held by the caller
    from here on: no moment in which a parallel run can take the port, as with ``free_port``."""
    sock = _bound_socket()
    sock.listen(128)
    return sock


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


@dataclass
class Org:
    """A tenant with two subsidiaries, departments in each, and one user per role."""

    tenant: Tenant
    subsidiaries: list[Subsidiary]
    departments: list[Department]
    users: dict[str, User] = field(default_factory=dict)


def make_user(
    session: Session,
    tenant: Tenant,
    role: str | None,
    *,
    department: Department | None = None,
    subsidiary: Subsidiary | None = None,
    language: str = "en",
    timezone: str = "Asia/Shanghai",
) -> User:
    roles = []
    if role:
        roles = [
            schemas.RoleGrantIn(
                role=Role(role),
                department_id=department.id if department else None,
                subsidiary_id=subsidiary.id if subsidiary else None,
            )
        ]
    return service.create_user(
        session,
        None,
        schemas.UserCreate(
            email=f"{unique(role or 'user')}@example.com",
            name=unique(role or "user"),
            password=PASSWORD,
            language=language,
            timezone=timezone,
            roles=roles,
        ),
        tenant_id=tenant.id,
        send_welcome=False,
    )


def make_org(session: Session) -> Org:
    tenant = service.create_tenant(session, unique("Group"), unique("t"))
    subs = [Subsidiary(tenant_id=tenant.id, name=unique("Sub"), region=r) for r in ("cn", "eu")]
    session.add_all(subs)
    session.flush()
    depts = [
        Department(tenant_id=tenant.id, subsidiary_id=subs[i // 2].id, name=unique("Dept"))
        for i in range(4)
    ]
    session.add_all(depts)
    session.commit()
    org = Org(tenant, subs, depts)
    for role in Role:
        org.users[role.value] = make_user(
            session,
            tenant,
            role.value,
            department=depts[0] if role is Role.HIRING_MANAGER else None,
        )
    return org


@pytest.fixture
def org(session: Session) -> Org:
    return make_org(session)


def login(client: TestClient, user: User, password: str = PASSWORD) -> TestClient:
    """Sign in through the real login form (CSRF token included)."""
    page = client.get("/login")
    token = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    client.headers["X-CSRF-Token"] = token
    return client


def bearer(client: TestClient, user: User) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> list:
    """Every event published while the test runs, seen by one more subscriber of all events
    (the real handlers still run)."""
    from hireflow.core import events

    seen: list[events.Event] = []
    real = events._handlers()
    patched = {**real, "*": (*real.get("*", ()), lambda session, event: seen.append(event))}
    monkeypatch.setattr(events, "_handlers", lambda: patched)
    return seen
