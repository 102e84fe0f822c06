"""The company's scheduling policy (SPEC D1) and the slot request it implies."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.permissions import Principal, require
from hireflow.core.rows import company_row
from hireflow.scheduling import schemas
from hireflow.scheduling.models import (
    SchedulingPolicy,
)
from hireflow.scheduling.slots import SlotRequest


def policy_for(session: Session, tenant_id: int) -> SchedulingPolicy:
    """The company's policy, or the defaults when it never saved one (not added to the session)."""
    row = session.scalars(
        select(SchedulingPolicy).where(SchedulingPolicy.tenant_id == tenant_id)
    ).first()
    if row is not None:
        return row
    defaults = schemas.PolicyIn.model_validate({})
    return SchedulingPolicy(tenant_id=tenant_id, **defaults.model_dump())


def save_policy(session: Session, principal: Principal, data: schemas.PolicyIn) -> SchedulingPolicy:
    require(principal, "scheduling.configure")
    row, created = company_row(session, SchedulingPolicy, principal.tenant_id)
    before = {} if created else schemas.PolicyOut.model_validate(row).model_dump()
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    session.flush()
    old, new = audit.diff(before, data.model_dump())
    audit.commit_recorded(
        session,
        "scheduling.policy_saved",
        actor=principal,
        target_type="scheduling_policy",
        target_id=row.id,
        old=old,
        new=new,
    )
    return row


def slot_request(
    policy: SchedulingPolicy, duration_minutes: int, *, panel: bool = False, limit: int = 10
) -> SlotRequest:
    buffer = timedelta(minutes=policy.buffer_minutes)
    return SlotRequest(
        duration=timedelta(minutes=duration_minutes),
        buffer_before=buffer,
        buffer_after=buffer,
        granularity=timedelta(minutes=policy.granularity_minutes),
        min_notice=timedelta(hours=policy.min_notice_hours),
        horizon=timedelta(days=policy.horizon_days),
        panel=panel,
        limit=limit,
    )
