"""Organisation changes (SPEC A1, A2): each function checks the caller, writes, audits, commits."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import (
    API_SCOPES,
    Principal,
    Role,
    can,
    get_visible,
    reaches_unit,
    require,
    require_visible,
)
from hireflow.core.security import hash_password, password_problem
from hireflow.core.settings import get_settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.org import schemas
from hireflow.org.auth import issue_token
from hireflow.org.models import AccessToken, Department, RoleAssignment, Subsidiary, Tenant, User

# Roles that only make sense inside a department: a hiring manager manages one.
DEPARTMENT_ROLES = frozenset({Role.HIRING_MANAGER})


def create_tenant(
    session: Session,
    name: str,
    slug: str,
    *,
    region: str = "cn",
    language: str = "zh-CN",
    timezone: str = "Asia/Shanghai",
) -> Tenant:
    """Create a group company (used by the CLI and the demo; there is no tenant above HR)."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,58}", slug):
        raise ValidationFailed(
            N_("The short name may use lower-case letters, digits and dashes."),
            fields={"slug": "format"},
        )
    if session.scalars(select(Tenant).where(Tenant.slug == slug)).first():
        raise Conflict(N_("A company with this short name exists already."))
    tenant = Tenant(
        name=name, slug=slug, region=region, default_language=language, default_timezone=timezone
    )
    session.add(tenant)
    session.flush()
    audit.commit_recorded(
        session,
        "tenant.created",
        actor=None,
        tenant_id=tenant.id,
        target_type="tenant",
        target_id=tenant.id,
        new={"name": name, "slug": slug, "region": region},
    )
    return tenant


def _refuse_taken_name(
    session: Session,
    model: type[Subsidiary] | type[Department],
    within: ColumnElement[bool],
    name: str,
    message: str,
) -> None:
    """A unit's name is unique within its parent (the company, or the subsidiary)."""
    if session.scalars(select(model).where(within, model.name == name)).first():
        raise Conflict(message, fields={"name": "taken"})


def create_subsidiary(
    session: Session, principal: Principal, data: schemas.SubsidiaryCreate
) -> Subsidiary:
    require(principal, "org.manage")
    if not reaches_unit(principal, "org.manage", None, None):
        raise NotFound()
    _refuse_taken_name(
        session,
        Subsidiary,
        Subsidiary.tenant_id == principal.tenant_id,
        data.name,
        N_("A subsidiary with this name exists already."),
    )
    tenant = session.get(Tenant, principal.tenant_id)
    region = data.region or (tenant.region if tenant is not None else None) or "cn"
    subsidiary = Subsidiary(tenant_id=principal.tenant_id, name=data.name, region=region)
    audit.commit_created(
        session,
        subsidiary,
        "subsidiary.created",
        actor=principal,
        target_type="subsidiary",
        new={"name": data.name, "region": region},
    )
    return subsidiary


def create_department(
    session: Session, principal: Principal, data: schemas.DepartmentCreate
) -> Department:
    subsidiary = require_visible(session, Subsidiary, data.subsidiary_id, principal, "org.manage")
    _refuse_taken_name(
        session,
        Department,
        Department.subsidiary_id == subsidiary.id,
        data.name,
        N_("A department with this name exists already."),
    )
    department = Department(
        tenant_id=principal.tenant_id, subsidiary_id=subsidiary.id, name=data.name
    )
    audit.commit_created(
        session,
        department,
        "department.created",
        actor=principal,
        target_type="department",
        new=data.model_dump(),
    )
    return department


def _check_grant(session: Session, principal: Principal, grant: schemas.RoleGrantIn) -> None:
    """A role may only point at units of the caller's tenant that the caller manages."""
    if grant.department_id is not None:
        department = get_visible(session, Department, grant.department_id, principal, "org.manage")
        if grant.subsidiary_id is not None and grant.subsidiary_id != department.subsidiary_id:
            raise ValidationFailed(
                N_("The department does not belong to that subsidiary."),
                fields={"department_id": "mismatch"},
            )
        unit_subsidiary: int | None = department.subsidiary_id
        grant.subsidiary_id = None  # the department implies its subsidiary
    else:
        unit_subsidiary = grant.subsidiary_id
        if grant.subsidiary_id is not None:
            get_visible(session, Subsidiary, grant.subsidiary_id, principal, "org.manage")
    if grant.role in DEPARTMENT_ROLES and grant.department_id is None:
        raise ValidationFailed(
            N_("A hiring manager must be assigned to a department."),
            fields={"department_id": "required"},
        )
    if not reaches_unit(principal, "users.manage", unit_subsidiary, grant.department_id):
        raise NotFound()


