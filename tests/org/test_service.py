"""Organisation rules: units, users, roles; each change audited in its transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from hireflow.core.permissions import Role
from hireflow.org import schemas, service
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from tests.conftest import make_org


def _audit_count(session, action: str) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
    )


def test_create_subsidiary_and_department_are_audited(session, org):
    hr = principal_for(org.users["hr_admin"])
    before = _audit_count(session, "subsidiary.created")
    sub = service.create_subsidiary(
        session, hr, schemas.SubsidiaryCreate(name="新子公司", region="eu")
    )
    dept = service.create_department(
        session, hr, schemas.DepartmentCreate(subsidiary_id=sub.id, name="市场部")
    )
    assert dept.subsidiary_id == sub.id and sub.region == "eu"
    assert _audit_count(session, "subsidiary.created") == before + 1


def test_duplicate_names_conflict(session, org):
    hr = principal_for(org.users["hr_admin"])
    name = org.subsidiaries[0].name
    with pytest.raises(Conflict):
        service.create_subsidiary(session, hr, schemas.SubsidiaryCreate(name=name))


def test_department_in_another_tenants_subsidiary_is_not_found(session, org):
    other = make_org(session)
    hr = principal_for(org.users["hr_admin"])
    with pytest.raises(NotFound):
        service.create_department(
            session, hr, schemas.DepartmentCreate(subsidiary_id=other.subsidiaries[0].id, name="x")
        )


def test_only_hr_admin_manages_the_organisation(session, org):
    for role in ("recruiter", "hiring_manager", "interviewer", "it_auditor", "candidate"):
        with pytest.raises(Forbidden):
            service.create_subsidiary(
                session, principal_for(org.users[role]), schemas.SubsidiaryCreate(name="x")
            )


def test_hiring_manager_needs_a_department(session, org):
    hr = principal_for(org.users["hr_admin"])
    data = schemas.UserCreate(
        email="m@example.com",
        name="M",
        password="Long-enough-1",
        roles=[schemas.RoleGrantIn(role=Role.HIRING_MANAGER)],
    )
    with pytest.raises(ValidationFailed):
        service.create_user(session, hr, data)


def test_weak_password_and_duplicate_email(session, org):
    hr = principal_for(org.users["hr_admin"])
    with pytest.raises(ValidationFailed):
        service.create_user(
            session, hr, schemas.UserCreate(email="w@example.com", name="W", password="1234567890")
        )
    with pytest.raises(Conflict):
        service.create_user(
            session,
            hr,
            schemas.UserCreate(
                email=org.users["recruiter"].email.upper(), name="Dup", password="Long-enough-1"
            ),
        )


def test_roles_added_and_removed_with_audit(session, org):
    hr = principal_for(org.users["hr_admin"])
    user = org.users["interviewer"]
    grant = service.add_role(
        session,
        hr,
        user.id,
        schemas.RoleGrantIn(role=Role.HIRING_MANAGER, department_id=org.departments[1].id),
    )
    with pytest.raises(Conflict):
        service.add_role(
            session,
            hr,
            user.id,
            schemas.RoleGrantIn(role=Role.HIRING_MANAGER, department_id=org.departments[1].id),
        )
    service.remove_role(session, hr, user.id, grant.id)
    session.expire_all()
    assert [r.role for r in session.get(User, user.id).roles] == ["interviewer"]
    assert _audit_count(session, "user.role_removed") >= 1


def test_admin_cannot_remove_own_last_admin_role_or_deactivate_self(session, org):
    admin = org.users["hr_admin"]
    hr = principal_for(admin)
    with pytest.raises(ValidationFailed):
        service.remove_role(session, hr, admin.id, admin.roles[0].id)
    with pytest.raises(ValidationFailed):
        service.update_user(session, hr, admin.id, schemas.UserUpdate(is_active=False))


def test_subsidiary_scoped_admin_cannot_grant_outside_its_subsidiary(session, org):
    scoped = service.create_user(
        session,
        None,
        schemas.UserCreate(
            email="scoped@example.com",
            name="Scoped",
            password="Long-enough-1",
            roles=[schemas.RoleGrantIn(role=Role.HR_ADMIN, subsidiary_id=org.subsidiaries[0].id)],
        ),
        tenant_id=org.tenant.id,
        send_welcome=False,
    )
    principal = principal_for(scoped)
    with pytest.raises(NotFound):
        service.create_user(
            session,
            principal,
            schemas.UserCreate(
                email="outside@example.com",
                name="Outside",
                password="Long-enough-1",
                roles=[schemas.RoleGrantIn(role=Role.HR_ADMIN)],
            ),
        )
    created = service.create_user(
        session,
        principal,
        schemas.UserCreate(
            email="inside@example.com",
            name="Inside",
            password="Long-enough-1",
            roles=[schemas.RoleGrantIn(role=Role.INTERVIEWER, department_id=org.departments[0].id)],
        ),
    )
    assert created.roles[0].department_id == org.departments[0].id


def test_profile_update_validates_zone(session, org):
    with pytest.raises(ValueError):
        schemas.ProfileUpdate(timezone="Mars/Olympus")
    user = service.update_profile(
        session,
        principal_for(org.users["employee"]),
        schemas.ProfileUpdate(language="ja", timezone="Asia/Tokyo"),
    )
    assert (user.language, user.timezone) == ("ja", "Asia/Tokyo")
