"""Offer and onboarding tables (SPEC H3, H4).

An offer copies its template's terms when it is made, so a later template edit never changes
an offer already approved or sent. The candidate's answer (typed name, address) is personal
and encrypted; the digest of the accepted statement is kept in clear and also sealed into the
person's record chain, so a changed acceptance no longer matches either.

An employee is the same person as the candidate (``person_id`` is the ``candidates`` row and
its record); nothing is copied.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint, select, true
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.candidates.models import own_candidate
from hireflow.core.db import Base, JSONText, TenantRow, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText
from hireflow.core.versions import VALIDITY, versioned
from hireflow.openings.models import scope_via_opening
from hireflow.org.models import Department

OFFER_STATUSES = (
    "draft",
    "pending_approval",
    "approved",
    "rejected",
    "sent",
    "accepted",
    "declined",
    "withdrawn",
    "expired",
)
# An offer in one of these is over: nothing more can happen to it.
CLOSED_STATUSES = frozenset({"accepted", "declined", "withdrawn", "expired"})
APPROVER_ROLES = ("hiring_manager", "hr_head")
SALARY_PERIODS = ("month", "year")
DOCUMENT_KINDS = ("id_card", "degree", "leaving_certificate", "bank_card", "medical", "photo")
TASK_CATEGORIES = ("accounts", "equipment", "documents", "training")
TASK_OWNERS = ("it", "manager", "hr")


class OfferTemplate(TenantRow, Base):
    """A company's offer template: default terms and the letter's text per language."""

    __tablename__ = "offer_templates"

    name: Mapped[str] = mapped_column(String(200))
    salary: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    salary_period: Mapped[str] = mapped_column(String(10), default="month")
    start_date: Mapped[date | None] = mapped_column(Date(), nullable=True)
    probation_months: Mapped[int] = mapped_column(default=3)
    required_documents: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    location: Mapped[str] = mapped_column(String(200), default="")
    # {"zh": "...", "en": "..."}: the letter's own text, which the company writes
    body: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    valid_days: Mapped[int] = mapped_column(default=7)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OfferSettings(Base):
    """A company's approval chain: the hiring manager (optional), then the HR head when the
    salary is above the band (or in another currency than the band's)."""

    __tablename__ = "offer_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    manager_approval: Mapped[bool] = mapped_column(default=True)
    salary_band: Mapped[int] = mapped_column(default=30000)
    band_currency: Mapped[str] = mapped_column(String(3), default="CNY")
    band_period: Mapped[str] = mapped_column(String(10), default="month")
    # The HR head who approves above the band; empty: any HR administrator.
    hr_head_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reminder_days: Mapped[int] = mapped_column(default=2)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


# The terms of an offer its letter and the candidate's page show (the audit keeps its own set).
SHOWN_TERMS = ("salary", "currency", "salary_period", "start_date", "probation_months", "location")


class Offer(TenantRow, Base):
    """One offer to one application, with the terms copied from its template."""

    __tablename__ = "offers"
    __table_args__ = (
        Index("ix_offers_status_expires", "status", "expires_at"),
        Index("ix_offers_updated_at", "updated_at"),  # analytics: what changed
    )

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("offer_templates.id"), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(default=1)
    salary: Mapped[int] = mapped_column(default=0)
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    salary_period: Mapped[str] = mapped_column(String(10), default="month")
    start_date: Mapped[date] = mapped_column(Date())
    probation_months: Mapped[int] = mapped_column(default=3)
    required_documents: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    location: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    valid_days: Mapped[int] = mapped_column(default=7)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Bumped when the offer is sent again: older links stop working.
    link_generation: Mapped[int] = mapped_column(default=0)
    pdf_sha256: Mapped[str] = mapped_column(String(64), default="")
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    answer_name: Mapped[str | None] = mapped_column(
        EncryptedText("offers.answer_name"), nullable=True
    )
    answer_ip: Mapped[str | None] = mapped_column(EncryptedText("offers.answer_ip"), nullable=True)
    answer_reason: Mapped[str | None] = mapped_column(
        EncryptedText("offers.answer_reason"), nullable=True
    )
    # SHA-256 of the accepted statement (offer, letter digest, name, time, address); the same
    # value is in the facts of the acceptance entry on the person's record.
    answer_digest: Mapped[str] = mapped_column(String(64), default="")
    record_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_entries.id"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def shown_terms(self) -> dict[str, Any]:
        """The terms the letter and the candidate's page show, by field name."""
        return {name: getattr(self, name) for name in SHOWN_TERMS}


class OfferApproval(TenantRow, Base):
    """One step of an offer's approval chain."""

    __tablename__ = "offer_approvals"
    __table_args__ = (UniqueConstraint("offer_id", "round", "step"),)

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    # Each submission for approval is a new round (a refused offer can be changed and resubmitted).
    round: Mapped[int] = mapped_column(default=1)
    step: Mapped[int] = mapped_column(default=1)
    role: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    comment: Mapped[str | None] = mapped_column(
        EncryptedText("offer_approvals.comment"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OfferDocument(TenantRow, Base):
    """A document the candidate uploaded for an offer (the file is in their record)."""

    __tablename__ = "offer_documents"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"), index=True)
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    kind: Mapped[str] = mapped_column(String(30))
    attachment_id: Mapped[int] = mapped_column(ForeignKey("record_attachments.id"))
    size: Mapped[int] = mapped_column(default=0)
    content_type: Mapped[str] = mapped_column(String(120), default="")
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Employee(TenantRow, Base):
    """A person who accepted an offer: the same ``candidates`` row and record, now employed."""

    __tablename__ = "employees"
    __table_args__ = (UniqueConstraint("tenant_id", "employee_number"),)

    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    employee_number: Mapped[str] = mapped_column(String(20))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"))
    start_date: Mapped[date] = mapped_column(Date())
    # When the person chose their password through the offer link (until then the account
    # has an unusable random one).
    account_ready_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Outcomes (SPEC I2; hireflow.offers.outcomes): the probation result (passed | extended |
    # failed) and, once the person left, the last day and why.
    probation_result: Mapped[str | None] = mapped_column(String(20), nullable=True)
    left_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    leaving_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)


class EmployeeNumberCounter(Base):
    """The last employee number a company gave: one row per company, incremented in place so
    two hires at once get different numbers (the row stays locked until the hire commits)."""

    __tablename__ = "employee_number_counters"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class OnboardingTemplate(Base):
    """A company's onboarding checklist (the built-in one until HR changes it)."""

    __tablename__ = "onboarding_templates"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    # [{"key", "category", "owner", "due_days", "title": {"zh", "en"}}]
    items: Mapped[list[Any]] = mapped_column(JSONText(), default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class OnboardingTask(TenantRow, Base):
    """One task of a new employee's onboarding checklist, with its owner and due date."""

    __tablename__ = "onboarding_tasks"
    __table_args__ = (UniqueConstraint("employee_id", "key"),)

    employee_id: Mapped[int] = mapped_column(ForeignKey("employees.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    key: Mapped[str] = mapped_column(String(40))
    category: Mapped[str] = mapped_column(String(20))
    owner: Mapped[str] = mapped_column(String(20))
    title: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_on: Mapped[date] = mapped_column(Date())
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="open")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# --- permission scopes ------------------------------------------------------------------


def _by_opening(opening_column: Any, tenant_column: Any, person_column: Any = None) -> Scope:
    """Rows about one application's offer are visible exactly like its opening."""
    is_self = own_candidate(person_column) if person_column is not None else None
    return scope_via_opening(opening_column, tenant_column, is_self=is_self)


def _by_department(department_column: Any, tenant_column: Any, **extra: Any) -> Scope:
    return Scope(
        tenant=tenant_column,
        in_subsidiaries=lambda ids: department_column.in_(
            select(Department.id).where(Department.subsidiary_id.in_(ids))
        ),
        in_departments=lambda ids: department_column.in_(ids),
        **extra,
    )


register_scope(Offer, _by_opening(Offer.opening_id, Offer.tenant_id, Offer.candidate_id))
register_scope(OfferApproval, _by_opening(OfferApproval.opening_id, OfferApproval.tenant_id))
register_scope(OfferDocument, _by_opening(OfferDocument.opening_id, OfferDocument.tenant_id))
# Company-wide configuration: whoever holds the capability at any reach reads all of it.
_COMPANY = {
    "in_subsidiaries": lambda _ids: true(),
    "in_departments": lambda _ids: true(),
    "member_of": lambda _user_id: true(),
}
register_scope(OfferTemplate, Scope(tenant=OfferTemplate.tenant_id, **_COMPANY))
register_scope(OfferSettings, Scope(tenant=OfferSettings.tenant_id))
register_scope(OnboardingTemplate, Scope(tenant=OnboardingTemplate.tenant_id))
register_scope(
    Employee,
    _by_department(
        Employee.department_id,
        Employee.tenant_id,
        is_self=lambda user_id: Employee.user_id == user_id,
    ),
)
# IT and other owners see the tasks assigned to them ("member" reach); the new employee
# sees their own checklist.
register_scope(
    OnboardingTask,
    _by_department(
        OnboardingTask.department_id,
        OnboardingTask.tenant_id,
        member_of=lambda user_id: OnboardingTask.assignee_id == user_id,
        is_self=own_candidate(OnboardingTask.person_id),
    ),
)

# predictive validity's kept answers read who was hired, when, and their outcomes
versioned(Employee, VALIDITY)
