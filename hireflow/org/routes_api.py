"""Organisation, users, roles, API keys, audit and technical log under ``/api/v1``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict

from hireflow.core.audit import ClientEvent, mask_personal
from hireflow.core.permissions import get_visible
from hireflow.org import queries, schemas, service
from hireflow.org.models import AccessToken, Department, RoleAssignment, Subsidiary, User
from hireflow.web.deps import ApiUser, DbSession, Id, Moment, Offset, audit_read

router = APIRouter(tags=["organisation"])


@router.get("/org/subsidiaries", response_model=list[schemas.SubsidiaryPublic])
def list_subsidiaries(session: DbSession, principal: ApiUser) -> list[Subsidiary]:
    return queries.subsidiaries(session, principal)


@router.post("/org/subsidiaries", response_model=schemas.SubsidiaryPublic, status_code=201)
def create_subsidiary(
    data: schemas.SubsidiaryCreate, session: DbSession, principal: ApiUser
) -> Subsidiary:
    return service.create_subsidiary(session, principal, data)


@router.get("/org/departments", response_model=list[schemas.DepartmentPublic])
def list_departments(
    session: DbSession, principal: ApiUser, subsidiary_id: Id | None = None
) -> list[Department]:
    return queries.departments(session, principal, subsidiary_id)


@router.post("/org/departments", response_model=schemas.DepartmentPublic, status_code=201)
def create_department(
    data: schemas.DepartmentCreate, session: DbSession, principal: ApiUser
) -> Department:
    return service.create_department(session, principal, data)


@router.get("/org/users", response_model=list[schemas.UserPublic])
def list_users(
    session: DbSession,
    principal: ApiUser,
    q: str = Query("", max_length=100),
    role: str | None = None,
    limit: int = Query(100, ge=1, le=500),
    offset: Offset = 0,
) -> Any:
    rows = queries.users(session, principal, query=q, role=role, limit=limit, offset=offset)
    audit_read(session, principal, "users.listed", "user", [u.id for u in rows])
    return rows


@router.post("/org/users", response_model=schemas.UserPublic, status_code=201)
def create_user(data: schemas.UserCreate, session: DbSession, principal: ApiUser) -> User:
    return service.create_user(session, principal, data)


@router.get("/org/users/{user_id}", response_model=schemas.UserPublic)
def get_user(user_id: Id, session: DbSession, principal: ApiUser) -> Any:
    user = get_visible(session, User, user_id, principal, "users.read")
    audit_read(session, principal, "user.viewed", "user", target_id=user.id)
    return user


@router.patch("/org/users/{user_id}", response_model=schemas.UserPublic)
def update_user(
    user_id: Id, data: schemas.UserUpdate, session: DbSession, principal: ApiUser
) -> User:
    return service.update_user(session, principal, user_id, data)


@router.post("/org/users/{user_id}/roles", response_model=schemas.RoleGrantOut, status_code=201)
def add_role(
    user_id: Id, data: schemas.RoleGrantIn, session: DbSession, principal: ApiUser
) -> RoleAssignment:
    return service.add_role(session, principal, user_id, data)


@router.delete("/org/users/{user_id}/roles/{assignment_id}", status_code=204)
def remove_role(user_id: Id, assignment_id: Id, session: DbSession, principal: ApiUser) -> Response:
    service.remove_role(session, principal, user_id, assignment_id)
    return Response(status_code=204)


@router.get("/apikeys", response_model=list[schemas.ApiKeyPublic])
def list_keys(session: DbSession, principal: ApiUser) -> list[AccessToken]:
    return service.list_api_keys(session, principal)


@router.post("/apikeys", response_model=schemas.ApiKeyCreated, status_code=201)
def create_key(data: schemas.ApiKeyCreate, session: DbSession, principal: ApiUser) -> Any:
    raw, row = service.create_api_key(session, principal, data)
    return schemas.ApiKeyCreated.model_validate(
        {**schemas.ApiKeyPublic.model_validate(row).model_dump(), "key": raw}
    )


@router.delete("/apikeys/{key_id}", status_code=204)
def revoke_key(key_id: Id, session: DbSession, principal: ApiUser) -> Response:
    service.revoke_api_key(session, principal, key_id)
    return Response(status_code=204)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str
    target_id: str
    old_values: dict[str, Any] | None
    new_values: dict[str, Any] | None
    request_id: str
    ip: str
    created_at: datetime


class AuditPage(BaseModel):
    total: int
    items: list[AuditOut]


@router.get("/audit", response_model=AuditPage)
def list_audit(
    session: DbSession,
    principal: ApiUser,
    actor: str = Query("", max_length=100),
    action: str = Query("", max_length=80),
    target_type: str = Query("", max_length=60),
    target_id: str = Query("", max_length=64),
    since: Moment | None = None,
    until: Moment | None = None,
    limit: int = Query(100, ge=1, le=1000),
    offset: Offset = 0,
) -> Any:
    filters = queries.AuditFilter(actor, action, target_type, target_id, since, until)
    rows, total = queries.audit_entries(session, principal, filters, limit, offset)
    reveal = principal.has("users.manage")
    items = []
    for row in rows:
        item = AuditOut.model_validate(row)
        if not reveal:
            item.old_values = mask_personal(item.old_values)
            item.new_values = mask_personal(item.new_values)
            item.actor_label = item.actor_label if row.actor_id is None else f"#{row.actor_id}"
        items.append(item)
    return AuditPage(total=total, items=items)


class ClientEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    message: str
    page: str
    browser: str
    os: str
    device: str
    details: dict[str, Any] | None
    created_at: datetime


@router.get("/techlog", response_model=list[ClientEventOut])
def list_techlog(
    session: DbSession, principal: ApiUser, kind: str = Query("", max_length=40)
) -> list[ClientEvent]:
    return queries.client_events(session, principal, kind)
