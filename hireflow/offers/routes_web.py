"""Offer, approval and onboarding pages, and the candidate's offer page (SPEC H3, H4)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from hireflow.core.audit import request_context
from hireflow.core.errors import N_, AppError
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, can, require
from hireflow.core.settings import get_settings
from hireflow.offers import configuration, hire, outcomes, portal, queries, schemas, service
from hireflow.offers.defaults import (
    APPROVER_LABELS,
    CATEGORY_LABELS,
    DOCUMENT_LABELS,
    OWNER_LABELS,
    PERIOD_LABELS,
    STATUS_LABELS,
)
from hireflow.offers.models import DOCUMENT_KINDS, OFFER_STATUSES
from hireflow.offers.portal import MAX_DOCUMENT_BYTES
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, PostedForm
from hireflow.web.streaming import pdf_inline
from hireflow.web.templating import NavItem

router = APIRouter(include_in_schema=False)
NAV = (
    NavItem("/offers", N_("Offers"), "offers.read", order=16, group="recruiting"),
    NavItem("/onboarding", N_("Onboarding"), "onboarding.read", order=40, group="people"),
    NavItem(
        "/offers/settings", N_("Offer settings"), "offers.configure", order=97, group="settings"
    ),
)
WORDS = {
    "statuses": STATUS_LABELS,
    "documents": DOCUMENT_LABELS,
    "categories": CATEGORY_LABELS,
    "owners": OWNER_LABELS,
    "approvers": APPROVER_LABELS,
    "periods": PERIOD_LABELS,
    "document_kinds": DOCUMENT_KINDS,
}


PAGES = forms.WordedPages(WORDS)


def _blank(value: str) -> str | None:
    return value.strip() or None


# --------------------------------------------------------------------------- the offers list


@router.get("/offers")
def offers_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    status = request.query_params.get("status", "")
    status = status if status in OFFER_STATUSES else ""
    rows = queries.offer_list(session, principal, status or None)
    audit_read(
        session, principal, "offers.listed", "candidate", [r.offer.candidate_id for r in rows]
    )
    return PAGES.render(
        request,
        "offers/list.html",
        {
            "rows": rows,
            "status": status,
            "all_statuses": OFFER_STATUSES,
            "awaiting": queries.awaiting_offer(session, principal),
        },
    )


# --------------------------------------------------------------------------- an application's offer


def _offer_context(session: DbSession, principal: Principal, application_id: int) -> dict[str, Any]:
    page = queries.offer_page(session, principal, application_id)
    audit_read(session, principal, "offers.viewed", "candidate", [page.application.candidate_id])
    return {
        "page": page,
        "offer": page.current,
        "candidate": page.application.candidate,
        "opening": page.application.opening,
        "can_manage": can(principal, "offers.manage"),
        "can_approve": can(principal, "offers.approve"),
        "errors": {},
        "form": None,
    }


@router.get("/applications/{application_id}/offer")
def offer_page(
    request: Request, session: DbSession, principal: PageUser, application_id: Id
) -> Response:
    context = _offer_context(session, principal, application_id)
    context["done"] = request.query_params.get("done", "")
    return PAGES.render(request, "offers/offer.html", context)


@router.get("/applications/{application_id}/offer/letter.pdf")
def offer_letter(
    request: Request, session: DbSession, principal: PageUser, application_id: Id
) -> Response:
    lang = request.query_params.get("lang", "zh")
    page = queries.offer_page(session, principal, application_id)
    if page.current is None:
        raise AppError(N_("This application has no offer yet."), code="no_offer")
    document = service.letter_pdf(session, principal, page.current.id, lang)
    return pdf_inline(document, f"offer-{page.current.id}-{lang}.pdf")


def _back(application_id: int, done: str) -> RedirectResponse:
    return RedirectResponse(f"/applications/{application_id}/offer?done={done}", status_code=303)


def _rerender(
    request: Request,
    session: DbSession,
    principal: Principal,
    application_id: int,
    form: PostedForm,
) -> Any:
    return PAGES.rerender(
        request,
        "offers/offer.html",
        lambda: _offer_context(session, principal, application_id),
        rollback=session,
        form=form,
        done="",
    )


@router.post("/applications/{application_id}/offer")
def offer_create(
    request: Request, session: DbSession, principal: PageUser, application_id: Id, form: Form
) -> Response:
    data = {
        "template_id": form.get("template_id"),
        "salary": _blank(form.get("salary")),
        "start_date": _blank(form.get("start_date")),
        "probation_months": _blank(form.get("probation_months")),
        "location": _blank(form.get("location")),
    }

    def act(parsed: schemas.OfferIn) -> Response:
        service.create_offer(session, principal, application_id, parsed)
        return _back(application_id, "created")

    page = _rerender(request, session, principal, application_id, form)
    return forms.submit_form(request, schemas.OfferIn, data, act, page)


# name -> (done notice, form schema, the form's fields, the service call)
OfferRun = Callable[[Session, Principal, int, Any], object]


def _with_settings(action: Callable[..., object], with_data: bool = False) -> OfferRun:
    """``action`` given the settings last (and the form's data before them if it takes any)."""

    def run(session: Session, principal: Principal, offer_id: int, data: Any) -> object:
        given = (data,) if with_data else ()
        return action(session, principal, offer_id, *given, get_settings())

    return run


OFFER_ACTIONS: dict[
    str, tuple[str, type[BaseModel], Callable[[PostedForm], dict[str, Any]], OfferRun]
] = {
    "submit": ("submitted", schemas.NoFields, lambda form: {}, _with_settings(service.submit)),
    "decision": (
        "decided",
        schemas.DecisionIn,
        lambda form: {"approve": form.get("approve") == "yes", "comment": form.get("comment")},
        _with_settings(service.decide, with_data=True),
    ),
    "send": ("sent", schemas.NoFields, lambda form: {}, _with_settings(service.send)),
    "withdraw": (
        "withdrawn",
        schemas.WithdrawIn,
        lambda form: {"reason": form.get("reason")},
        service.withdraw,
    ),
}


def _add_offer_action(name: str) -> None:
    done, schema, fields, run = OFFER_ACTIONS[name]

    def endpoint(
        request: Request, session: DbSession, principal: PageUser, offer_id: Id, form: Form
    ) -> Response:
        offer = service.visible_offer(session, principal, offer_id)
        application_id = offer.application_id

        def act(parsed: Any) -> Response:
            run(session, principal, offer_id, parsed)
            return _back(application_id, done)

        page = _rerender(request, session, principal, application_id, form)
        return forms.submit_form(request, schema, fields(form), act, page)

    endpoint.__name__ = f"offer_{name}"
    router.add_api_route(f"/offers/{{offer_id}}/{name}", endpoint, methods=["POST"])


for _name in OFFER_ACTIONS:
    _add_offer_action(_name)


# --------------------------------------------------------------------------- settings


def _settings_context(session: DbSession, principal: Principal) -> dict[str, Any]:
    return {
        "templates": configuration.templates(session, principal),
        "chain": configuration.approval_settings(session, principal.tenant_id),
        "checklist": configuration.checklist(session, principal.tenant_id),
        "errors": {},
        "form": None,
        "editing": None,
    }


@router.get("/offers/settings")
def settings_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "offers.configure")
    context = _settings_context(session, principal)
    context["done"] = request.query_params.get("done", "")
    return PAGES.render(request, "offers/settings.html", context)


