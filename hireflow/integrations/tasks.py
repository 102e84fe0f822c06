"""Webhook delivery in the worker.

``integrations.deliver`` takes the delivery rows one transaction wrote (in chunks), runs after
that commit, again after each back-off, and for the next row of a subject's line once the one
before it settled. ``integrations.deliver_due`` is periodic: it re-queues retries whose
back-off has passed and rows whose worker died.
"""

from __future__ import annotations

from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app
from hireflow.integrations import delivery


@celery_app.task(name="integrations.deliver")
def deliver(delivery_ids: list[int] | int) -> dict[str, int]:
    ids = [int(i) for i in (delivery_ids if isinstance(delivery_ids, list) else [delivery_ids])]
    outcomes = delivery.attempt_many(get_database(), ids[: delivery.CHUNK])
    counts: dict[str, int] = {}
    following = []
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        if outcome.status == "retry" and outcome.retry_in is not None:
            deliver.apply_async(args=([outcome.delivery_id],), countdown=outcome.retry_in)
        elif outcome.next_in_line is not None:
            following.append(outcome.next_in_line)
    if following:
        deliver.delay(sorted(set(following)))
    return counts


@celery_app.task(name="integrations.deliver_due")
def deliver_due() -> int:
    ids = delivery.due(get_database())
    for start in range(0, len(ids), delivery.CHUNK):
        deliver.delay(ids[start : start + delivery.CHUNK])
    return len(ids)


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "integrations.deliver_due": {"task": "integrations.deliver_due", "schedule": 30.0},
}
