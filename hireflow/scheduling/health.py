"""Scheduling's share of the task-worker health check (``hireflow.core.worker.health``):
invitations queued for sending and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.scheduling.models import Invitation


def oldest_queued_invitation(session: Session) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(Invitation.created_at)).where(Invitation.status == "queued")
    ).one()
    return int(count or 0), oldest


BACKLOGS = {"invitations": oldest_queued_invitation}
