"""Background work of scheduling: sending invitation batches, due reminders, calendar sync.

All tasks are idempotent (acks are late, so a task may run twice): each row they act on is
claimed with a conditional UPDATE in the same transaction as the work it stands for.
"""

from __future__ import annotations

from celery.schedules import crontab

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.scheduling import calendar_sync, reminders, sending


@celery_app.task(name="scheduling.send_invitation_batch")
def send_invitation_batch(batch_id: int) -> dict[str, int]:
    """Render and queue the messages of every invitation of one send."""
    return sending.process_batch(get_database(), int(batch_id), get_settings())


@celery_app.task(name="scheduling.resume_stalled_batches")
def resume_stalled_batches() -> int:
    """Sends whose task was lost (a worker killed mid-send, a broker restart) start again."""
    return sending.resume_stalled_batches(get_database())


@celery_app.task(name="scheduling.dispatch_due_reminders")
def dispatch_due_reminders() -> dict[str, int]:
    """Reminders whose time has come become outbox messages, each exactly once."""
    return reminders.dispatch_due_reminders(get_database(), get_settings())


@celery_app.task(name="scheduling.sync_calendars")
def sync_calendars() -> int:
    """Fetch interviewers' remembered calendar exports again."""
    return calendar_sync.sync_calendars(get_database(), get_settings())


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "scheduling.dispatch_due_reminders": {
        "task": "scheduling.dispatch_due_reminders",
        "schedule": 60.0,
    },
    "scheduling.resume_stalled_batches": {
        "task": "scheduling.resume_stalled_batches",
        "schedule": 60.0,
    },
    "scheduling.sync_calendars": {
        "task": "scheduling.sync_calendars",
        "schedule": crontab(minute=17, hour="*/6"),
    },
}
