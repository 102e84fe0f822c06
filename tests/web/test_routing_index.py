"""The routing index (``hireflow/web/routing_index.py``) skips only routers none of whose routes
could match: every route of the whole application, under every method, and paths near them,
are matched exactly as FastAPI matches them without it."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi import routing as fastapi_routing
from fastapi.testclient import TestClient
from starlette.routing import Match

from hireflow.web import routing_index

METHODS = ("GET", "POST", "PUT", "DELETE")


def _scope(path: str, method: str) -> dict[str, Any]:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "headers": [],
        "query_string": b"",
    }


def _outcome(app: FastAPI, path: str, method: str) -> list[Match]:
    """What each top-level route (an included router, a mount) says of the request: the
    index only ever changes an included router's answer, never which route inside it."""
    return [route.matches(_scope(path, method))[0] for route in app.router.routes]


def _sample_paths(app: FastAPI) -> list[str]:
    """Each route's path with its parameters filled in, a trailing slash added, a segment
    appended: matches, near misses and redirects."""
    paths: list[str] = []

    def walk(routes: Any, prefix: str) -> None:
        for route in routes:
            if isinstance(route, fastapi_routing._IncludedRouter):
                context = route.include_context
                walk(route.original_router.routes, prefix + (context.prefix or ""))
            elif hasattr(route, "path_format"):
                path = re.sub(r"\{[^}]+\}", "12", prefix + route.path_format)
                paths.extend([path, path + "/", path + "/x", path.rstrip("/") + "z"])

    walk(app.router.routes, "")
    return paths


def test_every_route_of_the_app_is_matched_as_without_the_index(routes_app):
    """Route matching reads no database: one run, not one per database."""
    app = routes_app
    paths = _sample_paths(app)
    assert len(paths) > 1000
    with_index = {(p, m): _outcome(app, p, m) for p in paths for m in METHODS}
    saved = fastapi_routing._IncludedRouter.matches
    original = saved.__closure__[0].cell_contents  # FastAPI's own matches
    fastapi_routing._IncludedRouter.matches = original
    try:
        without = {(p, m): _outcome(app, p, m) for p in paths for m in METHODS}
    finally:
        fastapi_routing._IncludedRouter.matches = saved
    assert with_index == without
    # the index is in use: most routers were skipped by their expression
    indexed = [
        route.__dict__.get(routing_index._CACHE)
        for route in app.router.routes
        if isinstance(route, fastapi_routing._IncludedRouter)
    ]
    assert sum(1 for cached in indexed if cached and cached[1] is not None) > 20, indexed


def test_a_route_added_after_the_first_request_is_found():
    routing_index.install()
    router = APIRouter()

    @router.get("/first")
    def first() -> dict:
        return {"route": "first"}

    app = FastAPI()
    app.include_router(router, prefix="/api")
    client = TestClient(app)
    assert client.get("/api/first").json() == {"route": "first"}
    assert client.get("/api/second").status_code == 404

    @router.get("/second/{item}")
    def second(item: int) -> dict:
        return {"route": "second", "item": item}

    assert client.get("/api/second/3").json() == {"route": "second", "item": 3}
    assert client.post("/api/first").status_code == 405
