"""What predictive validity keeps ready between requests (issue 16, speed): the bootstrap's
results per data digest, shared by every process, and the scopes the worker keeps them ready
for (:mod:`hireflow.analytics.validity_ready`).

A result row is keyed by the company and the BLAKE2b digest of everything the bootstrap read
(``validity_cache.key``): the digest *is* the data version, so a row is never stale, only
unused; a scope row says which openings and period to read, the company's data version
(``checked``) at which the worker last made sure its result was there, and the scope's whole
answer with the version it was computed at (``answered``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, JSONText, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope


class ValidityResult(Base):
    """Per outcome and dimension, the Pearson and Spearman results of one data digest."""

    __tablename__ = "analytics_validity_results"
    __table_args__ = (Index("ix_analytics_validity_results_computed", "tenant_id", "computed_at"),)

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    found: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ValidityScope(Base):
    """A scope whose result the worker keeps ready: ``standing`` (the company, each
    department, each opening, no period: kept by the worker itself) or one an analytics
    user asked for (kept while asked for within ``validity_ready.KEEP_DAYS``)."""

    __tablename__ = "analytics_validity_scopes"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    key: Mapped[str] = mapped_column(String(64))  # digest of openings, start and end
    openings: Mapped[list[int]] = mapped_column(JSONText(), default=list)
    start: Mapped[date | None] = mapped_column(Date(), nullable=True)
    end: Mapped[date | None] = mapped_column(Date(), nullable=True)
    standing: Mapped[bool] = mapped_column(Boolean(), default=False)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked: Mapped[str | None] = mapped_column(String(64), nullable=True)
    digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # the whole answer (counts, rows, proposals) and the data version it was computed at
    # (``validity_ready.version``): a request whose version is the same reads nothing else
    answered: Mapped[str | None] = mapped_column(String(64), nullable=True)
    answer: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)


register_scope(ValidityResult, Scope(tenant=ValidityResult.tenant_id))
register_scope(ValidityScope, Scope(tenant=ValidityScope.tenant_id))

__all__ = ["ValidityResult", "ValidityScope"]
