"""The live rooms' background work, on the ``speech`` queue: transcribing posted utterances.

Routed by name, so whoever sends ``live.transcribe_chunk`` (the web process) reaches only the
workers that consume ``speech`` (``hireflow speech-worker``; ``hireflow serve`` starts one
beside its task worker on the embedded broker). Each such worker loads the Whisper model when
it starts, not inside the first utterance. A worker that dies mid-chunk leaves the task to be
redelivered (late acknowledgement); the chunk row is deleted with the line it became, so a
second run finds nothing to do.
"""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import celeryd_init, worker_ready
from sqlalchemy.exc import OperationalError

from hireflow.candidates.vectors import platform_embedder
from hireflow.core.db import get_database
from hireflow.core.logging import log_error
from hireflow.core.settings import get_settings
from hireflow.core.tasks import SPEECH_QUEUE, celery_app, consumes
from hireflow.live import audio
from hireflow.scoring.embedding import OpenAICompatibleEmbedder

log = logging.getLogger(__name__)

#: How often a worker on the embedded (SQLite) broker looks for new messages; kombu's 1 s
#: default would add up to a second to every utterance. Redis brokers push (no polling).
EMBEDDED_POLLING_SECONDS = 0.1


@celery_app.task(name=audio.TASK, autoretry_for=(OperationalError,), retry_backoff=1, max_retries=6)
def transcribe_chunk(chunk_id: int) -> dict[str, Any]:
    """Transcribe one posted utterance and update the room's assistant."""
    result = audio.transcribe_chunk(get_database(), int(chunk_id))
    return {
        "outcome": result.outcome,
        "utterance": result.utterance.id if result.utterance else None,
        "hints": len(result.hints),
        "transcribed_ms": result.transcribed_ms,
        "total_ms": result.total_ms,
    }


@celeryd_init.connect
def _poll_often(options: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    """A speech worker on the embedded broker looks for utterances every 0.1 s (kombu's SQL
    transport takes no polling option: its transport options go to the engine)."""
    queues = (options or {}).get("queues") or []
    if isinstance(queues, str):
        queues = queues.split(",")
    if SPEECH_QUEUE not in queues:
        return
    from kombu.transport import sqlalchemy as sql_transport

    sql_transport.Transport.polling_interval = EMBEDDED_POLLING_SECONDS


@worker_ready.connect
def _load_the_model(sender: Any = None, **_kwargs: Any) -> None:
    """A speech worker loads the model before its first utterance (seconds otherwise spent
    while HR waits for the first line)."""
    if not consumes(sender, SPEECH_QUEUE):
        return
    try:
        load = getattr(audio.TRANSCRIBER.get(), "model", None)
        if callable(load):
            load()
        # The hints' sentence encoder too (a local one: a provider is not called for
        # nothing), else the first answer's hint waits for it after its line.
        embedder = platform_embedder(get_settings())
        if not isinstance(embedder, OpenAICompatibleEmbedder):
            embedder.embed(["warm-up"])
    except Exception as exc:  # a warm-up failure must not stop the worker
        log_error(log, "warm-up failed", exc, event="live.warm_up", level=logging.WARNING)


celery_app.conf.task_routes = {
    **(celery_app.conf.task_routes or {}),
    audio.TASK: {"queue": SPEECH_QUEUE},
}
