"""Live channel of a running interview: server-sent events for the candidate page (SPEC E5).

The events themselves are rows of ``interview_events`` (written in the transaction that caused
them), so nothing is lost when a page reconnects: the browser's ``EventSource`` sends
``Last-Event-ID`` and the stream resumes after it. What this module adds is *waking* the
streams when a new row commits, without every stream querying the database in a tight loop:

- **Redis** (``HIREFLOW_BROKER_URL`` is ``redis://``): :func:`publish` sends the interview id
  on channel ``hireflow:interview:<id>``; each web process runs one subscriber task that wakes
  its local streams. Any number of web processes, and the Celery workers, can publish.
- **Embedded default** (no Redis): the web process wakes its own streams directly (an
  in-process hub, thread-safe because routes run in a thread pool), and every stream also
  polls the table once a second, which covers events written by another process (the
  worker, a second web process).

With Redis a stream still re-reads the table every 15 s as a safety net; the table, not the
message, is the source of truth, so a lost Redis message costs at most that delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis
import redis.asyncio as aioredis

from hireflow.core.logging import log_error
from hireflow.core.settings import get_settings

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "hireflow:interview:"
POLL_SECONDS_EMBEDDED = 1.0
POLL_SECONDS_REDIS = 15.0
KEEPALIVE_SECONDS = 15.0
MAX_STREAM_SECONDS = 30 * 60  # the browser reconnects by itself; bounded streams free workers


def redis_url() -> str | None:
    """The Redis URL to publish on, or None for the embedded (in-process + polling) mode."""
    url = get_settings().broker_url
    return url if url.startswith(("redis://", "rediss://")) else None


class _LocalHub:
    """Wakes the streams of this process; safe to call from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def add(self, interview_id: int, loop: asyncio.AbstractEventLoop, event: asyncio.Event) -> None:
        with self._lock:
            self._waiters.setdefault(interview_id, set()).add((loop, event))

    def remove(
        self, interview_id: int, loop: asyncio.AbstractEventLoop, event: asyncio.Event
    ) -> None:
        with self._lock:
            waiters = self._waiters.get(interview_id)
            if waiters is not None:
                waiters.discard((loop, event))
                if not waiters:
                    del self._waiters[interview_id]

    def wake(self, interview_id: int) -> int:
        with self._lock:
            waiters = list(self._waiters.get(interview_id, ()))
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(event.set)
        return len(waiters)

    def count(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._waiters.values())


hub = _LocalHub()
_redis_lock = threading.Lock()
_redis_client: redis.Redis | None = None
_subscribers: dict[int, asyncio.Task[None]] = {}  # one per event loop (id)


def _client() -> redis.Redis | None:
    global _redis_client
    url = redis_url()
    if url is None:
        return None
    with _redis_lock:
        if _redis_client is None:
            _redis_client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        return _redis_client


def publish(interview_id: int) -> None:
    """Tell every stream of ``interview_id`` that new events committed (call after commit)."""
    hub.wake(interview_id)
    client = _client()
    if client is None:
        return
    try:
        client.publish(f"{CHANNEL_PREFIX}{interview_id}", "1")
    except Exception as exc:  # the table still has the event; polling delivers it later
        log_error(
            log,
            "live publish failed",
            exc,
            event="interviews.live_publish",
            level=logging.WARNING,
            interview_id=interview_id,
        )


async def _subscriber(url: str) -> None:
    """Forward Redis messages to this process's hub (runs for the life of the event loop)."""
    while True:
        try:
            client = aioredis.Redis.from_url(url)
            pubsub = client.pubsub()
            await pubsub.psubscribe(f"{CHANNEL_PREFIX}*")
            async for message in pubsub.listen():
                if message.get("type") != "pmessage":
                    continue
                channel = message.get("channel", b"")
                if isinstance(channel, bytes):
                    channel = channel.decode()
                suffix = str(channel).removeprefix(CHANNEL_PREFIX)
                if suffix.removeprefix("-").isdigit():  # live rooms take the negative keys
                    hub.wake(int(suffix))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis restarted: polling covers the gap, then resubscribe
            log_error(
                log,
                "live subscriber reconnecting",
                exc,
                event="interviews.live_subscriber",
                level=logging.WARNING,
            )
            await asyncio.sleep(2.0)


def _ensure_subscriber() -> None:
    url = redis_url()
    if url is None:
        return
    loop = asyncio.get_running_loop()
    task = _subscribers.get(id(loop))
    if task is None or task.done():
        _subscribers[id(loop)] = loop.create_task(_subscriber(url))


def format_event(event_id: int, kind: str, data: dict[str, Any]) -> str:
    """One server-sent event (``id``, ``event`` and one JSON ``data`` line)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"id: {event_id}\nevent: {kind}\ndata: {payload}\n\n"


async def stream(
    interview_id: int,
    after_id: int,
    fetch: Callable[[int], Any],
    *,
    poll_seconds: float | None = None,
    max_seconds: float = MAX_STREAM_SECONDS,
) -> AsyncIterator[str]:
    """Server-sent events of one interview after ``after_id``.

    ``fetch(after_id)`` (a coroutine function) returns new ``(id, kind, data)`` rows; it is
    called at start, whenever the interview is woken, and every ``poll_seconds``.
    """
    loop = asyncio.get_running_loop()
    woken = asyncio.Event()
    hub.add(interview_id, loop, woken)
    _ensure_subscriber()
    if poll_seconds is None:
        poll_seconds = POLL_SECONDS_REDIS if redis_url() else POLL_SECONDS_EMBEDDED
    last = after_id
    started = loop.time()
    quiet_since = started
    try:
        yield "retry: 3000\n\n"
        while loop.time() - started < max_seconds:
            # Cleared before reading, so a wake-up during the read is not lost.
            woken.clear()
            rows = await fetch(last)
            for event_id, kind, data in rows:
                last = max(last, int(event_id))
                yield format_event(int(event_id), kind, data)
            if rows:
                quiet_since = loop.time()
            elif loop.time() - quiet_since >= KEEPALIVE_SECONDS:
                quiet_since = loop.time()
                yield ": keepalive\n\n"
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), timeout=poll_seconds)
    finally:
        hub.remove(interview_id, loop, woken)
