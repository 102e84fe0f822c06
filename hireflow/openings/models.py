"""Openings (岗位, SPEC B1), who works on them, and hiring requests (SPEC B4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import Select

from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.versions import VALIDITY, versioned

JOB_TYPES = ("technical", "sales", "management", "production", "customer_service", "other")
OPENING_STATUSES = ("draft", "open", "closed")
# Allowed status changes: an opening is drafted, opened, closed, and may be reopened.
STATUS_CHANGES = {
    "draft": ("open", "closed"),
    "open": ("closed",),
    "closed": ("open",),
}
MEMBER_ROLES = ("owner", "interviewer")
REQUEST_STATUSES = ("submitted", "returned", "approved", "withdrawn")


class Opening(TenantRow, TimestampMixin, Base):
    """A position a department wants to fill; interviews and applications hang off it.

    ``competency_model`` is ``hireflow.scoring.models.model_to_dict`` of the model in use,
    ``interview_plan`` is ``InterviewPlan.to_dict()`` and ``screening_rules`` a list of
    ``ScreeningRule.to_dict()`` (compiled when saved, so every stored rule is valid).
    """

    __tablename__ = "openings"

    subsidiary_id: Mapped[int] = mapped_column(ForeignKey("subsidiaries.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(10), default="cn")
    job_type: Mapped[str] = mapped_column(String(30), default="other")
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    competency_model: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    interview_plan: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    screening_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSONText(), default=list)
    headcount: Mapped[int] = mapped_column(default=1)
    pass_threshold: Mapped[float] = mapped_column(default=7.0)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)

    members: Mapped[list[OpeningMember]] = relationship(
        back_populates="opening", cascade="all, delete-orphan"
    )

    def member_ids(self, role: str) -> list[int]:
        return [m.user_id for m in self.members if m.role == role]


class OpeningMember(Base):
    """A user attached to an opening: an owner recruiter or a panel interviewer."""

    __tablename__ = "opening_members"
    __table_args__ = (UniqueConstraint("opening_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))  # owner | interviewer

    opening: Mapped[Opening] = relationship(back_populates="members")


class CompetencyModelVersion(TenantRow, Base):
    """One numbered version of an opening's competency model (``model_to_dict``).

    The opening's ``competency_model`` is always a copy of its active version's model (when it
    has versions). Versions are only added, never changed; activating one (a proposal from the
    validity analysis, or an older one to go back) is an explicit, audited act of HR.
    """

    __tablename__ = "competency_model_versions"
    __table_args__ = (UniqueConstraint("opening_id", "number"),)

    opening_id: Mapped[int] = mapped_column(
        ForeignKey("openings.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    model: Mapped[dict[str, Any]] = mapped_column(JSONText())
    # initial (the model before the first version), validity (proposed weights), or the
    # editor's source (job_type, competencies, model, dictionary)
    source: Mapped[str] = mapped_column(String(30))
    note: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class HiringRequest(TenantRow, TimestampMixin, Base):
    """A department's request for a hire (SPEC B4): submitted, returned or approved.

    Approval creates the opening (``opening_id``). ``dimensions`` are the competency ids the
    AI interview must assess; ``history`` lists every step (who, when, comment) so both sides
    see the conversation; each step is also in the audit trail.
    """

    __tablename__ = "hiring_requests"

    subsidiary_id: Mapped[int] = mapped_column(ForeignKey("subsidiaries.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    job_type: Mapped[str] = mapped_column(String(30), default="other")
    location: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str] = mapped_column(String(10), default="cn")
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    headcount: Mapped[int] = mapped_column(default=1)
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    dimensions: Mapped[list[str]] = mapped_column(JSONText(), default=list)
    status: Mapped[str] = mapped_column(String(20), default="submitted", index=True)
    review_comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), nullable=True)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONText(), default=list)


def openings_of_member(user_id: int) -> Select[int]:
    """Ids of openings a user owns or interviews for (a subquery)."""
    return select(OpeningMember.opening_id).where(OpeningMember.user_id == user_id)


def scope_via_opening(opening_column: Any, tenant_column: Any, **extra: Any) -> Scope:
    """Rows that belong to an opening through ``opening_column`` are visible exactly like the
    opening; ``extra`` adds the rest of the scope (e.g. ``is_self``)."""
    return Scope(
        tenant=tenant_column,
        in_subsidiaries=lambda ids: opening_column.in_(
            select(Opening.id).where(Opening.subsidiary_id.in_(ids))
        ),
        in_departments=lambda ids: opening_column.in_(
            select(Opening.id).where(Opening.department_id.in_(ids))
        ),
        member_of=lambda user_id: opening_column.in_(openings_of_member(user_id)),
        **extra,
    )


register_scope(
    Opening,
    Scope(
        tenant=Opening.tenant_id,
        in_subsidiaries=lambda ids: Opening.subsidiary_id.in_(ids),
        in_departments=lambda ids: Opening.department_id.in_(ids),
        member_of=lambda user_id: Opening.id.in_(openings_of_member(user_id)),
    ),
)
register_scope(
    HiringRequest,
    Scope(
        tenant=HiringRequest.tenant_id,
        in_subsidiaries=lambda ids: HiringRequest.subsidiary_id.in_(ids),
        in_departments=lambda ids: HiringRequest.department_id.in_(ids),
        member_of=lambda user_id: HiringRequest.submitted_by_id == user_id,
        is_self=lambda user_id: HiringRequest.submitted_by_id == user_id,
    ),
)
register_scope(
    CompetencyModelVersion,
    scope_via_opening(CompetencyModelVersion.opening_id, CompetencyModelVersion.tenant_id),
)

# predictive validity's kept answers read the model in use (the current weights beside the
# proposal) and the openings' places; a version saved or activated is part of the answer too
versioned(Opening, VALIDITY, ("tenant_id", "competency_model", "job_type", "department_id"))
versioned(CompetencyModelVersion, VALIDITY)
