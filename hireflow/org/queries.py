"""Organisation reads, always narrowed by the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from hireflow.core.audit import AuditEntry, ClientEvent
from hireflow.core.permissions import Principal, require, restrict
from hireflow.org.models import Department, RoleAssignment, Subsidiary, Tenant, User


def user_by_email(session: Session, tenant_id: int, email: str) -> User | None:
    """The company's account with this address (demo data and set-up scripts find people so)."""
    return session.scalars(
        select(User).where(User.tenant_id == tenant_id, User.email == email)
    ).first()


def tenant_of(session: Session, principal: Principal) -> Tenant:
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None  # a principal always belongs to an existing tenant
    return tenant


def subsidiaries(session: Session, principal: Principal) -> list[Subsidiary]:
    require(principal, "org.read")
    stmt = restrict(select(Subsidiary), principal, "org.read", Subsidiary).order_by(Subsidiary.name)
    return list(session.scalars(stmt))


def departments(
    session: Session, principal: Principal, subsidiary_id: int | None = None
) -> list[Department]:
    require(principal, "org.read")
    stmt = restrict(select(Department), principal, "org.read", Department)
    if subsidiary_id is not None:
        stmt = stmt.where(Department.subsidiary_id == subsidiary_id)
    return list(session.scalars(stmt.order_by(Department.subsidiary_id, Department.name)))


def users(
    session: Session,
    principal: Principal,
    *,
    query: str = "",
    role: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[User]:
    require(principal, "users.read")
    stmt = restrict(select(User), principal, "users.read", User).options(selectinload(User.roles))
    if query:
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(or_(User.email.ilike(like), User.name.ilike(like)))
    if role:
        stmt = stmt.where(
            User.id.in_(select(RoleAssignment.user_id).where(RoleAssignment.role == role))
        )
    return list(session.scalars(stmt.order_by(User.name).limit(limit).offset(offset)))


def user_with_roles(session: Session, user_id: int) -> User | None:
    return session.scalars(
        select(User).where(User.id == user_id).options(selectinload(User.roles))
    ).first()


# --- audit trail and technical log --------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    target_type: str = ""
    target_id: str = ""
    since: datetime | None = None
    until: datetime | None = None


def audit_entries(
    session: Session, principal: Principal, filters: AuditFilter, limit: int = 100, offset: int = 0
) -> tuple[list[AuditEntry], int]:
    """Audit rows of the caller's tenant, newest first, with the total for paging."""
    require(principal, "audit.read")
    stmt = restrict(select(AuditEntry), principal, "audit.read", AuditEntry)
    if filters.actor:
        if filters.actor.isdigit():
            stmt = stmt.where(AuditEntry.actor_id == int(filters.actor))
        else:
            stmt = stmt.where(AuditEntry.actor_label.ilike(f"%{filters.actor}%"))
    if filters.action:
        stmt = stmt.where(AuditEntry.action.startswith(filters.action))
    if filters.target_type:
        stmt = stmt.where(AuditEntry.target_type == filters.target_type)
    if filters.target_id:
        stmt = stmt.where(AuditEntry.target_id == filters.target_id)
    if filters.since:
        stmt = stmt.where(AuditEntry.created_at >= filters.since)
    if filters.until:
        stmt = stmt.where(AuditEntry.created_at < filters.until)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(
        stmt.order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), total


def audit_actions(session: Session, principal: Principal) -> list[str]:
    require(principal, "audit.read")
    stmt = restrict(select(AuditEntry.action).distinct(), principal, "audit.read", AuditEntry)
    return sorted(session.scalars(stmt))


def client_events(
    session: Session, principal: Principal, kind: str = "", limit: int = 200
) -> list[ClientEvent]:
    """Technical problems of the tenant, plus anonymous ones (e.g. before sign-in).

    Anonymous events carry no tenant because the visitor is not known yet; they are scrubbed of
    personal data on the way in, so every IT viewer may see them.
    """
    require(principal, "techlog.read")
    stmt = select(ClientEvent).where(
        or_(ClientEvent.tenant_id == principal.tenant_id, ClientEvent.tenant_id.is_(None))
    )
    if kind:
        stmt = stmt.where(ClientEvent.kind == kind)
    return list(session.scalars(stmt.order_by(ClientEvent.id.desc()).limit(limit)))
