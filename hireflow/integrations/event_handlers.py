"""Every event becomes one delivery row per subscribed endpoint, in the publisher's
transaction (so it is never lost, and never sent for a transaction that rolled back); the
sending is queued by name for after the commit."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from hireflow.core.events import Event
from hireflow.core.tasks import enqueue_on_commit
from hireflow.integrations.models import WebhookDelivery
from hireflow.integrations.webhooks import DELIVER_TASK, subscribed


def envelope(event: Event) -> str:
    """The body every receiver gets, serialised once so each attempt signs the same bytes."""
    return json.dumps(
        {
            "id": event.id,
            "type": event.name,
            "created_at": event.occurred_at.isoformat(),
            "subject": event.subject,
            "data": dict(event.data),
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


def record_deliveries(session: Session, event: Event) -> None:
    endpoint_ids = subscribed(session, event.tenant_id, event.name)
    if not endpoint_ids:
        return
    body = envelope(event)
    rows = [
        WebhookDelivery(
            tenant_id=event.tenant_id,
            endpoint_id=endpoint_id,
            event_id=event.id,
            event=event.name,
            subject=event.subject[:120],
            body=body,
            next_attempt_at=event.occurred_at,
        )
        for endpoint_id in endpoint_ids
    ]
    session.add_all(rows)
    session.flush()
    for row in rows:
        enqueue_on_commit(session, DELIVER_TASK, row.id)


HANDLERS = {"*": record_deliveries}