def _template_data(form: PostedForm) -> dict[str, Any]:
    return {
        "name": form.get("name"),
        "salary": form.get("salary") or "0",
        "currency": form.get("currency") or "CNY",
        "salary_period": form.get("salary_period") or "month",
        "start_date": _blank(form.get("start_date")),
        "probation_months": form.get("probation_months") or "3",
        "required_documents": form.getlist("required_documents"),
        "location": form.get("location"),
        "body": {
            "zh": form.get("body_zh"),
            "en": form.get("body_en"),
            **({"ja": form.get("body_ja")} if (form.get("body_ja") or "").strip() else {}),
        },
        "valid_days": form.get("valid_days") or "7",
        "active": form.get("active", "") == "yes",
    }


def _settings_rerender(
    request: Request,
    session: DbSession,
    principal: Principal,
    form: PostedForm,
    editing: int | None,
) -> Any:
    return PAGES.rerender(
        request,
        "offers/settings.html",
        lambda: _settings_context(session, principal),
        rollback=session,
        form=form,
        editing=editing,
        done="",
    )


def _save_template(
    request: Request, session: DbSession, principal: Principal, form: PostedForm, row: int | None
) -> Response:
    return forms.submit_form(
        request,
        schemas.TemplateIn,
        _template_data(form),
        forms.redirect_after(
            lambda parsed: configuration.save_template(session, principal, parsed, row),
            "/offers/settings?done=template",
        ),
        _settings_rerender(request, session, principal, form, row),
    )


forms.add_and_edit_routes(
    router,
    "/offers/templates",
    "offer_template_id",
    _save_template,
    add_name="template_create",
    edit_name="template_update",
)


@router.post("/offers/settings")
def settings_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    data = {
        "manager_approval": form.get("manager_approval") == "yes",
        "salary_band": form.get("salary_band") or "0",
        "band_currency": form.get("band_currency") or "CNY",
        "band_period": form.get("band_period") or "month",
        "hr_head_id": _blank(form.get("hr_head_id")),
        "reminder_days": form.get("reminder_days") or "0",
    }

    return forms.submit_form(
        request,
        schemas.SettingsIn,
        data,
        forms.redirect_after(
            lambda parsed: configuration.save_settings(session, principal, parsed),
            "/offers/settings?done=chain",
        ),
        _settings_rerender(request, session, principal, form, None),
    )


