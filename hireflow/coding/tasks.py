"""Celery tasks of coding questions, on their own queue: ``sandbox``.

Untrusted code runs only in workers that consume this queue (``hireflow sandbox-worker``),
which may live on hosts of their own with nothing but the toolchains, bubblewrap and a broker
connection: the web process and the ordinary workers only enqueue. The task returns the
:class:`~hireflow.coding.grader.SubmissionResult` as JSON through the result backend.

A grading is a pure function of the question, the language and the code, so running it twice
is harmless: the task acknowledges late and is retried when a worker dies mid-run.
"""

from __future__ import annotations

from typing import Any

from celery.signals import worker_process_init

from hireflow.coding.runner import QUEUE, SubmissionError, get_runner
from hireflow.coding.sandbox import SandboxError, SandboxSettings, pin_grading_process
from hireflow.core.tasks import celery_app


@celery_app.task(
    name="coding.grade_submission",
    autoretry_for=(SandboxError,),
    retry_backoff=1,
    max_retries=3,
)
def grade_submission(
    question_id: str, language: str, code: str, mode: str = "submit"
) -> dict[str, Any]:
    """Run and grade a submission in the sandbox; bad input comes back as ``{"error": ...}``."""
    try:
        result = get_runner().grade(question_id, language, code, mode)
    except (SubmissionError, LookupError) as exc:
        return {"error": str(exc)}
    return result.to_dict()


# Routed by name, so whoever sends a coding task (the web process, a script) reaches only the
# sandbox workers.
celery_app.conf.task_routes = {
    **(celery_app.conf.task_routes or {}),
    "coding.*": {"queue": QUEUE},
}


def enqueue_submission(question_id: str, language: str, code: str, mode: str = "submit") -> str:
    """Queue a grading (what the web process calls); returns the task id to poll."""
    return grade_submission.apply_async(args=(question_id, language, code, mode)).id


@worker_process_init.connect
def _pin_grading_process(**_kwargs: Any) -> None:
    """In a sandbox worker's pool process: keep to one CPU (``sandbox.cpu_for_process``)."""
    processes = SandboxSettings().processes
    if not processes:
        return  # an ordinary worker that merely imported this module
    from billiard.process import current_process

    index = getattr(current_process(), "index", None)
    if index is None:
        return  # a solo worker's main process: the one grader, nothing to spread
    pin_grading_process(index, processes)
