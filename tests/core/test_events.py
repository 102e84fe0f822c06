from __future__ import annotations

import re
import types
from pathlib import Path

import pytest

from hireflow.core import events
from hireflow.discovery import domain_modules

ROOT = Path(__file__).resolve().parents[2]


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
    """Read from the domains' modules themselves: ``_handlers`` refuses an unknown name only
    when something is published, and an empty discovery would pass any loop over it."""
    modules = list(domain_modules("event_handlers"))
    named = [(name, module.__name__) for module in modules for name in module.HANDLERS]
    assert {name for name, _ in named} - {"*"}, "no domain handles a named event"
    unknown = [(name, where) for name, where in named if name != "*" and name not in events.EVENTS]
    assert unknown == [], f"handlers of events nobody publishes: {unknown}"


def test_every_event_has_a_documented_payload() -> None:
    """docs/integrations.md has a row per event naming its subject and every ``data`` field,
    and documents no event that does not exist."""
    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    rows = {
        match["name"]: match["data"]
        for match in re.finditer(
            r"^\| `(?P<name>[a-z_]+\.[a-z_]+)` \| `(?P<subject>[a-z_]+:<id>)`[^|]* "
            r"\| (?P<data>[^|]*?) \| [^|]+ \|$",
            text,
            re.MULTILINE,
        )
    }
    undocumented = sorted(name for name in events.EVENTS if "`" not in rows.get(name, ""))
    assert undocumented == [], f"events without a documented payload: {undocumented}"
    assert sorted(set(rows) - events.EVENTS) == []
