"""Benchmark: sending 1,000 invitations without blocking the web request, then the worker side.

1. ``POST /api/v1/invitations`` for 1,000 candidates through the real app (middleware, bearer
   authentication, validation, permission checks, 1,000 rows, the audit row, the commit, and
   enqueueing one Celery task on the real broker). Target: under 500 ms.
2. The worker renders and queues those 1,000 invitations (one transaction each, claimed
   atomically), then delivers them to a local SMTP server (aiosmtpd).
3. Slot finding through the service for one candidate against 50 interviewers whose working
   hours, busy blocks and booked interviews come from the database (the pure core alone is
   measured by bench/scheduling_slots.py).

Run: ``.venv/bin/python bench/scheduling_invitations.py [--pg postgresql://...] [--kind ai]``
(SQLite file by default; about a minute). ``--kind ai`` sends one-way AI interview invitations:
the worker then also prepares each interview (its plan is generated once per batch and copied
into every interview).
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

_TMP = Path(tempfile.mkdtemp(prefix="hireflow-bench-"))
os.environ["HIREFLOW_DATA_DIR"] = str(_TMP)
os.environ.setdefault("HIREFLOW_ENV", "test")
os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")
os.environ.setdefault("HIREFLOW_LOG_JSON", "false")


def setup(url: str, count: int, runs: int) -> dict[str, Any]:
    """A company with 50 interviewers, ``runs`` openings and ``count`` candidates on each."""
    os.environ["HIREFLOW_DATABASE_URL"] = url

    import hireflow.models  # noqa: F401
    from hireflow.app import create_app
    from hireflow.candidates.models import Application, Candidate
    from hireflow.core.db import Database, utcnow
    from hireflow.core.migrate import upgrade
    from hireflow.core.permissions import Role
    from hireflow.core.settings import get_settings
    from hireflow.openings.models import Opening, OpeningMember
    from hireflow.org import schemas, service
    from hireflow.org.models import Department, Subsidiary
    from hireflow.scheduling.models import BusyBlock

    upgrade(url)
    settings = get_settings()
    database = Database.from_url(url)
    app = create_app(settings, database)
    password = "Bench-password-42"
    with database.session() as session:
        tenant = service.create_tenant(session, "Bench Co", f"bench-{secrets.token_hex(3)}")
        sub = Subsidiary(tenant_id=tenant.id, name="HQ")
        session.add(sub)
        session.flush()
        dept = Department(tenant_id=tenant.id, subsidiary_id=sub.id, name="Sales")
        session.add(dept)
        session.commit()

        def user(role: Role, zone: str = "Asia/Shanghai"):
            return service.create_user(
                session,
                None,
                schemas.UserCreate(
                    email=f"{role.value}-{secrets.token_hex(4)}@bench.example",
                    name=f"{role.value} {secrets.token_hex(2)}",
                    password=password,
                    timezone=zone,
                    roles=[schemas.RoleGrantIn(role=role)],
                ),
                tenant_id=tenant.id,
                send_welcome=False,
            )

        hr = user(Role.HR_ADMIN)
        zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Europe/London"]
        interviewers = [user(Role.INTERVIEWER, zones[i % 4]) for i in range(50)]
        openings = []
        for run in range(runs):
            opening = Opening(
                tenant_id=tenant.id,
                subsidiary_id=sub.id,
                department_id=dept.id,
                title=f"Account Manager {run}",
                job_type="sales",
                status="open",
            )
            opening.members = [OpeningMember(user_id=hr.id, role="owner")] + [
                OpeningMember(user_id=i.id, role="interviewer") for i in interviewers
            ]
            session.add(opening)
            openings.append(opening)
        session.flush()
        candidates = [
            Candidate(
                tenant_id=tenant.id,
                name=f"Candidate {n}",
                email=f"candidate{n}@bench.example",
                language=("zh-CN", "en", "ja")[n % 3],
                timezone=zones[n % 4],
            )
            for n in range(count)
        ]
        session.add_all(candidates)
        session.flush()
        session.add_all(
            Application(tenant_id=tenant.id, candidate_id=c.id, opening_id=o.id)
            for c in candidates
            for o in openings
        )
        # Interviewers' calendars: a busy block most days and a few booked interviews.
        now = utcnow()
        for k, person in enumerate(interviewers):
            for day in range(14):
                start = (now + timedelta(days=day)).replace(
                    hour=(k + day) % 10 + 1, minute=0, second=0, microsecond=0
                )
                session.add(
                    BusyBlock(
                        tenant_id=tenant.id,
                        user_id=person.id,
                        start=start,
                        end=start + timedelta(hours=1, minutes=30),
                    )
                )
        session.commit()
        ids = [c.id for c in candidates]
        opening_ids = [o.id for o in openings]
        hr_id = hr.id
        hr_email = hr.email
    return {
        "database": database,
        "settings": settings,
        "app": app,
        "ids": ids,
        "opening_ids": opening_ids,
        "hr_id": hr_id,
        "hr_email": hr_email,
        "password": password,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default="", help="PostgreSQL URL of an empty database")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--kind",
        choices=("live", "ai"),
        default="live",
        help="ai: the worker also prepares each AI interview (its plan) while sending",
    )
    args = parser.parse_args()
    url = args.pg or f"sqlite:///{_TMP / 'bench.db'}"
    world = setup(url, args.count, args.runs)
    database, settings, app = world["database"], world["settings"], world["app"]
    ids, opening_ids = world["ids"], world["opening_ids"]
    hr_id, hr_email, password = world["hr_id"], world["hr_email"], world["password"]
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from hireflow.notifications import schemas as nschemas
    from hireflow.notifications.channel_settings import save_channel
    from hireflow.notifications.delivery import deliver_many
    from hireflow.notifications.models import OutboxMessage
    from hireflow.org.auth import principal_for
    from hireflow.org.models import User
    from hireflow.scheduling.models import Invitation
    from hireflow.scheduling.sending import process_batch
    from hireflow.scheduling.slot_search import offered_slots

    with TestClient(app) as client:
        token = client.post(
            "/api/v1/auth/token", json={"email": hr_email, "password": password}
        ).json()["token"]
        headers = {"Authorization": f"Bearer {token}"}
        timings = []
        batches = []
        for run in range(args.runs):
            started = time.perf_counter()
            response = client.post(
                "/api/v1/invitations",
                json={"opening_id": opening_ids[run], "candidate_ids": ids, "kind": args.kind},
                headers=headers,
            )
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 202, response.text
            batches.append(response.json()["id"])
    backend = "PostgreSQL" if url.startswith("postgresql") else "SQLite (file)"
    print(f"backend: {backend}; broker: {settings.broker_url.split(':')[0]}; kind: {args.kind}")
    print(
        f"POST /api/v1/invitations with {args.count} candidates: "
        f"median {statistics.median(timings):.0f} ms, max {max(timings):.0f} ms "
        f"over {args.runs} runs (target < 500 ms); runs: " + ", ".join(f"{t:.0f}" for t in timings)
    )

    # Worker: render and queue one batch.
    started = time.perf_counter()
    counts = process_batch(database, batches[0], settings)
    elapsed = time.perf_counter() - started
    print(
        f"worker renders and queues {counts.get('sent', 0)} invitations: {elapsed:.1f} s "
        f"({counts.get('sent', 0) / elapsed:.0f} per second)"
    )

    # Delivery to a real SMTP server.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.notifications import smtp_server

    controller, inbox, port = smtp_server.start("plain")
    try:
        with database.session() as session:
            principal = principal_for(session.get(User, hr_id))
            save_channel(
                session,
                principal,
                nschemas.ChannelIn(
                    channel="email",
                    enabled=True,
                    config={
                        "host": "127.0.0.1",
                        "port": port,
                        "security": "plain",
                        "sender": "jobs@bench.example",
                    },
                ),
                settings,
            )
            message_ids = list(
                session.scalars(
                    select(OutboxMessage.id).where(
                        OutboxMessage.status == "queued",
                        OutboxMessage.related_type == "invitation",
                    )
                )
            )
        started = time.perf_counter()
        delivered = deliver_many(database, message_ids, settings)
        elapsed = time.perf_counter() - started
        print(
            f"delivery of {len(message_ids)} e-mails to aiosmtpd: {elapsed:.1f} s "
            f"({len(message_ids) / elapsed:.0f} per second), outcomes {delivered}, "
            f"received {len(inbox.messages)}"
        )
    finally:
        controller.stop()

    # Slot finding through the service (calendars loaded from the database).
    if args.kind == "ai":
        return
    with database.session() as session:
        invitation = session.scalars(
            select(Invitation).where(Invitation.batch_id == batches[0]).limit(1)
        ).one()
        runs = []
        for _ in range(15):
            started = time.perf_counter()
            slots = offered_slots(session, invitation)
            runs.append((time.perf_counter() - started) * 1000)
        runs.sort()
        print(
            f"offered slots for one candidate, 50 interviewers from the database, 2 weeks: "
            f"p50 {statistics.median(runs):.0f} ms, p95 {runs[int(len(runs) * 0.95) - 1]:.0f} ms "
            f"({len(slots)} slots; includes loading calendars, busy blocks and bookings)"
        )


if __name__ == "__main__":
    main()
