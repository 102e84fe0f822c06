"""The worker-kept rows behind predictive validity's hired side (SPEC I2; issue 16, speed),
kept by :mod:`hireflow.analytics.rollups_hired`.

One row per hired person and hiring report of the opening they were hired into (almost
always one report: a re-interview adds a second), holding the report's dimension scores in
effect and where it counts: company, subsidiary, department, opening, the hire date, the day
the report was written and the day of the same person's next report for that opening (NULL
when none), so the reader knows which report is the newest of a period without reading the
reports.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, JSONText, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope


class HiredScore(Base):
    """A hired person's scores in effect of one hiring report of the opening they were hired
    into. The report counts for a period holding ``day`` when ``next_day`` is NULL or after
    the period's end (a later report with scores replaces it)."""

    __tablename__ = "analytics_hired_scores"
    __table_args__ = (
        UniqueConstraint("employee_id", "report_id"),
        Index("ix_analytics_hired_scores_day", "opening_id", "day"),
        Index("ix_analytics_hired_scores_tenant_id", "tenant_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id", ondelete="CASCADE"))
    subsidiary_id: Mapped[int] = mapped_column(ForeignKey("subsidiaries.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    report_id: Mapped[int] = mapped_column(ForeignKey("interview_reports.id", ondelete="CASCADE"))
    hire_date: Mapped[date] = mapped_column(Date())
    day: Mapped[date] = mapped_column(Date())
    next_day: Mapped[date | None] = mapped_column(Date(), nullable=True)
    scores: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)


class HiredState(Base):
    """How far the rows have read: every report, score adjustment and employee with an id up
    to these (one row; none until the first build: validity then reads the source tables)."""

    __tablename__ = "analytics_hired_state"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    report_id: Mapped[int] = mapped_column(BigInteger, default=0)
    adjustment_id: Mapped[int] = mapped_column(BigInteger, default=0)
    employee_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


register_scope(HiredScore, Scope(tenant=HiredScore.tenant_id))

__all__ = ["HiredScore", "HiredState"]
