"""Background work of the AI interview: transcribe answers, score interviews, recover.

Tasks acknowledge late (a killed worker's task is redelivered where the broker supports it)
and are idempotent: :func:`score_interview` stores a report at most once whatever the number
of runs (a conditional transition plus a unique index), and :func:`recover_interviews`, run
every minute by beat, re-queues scoring whose worker died, which also covers brokers that do
not redeliver (the embedded SQLite broker).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery.signals import worker_ready
from sqlalchemy.exc import OperationalError

from hireflow.candidates.vectors import platform_embedder
from hireflow.core.db import get_database
from hireflow.core.logging import log_error
from hireflow.core.tasks import DEFAULT_QUEUE, SCORING_QUEUE, celery_app, consumes
from hireflow.interviews import pipeline

log = logging.getLogger(__name__)


# SQLite refuses a write that lost a race with another process (see
# ``hireflow.core.db.retry_when_busy``); the task runs again a moment later instead of failing.
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": 1, "max_retries": 6}


@celery_app.task(name="interviews.process_answer", **RETRY)
def process_answer(answer_id: int) -> str:
    """Transcribe a recorded answer as soon as it is uploaded (so the report is quick)."""
    return pipeline.process_answer(get_database(), int(answer_id))


@celery_app.task(name="interviews.score_interview", **RETRY)
def score_interview(interview_id: int) -> str:
    """The scoring pipeline of a submitted interview (see ``pipeline.score``)."""
    outcome = pipeline.score(get_database(), int(interview_id))
    _log_embedder_cache()
    return outcome


def _log_embedder_cache() -> None:
    """The process's embedder cache so far (texts asked for, texts found): what a load bench
    reads to tell scoring on fresh texts from scoring on cached ones. Counts only."""
    embedder = platform_embedder()
    log.info(
        "embedder cache pid=%d requested=%d hits=%d",
        os.getpid(),
        getattr(embedder, "requested", 0),
        getattr(embedder, "hits", 0),
    )


@celery_app.task(name="interviews.recover")
def recover_interviews() -> dict[str, int]:
    """Re-queue stalled scoring; submit interviews left open past their deadline."""
    return pipeline.recover(get_database())


@worker_ready.connect
def _warm_up(sender: Any = None, **_kwargs: Any) -> None:
    """Load the embedder, jieba's tables and the rest of what a first interview loads when
    the worker starts, not inside the first interview's scoring (seconds a candidate's
    recruiter would otherwise wait). Not in ``worker_init`` (before the prefork pool forks):
    loading there made a forked worker hang in the test suite (docs/scoring.md, speed).
    Only a worker that scores: a sandbox, speech or delivery worker has no use for it."""
    if not consumes(sender, DEFAULT_QUEUE, SCORING_QUEUE):
        return
    try:
        from hireflow.scoring.startup import warm_up

        warm_up(platform_embedder())
    except Exception as exc:  # a warm-up failure must not stop the worker
        log_error(log, "warm-up failed", exc, event="interviews.warm_up", level=logging.WARNING)


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "interviews.recover": {"task": "interviews.recover", "schedule": 60.0},
}
