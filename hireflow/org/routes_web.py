"""Organisation admin, audit log and technical log pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hireflow.core.audit import mask_personal
from hireflow.core.i18n import translations
from hireflow.core.permissions import Principal, Role, require, require_visible
from hireflow.org import audit_words, queries, schemas, service
from hireflow.org.models import User
from hireflow.org.schemas import REGIONS
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageNumber, PageUser
from hireflow.web.forms import Form, PostedForm, SchemaT
from hireflow.web.listing import Days, Paging
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


def _rerender(
    request: Request,
    session: DbSession,
    principal: PageUser,
    errors: dict[str, str],
    values: dict[str, Any],
    section: str,
) -> Response:
    context = _org_context(session, principal)
    return forms.form_page(request, "org/index.html", context, errors, values, section=section)


# The organisation page's two unit forms: path (and the page's anchor), schema, service, the
# form's section on the page.
UNIT_FORMS: tuple[tuple[str, type[BaseModel], Callable[..., object], str], ...] = (
    ("subsidiaries", schemas.SubsidiaryCreate, service.create_subsidiary, "subsidiary"),
    ("departments", schemas.DepartmentCreate, service.create_department, "department"),
)


def _add_unit_route(
    path: str,
    schema: type[SchemaT],
    create: Callable[[Session, Principal, SchemaT], object],
    section: str,
) -> None:
    """Register the form that creates a subsidiary or a department from the organisation page."""

    def endpoint(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
        values = dict(form.values)
        return forms.submit_form(
            request,
            schema,
            values,
            forms.redirect_after(lambda data: create(session, principal, data), f"/org#{path}"),
            lambda errors: _rerender(request, session, principal, errors, values, section),
        )

    endpoint.__name__ = endpoint.__qualname__ = f"org_add_{section}"
    router.post(f"/org/{path}")(endpoint)


for _path, _schema, _create, _section in UNIT_FORMS:
    _add_unit_route(_path, _schema, _create, _section)


def _grant_from(form: PostedForm) -> dict[str, Any]:
    return {
        "role": form.get("role"),
        "subsidiary_id": forms.blank_to_none(form.values.get("subsidiary_id")),
        "department_id": forms.blank_to_none(form.values.get("department_id")),
    }


@router.post("/org/users")
def org_add_user(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    payload = {
        "email": form.get("email"),
        "name": form.get("name"),
        "password": form.get("password"),
        "language": form.get("language", "zh-CN"),
        "timezone": form.get("timezone", "Asia/Shanghai"),
        "roles": [_grant_from(form)] if form.get("role") else [],
    }
    # The password is never sent back.
    values = {k: v for k, v in form.values.items() if k != "password"}
    return forms.submit_form(
        request,
        schemas.UserCreate,
        payload,
        forms.redirect_to_new(
            lambda data: service.create_user(session, principal, data), "/org/users/{id}"
        ),
        lambda errors: _rerender(request, session, principal, errors, values, "user"),
    )


def _user_context(session: DbSession, principal: PageUser, user_id: int) -> dict[str, Any]:
    user = require_visible(session, User, user_id, principal, "users.read")
    context = _org_context(session, principal)
    context.update({"user": user})
    return context


def _user_refused(
    request: Request,
    session: DbSession,
    principal: PageUser,
    user_id: int,
    errors: dict[str, str],
    values: dict[str, Any],
) -> Response:
    context = _user_context(session, principal, user_id)
    return forms.form_page(request, "org/user.html", context, errors, values)


@router.get("/org/users/{user_id}")
def org_user(request: Request, session: DbSession, principal: PageUser, user_id: Id) -> Response:
    return render(request, "org/user.html", _user_context(session, principal, user_id))


def _user_fields(form: PostedForm) -> dict[str, Any]:
    return {
        "name": form.get("name") or None,
        "language": form.get("language") or None,
        "timezone": form.get("timezone") or None,
        "is_active": form.get("is_active") == "on",
    }


# The user page's forms: path below the user, endpoint name, schema, the form's fields, service.
FormRoute = tuple[str, str, type[BaseModel], Callable[..., Any], Callable[..., object]]
USER_FORMS: tuple[FormRoute, ...] = (
    ("", "org_update_user", schemas.UserUpdate, _user_fields, service.update_user),
    ("/roles", "org_add_role", schemas.RoleGrantIn, _grant_from, service.add_role),
)


def _add_user_form_route(
    path: str,
    name: str,
    schema: type[SchemaT],
    fields_of: Callable[[PostedForm], dict[str, Any]],
    change: Callable[[Session, Principal, int, SchemaT], object],
) -> None:
    """Register one of the user page's forms: back to the user page, or the page with errors."""

    def endpoint(
        request: Request, session: DbSession, principal: PageUser, user_id: Id, form: Form
    ) -> Response:
        return forms.submit_form(
            request,
            schema,
            fields_of(form),
            forms.redirect_after(
                lambda data: change(session, principal, user_id, data), f"/org/users/{user_id}"
            ),
            lambda errors: _user_refused(
                request, session, principal, user_id, errors, dict(form.values)
            ),
        )

    endpoint.__name__ = endpoint.__qualname__ = name
    router.post(f"/org/users/{{user_id}}{path}")(endpoint)


for _path, _name, _schema, _fields_of, _change in USER_FORMS:
    _add_user_form_route(_path, _name, _schema, _fields_of, _change)


@router.post("/org/users/{user_id}/roles/{assignment_id}/delete")
def org_remove_role(
    request: Request, session: DbSession, principal: PageUser, user_id: Id, assignment_id: Id
) -> Response:
    return forms.act_or_rerender(
        request,
        forms.redirect_after(
            lambda: service.remove_role(session, principal, user_id, assignment_id),
            f"/org/users/{user_id}",
        ),
        lambda errors: _user_refused(request, session, principal, user_id, errors, {}),
    )


@router.get("/audit")
def audit_page(
    request: Request,
    session: DbSession,
    principal: PageUser,
    days: Days,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    page: PageNumber = 1,
) -> Response:
    require(principal, "audit.read")
    filters = queries.AuditFilter(
        actor=actor[:100],
        action=action[:80],
        target_type=target_type[:60],
        target_id=target_id[:64],
        since=days.start,
        until=days.end,
    )
    paging = Paging(page, 50)
    rows, total = queries.audit_entries(
        session, principal, filters, limit=paging.size, offset=paging.offset
    )
    reveal = principal.has("users.manage")
    catalogue = translations(request.state.language)
    _, ngettext = catalogue.gettext, catalogue.ngettext
    entries = []
    for row in rows:
        old = row.old_values if reveal else mask_personal(row.old_values)
        new = row.new_values if reveal else mask_personal(row.new_values)
        entries.append(
            {
                "row": row,
                "actor": row.actor_label if reveal or row.actor_id is None else f"#{row.actor_id}",
                "action": audit_words.action_label(row.action, _),
                "target": audit_words.target_label(row.target_type, _),
                "details": audit_words.summary(old, new, _, ngettext),
            }
        )
    actions = queries.audit_actions(session, principal)
    return render(
        request,
        "org/audit.html",
        {
            "entries": entries,
            **paging.context(total),
            "actions": sorted(
                ((code, audit_words.action_label(code, _)) for code in actions),
                key=lambda pair: pair[1],
            ),
            "filters": {
                "actor": actor,
                "action": action,
                "target_type": target_type,
                "target_id": target_id,
                "since": days.since,
                "until": days.until,
            },
            "bad_dates": days.not_understood,
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
