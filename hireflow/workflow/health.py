"""The pipeline's share of the task-worker health check (``hireflow.core.worker.health``):
rule-log rows waiting for the worker to evaluate them, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.workflow.models import RuleLog


def oldest_pending_rule(session: Session) -> tuple[int, datetime | None]:
    count, oldest = session.execute(
        select(func.count(), func.min(RuleLog.created_at)).where(RuleLog.status == "pending")
    ).one()
    return int(count or 0), oldest


BACKLOGS = {"rules": oldest_pending_rule}
