"""Periodic work of self-service: reminders before a course starts (Celery beat)."""

from __future__ import annotations

from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app
from hireflow.selfservice import reminders


@celery_app.task(name="selfservice.remind_courses")
def remind_courses() -> dict[str, int]:
    """Remind the people holding a seat before their course starts (once per lead time)."""
    return reminders.remind_due(get_database())


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "selfservice.remind_courses": {"task": "selfservice.remind_courses", "schedule": 300.0},
}
