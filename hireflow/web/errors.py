"""One place that turns failures into translated pages (people) or JSON (API clients)."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.logging import log_error
from hireflow.web.deps import LoginRequired
from hireflow.web.templating import render

log = logging.getLogger("hireflow.errors")

STATUS_TITLES = {
    400: N_("Bad request"),
    401: N_("Please sign in"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Not allowed"),
    409: N_("Conflict"),
    413: N_("Too large"),
    422: N_("Invalid input"),
    429: N_("Too many attempts"),
    500: N_("Something went wrong"),
}
GENERIC_MESSAGES = {
    404: N_("The page or object you asked for does not exist."),
    405: N_("This address does not accept that kind of request."),
    500: N_(
        "An unexpected error occurred. Nothing was saved. Please try again; "
        "if it keeps happening, give IT this request id: %(request_id)s"
    ),
}


class ErrorDetail(BaseModel):
    code: str
    message: str
    fields: dict[str, Any] | None = None
    request_id: str = ""


class ErrorBody(BaseModel):
    """What every API error answers (see ``error_response``)."""

    error: ErrorDetail


# Documented on every API operation: the answers any of them may give besides its own.
API_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in (
        (400, "The request cannot be processed (a malformed body, a rule refused it)."),
        (401, "Not signed in, or the token or API key is unknown, expired or revoked."),
        (403, "Signed in, but the role or the API key's scopes do not allow this."),
        (404, "No such object, or one the caller may not see (the same answer)."),
        (409, "The object's state does not allow this (e.g. it exists already)."),
        (410, "A candidate link has expired or was used up."),
        (413, "The request body is larger than the configured limit."),
        (422, "Some input is not valid; ``fields`` names each field and why."),
        (429, "Too many attempts; the message says how long to wait."),
    )
}


def _wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def _language(request: Request) -> str:
    return getattr(request.state, "language", "zh-CN")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """A translated error (``message`` is already in the viewer's language)."""
    if _wants_json(request):
        payload: dict[str, Any] = {"code": code, "message": message}
        if fields:
            payload["fields"] = fields
        payload["request_id"] = getattr(request.state, "request_id", "")
        return JSONResponse({"error": payload}, status_code=status, headers=headers)
    _ = gettext_for(_language(request))
    title = _(STATUS_TITLES.get(status, STATUS_TITLES[400]))
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "fields": fields or {}},
        status_code=status,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        message = exc.translated(gettext_for(_language(request)))
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(request, exc.status, exc.code, message, exc.fields, headers)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        _ = gettext_for(_language(request))
        fields: dict[str, str] = {}
        for error in exc.errors():
            location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
            if error.get("type") == "json_invalid":
                return error_response(
                    request, 422, "malformed_json", _("The request body is not valid JSON.")
                )
            fields[location or "body"] = _describe(error, _)
        return error_response(request, 422, "invalid", _("Some fields are not valid."), fields)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        _ = gettext_for(_language(request))
        message = GENERIC_MESSAGES.get(exc.status_code)
        text = _(message) if message else str(exc.detail)
        return error_response(request, exc.status_code, f"http_{exc.status_code}", text)

    @app.exception_handler(Exception)
    async def crash(request: Request, exc: Exception) -> Response:
        request_id = getattr(request.state, "request_id", "")
        log_error(log, "unhandled error", exc, event="http.crash")
        _ = gettext_for(_language(request))
        return error_response(
            request, 500, "internal", _(GENERIC_MESSAGES[500]) % {"request_id": request_id}
        )


def _describe(error: dict[str, Any], _: Any) -> str:
    """A short translated reason for one Pydantic error."""
    kind = error.get("type", "")
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_short",):
        return _("This field is too short.")
    if kind in ("string_too_long",):
        return _("This field is too long.")
    if kind.startswith(("int_", "float_")):
        return _("Enter a number.")
    if kind == "value_error":
        return _("Invalid value: %(reason)s") % {
            "reason": str(error.get("ctx", {}).get("error", error.get("msg", "")))
        }
    if kind == "enum":
        return _("Choose one of the listed values.")
    return _("Invalid value.")
