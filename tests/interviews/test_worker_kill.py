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

import pytest
from sqlalchemy import func, select

from hireflow.core.tasks import configure_celery
from hireflow.interviews import pipeline
from hireflow.interviews import tasks as interview_tasks
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.records.models import RecordEntry
from tests.interviews import workers

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


def test_a_killed_worker_leaves_the_report_to_arrive_exactly_once(tmp_path, monkeypatch):
    workers.require_speech()
    database_url = f"sqlite:///{tmp_path / 'kill.db'}"
    broker_url = f"sqla+sqlite:///{tmp_path / 'broker.db'}"
    backend_url = f"db+sqlite:///{tmp_path / 'results.db'}"
    env = workers.worker_environment(database_url, broker_url, HIREFLOW_RESULT_BACKEND=backend_url)
    settings, database = workers.prepare_database(
        monkeypatch, database_url=database_url, broker_url=broker_url, result_backend=backend_url
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
        interview_id, questions, candidate_id = workers.submit_voice_interview(database)

        def read(stmt):
            with database.session() as s:
                return s.execute(stmt).first()

        worker = _worker(env, log)
        claimed = workers.lease_claimed(database, interview_id)
        workers.wait_for(claimed, 120, "the worker did not claim the interview", worker, log_path)
        os.kill(worker.pid, signal.SIGKILL)  # mid-task: after the claim, before the report
        worker.wait(timeout=20)
        status, attempts = read(
            select(InterviewSession.status, InterviewSession.scoring_attempts).where(
                InterviewSession.id == interview_id
            )
        )
        assert (status, attempts) == ("submitted", 1), "the worker finished before the kill"
        assert workers.reports_and_messages(database, interview_id)[0] == 0
        media_status = read(
            select(InterviewAnswer.media_status).where(InterviewAnswer.interview_id == interview_id)
        )[0]
        assert media_status == "stored"  # killed while transcribing

        # Nothing happens by itself with this broker: the message died with the worker. The
        # dead run's lease expires (SCORING_LEASE after the claim; moved into the past here
        # instead of waiting), and the recovery sweep that beat runs every minute queues the
        # interview again.
        workers.expire_lease(database, interview_id)
        assert pipeline.recover(database)["requeued"] == 1
        worker = _worker(env, log)

        def scored() -> bool:
            row = read(select(InterviewSession.status).where(InterviewSession.id == interview_id))
            return row is not None and row[0] == "scored"

        workers.wait_for(scored, 180, "the report did not arrive", worker, log_path)
        reports, messages = workers.reports_and_messages(database, interview_id)
        with database.session() as s:
            entries = s.scalar(
                select(func.count())
                .select_from(RecordEntry)
                .where(
                    RecordEntry.person_id == candidate_id, RecordEntry.type == "interview_result"
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
