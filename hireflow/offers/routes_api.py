"""Offers, approvals, the candidate's offer link, employees and onboarding under ``/api/v1``
(SPEC H3, H4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response
from sqlalchemy.orm import Session

from hireflow.core.audit import request_context
from hireflow.core.permissions import Principal, require
from hireflow.core.settings import get_settings
from hireflow.offers import configuration, hire, outcomes, portal, queries, schemas, service
from hireflow.offers.models import Employee, Offer
from hireflow.offers.portal import MAX_DOCUMENT_BYTES
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, DbSession, Id
from hireflow.web.streaming import pdf_inline

router = APIRouter(tags=["offers"])


def offer_out(offer: Offer, session: DbSession, *_principal: Principal) -> schemas.OfferOut:
    out = schemas.OfferOut.model_validate(offer)
    out.approvals = [
        schemas.ApprovalOut.model_validate(a) for a in service.approvals(session, offer)
    ]
    return out


# --------------------------------------------------------------------------- configuration


templates = ServiceRoutes(router, __name__, schemas.TemplateOut)
templates.get(
    "/offers/templates",
    configuration.templates,
    name="list_templates",
    model=list[schemas.TemplateOut],
)
templates.create(
    "/offers/templates", configuration.save_template, schemas.TemplateIn, name="create_template"
)
templates.get("/offers/templates/{offer_template_id}", configuration.template, name="get_template")


@router.put("/offers/templates/{offer_template_id}", response_model=schemas.TemplateOut)
def update_template(
    offer_template_id: Id, data: schemas.TemplateIn, session: DbSession, principal: ApiUser
) -> Any:
    return configuration.save_template(session, principal, data, offer_template_id)


@router.get("/offers/settings", response_model=schemas.SettingsOut)
def get_settings_(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "offers.configure")
    return configuration.approval_settings(session, principal.tenant_id)


templates.put(
    "/offers/settings",
    configuration.save_settings,
    schemas.SettingsIn,
    name="put_settings",
    model=schemas.SettingsOut,
)


@router.get("/onboarding/checklist", response_model=schemas.ChecklistIn)
def get_checklist(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "offers.configure")
    return {"items": configuration.checklist(session, principal.tenant_id)}


@router.put("/onboarding/checklist", response_model=schemas.ChecklistIn)
def put_checklist(data: schemas.ChecklistIn, session: DbSession, principal: ApiUser) -> Any:
    return {"items": configuration.save_checklist(session, principal, data)}


# --------------------------------------------------------------------------- offers


@router.get("/offers", response_model=list[schemas.OfferOut])
def list_offers(
    session: DbSession,
    principal: ApiUser,
    status: str | None = Query(None, max_length=20),
) -> Any:
    rows = queries.offer_list(session, principal, status)
    return [offer_out(r.offer, session) for r in rows]


OFFER = "/offers/{offer_id}"
offers = ServiceRoutes(router, __name__, schemas.OfferOut, out=offer_out)
offers.create("/applications/{application_id}/offers", service.create_offer, schemas.OfferIn)
offers.get(OFFER, service.visible_offer, name="get_offer")
offers.patch(OFFER, service.update_offer, schemas.OfferUpdate, name="patch_offer")
offers.post(f"{OFFER}/submit", service.submit, name="submit_offer", settings=True)
offers.post(
    f"{OFFER}/decision", service.decide, schemas.DecisionIn, name="decide_offer", settings=True
)
offers.post(f"{OFFER}/send", service.send, name="send_offer", settings=True)
offers.post(f"{OFFER}/withdraw", service.withdraw, schemas.WithdrawIn, name="withdraw_offer")


PDF: dict[int | str, dict[str, Any]] = {
    200: {"description": "The offer letter (PDF).", "content": {"application/pdf": {}}}
}


@router.get("/offers/{offer_id}/letter.pdf", response_class=Response, responses=PDF)
def offer_letter(
    offer_id: Id,
    session: DbSession,
    principal: ApiUser,
    lang: str = Query("zh", max_length=5),
) -> Response:
    document = service.letter_pdf(session, principal, offer_id, lang)
    return pdf_inline(document, f"offer-{offer_id}-{lang}.pdf")


# --------------------------------------------------------------------------- the candidate's link


@router.get("/offer-links/{link_token}", response_model=schemas.PortalOfferOut)
def link_offer(link_token: str, session: DbSession) -> Any:
    offer = portal.open_offer(session, get_settings(), link_token)
    return portal.portal_out(portal.view(session, offer))


@router.post("/offer-links/{link_token}/answer", response_model=schemas.PortalOfferOut)
def link_answer(link_token: str, data: schemas.AnswerIn, session: DbSession) -> Any:
    settings = get_settings()
    offer = portal.open_offer(session, settings, link_token)
    portal.answer(session, settings, offer, data, request_context.get().ip)
    return portal.portal_out(portal.view(session, offer))


@router.post("/offer-links/{link_token}/documents", status_code=201)
def link_document(
    link_token: str,
    session: DbSession,
    kind: str = Query("", max_length=30),
    file: UploadFile | None = None,
) -> dict[str, Any]:
    """Upload one required document (multipart ``file``; ``kind`` one of the offer's)."""
    offer = portal.open_offer(session, get_settings(), link_token)
    data = file.file.read(MAX_DOCUMENT_BYTES + 1) if file is not None else b""
    name = file.filename or "" if file is not None else ""
    row = portal.upload_document(session, offer, kind, name, data)
    return {"kind": row.kind, "size": row.size, "content_type": row.content_type}


@router.get("/offer-links/{link_token}/letter.pdf", response_class=Response, responses=PDF)
def link_letter(link_token: str, session: DbSession) -> Response:
    offer = portal.open_offer(session, get_settings(), link_token)
    return pdf_inline(*portal.letter_pdf(session, offer))


# --------------------------------------------------------------------------- employees


@router.get("/people/{person_id}/employee", response_model=schemas.EmployeeOut)
def employee(person_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return queries.checklist(session, principal, person_id).employee


@router.get("/people/{person_id}/onboarding", response_model=list[schemas.TaskOut])
def person_onboarding(person_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return queries.checklist(session, principal, person_id).tasks


@router.get("/onboarding/tasks", response_model=list[schemas.TaskOut])
def onboarding_tasks(session: DbSession, principal: ApiUser) -> Any:
    return [row.task for row in queries.my_tasks(session, principal)]


people = ServiceRoutes(router, __name__, schemas.OutcomesOut)
people.post(
    "/onboarding/tasks/{onboarding_task_id}/done",
    hire.complete_task,
    name="task_done",
    model=schemas.TaskOut,
)


# --------------------------------------------------------------------------- outcomes (SPEC I2)


people.get(
    "/people/{person_id}/outcomes",
    outcomes.outcomes,
    name="employee_outcomes",
    out=lambda found, *_context: outcomes.outcomes_out(found),
    doc="Ratings per period, probation result and leaving of an employee (HR, their managers).",
)
people.create(
    "/people/{person_id}/ratings",
    outcomes.record_rating,
    schemas.EmployeeRatingIn,
    name="employee_rating",
    model=schemas.RatingOut,
    doc="Record (or replace) the employee's performance rating of a period (1-5).",
)


def _outcomes_now(employee: Employee, session: Session, principal: Principal) -> Any:
    """The employee's outcomes as they stand after a change."""
    return outcomes.outcomes_out(outcomes.outcomes(session, principal, employee.person_id))


people.put(
    "/people/{person_id}/probation",
    outcomes.set_probation,
    schemas.ProbationIn,
    name="employee_probation",
    out=_outcomes_now,
)
people.put(
    "/people/{person_id}/leaving",
    outcomes.set_leaving,
    schemas.LeavingIn,
    name="employee_leaving",
    out=_outcomes_now,
    doc="The last day and the reason for leaving (both, or neither to clear them).",
)
