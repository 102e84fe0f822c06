"""HR's event stream is pushed, not polled: an idle stream sends no query to the database; a
line committed by the speech worker (another process) reaches it through Redis at once; a
change made in the web process wakes it directly; without Redis, a chunk queued by the web
process makes its streams look until the line has come, and a slow safety net covers the rest.

The speech worker is played by a session of its own that commits a line and tells nobody
(or, with Redis, a plain Redis client publishes the notice the worker sends)."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from sqlalchemy import event, select

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.interviews import live
from hireflow.live import audio, local_notices, notices, push
from hireflow.live.models import LiveParticipant, LiveRoom, LiveUtterance
from tests.interviews.test_live import redis_broker, run_in_fresh_loop  # noqa: F401 - fixture
from tests.live.factories import everyone_in, make_room

# The Redis test shares its database with the AI interview's live tests.
pytestmark = pytest.mark.xdist_group("redis")


class Statements:
    """Counts the SQL statements sent to the database while it is attached."""

    def __init__(self) -> None:
        self.count = 0
        self.engine = get_database().engine

    def _seen(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> Statements:
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)


class Screen:
    """HR's page: the room's stream in a task, each ``state`` event with its arrival time."""

    def __init__(self, room_id: int) -> None:
        self.stream = push.room_stream(get_database(), room_id, 0, asyncio.to_thread)
        self.states: asyncio.Queue[tuple[float, dict]] = asyncio.Queue()
        self.task = asyncio.ensure_future(self._listen())

    async def _listen(self) -> None:
        async for chunk in self.stream:
            if chunk.startswith("id: "):
                data = chunk.split("\ndata: ", 1)[1]
                await self.states.put((time.perf_counter(), json.loads(data)))

    async def next(self, timeout: float = 5.0) -> tuple[float, dict]:
        return await asyncio.wait_for(self.states.get(), timeout)

    async def close(self) -> None:
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        await self.stream.aclose()


def candidate_of(session, room_id: int) -> LiveParticipant:
    return session.scalars(
        select(LiveParticipant).where(
            LiveParticipant.room_id == room_id, LiveParticipant.role == "candidate"
        )
    ).one()


def worker_line(room_id: int, text: str = "I led the migration myself.") -> int:
    """What the speech worker commits, in a session of its own and without any notice."""
    with get_database().session() as session:
        candidate = candidate_of(session, room_id)
        line = LiveUtterance(
            tenant_id=candidate.tenant_id,
            room_id=room_id,
            participant_id=candidate.id,
            speaker="candidate",
            text=text,
            language="en",
        )
        session.add(line)
        session.commit()
        return line.id


def silence_wav(seconds: float = 0.5, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(b"\0\0" * int(seconds * rate))
    return out.getvalue()


def post_chunk(room_id: int) -> None:
    """The web process takes a chunk from the candidate's page and queues it."""
    with get_database().session() as session:
        room = session.get(LiveRoom, room_id)
        candidate = candidate_of(session, room_id)
        audio.receive_chunk(
            session, get_settings(), room, candidate, None, silence_wav(), "audio/wav"
        )


@pytest.fixture
def pushed_by_redis(redis_broker, monkeypatch):  # noqa: F811 - the imported fixture
    """Redis as the broker (the AI interview's live tests' fixture), each loop subscribing
    afresh (a new loop may reuse a closed one's id)."""
    monkeypatch.setattr(live, "_subscribers", {})
    return redis_broker


def test_through_redis_the_workers_line_arrives_at_once_and_an_idle_stream_reads_nothing(
    session, org, pushed_by_redis
):
    room = make_room(session, org)
    everyone_in(session, org, room)
    room_id = room.id
    assert notices.pushed()

    async def scenario() -> tuple[int, float]:
        with Statements() as statements:
            screen = Screen(room_id)
            _, first = await screen.next()
            assert first["recording"] is True and first["utterances"] == []
            await asyncio.sleep(0.5)  # the Redis subscriber connects
            before = statements.count
            await asyncio.sleep(2.0)
            idle = statements.count - before
            line_id = await asyncio.to_thread(worker_line, room_id)
            started = time.perf_counter()
            # What the speech worker sends after its commit (notices.publish in that process).
            pushed_by_redis.publish(f"{live.CHANNEL_PREFIX}{notices.key(room_id)}", "1")
            arrived, state = await screen.next()
            await screen.close()
        assert [u["id"] for u in state["utterances"]] == [line_id]
        return idle, arrived - started

    idle, took = run_in_fresh_loop(scenario())
    assert idle == 0, f"an idle stream sent {idle} statements in 2 s"
    assert took < 1.0, f"the line took {took:.2f} s"
    assert live.hub.count() == 0  # the closed stream left nothing behind


