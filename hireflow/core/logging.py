"""Structured logs without personal data.

Every record goes out as one JSON object per line with the request id, and every message and
argument passes through :func:`hireflow.core.audit.scrub`, so an email address or phone number
that slips into a log call is masked before it is written.

An error is logged by its class and where it was raised, never by its message: a database
error's message repeats the statement and its parameters (names, phone numbers), a parser's
quotes its input. Code logs a failure with :func:`log_error` (ids as keyword arguments), and
the formatters write any traceback a library logs the same way (:func:`describe_error`).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from typing import Any

from hireflow.core.audit import request_context, scrub


class ScrubFilter(logging.Filter):
    """Masks personal data in the message (after %-formatting) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        record.msg = scrub(message)
        record.args = None
        record.request_id = request_context.get().request_id
        return True


# Chained errors followed at most this deep (a cause of a cause ...).
_CHAIN_DEPTH = 5


def error_stack(exc: BaseException) -> str:
    """Where ``exc`` was raised: one ``file:line in function`` per frame, oldest first, for it
    and the errors it was raised from, each headed by its class only (no message, no source
    line, no local value)."""
    parts: list[str] = []
    current: BaseException | None = exc
    for _ in range(_CHAIN_DEPTH):
        if current is None:
            break
        frames = traceback.extract_tb(current.__traceback__)
        lines = [f"  {f.filename}:{f.lineno} in {f.name}" for f in frames]
        parts.append("\n".join([type(current).__name__, *lines]))
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return "\n(which led to)\n".join(reversed(parts))


def describe_error(exc: BaseException) -> dict[str, str]:
    """The log fields for an error: ``error`` (its class) and ``stack`` (:func:`error_stack`)."""
    return {"error": type(exc).__name__, "stack": error_stack(exc)}


def log_error(
    logger: logging.Logger,
    message: str,
    exc: BaseException,
    *,
    event: str,
    level: int = logging.ERROR,
    **ids: Any,
) -> None:
    """Log a failure with its ids, the error's class and its frames, never the error's
    message (see the module docstring). ``ids`` are record ids and codes, not personal data."""
    logger.log(level, message, extra={"event": event, **ids, **describe_error(exc)})


def _without_message(ei: Any) -> str:
    exc = ei[1] if isinstance(ei, tuple) else None
    if not isinstance(exc, BaseException):
        return ""
    return error_stack(exc)


class TextFormatter(logging.Formatter):
    """Plain lines; a traceback keeps its frames and loses its messages."""

    def formatException(self, ei: Any) -> str:
        return _without_message(ei)


class JsonFormatter(TextFormatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "")
        if request_id:
            payload["request_id"] = request_id
        for key in ("event", "status", "path", "method", "duration_ms", "task", "count"):
            value = getattr(record, key, None)
            if value is not None:
                payload[key] = value
        for key, found in vars(record).items():  # ids given by log_error and extra=
            if key.endswith("_id") and isinstance(found, int) and not isinstance(found, bool):
                payload[key] = found
        if record.exc_info and record.exc_info[1] is not None:
            payload.update(describe_error(record.exc_info[1]))
        for key in ("error", "stack"):
            value = getattr(record, key, None)
            if isinstance(value, str) and key not in payload:
                payload[key] = scrub(value)
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Install the scrubbing handler on the root logger (idempotent)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_hireflow", False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._hireflow = True  # type: ignore[attr-defined]
    handler.addFilter(ScrubFilter())
    handler.setFormatter(
        JsonFormatter() if json_lines else TextFormatter("%(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("jieba", "multipart", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