# --------------------------------------------------------------------------- checklist editor

CHECKLIST_PAGE = "/offers/settings/checklist"


def _checklist_rows(form: PostedForm) -> list[dict[str, Any]]:
    """The editor's filled rows, in order (a row without a key is left out)."""
    columns = ("key", "category", "owner", "due_days", "title_zh", "title_en")
    values = {c: form.getlist(f"item_{c}") for c in columns}

    def cell(column: str, i: int) -> str:
        found = values[column]
        return found[i].strip() if i < len(found) else ""

    return [
        {
            "key": cell("key", i),
            "category": cell("category", i),
            "owner": cell("owner", i),
            "due_days": cell("due_days", i) or "0",
            "title": {"zh": cell("title_zh", i), "en": cell("title_en", i)},
        }
        for i in range(len(values["key"]))
        if cell("key", i)
    ]


def _checklist_page(
    request: Request, session: DbSession, principal: Principal, rows: Any = None
) -> Callable[[dict[str, str]], Response]:
    return PAGES.rerender(
        request,
        "offers/checklist_editor.html",
        lambda: {
            "items": rows
            if rows is not None
            else configuration.checklist(session, principal.tenant_id)
        },
        rollback=session,
        done="",
    )


@router.get(CHECKLIST_PAGE)
def checklist_editor(request: Request, session: DbSession, principal: PageUser) -> Response:
    """The company's onboarding checklist as an editable table (both languages)."""
    require(principal, "offers.configure")
    items = configuration.checklist(session, principal.tenant_id)
    context = {"items": items, "errors": {}, "done": request.query_params.get("done", "")}
    return PAGES.render(request, "offers/checklist_editor.html", context)


