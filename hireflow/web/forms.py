"""The one way pages take a posted form.

A route is a plain ``def`` (FastAPI runs it on its thread pool, so database and CPU work never
blocks the event loop) and receives the posted form through the ``Form`` dependency, which reads
the body on the loop. ``submit_form`` validates the fields into a Pydantic schema and runs the
action; invalid input re-renders the page with translated field errors and status 422, a
refused action (``AppError``) with its message and the refusal's own status (409 for a
conflict, 410 for something erased), as the API answers. 401/403/404 propagate, so a form
never tells a stranger more than a GET would (DESIGN: same 404).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any, ParamSpec, TypeVar
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from hireflow.core.bounds import Id
from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal
from hireflow.web.deps import DbSession, PageUser
from hireflow.web.templating import render

SchemaT = TypeVar("SchemaT", bound=BaseModel)
P = ParamSpec("P")


def _number(value: Any) -> Any:
    """A bound as people write it: 10, not 10.0."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Pydantic's error types as the page's own sentences: its messages are English and speak of
# types ("Input should be a valid integer"), which a Chinese page must not show.
_MESSAGES: dict[str, str] = {
    "missing": N_("This field is required."),
    "string_too_short": N_("This field is too short."),
    "string_too_long": N_("This field is too long."),
    "string_pattern_mismatch": N_("This value is not in the expected format."),
    "enum": N_("Choose one of the listed values."),
    "literal_error": N_("Choose one of the listed values."),
    "bool_parsing": N_("Choose yes or no."),
    "bool_type": N_("Choose yes or no."),
    "date_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "date_from_datetime_parsing": N_("Enter a date (YYYY-MM-DD)."),
    "datetime_parsing": N_("Enter a date and time."),
    "datetime_from_date_parsing": N_("Enter a date and time."),
    "url_parsing": N_("Enter a web address starting with https://."),
    "url_scheme": N_("Enter a web address starting with https://."),
    "extra_forbidden": N_("This field is not expected here."),
}
# The start of the patterns of keys and ids people type (stage keys, competency ids).
_KEY = "^[a-z][a-z0-9_]"
# Bounds: the message and the key of the bound in the error's context.
_BOUNDS: dict[str, tuple[str, str]] = {
    "less_than_equal": (N_("Enter a number no greater than %(limit)s."), "le"),
    "greater_than_equal": (N_("Enter a number no less than %(limit)s."), "ge"),
    "less_than": (N_("Enter a number less than %(limit)s."), "lt"),
    "greater_than": (N_("Enter a number greater than %(limit)s."), "gt"),
}


def _reason(error: Any, _: Callable[[str], str]) -> str:
    """A validator's own reason (``ValueError(N_(...))``) in the page's language; a reason the
    catalogue does not know is English-only text, shown on English pages alone."""
    reason = str(error.get("ctx", {}).get("error", ""))
    translated = _(reason) if reason else ""
    english_page = _("Invalid value.") == "Invalid value."
    if not translated or (translated == reason and not english_page):
        return _("Invalid value.")
    return _("Invalid value: %(reason)s") % {"reason": translated}


def field_message(error: Any, _: Callable[[str], str]) -> str:
    """One Pydantic error as a sentence in the page's language (never Pydantic's English)."""
    kind = error["type"]
    ctx = error.get("ctx", {})
    if kind == "string_pattern_mismatch" and str(ctx.get("pattern", "")).startswith(_KEY):
        return _("Use lower-case letters, digits and _, starting with a letter.")
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return _("This field is required.")  # an empty text field, as people see it
    if kind in _MESSAGES:
        return _(_MESSAGES[kind])
    if kind in _BOUNDS:
        message, key = _BOUNDS[kind]
        return _(message) % {"limit": _number(ctx.get(key))}
    if kind in ("too_short", "too_long"):  # a list: checkboxes ticked, rows filled
        least = ctx.get("min_length", 1)
        if kind == "too_long":
            return _("Choose at most %(count)s.") % {"count": ctx.get("max_length")}
        return (
            _("Choose at least one.")
            if least == 1
            else _("Choose at least %(count)s.") % {"count": least}
        )
    if kind == "value_error" and "email" in str(error.get("msg", "")).lower():
        return _("Enter a valid email address.")
    if kind == "value_error":
        return _reason(error, _)
    if kind.startswith(("int_", "float_", "decimal_")):
        return _("Enter a number.")
    return _("Invalid value.")


