"""Background work of scheduling: sending invitation batches, due reminders, calendar sync.

All tasks are idempotent (acks are late, so a task may run twice): each row they act on is
claimed with a conditional UPDATE in the same transaction as the work it stands for.
"""

from __future__ import annotations

from celery.schedules import crontab

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.live.meeting_room import HireflowLiveProvider
from hireflow.scheduling import calendar_sync, reminders, sending
from hireflow.scheduling.meetings import service as meetings

# The live room is a meeting provider; scheduling's services cannot import the live domain
# (live imports interviews, which imports scheduling), the worker's tasks module may.
meetings.register_provider("hireflow_live", HireflowLiveProvider.build)


@celery_app.task(name="scheduling.send_invitation_batch")
def send_invitation_batch(batch_id: int) -> dict[str, int]:
    """Render and queue the messages of every invitation of one send."""
    return sending.process_batch(get_database(), int(batch_id), get_settings())


@celery_app.task(name="scheduling.provide_meeting")
def provide_meeting(
    booking_id: int,
    sequence: int,
    change: str,
    previous_start: str | None = None,
    released: list[int] | None = None,
) -> str:
    """Make a booking's meeting with the company's provider, then send its invitations."""
    return meetings.provide_meeting(
        get_database(),
        get_settings(),
        int(booking_id),
        int(sequence),
        change,
        previous_start,
        list(released or []),
    )


@celery_app.task(name="scheduling.cancel_meeting")
def cancel_meeting(tenant_id: int, provider: str, external_id: str) -> bool:
    """Cancel a moved or cancelled booking's meeting at its provider."""
    return meetings.cancel_meeting(
        get_database(), get_settings(), int(tenant_id), provider, external_id
    )


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
