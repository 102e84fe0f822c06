"""Webhook delivery in the worker.

``integrations.deliver`` runs after the transaction that wrote the delivery row commits, again
after each back-off, and for the next row of a subject's line once the one before it settled.
``integrations.deliver_due`` is periodic: it re-queues retries and rows whose worker died.
"""

from __future__ import annotations

from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app
from hireflow.integrations import delivery


@celery_app.task(name="integrations.deliver")
def deliver(delivery_id: int) -> str:
    outcome = delivery.attempt(get_database(), int(delivery_id))
    if outcome.status == "retry" and outcome.retry_in is not None:
        deliver.apply_async(args=(outcome.delivery_id,), countdown=outcome.retry_in)
    elif outcome.next_in_line is not None:
        deliver.delay(outcome.next_in_line)
    return outcome.status


@celery_app.task(name="integrations.deliver_due")
def deliver_due() -> int:
    ids = delivery.due(get_database())
    for delivery_id in ids:
        deliver.delay(delivery_id)
    return len(ids)


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "integrations.deliver_due": {"task": "integrations.deliver_due", "schedule": 30.0},
}
