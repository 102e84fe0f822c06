"""Every event becomes one delivery row per subscribed endpoint, in the publisher's
transaction (so it is never lost, and never sent for a transaction that rolled back); the
sending is queued by name for after the commit."""

from __future__ import annotations

import json

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from hireflow.core.db import on_commit
from hireflow.core.events import Event
from hireflow.core.tasks import enqueue_on_commit
from hireflow.integrations.delivery import CHUNK
from hireflow.integrations.models import WebhookDelivery
from hireflow.integrations.webhooks import DELIVER_TASK, subscriptions


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
    endpoint_ids = _subscribed(session, event.tenant_id, event.name)
    if not endpoint_ids:
        return
    body = envelope(event)
    for endpoint_id in endpoint_ids:
        row = WebhookDelivery(
            tenant_id=event.tenant_id,
            endpoint_id=endpoint_id,
            event_id=event.id,
            event=event.name,
            subject=event.subject[:120],
            body=body,
            next_attempt_at=event.occurred_at,
            status="pending",
            attempts=0,
        )
        session.add(row)
        _queue(session, row)


_ENDPOINTS_KEY = "integrations.endpoints"
_CHUNK_KEY = "integrations.deliver_chunk"


def _subscribed(session: Session, tenant_id: int, event: str) -> list[int]:
    """The endpoints of ``event``, read once per transaction and company (a transaction that
    publishes many events asks once)."""
    transaction = session.get_transaction()
    cached = session.info.get(_ENDPOINTS_KEY)
    if cached is None or cached[0] is not transaction:
        cached = (transaction, {})
        session.info[_ENDPOINTS_KEY] = cached
    by_tenant: dict[int, list[tuple[int, list[str]]]] = cached[1]
    if tenant_id not in by_tenant:
        by_tenant[tenant_id] = subscriptions(session, tenant_id)
    return [i for i, events in by_tenant[tenant_id] if event in events or "*" in events]


def _queue(session: Session, row: WebhookDelivery) -> None:
    """Queue the row with the others of this transaction, CHUNK to a task. Rows are inserted
    together at the commit's flush; a first after-commit hook collects their ids into the list
    the task is sent with (hooks run in the order they were registered)."""
    transaction = session.get_transaction()
    current = session.info.get(_CHUNK_KEY)
    if current is None or current[0] is not transaction or len(current[1]) >= CHUNK:
        rows: list[WebhookDelivery] = []
        ids: list[int] = []
        current = (transaction, rows)
        session.info[_CHUNK_KEY] = current
        on_commit(session, lambda: ids.extend(_row_id(r) for r in rows))
        enqueue_on_commit(session, DELIVER_TASK, ids)
    current[1].append(row)


def _row_id(row: WebhookDelivery) -> int:
    """The id the commit's flush gave the row, read without loading it again."""
    identity = inspect(row).identity
    assert identity is not None
    return int(identity[0])


HANDLERS = {"*": record_deliveries}
