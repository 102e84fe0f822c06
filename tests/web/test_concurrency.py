"""More simultaneous requests than worker threads and database connections: they queue, and
every one is answered; none waits for a connection that a finished request still holds."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio.to_thread
import httpx

from hireflow.app import create_app
from hireflow.core.db import Database, make_engine
from hireflow.core.settings import get_settings
from tests.conftest import PASSWORD, make_org, migrated_url

REQUESTS = 40


async def _burst(app, email: str) -> list[int]:
    # Two worker threads and (below) two connections for forty requests at once.
    anyio.to_thread.current_default_thread_limiter().total_tokens = 2
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        login = await client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['token']}"}
        responses = await asyncio.wait_for(
            asyncio.gather(*(client.get("/api/v1/me", headers=headers) for _ in range(REQUESTS))),
            timeout=60,
        )
    return [r.status_code for r in responses]


def test_a_burst_beyond_threads_and_connections_is_answered(tmp_path: Path) -> None:
    url = migrated_url("sqlite", tmp_path / "burst.db")
    # A short pool timeout: a request starved of a connection fails fast and visibly.
    database = Database(make_engine(url, pool_size=2, max_overflow=0, pool_timeout=3))
    try:
        with database.session() as session:
            email = make_org(session).users["recruiter"].email
        app = create_app(get_settings(), database)
        # A loop of its own on a thread of its own (the browser tests keep one on this thread).
        with ThreadPoolExecutor(1) as pool:
            statuses = pool.submit(asyncio.run, _burst(app, email)).result()
    finally:
        database.engine.dispose()
    assert statuses == [200] * REQUESTS
