"""Shared setup of the pipeline benches (``workflow_board.py``, ``workflow_rules.py``); not a
bench itself.

A fresh database in a temporary directory, a company with one HR admin, signed-in clients of
the real application in-process, and the timing helpers, so each bench only builds the data
it measures."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from company import BENCH_PASSWORD, add_department, fresh_database

HR_EMAIL = "hr@bench.example"
PASSWORD = BENCH_PASSWORD


def ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    median = statistics.median(values)
    return f"median {median:7.1f} ms   p95 {p95:7.1f} ms   max {max(values):7.1f} ms"


def open_database(prefix: str, database_url: str = "") -> Any:
    """A migrated database (SQLite in a temporary directory unless ``database_url``), set as
    the application's; the data directory goes there too."""
    return fresh_database(prefix, database_url)[1]


@dataclass
class Company:
    tenant: Any
    subsidiary: Any
    department: Any
    hr: Any
    users: dict[str, Any] = field(default_factory=dict)


def make_user(session: Any, tenant_id: int, email: str, role: Any, **grant: Any) -> Any:
    from hireflow.org import schemas
    from hireflow.org import service as org_service

    return org_service.create_user(
        session,
        None,
        schemas.UserCreate(
            email=email,
            name=email.split("@", 1)[0],
            password=PASSWORD,
            language="en",
            roles=[schemas.RoleGrantIn(role=role, **grant)],
        ),
        tenant_id=tenant_id,
        send_welcome=False,
    )


def make_company(session: Any) -> Company:
    """A company with one subsidiary, one department and an HR admin (``HR_EMAIL``)."""
    from hireflow.core.permissions import Role
    from hireflow.org import service as org_service
    from hireflow.org.models import Subsidiary

    tenant = org_service.create_tenant(session, "Bench", "bench")
    dept = add_department(session, tenant.id, region="cn")
    sub = session.get(Subsidiary, dept.subsidiary_id)
    hr = make_user(session, tenant.id, HR_EMAIL, Role.HR_ADMIN)
    return Company(tenant, sub, dept, hr)


def api_client(database: Any, email: str = HR_EMAIL) -> Any:
    """The application in-process with a bearer token for ``email``."""
    from fastapi.testclient import TestClient

    from hireflow.app import create_app

    api = TestClient(create_app(None, database), base_url="https://testserver")
    issued = api.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert issued.status_code == 200, issued.text
    api.headers["Authorization"] = f"Bearer {issued.json()['token']}"
    return api


def page_client(database: Any, email: str = HR_EMAIL) -> Any:
    """The application in-process, signed in through the login form as ``email``."""
    from fastapi.testclient import TestClient

    from hireflow.app import create_app

    client = TestClient(create_app(None, database), base_url="https://testserver")
    login = client.get("/login")
    token = login.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    signed = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


class Timer:
    """Wall and CPU time of calls, per kind."""

    def __init__(self) -> None:
        self.wall: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}

    def __call__(self, kind: str, call: Callable[[], Any]) -> Any:
        c0, t0 = time.process_time(), time.perf_counter()
        result = call()
        self.wall.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
        self.cpu.setdefault(kind, []).append((time.process_time() - c0) * 1000)
        return result

    def line(self, kind: str, label: str, target: str = "") -> str:
        text = f"{label} ({len(self.wall[kind])}): {ms(self.wall[kind])}"
        if target:
            text += f"   {target}"
        return f"{text}\n    CPU: {ms(self.cpu[kind])}"

    def ratio(self, kind: str, baseline: str) -> float:
        return statistics.median(self.wall[kind]) / statistics.median(self.wall[baseline])


def conditions(database: Any, extra: str) -> str:
    load = os.getloadavg()[0]
    return (
        f"conditions: {database.dialect}, one process, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, in-process HTTP (TestClient); {extra}; "
        f"load average {load:.1f} (wall times grow with other work on the machine; CPU is "
        "this process's time)"
    )
