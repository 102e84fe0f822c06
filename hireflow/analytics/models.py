"""Voluntary self-identification for the bias audit (SPEC I, bias audit).

A candidate's answers (sex, race/ethnicity, age band, each possibly "prefer not to say") live
in a table of their own, apart from the application, the interview and the report, so nothing
that scores or evaluates a person holds them. Each answer is encrypted at rest; the audit
decrypts them only to count groups. No staff page or API shows one person's answers.

``analytics_audit_settings`` holds the company's choice of category set (the LL144 / EEO-1
categories, or a regional set such as China's without race).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
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


class FunnelRollup(Base):
    """Applications per opening, day received and set of stages they were ever moved to.

    The set (``reached``: the stage keys, sorted, space-separated; "" for none) rather than the
    furthest stage, because "furthest" depends on the stage list the reader lays the funnel on
    (the company's or the opening's, reordered at any time); the reader maps each set to its
    furthest position in that list. Each count is kept per day (``grain`` "d") and per month
    (``grain`` "m", ``day`` = the 1st): a period reads whole months from the month rows and
    only its ragged ends from the day rows. Kept by :mod:`hireflow.analytics.rollups`."""

    __tablename__ = "analytics_funnel_rollups"
    __table_args__ = (UniqueConstraint("opening_id", "grain", "day", "reached"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    grain: Mapped[str] = mapped_column(String(1))  # "d" day, "m" month
    day: Mapped[date] = mapped_column(Date())  # the application's created_at, UTC
    reached: Mapped[str] = mapped_column(Text())
    applications: Mapped[int] = mapped_column(default=0)


class _Place:
    """Where a rollup row counts: an opening and a day (``grain`` "d") or month ("m", ``day``
    = the 1st); the tenant for scoping."""

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    grain: Mapped[str] = mapped_column(String(1))
    day: Mapped[date] = mapped_column(Date())


class StageTimeRollup(_Place, Base):
    """Moves out of each stage and the seconds spent in it, per opening and day (and month)
    the application was received (sums, so the mean is exact)."""

    __tablename__ = "analytics_stage_time_rollups"
    __table_args__ = (
        UniqueConstraint("opening_id", "grain", "day", "from_key"),
        Index("ix_analytics_stage_time_rollups_tenant_id", "tenant_id"),
    )

    from_key: Mapped[str] = mapped_column(String(40))
    moves: Mapped[int] = mapped_column(default=0)
    seconds: Mapped[int] = mapped_column(BigInteger, default=0)


class PassRollup(_Place, Base):
    """Moves from each stage to each stage, per opening and day (and month) the application
    was received: the pass rates' moved on / rejected / withdrew, whatever the stage list they
    are laid on (the reader classes each destination by its kind)."""

    __tablename__ = "analytics_pass_rollups"
    __table_args__ = (
        UniqueConstraint("opening_id", "grain", "day", "from_key", "to_key"),
        Index("ix_analytics_pass_rollups_tenant_id", "tenant_id"),
    )

    from_key: Mapped[str] = mapped_column(String(40))
    to_key: Mapped[str] = mapped_column(String(40))
    moves: Mapped[int] = mapped_column(default=0)


class RollupState(Base):
    """How far the rollups have read: every application with ``id <= application_id`` and
    every stage move with ``id <= move_id`` is in them, nothing later is. One row; none
    until the first build (the dashboards then read the source tables)."""

    __tablename__ = "analytics_rollup_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    application_id: Mapped[int] = mapped_column(BigInteger, default=0)
    move_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # The score rollups: every report with ``id <= report_id`` is in them.
    report_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ScoreRollup(_Place, Base):
    """Per opening, day (and month) a report was written, competency and one-point bin: how
    many AI scores fell there and their sum (the AI's own scores, which never change; HR's
    overrides are applied by the reader). Kept by :mod:`hireflow.analytics.rollups`."""

    __tablename__ = "analytics_score_rollups"
    __table_args__ = (
        UniqueConstraint("opening_id", "grain", "day", "competency", "bin"),
        Index("ix_analytics_score_rollups_tenant_id", "tenant_id"),
    )

    competency: Mapped[str] = mapped_column(String(80))
    bin: Mapped[int] = mapped_column()
    scores: Mapped[int] = mapped_column(default=0)
    total: Mapped[float] = mapped_column(Float(), default=0.0)


class ReportSubscription(Base):
    """A staff member who gets the monthly analytics report by e-mail (one row: subscribed)."""

    __tablename__ = "analytics_report_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReviewRollup(_Place, Base):
    """Sums behind the AI accuracy review and predictive validity, per opening and day (and
    month): ``kind`` says what a row counts (see :mod:`hireflow.analytics.rollups_review`).
    The accuracy kinds are placed on the day the application was received, the validity kind
    on the day the report was written. Kept by :mod:`hireflow.analytics.rollups_review`."""

    __tablename__ = "analytics_review_rollups"
    __table_args__ = (
        UniqueConstraint(
            "opening_id",
            "grain",
            "day",
            "kind",
            "competency",
            "month",
            "a",
            "b",
            "c",
            name="uq_analytics_review_rollups_place",
        ),
        Index("ix_analytics_review_rollups_tenant_id", "tenant_id"),
    )

    kind: Mapped[str] = mapped_column(String(1))
    competency: Mapped[str] = mapped_column(String(80), default="")
    month: Mapped[str] = mapped_column(String(7), default="")  # YYYY-MM or ""
    a: Mapped[int] = mapped_column(default=0)
    b: Mapped[int] = mapped_column(default=0)
    c: Mapped[str] = mapped_column(String(40), default="")
    n: Mapped[int] = mapped_column(default=0)
    s: Mapped[int] = mapped_column(BigInteger, default=0)
    h: Mapped[int] = mapped_column(BigInteger, default=0)


class ReviewState(Base):
    """How far the review rollups have read (ids of the source rows; one row, none until the
    first build: the pages then read the source tables)."""

    __tablename__ = "analytics_review_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    application_id: Mapped[int] = mapped_column(BigInteger, default=0)
    move_id: Mapped[int] = mapped_column(BigInteger, default=0)
    report_id: Mapped[int] = mapped_column(BigInteger, default=0)
    scorecard_id: Mapped[int] = mapped_column(BigInteger, default=0)
    adjustment_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ReviewBar(Base):
    """The opening's bar (``pass_threshold``) the review rollups' recommendations were counted
    with: when HR changes it, the worker recounts the opening."""

    __tablename__ = "analytics_review_bars"

    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), primary_key=True
    )
    bar: Mapped[float] = mapped_column(Float())


register_scope(SelfIdentification, Scope(tenant=SelfIdentification.tenant_id))
register_scope(AuditSettings, Scope(tenant=AuditSettings.tenant_id))
register_scope(FunnelRollup, Scope(tenant=FunnelRollup.tenant_id))
register_scope(StageTimeRollup, Scope(tenant=StageTimeRollup.tenant_id))
register_scope(PassRollup, Scope(tenant=PassRollup.tenant_id))
register_scope(ScoreRollup, Scope(tenant=ScoreRollup.tenant_id))
register_scope(ReportSubscription, Scope(tenant=ReportSubscription.tenant_id))
register_scope(ReviewRollup, Scope(tenant=ReviewRollup.tenant_id))

from hireflow.analytics.flow_models import FlowFact, FlowRollup, FlowState, TopScore  # noqa: E402
from hireflow.analytics.hired_models import HiredScore, HiredState  # noqa: E402
from hireflow.analytics.validity_models import ValidityResult, ValidityScope  # noqa: E402

__all__ = [
    "AuditSettings",
    "FlowFact",
    "FlowRollup",
    "FlowState",
    "FunnelRollup",
    "HiredScore",
    "HiredState",
    "PassRollup",
    "ReportSubscription",
    "ReviewBar",
    "ReviewRollup",
    "ReviewState",
    "RollupState",
    "ScoreRollup",
    "SelfIdentification",
    "StageTimeRollup",
    "TopScore",
    "ValidityResult",
    "ValidityScope",
]
