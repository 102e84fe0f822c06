"""Helpers for HTML forms: validate into a Pydantic schema, collect translated field errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ValidationError

from hireflow.core.errors import AppError

SchemaT = TypeVar("SchemaT", bound=BaseModel)


def field_errors(exc: ValidationError, _: Callable[[str], str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "form"
        kind = error["type"]
        if kind == "missing":
            errors[field] = _("This field is required.")
        elif kind == "string_too_short":
            errors[field] = _("This field is too short.")
        elif kind == "string_too_long":
            errors[field] = _("This field is too long.")
        elif kind == "value_error" and "email" in str(error.get("msg", "")).lower():
            errors[field] = _("Enter a valid email address.")
        elif kind == "value_error":
            errors[field] = _("Invalid value: %(reason)s") % {
                "reason": str(error.get("ctx", {}).get("error", ""))
            }
        elif kind.startswith(("int_", "float_")):
            errors[field] = _("Enter a number.")
        elif kind == "enum":
            errors[field] = _("Choose one of the listed values.")
        else:
            errors[field] = _("Invalid value.")
    return errors


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
