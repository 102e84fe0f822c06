"""No blocking work on the event loop (docs/architecture.md, "The route rule").

Every route is a plain ``def``: FastAPI runs it on its thread pool, and a slow PDF parse or a
database write holds one thread, not the loop every other request needs. ``async def`` is
kept for the few routes that stream a request body and hand all their work to
``hireflow.web.deps.run_in_thread``.

Two checks: the routes as declared (a static walk over the real app), and the routes as they
run: the real app in a real uvicorn server, a resume batch uploaded and an interview answered
while a probe on the server's loop measures how late a 20 ms timer fires. A route that parses
or writes on the loop makes the timer late by as long as the work takes.
"""

from __future__ import annotations

import asyncio
import inspect
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from hireflow.app import create_app
from hireflow.core.db import Database, make_engine, set_database
from hireflow.core.settings import get_settings
from tests.conftest import login, make_org, migrated_url
from tests.interviews.conftest import DATA
from tests.interviews.factories import ANSWERS_EN, TAB, make_setup
from tests.openings.factories import RESUMES, make_opening

# Routes that stay ``async def``, and why. Each reads a raw request body on the loop and does
# all its work through ``run_in_thread``.
STREAMING_ROUTES = {
    "hireflow.interviews.routes_api.link_upload_chunk": "raw recording chunk (PUT body)",
    "hireflow.interviews.routes_candidate_web.interview_upload_chunk": "raw recording chunk (PUT body)",
}

# How late the loop may wake a timer while requests run. A blocking call on the loop shows as
# its whole duration (a resume batch: seconds); threads competing for the GIL and a busy
# machine add a few milliseconds.
LAG_LIMIT = 0.25
TICK = 0.02
PORTS = range(9400, 9500)


