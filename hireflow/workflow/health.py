"""The pipeline's share of the task-worker health check (``hireflow.core.worker.health``):
rule-log rows waiting for the worker to evaluate them, and the age of the oldest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from hireflow.core.rows import count_and_oldest
from hireflow.workflow.models import RuleLog


def oldest_pending_rule(session: Session) -> tuple[int, datetime | None]:
    return count_and_oldest(session, RuleLog.created_at, RuleLog.status == "pending")


BACKLOGS = {"rules": oldest_pending_rule}
