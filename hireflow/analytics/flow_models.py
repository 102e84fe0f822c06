"""Tables behind the dashboard's flow figures (end-to-end time, completion by answer mode and
device, source and invitation channel) and the top ten per competency, kept by
:mod:`hireflow.analytics.rollups_flow` and :mod:`hireflow.analytics.top_scores`.

The facts behind these figures change in place (an invitation is opened, an interview is
submitted, an offer is sent), so unlike the pipeline rollups they cannot be summed by an id
cut alone: each source row's contribution is kept as a *fact* row keyed by the source's id
(:class:`FlowFact`), and the month sums (:class:`FlowRollup`) change by the difference when the
worker recomputes the facts of the sources changed since its last run (found by their
``updated_at``).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope


class FlowFact(Base):
    """One source row's part in a flow figure. ``kind`` names the figure's measure, e.g.
    "completion" (per interview: ``key`` "mode device", ``b`` started, ``c`` submitted),
    "report" (per report: ``us`` microseconds from invitation to report), "offer" (per
    application and offering opening, ``part``: to the first offer sent), "source_app"
    (per application, ``key`` its source), "source_inv" (per AI invitation: ``day`` the
    application's, ``day2`` the invitation's), "channel" (per invitation and channel, ``part``).
    ``day2`` is the second date a figure's period applies to (= ``day`` for the others);
    ``bucket`` groups durations for the percentiles (0 for counts)."""

    __tablename__ = "analytics_flow_facts"
    __table_args__ = (
        UniqueConstraint("kind", "source_id", "part"),
        Index("ix_analytics_flow_facts_day", "kind", "day", "opening_id"),
        Index("ix_analytics_flow_facts_day2", "kind", "day2", "opening_id"),
        Index("ix_analytics_flow_facts_bucket", "kind", "bucket", "opening_id", "day", "us"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(12))
    source_id: Mapped[int] = mapped_column(BigInteger)
    part: Mapped[str] = mapped_column(String(40), default="")
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date())
    day2: Mapped[date] = mapped_column(Date())
    key: Mapped[str] = mapped_column(String(60), default="")
    bucket: Mapped[int] = mapped_column(default=0)
    a: Mapped[int] = mapped_column(default=0)
    b: Mapped[int] = mapped_column(default=0)
    c: Mapped[int] = mapped_column(default=0)
    us: Mapped[int] = mapped_column(BigInteger, default=0)


class FlowRollup(Base):
    """The facts summed per opening, month of ``day`` and month of ``day2`` (the 1st), kind,
    key and bucket: ``n`` facts, sums of ``a``, ``b``, ``c`` and ``us``."""

    __tablename__ = "analytics_flow_rollups"
    __table_args__ = (
        UniqueConstraint("opening_id", "kind", "month", "month2", "key", "bucket"),
        Index("ix_analytics_flow_rollups_tenant_id", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    month: Mapped[date] = mapped_column(Date())
    month2: Mapped[date] = mapped_column(Date())
    key: Mapped[str] = mapped_column(String(60), default="")
    bucket: Mapped[int] = mapped_column(default=0)
    n: Mapped[int] = mapped_column(BigInteger, default=0)
    a: Mapped[int] = mapped_column(BigInteger, default=0)
    b: Mapped[int] = mapped_column(BigInteger, default=0)
    c: Mapped[int] = mapped_column(BigInteger, default=0)
    us: Mapped[int] = mapped_column(BigInteger, default=0)


class FlowState(Base):
    """How far the flow facts have read: every source row changed before ``changed_before``
    (less a margin, see :mod:`hireflow.analytics.rollups_flow`) and every report with
    ``id <= report_id``. One row per name; none until the first build."""

    __tablename__ = "analytics_flow_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    changed_before: Mapped[datetime] = mapped_column(UTCDateTime())
    report_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TopScore(Base):
    """The AI's score of each competency of each report (hiring interviews), rounded to two
    decimals, for the top ten per competency: read in score order from the index, not summed."""

    __tablename__ = "analytics_top_scores"
    __table_args__ = (
        UniqueConstraint("report_id", "competency"),
        Index(
            "ix_analytics_top_scores_rank", "competency", "score", "report_id", "opening_id", "day"
        ),
        Index("ix_analytics_top_scores_opening", "opening_id", "competency", "score", "report_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("interview_reports.id", ondelete="CASCADE"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date())
    competency: Mapped[str] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float())


register_scope(FlowFact, Scope(tenant=FlowFact.tenant_id))
register_scope(FlowRollup, Scope(tenant=FlowRollup.tenant_id))
register_scope(TopScore, Scope(tenant=TopScore.tenant_id))

__all__ = ["FlowFact", "FlowRollup", "FlowState", "TopScore"]