def endpoints(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(path, route) for every API route the app serves, through included routers."""

    def walk(routes: list, prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                context = getattr(route, "include_context", None)
                yield from walk(included.routes, prefix + getattr(context, "prefix", ""))
            elif isinstance(route, APIRoute):
                yield prefix + route.path, route

    yield from walk(app.router.routes, "")


def qualified(route: APIRoute) -> str:
    return f"{route.endpoint.__module__}.{route.endpoint.__qualname__}"


@pytest.fixture(scope="module")
def served_app() -> FastAPI:
    return create_app(get_settings())


def test_the_route_walk_sees_every_router(served_app: FastAPI) -> None:
    found = {qualified(route): path for path, route in endpoints(served_app)}
    assert len(found) > 200
    assert found["hireflow.web.routes.healthz"] == "/healthz"
    assert found["hireflow.interviews.routes_api.link_text"].startswith("/api/v1/links/")


def test_every_route_is_a_plain_def_unless_it_streams(served_app: FastAPI) -> None:
    coroutines = {
        qualified(route): f"{sorted(route.methods)[0]} {path}"
        for path, route in endpoints(served_app)
        if inspect.iscoroutinefunction(route.endpoint)
    }
    offenders = sorted(
        f"{name}  ({where})" for name, where in coroutines.items() if name not in STREAMING_ROUTES
    )
    if offenders:
        pytest.fail(
            "These routes are async def; make them plain def (or, if they stream, hand all "
            "their work to run_in_thread and add them to STREAMING_ROUTES with the reason):\n  "
            + "\n  ".join(offenders),
            pytrace=False,
        )
    stale = sorted(set(STREAMING_ROUTES) - set(coroutines))
    assert not stale, f"no longer async def, remove from STREAMING_ROUTES: {stale}"


# --------------------------------------------------------------------------- the watchdog


class LoopWatch:
    """A timer on the server's loop: how late it fired, per phase of the test, and which
    requests were in flight when it was late."""

    def __init__(self) -> None:
        self.phase = "start-up"
        self.worst: dict[str, float] = {}
        self.in_flight: list[str] = []
        self.seen: set[str] = set()  # requests in flight at some time during the current tick
        self.culprits: list[str] = []

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            self.seen = set(self.in_flight)
            await asyncio.sleep(TICK)
            late = loop.time() - before - TICK
            self.worst[self.phase] = max(self.worst.get(self.phase, 0.0), late)
            if late > LAG_LIMIT:
                self.culprits.append(f"[{self.phase}] {late:.2f} s late during {sorted(self.seen)}")

    def track(self, app: ASGIApp) -> ASGIApp:
        """``app`` noting each request while it runs (to name the route that blocked)."""

        async def tracked(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            name = f"{scope['method']} {scope['path']}"
            self.in_flight.append(name)
            self.seen.add(name)
            try:
                await app(scope, receive, send)
            finally:
                self.in_flight.remove(name)

        return tracked

    def enter(self, phase: str) -> None:
        """Start a phase, once the loop has had time to report the previous one."""
        time.sleep(5 * TICK)
        self.phase = phase

    def blocked(self) -> dict[str, float]:
        return {phase: round(late, 3) for phase, late in self.worst.items() if late > LAG_LIMIT}


def bound_socket() -> socket.socket:
    """A listening socket on a free port of ours, held from here on (no race for the port
    with a parallel test run)."""
    for port in PORTS:
        sock = socket.socket()
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            sock.close()
            continue
        sock.listen(128)
        return sock
    raise RuntimeError(f"no free port in {PORTS}")


@contextmanager
def watched_server(app: FastAPI) -> Iterator[tuple[str, LoopWatch]]:
    """The app in uvicorn on a thread of its own, with a :class:`LoopWatch` on its loop."""
    watch = LoopWatch()
    sock = bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(watch.track(app), log_level="warning", lifespan="off"))

    async def main() -> None:
        probe = asyncio.create_task(watch.run())
        try:
            await server.serve(sockets=[sock])
        finally:
            probe.cancel()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="watched-server")
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", watch
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def live_database(tmp_path: Path) -> Iterator[Database]:
    """A database of its own: the server's threads commit for real, outside any test
    transaction."""
    url = migrated_url("sqlite", tmp_path / "loop.db")
    database = Database(make_engine(url))
    try:
        yield database
    finally:
        set_database(None)
        database.engine.dispose()


KINDS = {
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
RESUME_FILES = sorted(p for p in RESUMES.iterdir() if p.suffix in KINDS)
BATCH = RESUME_FILES[:8]
# One resume of each format and language, none of them in the batch.
WARM_UP = list({(p.suffix, p.name[4:6]): p for p in reversed(RESUME_FILES[8:])}.values())


def upload_resumes(base: str, session, org, files: list[Path]) -> None:
    opening = make_opening(session, org)
    batch = [("files", (p.name, p.read_bytes(), KINDS[p.suffix])) for p in files]
    with httpx.Client(base_url=base, timeout=120) as client:
        login(client, org.users["recruiter"])
        page = client.post(f"/openings/{opening.id}/upload", files=batch)
        assert page.status_code == 200, page.text[:500]
        assert page.text.count('data-code="ok"') == len(files), page.text[:2000]


def answer_interview(base: str, session, org) -> None:
    setup = make_setup(session, org, language="en")
    link = f"/api/v1/links/{setup.token}/interview"
    with httpx.Client(base_url=base, timeout=120, headers=setup.headers) as client:
        state = client.get(link).json()
        state = client.post(
            f"{link}/consent",
            json={
                "tab": TAB,
                "recording": True,
                "ai_assessment": True,
                "notice_version": state["notice_version"],
            },
        ).json()
        questions = state["questions"]
        first = questions[0]["id"]
        client.post(f"{link}/questions/{first}/open", json={"tab": TAB}).raise_for_status()
        recording = (DATA / "en_answer.mp4").read_bytes()
        upload = client.post(
            f"{link}/questions/{first}/uploads",
            json={"tab": TAB, "mode": "voice", "content_type": "audio/mp4", "size": len(recording)},
        ).json()
        token = upload["upload_token"]
        client.put(f"{link}/uploads/{token}?offset=0", content=recording).raise_for_status()
        done = client.post(f"{link}/uploads/{token}/complete").json()
        assert done["status"] == "answered", done
        for question in questions[1:]:
            client.post(f"{link}/questions/{question['id']}/open", json={"tab": TAB})
            saved = client.put(
                f"{link}/questions/{question['id']}/text",
                json={"tab": TAB, "text": ANSWERS_EN, "final": True},
            )
            assert saved.status_code == 200, saved.text
        submitted = client.post(f"{link}/submit", json={"tab": TAB}).json()
        assert submitted["status"] == "submitted", submitted


def failure(watch: LoopWatch) -> str:
    culprits = "\n".join(watch.culprits)
    return f"the event loop was blocked longer than {LAG_LIMIT} s: {watch.blocked()}\n{culprits}"


def test_no_request_blocks_the_loop(live_database: Database) -> None:
    app = create_app(get_settings(), live_database)
    with live_database.session() as session:
        org = make_org(session)
        with watched_server(app) as (base, watch):
            # The first resume a process reads loads the parsing models (a word dictionary
            # for Chinese, the tagger): about a second in calls that keep the GIL, so every
            # thread, the loop's too, waits once. Not a call on the loop; not judged here.
            watch.enter("warm-up")
            upload_resumes(base, session, org, WARM_UP)
            watch.enter("resume batch upload")
            upload_resumes(base, session, org, BATCH)
            watch.enter("interview answered")
            answer_interview(base, session, org)
            watch.enter("done")
    assert "resume batch upload" in watch.worst and "interview answered" in watch.worst
    watch.worst.pop("warm-up")
    if watch.blocked():
        pytest.fail(failure(watch), pytrace=False)


def test_the_watchdog_catches_a_blocking_route(live_database: Database) -> None:
    """The same probe on a route that sleeps on the loop (what a blocking service call in an
    ``async def`` does): the test above can fail."""
    app = create_app(get_settings(), live_database)

    @app.get("/blocks-the-loop")
    async def blocks(request: Request) -> dict[str, bool]:
        time.sleep(3 * LAG_LIMIT)
        return {"ok": True}

    @app.get("/sleeps-in-a-thread")
    def sleeps(request: Request) -> dict[str, bool]:
        time.sleep(3 * LAG_LIMIT)
        return {"ok": True}

    with watched_server(app) as (base, watch):
        watch.enter("thread")
        assert httpx.get(f"{base}/sleeps-in-a-thread", timeout=30).json() == {"ok": True}
        watch.enter("loop")
        assert httpx.get(f"{base}/blocks-the-loop", timeout=30).json() == {"ok": True}
        watch.enter("done")
    assert set(watch.blocked()) == {"loop"}, watch.worst
    assert watch.worst["loop"] >= 2 * LAG_LIMIT
    assert watch.culprits and all("GET /blocks-the-loop" in c for c in watch.culprits), (
        watch.culprits
    )
