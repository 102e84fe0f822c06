"""Offers, approvals, the candidate's offer link, employees and onboarding under ``/api/v1``
(SPEC H3, H4)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, UploadFile
from fastapi.responses import Response

from hireflow.core.audit import request_context
from hireflow.core.permissions import require
from hireflow.core.settings import get_settings
from hireflow.offers import configuration, hire, outcomes, portal, queries, schemas, service
from hireflow.offers.models import Offer
from hireflow.offers.portal import MAX_DOCUMENT_BYTES
from hireflow.web.deps import ApiUser, DbSession, Id

router = APIRouter(tags=["offers"])


def offer_out(offer: Offer, session: DbSession) -> schemas.OfferOut:
    out = schemas.OfferOut.model_validate(offer)
    out.approvals = [
        schemas.ApprovalOut.model_validate(a) for a in service.approvals(session, offer)
    ]
    return out


def pdf_response(document: bytes, filename: str) -> Response:
    return Response(
        document,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


# --------------------------------------------------------------------------- configuration


@router.get("/offers/templates", response_model=list[schemas.TemplateOut])
def list_templates(session: DbSession, principal: ApiUser) -> Any:
    return configuration.templates(session, principal)


@router.post("/offers/templates", response_model=schemas.TemplateOut, status_code=201)
def create_template(data: schemas.TemplateIn, session: DbSession, principal: ApiUser) -> Any:
    return configuration.save_template(session, principal, data)


@router.get("/offers/templates/{offer_template_id}", response_model=schemas.TemplateOut)
def get_template(offer_template_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return configuration.template(session, principal, offer_template_id)


@router.put("/offers/templates/{offer_template_id}", response_model=schemas.TemplateOut)
def update_template(
    offer_template_id: Id, data: schemas.TemplateIn, session: DbSession, principal: ApiUser
) -> Any:
    return configuration.save_template(session, principal, data, offer_template_id)


@router.get("/offers/settings", response_model=schemas.SettingsOut)
def get_settings_(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "offers.configure")
    return configuration.approval_settings(session, principal.tenant_id)


@router.put("/offers/settings", response_model=schemas.SettingsOut)
def put_settings(data: schemas.SettingsIn, session: DbSession, principal: ApiUser) -> Any:
    return configuration.save_settings(session, principal, data)


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


@router.post(
    "/applications/{application_id}/offers", response_model=schemas.OfferOut, status_code=201
)
def create_offer(
    application_id: Id, data: schemas.OfferIn, session: DbSession, principal: ApiUser
) -> Any:
    return offer_out(service.create_offer(session, principal, application_id, data), session)


@router.get("/offers/{offer_id}", response_model=schemas.OfferOut)
def get_offer(offer_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return offer_out(service.visible_offer(session, principal, offer_id), session)


@router.patch("/offers/{offer_id}", response_model=schemas.OfferOut)
def patch_offer(
    offer_id: Id, data: schemas.OfferUpdate, session: DbSession, principal: ApiUser
) -> Any:
    return offer_out(service.update_offer(session, principal, offer_id, data), session)


@router.post("/offers/{offer_id}/submit", response_model=schemas.OfferOut)
def submit_offer(offer_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return offer_out(service.submit(session, principal, offer_id, get_settings()), session)


@router.post("/offers/{offer_id}/decision", response_model=schemas.OfferOut)
def decide_offer(
    offer_id: Id, data: schemas.DecisionIn, session: DbSession, principal: ApiUser
) -> Any:
    offer = service.decide(session, principal, offer_id, data, get_settings())
    return offer_out(offer, session)


@router.post("/offers/{offer_id}/send", response_model=schemas.OfferOut)
def send_offer(offer_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return offer_out(service.send(session, principal, offer_id, get_settings()), session)


@router.post("/offers/{offer_id}/withdraw", response_model=schemas.OfferOut)
def withdraw_offer(
    offer_id: Id, data: schemas.WithdrawIn, session: DbSession, principal: ApiUser
) -> Any:
    return offer_out(service.withdraw(session, principal, offer_id, data), session)


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
    return pdf_response(document, f"offer-{offer_id}-{lang}.pdf")


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
    return pdf_response(*portal.letter_pdf(session, offer))


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


@router.post("/onboarding/tasks/{onboarding_task_id}/done", response_model=schemas.TaskOut)
def task_done(onboarding_task_id: Id, session: DbSession, principal: ApiUser) -> Any:
    return hire.complete_task(session, principal, onboarding_task_id)


# --------------------------------------------------------------------------- outcomes (SPEC I2)


@router.get("/people/{person_id}/outcomes", response_model=schemas.OutcomesOut)
def employee_outcomes(person_id: Id, session: DbSession, principal: ApiUser) -> Any:
    """Ratings per period, probation result and leaving of an employee (HR, their managers)."""
    return outcomes.outcomes_out(outcomes.outcomes(session, principal, person_id))


@router.post("/people/{person_id}/ratings", response_model=schemas.RatingOut, status_code=201)
def employee_rating(
    person_id: Id, data: schemas.EmployeeRatingIn, session: DbSession, principal: ApiUser
) -> Any:
    """Record (or replace) the employee's performance rating of a period (1-5)."""
    return outcomes.record_rating(session, principal, person_id, data)


@router.put("/people/{person_id}/probation", response_model=schemas.OutcomesOut)
def employee_probation(
    person_id: Id, data: schemas.ProbationIn, session: DbSession, principal: ApiUser
) -> Any:
    outcomes.set_probation(session, principal, person_id, data)
    return outcomes.outcomes_out(outcomes.outcomes(session, principal, person_id))


@router.put("/people/{person_id}/leaving", response_model=schemas.OutcomesOut)
def employee_leaving(
    person_id: Id, data: schemas.LeavingIn, session: DbSession, principal: ApiUser
) -> Any:
    """The last day and the reason for leaving (both, or neither to clear them)."""
    outcomes.set_leaving(session, principal, person_id, data)
    return outcomes.outcomes_out(outcomes.outcomes(session, principal, person_id))
