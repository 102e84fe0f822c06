"""Worker health: a killed embedded worker is restarted; workers and aged queued work are
reported on /healthz and the IT system page, and an alert is logged.

The end-to-end case (``hireflow serve``, ``kill -9`` of its worker) is in
``tests/test_cli_serve.py``; here the supervisor runs a real child process.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import update

from hireflow.core import worker
from hireflow.core.db import utcnow
from hireflow.interviews import health as interview_health
from hireflow.notifications import health as notification_health
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.scheduling import health as scheduling_health
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.workflow import health as workflow_health
from tests.conftest import login
from tests.scheduling.factories import make_hiring


def _sleeper(_restarts: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])


def _until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def test_a_killed_worker_is_restarted_and_logged(caplog):
    caplog.set_level(logging.WARNING, logger="hireflow.worker")
    supervisor = worker.Supervisor(_sleeper, poll_seconds=0.05).begin()
    try:
        first = supervisor.process
        os.kill(first.pid, signal.SIGKILL)
        _until(lambda: supervisor.restarts == 1 and supervisor.process.pid != first.pid)
        assert supervisor.process.poll() is None
        assert "exited with -9" in caplog.text and "was restarted" in caplog.text
        # it keeps doing so (with a growing pause) for a worker that dies again
        second = supervisor.process
        os.kill(second.pid, signal.SIGKILL)
        _until(lambda: supervisor.restarts == 2, seconds=30)
    finally:
        supervisor.stop(timeout=5)
    assert supervisor.process.poll() is not None  # a shutdown is not restarted
    time.sleep(0.3)
    assert supervisor.restarts == 2


def _queued_invitation(session, settings, org, minutes: int) -> Invitation:
    hiring = make_hiring(session, org, candidates=1)
    batch, _skipped, _ = create_invitations(
        session,
        principal_for(hiring.owner),
        scheduling_schemas.InvitationCreate(
            opening_id=hiring.opening.id, candidate_ids=[hiring.candidates[0].id], kind="live"
        ),
        settings,
    )
    session.execute(
        update(Invitation)
        .where(Invitation.batch_id == batch.id)
        .values(created_at=utcnow() - timedelta(minutes=minutes))
    )
    session.commit()
    return batch


def test_heartbeats_make_a_worker_alive_then_stale(session):
    name = f"test-host:{os.getpid()}-{time.monotonic_ns()}"
    worker.register_start(session, 424242, restarts=3)
    worker.beat(session, name, started=utcnow())
    found = worker.health(session, 600)["worker"]
    assert found["ok"] and found["alive"] >= 1 and found["restarts"] == 3
    session.execute(
        update(worker.WorkerHeartbeat).values(seen_at=utcnow() - timedelta(seconds=120))
    )
    session.commit()
    stale = worker.health(session, 600)["worker"]
    assert not stale["ok"] and stale["last_seen_seconds"] >= 119


def test_aged_queued_work_is_an_alert_on_healthz_the_system_page_and_the_log(
    client, session, settings, org, caplog
):
    caplog.set_level(logging.WARNING, logger="hireflow.worker")
    session.execute(update(worker.WorkerHeartbeat).values(seen_at=utcnow() - timedelta(hours=1)))
    session.commit()
    _queued_invitation(session, settings, org, minutes=30)
    checks = worker.health(session, settings.queue_alert_seconds)
    assert checks["queue"]["invitations"] >= 1 and checks["queue"]["oldest_seconds"] >= 1790
    assert not checks["queue"]["ok"]

    worker._last_alert = 0.0
    health = client.get("/healthz")
    assert health.status_code == 200  # this node serves; the alert is about the queue
    body = health.json()
    assert body["status"] == "warning"
    assert body["checks"]["queue"]["ok"] is False and body["checks"]["worker"]["ok"] is False
    assert any("queued work is waiting" in a for a in body["alerts"])
    assert any("no task worker is running" in a for a in body["alerts"])
    assert "alert: queued work is waiting" in caplog.text

    login(client, org.users["it_auditor"])
    page = client.get("/system")
    assert page.status_code == 200
    assert 'id="health-alerts"' in page.text
    assert 'id="worker-health" data-ok="0"' in page.text
    assert 'id="queue-health" data-ok="0"' in page.text
    assert "No task worker is running" in page.text


def test_fresh_work_and_a_live_worker_are_no_alert(session, settings, org):
    # (other tests' rows in the shared database are settled inside this test's transaction)
    session.execute(update(Invitation).where(Invitation.status == "queued").values(status="sent"))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status.in_(("queued", "retry")))
        .values(status="sent")
    )
    worker.beat(session, f"live:{time.monotonic_ns()}", started=utcnow())
    _queued_invitation(session, settings, org, minutes=0)
    checks = worker.health(session, settings.queue_alert_seconds)
    assert checks["queue"]["ok"] and checks["worker"]["ok"]
    assert worker.log_alerts(checks) == []


def test_each_domain_reports_its_queued_work_through_its_health_module():
    backlogs = worker.backlogs()
    # discovery order
    assert list(backlogs) == ["invitations", "transcriptions", "rules", "messages"]
    assert backlogs["transcriptions"] is interview_health.waiting_transcriptions
    assert backlogs["invitations"] is scheduling_health.oldest_queued_invitation
    assert backlogs["messages"] is notification_health.oldest_due_message
    assert backlogs["rules"] is workflow_health.oldest_pending_rule
    queue = {"ok": False, "oldest_seconds": 1800, "limit_seconds": 900, "waiting": 3}
    worker._last_alert = 0.0
    alerts = worker.log_alerts({"queue": {**queue, "invitations": 2, "messages": 1}})
    assert alerts == [
        "queued work is waiting for 1800 s (limit 900 s): 2 invitations, 0 transcriptions, 0 rules, 1 messages"
    ]
