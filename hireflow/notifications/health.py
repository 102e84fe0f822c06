"""Notifications' share of the task-worker health check (``hireflow.core.worker.health``):
messages due but not yet handed to a channel, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.core.rows import count_and_oldest
from hireflow.notifications.models import OutboxMessage


def oldest_due_message(session: Session) -> tuple[int, datetime | None]:
    due = OutboxMessage.next_attempt_at
    return count_and_oldest(
        session, due, OutboxMessage.status.in_(("queued", "retry")), due <= utcnow()
    )


BACKLOGS = {"messages": oldest_due_message}
