"""Who may manage an opening and sit on its panel, and where openings and requests may be
placed: the checks openings, models, plans and hiring requests share."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, Role, reaches_unit, require_visible
from hireflow.openings.models import (
    Opening,
    OpeningMember,
)
from hireflow.org.models import Department, RoleAssignment, Subsidiary, Tenant, User

OWNER_ROLES = frozenset({Role.HR_ADMIN.value, Role.RECRUITER.value})


PANEL_ROLES = frozenset(
    {Role.HR_ADMIN.value, Role.RECRUITER.value, Role.HIRING_MANAGER.value, Role.INTERVIEWER.value}
)


def department_for(
    session: Session, principal: Principal, department_id: int, capability: str
) -> Department:
    """A department of the caller's tenant that ``capability`` reaches, else NotFound."""
    department = session.get(Department, department_id)
    if department is None or department.tenant_id != principal.tenant_id:
        raise NotFound()
    if not reaches_unit(principal, capability, department.subsidiary_id, department.id):
        raise NotFound()
    return department


def unit_region(session: Session, department: Department) -> str:
    """Where a department's data lives: its subsidiary's region, else its company's."""
    subsidiary = session.get(Subsidiary, department.subsidiary_id)
    if subsidiary is not None and subsidiary.region:
        return subsidiary.region
    tenant = session.get(Tenant, department.tenant_id)
    return tenant.region if tenant is not None and tenant.region else "cn"


def staff_with_roles(session: Session, tenant_id: int, roles: Iterable[str]) -> list[User]:
    """Active users of the tenant holding any of ``roles`` (for owner and panel pickers)."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.tenant_id == tenant_id,
                User.is_active.is_(True),
                User.id.in_(
                    select(RoleAssignment.user_id).where(RoleAssignment.role.in_(list(roles)))
                ),
            )
            .order_by(User.name)
        )
    )


def check_members(
    session: Session, tenant_id: int, owner_ids: Sequence[int], interviewer_ids: Sequence[int]
) -> None:
    owners = {u.id for u in staff_with_roles(session, tenant_id, OWNER_ROLES)}
    panel = {u.id for u in staff_with_roles(session, tenant_id, PANEL_ROLES)}
    if any(user_id not in owners for user_id in owner_ids):
        raise ValidationFailed(
            N_("Owners must be recruiters or HR admins of this company."),
            fields={"owner_ids": "invalid"},
        )
    if any(user_id not in panel for user_id in interviewer_ids):
        raise ValidationFailed(
            N_("Interviewers must be staff members of this company."),
            fields={"interviewer_ids": "invalid"},
        )


def set_member_rows(
    opening: Opening, owner_ids: Sequence[int], interviewer_ids: Sequence[int]
) -> None:
    wanted = {("owner", u) for u in dict.fromkeys(owner_ids)} | {
        ("interviewer", u) for u in dict.fromkeys(interviewer_ids)
    }
    opening.members = [m for m in opening.members if (m.role, m.user_id) in wanted]
    have = {(m.role, m.user_id) for m in opening.members}
    for role, user_id in sorted(wanted - have):
        opening.members.append(OpeningMember(user_id=user_id, role=role))


def opening_snapshot(opening: Opening) -> dict[str, Any]:
    return {
        "title": opening.title,
        "department_id": opening.department_id,
        "location": opening.location,
        "region": opening.region,
        "job_type": opening.job_type,
        "language": opening.language,
        "description": opening.description,
        "requirements": dict(opening.requirements or {}),
        "pass_threshold": opening.pass_threshold,
        "headcount": opening.headcount,
        "status": opening.status,
    }


def add_opening(session: Session, principal: Principal, opening: Opening, **noted: Any) -> None:
    """Store a new opening and audit its creation (its snapshot and ``noted``)."""
    session.add(opening)
    session.flush()
    audit.record(
        session,
        "opening.created",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={**opening_snapshot(opening), **noted},
    )


def manageable_opening(session: Session, principal: Principal, opening_id: int) -> Opening:
    return require_visible(session, Opening, opening_id, principal, "openings.manage")
