"""Task worker health: heartbeats, supervision of the embedded worker, aged queued work.

Every worker process (the embedded one ``hireflow serve`` starts, and each ``hireflow
worker``) writes a heartbeat row every :data:`HEARTBEAT_SECONDS`. ``hireflow serve``
supervises its embedded worker: when it exits for any reason but a shutdown (``kill -9``,
a crash, the out-of-memory killer) it is started again with a growing pause, and the exit
is logged. :func:`health` (``/healthz``, the IT system page) reports the workers seen
recently and the age of the oldest queued work, which the domains report through their
``health`` modules (invitations waiting to be sent, messages due but not handed over);
queued work older than ``queue_alert_seconds`` is an alert in the log and on the page.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hireflow.core.db import Base, UTCDateTime, get_database, utcnow
from hireflow.core.logging import log_error
from hireflow.discovery import domain_modules

log = logging.getLogger("hireflow.worker")

HEARTBEAT_SECONDS = 10
STALE_SECONDS = 45  # three heartbeats missed
FORGET_AFTER = timedelta(days=7)


class WorkerHeartbeat(Base):
    """The last sign of life of one worker process (``name``: host and pid)."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    host: Mapped[str] = mapped_column(String(200), default="")
    pid: Mapped[int] = mapped_column(default=0)
    embedded: Mapped[bool] = mapped_column(Boolean, default=False)
    restarts: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --------------------------------------------------------------------------- heartbeats


def worker_name(pid: int | None = None) -> str:
    return f"{socket.gethostname()}:{pid or os.getpid()}"[:200]


def beat(session: Session, name: str, *, started: datetime) -> None:
    """Write this worker's heartbeat (and forget workers gone for a week); commits.

    ``embedded`` and ``restarts`` are written by the supervisor that started the process
    (:func:`register_start`) and kept here."""
    now = utcnow()
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        row = WorkerHeartbeat(name=name, started_at=started, embedded=False, restarts=0)
        session.add(row)
    row.host = socket.gethostname()[:200]
    row.pid = os.getpid()
    row.seen_at = now
    session.execute(delete(WorkerHeartbeat).where(WorkerHeartbeat.seen_at < now - FORGET_AFTER))
    session.commit()


def register_start(session: Session, pid: int, restarts: int) -> None:
    """The supervisor's note of a worker it started (embedded, how many restarts); commits."""
    name = worker_name(pid)
    row = session.get(WorkerHeartbeat, name)
    if row is None:
        row = WorkerHeartbeat(name=name)
        session.add(row)
    row.host = socket.gethostname()[:200]
    row.pid = pid
    row.embedded = True
    row.restarts = restarts
    row.started_at = row.seen_at = utcnow()
    session.commit()


def start_heartbeat() -> threading.Thread:
    """In a worker process: a daemon thread writing the heartbeat until the process ends."""
    name = worker_name()
    started = utcnow()

    def run() -> None:
        while True:
            try:
                with get_database().session() as session:
                    beat(session, name, started=started)
            except Exception as exc:  # a database hiccup must not end the heartbeat
                log_error(
                    log,
                    "worker heartbeat failed",
                    exc,
                    event="worker.heartbeat_failed",
                    level=logging.WARNING,
                )
            time.sleep(HEARTBEAT_SECONDS)

    thread = threading.Thread(target=run, name="hireflow-heartbeat", daemon=True)
    thread.start()
    return thread


