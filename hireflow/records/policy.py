"""A company's record policy (one-time codes for files) and retention rules."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.rows import company_row
from hireflow.records.models import STATUSES, RecordPolicy, RetentionRule


def get_policy(session: Session, tenant_id: int) -> RecordPolicy:
    """The company's record policy (defaults when it never changed one)."""
    policy = session.get(RecordPolicy, tenant_id)
    return policy or RecordPolicy(tenant_id=tenant_id, require_download_code=False)


def update_policy(
    session: Session, principal: Principal, *, require_download_code: bool
) -> RecordPolicy:
    """Turn the one-time code for opening files on or off for the company."""
    require(principal, "records.manage")
    policy = company_row(session, RecordPolicy, principal.tenant_id)[0]
    before = bool(policy.require_download_code)
    policy.require_download_code = bool(require_download_code)
    policy.updated_at = utcnow()
    policy.updated_by_id = principal.user_id
    audit.commit_recorded(
        session,
        "record.policy_updated",
        actor=principal,
        target_type="record_policy",
        target_id=principal.tenant_id,
        old={"require_download_code": before},
        new={"require_download_code": policy.require_download_code},
    )
    return policy


def add_retention_rule(
    session: Session,
    principal: Principal,
    *,
    status: str,
    months: int,
    region: str | None = None,
) -> RetentionRule:
    """Erase records that stayed in ``status`` for ``months`` (optionally in one region)."""
    require(principal, "records.manage")
    if status not in STATUSES:
        raise ValidationFailed(N_("Unknown status."), fields={"status": "unknown"})
    if not isinstance(months, int) or not 1 <= months <= 600:
        raise ValidationFailed(N_("Months must be between 1 and 600."), fields={"months": "range"})
    code = (region or "").strip().lower() or None
    if code is not None and code not in ("cn", "eu", "us", "sg"):
        raise ValidationFailed(N_("Unknown region."), fields={"region": "unknown"})
    rule = RetentionRule(
        tenant_id=principal.tenant_id,
        region=code,
        status=status,
        months=months,
        enabled=True,
        created_by_id=principal.user_id,
        created_at=utcnow(),
    )
    new = {"status": status, "months": months, "region": code}
    audit.commit_created(
        session,
        rule,
        "retention_rule.created",
        actor=principal,
        target_type="retention_rule",
        new=new,
    )
    return rule


def delete_retention_rule(session: Session, principal: Principal, rule_id: int) -> None:
    """Remove a retention rule of the caller's company."""
    rule = require_visible(session, RetentionRule, rule_id, principal, "records.manage")
    old = {"status": rule.status, "months": rule.months, "region": rule.region}
    audit.commit_deleted(
        session,
        rule,
        "retention_rule.deleted",
        actor=principal,
        target_type="retention_rule",
        old=old,
    )
