"""Notices that a live room changed, so that HR's open event streams read the room when it
changed instead of looking at it every fraction of a second.

Whoever changes what HR's assistant page shows (a line transcribed, the assistant's hints and
checklist, someone joining or consenting, a question marked, the end) calls
:func:`changed_on_commit`; once the transaction commits, :func:`publish` sends a small "room N
changed" notice through the AI interview's live channel (``interviews/live.py``):

- this process's streams of the room wake at once (its in-process hub);
- with Redis (``HIREFLOW_BROKER_URL`` is ``redis://``) the notice goes on
  ``hireflow:interview:-<room id>`` (rooms take the negative keys of that channel), so the
  speech workers and every web process reach every web process's streams.

Without Redis (the embedded default) the speech worker is another process: its notices reach
the web processes of the same host through UNIX datagram sockets (``live/local_notices.py``).
Until this process heard a worker that way (a worker elsewhere, no UNIX sockets), it falls
back on what it knows itself: a line can only come from a chunk, and after it queued one of
room N (:func:`expect_on_commit`) N's streams in this process look at the room every
``FAST_POLL_SECONDS`` for ``EXPECT_SECONDS``, enough for the line and its hints under load.
Otherwise an idle stream looks only every ``IDLE_POLL_SECONDS`` (1 s, a safety net, as Redis
mode's 15 s).
"""

from __future__ import annotations

import threading
import time

from sqlalchemy.orm import Session

from hireflow.core.db import on_commit
from hireflow.interviews import live
from hireflow.live import local_notices

FAST_POLL_SECONDS = 0.2
#: As the AI interview's embedded poll: a change this process was not told of (another web
#: process, a wake-up that came while nobody listened) shows within a second.
IDLE_POLL_SECONDS = live.POLL_SECONDS_EMBEDDED
#: How long after a chunk was queued its line and hints may still come (the queue and the
#: model under load; the longest measured line took 14 s).
EXPECT_SECONDS = 60.0

_lock = threading.Lock()
_expected: dict[int, float] = {}  # room id -> monotonic time until which a line may come


def key(room_id: int) -> int:
    """The room's key on the live channel (interview ids are positive, rooms negative)."""
    return -room_id


def publish(room_id: int, from_worker: bool = False) -> None:
    """Tell every stream of the room that its state changed (call after the commit)."""
    live.publish(key(room_id))
    if not pushed():
        local_notices.send(room_id, from_worker)


def changed_on_commit(session: Session, room_id: int, from_worker: bool = False) -> None:
    """Publish the room's notice once the session's transaction commits (never on rollback)."""
    on_commit(session, lambda: publish(room_id, from_worker))


def expect(room_id: int) -> None:
    """A chunk of the room was queued here: its line (and hints) follow from the worker."""
    now = time.monotonic()
    with _lock:
        for stale in [r for r, until in _expected.items() if until <= now]:
            del _expected[stale]  # rooms nobody watched
        _expected[room_id] = now + EXPECT_SECONDS


def expect_on_commit(session: Session, room_id: int) -> None:
    on_commit(session, lambda: expect(room_id))


def expecting(room_id: int) -> bool:
    """Whether a line of the room may come from a worker this process cannot hear."""
    now = time.monotonic()
    with _lock:
        until = _expected.get(room_id)
        if until is not None and until <= now:
            del _expected[room_id]
            return False
        return until is not None


def pushed() -> bool:
    """Whether notices reach this process from other processes (Redis)."""
    return live.redis_url() is not None
