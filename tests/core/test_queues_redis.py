"""Production shape on the machine's Redis: tasks routed to their own queues, a worker per
queue, a worker killed (-9) in the middle of scoring, and the work redone exactly once.

Real parts: Redis (``HIREFLOW_TEST_REDIS_QUEUES``, a database of its own), ``hireflow worker --queues`` processes, an
SQLite database file, a local SMTP server, a voice answer that makes scoring take seconds
(Whisper transcribes it inside the task), prometheus_client's multiprocess directory read by
``/metrics`` of a web app in another process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from sqlalchemy import select

from hireflow.core.tasks import configure_celery
from hireflow.interviews import tasks as interview_tasks
from hireflow.interviews.models import InterviewReport, InterviewSession
from tests.core.test_tasks import smtp_server  # noqa: F401 - a fixture
from tests.interviews import workers

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("redis")]
# A database of its own: the other Redis tests empty theirs (14) and leave workers' keys there.
REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS_QUEUES", "redis://127.0.0.1:6379/13")


def _worker(env: dict[str, str], queues: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "hireflow.cli", "worker", "--concurrency", "1"]
    return subprocess.Popen(
        [*command, "--queues", queues], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def _broker_state() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    broker = {key.decode(): client.type(key).decode() for key in client.keys("*")}
    return (
        f"; broker keys {broker}, scoring queue {client.llen('scoring')}, "
        f"unacked {client.hlen('unacked')}"
    )


def test_a_worker_killed_mid_task_has_its_task_redone_once(tmp_path, monkeypatch, smtp_server):  # noqa: F811
    workers.require_speech()
    controller, inbox = smtp_server
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # a missing Redis fails the test loudly
    client.flushdb()
    database_url = f"sqlite:///{tmp_path / 'queues.db'}"
    env = workers.worker_environment(
        database_url,
        REDIS_URL,
        HIREFLOW_SEPARATE_QUEUES="true",
        HIREFLOW_BROKER_VISIBILITY_TIMEOUT="5",
        HIREFLOW_SMTP_HOST="127.0.0.1",
        HIREFLOW_SMTP_PORT=str(controller.port),
        PROMETHEUS_MULTIPROC_DIR=str(tmp_path / "metrics"),
    )
    settings, database = workers.prepare_database(
        monkeypatch,
        database_url=database_url,
        broker_url=REDIS_URL,
        separate_queues=True,
        broker_visibility_timeout=5,
    )
    # The answer is transcribed inside the scoring task (not on upload), so the task is slow.
    monkeypatch.setattr(interview_tasks.process_answer, "apply_async", lambda *a, **k: None)
    log = tmp_path / "worker.log"
    worker = None
    try:
        configure_celery(settings)
        interview_id, _questions, _candidate_id = workers.submit_voice_interview(database)
        # Celery's routing put the message on the scoring queue, nowhere else.
        assert client.llen("scoring") == 1
        assert client.llen("hireflow") == 0

        worker = _worker(env, "scoring", log)  # one queue: the command becomes the worker
        # (a worker process imports the speech and scoring models first: minutes on a busy machine)
        claimed = workers.lease_claimed(database, interview_id)
        workers.wait_for(
            claimed, 600, "the worker did not claim the interview", worker, log, _broker_state
        )
        os.kill(worker.pid, signal.SIGKILL)  # mid-task: after the claim, before the report
        worker.wait(timeout=20)
        with database.session() as s:
            assert s.scalar(select(InterviewReport.id)) is None, (
                "the worker finished before the kill"
            )
        # acks_late: the message is not acknowledged, Redis keeps it as taken but unacked
        assert client.hlen("unacked") == 1
        assert client.llen("scoring") == 0
        # The dead run's lease (the second line of defence, which the beat's recovery sweep
        # uses) would make the redelivered task step aside until it expires: expire it.
        workers.expire_lease(database, interview_id)
        time.sleep(5.5)  # past the visibility timeout: the broker hands the message out again
        worker = _worker(env, "scoring,notifications", log)  # two queues: two processes

        def mailed() -> bool:
            return len(inbox.messages) >= 1

        workers.wait_for(mailed, 600, "the recruiter was not told", worker, log, _broker_state)
        time.sleep(6)  # a second delivery or a second redelivery would show by now
        reports, messages = workers.reports_and_messages(database, interview_id)
        with database.session() as s:
            final = s.get(InterviewSession, interview_id)
            assert (final.status, final.scoring_attempts) == ("scored", 2)
        assert (reports, messages, len(inbox.messages)) == (1, 1, 1)
        assert client.hlen("unacked") == 0 and client.llen("scoring") == 0
        _assert_metrics(env, tmp_path)
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=60)
        configure_celery()
        database.engine.dispose()
        client.flushdb()


def _assert_metrics(env: dict[str, str], tmp_path: Path) -> None:
    """Another process's web app reads the workers' counts from the shared directory (the
    killed run started too: two waits, one success)."""
    code = (
        "from fastapi.testclient import TestClient\n"
        "from hireflow.app import create_app\n"
        "print(TestClient(create_app()).get('/metrics').text)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = result.stdout
    done = 'hireflow_task_duration_seconds_count{state="SUCCESS",task="interviews.score_interview"}'
    assert f"{done} 1.0" in text
    assert 'hireflow_task_queue_wait_seconds_count{task="interviews.score_interview"} 2.0' in text
    assert 'hireflow_queue_length{queue="scoring"} 0.0' in text
    assert "hireflow_asr_lag_seconds 0.0" in text
