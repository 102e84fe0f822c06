"""Background delivery of outbox messages.

``deliver_messages`` runs right after the transaction that produced the messages commits;
``deliver_due`` is periodic (Celery beat): it retries failed-for-now messages when their
back-off ends and releases claims left by workers that died. Both are idempotent: every row
is claimed with a conditional UPDATE before anything is sent.
"""

from __future__ import annotations

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.notifications import delivery


@celery_app.task(name="notifications.deliver_messages")
def deliver_messages(message_ids: list[int]) -> dict[str, int]:
    """Deliver the given outbox rows (already sent or claimed ones are skipped)."""
    return delivery.deliver_many(get_database(), [int(i) for i in message_ids], get_settings())


@celery_app.task(name="notifications.deliver_due")
def deliver_due() -> dict[str, int]:
    """Retries whose back-off has passed, new rows nobody picked up, and stale claims."""
    return delivery.deliver_due(get_database(), get_settings())


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "notifications.deliver_due": {"task": "notifications.deliver_due", "schedule": 30.0},
}
