"""``hireflow speech-worker``: a worker that transcribes live rooms' utterances (queue
``speech``), with the Whisper model loaded once at its start."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from hireflow.core.tasks import SPEECH_QUEUE, worker_command


def speech_worker_command(concurrency: int) -> list[str]:
    """The Celery worker that consumes only the ``speech`` queue."""
    return worker_command(SPEECH_QUEUE, concurrency)  # named speech@<host>


def speech_worker(
    concurrency: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Utterances transcribed at once (each uses 2 threads of the model)"
        ),
    ] = 1,
) -> None:
    """Run a worker that transcribes live interview rooms (queue ``speech``)."""
    os.execv(sys.executable, speech_worker_command(concurrency))  # noqa: S606


def register(app: typer.Typer) -> None:
    app.command("speech-worker")(speech_worker)
