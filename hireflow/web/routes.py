"""Shell pages (home, sign-in, account, language) and operational endpoints."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import APIRouter, Form, Request
from fastapi.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import ValidationError
from sqlalchemy import text

from hireflow.core.db import utcnow
from hireflow.core.errors import AppError, NotFound, ValidationFailed
from hireflow.core.i18n import LANGUAGES, gettext_for, is_timezone
from hireflow.core.metrics import SPEECH_BACKLOG, redis_queues
from hireflow.core.permissions import API_SCOPES, require
from hireflow.core.security import Signer
from hireflow.core.worker import backlog_ages, health, log_alerts
from hireflow.org import auth, schemas, service
from hireflow.org.queries import user_with_roles
from hireflow.web import home
from hireflow.web.deps import ApiUser, AppSettings, DbSession, Id, PageUser
from hireflow.web.middleware import LANG_COOKIE, SESSION_COOKIE, TZ_COOKIE
from hireflow.web.streaming import public_file
from hireflow.web.telemetry import ClientEventIn, record_client_event
from hireflow.web.templating import render

router = APIRouter(include_in_schema=False)
STATIC_DIR = Path(__file__).resolve().parent / "static"
api_router = APIRouter(tags=["auth", "operations"])

COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Australia/Sydney",
    "UTC",
)


def _safe_next(target: str | None) -> str:
    """Only same-site paths may be redirect targets (no open redirects)."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.get("/")
def index(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "home.html", home.context(session, principal))


@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:
    if getattr(request.state, "principal", None) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "error": None, "email": ""})


