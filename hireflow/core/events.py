"""Domain events: one domain says what happened, the others react, and nobody imports anybody.

``publish(session, "stage.changed", tenant_id, subject, data)`` runs, inside the caller's
transaction, every handler a domain lists in its ``event_handlers`` module (found by discovery:
``HANDLERS = {"stage.changed": handle, ...}``, or ``"*"`` for every event). A handler that
needs to do slow work writes a row or queues a task with ``core.tasks.enqueue_on_commit``, so
the event and everything it causes commit or roll back together: an event is never lost and
never acted on for a transaction that failed.

Event names are listed in ``EVENTS`` so a misspelt name fails where it is published; each
event's payload is documented in docs/integrations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from typing import Any
from uuid import uuid4

from sqlalchemy.orm import Session

from hireflow.discovery import domain_modules

EVENTS = frozenset(
    {
        "candidate.created",
        "report.ready",
        "stage.changed",
        "scorecards.completed",
        "scorecard.submitted",
        "interview.booked",
        "offer.decided",
        "offer.answered",
        "offer.accepted",
        "employee.created",
    }
)


@dataclass(frozen=True)
class Event:
    """What happened, to which subject (e.g. ``application:42``), in which tenant."""

    name: str
    tenant_id: int
    subject: str
    data: Mapping[str, Any]
    id: str = field(default_factory=lambda: uuid4().hex)
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))


Handler = Callable[[Session, Event], None]


class UnknownEvent(ValueError):
    pass


@cache
def _handlers() -> dict[str, tuple[Handler, ...]]:
    table: dict[str, list[Handler]] = {}
    for module in domain_modules("event_handlers"):
        for name, handler in getattr(module, "HANDLERS", {}).items():
            if name != "*" and name not in EVENTS:
                raise UnknownEvent(f"{module.__name__} handles unknown event {name!r}")
            table.setdefault(name, []).append(handler)
    return {name: tuple(found) for name, found in table.items()}


def publish(
    session: Session, name: str, tenant_id: int, subject: str, data: Mapping[str, Any]
) -> Event:
    """Run every handler of ``name`` (and every ``"*"`` handler) in the current transaction."""
    if name not in EVENTS:
        raise UnknownEvent(f"unknown event {name!r}")
    event = Event(name=name, tenant_id=tenant_id, subject=subject, data=dict(data))
    handlers = _handlers()
    for handler in handlers.get(name, ()) + handlers.get("*", ()):
        handler(session, event)
    return event
