"""HR's assistant page by server-sent events: new lines, new hints and the room's state are
pushed as they commit, instead of the page polling for them.

One ``state`` event carries what changed since the page's cursor (the same shape as
``GET /live/rooms/<id>``: new utterances and hints, the checklist, consent, time). The event
id is the cursor: ``utterance id * 2**31 + hint id``, both only grow, so a reconnecting
``EventSource`` (``Last-Event-ID``) resumes where it was. The stream itself is the AI
interview's (``interviews/live.py``: keep-alives, bounded life, wake-ups within this process);
the speech worker is another process, so the stream also looks at the room every
``POLL_SECONDS`` with one cheap query (the newest ids, consents and the assistant's state)
and reads the rest only when that changed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from sqlalchemy import func, select

from hireflow.core.db import Database
from hireflow.interviews.live import hub, stream
from hireflow.live import audio
from hireflow.live.models import LiveHint, LiveParticipant, LiveRoom, LiveUtterance

POLL_SECONDS = 0.2
CURSOR = 2**31

Event = tuple[int, str, dict[str, Any]]


def cursor_of(utterance_id: int, hint_id: int) -> int:
    return utterance_id * CURSOR + hint_id


def split_cursor(cursor: int) -> tuple[int, int]:
    utterance_id, hint_id = divmod(max(0, cursor), CURSOR)
    return utterance_id, hint_id


def _key(room_id: int) -> int:
    # The in-process hub is keyed by interview id; rooms take the negative numbers.
    return -room_id


def wake(room_id: int) -> None:
    """Streams of this room in this process look now (after a commit made here)."""
    hub.wake(_key(room_id))


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


def room_stream(
    database: Database,
    room_id: int,
    after: int,
    run: Callable[..., Coroutine[Any, Any, list[Event]]],
) -> AsyncIterator[str]:
    """The room's server-sent events after cursor ``after``; ``run(read, cursor)`` runs the
    blocking read off the event loop (the web app's thread pool)."""
    read = room_reader(database, room_id)

    async def fetch(cursor: int) -> list[Event]:
        return await run(read, cursor)

    return stream(_key(room_id), after, fetch, poll_seconds=POLL_SECONDS)