@router.post("/login")
def login_submit(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        raw, _expires, user = auth.login(session, settings, email, password)
    except AppError as exc:
        message = exc.translated(gettext_for(request.state.language))
        return render(
            request,
            "login.html",
            {"next": _safe_next(next), "error": message, "email": email},
            status_code=exc.status,
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    signed = Signer(settings.secret_key, "session").sign(raw)
    response.set_cookie(
        SESSION_COOKIE,
        signed,
        max_age=settings.session_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
    )
    response.set_cookie(LANG_COOKIE, user.language, samesite="lax", httponly=True)
    return response


def _account_refused(request: Request, errors: dict[str, str], status: int) -> Response:
    """The account page again with the refusal (its key list is not shown then)."""
    context: dict[str, Any] = {
        "zones": COMMON_ZONES,
        "keys": [],
        "new_key": None,
        "errors": errors,
        "notice": None,
        "api_scopes": sorted(API_SCOPES),
    }
    return render(request, "account.html", context, status_code=status)


def _signed_out() -> Response:
    """To the sign-in page, without the session cookie."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, session: DbSession) -> Response:
    token = getattr(request.state, "session_token", "")
    if token:
        auth.logout(session, token, request.state.principal)
    return _signed_out()


@router.post("/lang")
def switch_language(
    request: Request,
    session: DbSession,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Switch the interface language (and remember it on the account when signed in)."""
    try:
        data = schemas.ProfileUpdate(language=lang)
    except ValidationError as exc:
        _ = gettext_for(request.state.language)
        raise AppError(_("Unknown language."), code="unknown_language") from exc
    principal = getattr(request.state, "principal", None)
    if principal is not None:
        service.update_profile(session, principal, data)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.post("/tz")
def remember_timezone(
    request: Request, zone: Annotated[str, Form()], next: Annotated[str, Form()] = "/"
) -> Response:
    """Anonymous visitors (candidates before sign-in) see times in the zone their browser has."""
    if not is_timezone(zone):
        raise AppError(code="unknown_timezone")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(TZ_COOKIE, zone, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.get("/account")
def account(request: Request, session: DbSession, principal: PageUser) -> Response:
    keys = service.list_api_keys(session, principal) if principal.has("apikeys.manage") else []
    return render(
        request,
        "account.html",
        {
            "zones": COMMON_ZONES,
            "keys": keys,
            "new_key": None,
            "errors": {},
            "notice": None,
            "api_scopes": sorted(API_SCOPES),
        },
    )


@router.post("/account")
def account_update(
    request: Request,
    session: DbSession,
    principal: PageUser,
    language: Annotated[str, Form()],
    timezone: Annotated[str, Form()],
) -> Response:
    try:
        data = schemas.ProfileUpdate(language=language, timezone=timezone)
    except ValidationError:
        _ = gettext_for(request.state.language)
        errors = {"timezone": _("Unknown language or time zone.")}
        return _account_refused(request, errors, 422)
    service.update_profile(session, principal, data)
    response = RedirectResponse("/account?saved=1", status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.post("/account/password")
def account_password(
    request: Request,
    session: DbSession,
    principal: PageUser,
    current_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
) -> Response:
    try:
        auth.change_password(session, principal, current_password, new_password)
    except AppError as exc:
        _ = gettext_for(request.state.language)
        return _account_refused(request, {"password": exc.translated(_)}, exc.status)
    return _signed_out()


@router.post("/account/keys")
def account_new_key(
    request: Request,
    session: DbSession,
    principal: PageUser,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scopes: Annotated[list[str] | None, Form(max_length=60)] = None,
) -> Response:
    _ = gettext_for(request.state.language)
    try:
        data = schemas.ApiKeyCreate(name=name, scopes=scopes or [])
        raw, _row = service.create_api_key(session, principal, data)
    except ValidationError:
        return _account_refused(request, {"scopes": _("Unknown scope.")}, 422)
    except ValidationFailed as exc:
        return _account_refused(request, {"scopes": exc.translated(_)}, 422)
    keys = service.list_api_keys(session, principal)
    return render(
        request,
        "account.html",
        {
            "zones": COMMON_ZONES,
            "keys": keys,
            "new_key": raw,
            "errors": {},
            "notice": None,
            "api_scopes": sorted(API_SCOPES),
        },
    )


@router.post("/account/keys/{key_id}/revoke")
def account_revoke_key(session: DbSession, principal: PageUser, key_id: Id) -> Response:
    service.revoke_api_key(session, principal, key_id)
    return RedirectResponse("/account", status_code=303)


@router.get("/system")
def system_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "system.read")
    settings = request.app.state.settings
    checks = health_checks(session, settings.broker_url)

    work = health(session, settings.queue_alert_seconds)
    return render(
        request,
        "system.html",
        {
            "checks": checks,
            "work": work,
            "speech": speech_lag(session),
            "queues": broker_queues(settings.broker_url),
            "alerts": log_alerts(work),
            "database": session.get_bind().dialect.name,
            "broker": settings.broker_url.split("://", 1)[0],
            "env": settings.env,
            "languages": LANGUAGES,
            "api_keys": service.tenant_api_keys(session, principal),
        },
    )


def speech_lag(session: DbSession) -> dict[str, object]:
    """Recorded answers waiting for speech recognition and the oldest one's wait (s)."""
    count, seconds = backlog_ages(session, utcnow()).get(SPEECH_BACKLOG, (0, 0.0))
    return {"waiting": count, "lag_seconds": round(seconds)}


def broker_queues(broker_url: str) -> list[dict[str, object]] | None:
    """Each broker queue's length and oldest message's age; ``None`` when the broker is not
    Redis (or does not answer)."""
    try:
        found = redis_queues(broker_url)
    except Exception:
        return None
    if not found:
        return None
    return [
        {"name": name, "length": count, "age": round(age)} for name, (count, age) in found.items()
    ]


def health_checks(session: DbSession, broker_url: str) -> dict[str, dict[str, object]]:
    """Database and broker reachability with timings (used by /healthz and the system page)."""
    results: dict[str, dict[str, object]] = {}
    started = time.perf_counter()
    try:
        session.execute(text("SELECT 1"))
        results["database"] = {"ok": True}
    except Exception as exc:
        results["database"] = {"ok": False, "error": type(exc).__name__}
    results["database"]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    started = time.perf_counter()
    try:
        from kombu import Connection  # inside the try: a broken broker library is a failed check

        with Connection(broker_url, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        results["broker"] = {"ok": True}
    except Exception as exc:
        results["broker"] = {"ok": False, "error": type(exc).__name__}
    results["broker"]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results


@router.get("/healthz")
def healthz(request: Request, session: DbSession) -> Response:
    """503 when this node cannot serve (database, broker); 200 with ``status: warning`` and
    the alerts when the task worker is down or queued work waits longer than the limit."""
    settings = request.app.state.settings
    checks = health_checks(session, settings.broker_url)
    healthy = all(check["ok"] for check in checks.values())
    work = health(session, settings.queue_alert_seconds)
    alerts = log_alerts(work)
    status = "degraded" if not healthy else "warning" if alerts else "ok"
    return JSONResponse(
        {"status": status, "checks": {**checks, **work}, "alerts": alerts},
        status_code=200 if healthy else 503,
    )


@router.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for it on pages without a ``<link rel=icon>`` (JSON, metrics, files)."""
    return public_file(STATIC_DIR / "favicon.svg", "image/svg+xml", 86400)


@router.get("/api/docs")
def api_docs(request: Request) -> Response:
    """Swagger UI from the vendored bundle: an install without internet access has docs too."""
    return render(request, "api_docs.html", {"spec_url": request.app.openapi_url})


@router.get("/metrics")
def metrics(request: Request) -> Response:
    from hireflow.core.db import get_database
    from hireflow.core.metrics import scrape

    body = scrape(request.app.state.settings.broker_url, get_database)
    return PlainTextResponse(body, media_type=CONTENT_TYPE_LATEST)


# --- API ---------------------------------------------------------------------------------


@api_router.post("/auth/token", response_model=schemas.TokenOut)
def api_token(
    data: schemas.TokenRequest, session: DbSession, settings: AppSettings
) -> schemas.TokenOut:
    """Exchange email and password for a bearer token (valid for the session lifetime)."""
    raw, expires, _user = auth.login(session, settings, data.email, data.password, kind="bearer")
    return schemas.TokenOut(token=raw, expires_at=expires)


@api_router.delete("/auth/token", status_code=204)
def api_token_revoke(request: Request, session: DbSession, principal: ApiUser) -> Response:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise NotFound()
    auth.logout(session, header[7:].strip(), principal)
    return Response(status_code=204)


@api_router.get("/me", response_model=schemas.UserPublic)
def api_me(session: DbSession, principal: ApiUser) -> schemas.UserPublic:
    user = user_with_roles(session, principal.user_id)
    if user is None:
        raise NotFound()
    return schemas.UserPublic.model_validate(user)


@api_router.post("/telemetry", status_code=202, response_class=Response)
def api_telemetry(request: Request, data: ClientEventIn, session: DbSession) -> Response:
    """Browsers report technical problems here; anonymous callers allowed (login failures)."""
    principal = getattr(request.state, "principal", None)
    record_client_event(session, data, request.headers.get("user-agent", ""), principal)
    return Response(status_code=202)
