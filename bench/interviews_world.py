"""Shared set-up of the interview benchmarks: a fresh installation, candidates and links.

``prepare(data_dir, database_url)`` must run before anything imports ``hireflow`` settings:
it points the environment at a fresh data directory (its own secrets, storage, SQLite
broker) and database, migrates it, and returns a ``World`` that creates a company, an opening
with a fixed six-question plan, and AI invitations that are sent and whose candidates have an
ID number on file (identity check by its last four characters). The benchmark then talks to
a server and worker started on the same directory with :func:`start_server` /
:func:`start_worker`, exactly as ``hireflow serve`` runs them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from company import add_department, add_opening

ROOT = Path(__file__).resolve().parent.parent
ANSWER_ZH = (
    "去年我在门店负责售后，一位客户因为退货被拒非常生气。我先认真倾听他的诉求，然后查了订单记录，"
    "发现是系统把他的退货期算错了。我当天协调仓库完成退款，并主动打电话道歉，客户很满意，"
    "后来成为回头客。之后我推动修复了系统规则，同类投诉下降了百分之三十。"
)


def environment(data_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_ENV": "development",
            "HIREFLOW_DATA_DIR": str(data_dir),
            "HIREFLOW_DATABASE_URL": database_url,
            "HIREFLOW_LOG_LEVEL": "WARNING",
            "HIREFLOW_LOG_JSON": "false",
        }
    )
    return env


def database_name(stem: str) -> str:
    """A bench database's name: ``HIREFLOW_BENCH_DB_PREFIX`` (a shared cluster's naming rule)
    before the stem and the process id, so parallel runs neither clash nor drop each other's."""
    return f"{os.environ.get('HIREFLOW_BENCH_DB_PREFIX', 'hireflow_')}{stem}_{os.getpid()}"


def fresh_database(backend: str, data_dir: Path, admin_url: str, stem: str) -> tuple[str, str]:
    """A bench's fresh database: (its URL, the PostgreSQL database to drop at the end).
    SQLite is a file in ``data_dir``; PostgreSQL a new database on ``admin_url``'s server."""
    name = database_name(stem)
    if backend == "sqlite":
        return f"sqlite:///{data_dir / 'hireflow.db'}", name
    return fresh_postgres(admin_url, name), name


def fresh_postgres(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_PORTS_TAKEN: set[int] = set()


def free_port() -> int:
    """A free local port: from ``HIREFLOW_TEST_PORTS`` (``a-b``, a shared machine's block for
    this run) when set, else any the system gives."""
    block = os.environ.get("HIREFLOW_TEST_PORTS", "")
    if block:
        low, _, high = block.partition("-")
        for port in range(int(low), int(high) + 1):
            if port in _PORTS_TAKEN:
                continue
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
            _PORTS_TAKEN.add(port)
            return port
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


IMMEDIATE = str(Path(__file__).resolve().parent / "interviews_sqlite_immediate.py")


def start_server(
    env: dict[str, str], port: int, log: Path, immediate: bool = False, timeout: float = 90
) -> subprocess.Popen:
    """The web server without its embedded worker (start that separately), healthy within
    ``timeout`` seconds.

    ``immediate``: with the proposed SQLite engine change (``interviews_sqlite_immediate``).
    """
    launcher = [sys.executable, IMMEDIATE] if immediate else [sys.executable, "-m", "hireflow.cli"]
    process = subprocess.Popen(
        [
            *launcher,
            "serve",
            "--port",
            str(port),
            "--no-embedded-worker",
        ],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    wait_healthy(f"http://127.0.0.1:{port}", process, log, timeout)
    return process


def start_worker(
    env: dict[str, str], log: Path, beat: bool = False, immediate: bool = False
) -> subprocess.Popen:
    """The embedded worker exactly as ``hireflow serve`` starts it (one solo process)."""
    launcher = (
        [sys.executable, IMMEDIATE, "worker-celery"]
        if immediate
        else [sys.executable, "-m", "celery"]
    )
    command = [
        *launcher,
        "-A",
        "hireflow.core.tasks:celery_app",
        "worker",
        "--loglevel=WARNING",
        "-Q",
        "hireflow",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--pool=solo",
    ]
    if beat:
        command += ["--beat", "--schedule", str(Path(env["HIREFLOW_DATA_DIR"]) / "beat")]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )


def wait_healthy(base: str, process: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text(errors="replace")[-3000:])
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"server not healthy:\n{log.read_text(errors='replace')[-3000:]}")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@dataclass
class Candidate:
    candidate_id: int
    invitation_id: int
    token: str
    id_last4: str


