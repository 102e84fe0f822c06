"""Benchmark: 10,000 webhook deliveries through the real queue to a local receiver.

What runs: a fresh database (PostgreSQL by default), a Redis broker, ``celery worker`` processes
consuming the product's queue, and a receiver (uvicorn, one process) that checks every
signature (HMAC-SHA256 over ``t.body``) and answers 204. This process publishes the events
through ``core.events.publish`` in transactions of ``--batch`` events, exactly as a domain does:
the ``"*"`` handler writes one delivery row per event and queues ``integrations.deliver`` after
each commit. Subjects repeat (``--per-subject`` events each), so the order-per-subject rule is
exercised: a subject's later event is sent only after the earlier one settled.

The events are published first, with no worker running (the tasks wait in Redis); then the
worker starts and drains the queue. Printed: deliveries per minute from the first attempt to
the last delivery, by the database's timestamps (target >= 10,000/min on 2 cores), the wall
time including the worker's start, the publishing rate, and a baseline in the same run: the
same number of signed bodies POSTed one after another from one process with one pooled httpx
client to the same receiver (a single sender with no queue and no database). Conditions:
cores, load average before (the cores are shared with whatever else runs), database, broker,
worker processes.

Run: ``.venv/bin/python bench/webhooks.py [--count 10000] [--concurrency 4]
[--pg postgresql://postgres@127.0.0.1:5432/postgres | --sqlite] [--redis redis://127.0.0.1:6379/5]
[--port 18401]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from interviews_world import environment as world_environment
from interviews_world import fresh_postgres, stop

RECEIVER_APP = """
import hashlib, hmac, os

SECRET = os.environ["BENCH_SECRET"].encode()
COUNT = {"ok": 0, "bad": 0}