def _assignment(grant: schemas.RoleGrantIn) -> RoleAssignment:
    return RoleAssignment(
        role=grant.role.value,
        subsidiary_id=grant.subsidiary_id,
        department_id=grant.department_id,
    )


def _grant_dict(assignment: RoleAssignment) -> dict[str, object]:
    return {
        "role": assignment.role,
        "subsidiary_id": assignment.subsidiary_id,
        "department_id": assignment.department_id,
    }


def _grant_dicts(user: User) -> list[dict[str, object]]:
    return [_grant_dict(r) for r in user.roles]


def create_user(
    session: Session,
    principal: Principal | None,
    data: schemas.UserCreate,
    *,
    tenant_id: int | None = None,
    send_welcome: bool = True,
) -> User:
    """Create a user with roles. ``principal=None`` is the command line (trusted operator)."""
    if principal is not None:
        require(principal, "users.manage")
        tenant_id = principal.tenant_id
    if tenant_id is None:
        raise ValidationFailed(N_("A company is required."), fields={"tenant": "required"})
    problem = password_problem(data.password)
    if problem:
        raise ValidationFailed(problem, fields={"password": "weak"})
    email = data.email.strip().lower()
    if session.scalars(select(User).where(func.lower(User.email) == email)).first():
        raise Conflict(N_("A user with this email exists already."), fields={"email": "taken"})
    if principal is not None:
        for grant in data.roles:
            _check_grant(session, principal, grant)
    user = User(
        tenant_id=tenant_id,
        email=email,
        name=data.name.strip(),
        password_hash=hash_password(data.password),
        language=data.language,
        timezone=data.timezone,
    )
    user.roles = [_assignment(grant) for grant in data.roles]
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.created",
        actor=principal,
        tenant_id=tenant_id,
        target_type="user",
        target_id=user.id,
        new={"email": email, "name": user.name, "roles": _grant_dicts(user)},
    )
    if send_welcome:
        enqueue_on_commit(session, "org.send_welcome_email", user.id)
    session.commit()
    return user


def update_user(
    session: Session, principal: Principal, user_id: int, data: schemas.UserUpdate
) -> User:
    user = require_visible(session, User, user_id, principal, "users.manage")
    before = {
        "name": user.name,
        "language": user.language,
        "timezone": user.timezone,
        "is_active": user.is_active,
    }
    changes = data.model_dump(exclude_none=True)
    if changes.get("is_active") is False and user.id == principal.user_id:
        raise ValidationFailed(
            N_("You cannot deactivate your own account."), fields={"is_active": "self"}
        )
    return _change_user(session, principal, user, before, changes, "user.updated")


def add_role(
    session: Session, principal: Principal, user_id: int, grant: schemas.RoleGrantIn
) -> RoleAssignment:
    user = require_visible(session, User, user_id, principal, "users.manage")
    _check_grant(session, principal, grant)
    assignment = _assignment(grant)
    if any(_grant_dict(existing) == _grant_dict(assignment) for existing in user.roles):
        raise Conflict(N_("The user has this role already."))
    user.roles.append(assignment)
    session.flush()
    audit.commit_on(
        session, "user.role_added", principal, ("user", user.id), new=_grant_dict(assignment)
    )
    return assignment


def remove_role(session: Session, principal: Principal, user_id: int, assignment_id: int) -> None:
    user = require_visible(session, User, user_id, principal, "users.manage")
    assignment = next((r for r in user.roles if r.id == assignment_id), None)
    if assignment is None:
        raise NotFound()
    if not reaches_unit(
        principal, "users.manage", assignment.subsidiary_id, assignment.department_id
    ):
        raise NotFound()
    if (
        user.id == principal.user_id
        and assignment.role == Role.HR_ADMIN
        and sum(1 for r in user.roles if r.role == Role.HR_ADMIN) == 1
    ):
        raise ValidationFailed(
            N_("You cannot remove your own last administrator role."), fields={"role": "self"}
        )
    old = _grant_dict(assignment)
    user.roles.remove(assignment)
    audit.commit_on(session, "user.role_removed", principal, ("user", user.id), old=old)


