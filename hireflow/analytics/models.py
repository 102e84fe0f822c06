"""Voluntary self-identification for the bias audit (SPEC I, bias audit).

A candidate's answers (sex, race/ethnicity, age band, each possibly "prefer not to say") live
in a table of their own, apart from the application, the interview and the report, so nothing
that scores or evaluates a person holds them. Each answer is encrypted at rest; the audit
decrypts them only to count groups. No staff page or API shows one person's answers.

``analytics_audit_settings`` holds the company's choice of category set (the LL144 / EEO-1
categories, or a regional set such as China's without race).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText


class SelfIdentification(Base):
    """One person's voluntary answers, given once after an AI interview."""

    __tablename__ = "analytics_self_identifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), unique=True
    )
    category_set: Mapped[str] = mapped_column(String(20))
    # Codes of the set's options ("female", "asian", "40_49", "declined"); "" = not asked.
    sex: Mapped[str] = mapped_column(EncryptedText("analytics_self_identifications.sex"))
    race: Mapped[str] = mapped_column(EncryptedText("analytics_self_identifications.race"))
    age_band: Mapped[str] = mapped_column(EncryptedText("analytics_self_identifications.age_band"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AuditSettings(Base):
    """The company's category set for self-identification (a built-in key)."""

    __tablename__ = "analytics_audit_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    category_set: Mapped[str] = mapped_column(String(20), default="ll144")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


register_scope(SelfIdentification, Scope(tenant=SelfIdentification.tenant_id))
register_scope(AuditSettings, Scope(tenant=AuditSettings.tenant_id))

__all__ = ["AuditSettings", "SelfIdentification"]
