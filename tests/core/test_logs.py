"""Errors reach the log by class and frames, never by message (personal data stays out)."""

from __future__ import annotations

import json
import logging

from hireflow.core.logging import JsonFormatter, TextFormatter, error_stack, log_error

SECRET = "王芳 wang.fang@example.com 13800138000"


def _failure() -> RuntimeError:
    try:
        try:
            raise KeyError(SECRET)
        except KeyError as inner:
            raise RuntimeError(f"could not store {SECRET}") from inner
    except RuntimeError as exc:
        return exc


def test_log_error_keeps_ids_class_and_frames_and_drops_the_message(caplog):
    log = logging.getLogger("hireflow.test_logs")
    with caplog.at_level(logging.WARNING, logger="hireflow.test_logs"):
        log_error(log, "storing failed", _failure(), event="test.failed", person_id=7)
    [record] = caplog.records
    assert (record.event, record.person_id, record.error) == ("test.failed", 7, "RuntimeError")
    assert record.exc_info is None and record.exc_text is None
    # the cause first, then what it led to; each frame named, no message
    assert record.stack.index("KeyError") < record.stack.index("RuntimeError")
    assert "test_logs.py" in record.stack and "in _failure" in record.stack
    line = json.loads(JsonFormatter().format(record))
    assert (line["person_id"], line["error"], line["event"]) == (7, "RuntimeError", "test.failed")
    for text in (caplog.text, str(record.__dict__), json.dumps(line, ensure_ascii=False)):
        assert "王芳" not in text and "wang.fang" not in text and "13800138000" not in text


def test_a_library_logging_a_traceback_loses_the_message_in_our_formatters():
    """A third-party logger.exception() goes through our handler's formatters too."""
    exc = _failure()
    record = logging.LogRecord(
        "some.library", logging.ERROR, __file__, 1, "it broke", None, (type(exc), exc, None)
    )
    record.exc_info = (type(exc), exc, exc.__traceback__)
    for formatter in (JsonFormatter(), TextFormatter("%(message)s")):
        record.exc_text = None  # each formatter renders the traceback itself
        text = formatter.format(record)
        assert "RuntimeError" in text and "in _failure" in text
        assert "王芳" not in text and "wang.fang" not in text and "13800138000" not in text


def test_an_error_without_a_traceback_is_its_class():
    assert error_stack(ValueError(SECRET)) == "ValueError"