def update_profile(session: Session, principal: Principal, data: schemas.ProfileUpdate) -> User:
    """A user's own language and time zone (every role may do this)."""
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound()
    before = {"language": user.language, "timezone": user.timezone}
    changes = data.model_dump(exclude_none=True)
    return _change_user(session, principal, user, before, changes, "user.profile_updated")


def _change_user(
    session: Session,
    principal: Principal,
    user: User,
    before: dict[str, Any],
    changes: dict[str, Any],
    action: str,
) -> User:
    """Apply ``changes``, audit what really changed (nothing: no row) and commit."""
    for key, value in changes.items():
        setattr(user, key, value)
    audit.commit_changed(
        session,
        action,
        actor=principal,
        target_type="user",
        target_id=user.id,
        before=before,
        after={**before, **changes},
    )
    return user


def create_api_key(
    session: Session, principal: Principal, data: schemas.ApiKeyCreate
) -> tuple[str, AccessToken]:
    require(principal, "apikeys.manage")
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound()
    longest = get_settings().api_key_max_days
    if data.days > longest:
        raise ValidationFailed(
            N_("An API key may live at most %(days)s days."),
            fields={"days": "too_long"},
            params={"days": longest},
        )
    for scope in data.scopes:
        if not any(can(principal, capability) for capability in API_SCOPES[scope]):
            # Nobody hands out a power they do not hold (a key: one it was not given).
            raise ValidationFailed(
                N_("You cannot give a key a permission you do not have."),
                fields={"scopes": "not_held"},
            )
    hours = data.days * 24
    parent_expiry = principal.extra.get("key_expires_at")
    if parent_expiry is not None:
        # A key made with a key never outlives the key that made it.
        left = (parent_expiry - utcnow()).total_seconds() / 3600
        hours = max(1, min(hours, int(left)))
    raw, row = issue_token(
        session, user, "api_key", hours=hours, name=data.name, scopes=tuple(data.scopes)
    )
    audit.commit_recorded(
        session,
        "apikey.created",
        actor=principal,
        target_type="api_key",
        target_id=row.id,
        new={
            "name": data.name,
            "prefix": row.prefix,
            "scopes": sorted(data.scopes),
            "expires_at": row.expires_at,
            "by": principal.auth,
        },
    )
    return raw, row


def list_api_keys(session: Session, principal: Principal) -> list[AccessToken]:
    require(principal, "apikeys.manage")
    return list(
        session.scalars(
            select(AccessToken)
            .where(AccessToken.user_id == principal.user_id, AccessToken.kind == "api_key")
            .order_by(AccessToken.id.desc())
        )
    )


def tenant_api_keys(session: Session, principal: Principal) -> list[tuple[AccessToken, User]]:
    """Every API key of the caller's company with its owner (the IT system page)."""
    require(principal, "system.read")
    rows = session.execute(
        select(AccessToken, User)
        .join(User, User.id == AccessToken.user_id)
        .where(User.tenant_id == principal.tenant_id, AccessToken.kind == "api_key")
        .order_by(AccessToken.revoked_at.is_not(None), AccessToken.id.desc())
    ).all()
    return [(token, user) for token, user in rows]


def revoke_api_key(session: Session, principal: Principal, key_id: int) -> None:
    require(principal, "apikeys.manage")
    row = session.scalars(
        select(AccessToken).where(
            AccessToken.id == key_id,
            AccessToken.user_id == principal.user_id,
            AccessToken.kind == "api_key",
        )
    ).first()
    if row is None:
        raise NotFound()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.commit_on(session, "apikey.revoked", principal, ("api_key", row.id))


def purge_expired_tokens(session: Session, older_than_days: int = 30) -> int:
    """Delete tokens expired or revoked long ago (periodic housekeeping)."""
    cutoff = utcnow() - timedelta(days=older_than_days)
    rows = session.scalars(
        select(AccessToken).where(
            (AccessToken.expires_at < cutoff) | (AccessToken.revoked_at < cutoff)
        )
    ).all()
    for row in rows:
        session.delete(row)
    session.commit()
    return len(rows)
