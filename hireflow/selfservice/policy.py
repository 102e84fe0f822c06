"""What a company lets people see of their own report (SPEC J1: configurable per company)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require
from hireflow.selfservice.models import SelfServicePolicy

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
    before = {name: bool(getattr(policy, name)) for name in FLAGS}
    for name in FLAGS:
        setattr(policy, name, bool(getattr(data, name)))
    policy.updated_by_id = principal.user_id
    policy.updated_at = utcnow()
    audit.record(
        session,
        "selfservice.policy_updated",
        actor=principal,
        target_type="selfservice_policy",
        target_id=principal.tenant_id,
        old=before,
        new={name: bool(getattr(policy, name)) for name in FLAGS},
    )
    session.commit()
    return policy
