"""What a company lets people see of their own report (SPEC J1: configurable per company), and
the hours before a course at which people holding a seat are reminded (J2)."""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require
from hireflow.selfservice.models import COURSE_REMINDER_HOURS, SelfServicePolicy

MAX_REMINDER_HOURS = 168  # a week before the start at the most

FLAGS = (
    "show_scores",
    "show_radar",
    "show_evidence",
    "show_suggestions",
    "candidates_see_report",
    "after_review_only",
)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    show_scores: bool = True
    show_radar: bool = True
    show_evidence: bool = True
    show_suggestions: bool = True
    candidates_see_report: bool = False
    after_review_only: bool = True
    # up to three lead times of at most a week; typed in a form as "24, 1"
    course_reminder_hours: list[Annotated[int, Field(ge=1, le=MAX_REMINDER_HOURS)]] = Field(
        default_factory=lambda: list(COURSE_REMINDER_HOURS), max_length=3
    )

    @field_validator("course_reminder_hours", mode="before")
    @classmethod
    def _typed(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,，、;]+", value) if part]
        return value

    @field_validator("course_reminder_hours")
    @classmethod
    def _furthest_first(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)


def policy_of(session: Session, tenant_id: int) -> SelfServicePolicy:
    """The company's policy, or the defaults (not added to the session) when it never chose."""
    found = session.get(SelfServicePolicy, tenant_id)
    if found is not None:
        return found
    defaults = PolicyIn()
    return SelfServicePolicy(tenant_id=tenant_id, **defaults.model_dump())


def update_policy(session: Session, principal: Principal, data: PolicyIn) -> SelfServicePolicy:
    """Change what people see of their reports; audited with the old and new values."""
    require(principal, "training.manage")
    policy = session.get(SelfServicePolicy, principal.tenant_id)
    if policy is None:
        policy = policy_of(session, principal.tenant_id)
        session.add(policy)
    before = _settings(policy)
    for name in FLAGS:
        setattr(policy, name, bool(getattr(data, name)))
    policy.course_reminder_hours = list(data.course_reminder_hours)
    policy.updated_by_id = principal.user_id
    policy.updated_at = utcnow()
    audit.commit_recorded(
        session,
        "selfservice.policy_updated",
        actor=principal,
        target_type="selfservice_policy",
        target_id=principal.tenant_id,
        old=before,
        new=_settings(policy),
    )
    return policy


def _settings(policy: SelfServicePolicy) -> dict[str, Any]:
    values: dict[str, Any] = {name: bool(getattr(policy, name)) for name in FLAGS}
    values["course_reminder_hours"] = list(policy.course_reminder_hours or [])
    return values
