"""Periodic work of offers and onboarding: expiry and reminders (Celery beat)."""

from __future__ import annotations

from hireflow.core.db import get_database
from hireflow.core.settings import get_settings
from hireflow.core.tasks import celery_app
from hireflow.offers import hire, service


@celery_app.task(name="offers.expire_and_remind")
def expire_and_remind() -> dict[str, int]:
    """Expire offers past their time, remind candidates before it (idempotent: each offer
    expires once and is reminded once per link)."""
    settings = get_settings()
    with get_database().session() as session:
        expired = service.expire_due(session, settings)
        reminded = service.remind_due(session, settings)
    return {"expired": expired, "reminded": reminded}


@celery_app.task(name="offers.remind_onboarding")
def remind_onboarding() -> dict[str, int]:
    """Remind the owners of onboarding tasks due tomorrow or overdue (once per task)."""
    with get_database().session() as session:
        return {"reminded": hire.remind_tasks(session, get_settings())}


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "offers-expire-and-remind": {"task": "offers.expire_and_remind", "schedule": 900.0},
    "offers-remind-onboarding": {"task": "offers.remind_onboarding", "schedule": 3600.0},
}
