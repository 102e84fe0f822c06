"""Notifications' share of the task-worker health check (``hireflow.core.worker.health``):
messages due but not yet handed to a channel, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.notifications.models import OutboxMessage


def oldest_due_message(session: Session) -> tuple[int, datetime | None]:
    now = utcnow()
    count, oldest = session.execute(
        select(func.count(), func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status.in_(("queued", "retry")), OutboxMessage.next_attempt_at <= now
        )
    ).one()
    return int(count or 0), oldest


BACKLOGS = {"messages": oldest_due_message}
