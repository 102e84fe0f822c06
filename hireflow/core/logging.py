"""Structured logs without personal data.

Every record goes out as one JSON object per line with the request id, and every message and
argument passes through :func:`hireflow.core.audit.scrub`, so an email address or phone number
that slips into a log call is masked before it is written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

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


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
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
        if record.exc_info:
            payload["error"] = scrub(self.formatException(record.exc_info))
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
        JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level.upper())
    for noisy in ("jieba", "multipart", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
