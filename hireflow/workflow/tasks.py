"""Background work of the pipeline: evaluating rules after the events that trigger them, the
next round's invitation, and the daily sweep for candidates left in a stage.

Idempotent (acks are late, a task may run twice): each rule-log row is claimed with a
conditional UPDATE in the transaction that acts on it, and the next round's invitation carries
the row as its request key.
"""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from hireflow.core.db import get_database
from hireflow.core.tasks import celery_app
from hireflow.workflow import automation


@celery_app.task(name="workflow.evaluate_rules")
def evaluate_rules(log_ids: list[int]) -> int:
    """Evaluate pending rule-log rows and run the actions of those whose condition holds."""
    return automation.evaluate_logs(get_database(), [int(i) for i in log_ids])


@celery_app.task(name="workflow.start_next_round")
def start_next_round(log_id: int, index: int) -> dict[str, Any]:
    """Invite the candidate to book the next round with the opening's panel."""
    return automation.start_next_round(get_database(), int(log_id), int(index))


@celery_app.task(name="workflow.sweep_stale_stages")
def sweep_stale_stages() -> int:
    """Rules on "stage unchanged for N days": note the candidates that reached it."""
    return automation.sweep_stale(get_database())


celery_app.conf.beat_schedule = {
    **(celery_app.conf.beat_schedule or {}),
    "workflow.sweep_stale_stages": {
        "task": "workflow.sweep_stale_stages",
        "schedule": crontab(minute=23, hour=1),
    },
}
