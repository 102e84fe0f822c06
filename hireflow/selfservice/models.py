"""Self-service tables: what people see of their report, the course catalogue, enrolments,
re-assessments and data-subject requests (SPEC J1–J3, G7).

The person is always the ``candidates`` row (an employee is the same row, see
``offers.models.Employee``); rows that follow development carry the employee's department so a
department manager's reach is one column, not a join through the employee.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select, true
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.candidates.models import own_candidate
from hireflow.core.db import Base, JSONText, TenantRow, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText
from hireflow.org.models import Department

COURSE_MODES = ("online", "in_person")
ENROLMENT_STATUSES = ("enrolled", "waitlisted", "completed", "cancelled")
# Enrolments that hold (or wait for) a seat.
ACTIVE_ENROLMENTS = ("enrolled", "waitlisted")
# Reminders before a course by default: a day before and an hour before the start.
COURSE_REMINDER_HOURS = (24, 1)
REASSESSMENT_STATUSES = ("invited", "completed", "cancelled")
REQUEST_KINDS = ("explanation", "human_review", "correction", "erasure")
REQUEST_STATUSES = ("open", "answered", "declined")


class SelfServicePolicy(Base):
    """What a company lets people see of their own interview report, and when people holding
    a seat are reminded of a course (defaults when absent)."""

    __tablename__ = "selfservice_policies"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    show_scores: Mapped[bool] = mapped_column(default=True)
    show_radar: Mapped[bool] = mapped_column(default=True)
    show_evidence: Mapped[bool] = mapped_column(default=True)
    show_suggestions: Mapped[bool] = mapped_column(default=True)
    # Candidates (not yet employees) see their report too; off until the company decides.
    candidates_see_report: Mapped[bool] = mapped_column(default=False)
    # A hiring interview's report is shown only once HR reviewed it (development
    # re-assessments are the person's own and shown when scored).
    after_review_only: Mapped[bool] = mapped_column(default=True)
    # Hours before a course starts at which the people holding a seat are reminded (furthest
    # first; empty: no reminders).
    course_reminder_hours: Mapped[list[Any]] = mapped_column(
        JSONText(), default=lambda: list(COURSE_REMINDER_HOURS)
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Course(TenantRow, Base):
    """One course of a company's training catalogue, mapped to one competency."""

    __tablename__ = "selfservice_courses"
    __table_args__ = (Index("ix_selfservice_courses_tenant_competency", "tenant_id", "competency"),)

    # a competency id of the company's models (e.g. "communication")
    competency: Mapped[str] = mapped_column(String(80))
    # {"zh": ..., "en": ...}: the company writes its course texts in both languages
    title: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    description: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    mode: Mapped[str] = mapped_column(String(20), default="online")
    location: Mapped[str] = mapped_column(String(200), default="")
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    capacity: Mapped[int] = mapped_column(default=20)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Enrolment(TenantRow, Base):
    """One person on one course: a seat, or a place on the waiting list, and their progress."""

    __tablename__ = "selfservice_enrolments"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    course_id: Mapped[int] = mapped_column(
        ForeignKey("selfservice_courses.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="enrolled")
    progress: Mapped[int] = mapped_column(default=0)  # percent, set by the person
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    record_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class Reassessment(TenantRow, Base):
    """A development AI interview on the plan's competencies, through the interviews flow."""

    __tablename__ = "selfservice_reassessments"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    department_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id"), nullable=True, index=True
    )
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), unique=True
    )
    dimensions: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    status: Mapped[str] = mapped_column(String(20), default="invited")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SelfServiceRequest(TenantRow, Base):
    """A person's request about their own data or assessment, and HR's answer."""

    __tablename__ = "selfservice_requests"
    __table_args__ = (Index("ix_selfservice_requests_tenant_status", "tenant_id", "status"),)

    person_id: Mapped[int] = mapped_column(
        ForeignKey("candidates.id", ondelete="CASCADE"), index=True
    )
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interview_sessions.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(
        EncryptedText("selfservice_requests.message"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), default="open")
    answer: Mapped[str | None] = mapped_column(
        EncryptedText("selfservice_requests.answer"), nullable=True
    )
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- permission scopes ------------------------------------------------------------------


def _by_department(model: Any) -> Scope:
    """Development rows: the person's own, HR in the tenant, managers in their department."""
    return Scope(
        tenant=model.tenant_id,
        in_subsidiaries=lambda ids: model.department_id.in_(
            select(Department.id).where(Department.subsidiary_id.in_(ids))
        ),
        in_departments=lambda ids: model.department_id.in_(ids),
        is_self=own_candidate(model.person_id),
    )


register_scope(Enrolment, _by_department(Enrolment))
register_scope(Reassessment, _by_department(Reassessment))
# Requests are HR administrators' (tenant reach) and the person's own.
register_scope(
    SelfServiceRequest,
    Scope(tenant=SelfServiceRequest.tenant_id, is_self=own_candidate(SelfServiceRequest.person_id)),
)
# The catalogue and the policy are company-wide: whoever holds the capability reads them all.
_COMPANY = {
    "in_subsidiaries": lambda _ids: true(),
    "in_departments": lambda _ids: true(),
    "member_of": lambda _user_id: true(),
    "is_self": lambda _user_id: true(),
}
register_scope(Course, Scope(tenant=Course.tenant_id, **_COMPANY))
register_scope(SelfServicePolicy, Scope(tenant=SelfServicePolicy.tenant_id))
