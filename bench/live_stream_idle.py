"""Benchmark: database statements an idle HR event stream of a live room sends (SPEC E2).

HR's assistant page holds ``GET /api/v1/live/rooms/<id>/stream`` open for the whole call; most
of the time nothing changes. This opens ``--streams`` streams of the demo's live room (a fresh
SQLite installation, the demo company), lets each send its first event, then counts every SQL
statement the engine sends during ``--seconds`` of silence (SQLAlchemy's
``before_cursor_execute``), and prints statements per second per open stream. With
``--redis URL`` the installation uses that Redis as its broker (notices by publish/subscribe);
without, the embedded default. The streams are the web app's own generator
(``live.push.room_stream``), each on the event loop with its reads in threads, as the web
server runs them.

Run: ``.venv/bin/python bench/live_stream_idle.py [--streams 5] [--seconds 20] [--redis URL]``
(``PYTHONPATH`` chooses the code measured: the same script measures an older checkout).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time


def prepare(redis_url: str | None) -> int:
    """A fresh installation with the demo company; the demo's live room id."""
    os.environ["HIREFLOW_DATA_DIR"] = tempfile.mkdtemp(prefix="live-idle-")
    os.environ["HIREFLOW_LOG_LEVEL"] = "WARNING"
    if redis_url:
        os.environ["HIREFLOW_BROKER_URL"] = redis_url
    from sqlalchemy import select

    from hireflow.core.db import get_database
    from hireflow.core.migrate import upgrade
    from hireflow.core.settings import get_settings
    from hireflow.demo import create_demo
    from hireflow.live.models import LiveRoom

    upgrade(get_settings().database_url)
    with get_database().session() as session:
        create_demo(session)
        return session.scalars(select(LiveRoom.id).order_by(LiveRoom.id)).first()


async def measure(room_id: int, streams: int, seconds: float) -> tuple[int, int]:
    """(statements during the idle time, events received during it)."""
    from sqlalchemy import event

    from hireflow.core.db import get_database
    from hireflow.live import push

    database = get_database()
    counted = [0]

    def seen(*_args: object) -> None:
        counted[0] += 1

    opened = [push.room_stream(database, room_id, 0, asyncio.to_thread) for _ in range(streams)]

    async def first_event(stream) -> None:
        async for chunk in stream:
            if chunk.startswith("id: "):
                return

    await asyncio.gather(*(first_event(s) for s in opened))
    events = [0]

    async def drain(stream) -> None:
        async for chunk in stream:
            events[0] += chunk.startswith("id: ")

    event.listen(database.engine, "before_cursor_execute", seen)
    tasks = [asyncio.ensure_future(drain(s)) for s in opened]
    await asyncio.sleep(seconds)
    event.remove(database.engine, "before_cursor_execute", seen)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for stream in opened:
        await stream.aclose()
    return counted[0], events[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--streams", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--redis", default=None, help="redis://host:port/db as the broker")
    args = parser.parse_args()
    room_id = prepare(args.redis)
    load_before = os.getloadavg()
    began = time.perf_counter()
    statements, events = asyncio.run(measure(room_id, args.streams, args.seconds))
    took = time.perf_counter() - began
    rate = statements / args.seconds / args.streams
    mode = f"Redis ({args.redis})" if args.redis else "embedded (no Redis)"
    print(
        f"mode: {mode}; database: SQLite; {args.streams} streams idle for {args.seconds:.0f} s "
        f"(run {took:.0f} s); load average before {'/'.join(f'{x:.1f}' for x in load_before)}, "
        f"after {'/'.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores"
    )
    print(
        f"statements while idle: {statements} ({rate:.2f} per second per open stream); "
        f"events sent: {events}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
