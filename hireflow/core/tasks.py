"""The Celery application.

Embedded default: an SQLite-backed broker (kombu's SQLAlchemy transport) with a worker that
``hireflow serve`` starts beside the web server. Production: Redis (``HIREFLOW_BROKER_URL``)
and as many ``hireflow worker`` processes as needed. Tasks acknowledge late and are rejected
when a worker dies, so a killed worker leaves its task to be retried, not lost.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import beat_init, worker_ready
from sqlalchemy.orm import Session

from hireflow.core.db import on_commit
from hireflow.core.settings import Settings, get_settings
from hireflow.discovery import domain_module_names

celery_app = Celery("hireflow")


def configure_celery(settings: Settings | None = None) -> Celery:
    """Configure the app from settings (at import, and again whenever the broker changes)."""
    settings = settings or get_settings()
    # Producers are pooled per app on first use and keep the broker they were built for;
    # dropping the pools (as Celery does after a fork) makes the next send use this broker.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    celery_app.conf.update(
        broker_url=settings.broker_url,
        result_backend=settings.result_backend,
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        enable_utc=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        result_expires=3600,
        imports=domain_module_names("tasks"),
        task_default_queue="hireflow",
        worker_hijack_root_logger=False,
    )
    return celery_app


@beat_init.connect
def _beat_dies_with_its_worker(**_kwargs: Any) -> None:
    """The embedded scheduler (``worker --beat``) is a child of the worker: when the worker
    is killed (-9) it must go too, or the restarted worker's scheduler would run beside it
    and every periodic task would be sent twice."""
    from hireflow.core.worker import die_with_parent

    die_with_parent()


@worker_ready.connect
def _start_heartbeat(**_kwargs: Any) -> None:
    """Every worker reports it is alive (``/healthz``, the IT system page)."""
    from hireflow.core.worker import start_heartbeat

    start_heartbeat()


def enqueue_on_commit(session: Session, task: Task, *args: Any, **kwargs: Any) -> None:
    """Send a task once the current transaction has committed (DESIGN rule 2)."""
    on_commit(session, lambda: task.apply_async(args=args, kwargs=kwargs))


configure_celery()
