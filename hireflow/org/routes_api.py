"""Organisation, users, roles, API keys, audit and technical log under ``/api/v1``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from hireflow.core.audit import ClientEvent, mask_personal
from hireflow.core.permissions import get_visible
from hireflow.org import queries, schemas, service
from hireflow.org.models import Department, User
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id, Moment, Offset, audit_read

router = APIRouter(tags=["organisation"])


api = ServiceRoutes(router, __name__)
api.get(
    "/org/subsidiaries",
    queries.subsidiaries,
    name="list_subsidiaries",
    model=list[schemas.SubsidiaryPublic],
)
api.create(
    "/org/subsidiaries",
    service.create_subsidiary,
    schemas.SubsidiaryCreate,
    model=schemas.SubsidiaryPublic,
)


@router.get("/org/departments", response_model=list[schemas.DepartmentPublic])
def list_departments(
    session: DbSession, principal: ApiUser, subsidiary_id: Id | None = None
) -> list[Department]:
    return queries.departments(session, principal, subsidiary_id)


api.create(
    "/org/departments",
    service.create_department,
    schemas.DepartmentCreate,
    model=schemas.DepartmentPublic,
)


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


api.create("/org/users", service.create_user, schemas.UserCreate, model=schemas.UserPublic)


@router.get("/org/users/{user_id}", response_model=schemas.UserPublic)
def get_user(user_id: Id, session: DbSession, principal: ApiUser) -> Any:
    user = get_visible(session, User, user_id, principal, "users.read")
    audit_read(session, principal, "user.viewed", "user", target_id=user.id)
    return user


USER = "/org/users/{user_id}"
api.patch(USER, service.update_user, schemas.UserUpdate, model=schemas.UserPublic)
api.create(f"{USER}/roles", service.add_role, schemas.RoleGrantIn, model=schemas.RoleGrantOut)
api.delete(f"{USER}/roles/{{assignment_id}}", service.remove_role)
api.get("/apikeys", service.list_api_keys, name="list_keys", model=list[schemas.ApiKeyPublic])


@router.post("/apikeys", response_model=schemas.ApiKeyCreated, status_code=201)
def create_key(data: schemas.ApiKeyCreate, session: DbSession, principal: ApiUser) -> Any:
    raw, row = service.create_api_key(session, principal, data)
    return schemas.ApiKeyCreated.model_validate(
        {**schemas.ApiKeyPublic.model_validate(row).model_dump(), "key": raw}
    )


api.delete("/apikeys/{key_id}", service.revoke_api_key, name="revoke_key")


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
