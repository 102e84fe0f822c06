"""Retention: erase records that stayed in a status longer than the company keeps them.

A rule says "records in status S (in region R) are erased M months after they entered
it" (e.g. rejected candidates after 6 months, PIPL Art. 19 / GDPR Art. 5(1)(e)). The
Celery beat task runs :func:`apply_retention` daily; ``hireflow retention`` runs it now
(``--dry-run`` lists what would go). Records under legal hold are skipped and counted.
Each erasure is an ordinary :func:`~hireflow.records.service.erase_person` by the system
actor ``retention``, audited like any other; the run itself is audited per company.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import AppError
from hireflow.core.logging import log_error
from hireflow.records.models import PersonRecord, RetentionRule
from hireflow.records.service import erase_person
from hireflow.records.timeline import SystemActor

log = logging.getLogger(__name__)


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment ``months`` calendar months earlier (day clamped)."""
    index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass
class RetentionReport:
    """What a retention run did (ids only)."""

    dry_run: bool
    rules: int = 0
    erased: list[int] = field(default_factory=list)
    due: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)


def _matching(session: Session, rule: RetentionRule, now: datetime, held: bool) -> list[int]:
    cutoff = months_before(now, rule.months)
    stmt = select(PersonRecord.person_id).where(
        PersonRecord.tenant_id == rule.tenant_id,
        PersonRecord.status == rule.status,
        PersonRecord.status_at.is_not(None),
        PersonRecord.status_at < cutoff,
        PersonRecord.erased_at.is_(None),
        PersonRecord.legal_hold.is_(held),
    )
    if rule.region:
        stmt = stmt.where(PersonRecord.region == rule.region)
    return list(session.scalars(stmt.order_by(PersonRecord.person_id)))


def apply_retention(
    session: Session,
    *,
    now: datetime | None = None,
    tenant_id: int | None = None,
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> RetentionReport:
    """Apply every enabled rule (of one tenant, or all); erase what is due unless dry-run."""

    now = now or utcnow()
    report = RetentionReport(dry_run=dry_run)
    stmt = select(RetentionRule).where(RetentionRule.enabled.is_(True))
    if tenant_id is not None:
        stmt = stmt.where(RetentionRule.tenant_id == tenant_id)
    rules = list(session.scalars(stmt.order_by(RetentionRule.tenant_id, RetentionRule.id)))
    report.rules = len(rules)
    due: dict[int, int] = {}
    held: dict[int, int] = {}
    for rule in rules:
        for person_id in _matching(session, rule, now, held=False):
            due.setdefault(person_id, rule.tenant_id)
        for person_id in _matching(session, rule, now, held=True):
            held.setdefault(person_id, rule.tenant_id)
    report.due = sorted(due)
    report.held = sorted(held)
    if dry_run:
        return report
    by_tenant: dict[int, list[int]] = {}
    for done, person_id in enumerate(report.due, 1):
        tenant = due[person_id]
        try:
            erase_person(
                session, SystemActor("retention", tenant_id=tenant), person_id, reason="retention"
            )
        except AppError as exc:
            session.rollback()
            report.failed[person_id] = exc.code
        except Exception as exc:  # one broken record must not stop the others' retention
            session.rollback()
            report.failed[person_id] = type(exc).__name__
            log_error(
                log,
                "retention failed for a record",
                exc,
                event="records.retention_failed",
                person_id=person_id,
            )
        else:
            report.erased.append(person_id)
            by_tenant.setdefault(tenant, []).append(person_id)
        if progress:
            progress(done, len(report.due))
    for tenant in sorted({rule.tenant_id for rule in rules}):
        audit.record(
            session,
            "retention.applied",
            actor=None,
            actor_label="system:retention",
            tenant_id=tenant,
            target_type="retention",
            new={
                "erased": len(by_tenant.get(tenant, [])),
                "held": sum(1 for t in held.values() if t == tenant),
            },
        )
    session.commit()
    return report
