"""What matching a request against Hireflow's routing table costs, in one process, with and
without the routing index (``hireflow/web/routing_index.py``).

Two measurements, each alternating its variants in rounds so the machine's load falls on all
alike (the load average is printed before and after):

- the bare endpoint of ``request_floor.ENDPOINT`` called as ASGI (no network, no server) in a
  FastAPI app of its own, behind Hireflow's middleware alone, and as the last route of the
  whole application (the middleware and every domain's routes in front of it), the latter with
  the index and without it;
- matching alone (no endpoint runs): each candidate step's path against the whole app's
  top-level routes, with and without the index.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/request_routing.py [--calls 300] [--rounds 5]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

from request_floor import ENDPOINT

BODY = json.dumps({"tab": "load-tab-0001", "text": "an answer"}).encode()
TOKEN = "x" * 40
# The candidate steps' paths (method, path) as the load bench sends them.
STEPS = {
    "open": ("GET", f"/api/v1/links/{TOKEN}"),
    "verify": ("POST", f"/api/v1/links/{TOKEN}/verify"),
    "load": ("GET", f"/api/v1/links/{TOKEN}/interview"),
    "consent": ("POST", f"/api/v1/links/{TOKEN}/interview/consent"),
    "question": ("POST", f"/api/v1/links/{TOKEN}/interview/questions/q1/open"),
    "answer": ("PUT", f"/api/v1/links/{TOKEN}/interview/questions/q1/text"),
    "submit": ("POST", f"/api/v1/links/{TOKEN}/interview/submit"),
}


def _scope(method: str, path: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "scheme": "http",
        "query_string": b"",
        "headers": [(b"content-type", b"application/json"), (b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "http_version": "1.1",
        "asgi": {"version": "3.0"},
    }


async def _call(app: Any) -> int:
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": BODY, "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    await app(_scope("POST", "/bare"), receive, send)
    return sent[0]["status"]


async def _per_call_ms(app: Any, calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        await _call(app)
    return (time.perf_counter() - started) / calls * 1000


def _match_us(app: Any, method: str, path: str, calls: int) -> float:
    """Microseconds to find the route the top-level router would take."""
    started = time.perf_counter()
    for _ in range(calls):
        for route in app.router.routes:
            if route.matches(_scope(method, path))[0].name != "NONE":
                break
    return (time.perf_counter() - started) / calls * 1e6


class Toggle:
    """FastAPI's own matching of included routers, or the index's."""

    def __init__(self) -> None:
        from fastapi import routing

        self.routing = routing
        self.indexed = routing._IncludedRouter.matches
        # the index wraps FastAPI's function: the closure holds it
        self.plain = self.indexed.__closure__[0].cell_contents

    def set(self, indexed: bool) -> None:
        self.routing._IncludedRouter.matches = self.indexed if indexed else self.plain


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireflow-routing-"))
    os.environ.update(
        {
            "HIREFLOW_DATA_DIR": str(data_dir),
            "HIREFLOW_DATABASE_URL": f"sqlite:///{data_dir / 'hireflow.db'}",
            "HIREFLOW_LOG_LEVEL": "WARNING",
        }
    )
    from fastapi import FastAPI

    from hireflow.app import create_app
    from hireflow.core.db import get_database
    from hireflow.core.settings import get_settings
    from hireflow.web.middleware import HireflowMiddleware

    namespace: dict[str, Any] = {}
    exec(ENDPOINT, namespace)  # the bench's own endpoint source, as the floor apps run it
    whole = create_app()
    whole.post("/bare")(namespace["bare"])
    alone = FastAPI()
    alone.post("/bare")(namespace["bare"])
    behind = FastAPI()  # the bare endpoint behind Hireflow's middleware, nothing else
    behind.post("/bare")(namespace["bare"])
    behind.add_middleware(HireflowMiddleware, settings=get_settings(), database_getter=get_database)
    toggle = Toggle()
    load_before = os.getloadavg()[0]
    calls: dict[str, list[float]] = {
        "alone": [],
        "middleware": [],
        "app, index": [],
        "app, no index": [],
    }
    matching: dict[str, dict[bool, list[float]]] = {s: {True: [], False: []} for s in STEPS}
    for _ in range(args.rounds):
        for label, app, indexed in (
            ("alone", alone, True),
            ("middleware", behind, True),
            ("app, index", whole, True),
            ("app, no index", whole, False),
        ):
            toggle.set(indexed)
            asyncio.run(_call(app))  # warm
            calls[label].append(asyncio.run(_per_call_ms(app, args.calls)))
        for step, (method, path) in STEPS.items():
            for indexed in (True, False):
                toggle.set(indexed)
                matching[step][indexed].append(_match_us(whole, method, path, args.calls))
    toggle.set(True)
    print(
        f"{args.rounds} rounds of {args.calls} calls each; {os.cpu_count()} cores, load average "
        f"before {load_before:.2f}, after {os.getloadavg()[0]:.2f}"
    )
    base = statistics.median(calls["alone"])
    for label, values in calls.items():
        ms = statistics.median(values)
        print(
            f"bare endpoint as ASGI, {label}: {ms:.3f} ms per call (median of rounds), "
            f"throughput ratio to alone {base / ms:.3f}"
        )
    for step, by in matching.items():
        on, off = statistics.median(by[True]), statistics.median(by[False])
        print(f"matching {step}: {off:.0f} us without the index, {on:.0f} us with it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