@router.post(CHECKLIST_PAGE)
def checklist_save(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    require(principal, "offers.configure")
    rows = _checklist_rows(form)

    def act(parsed: schemas.ChecklistIn) -> Response:
        configuration.save_checklist(session, principal, parsed)
        return RedirectResponse(f"{CHECKLIST_PAGE}?done=saved", status_code=303)

    page = _checklist_page(request, session, principal, rows)
    return forms.submit_form(request, schemas.ChecklistIn, {"items": rows}, act, page)


# --------------------------------------------------------------------------- onboarding


@router.get("/onboarding")
def onboarding_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    rows = queries.my_tasks(session, principal)
    audit_read(
        session, principal, "onboarding.listed", "candidate", [r.task.person_id for r in rows]
    )
    return PAGES.render(request, "offers/onboarding.html", {"rows": rows})


@router.get("/people/{person_id}/onboarding")
def checklist_page(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    found = queries.checklist(session, principal, person_id)
    audit_read(session, principal, "onboarding.viewed", "candidate", [person_id])
    return PAGES.render(request, "offers/checklist.html", {"checklist": found})


@router.post("/onboarding/tasks/{onboarding_task_id}/done")
def task_done(
    request: Request, session: DbSession, principal: PageUser, onboarding_task_id: Id
) -> Response:
    try:
        task = hire.complete_task(session, principal, onboarding_task_id)
    except AppError as exc:
        if exc.status in (401, 403, 404):
            raise
        session.rollback()
        rows = queries.my_tasks(session, principal)
        message = exc.translated(gettext_for(request.state.language))
        return PAGES.render(
            request, "offers/onboarding.html", {"rows": rows, "error": message}, exc.status
        )
    target = request.headers.get("referer", "")
    back = f"/people/{task.person_id}/onboarding" if "/people/" in target else "/onboarding"
    return RedirectResponse(back + "?done=task", status_code=303)


# --------------------------------------------------------------------------- outcomes (SPEC I2)

OUTCOME_FORMS: dict[str, tuple[type[BaseModel], tuple[str, ...], Callable[..., object]]] = {
    "ratings": (schemas.EmployeeRatingIn, ("period", "rating", "comment"), outcomes.record_rating),
    "probation": (schemas.ProbationIn, ("result",), outcomes.set_probation),
    "leaving": (schemas.LeavingIn, ("left_on", "reason"), outcomes.set_leaving),
}


def _outcomes_page(
    request: Request,
    session: Session,
    principal: Principal,
    person_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> Response:
    found = outcomes.outcomes(session, principal, person_id)
    context = {
        "found": found,
        "probation_labels": outcomes.PROBATION_LABELS,
        "leaving_labels": outcomes.LEAVING_LABELS,
        "values": values or {},
    }
    return PAGES.form(request, "offers/outcomes.html", context, errors)


@router.get("/people/{person_id}/outcomes")
def outcomes_page(
    request: Request, session: DbSession, principal: PageUser, person_id: Id
) -> Response:
    """An employee's ratings, probation result and leaving (HR, their department's managers)."""
    response = _outcomes_page(request, session, principal, person_id)
    audit_read(session, principal, "employee.outcomes_viewed", "candidate", [person_id])
    return response


def _save_outcome(
    request: Request,
    session: Session,
    principal: Principal,
    person_id: int,
    kind: str,
    form: PostedForm,
) -> Response:
    schema, names, act = OUTCOME_FORMS[kind]
    outcomes.employee_of(session, principal, person_id)
    values = form.pick(*names)
    fields = {name: value.strip() for name, value in values.items() if value.strip()}

    def page(errors: dict[str, str]) -> Response:
        session.rollback()
        return _outcomes_page(request, session, principal, person_id, errors, values)

    return forms.submit_form(
        request,
        schema,
        fields,
        forms.redirect_after(
            lambda data: act(session, principal, person_id, data),
            f"/people/{person_id}/outcomes?done={kind}",
        ),
        page,
    )


@router.post("/people/{person_id}/outcomes/ratings")
def outcome_rating(
    request: Request, session: DbSession, principal: PageUser, person_id: Id, form: Form
) -> Response:
    """Record (or replace) a performance rating of a period."""
    return _save_outcome(request, session, principal, person_id, "ratings", form)


@router.post("/people/{person_id}/outcomes/probation")
def outcome_probation(
    request: Request, session: DbSession, principal: PageUser, person_id: Id, form: Form
) -> Response:
    return _save_outcome(request, session, principal, person_id, "probation", form)


@router.post("/people/{person_id}/outcomes/leaving")
def outcome_leaving(
    request: Request, session: DbSession, principal: PageUser, person_id: Id, form: Form
) -> Response:
    return _save_outcome(request, session, principal, person_id, "leaving", form)


# --------------------------------------------------------------------------- the candidate's page


def _portal_context(session: DbSession, link_token: str, offer: Any) -> dict[str, Any]:
    view = portal.view(session, offer)
    return {
        "view": view,
        "offer": offer,
        "token": link_token,
        "errors": {},
        "max_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
    }


@router.get("/offer/{link_token}")
def portal_page(request: Request, session: DbSession, link_token: str) -> Response:
    offer = portal.open_offer(session, get_settings(), link_token)
    context = _portal_context(session, link_token, offer)
    context["done"] = request.query_params.get("done", "")
    return PAGES.render(request, "offers/portal.html", context)


@router.get("/offer/{link_token}/letter.pdf")
def portal_letter(session: DbSession, link_token: str) -> Response:
    offer = portal.open_offer(session, get_settings(), link_token)
    return pdf_inline(*portal.letter_pdf(session, offer))


def _portal_page(request: Request, session: DbSession, link_token: str) -> forms.Page:
    """The offer's page again with a refusal on it (401/403/404 are raised, not shown)."""
    return PAGES.rerender(
        request,
        "offers/portal.html",
        lambda: _portal_context(
            session, link_token, portal.open_offer(session, get_settings(), link_token)
        ),
        rollback=session,
        done="",
    )


@router.post("/offer/{link_token}/answer")
def portal_answer(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    settings = get_settings()
    offer = portal.open_offer(session, settings, link_token)

    def act() -> Response:
        data = schemas.AnswerIn(
            accept=form.get("answer") == "accept",
            typed_name=form.get("typed_name")[:200] or " ",
            reason=form.get("reason")[:2000],
        )
        portal.answer(session, settings, offer, data, request_context.get().ip)
        return RedirectResponse(f"/offer/{link_token}?done={offer.status}", status_code=303)

    return forms.act_or_rerender(request, act, _portal_page(request, session, link_token))


@router.post("/offer/{link_token}/documents")
def portal_document(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    offer = portal.open_offer(session, get_settings(), link_token)

    def upload() -> None:
        file = form.file("file")
        data = form.read_file("file", MAX_DOCUMENT_BYTES + 1) or b""
        name = file.filename if file is not None and file.filename else ""
        portal.upload_document(session, offer, form.get("kind")[:30], name, data)

    return forms.act_or_rerender(
        request,
        forms.redirect_after(upload, f"/offer/{link_token}?done=document"),
        _portal_page(request, session, link_token),
    )


@router.post("/offer/{link_token}/password")
def portal_password(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    offer = portal.open_offer(session, get_settings(), link_token)
    return forms.act_or_rerender(
        request,
        forms.redirect_after(
            lambda: portal.choose_password(session, offer, form.get("password")[:200]),
            f"/offer/{link_token}?done=password",
        ),
        _portal_page(request, session, link_token),
    )
