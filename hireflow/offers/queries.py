"""Reads for the offer and onboarding pages and the API (no writes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.errors import NotFound
from hireflow.core.permissions import (
    Principal,
    can,
    require,
    require_visible,
    restrict,
)
from hireflow.core.rows import value_map
from hireflow.offers import configuration
from hireflow.offers.hire import visible_tasks
from hireflow.offers.models import Employee, Offer, OfferApproval, OfferDocument, OnboardingTask
from hireflow.offers.service import STANDING, approvals
from hireflow.openings.models import Opening
from hireflow.org.models import User


@dataclass(frozen=True)
class OfferRow:
    offer: Offer
    candidate_name: str
    opening_title: str
    waiting_for: str | None = None  # the role of the step it waits for


def _rows(session: Session, offers: list[Offer]) -> list[OfferRow]:
    names = value_map(session, Candidate.id, Candidate.name, (o.candidate_id for o in offers))
    titles = value_map(session, Opening.id, Opening.title, (o.opening_id for o in offers))
    waiting: dict[int, str] = {}
    pending = session.scalars(
        select(OfferApproval)
        .where(
            OfferApproval.offer_id.in_([o.id for o in offers if o.status == "pending_approval"]),
            OfferApproval.status == "pending",
        )
        .order_by(OfferApproval.round.desc(), OfferApproval.step.desc())
    )
    for step in pending:
        waiting[step.offer_id] = step.role  # the lowest step wins (ordered last)
    return [
        OfferRow(o, names.get(o.candidate_id, ""), titles.get(o.opening_id, ""), waiting.get(o.id))
        for o in offers
    ]


def offer_list(
    session: Session, principal: Principal, status: str | None = None, limit: int = 200
) -> list[OfferRow]:
    """Offers the caller may see (approvers: those in their reach), newest first."""
    capability = "offers.read" if can(principal, "offers.read") else "offers.approve"
    require(principal, capability)
    stmt = restrict(select(Offer), principal, capability, Offer)
    if status:
        stmt = stmt.where(Offer.status == status)
    offers = list(
        session.scalars(stmt.order_by(Offer.created_at.desc(), Offer.id.desc()).limit(limit))
    )
    return _rows(session, offers)


@dataclass
class OfferPage:
    application: Application
    offers: list[Offer]
    current: Offer | None
    steps: list[OfferApproval]
    documents: list[OfferDocument]
    templates: list[Any]
    employee: Employee | None
    names: dict[int, str] = field(default_factory=dict)


def offer_page(session: Session, principal: Principal, application_id: int) -> OfferPage:
    """An application's offers (the newest is the current one) with what HR acts on."""
    application = require_visible(session, Application, application_id, principal, "offers.read")
    offers = list(
        session.scalars(
            restrict(select(Offer), principal, "offers.read", Offer)
            .where(Offer.application_id == application.id)
            .order_by(Offer.id.desc())
        )
    )
    current = offers[0] if offers else None
    steps = approvals(session, current) if current else []
    documents = (
        list(session.scalars(select(OfferDocument).where(OfferDocument.offer_id == current.id)))
        if current
        else []
    )
    employee = (
        session.scalars(select(Employee).where(Employee.offer_id == current.id)).first()
        if current
        else None
    )
    user_ids = {s.decided_by_id for s in steps} | {current.manager_id if current else None}
    names = value_map(session, User.id, User.name, (i for i in user_ids if i))
    templates = (
        configuration.templates(session, principal, active_only=True)
        if can(principal, "offers.manage")
        else []
    )
    return OfferPage(application, offers, current, steps, documents, templates, employee, names)


@dataclass(frozen=True)
class Checklist:
    employee: Employee
    person_name: str
    tasks: list[OnboardingTask]
    assignees: dict[int, str]


def checklist(session: Session, principal: Principal, person_id: int) -> Checklist:
    """A new employee's onboarding checklist (HR, their department's managers, the person)."""
    require(principal, "employees.read")
    employee = session.scalars(
        restrict(select(Employee), principal, "employees.read", Employee).where(
            Employee.person_id == person_id
        )
    ).first()
    if employee is None:
        raise NotFound()
    tasks = list(
        session.scalars(
            select(OnboardingTask)
            .where(OnboardingTask.employee_id == employee.id)
            .order_by(OnboardingTask.position)
        )
    )
    person = session.get(Candidate, employee.person_id)
    return Checklist(employee, person.name if person else "", tasks, _user_names(session, tasks))


def _user_names(session: Session, tasks: list[OnboardingTask]) -> dict[int, str]:
    return value_map(session, User.id, User.name, (t.assignee_id for t in tasks if t.assignee_id))


@dataclass(frozen=True)
class TaskRow:
    task: OnboardingTask
    person_name: str
    assignee: str


def my_tasks(session: Session, principal: Principal) -> list[TaskRow]:
    """Onboarding tasks in the caller's reach (IT: those assigned to them), open first."""
    tasks = visible_tasks(session, principal)
    tasks.sort(key=lambda t: (t.status != "open", t.due_on, t.person_id, t.position))
    names = value_map(session, Candidate.id, Candidate.name, (t.person_id for t in tasks))
    assignees = _user_names(session, tasks)
    return [
        TaskRow(t, names.get(t.person_id, ""), assignees.get(t.assignee_id or 0, "")) for t in tasks
    ]


def awaiting_offer(session: Session, principal: Principal, limit: int = 100) -> list[Application]:
    """Applications at the offer stage without a standing offer (where HR makes one)."""
    if not can(principal, "offers.manage"):
        return []
    standing = select(Offer.application_id).where(Offer.status.in_(STANDING))
    stmt = (
        restrict(select(Application), principal, "offers.manage", Application)
        .where(Application.stage == "offer", Application.id.not_in(standing))
        .order_by(Application.updated_at.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))
