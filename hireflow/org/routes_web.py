"""Organisation admin, audit log and technical log pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from hireflow.core.audit import mask_personal
from hireflow.core.errors import AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Role, get_visible, require
from hireflow.org import queries, schemas, service
from hireflow.org.models import User
from hireflow.org.schemas import REGIONS
from hireflow.web.deps import DbSession, Id, PageNumber, PageUser
from hireflow.web.forms import app_error_fields, blank_to_none, day_bound, validate_form
from hireflow.web.routes import COMMON_ZONES
from hireflow.web.telemetry import EVENT_KINDS
from hireflow.web.templating import render

router = APIRouter(include_in_schema=False)


def _org_context(session: DbSession, principal: PageUser) -> dict[str, Any]:
    subsidiaries = queries.subsidiaries(session, principal)
    departments = queries.departments(session, principal)
    users = queries.users(session, principal) if principal.has("users.read") else []
    names = {s.id: s.name for s in subsidiaries}
    dept_names = {d.id: d.name for d in departments}
    return {
        "tenant": queries.tenant_of(session, principal),
        "subsidiaries": subsidiaries,
        "departments": departments,
        "users": users,
        "subsidiary_names": names,
        "department_names": dept_names,
        "roles": [role.value for role in Role],
        "regions": REGIONS,
        "zones": COMMON_ZONES,
        "errors": {},
        "values": {},
    }


@router.get("/org")
def org_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    return render(request, "org/index.html", _org_context(session, principal))


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _rerender(
    request: Request,
    session: DbSession,
    principal: PageUser,
    errors: dict[str, str],
    values: dict[str, Any],
    section: str,
) -> Response:
    context = _org_context(session, principal)
    context.update({"errors": errors, "values": values, "section": section})
    return render(request, "org/index.html", context, status_code=422)


@router.post("/org/subsidiaries")
async def org_add_subsidiary(request: Request, session: DbSession, principal: PageUser) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.SubsidiaryCreate, values, _)
    if data is not None:
        try:
            service.create_subsidiary(session, principal, data)
            return RedirectResponse("/org#subsidiaries", status_code=303)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    return _rerender(request, session, principal, errors, values, "subsidiary")


@router.post("/org/departments")
async def org_add_department(request: Request, session: DbSession, principal: PageUser) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.DepartmentCreate, values, _)
    if data is not None:
        try:
            service.create_department(session, principal, data)
            return RedirectResponse("/org#departments", status_code=303)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    return _rerender(request, session, principal, errors, values, "department")


def _grant_from(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "role": values.get("role", ""),
        "subsidiary_id": blank_to_none(values.get("subsidiary_id")),
        "department_id": blank_to_none(values.get("department_id")),
    }


@router.post("/org/users")
async def org_add_user(request: Request, session: DbSession, principal: PageUser) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    payload = {
        "email": values.get("email", ""),
        "name": values.get("name", ""),
        "password": values.get("password", ""),
        "language": values.get("language", "zh-CN"),
        "timezone": values.get("timezone", "Asia/Shanghai"),
        "roles": [_grant_from(values)] if values.get("role") else [],
    }
    data, errors = validate_form(schemas.UserCreate, payload, _)
    if data is not None:
        try:
            user = service.create_user(session, principal, data)
            return RedirectResponse(f"/org/users/{user.id}", status_code=303)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    values.pop("password", None)
    return _rerender(request, session, principal, errors, values, "user")


def _user_context(session: DbSession, principal: PageUser, user_id: int) -> dict[str, Any]:
    require(principal, "users.read")
    user = get_visible(session, User, user_id, principal, "users.read")
    context = _org_context(session, principal)
    context.update({"user": user})
    return context


@router.get("/org/users/{user_id}")
def org_user(request: Request, session: DbSession, principal: PageUser, user_id: Id) -> Response:
    return render(request, "org/user.html", _user_context(session, principal, user_id))


@router.post("/org/users/{user_id}")
async def org_update_user(
    request: Request, session: DbSession, principal: PageUser, user_id: Id
) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    payload = {
        "name": values.get("name") or None,
        "language": values.get("language") or None,
        "timezone": values.get("timezone") or None,
        "is_active": values.get("is_active") == "on",
    }
    data, errors = validate_form(schemas.UserUpdate, payload, _)
    if data is not None:
        try:
            service.update_user(session, principal, user_id, data)
            return RedirectResponse(f"/org/users/{user_id}", status_code=303)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    context = _user_context(session, principal, user_id)
    context.update({"errors": errors, "values": values})
    return render(request, "org/user.html", context, status_code=422)


@router.post("/org/users/{user_id}/roles")
async def org_add_role(
    request: Request, session: DbSession, principal: PageUser, user_id: Id
) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    data, errors = validate_form(schemas.RoleGrantIn, _grant_from(values), _)
    if data is not None:
        try:
            service.add_role(session, principal, user_id, data)
            return RedirectResponse(f"/org/users/{user_id}", status_code=303)
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = app_error_fields(exc, _)
    context = _user_context(session, principal, user_id)
    context.update({"errors": errors, "values": values})
    return render(request, "org/user.html", context, status_code=422)


@router.post("/org/users/{user_id}/roles/{assignment_id}/delete")
def org_remove_role(
    request: Request, session: DbSession, principal: PageUser, user_id: Id, assignment_id: Id
) -> Response:
    _ = gettext_for(request.state.language)
    try:
        service.remove_role(session, principal, user_id, assignment_id)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        context = _user_context(session, principal, user_id)
        context.update({"errors": app_error_fields(exc, _), "values": {}})
        return render(request, "org/user.html", context, status_code=422)
    return RedirectResponse(f"/org/users/{user_id}", status_code=303)


@router.get("/audit")
def audit_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    since: str = "",
    until: str = "",
    page: PageNumber = 1,
) -> Response:
    require(principal, "audit.read")
    zone = request.state.timezone
    filters = queries.AuditFilter(
        actor=actor[:100],
        action=action[:80],
        target_type=target_type[:60],
        target_id=target_id[:64],
        since=day_bound(since, zone, end=False),
        until=day_bound(until, zone, end=True),
    )
    page = max(page, 1)
    rows, total = queries.audit_entries(
        session, principal, filters, limit=50, offset=(page - 1) * 50
    )
    reveal = principal.has("users.manage")
    entries = [
        {
            "row": row,
            "actor": row.actor_label if reveal or row.actor_id is None else f"#{row.actor_id}",
            "old": row.old_values if reveal else mask_personal(row.old_values),
            "new": row.new_values if reveal else mask_personal(row.new_values),
        }
        for row in rows
    ]
    return render(
        request,
        "org/audit.html",
        {
            "entries": entries,
            "total": total,
            "page": page,
            "pages": max((total + 49) // 50, 1),
            "actions": queries.audit_actions(session, principal),
            "filters": {
                "actor": actor,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "since": since,
                "until": until,
            },
            "bad_dates": bool(since and filters.since is None)
            or bool(until and filters.until is None),
        },
    )


@router.get("/techlog")
def techlog_page(
    request: Request, session: DbSession, principal: PageUser, kind: str = ""
) -> Response:
    events = queries.client_events(session, principal, kind[:40])
    return render(
        request, "org/techlog.html", {"events": events, "kind": kind, "kinds": EVENT_KINDS}
    )
