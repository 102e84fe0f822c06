"""A request is matched only against the routers whose paths can match it (SPEC K1).

FastAPI (0.16x) keeps each ``include_router`` as a node that, for every request, tries each of
its routes in turn (a regular expression and some bookkeeping per route). With every domain's
routers included, a request to a route near the end of the table tried about 530 routes
first: ``bench/interviews_load.py --one-at-a-time`` measured the bare endpoint behind the
whole application at 0.64 of its throughput alone, the routing table being most of the
difference, before any endpoint work.

Here each included router gets one regular expression, the alternation of its routes' own
path expressions (FastAPI's, with the router's prefix), and a request whose path matches none
of them skips that router without trying each route. The skip is exact: a router is skipped
only when none of its routes could match the path, whatever the method, so what is matched
(a route, a 405 for another method, the trailing-slash redirect, the fallbacks) is what
FastAPI matched without the index. A router holding anything but plain routes (a nested
router, a mount) is never skipped. The expression is rebuilt when the router's routes change
(FastAPI counts that in the router's version).
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import routing as fastapi_routing
from starlette.routing import Match, Route, WebSocketRoute

_CACHE = "_hireflow_path_index"
_NAMED_GROUP = re.compile(r"\(\?P<[^>]+>")
_installed = False


def _pattern(included: Any) -> re.Pattern[str] | None:
    """The alternation of an included router's route paths, or None when it holds anything
    whose matching is not one path expression (then it is never skipped)."""
    parts: list[str] = []
    for candidate in included.effective_candidates():
        if not isinstance(candidate, fastapi_routing._EffectiveRouteContext):
            return None  # a nested router
        original = candidate.original_route
        if isinstance(original, fastapi_routing.APIRoute):
            regex = candidate.path_regex
        elif isinstance(candidate.starlette_route, Route | WebSocketRoute):
            regex = candidate.starlette_route.path_regex
        else:
            return None  # a mount, a front-end group: matched by their own rules
        if regex is None:
            return None
        # the groups unnamed: two routes may name a parameter alike
        parts.append("(?:" + _NAMED_GROUP.sub("(?:", regex.pattern) + ")")
    return re.compile("|".join(parts)) if parts else None


def _index(included: Any) -> re.Pattern[str] | None:
    version = getattr(included.original_router, "_routes_version", None)
    if version is None:
        return None  # no way to tell when its routes change: never skipped
    cached = included.__dict__.get(_CACHE)
    if cached is not None and cached[0] == version:
        return cached[1]
    pattern = _pattern(included)
    setattr(included, _CACHE, (version, pattern))
    return pattern


def install() -> None:
    """Put the index in front of FastAPI's included routers (once per process); a FastAPI
    without the internals it relies on keeps its own matching."""
    global _installed
    included_router = getattr(fastapi_routing, "_IncludedRouter", None)
    route_path = getattr(fastapi_routing, "get_route_path", None)
    if _installed or included_router is None or route_path is None:
        return
    if not hasattr(fastapi_routing, "_EffectiveRouteContext"):
        return
    matches = included_router.matches

    def indexed_matches(self: Any, scope: Any) -> tuple[Match, Any]:
        if scope.get("type") == "http":
            pattern = _index(self)
            if pattern is not None and pattern.match(route_path(scope)) is None:
                return Match.NONE, {}
        return matches(self, scope)

    included_router.matches = indexed_matches
    _installed = True
