"""The Celery application.

Embedded default: an SQLite-backed broker (kombu's SQLAlchemy transport) with a worker that
``hireflow serve`` starts beside the web server. Production: Redis (``HIREFLOW_BROKER_URL``)
and as many ``hireflow worker`` processes as needed. Tasks acknowledge late and are rejected
when a worker dies, so a killed worker leaves its task to be retried, not lost; a worker
takes one message at a time (prefetch multiplier 1), so a dead one holds back only the task
it was running.

With ``HIREFLOW_SEPARATE_QUEUES`` each kind of work goes to its own queue through Celery's
task routes (:data:`ROUTES`): speech recognition, scoring and deliveries then never wait
behind one another, and each queue gets as many workers as its load needs
(``hireflow worker --queues speech``; docs/deploy.md). Coding submissions always go to the
``sandbox`` queue. Every message carries the time it was sent (:data:`SENT_AT`) so queue
ages and waits can be measured (hireflow.core.metrics).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import sys
import time
from contextvars import ContextVar, Token
from typing import Any

from celery import Celery, Task
from celery.signals import beat_init, before_task_publish, worker_ready
from sqlalchemy.orm import Session

from hireflow.core.db import on_commit
from hireflow.core.logging import log_error
from hireflow.core.settings import Settings, get_settings
from hireflow.core.worker import die_with_parent, start_heartbeat
from hireflow.discovery import domain_module_names

celery_app = Celery("hireflow")
logger = logging.getLogger(__name__)

DEFAULT_QUEUE = "hireflow"
SANDBOX_QUEUE = "sandbox"
#: Speech recognition: the AI interview's recorded answers (when queues are separate) and the
#: live rooms' utterances (always; ``hireflow speech-worker``).
SPEECH_QUEUE = "speech"
SCORING_QUEUE = "scoring"
#: Task name patterns per queue when queues are separate (the rest stays on DEFAULT_QUEUE:
#: periodic housekeeping, rules, rollups).
ROUTES: dict[str, tuple[str, ...]] = {
    SPEECH_QUEUE: ("interviews.process_answer",),
    SCORING_QUEUE: ("interviews.score_interview", "candidates.*"),
    "notifications": (
        "notifications.*",
        "integrations.*",
        "org.send_welcome_email",
        "records.send_download_code",
        "scheduling.send_invitation_batch",
    ),
}
#: Every queue a deployment may run workers for; a worker started without ``--queues`` (and
#: the embedded one) consumes all but the sandbox.
QUEUES = (DEFAULT_QUEUE, *ROUTES, SANDBOX_QUEUE)
GENERAL_QUEUES = (DEFAULT_QUEUE, *ROUTES)
#: Message header: when the message was sent (Unix time).
SENT_AT = "hireflow_sent_at"
_ROUTE_TABLE = {pattern: {"queue": queue} for queue, names in ROUTES.items() for pattern in names}


def _transport_options(settings: Settings) -> dict[str, Any]:
    """Redis: how long a taken, unacknowledged message waits before it is handed out again.
    The embedded SQLite broker: its connections (see :func:`_broker_connection`)."""
    if settings.broker_url.startswith(("redis://", "rediss://")):
        return {"visibility_timeout": settings.broker_visibility_timeout}
    path = settings.broker_url.removeprefix(SQLITE_BROKER)
    if settings.broker_url.startswith(SQLITE_BROKER) and path not in ("", ":memory:"):
        # kombu's SQLAlchemy transport passes its options to ``create_engine``
        return {"creator": functools.partial(_broker_connection, path)}
    return {}


SQLITE_BROKER = "sqla+sqlite:///"


def _broker_connection(path: str) -> sqlite3.Connection:
    """A connection to the embedded broker's SQLite file in the main database's journal mode:
    write-ahead log, synced at checkpoints rather than on every commit. In SQLite's default
    mode each message sent (a candidate's submission, an e-mail) cost a request's thread two
    disk syncs, 40 ms on a busy disk. A commit survives the process dying; a message lost
    with the machine's power is what the recovery sweeps already cover (scoring of
    submitted interviews is requeued), as for the main database, which syncs the same way."""
    connection = sqlite3.connect(path, timeout=10, check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")  # kept in the file once set
    except sqlite3.OperationalError:
        logger.warning("the broker's database %s stays in its journal mode", path)
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def _routes(separate: bool) -> dict[str, Any]:
    """The task routes: others' routes kept (``coding.*``), ours added when queues are
    separate and removed when they are not."""
    routes = {
        pattern: route
        for pattern, route in dict(celery_app.conf.task_routes or {}).items()
        if pattern not in _ROUTE_TABLE
    }
    if separate:
        routes.update(_ROUTE_TABLE)
    return routes


def configure_celery(settings: Settings | None = None, **options: Any) -> Celery:
    """Configure the app from settings (at import, and again whenever the broker changes);
    ``options`` are further Celery settings (e.g. ``task_always_eager`` for a test).

    Tasks bound before the call follow the new configuration too (see ``_rebind_tasks``).
    """
    settings = settings or get_settings()
    before = {key: celery_app.conf.get(key) for _attr, key in Task.from_config}
    # Producers are pooled per app on first use and keep the broker they were built for;
    # dropping the pools (as Celery does after a fork) makes the next send use this broker.
    celery_app._pool = None
    amqp = celery_app.__dict__.get("amqp")
    if amqp is not None:
        amqp._producer_pool = None
    # The result backend is built once per thread from the configuration of that moment:
    # forget it so the next read of a result uses the backend configured now.
    celery_app._local.__dict__.pop("backend", None)
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
        imports=("hireflow.core.metrics", *domain_module_names("tasks")),
        task_default_queue=DEFAULT_QUEUE,
        task_routes=_routes(settings.separate_queues),
        broker_transport_options=_transport_options(settings),
        worker_hijack_root_logger=False,
        **options,
    )
    _rebind_tasks(before)
    return celery_app


def _rebind_tasks(before: dict[str, Any]) -> None:
    """A task copies some settings (serializer, acks_late, store_eager_result, ...) from the
    configuration when it is bound to the app, and never reads them again: copy the new
    values into every task that still holds the value it copied, leaving a task's own
    decorator options alone."""
    conf = celery_app.conf
    # Not ``celery_app.tasks``, which finalizes the app: a task evaluated before that (a
    # module that touches its task object at import) is bound already and holds its copies.
    for task in list(celery_app._tasks.values()):
        for attr, key in task.from_config:
            if key in before and getattr(task, attr, None) == before[key] != conf.get(key):
                setattr(task, attr, conf.get(key))


def consumes(worker: Any, *queues: str) -> bool:
    """Whether a starting worker (a ``worker_ready`` signal's sender) takes tasks from any of
    ``queues``: start-up work (loading a model) belongs only to the workers that use it."""
    try:
        return any(queue.name in queues for queue in worker.task_consumer.queues)
    except AttributeError:
        return False


@beat_init.connect
def _beat_dies_with_its_worker(**_kwargs: Any) -> None:
    """The embedded scheduler (``worker --beat``) is a child of the worker: when the worker
    is killed (-9) it must go too, or the restarted worker's scheduler would run beside it
    and every periodic task would be sent twice."""
    die_with_parent()


@worker_ready.connect
def _start_heartbeat(**_kwargs: Any) -> None:
    """Every worker reports it is alive (``/healthz``, the IT system page)."""
    start_heartbeat()


@before_task_publish.connect
def _stamp_sent_at(headers: dict[str, Any] | None = None, **_kwargs: Any) -> None:
    """Note when the message was sent: the age of a queue's oldest message and the time a
    task waited are measured from it."""
    if headers is not None:
        headers.setdefault(SENT_AT, time.time())


def parse_queues(text: str) -> list[str]:
    """``"scoring,speech"`` as a list of known queue names (ValueError names an unknown one)."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in QUEUES]
    if unknown or not names:
        raise ValueError(
            f"unknown queue {', '.join(unknown) or '(none given)'}; known: {', '.join(QUEUES)}"
        )
    return list(dict.fromkeys(names))


def worker_command(queue: str, concurrency: int) -> list[str]:
    """The ``celery worker`` command line for a process that consumes ``queue`` (one name or
    several, comma-separated; with one slot, the solo pool: no child process to
    supervise)."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "hireflow.core.tasks:celery_app",
        "worker",
        "--loglevel=INFO",
        "-Q",
        queue,
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--hostname",
        f"{queue.replace(',', '+')}@%h",
    ]
    if concurrency == 1:
        command.append("--pool=solo")
    return command


def enqueue_on_commit(session: Session, task: str, *args: Any, **kwargs: Any) -> None:
    """Send the task named ``task`` (e.g. ``"interviews.score_interview"``) once the current
    transaction has committed (DESIGN rule 2).

    Services name the task instead of importing it, so a service never imports a ``tasks``
    module and ``core`` never imports a domain. The name is checked now, in the caller's
    transaction, so a misspelt name fails the request instead of vanishing into the broker.
    """
    registered_task(task)
    on_commit(session, lambda: _send_or_hold(task, args, kwargs))


# Inside a web request the messages a commit released are held until the response has gone
# out (the web middleware sends them then): publishing costs a broker round trip the
# candidate need not wait for. Nothing changes about what is sent or when it may be lost:
# the message was already sent after the commit, never in it, so a process dying between
# the two already lost it, and the beat's recovery sweeps (e.g. interviews.recover, which
# requeues submitted interviews without a report) cover that window as before.
Held = list[tuple[str, tuple[Any, ...], dict[str, Any]]]
_held: ContextVar[Held | None] = ContextVar("hireflow_held_sends", default=None)


def _send_or_hold(task: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    held = _held.get()
    if held is None:
        send_by_name(task, *args, **kwargs)
    else:
        held.append((task, args, kwargs))


def hold_sends() -> Token[Held | None]:
    """From now on in this context (and the threads it runs work in), hold the messages
    ``enqueue_on_commit`` releases; :func:`send_held` sends them."""
    return _held.set([])


def release_held(
    token: Token[Held | None],
) -> Held:
    """Stop holding (in the context :func:`hold_sends` ran in) and return what was held."""
    held = _held.get() or []
    _held.reset(token)
    return held


def send_held(held: Held) -> None:
    """Send released messages in order; one that fails is logged (task name only) and the
    rest still go."""
    for task, args, kwargs in held:
        try:
            send_by_name(task, *args, **kwargs)
        except Exception as exc:
            log_error(
                logger,
                "sending a task after the response failed",
                exc,
                event="tasks.send_failed",
                task=task,
            )


def load_task_modules() -> None:
    """Import every domain's ``tasks`` module so their tasks are registered.

    The web app calls this at start-up: importing them on the first enqueue would do it inside
    a request, holding the GIL for every other request while the pipeline's modules load.
    """
    celery_app.loader.import_default_modules()


def registered_task(name: str) -> Task:
    """The task registered under ``name`` (a process that did not load the domains' ``tasks``
    modules at start-up, e.g. a script, loads them on first use)."""
    if name not in celery_app.tasks:
        load_task_modules()
    try:
        return celery_app.tasks[name]
    except KeyError:
        raise LookupError(f"no task is registered as {name!r}") from None


def send_by_name(name: str, *args: Any, **kwargs: Any) -> None:
    """Send the task registered as ``name`` now (eager mode runs it here)."""
    registered_task(name).apply_async(args=args, kwargs=kwargs)


configure_celery()
