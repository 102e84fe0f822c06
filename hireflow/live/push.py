"""HR's assistant page by server-sent events: new lines, new hints and the room's state are
pushed as they commit, instead of the page polling for them.

One ``state`` event carries what changed since the page's cursor (the same shape as
``GET /live/rooms/<id>``: new utterances and hints, the checklist, consent, time). The event
id is the cursor: ``utterance id * 2**31 + hint id``, both only grow, so a reconnecting
``EventSource`` (``Last-Event-ID``) resumes where it was. The stream itself is the AI
interview's (``interviews/live.py``: keep-alives, bounded life). It reads the room when a
notice says the room changed (``live/notices.py``: after every commit that changes what the
page shows, in this process or, through Redis, in any other) and otherwise not at all, but
for a safety net: every 15 s with Redis; without Redis every second, and every 0.2 s while a
chunk this process queued may still turn into a line until this process heard the speech
worker's notices on its local socket (``live/local_notices.py``). A read is one small query
(newest ids, consents, the assistant's state); the rest is read only when that changed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from typing import Any, cast

from sqlalchemy import func, select

from hireflow.core.db import Database
from hireflow.interviews.live import POLL_SECONDS_REDIS, hub, stream
from hireflow.live import audio, local_notices, notices
from hireflow.live.models import LiveHint, LiveParticipant, LiveRoom, LiveUtterance

CURSOR = 2**31

Event = tuple[int, str, dict[str, Any]]


def cursor_of(utterance_id: int, hint_id: int) -> int:
    return utterance_id * CURSOR + hint_id


def split_cursor(cursor: int) -> tuple[int, int]:
    utterance_id, hint_id = divmod(max(0, cursor), CURSOR)
    return utterance_id, hint_id


def _probe(database: Database, room_id: int) -> tuple[Any, ...] | None:
    with database.session() as session:
        utterances = select(func.max(LiveUtterance.id)).where(LiveUtterance.room_id == room_id)
        hints = select(func.max(LiveHint.id)).where(LiveHint.room_id == room_id)
        consents = select(func.count(LiveParticipant.consented_at)).where(
            LiveParticipant.room_id == room_id
        )
        people = select(func.count(LiveParticipant.id)).where(LiveParticipant.room_id == room_id)
        row = session.execute(
            select(
                LiveRoom.status,
                LiveRoom.current_question,
                LiveRoom.started_at,
                LiveRoom.assistant,
                utterances.scalar_subquery(),
                hints.scalar_subquery(),
                consents.scalar_subquery(),
                people.scalar_subquery(),
            ).where(LiveRoom.id == room_id)
        ).first()
    if row is None:
        return None
    return tuple(repr(v) for v in row)


def room_reader(database: Database, room_id: int) -> Callable[[int], list[Event]]:
    """``read(cursor)``: one ``state`` event when anything changed since the last read."""
    seen: dict[str, Any] = {"probe": None}

    def read(after: int) -> list[Event]:
        probe = _probe(database, room_id)
        if probe is None or probe == seen["probe"]:
            return []
        seen["probe"] = probe
        last_utterance, last_hint = split_cursor(after)
        with database.session() as session:
            room = session.get(LiveRoom, room_id)
            if room is None:
                return []
            state = audio.room_state(session, room, last_utterance, last_hint)
        last_utterance = max([last_utterance, *(u["id"] for u in state["utterances"])])
        last_hint = max([last_hint, *(h["id"] for h in state["hints"])])
        return [(cursor_of(last_utterance, last_hint), "state", state)]

    return read


async def room_stream(
    database: Database,
    room_id: int,
    after: int,
    run: Callable[..., Coroutine[Any, Any, list[Event]]],
) -> AsyncIterator[str]:
    """The room's server-sent events after cursor ``after``; ``run(read, cursor)`` runs the
    blocking read off the event loop (the web app's thread pool)."""
    read = room_reader(database, room_id)
    loop = asyncio.get_running_loop()
    noticed = asyncio.Event()  # set by the room's notices, beside the stream's own wake-up
    hub.add(notices.key(room_id), loop, noticed)
    pushed = notices.pushed()
    # Without Redis the speech worker's notices come by a local socket once it was heard.
    local = not pushed and local_notices.listening()
    read_at = float("-inf")

    async def fetch(cursor: int) -> list[Event]:
        nonlocal read_at
        # With Redis the stream only calls this on a notice or its 15 s safety net; without,
        # it ticks every 0.2 s and this decides whether the tick reads (no query otherwise).
        due = (
            pushed
            or noticed.is_set()
            or (notices.expecting(room_id) and not (local and local_notices.heard()))
            or loop.time() - read_at >= notices.IDLE_POLL_SECONDS
        )
        if not due:
            return []
        noticed.clear()
        read_at = loop.time()
        return await run(read, cursor)

    poll = POLL_SECONDS_REDIS if pushed else notices.FAST_POLL_SECONDS
    events = cast(  # an async generator: closed with this one
        AsyncGenerator[str, None], stream(notices.key(room_id), after, fetch, poll_seconds=poll)
    )
    try:
        async for chunk in events:
            yield chunk
    finally:
        hub.remove(notices.key(room_id), loop, noticed)
        with contextlib.suppress(RuntimeError):  # closed already
            await events.aclose()