def test_without_redis_a_change_made_here_wakes_the_stream_and_a_queued_chunk_is_watched(
    session, org, monkeypatch
):
    monkeypatch.setattr(notices, "IDLE_POLL_SECONDS", 60.0)  # no safety net: wake-ups only
    room = make_room(session, org)
    hr, _staff, _candidate = everyone_in(session, org, room)
    room_id = room.id
    question = next(q for q in audio.checklist(room)["questions"] if q["required"])["id"]
    assert not notices.pushed()

    def mark() -> None:
        with get_database().session() as own:
            audio.set_current_question(own, hr, room_id, question)

    async def scenario() -> dict[str, float]:
        figures: dict[str, float] = {}
        with Statements() as statements:
            screen = Screen(room_id)
            await screen.next()
            before = statements.count
            await asyncio.sleep(1.5)
            figures["idle"] = statements.count - before
            # HR marks a question in this web process: the commit wakes the stream itself.
            started = time.perf_counter()
            await asyncio.to_thread(mark)
            arrived, state = await screen.next()
            assert state["checklist"]["current"] == question
            figures["marked"] = arrived - started
            # A chunk queued here: the worker's line cannot be announced, the stream looks.
            await asyncio.to_thread(post_chunk, room_id)
            line_id = await asyncio.to_thread(worker_line, room_id)
            started = time.perf_counter()
            arrived, state = await screen.next()
            assert [u["id"] for u in state["utterances"]] == [line_id]
            figures["line"] = arrived - started
            await screen.close()
        return figures

    figures = run_in_fresh_loop(scenario())
    assert figures["idle"] == 0, figures
    assert figures["marked"] < 0.5, figures
    assert figures["line"] < 1.0, figures


def test_without_redis_or_a_chunk_the_safety_net_still_delivers(session, org, monkeypatch):
    room = make_room(session, org)
    everyone_in(session, org, room)
    room_id = room.id

    async def scenario() -> tuple[float, dict, int]:
        screen = Screen(room_id)
        await screen.next()
        line_id = await asyncio.to_thread(worker_line, room_id)  # nobody tells this process
        started = time.perf_counter()
        arrived, state = await screen.next(timeout=5)
        await screen.close()
        return arrived - started, state, line_id

    took, state, line_id = run_in_fresh_loop(scenario())
    assert [u["id"] for u in state["utterances"]] == [line_id]
    assert took < notices.IDLE_POLL_SECONDS + 1.0


@pytest.fixture
def local_socket():
    """This process listens for other processes' notices (as a web process with a stream
    does); stopped afterwards, so the next test starts without having heard a worker."""
    local_notices.close()
    yield
    local_notices.close()


def worker_notice(room_id: int) -> float:
    """What the speech worker sends after its commit, from a process of its own; the time
    it was sent."""
    code = (
        "import sys, time\n"
        "from hireflow.live import local_notices\n"
        "local_notices.send(int(sys.argv[1]), from_worker=True)\n"
        "print(time.time())\n"
    )
    env = {**os.environ, "HIREFLOW_DATA_DIR": str(get_settings().data_dir)}
    done = subprocess.run(
        [sys.executable, "-c", code, str(room_id)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    return float(done.stdout.strip())


def test_without_redis_the_workers_notice_comes_by_a_local_socket(
    session, org, monkeypatch, local_socket
):
    """On one host without Redis the speech worker (another process) wakes the stream through
    a UNIX datagram socket: the line shows at once, and once a worker was heard the stream
    no longer watches the room while a chunk is on its way."""
    monkeypatch.setattr(notices, "IDLE_POLL_SECONDS", 60.0)  # no safety net: wake-ups only
    room = make_room(session, org)
    everyone_in(session, org, room)
    room_id = room.id
    assert not notices.pushed()

    # The other process stamps the notice with the wall clock, the screen its arrival with
    # perf_counter: compared here, without the other process's exit in between.
    clock = time.time() - time.perf_counter()

    async def scenario() -> dict[str, float]:
        figures: dict[str, float] = {}
        with Statements() as statements:
            screen = Screen(room_id)
            await screen.next()
            assert local_notices.listening() and not local_notices.heard()
            line_id = await asyncio.to_thread(worker_line, room_id)
            sent = await asyncio.to_thread(worker_notice, room_id)
            arrived, state = await screen.next(timeout=5)
            figures["line"] = arrived + clock - sent
            assert [u["id"] for u in state["utterances"]] == [line_id]
            assert local_notices.heard()
            # Under load the line can reach the screen before the notice (the worker's commit
            # is seen on a tick); the read that notice still causes is not watching.
            await asyncio.sleep(notices.FAST_POLL_SECONDS * 3)
            # A chunk queued now is not watched: the worker's notice will say when.
            await asyncio.to_thread(post_chunk, room_id)
            before = statements.count
            await asyncio.sleep(1.5)
            figures["watching"] = statements.count - before
            line_id = await asyncio.to_thread(worker_line, room_id, "And I wrote the plan.")
            sent = await asyncio.to_thread(worker_notice, room_id)
            arrived, state = await screen.next(timeout=5)
            figures["second"] = arrived + clock - sent
            assert [u["id"] for u in state["utterances"]] == [line_id]
            await screen.close()
        return figures

    figures = run_in_fresh_loop(scenario())
    assert figures["line"] < 1.0 and figures["second"] < 1.0, figures
    assert figures["watching"] == 0, figures


def test_a_socket_nobody_listens_on_any_more_is_removed(local_socket):
    """A web process that ended left its socket behind: the next notice removes it."""
    folder = local_notices.directory()
    folder.mkdir(parents=True, exist_ok=True)
    stale = folder / "999999999.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as gone:
        gone.bind(str(stale))
    assert stale.exists()
    local_notices.send(1, from_worker=True)
    assert not stale.exists()
