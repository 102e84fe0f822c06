"""No blocking work on the event loop (docs/architecture.md, "The route rule").

Every route is a plain ``def``: FastAPI runs it on its thread pool, and a slow PDF parse or a
database write holds one thread, not the loop every other request needs. ``async def`` is
kept for the few routes that stream a request body and hand all their work to
``hireflow.web.deps.run_in_thread``.

Two checks: the routes as declared (a static walk over the real app), and the routes as they
run: the real app in a real uvicorn server, a resume batch uploaded and an interview answered
while a watch on the server's loop notes what the loop's own thread does: the CPU time it
spends per tick of a 20 ms timer (a route that parses or renders on the loop spends seconds)
and every call on it that waits (a file, a socket, a database statement, a child process,
``time.sleep``, another thread). Neither depends on the machine: how late the timer fires
does (a loaded machine, worker threads holding the GIL), so it is only reported.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from starlette.types import ASGIApp, Receive, Scope, Send

from hireflow.app import create_app
from hireflow.core.db import Database, make_engine, set_database
from hireflow.core.settings import get_settings
from tests.conftest import listening_socket, login, make_org, migrated_url
from tests.interviews.conftest import DATA
from tests.interviews.factories import ANSWERS_EN, TAB, make_setup
from tests.openings.factories import RESUMES, make_opening

# Routes that stay ``async def``, and why. Each reads a raw request body on the loop and does
# all its work through ``run_in_thread``.
STREAMING_ROUTES = {
    "hireflow.interviews.routes_api.link_upload_chunk": "raw recording chunk (PUT body)",
    "hireflow.interviews.routes_candidate_web.interview_upload_chunk": "raw recording chunk (PUT body)",
}

# The CPU time the loop's thread may spend in one tick of the probe. Parsing a resume on the
# loop costs seconds; reading a request's body, milliseconds. Judged in CPU time of the loop's
# own thread, not in how late the timer fires: waiting for a CPU on a loaded machine (load
# average 8 and more on two cores), or for the GIL while worker threads parse, made the timer
# late by more than a limit of 0.25 s without any route blocking the loop.
CPU_LIMIT = 0.25
TICK = 0.02
# Phases not judged: the server starting (no request yet), the warm-up (the resume models
# load once per process), the server stopping.
UNJUDGED = frozenset({"start-up", "warm-up", "done"})


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
    """What the server's loop did, per phase of the test: the most CPU time its own thread spent
    in one tick of a 20 ms timer, and every call on its thread that waits (for a file, the
    network, the database, a child process, another thread or the clock), with the requests in
    flight. Both are facts about the loop's thread, not about the machine: a loaded machine or
    worker threads holding the GIL make the loop wait to run, which costs it no CPU time and
    makes no call. How late the timer fired (what the machine's load does change) is kept for
    the failure message only."""

    def __init__(self) -> None:
        self.phase = "start-up"
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread: int | None = None
        self.busiest: dict[str, float] = {}  # phase -> most CPU seconds of the loop in one tick
        self.latest: dict[str, float] = {}  # phase -> how late the timer fired at worst
        self.findings: list[tuple[str, str]] = []  # (phase, what blocked the loop)
        self.in_flight: list[str] = []
        self.seen: set[str] = set()  # requests in flight at some time during the current tick
        self._tick_cpu = 0.0

    async def run(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.thread = threading.get_ident()
        while True:
            self._start_tick()
            before = self.loop.time()
            await asyncio.sleep(TICK)
            late = self.loop.time() - before - TICK
            self.latest[self.phase] = max(self.latest.get(self.phase, 0.0), late)
            self._end_tick()

    def _start_tick(self) -> None:
        self._tick_cpu = time.thread_time()
        self.seen = set(self.in_flight)

    def _end_tick(self) -> None:
        busy = time.thread_time() - self._tick_cpu  # on the loop's thread: its own CPU time
        self.busiest[self.phase] = max(self.busiest.get(self.phase, 0.0), busy)
        if busy > CPU_LIMIT:
            self.findings.append(
                (self.phase, f"{busy:.2f} s of CPU on the loop during {sorted(self.seen)}")
            )

    def waited(self, call: str) -> None:
        """A hook saw ``call`` (on any thread): a finding when the loop's thread made it."""
        if threading.get_ident() == self.thread:
            during = sorted(self.seen | set(self.in_flight))
            self.findings.append((self.phase, f"{call} on the loop during {during}"))

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
        """Start a phase on the loop itself, between two of its callbacks: what the loop did
        before belongs to the previous phase, however long the machine takes to run it."""
        assert self.loop is not None, "the probe is not running"
        switched = threading.Event()

        def switch() -> None:
            self._end_tick()
            self.phase = phase
            self._start_tick()
            switched.set()

        self.loop.call_soon_threadsafe(switch)
        assert switched.wait(120), "the loop did not run for two minutes"

    def blocked(self) -> dict[str, list[str]]:
        """The findings of the phases judged, by phase."""
        found: dict[str, list[str]] = {}
        for phase, what in self.findings:
            if phase not in UNJUDGED:
                found.setdefault(phase, []).append(what)
        return found


# Calls that wait, as audit events (sys.addaudithook; time.sleep and the waits between threads
# have none before Python 3.12 and are wrapped below, statements through SQLAlchemy's events).
WAITING_EVENTS = frozenset(
    {
        "open",
        "socket.connect",
        "socket.getaddrinfo",
        "socket.gethostbyname",
        "socket.gethostbyaddr",
        "subprocess.Popen",
        "os.system",
        "sqlite3.connect",
    }
)
_WATCHING: list[LoopWatch] = []


# Waits on the loop that are allowed, by the function making them: starting a worker thread
# (the new thread says it runs), and reading an endpoint's source file once for FastAPI's
# error context (inspect through linecache, cached for the process).
EXPECTED = {("threading.py", "start"), ("linecache.py", "updatecache")}


def _expected(frame: FrameType | None) -> bool:
    for _ in range(4):
        if frame is None:
            return False
        if (Path(frame.f_code.co_filename).name, frame.f_code.co_name) in EXPECTED:
            return True
        frame = frame.f_back
    return False


def _audit(event: str, args: tuple) -> None:
    if _WATCHING and event in WAITING_EVENTS and not _expected(sys._getframe(1)):
        for watch in _WATCHING:
            watch.waited(f"{event} {str(args[0])[:80] if args else ''}".strip())


_HOOKED: list = []


@contextmanager
def waits_noted(watch: LoopWatch) -> Iterator[None]:
    """Tell ``watch`` of every call that waits, whichever thread makes it."""
    if _audit not in _HOOKED:  # an audit hook cannot be removed: one per process
        sys.addaudithook(_audit)
        _HOOKED.append(_audit)
    sleep, wait = time.sleep, threading.Condition.wait

    def noted_sleep(seconds: float) -> None:
        watch.waited(f"time.sleep({seconds})")
        sleep(seconds)

    def noted_wait(self: threading.Condition, timeout: float | None = None) -> bool:
        # Event.wait, Future.result, Queue.get, Semaphore.acquire ...
        if timeout != 0 and not _expected(sys._getframe(1)):
            watch.waited("waiting for another thread")
        return wait(self, timeout)

    def statement(conn, cursor, statement: str, *args) -> None:
        watch.waited(f"SQL {statement.split(None, 1)[0]}")

    _WATCHING.append(watch)
    time.sleep, threading.Condition.wait = noted_sleep, noted_wait  # type: ignore[method-assign]
    event.listen(Engine, "before_cursor_execute", statement)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        time.sleep, threading.Condition.wait = sleep, wait  # type: ignore[method-assign]
        _WATCHING.remove(watch)


@contextmanager
def watched_server(app: FastAPI) -> Iterator[tuple[str, LoopWatch]]:
    """The app in uvicorn on a thread of its own, with a :class:`LoopWatch` on its loop."""
    watch = LoopWatch()
    sock = listening_socket()  # free, in HIREFLOW_TEST_PORTS if set, held until the end
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(watch.track(app), log_level="warning", lifespan="off"))

    async def main() -> None:
        probe = asyncio.create_task(watch.run())
        try:
            await server.serve(sockets=[sock])
        finally:
            probe.cancel()

    thread = threading.Thread(target=asyncio.run, args=(main(),), name="watched-server")
    with waits_noted(watch):
        thread.start()
        try:
            deadline = time.monotonic() + 60
            while not server.started or watch.loop is None:
                assert thread.is_alive() and time.monotonic() < deadline, "no server"
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
    found = "\n".join(
        f"[{phase}] {what}" for phase, items in watch.blocked().items() for what in items
    )
    late = {phase: round(late, 3) for phase, late in watch.latest.items()}
    return f"the event loop was blocked:\n{found}\n(the timer fired late by at worst: {late})"


