from __future__ import annotations

import types

import pytest

from hireflow.core import events


@pytest.fixture
def handlers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    module = types.ModuleType("hireflow.example.event_handlers")
    module.HANDLERS = {  # type: ignore[attr-defined]
        "stage.changed": lambda session, event: seen.append(("stage", event.subject)),
        "*": lambda session, event: seen.append(("any", event.name)),
    }
    monkeypatch.setattr(events, "domain_modules", lambda name: [module])
    events._handlers.cache_clear()
    yield seen
    events._handlers.cache_clear()


def test_publish_runs_the_named_and_the_catch_all_handlers(handlers: list) -> None:
    event = events.publish(None, "stage.changed", 1, "application:7", {"to": "round_1"})  # type: ignore[arg-type]
    assert handlers == [("stage", "application:7"), ("any", "stage.changed")]
    assert event.data == {"to": "round_1"} and event.tenant_id == 1 and len(event.id) == 32
    events.publish(None, "report.ready", 1, "interview:3", {})  # type: ignore[arg-type]
    assert handlers[-1] == ("any", "report.ready")


def test_an_unknown_event_is_refused(handlers: list) -> None:
    with pytest.raises(events.UnknownEvent):
        events.publish(None, "stage.chnaged", 1, "application:7", {})  # type: ignore[arg-type]
    assert handlers == []


def test_a_handler_for_an_unknown_event_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("hireflow.example.event_handlers")
    module.HANDLERS = {"offer.sent": lambda session, event: None}  # type: ignore[attr-defined]
    monkeypatch.setattr(events, "domain_modules", lambda name: [module])
    events._handlers.cache_clear()
    try:
        with pytest.raises(events.UnknownEvent, match=r"offer\.sent"):
            events.publish(None, "stage.changed", 1, "application:7", {})  # type: ignore[arg-type]
    finally:
        events._handlers.cache_clear()


def test_the_domains_handlers_all_name_known_events() -> None:
    events._handlers.cache_clear()
    for name in events._handlers():
        assert name == "*" or name in events.EVENTS
