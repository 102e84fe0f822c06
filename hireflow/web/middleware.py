"""The request pipeline every page and API call goes through (pure ASGI, no buffering).

Per request it: assigns a request id and records the client address for audit rows; refuses
bodies over the size limit (by header, and by counting what actually arrives); opens the one
database session the request uses; resolves who is calling (session cookie or bearer token)
and in which language and time zone to answer; issues the CSRF cookie; adds security headers;
and counts the request for ``/metrics``.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
import uuid
from http.cookies import SimpleCookie
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hireflow.core.audit import RequestContext, request_context
from hireflow.core.db import release_connection
from hireflow.core.i18n import gettext_for, is_language, is_timezone, negotiate
from hireflow.core.security import Signer
from hireflow.core.settings import Settings
from hireflow.core.tasks import hold_sends, release_held, send_held
from hireflow.org.auth import principal_for, resolve_token
from hireflow.web.deps import SESSION_COOKIE, request_session

log = logging.getLogger("hireflow.http")

CSRF_COOKIE = "hf_csrf"
LANG_COOKIE = "hf_lang"
TZ_COOKIE = "hf_tz"

REQUESTS = Counter("hireflow_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "hireflow_http_request_duration_seconds",
    "HTTP request latency",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
        b"style-src 'self' 'unsafe-inline'; script-src 'self'; object-src 'none'; "
        b"frame-ancestors 'none'; base-uri 'self'",
    ),
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=()"),
]
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class BodyTooLarge(Exception):
    """The client sent more than the limit; raised from inside ``receive``."""


def _response_headers(
    headers: list[tuple[bytes, bytes]], request_id: str, is_static: bool, cookies: list[str]
) -> list[tuple[bytes, bytes]]:
    """The response's headers with the request id, the security headers and new cookies."""
    headers = [*headers, (b"x-request-id", request_id.encode()), *SECURITY_HEADERS]
    if not is_static and not any(name.lower() == b"cache-control" for name, _value in headers):
        # Pages and API answers carry personal data: no browser or proxy may keep a copy
        # (a shared computer's back button, a disk cache).
        headers.append((b"cache-control", b"no-store"))
    headers.extend((b"set-cookie", cookie.encode()) for cookie in cookies)
    return headers


class HireflowMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings, database_getter: Any) -> None:
        self.app = app
        self.settings = settings
        self.database_getter = database_getter
        self.session_signer = Signer(settings.secret_key, "session")
        self.csrf_signer = Signer(settings.secret_key, "csrf")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request = Request(scope)
        supplied = request.headers.get("x-request-id", "")
        request_id = supplied if _REQUEST_ID.match(supplied) else uuid.uuid4().hex
        client_ip = request.client.host if request.client else ""
        token = request_context.set(RequestContext(request_id=request_id, ip=client_ip))
        state = scope.setdefault("state", {})
        status_holder = {"status": 500}
        limit = self.settings.max_request_bytes
        declared = request.headers.get("content-length")
        is_api = scope["path"].startswith("/api/")
        is_static = scope["path"].startswith("/static/")
        language = self._anonymous_language(request)

        if declared is not None and declared.isdigit() and int(declared) > limit:
            status_holder["status"] = 413
            await self._too_large(send, is_api, language, limit)
            self._observe(scope, status_holder["status"], started)
            request_context.reset(token)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge()
            return message

        held = hold_sends()
        database = self.database_getter()
        session = database.session_factory()
        state["db"] = session
        session_token = request_session.set(session)
        new_cookies: list[str] = []
        try:
            raw, kinds = self._credentials(request)
            if raw:
                # Only a presented credential needs the database (and so a worker thread).
                await run_in_threadpool(
                    self._identify, request, session, state, (raw, kinds), language
                )
            else:
                # Nothing to identify (a candidate's link, the sign-in page, a bad cookie):
                # answered on the loop, without the thread pool's hop.
                self._set_caller(request, state, None, language)
            csrf_raw = self.csrf_signer.unsign(request.cookies.get(CSRF_COOKIE, ""))
            if not csrf_raw:
                csrf_raw = secrets.token_urlsafe(24)
                new_cookies.append(
                    self._cookie(CSRF_COOKIE, self.csrf_signer.sign(csrf_raw), max_age=None)
                )
            state["csrf_token"] = csrf_raw
            state["request_id"] = request_id

            async def send_wrapper(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status_holder["status"] = message["status"]
                    message["headers"] = _response_headers(
                        message.get("headers", []), request_id, is_static, new_cookies
                    )
                await send(message)

            try:
                await self.app(scope, limited_receive, send_wrapper)
            except BodyTooLarge:
                status_holder["status"] = 413
                await self._too_large(send, is_api, state.get("language", language), limit)
        finally:
            # On the event loop, not in the thread pool: when every worker thread is taken by
            # requests waiting for a database connection, a close queued for a thread would
            # never run and its connection never come back (a deadlock until the pool times
            # out). Closing returns the connection after at most a rollback: quick.
            session.close()
            request_session.reset(session_token)
            self._observe(scope, status_holder["status"], started)
            # The response has gone out: now publish what the request's commits queued.
            messages = release_held(held)
            if messages:
                await run_in_threadpool(send_held, messages)
            request_context.reset(token)

    def _anonymous_language(self, request: Request) -> str:
        cookie = request.cookies.get(LANG_COOKIE)
        if is_language(cookie):
            return cookie  # type: ignore[return-value]
        return negotiate(request.headers.get("accept-language"), self.settings.default_language)

    def _credentials(self, request: Request) -> tuple[str, tuple[str, ...]]:
        """The credential a request presents (bearer header first, then the session cookie)
        and the token kinds it may be; ("", ()) when there is none or its signature fails."""
        auth_header = request.headers.get("authorization", "")
        if auth_header.lower().startswith("bearer "):
            return auth_header[7:].strip(), ("bearer", "api_key")
        signed = request.cookies.get(SESSION_COOKIE)
        if signed:
            return self.session_signer.unsign(signed) or "", ("session",)
        return "", ()

    def _identify(
        self,
        request: Request,
        session: Any,
        state: dict[str, Any],
        credential: tuple[str, tuple[str, ...]],
        language: str,
    ) -> None:
        """Find the caller a credential names (in the thread pool: it reads the database)."""
        raw, kinds = credential
        principal = None
        found = resolve_token(session, raw, kinds)
        if found is not None:
            user, token = found
            if token.kind == "api_key" and not request.url.path.startswith("/api/"):
                # A key is for machines talking to the API: it opens no page (a leaked
                # key must not become a browser session with the owner's whole reach).
                found = None
            else:
                principal = principal_for(user, auth=token.kind, token=token)
        state["auth_failed"] = found is None
        # Give the connection back now: a request may wait long for its body (an upload) or
        # stream for minutes (live events); it checks a connection out again when it queries.
        release_connection(session)
        state["session_token"] = raw if principal is not None and kinds == ("session",) else ""
        self._set_caller(request, state, principal, language)

    def _set_caller(
        self, request: Request, state: dict[str, Any], principal: Any, language: str
    ) -> None:
        """Who is calling, and the language and time zone to answer in."""
        state["principal"] = principal
        state.setdefault("session_token", "")
        if principal is not None:
            state["language"] = principal.language
            state["timezone"] = principal.timezone
        else:
            state["language"] = language
            zone = request.cookies.get(TZ_COOKIE, "")
            state["timezone"] = zone if is_timezone(zone) else self.settings.default_timezone

    def _cookie(self, name: str, value: str, max_age: int | None) -> str:
        cookie: SimpleCookie = SimpleCookie()
        cookie[name] = value
        morsel = cookie[name]
        morsel["path"] = "/"
        morsel["httponly"] = True
        morsel["samesite"] = "Lax"
        if self.settings.base_url.startswith("https://"):
            morsel["secure"] = True
        if max_age is not None:
            morsel["max-age"] = max_age
        return morsel.OutputString()

    async def _too_large(self, send: Send, is_api: bool, language: str, limit: int) -> None:
        _ = gettext_for(language)
        megabytes = f"{limit / 1024 / 1024:.0f} MB"
        message = _("The request is too large (limit %(limit)s).") % {"limit": megabytes}
        if is_api:
            body = json.dumps({"error": {"code": "too_large", "message": message}}).encode()
            content_type = b"application/json"
        else:
            body = f"<!doctype html><meta charset=utf-8><p>{message}</p>".encode()
            content_type = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", content_type), (b"connection", b"close")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    def _observe(self, scope: Scope, status: int, started: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or (
            "static" if scope["path"].startswith("/static") else "unmatched"
        )
        elapsed = time.perf_counter() - started
        REQUESTS.labels(scope.get("method", ""), template, str(status)).inc()
        LATENCY.labels(template).observe(elapsed)
        log.info(
            "request",
            extra={
                "event": "http.request",
                "method": scope.get("method", ""),
                "path": template,
                "status": status,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )
