"""Hiring-request pages: the list, a new request, one request with its history, resubmitting a
returned request, and HR's approval or return."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from hireflow.core.errors import AppError
from hireflow.core.permissions import Principal, require
from hireflow.openings import (
    access,
    hiring_requests,
    queries,
    schemas,
)
from hireflow.openings.models import HiringRequest
from hireflow.openings.routes_context import (
    form_context,
    ids_of,
    new_posting_values,
    posting_payload,
    posting_values,
    unit_names,
    user_names,
)
from hireflow.openings.web_router import router
from hireflow.scoring.models import list_presets
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser
from hireflow.web.forms import Form, PostedForm
from hireflow.web.templating import render


def _request_payload(form: PostedForm) -> dict[str, Any]:
    return {**posting_payload(form), "dimensions": form.getlist("dimensions")}


def _request_form_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    context = form_context(session, principal, "hiring_requests.submit")
    context["presets"] = list_presets()
    return context


def _request_form_page(
    request: Request,
    session: DbSession,
    principal: Principal,
    template: str,
    context: dict[str, Any],
    form: PostedForm,
    errors: dict[str, str],
) -> Response:
    """A page with the request's form again (``context`` is the page's own), with the values
    typed and the dimensions chosen."""
    context.update(_request_form_context(session, principal))
    chosen = form.getlist("dimensions")
    return forms.form_page(request, template, context, errors, form.values, chosen=chosen)


@router.get("/hiring-requests")
def requests_page(
    request: Request, session: DbSession, principal: PageUser, status: str = ""
) -> Response:
    status = status if status in ("submitted", "returned", "approved") else ""
    rows = queries.list_hiring_requests(session, principal, status=status or None)
    return render(
        request,
        "openings/requests.html",
        {
            "requests": rows,
            "status": status,
            "units": unit_names(session, principal.tenant_id),
            "names": user_names(session, {r.submitted_by_id for r in rows}),
        },
    )


@router.get("/hiring-requests/new")
def new_request_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "hiring_requests.submit")
    context = _request_form_context(session, principal)
    context["values"] = new_posting_values(session, principal)
    return render(request, "openings/request_form.html", context)


@router.post("/hiring-requests")
def submit_request(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "hiring_requests.submit")
    save = forms.redirect_to_new(
        lambda data: hiring_requests.submit_request(session, principal, data),
        "/hiring-requests/{id}",
    )

    def page(errors: dict[str, str]) -> Response:
        template = "openings/request_form.html"
        return _request_form_page(request, session, principal, template, {}, form, errors)

    return forms.submit_form(request, schemas.HiringRequestIn, _request_payload(form), save, page)


def _request_context(
    session: DbSession, principal: Principal, row: HiringRequest
) -> dict[str, Any]:
    history = []
    for step in row.history or []:
        try:
            when = datetime.fromisoformat(str(step.get("at")))
        except ValueError:
            when = None
        history.append({**step, "when": when})
    return {
        "req": row,
        "history": history,
        "unit": unit_names(session, principal.tenant_id).get(row.department_id, ""),
        "names": user_names(session, {row.submitted_by_id, row.reviewed_by_id or 0}),
        "preset_names": {p["id"]: p["name"] for p in list_presets()},
        "owners": access.staff_with_roles(session, principal.tenant_id, access.OWNER_ROLES),
        "can_review": principal.has("hiring_requests.review") and row.status == "submitted",
        "can_resubmit": row.status == "returned" and row.submitted_by_id == principal.user_id,
        "errors": {},
        "values": {},
    }


@router.get("/hiring-requests/{hiring_request_id}")
def request_page(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id
) -> Response:
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    context = _request_context(session, principal, row)
    if context["can_resubmit"]:
        context.update(_request_form_context(session, principal))
        context["values"] = posting_values(row)
        context["chosen"] = list(row.dimensions or [])
    return render(request, "openings/request.html", context)


def _request_refused(
    request: Request,
    session: DbSession,
    principal: Principal,
    hiring_request_id: int,
    errors: dict[str, str],
    values: dict[str, str],
) -> Response:
    row = queries.get_hiring_request(session, principal, hiring_request_id)
    context = _request_context(session, principal, row)
    return forms.form_page(request, "openings/request.html", context, errors, values)


@router.post("/hiring-requests/{hiring_request_id}")
def resubmit_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id, form: Form
) -> Response:
    row = queries.get_hiring_request(session, principal, hiring_request_id)

    def page(errors: dict[str, str]) -> Response:
        context = _request_context(session, principal, row)
        template = "openings/request.html"
        return _request_form_page(request, session, principal, template, context, form, errors)

    return forms.submit_form(
        request,
        schemas.HiringRequestIn,
        _request_payload(form),
        forms.redirect_after(
            lambda data: hiring_requests.resubmit_request(
                session, principal, hiring_request_id, data
            ),
            f"/hiring-requests/{hiring_request_id}",
        ),
        page,
    )


@router.post("/hiring-requests/{hiring_request_id}/approve")
def approve_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id, form: Form
) -> Response:
    require(principal, "hiring_requests.review")

    def save(data: schemas.ApproveIn) -> Response:
        row = hiring_requests.approve_request(session, principal, hiring_request_id, data)
        return RedirectResponse(f"/openings/{row.opening_id}", status_code=303)

    fields = {
        "comment": form.get("comment"),
        "owner_ids": ids_of(form.getlist("owner_ids")),
        "open_now": form.get("open_now") == "on",
    }
    return forms.submit_form(
        request,
        schemas.ApproveIn,
        fields,
        save,
        lambda errors: _request_refused(
            request, session, principal, hiring_request_id, errors, dict(form.values)
        ),
    )


@router.post("/hiring-requests/{hiring_request_id}/return")
def return_request(
    request: Request, session: DbSession, principal: PageUser, hiring_request_id: Id, form: Form
) -> Response:
    require(principal, "hiring_requests.review")

    def page(errors: dict[str, str]) -> Response:
        return _request_refused(
            request, session, principal, hiring_request_id, errors, dict(form.values)
        )

    def save(data: schemas.ReviewIn) -> None:
        try:
            hiring_requests.return_request(session, principal, hiring_request_id, data)
        except AppError as exc:
            # The return form shows a refusal next to its own comment box.
            exc.fields = {"return_comment": next(iter(exc.fields.values()), "refused")}
            raise

    return forms.submit_form(
        request,
        schemas.ReviewIn,
        {"comment": form.get("comment")},
        forms.redirect_after(save, f"/hiring-requests/{hiring_request_id}"),
        page,
    )
