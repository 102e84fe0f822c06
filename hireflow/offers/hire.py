"""From accepted offer to employee (SPEC H4).

The person stays the same ``candidates`` row with the same record: the employee row points
at it, the record's timeline continues (hired, then employed once onboarding is done), and
their account gains the employee role so the self-service pages open. Everything happens in
the acceptance's transaction; the account is created last (its service commits).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, ValidationFailed
from hireflow.core.permissions import (
    Principal,
    Role,
    require,
    require_visible,
    restrict,
)
from hireflow.core.security import hash_password, password_problem
from hireflow.core.settings import Settings
from hireflow.offers import configuration, messages, numbers
from hireflow.offers.models import Employee, Offer, OnboardingTask
from hireflow.offers.pdf import format_day
from hireflow.offers.pipeline import move_to_kind
from hireflow.offers.service import Parties, parties
from hireflow.org.auth import principal_for
from hireflow.org.models import RoleAssignment, User
from hireflow.records import service as records
from hireflow.records.service import SystemActor


def next_employee_number(session: Session, tenant_id: int) -> str:
    """E000001, E000002, ... per company, from its counter row (safe under concurrent hires:
    :mod:`hireflow.offers.numbers`)."""
    return numbers.next_employee_number(session, tenant_id)


def _sender(session: Session, offer: Offer) -> Principal | None:
    user = session.get(User, offer.sent_by_id) if offer.sent_by_id else None
    return principal_for(user) if user is not None and user.is_active else None


def _move_to_hired(session: Session, offer: Offer, who: Parties, now: datetime) -> None:
    """The application moves to the hired stage through the pipeline's own move, on behalf
    of the person who sent the offer (the move's audit row and history name them)."""
    sender = _sender(session, offer)
    if sender is None:
        return
    try:
        with session.begin_nested():
            move_to_kind(session, sender, who.application, "hired", now, note=f"OFFER-{offer.id}")
    except AppError as exc:
        # A pipeline closed meanwhile (the candidate withdrew) must not undo the acceptance;
        # HR sees the refusal in the audit trail and moves the card by hand.
        audit.record(
            session,
            "offer.hire_move_refused",
            actor=None,
            tenant_id=offer.tenant_id,
            target_type="offer",
            target_id=offer.id,
            new={"code": exc.code},
            actor_label="system:hire",
        )


@dataclass(frozen=True)
class Owners:
    it: int | None
    manager: int | None
    hr: int | None

    def of(self, owner: str) -> int | None:
        return {"it": self.it, "manager": self.manager, "hr": self.hr}[owner]


def _first_with_role(session: Session, tenant_id: int, role: Role) -> int | None:
    return session.scalar(
        select(func.min(User.id))
        .join(RoleAssignment, RoleAssignment.user_id == User.id)
        .where(
            User.tenant_id == tenant_id, User.is_active.is_(True), RoleAssignment.role == role.value
        )
    )


def _checklist(session: Session, employee: Employee, owners: Owners) -> list[OnboardingTask]:
    tasks = [
        OnboardingTask(
            tenant_id=employee.tenant_id,
            employee_id=employee.id,
            person_id=employee.person_id,
            department_id=employee.department_id,
            key=item["key"],
            category=item["category"],
            owner=item["owner"],
            title=dict(item["title"]),
            assignee_id=owners.of(item["owner"]),
            due_on=employee.start_date + timedelta(days=int(item["due_days"])),
            position=index,
        )
        for index, item in enumerate(configuration.checklist(session, employee.tenant_id))
    ]
    session.add_all(tasks)
    session.flush()
    return tasks


def _notify(
    session: Session,
    settings: Settings,
    employee: Employee,
    who: Parties,
    tasks: list[OnboardingTask],
) -> None:
    """Each owner gets their tasks; the department's managers and the training owners get a
    notice of the new colleague."""
    users: dict[int, User] = {}

    def user(user_id: int | None) -> User | None:
        if user_id is None:
            return None
        if user_id not in users:
            found = session.get(User, user_id)
            if found is None or not found.is_active:
                return None
            users[user_id] = found
        return users[user_id]

    department = who.department.name if who.department else ""
    for task in tasks:
        owner = user(task.assignee_id)
        if owner is None:
            continue
        language = owner.language
        messages.queue(
            session,
            employee.tenant_id,
            "onboarding.task",
            **messages.to_user(
                owner,
                {
                    "person": who.candidate.name,
                    "department": department,
                    "start": format_day(employee.start_date, language),
                    "task": task.title.get("zh" if language.startswith("zh") else "en", task.key),
                    "due": format_day(task.due_on, language),
                    "link": messages.link(settings, "/onboarding"),
                },
            ),
            dedupe_key=f"onboarding:{task.id}:assigned",
            related=("onboarding_task", task.id),
        )
    training = {t.assignee_id for t in tasks if t.category == "training"}
    managers = set(
        session.scalars(
            select(RoleAssignment.user_id).where(
                RoleAssignment.role == Role.HIRING_MANAGER.value,
                RoleAssignment.department_id == employee.department_id,
            )
        )
    )
    for user_id in sorted(i for i in training | managers if i is not None):
        person = user(user_id)
        if person is None:
            continue
        messages.queue(
            session,
            employee.tenant_id,
            "onboarding.notice",
            **messages.to_user(
                person,
                {
                    "person": who.candidate.name,
                    "department": department,
                    "position": who.opening.title,
                    "start": format_day(employee.start_date, person.language),
                    "link": messages.link(settings, f"/people/{employee.person_id}/onboarding"),
                },
            ),
            dedupe_key=f"employee:{employee.id}:notice:{user_id}",
            related=("employee", employee.id),
        )


def hire(session: Session, settings: Settings, offer: Offer, now: datetime) -> Employee:
    """Make the person who accepted ``offer`` an employee (in the caller's transaction)."""
    who = parties(session, offer)
    actor = SystemActor("hire", tenant_id=offer.tenant_id)
    employee = Employee(
        tenant_id=offer.tenant_id,
        person_id=who.candidate.id,
        employee_number=next_employee_number(session, offer.tenant_id),
        department_id=who.opening.department_id,
        manager_id=offer.manager_id,
        offer_id=offer.id,
        opening_id=offer.opening_id,
        start_date=offer.start_date,
    )
    session.add(employee)
    session.flush()
    _move_to_hired(session, offer, who, now)
    records.append_entry(
        session,
        actor,
        who.candidate.id,
        "profile_change",
        data={"employee_number": employee.employee_number},
        source="hire",
        facts={
            "employee_id": employee.id,
            "department_id": employee.department_id,
            "manager_id": employee.manager_id,
            "offer_id": offer.id,
            "start_date": employee.start_date.isoformat(),
        },
        opening_id=offer.opening_id,
        commit=False,
    )
    owners = Owners(
        it=_first_with_role(session, offer.tenant_id, Role.IT_AUDITOR),
        manager=offer.manager_id,
        hr=offer.sent_by_id,
    )
    tasks = _checklist(session, employee, owners)
    records.append_entry(
        session,
        actor,
        who.candidate.id,
        "application",
        source="onboarding",
        facts={"employee_id": employee.id, "onboarding_tasks": len(tasks)},
        opening_id=offer.opening_id,
        commit=False,
    )
    _notify(session, settings, employee, who, tasks)
    audit.record(
        session,
        "employee.created",
        actor=None,
        tenant_id=offer.tenant_id,
        target_type="employee",
        target_id=employee.id,
        new={"person": who.candidate.id, "offer": offer.id, "department": employee.department_id},
        actor_label=actor.label,
    )
    events.publish(
        session,
        "employee.created",
        offer.tenant_id,
        f"employee:{employee.id}",
        {
            "employee_id": employee.id,
            "person_id": who.candidate.id,
            "department_id": employee.department_id,
            "manager_id": employee.manager_id,
            "offer_id": offer.id,
            "opening_id": offer.opening_id,
            "start_date": employee.start_date.isoformat(),
        },
    )
    employee.user_id = _account(session, who, employee)
    return employee


def _account(session: Session, who: Parties, employee: Employee) -> int | None:
    """The person's account with the employee role: their candidate account if they have one,
    else a new one under their e-mail address (with a random password until they choose
    one through the offer link). An address taken in another company gets no account."""
    candidate = who.candidate
    user = session.get(User, candidate.user_id) if candidate.user_id else None
    if user is None and candidate.email:
        user = session.scalars(
            select(User).where(func.lower(User.email) == candidate.email.strip().lower())
        ).first()
        if user is not None and user.tenant_id != employee.tenant_id:
            return None
    if user is None:
        if not candidate.email:
            return None
        user = User(
            tenant_id=employee.tenant_id,
            email=candidate.email.strip().lower(),
            name=candidate.name,
            password_hash=hash_password(secrets.token_urlsafe(32) + "-1a"),
            language=candidate.language or "zh-CN",
            timezone=candidate.timezone or "Asia/Shanghai",
        )
        session.add(user)
        session.flush()
        audit.record(
            session,
            "user.created",
            actor=None,
            tenant_id=employee.tenant_id,
            target_type="user",
            target_id=user.id,
            new={"roles": [{"role": Role.EMPLOYEE.value}], "employee": employee.id},
            actor_label="system:hire",
        )
    else:
        employee.account_ready_at = utcnow()  # they sign in with the password they have
    if not any(r.role == Role.EMPLOYEE.value for r in user.roles):
        user.roles.append(RoleAssignment(role=Role.EMPLOYEE.value))
    candidate.user_id = user.id
    return user.id


def choose_password(
    session: Session, employee: Employee, password: str, now: datetime | None = None
) -> User:
    """The new employee's first password, chosen through their offer link (once)."""
    if employee.user_id is None:
        raise Conflict(N_("No account could be opened for you; please ask HR."))
    if employee.account_ready_at is not None:
        raise Conflict(
            N_("Your account has its password already; sign in with it."),
            code="account_ready",
        )
    problem = password_problem(password)
    if problem:
        raise ValidationFailed(problem, fields={"password": "weak"})
    user = session.get(User, employee.user_id)
    assert user is not None
    user.password_hash = hash_password(password)
    employee.account_ready_at = now or utcnow()
    audit.commit_recorded(
        session,
        "user.password_chosen",
        actor=None,
        tenant_id=employee.tenant_id,
        target_type="user",
        target_id=user.id,
        actor_label="subject",
    )
    return user


# --------------------------------------------------------------------------- onboarding


def visible_tasks(
    session: Session, principal: Principal, person_id: int | None = None
) -> list[OnboardingTask]:
    require(principal, "onboarding.read")
    stmt = restrict(select(OnboardingTask), principal, "onboarding.read", OnboardingTask)
    if person_id is not None:
        stmt = stmt.where(OnboardingTask.person_id == person_id)
    return list(
        session.scalars(
            stmt.order_by(OnboardingTask.due_on, OnboardingTask.person_id, OnboardingTask.position)
        )
    )


def complete_task(
    session: Session, principal: Principal, task_id: int, *, now: datetime | None = None
) -> OnboardingTask:
    """Tick off a task (on the record; the last one makes the person "employed")."""
    now = now or utcnow()
    task = require_visible(session, OnboardingTask, task_id, principal, "onboarding.complete")
    if task.status == "done":
        raise Conflict(N_("This task is done already."), fields={"status": "done"})
    task.status = "done"
    task.done_at = now
    task.done_by_id = principal.user_id
    actor = SystemActor("onboarding", tenant_id=task.tenant_id)
    records.append_entry(
        session,
        actor,
        task.person_id,
        "application",
        data={"done_by": principal.name},
        source="onboarding",
        facts={"employee_id": task.employee_id, "task": task.key, "category": task.category},
        commit=False,
    )
    open_left = session.scalar(
        select(func.count())
        .select_from(OnboardingTask)
        .where(OnboardingTask.employee_id == task.employee_id, OnboardingTask.status != "done")
    )
    if not open_left:
        records.set_status(
            session, actor, task.person_id, "employed", source="onboarding", commit=False
        )
    audit.commit_recorded(
        session,
        "onboarding.task_done",
        actor=principal,
        target_type="onboarding_task",
        target_id=task.id,
        new={"employee": task.employee_id, "task": task.key},
    )
    return task


def remind_tasks(session: Session, settings: Settings, today: date | None = None) -> int:
    """Remind owners of open tasks due tomorrow or earlier (once per task)."""
    today = today or utcnow().date()
    due = list(
        session.scalars(
            select(OnboardingTask)
            .where(
                OnboardingTask.status == "open",
                OnboardingTask.reminded_at.is_(None),
                OnboardingTask.assignee_id.is_not(None),
                OnboardingTask.due_on <= today + timedelta(days=1),
            )
            .limit(1000)
        )
    )
    for task in due:
        owner = session.get(User, task.assignee_id)
        task.reminded_at = utcnow()
        if owner is None or not owner.is_active:
            continue
        messages.queue(
            session,
            task.tenant_id,
            "onboarding.reminder",
            **messages.to_user(
                owner,
                {
                    "task": task.title.get(
                        "zh" if owner.language.startswith("zh") else "en", task.key
                    ),
                    "due": format_day(task.due_on, owner.language),
                    "link": messages.link(settings, "/onboarding"),
                },
            ),
            dedupe_key=f"onboarding:{task.id}:reminder",
            related=("onboarding_task", task.id),
        )
    session.commit()
    return len(due)
