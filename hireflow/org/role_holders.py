"""Who holds a role where: the people messages and approvals go to (a department's hiring
managers, the company's HR administrators). A system read, not narrowed by a caller's scope:
callers decide what to tell whom."""

from __future__ import annotations

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from hireflow.core.permissions import Role
from hireflow.org.models import RoleAssignment, User


def role_holders(
    session: Session, tenant_id: int, role: Role, *, department_id: int | None = None
) -> list[User]:
    """The company's active users holding ``role`` in the department, or company-wide (not
    for one subsidiary or department) when no department is given; in a stable order."""
    where: tuple[ColumnElement[bool], ...]
    if department_id is None:
        where = (RoleAssignment.subsidiary_id.is_(None), RoleAssignment.department_id.is_(None))
    else:
        where = (RoleAssignment.department_id == department_id,)
    return list(
        session.scalars(
            select(User)
            .join(RoleAssignment, RoleAssignment.user_id == User.id)
            .where(
                User.tenant_id == tenant_id,
                RoleAssignment.role == role.value,
                *where,
                User.is_active.is_(True),
            )
            .order_by(User.id)
        ).unique()
    )