def field_errors(exc: ValidationError, _: Callable[[str], str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "form"
        errors.setdefault(field, field_message(error, _))
    return errors


def named_errors(
    errors: Mapping[str, str], labels: Mapping[str, str], _: Callable[[str], str]
) -> dict[str, str]:
    """Each error with the name of its field in front ("Seats: Enter a number."), for pages
    that list a form's errors together above it rather than beside each field.

    ``labels`` names the parts of a field's path (msgids); ``"<part>.*"`` names a row of a
    list (``stages.2.key`` with ``{"stages.*": "Stage %(row)s", "key": "Key"}`` reads
    "Stage 3 · Key"). A part without a label is left out: the page never shows an internal
    field name."""
    named: dict[str, str] = {}
    for path, message in errors.items():
        parts: list[str] = []
        previous = ""
        for part in path.split("."):
            if part.isdigit() and f"{previous}.*" in labels:
                row = _(labels[f"{previous}.*"]) % {"row": int(part) + 1}
                parts[-1:] = [row] if previous in labels else [*parts[-1:], row]
            elif part in labels:
                parts.append(_(labels[part]))
            previous = part
        name = " · ".join(parts)
        named[path] = (
            _("%(field)s: %(text)s") % {"field": name, "text": message} if name else message
        )
    return named


def naming(
    page: Callable[[dict[str, str]], Response], labels: Mapping[str, str], request: Request
) -> Callable[[dict[str, str]], Response]:
    """``page`` showing each error with its field's name (see :func:`named_errors`)."""
    _ = gettext_for(request.state.language)
    return lambda errors: page(named_errors(errors, labels, _))


def validate_form(
    schema: type[SchemaT], data: dict[str, Any], _: Callable[[str], str]
) -> tuple[SchemaT | None, dict[str, str]]:
    """(instance, {}) when valid, else (None, field -> translated message)."""
    try:
        return schema.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc, _)


def app_error_fields(exc: AppError, _: Callable[[str], str]) -> dict[str, str]:
    """An AppError as form errors: its message on its first field (or on the whole form)."""
    message = exc.translated(_)
    if exc.fields:
        return {next(iter(exc.fields)): message}
    return {"form": message}


@dataclass(frozen=True)
class PostedForm:
    """A posted form: the last value of each text field, every value of repeated fields, and
    the uploaded files that carry a file name."""

    values: Mapping[str, str] = field(default_factory=dict)
    lists: Mapping[str, list[str]] = field(default_factory=dict)
    files: Mapping[str, UploadFile] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def pick(self, *names: str) -> dict[str, str]:
        """The named text fields as posted (``""`` for one that was not)."""
        return {name: self.get(name) for name in names}

    def getlist(self, name: str) -> list[str]:
        return list(self.lists.get(name, []))

    def listed(self, name: str) -> list[str]:
        """A repeated field posted as ``name[]`` (or once as ``name``)."""
        repeated = self.getlist(f"{name}[]")
        if repeated:
            return repeated
        return [self.get(name)] if self.get(name) else []

    def file(self, name: str) -> UploadFile | None:
        return self.files.get(name)

    def read_file(self, name: str, limit: int) -> bytes | None:
        """Up to ``limit`` bytes of an upload (the caller refuses more), None when absent.

        Blocking: call it from a plain ``def`` route, which runs on the thread pool."""
        upload = self.files.get(name)
        if upload is None:
            return None
        upload.file.seek(0)
        return upload.file.read(limit)


async def read_form(request: Request) -> PostedForm:
    """Read the body on the event loop (Starlette caches it for the CSRF check too)."""
    form = await request.form()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    files: dict[str, UploadFile] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            values[key] = value
            lists.setdefault(key, []).append(value)
        elif isinstance(value, UploadFile) and value.filename:
            files[key] = value
    return PostedForm(values, lists, files)


Form = Annotated[PostedForm, Depends(read_form)]
Page = Callable[[dict[str, str]], Response]


def refused_or_raise(exc: AppError, _: Callable[[str], str]) -> dict[str, str]:
    """The field errors of a refused action; 401/403/404 are raised again (same 404 rule)."""
    if exc.status in (401, 403, 404):
        raise exc
    return app_error_fields(exc, _)


def act_or_rerender(request: Request, act: Callable[[], Response], page: Page) -> Response:
    """Run ``act``; when it refuses (``AppError``), ``page(errors)`` renders the form again and
    the answer carries the refusal's status, whatever status the page rendered with."""
    _ = gettext_for(request.state.language)
    try:
        return act()
    except AppError as exc:
        response = page(refused_or_raise(exc, _))
        response.status_code = exc.status
        return response


def page_of_form(
    request: Request, template: str, context: dict[str, Any], errors: Mapping[str, str] | None
) -> Response:
    """A page that holds a form, shown first (no errors: 200) or again with its field errors
    (422); the template reads them as ``errors`` (``{}`` when there are none)."""
    return render(
        request,
        template,
        {**context, "errors": dict(errors or {})},
        status_code=422 if errors else 200,
    )


def form_page(
    request: Request,
    template: str,
    context: dict[str, Any],
    errors: dict[str, str],
    values: Mapping[str, Any],
    **more: Any,
) -> Response:
    """A form's page shown again: ``context`` with the errors, the values typed and ``more``,
    answering 422 (``act_or_rerender`` gives a refusal its own status instead)."""
    context.update({"errors": errors, "values": dict(values), **more})
    return render(request, template, context, status_code=422)


def rerender(
    request: Request,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    rollback: Session | None = None,
    **more: Any,
) -> Page:
    """The ``Page`` that shows ``template`` again with the errors: ``context()`` built afresh
    (after rolling ``rollback`` back, when the refused action may have left it dirty), the
    errors and ``more`` added, answering 422."""

    def page(errors: dict[str, str]) -> Response:
        if rollback is not None:
            rollback.rollback()
        built = context()
        built.update({"errors": errors, **more})
        return render(request, template, built, status_code=422)

    return page


@dataclass(frozen=True)
class WordedPages:
    """The pages of a domain that all show the same words (the labels of its statuses, kinds,
    ...): each page's context is laid over ``words``."""

    words: Mapping[str, Any]

    def render(
        self, request: Request, template: str, context: dict[str, Any], status: int = 200
    ) -> Response:
        return render(request, template, {**self.words, **context}, status_code=status)

    def form(
        self,
        request: Request,
        template: str,
        context: dict[str, Any],
        errors: Mapping[str, str] | None,
    ) -> Response:
        """``page_of_form`` with the words."""
        return page_of_form(request, template, {**self.words, **context}, errors)

    def rerender(
        self,
        request: Request,
        template: str,
        context: Callable[[], dict[str, Any]],
        *,
        rollback: Session | None = None,
        **more: Any,
    ) -> Page:
        """``rerender`` with the words."""
        return rerender(
            request, template, lambda: {**self.words, **context()}, rollback=rollback, **more
        )


def redirect_after(act: Callable[P, object], target: str) -> Callable[P, Response]:
    """``act``, answering 303 to ``target`` once it is done."""

    def run(*args: P.args, **kwargs: P.kwargs) -> Response:
        act(*args, **kwargs)
        return RedirectResponse(target, status_code=303)

    return run


def redirect_to_new(act: Callable[P, Any], target: str) -> Callable[P, Response]:
    """``act``, answering 303 to the page of the row it made: ``target`` with ``{id}`` standing
    for the row's id (``"/openings/{id}"``)."""

    def run(*args: P.args, **kwargs: P.kwargs) -> Response:
        row = act(*args, **kwargs)
        return RedirectResponse(target.format(id=row.id), status_code=303)

    return run


def submit_form(
    request: Request,
    schema: type[SchemaT],
    data: dict[str, Any],
    act: Callable[[SchemaT], Response],
    page: Page,
) -> Response:
    """Validate ``data`` into ``schema`` and run ``act`` with it; on invalid input or a refused
    action, ``page(errors)`` renders the form again (it should answer 422; a refusal's answer
    carries the refusal's status instead)."""
    _ = gettext_for(request.state.language)
    parsed, errors = validate_form(schema, data, _)
    if parsed is None:
        return page(errors)
    return act_or_rerender(request, lambda: act(parsed), page)


Save = Callable[[Request, Session, Principal, PostedForm, int | None], Response]


def add_and_edit_routes(
    router: APIRouter, path: str, id_name: str, save: Save, *, add_name: str, edit_name: str
) -> None:
    """The two routes of a form that both adds a row and edits one: ``POST path`` runs
    ``save(request, session, principal, form, None)``, ``POST path/{id_name}`` the same with
    the row's id (the path names its id as the other routes of the row do)."""

    def add(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
        return save(request, session, principal, form, None)

    def edit(**given: Any) -> Response:
        request, session, principal = given["request"], given["session"], given["principal"]
        return save(request, session, principal, given["form"], given[id_name])

    keyword = inspect.Parameter.KEYWORD_ONLY
    edit.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter("session", keyword, annotation=DbSession),
            inspect.Parameter("principal", keyword, annotation=PageUser),
            inspect.Parameter(id_name, keyword, annotation=Id),
            inspect.Parameter("form", keyword, annotation=Form),
        ]
    )
    router.add_api_route(path, add, methods=["POST"], name=add_name)
    router.add_api_route(f"{path}/{{{id_name}}}", edit, methods=["POST"], name=edit_name)


def blank_to_none(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    return int(value) if value.isdigit() else -1


def day_bound(value: str, zone: str, *, end: bool) -> datetime | None:
    """A date typed in the viewer's zone (YYYY-MM-DD) → the instant that day starts, or the
    next day's start for an inclusive "to" bound; None when empty or not a date."""
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    start = datetime.combine(day, time.min, tzinfo=ZoneInfo(zone))
    return start + timedelta(days=1) if end else start


def local_datetime(value: str, zone: str) -> datetime | None:
    """A ``datetime-local`` input typed in ``zone`` as an aware datetime (None if empty or not a
    date and time); a value that carries its own offset keeps it."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(zone))