def _valid(header: str, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    message = parts.get("t", "").encode() + b"." + body
    expected = hmac.new(SECRET, message, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    body = b""
    more = True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
    ok = _valid(headers.get("hireflow-signature", ""), body)
    COUNT["ok" if ok else "bad"] += 1
    if scope["path"] == "/count":
        payload = f"{COUNT['ok']} {COUNT['bad']}".encode()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": payload})
        return
    await send({"type": "http.response.start", "status": 204 if ok else 400, "headers": []})
    await send({"type": "http.response.body", "body": b""})
"""


def environment(data_dir: Path, database_url: str, redis: str) -> dict[str, str]:
    return {**world_environment(data_dir, database_url), "HIREFLOW_BROKER_URL": redis}


def setup(port: int) -> tuple[int, str]:
    """A company allowing local receivers, with one endpoint subscribed to every event."""
    from hireflow.core.db import get_database
    from hireflow.core.migrate import upgrade
    from hireflow.core.settings import get_settings
    from hireflow.integrations import schemas, webhooks
    from hireflow.org import schemas as org_schemas
    from hireflow.org.auth import principal_for
    from hireflow.org.service import create_tenant, create_user

    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    import hireflow.models  # noqa: F401

    with get_database().session() as session:
        tenant = create_tenant(session, "Bench Co", f"bench-{os.getpid()}-{int(time.time())}")
        admin = create_user(
            session,
            None,
            org_schemas.UserCreate(
                email=f"hr-{os.getpid()}@bench.example",
                name="Bench HR",
                password="Bench-password-42",
                roles=[org_schemas.RoleGrantIn(role="hr_admin")],
            ),
            tenant_id=tenant.id,
            send_welcome=False,
        )
        principal = principal_for(admin)
        webhooks.set_settings(session, principal, schemas.SettingsIO(allow_private_addresses=True))
        endpoint = webhooks.create_endpoint(
            session,
            principal,
            schemas.EndpointIn(url=f"http://127.0.0.1:{port}/hook", events=["*"]),
        )
        return tenant.id, endpoint.secret


def publish(tenant_id: int, count: int, per_subject: int, batch: int) -> float:
    from hireflow.core import events
    from hireflow.core.db import get_database

    started = time.perf_counter()
    database = get_database()
    subjects = max(1, count // per_subject)
    for start in range(0, count, batch):
        with database.session() as session:
            for n in range(start, min(start + batch, count)):
                events.publish(
                    session,
                    "stage.changed",
                    tenant_id,
                    f"application:{n % subjects + 1}",
                    {"application_id": n % subjects + 1, "opening_id": 1, "to": f"s{n}"},
                )
            session.commit()
    return time.perf_counter() - started


def delivered_count() -> tuple[int, int]:
    from sqlalchemy import func, select

    from hireflow.core.db import get_database
    from hireflow.integrations.models import WebhookDelivery

    with get_database().session() as session:
        rows = dict(
            session.execute(
                select(WebhookDelivery.status, func.count()).group_by(WebhookDelivery.status)
            ).all()
        )
    return rows.get("delivered", 0), rows.get("failed", 0)


def delivery_window() -> float:
    """Seconds from the first attempt to the last delivery (database clock)."""
    from sqlalchemy import func, select

    from hireflow.core.db import get_database
    from hireflow.integrations.models import WebhookDelivery

    with get_database().session() as session:
        first, last = session.execute(
            select(
                func.min(WebhookDelivery.last_attempt_at), func.max(WebhookDelivery.delivered_at)
            )
        ).one()
    return max((last - first).total_seconds(), 0.001)


def baseline(port: int, secret: str, count: int) -> float:
    """Bare signed POSTs, one after another, from this process."""
    import httpx

    from hireflow.integrations import signing

    body = b'{"id":"0","type":"stage.changed","subject":"application:1","data":{}}'
    started = time.perf_counter()
    with httpx.Client(trust_env=False) as client:
        for _ in range(count):
            header = signing.signature_header([secret], int(time.time()), body)
            answer = client.post(
                f"http://127.0.0.1:{port}/hook",
                content=body,
                headers={signing.SIGNATURE_HEADER: header, "Content-Type": "application/json"},
            )
            assert answer.status_code == 204, answer.status_code
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--per-subject", type=int, default=5)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite", action="store_true")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--port", type=int, default=18401)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="hireflow-webhooks-"))
    if args.sqlite:
        database_url = f"sqlite:///{data_dir / 'hireflow.db'}"
    else:
        database_url = fresh_postgres(args.pg, f"hireflow_bench_webhooks_{os.getpid()}")
    env = environment(data_dir, database_url, args.redis)
    os.environ.update(env)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import redis

    redis.Redis.from_url(args.redis).flushdb()  # the bench's own DB: no leftover tasks
    tenant_id, secret = setup(args.port)
    (data_dir / "bench_receiver.py").write_text(RECEIVER_APP)
    receiver = worker = None
    try:
        receiver = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "bench_receiver:app",
                "--port",
                str(args.port),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            cwd=data_dir,
            env={**env, "BENCH_SECRET": secret},
            stdout=(data_dir / "receiver.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        time.sleep(2)  # receiver ready
        load = os.getloadavg()
        # Phase 1: publish everything while no worker runs: the tasks wait in Redis.
        published = publish(tenant_id, args.count, args.per_subject, args.batch)
        # Phase 2: the worker drains the queue.
        started = time.perf_counter()
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hireflow.core.tasks:celery_app",
                "worker",
                "--loglevel=WARNING",
                "-Q",
                "hireflow",
                f"--concurrency={args.concurrency}",
                "--without-gossip",
                "--without-mingle",
            ],
            env=env,
            stdout=(data_dir / "worker.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        done = failed = 0
        while time.perf_counter() - started < 900:
            done, failed = delivered_count()
            if done + failed >= args.count:
                break
            time.sleep(0.25)
        elapsed = time.perf_counter() - started
        window = delivery_window()
        bare = baseline(args.port, secret, args.count)
    finally:
        stop(worker)
        stop(receiver)
    rate = done / window * 60
    bare_rate = args.count / bare * 60
    backend = "PostgreSQL" if database_url.startswith("postgresql") else "SQLite (file)"
    cores = len(os.sched_getaffinity(0))
    print(
        f"conditions: {cores} cores shared, load average before {load[0]:.2f}; {backend}; "
        f"broker Redis; celery prefork x{args.concurrency}; receiver uvicorn x1 verifying "
        f"HMAC; {args.count} events, {args.per_subject} per subject (ordered), "
        f"{args.batch} per transaction"
    )
    print(
        f"published {args.count} events (no worker running) in {published:.1f} s "
        f"({args.count / published:.0f}/s: delivery rows written, tasks queued in Redis)"
    )
    print(
        f"worker: delivered {done}, failed {failed}; first to last delivery {window:.1f} s: "
        f"{rate:,.0f} deliveries/min (target >= 10,000/min); "
        f"{elapsed:.1f} s including the worker's start"
    )
    print(
        f"baseline: {args.count} bare signed POSTs from one process in {bare:.1f} s: "
        f"{bare_rate:,.0f}/min; queue/baseline = {rate / bare_rate:.2f}"
    )


if __name__ == "__main__":
    main()
