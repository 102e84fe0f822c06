"""FastAPI dependencies shared by every domain's routes."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any, ParamSpec, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BeforeValidator
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from hireflow.core import audit
from hireflow.core.bounds import MAX_ID
from hireflow.core.bounds import Count as Count
from hireflow.core.bounds import Id as Id
from hireflow.core.bounds import PageNumber as PageNumber
from hireflow.core.db import release_connection
from hireflow.core.errors import CsrfFailed, Unauthorized
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal
from hireflow.core.security import constant_equals
from hireflow.core.settings import Settings, get_settings

SESSION_COOKIE = "hf_session"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
AUDIT_READ_IDS = 500  # a list read names at most this many rows (its count is always exact)


class LoginRequired(Exception):
    """A page needs a signed-in user; the handler redirects to the login page."""


# The dependencies below only read what the middleware put on the request: ``async def`` so
# FastAPI calls them on the event loop; a plain ``def`` dependency costs each request a trip
# through the thread pool (three per candidate request before its endpoint ran; SPEC K1).


async def db_session(request: Request) -> Session:
    """The request's session (opened and closed by the middleware)."""
    return request.state.db


P = ParamSpec("P")
R = TypeVar("R")

# The request's session, for code that runs a request's work without the request at hand.
request_session: ContextVar[Session | None] = ContextVar("request_session", default=None)


def releasing_connection(func: Callable[P, R]) -> Callable[P, R]:
    """Run ``func`` (in a worker thread), then give the request's connection back.

    FastAPI runs sync endpoints in AnyIO's thread pool and then serialises their results
    there too. A request that kept its connection while waiting for a thread could hold up
    threads that wait for connections: under load every thread and every connection ends up
    waiting for the other. Releasing at the end of each thread's work rules that out.
    """
    if inspect.iscoroutinefunction(func) or getattr(func, "_releases_connection", False):
        return func

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        finally:
            session = request_session.get()
            if session is not None:
                release_connection(session)

    wrapper._releases_connection = True  # type: ignore[attr-defined]
    return wrapper


async def run_in_thread(func: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """``run_in_threadpool`` for a request's database work (see ``releasing_connection``)."""
    return await run_in_threadpool(releasing_connection(func), *args, **kwargs)


async def settings_dep() -> Settings:
    return get_settings()


async def api_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise Unauthorized()
    return principal


async def page_principal(request: Request) -> Principal:
    principal = getattr(request.state, "principal", None)
    if principal is None:
        raise LoginRequired()
    return principal


async def csrf_protect_api(request: Request) -> None:
    """API calls need the CSRF header only when a browser session cookie comes along.

    Bearer-token and anonymous API calls are exempt: a browser never attaches a bearer header
    on its own, and without the cookie there is no ambient authority for another site to abuse.
    """
    if request.method not in UNSAFE_METHODS or SESSION_COOKIE not in request.cookies:
        return
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return
    await csrf_protect(request)


async def csrf_protect(request: Request) -> None:
    """Double-submit check (form field or ``X-CSRF-Token`` header vs the signed cookie)."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = getattr(request.state, "csrf_token", "")
    supplied = request.headers.get("x-csrf-token", "")
    if not supplied:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get("csrf_token", "")
            supplied = value if isinstance(value, str) else ""
    if not expected or not supplied or not constant_equals(expected, supplied):
        raise CsrfFailed()


def audit_read(
    session: Session,
    principal: Principal,
    action: str,
    target_type: str,
    ids: Iterable[object] = (),
    *,
    target_id: object = "",
) -> None:
    """Write who was shown whose personal data (ids only, never the data) and commit.

    For one record pass ``target_id``; for a list pass the ids shown. An empty list showed
    nobody's data and leaves no row.
    """
    # Each person once: a list of tasks or rows shows the same person several times.
    shown = list(dict.fromkeys(ids))
    if not shown and target_id == "":
        return
    if target_id == "" and len(shown) == 1:
        target_id = shown[0]
    details = {"count": len(shown), "ids": shown[:AUDIT_READ_IDS]} if shown else None
    audit.commit_on(session, action, principal, (target_type, target_id), new=details)


async def translator(request: Request):
    return gettext_for(getattr(request.state, "language", "zh-CN"))


# Offsets in queries, bounded like ids (``hireflow.core.bounds``).
Offset = Annotated[int, Query(ge=0, le=MAX_ID)]


def _is_number(value: object) -> bool:
    if isinstance(value, int | float):
        return True
    try:
        float(str(value))
    except ValueError:
        return False
    return True


def _iso_only(value: object) -> object:
    """Pydantic reads a bare number as a Unix time; the API documents ISO 8601 only."""
    if _is_number(value):
        raise ValueError("use an ISO 8601 date and time, e.g. 2026-05-01T09:00:00+08:00")
    return value


# A moment in a query string: ISO 8601 as documented, never a bare number.
Moment = Annotated[datetime, BeforeValidator(_iso_only)]

DbSession = Annotated[Session, Depends(db_session)]
ApiUser = Annotated[Principal, Depends(api_principal)]
PageUser = Annotated[Principal, Depends(page_principal)]
AppSettings = Annotated[Settings, Depends(settings_dep)]