def die_with_parent() -> None:
    """Linux: ask for SIGTERM when the parent process dies (even by SIGKILL)."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# --------------------------------------------------------------------------- queued work


Backlog = Callable[[Session], tuple[int, datetime | None]]


def backlogs() -> dict[str, Backlog]:
    """Every domain's queued-work probes: a domain with work waiting for a worker has a
    ``health`` module whose ``BACKLOGS`` maps a name ("invitations") to a function returning
    how many items wait and since when."""
    found: dict[str, Backlog] = {}
    for module in domain_modules("health"):
        found.update(module.BACKLOGS)
    return found


def _age(now: datetime, then: datetime | None) -> float:
    if then is None:
        return 0.0
    if then.tzinfo is None and now.tzinfo is not None:
        now = now.replace(tzinfo=None)
    return max(0.0, (now - then).total_seconds())


def backlog_ages(session: Session, now: datetime) -> dict[str, tuple[int, float]]:
    """Per backlog: items waiting and the age in seconds of the oldest (0 when none)."""
    ages: dict[str, tuple[int, float]] = {}
    for name, probe in backlogs().items():
        count, then = probe(session)
        ages[name] = (count, _age(now, then) if count else 0.0)
    return ages


def health(session: Session, alert_seconds: int) -> dict[str, dict[str, Any]]:
    """``worker`` (workers seen in the last :data:`STALE_SECONDS`) and ``queue`` (queued
    work and the age of the oldest item); ``ok`` False is an alert."""
    now = utcnow()
    rows = list(session.scalars(select(WorkerHeartbeat).order_by(WorkerHeartbeat.seen_at.desc())))
    alive = [r for r in rows if _age(now, r.seen_at) <= STALE_SECONDS]
    last_seen = round(_age(now, rows[0].seen_at)) if rows else None
    worker: dict[str, Any] = {
        "ok": bool(alive),
        "alive": len(alive),
        "last_seen_seconds": last_seen,
        "restarts": max((r.restarts for r in alive), default=0),
    }
    ages = backlog_ages(session, now)
    items = {name: count for name, (count, _seconds) in ages.items()}
    oldest = max((seconds for _count, seconds in ages.values()), default=0.0)
    waiting = sum(items.values())
    queue: dict[str, Any] = {
        "ok": oldest <= alert_seconds,
        "waiting": waiting,
        "oldest_seconds": round(oldest),
        "limit_seconds": alert_seconds,
        **items,
    }
    return {"worker": worker, "queue": queue}


_last_alert = 0.0
_alert_lock = threading.Lock()


def log_alerts(checks: dict[str, dict[str, Any]], every: float = 60.0) -> list[str]:
    """Alert lines for the checks (logged at most once a minute per process)."""
    global _last_alert
    alerts: list[str] = []
    queue, worker = checks.get("queue", {}), checks.get("worker", {})
    if queue and not queue.get("ok", True):
        alerts.append(
            f"queued work is waiting for {queue['oldest_seconds']} s (limit "
            f"{queue['limit_seconds']} s): "
            + ", ".join(f"{queue.get(name, 0)} {name}" for name in backlogs())
        )
    if worker and not worker.get("ok", True) and queue.get("waiting"):
        seen = worker.get("last_seen_seconds")
        alerts.append(
            "no task worker is running"
            + (f" (last heartbeat {seen} s ago)" if seen is not None else " (none has reported)")
        )
    if alerts:
        with _alert_lock:
            due = time.monotonic() - _last_alert >= every
            if due:
                _last_alert = time.monotonic()
        if due:
            for line in alerts:
                log.warning("alert: %s", line, extra={"event": "worker.alert"})
    return alerts


# --------------------------------------------------------------------------- supervision


class Supervisor:
    """Keeps the embedded worker running: restarts it when it exits unasked.

    ``start`` is called with the restart count and returns the new process. The pause before
    a restart doubles from one second up to a minute while the worker keeps dying quickly,
    and starts over once it has run for a minute.
    """

    def __init__(
        self,
        start: Callable[[int], subprocess.Popen[bytes]],
        *,
        poll_seconds: float = 1.0,
        max_pause: float = 60.0,
        on_tick: Callable[[], None] | None = None,
    ) -> None:
        self._start = start
        self._poll = poll_seconds
        self._max_pause = max_pause
        self._on_tick = on_tick
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self.restarts = 0
        self.process = start(0)
        self._thread = threading.Thread(target=self._run, name="hireflow-supervisor", daemon=True)

    def begin(self) -> Supervisor:
        self._thread.start()
        return self

    def _run(self) -> None:
        pause = 1.0
        started = time.monotonic()
        ticks = 0
        while not self._stopping.wait(self._poll):
            ticks += 1
            if self._on_tick is not None and ticks % 30 == 0:
                try:
                    self._on_tick()
                except Exception as exc:
                    log_error(
                        log,
                        "supervisor check failed",
                        exc,
                        event="worker.check_failed",
                        level=logging.WARNING,
                    )
            code = self.process.poll()
            if code is None:
                if time.monotonic() - started > 60:
                    pause = 1.0
                continue
            log.warning(
                "the embedded task worker (pid %s) exited with %s; restarting in %.0f s",
                self.process.pid,
                code,
                pause,
                extra={"event": "worker.exited", "code": code},
            )
            if self._stopping.wait(pause):
                return
            with self._lock:
                if self._stopping.is_set():
                    return
                self.restarts += 1
                self.process = self._start(self.restarts)
                started = time.monotonic()
            log.warning(
                "the embedded task worker was restarted (pid %s, restart %s)",
                self.process.pid,
                self.restarts,
                extra={"event": "worker.restarted", "restarts": self.restarts},
            )
            pause = min(pause * 2, self._max_pause)

    def stop(self, timeout: float = 15.0) -> None:
        """Stop supervising and end the worker (SIGTERM, then SIGKILL after ``timeout``)."""
        with self._lock:
            self._stopping.set()
            process = self.process
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)  # SIGKILL is delivered asynchronously: reap it here
        if self._thread.is_alive():
            self._thread.join(timeout=5)