@dataclass
class World:
    database: Any
    tenant_id: int
    opening_id: int
    candidates: list[Candidate] = field(default_factory=list)


def six_question_plan() -> tuple[dict[str, Any], dict[str, Any]]:
    """A plan of exactly six questions from the engine (customer service, Chinese)."""
    from hireflow.scoring.models import load_preset, model_to_dict
    from hireflow.scoring.plan import generate_plan
    from hireflow.scoring.plan_model import InterviewPlan, JobSpec

    model = load_preset(job_type="customer_service")
    job = JobSpec(
        title="客服专员",
        description="负责处理客户投诉和售后咨询，维护客户关系。",
        job_type="customer_service",
        language="zh",
    )
    plan = generate_plan(job, model, budget_minutes=30, lang="zh").to_dict()
    plan["items"] = plan["items"][:6]
    assert len(InterviewPlan.from_dict(plan).questions) == 6
    return plan, model_to_dict(model)


def prepare(data_dir: Path, database_url: str) -> World:
    """Point this process at the installation, migrate, and create a company and opening."""
    os.environ.update(environment(data_dir, database_url))
    from hireflow.core.db import get_database
    from hireflow.core.migrate import upgrade
    from hireflow.core.settings import get_settings
    from hireflow.org.service import create_tenant

    get_settings.cache_clear()
    upgrade(database_url)
    import hireflow.models  # noqa: F401

    database = get_database()
    plan, model = six_question_plan()
    with database.session() as session:
        tenant = create_tenant(session, "Bench Co", f"bench-{os.getpid()}-{int(time.time())}")
        dept = add_department(session, tenant.id, "Bench Ltd", "Service", region="cn")
        opening = add_opening(
            session,
            dept,
            "客服专员",
            job_type="customer_service",
            language="zh-CN",
            description="负责处理客户投诉和售后咨询，维护客户关系。团队共 12 人，工作地点在上海。",
            competency_model=model,
            interview_plan=plan,
        )
        session.commit()
        return World(database, tenant.id, opening.id)


def applicant(world: World, name: str, **fields: Any) -> Any:
    """A new candidate row (not added to a session) who applied to the world's opening."""
    from hireflow.candidates.models import Application
    from hireflow.candidates.models import Candidate as CandidateRow

    row = CandidateRow(
        tenant_id=world.tenant_id,
        name=name,
        email=f"{name}-{os.getpid()}@bench.example",
        language="zh-CN",
        timezone="Asia/Shanghai",
        **fields,
    )
    row.applications = [Application(tenant_id=world.tenant_id, opening_id=world.opening_id)]
    return row


def add_candidates(world: World, count: int, prefix: str = "c") -> list[Candidate]:
    """``count`` candidates invited to the AI interview (invitation sent, link signed)."""
    from sqlalchemy import insert, select

    from hireflow.core.db import utcnow
    from hireflow.core.settings import get_settings
    from hireflow.scheduling.links import make_link_token
    from hireflow.scheduling.models import Invitation

    settings = get_settings()
    now = utcnow()
    deadline = now + timedelta(days=2)
    made: list[Candidate] = []
    with world.database.session() as session:
        for start in range(0, count, 200):
            batch = []
            for i in range(start, min(count, start + 200)):
                last4 = f"{(i * 7919) % 10000:04d}"
                row = applicant(world, f"{prefix}-{i}", id_number=f"11010119900307{last4}")
                batch.append((row, last4))
            session.add_all([row for row, _ in batch])
            session.flush()
            session.execute(
                insert(Invitation),
                [
                    {
                        "tenant_id": world.tenant_id,
                        "opening_id": world.opening_id,
                        "candidate_id": row.id,
                        "kind": "ai",
                        "status": "sent",
                        "language": "zh-CN",
                        "timezone": "Asia/Shanghai",
                        "deadline": deadline,
                        "duration_minutes": 30,
                        "sent_at": now,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for row, _ in batch
                ],
            )
            ids = dict(
                session.execute(
                    select(Invitation.candidate_id, Invitation.id).where(
                        Invitation.candidate_id.in_([row.id for row, _ in batch])
                    )
                ).all()
            )
            for row, last4 in batch:
                token = make_link_token(
                    settings.secret_key, str(row.id), str(ids[row.id]), deadline
                )
                made.append(Candidate(row.id, ids[row.id], token, last4))
            session.commit()
    world.candidates.extend(made)
    return made
