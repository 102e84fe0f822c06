"""The live channel (hireflow.interviews.live): waking streams in-process, across processes
through Redis pub/sub, and the database poll that covers a lost wake-up."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from hireflow.core.settings import get_settings
from hireflow.interviews import live


def run_in_fresh_loop(coroutine):
    """``asyncio.run`` on a thread of its own: the browser tests' Playwright keeps an event
    loop running on the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS", "redis://127.0.0.1:6379/15")
# These tests empty and share their Redis database: under pytest-xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("redis")


class Rows:
    """A stand-in event table (the stream reads rows after an id, like the real query)."""

    def __init__(self) -> None:
        self.rows: list[tuple[int, str, dict]] = []
        self.reads = 0

    def add(self, kind: str, **data) -> None:
        self.rows.append((len(self.rows) + 1, kind, data))

    async def fetch(self, after: int) -> list[tuple[int, str, dict]]:
        self.reads += 1
        return [row for row in self.rows if row[0] > after]


async def _first_event(stream, timeout: float = 5.0) -> str:
    async def read() -> str:
        async for chunk in stream:
            if chunk.startswith("id:"):
                return chunk
        return ""

    return await asyncio.wait_for(read(), timeout)


def test_event_format():
    text = live.format_event(7, "question_added", {"text": "你好", "index": 3})
    assert text == 'id: 7\nevent: question_added\ndata: {"text":"你好","index":3}\n\n'


def test_events_written_before_connecting_are_replayed_after_the_last_seen_id():
    rows = Rows()
    rows.add("question_added", text="a")
    rows.add("hr_answer", question=1)

    async def run() -> list[str]:
        out = []
        stream = live.stream(42, 1, rows.fetch, poll_seconds=0.05, max_seconds=0.3)
        async for chunk in stream:
            out.append(chunk)
        return out

    chunks = run_in_fresh_loop(run())
    assert chunks[0] == "retry: 3000\n\n"
    events = [c for c in chunks if c.startswith("id:")]
    assert events == [live.format_event(2, "hr_answer", {"question": 1})]


def test_a_publish_in_this_process_wakes_the_stream_at_once():
    rows = Rows()

    async def run() -> float:
        stream = live.stream(7, 0, rows.fetch, poll_seconds=30.0, max_seconds=10)
        assert await stream.__anext__() == "retry: 3000\n\n"
        waiting = asyncio.ensure_future(_first_event(stream))
        await asyncio.sleep(0.2)  # the stream is now waiting for a wake-up (30 s poll)

        def writer() -> None:  # a route in the thread pool commits an event, then publishes
            rows.add("question_added", text="push")
            live.publish(7)

        started = time.perf_counter()
        threading.Thread(target=writer).start()
        chunk = await waiting
        await stream.aclose()
        assert "question_added" in chunk
        return time.perf_counter() - started

    assert run_in_fresh_loop(run()) < 0.5
    assert live.hub.count() == 0  # the closed stream unregistered itself


def test_without_a_wake_up_the_poll_still_delivers():
    rows = Rows()

    async def run() -> str:
        stream = live.stream(8, 0, rows.fetch, poll_seconds=0.1, max_seconds=5)
        await stream.__anext__()
        rows.add("scored")  # written by another process: nobody wakes this one
        chunk = await _first_event(stream, timeout=2)
        await stream.aclose()
        return chunk

    assert "scored" in run_in_fresh_loop(run())


@pytest.fixture
def redis_broker(monkeypatch):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.ConnectionError as exc:  # pragma: no cover - environment problem
        pytest.fail(f"Redis is required for this test ({REDIS_URL}): {exc}")
    settings = get_settings()
    monkeypatch.setattr(settings, "broker_url", REDIS_URL)
    monkeypatch.setattr(live, "_redis_client", None)
    yield client
    live._redis_client = None
    client.close()


def test_through_redis_another_process_wakes_the_stream(redis_broker):
    """Another web process (or the worker) publishes on Redis; this process's stream wakes."""
    rows = Rows()

    async def run() -> float:
        stream = live.stream(9, 0, rows.fetch, max_seconds=10)  # Redis: 15 s poll
        assert await stream.__anext__() == "retry: 3000\n\n"
        waiting = asyncio.ensure_future(_first_event(stream, timeout=5))
        await asyncio.sleep(0.5)  # let the subscriber connect
        rows.add("question_added", text="from elsewhere")
        started = time.perf_counter()
        # a plain Redis client stands in for the other process: no in-process hub involved
        redis_broker.publish(f"{live.CHANNEL_PREFIX}9", "1")
        chunk = await waiting
        await stream.aclose()
        assert "from elsewhere" in chunk
        return time.perf_counter() - started

    assert run_in_fresh_loop(run()) < 1.0
    assert rows.reads <= 3  # woken, not polled
