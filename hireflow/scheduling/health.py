"""Scheduling's share of the task-worker health check (``hireflow.core.worker.health``):
invitations queued for sending and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hireflow.core.rows import count_and_oldest
from hireflow.scheduling.models import Invitation


def oldest_queued_invitation(session: Session) -> tuple[int, datetime | None]:
    return count_and_oldest(session, Invitation.created_at, Invitation.status == "queued")


BACKLOGS = {"invitations": oldest_queued_invitation}