def test_no_request_blocks_the_loop(live_database: Database) -> None:
    app = create_app(get_settings(), live_database)
    with live_database.session() as session:
        org = make_org(session)
        with watched_server(app) as (base, watch):
            # The first resume a process reads loads the parsing models (a word dictionary
            # for Chinese, the tagger) and imports modules: once, not judged here.
            watch.enter("warm-up")
            upload_resumes(base, session, org, WARM_UP)
            watch.enter("resume batch upload")
            upload_resumes(base, session, org, BATCH)
            watch.enter("interview answered")
            answer_interview(base, session, org)
            watch.enter("done")
    assert {"resume batch upload", "interview answered"} <= set(watch.busiest)
    if watch.blocked():
        pytest.fail(failure(watch), pytrace=False)


def spin(seconds: float) -> None:
    """Work ``seconds`` of this thread's CPU time (the same on an idle or a loaded machine)."""
    until = time.thread_time() + seconds
    while time.thread_time() < until:
        pass


def test_the_watchdog_catches_a_blocking_route(live_database: Database) -> None:
    """The same watch on routes that block the loop the ways a service call in an ``async def``
    would: the test above can fail, however briefly the loop is blocked and whatever the load."""
    app = create_app(get_settings(), live_database)

    @app.get("/sleeps-on-the-loop")
    async def sleeps(request: Request) -> dict[str, bool]:
        time.sleep(0.05)
        return {"ok": True}

    @app.get("/computes-on-the-loop")
    async def computes(request: Request) -> dict[str, bool]:
        spin(3 * CPU_LIMIT)
        return {"ok": True}

    @app.get("/queries-on-the-loop")
    async def queries(request: Request) -> dict[str, bool]:
        with live_database.session() as session:
            session.execute(text("SELECT 1"))
        return {"ok": True}

    @app.get("/waits-on-the-loop")
    async def waits(request: Request) -> dict[str, bool]:
        with ThreadPoolExecutor(1) as pool:
            pool.submit(time.sleep, 0.05).result()  # waits for the worker on the loop
        return {"ok": True}

    @app.get("/works-in-a-thread")
    def works(request: Request) -> dict[str, bool]:
        time.sleep(0.05)
        with live_database.session() as session:
            session.execute(text("SELECT 1"))
        spin(3 * CPU_LIMIT)
        return {"ok": True}

    @app.get("/starves-the-loop")
    def starves(request: Request) -> dict[str, bool]:
        # What a loaded machine does to the loop: it does not run for a while. Here a thread
        # keeps the GIL (no forced switch for a second) while it computes.
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1.0)
        try:
            spin(3 * CPU_LIMIT)
        finally:
            sys.setswitchinterval(interval)
        return {"ok": True}

    routes = {
        "thread": "/works-in-a-thread",
        "starved": "/starves-the-loop",
        "sleep": "/sleeps-on-the-loop",
        "compute": "/computes-on-the-loop",
        "query": "/queries-on-the-loop",
        "wait": "/waits-on-the-loop",
    }
    with watched_server(app) as (base, watch):
        for phase, path in routes.items():
            watch.enter(phase)
            assert httpx.get(f"{base}{path}", timeout=60).json() == {"ok": True}
        watch.enter("done")
    blocked = watch.blocked()
    assert set(blocked) == {"sleep", "compute", "query", "wait"}, failure(watch)
    for phase, found in blocked.items():
        assert all(f"GET {routes[phase]}" in what for what in found), found
    assert "time.sleep" in blocked["sleep"][0] and "CPU" in blocked["compute"][0]
    assert "SQL SELECT" in " ".join(blocked["query"]) and "thread" in blocked["wait"][0]
    # the starved loop fired its timer late (what the wall-clock check failed on) but did
    # nothing itself
    assert watch.latest["starved"] > CPU_LIMIT


def test_the_server_takes_a_free_port_of_this_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ports come from ``HIREFLOW_TEST_PORTS`` (or the system), never a fixed range that
    parallel runs on the machine would share; a port someone holds is never taken."""
    app = FastAPI()
    with listening_socket() as held:
        port = held.getsockname()[1]
        monkeypatch.setenv("HIREFLOW_TEST_PORTS", f"{port}-{port}")
        with pytest.raises(RuntimeError, match="no free port"), watched_server(app):
            pass
    with watched_server(app) as (base, _watch):
        assert base == f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/missing", timeout=10).status_code == 404
    monkeypatch.delenv("HIREFLOW_TEST_PORTS")
    with watched_server(app) as (base, _watch):
        assert httpx.get(f"{base}/missing", timeout=10).status_code == 404
