"""Scheduling under ``/api/v1``: policy, availability, invitations, bookings, progress, and the
candidate's personal link (public: the signed token is the credential, plus the identity
check's access value in ``X-Link-Access``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import select

from hireflow.core.i18n import format_datetime, gettext_for
from hireflow.core.permissions import require
from hireflow.core.rows import shaped
from hireflow.notifications.models import OutboxMessage
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant
from hireflow.scheduling import (
    auto_assignment,
    availability,
    bookings,
    calendar_sync,
    candidate_link,
    invitation_actions,
    invitations,
    policies,
    queries,
    schemas,
    sending,
    slot_search,
)
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.meetings import settings as meeting_settings
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.routes_link import PersonalLink as Link
from hireflow.scheduling.slots import Slot
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, AppSettings, DbSession, Id, audit_read
from hireflow.web.telemetry import parse_user_agent

router = APIRouter(tags=["scheduling"])


def _slot_out(slot: Slot, zone: str, language: str) -> schemas.SlotOut:
    return schemas.SlotOut(
        start=slot.start,
        end=slot.end,
        local_start=format_datetime(slot.start, zone, language, "long"),
        local_end=format_datetime(slot.end, zone, language, "long"),
        interviewer_ids=[int(i) for i in slot.interviewer_ids],
        score=slot.score,
    )


def _unavailable(request: Request, exc: SlotUnavailable, zone: str) -> JSONResponse:
    language = getattr(request.state, "language", "zh-CN")
    _ = gettext_for(language)
    return JSONResponse(
        {
            "error": {
                "code": exc.code,
                "message": exc.translated(_),
                "reasons": exc.reasons,
                "alternatives": [
                    _slot_out(s, zone, language).model_dump(mode="json") for s in exc.alternatives
                ],
                "request_id": getattr(request.state, "request_id", ""),
            }
        },
        status_code=409,
    )


def invitation_out(inv: Invitation, delivery: str = "") -> schemas.InvitationOut:
    out = schemas.InvitationOut.model_validate(inv)
    booking = inv.booking
    out.booking = (
        schemas.BookingOut.model_validate(booking)
        if booking is not None and booking.status == "active"
        else None
    )
    out.delivery = delivery
    return out


def _invitation(inv: Invitation, *_context: Any) -> schemas.InvitationOut:
    return invitation_out(inv)


# --------------------------------------------------------------------------- policy


@router.get("/scheduling/policy", response_model=schemas.PolicyOut)
def get_policy(session: DbSession, principal: ApiUser) -> Any:
    require(principal, "scheduling.configure")
    return schemas.PolicyOut.model_validate(policies.policy_for(session, principal.tenant_id))


api = ServiceRoutes(router, __name__)
api.put(
    "/scheduling/policy",
    policies.save_policy,
    schemas.PolicyIn,
    name="put_policy",
    model=schemas.PolicyOut,
    out=lambda policy, *_context: schemas.PolicyOut.model_validate(policy),
)


api.get(
    "/scheduling/meetings",
    meeting_settings.meeting_settings,
    name="get_meeting_settings",
    model=schemas.MeetingSettingsOut,
)
api.put(
    "/scheduling/meetings",
    meeting_settings.save_meeting_settings,
    schemas.MeetingSettingsIn,
    name="put_meeting_settings",
    model=schemas.MeetingSettingsOut,
)


# --------------------------------------------------------------------------- availability


AVAILABILITY = "/availability/{availability_user_id}"
api.get(
    AVAILABILITY,
    availability.availability_view,
    name="get_availability",
    model=schemas.AvailabilityOut,
)


@router.put("/availability/{availability_user_id}", response_model=schemas.AvailabilityOut)
def put_availability(
    availability_user_id: Id,
    data: schemas.AvailabilityIn,
    session: DbSession,
    principal: ApiUser,
) -> Any:
    availability.save_availability(session, principal, availability_user_id, data)
    return availability.availability_view(session, principal, availability_user_id)


api.create(f"{AVAILABILITY}/busy", availability.add_busy, schemas.BusyIn, model=schemas.BusyOut)
api.delete("/availability/busy/{busy_block_id}", availability.delete_busy)


@router.post("/availability/{availability_user_id}/calendar", response_model=schemas.ImportResult)
def import_calendar(
    availability_user_id: Id,
    data: schemas.CalendarImportIn,
    session: DbSession,
    principal: ApiUser,
    settings: AppSettings,
) -> Any:
    count = calendar_sync.import_calendar(session, principal, availability_user_id, data, settings)
    return schemas.ImportResult(blocks=count)


# --------------------------------------------------------------------------- invitations


api.post(
    "/invitations/preview",
    invitations.preview_invitations,
    schemas.InvitationCreate,
    name="preview",
    model=schemas.PreviewOut,
    settings=True,
)


@router.post("/invitations", response_model=schemas.BatchOut, status_code=202)
def create(
    data: schemas.InvitationCreate, session: DbSession, principal: ApiUser, settings: AppSettings
) -> Any:
    """Invite candidates: rows are created and one background task renders and sends them."""
    batch, skipped, _created = invitations.create_invitations(session, principal, data, settings)
    out = invitations.batch_view(session, principal, batch.id)
    out.skipped = skipped
    return out


api.get(
    "/invitation-batches/{invitation_batch_id}",
    invitations.batch_view,
    name="get_batch",
    model=schemas.BatchOut,
)


@router.get("/invitations", response_model=list[schemas.InvitationOut])
def list_invitations(
    session: DbSession,
    principal: ApiUser,
    opening_id: Id | None = None,
    status: str = Query("", max_length=20),
) -> Any:
    if opening_id is None:
        rows = queries.my_invitations(session, principal)
        shown = [invitation_out(inv) for inv in rows if not status or inv.status == status]
    else:
        view = queries.progress(session, principal, opening_id, status)
        shown = [invitation_out(row.invitation, row.delivery) for row in view.rows]
    audit_read(session, principal, "invitations.listed", "invitation", [i.id for i in shown])
    return shown


@router.get("/invitations/{invitation_id}", response_model=schemas.InvitationOut)
def get_invitation(invitation_id: Id, session: DbSession, principal: ApiUser) -> Any:
    inv = queries.invitation(session, principal, invitation_id)
    delivery = queries.delivery_status(session, [inv.id]).get(inv.id, ("", ""))[0]
    audit_read(session, principal, "invitation.viewed", "invitation", target_id=inv.id)
    return invitation_out(inv, delivery)


INVITATION = "/invitations/{invitation_id}"
actions = ServiceRoutes(router, __name__, schemas.InvitationOut, out=_invitation)
actions.post(f"{INVITATION}/resend", sending.resend_invitation, name="resend", settings=True)
actions.post(
    f"{INVITATION}/cancel", invitation_actions.cancel_invitation, name="cancel", settings=True
)
actions.post(f"{INVITATION}/complete", invitation_actions.complete_invitation, name="complete")
actions.post(f"{INVITATION}/unlock", invitation_actions.unlock_identity, name="unlock")


@router.get("/invitations/{invitation_id}/slots", response_model=schemas.SlotsOut)
def staff_slots(
    invitation_id: Id,
    session: DbSession,
    principal: ApiUser,
) -> Any:
    inv, slots = slot_search.staff_offered_slots(session, principal, invitation_id)
    no_slots = None if slots or inv.kind == "ai" else slot_search.explain_no_slots(session, inv)
    return schemas.SlotsOut(
        timezone=principal.timezone,
        slots=[_slot_out(s, principal.timezone, principal.language) for s in slots],
        no_slots=no_slots.to_dict() if no_slots else None,
    )


@router.post(
    "/invitations/{invitation_id}/booking", response_model=schemas.BookingOut, status_code=201
)
def staff_book(
    invitation_id: Id,
    data: schemas.BookIn,
    request: Request,
    session: DbSession,
    principal: ApiUser,
    settings: AppSettings,
) -> Any:
    try:
        return bookings.staff_book(session, principal, invitation_id, data.start, settings)
    except SlotUnavailable as exc:
        return _unavailable(request, exc, principal.timezone)


api.delete(f"{INVITATION}/booking", bookings.staff_cancel_booking, settings=True)


@router.get("/scheduling/openings/{opening_id}/progress", response_model=schemas.ProgressOut)
def progress(
    opening_id: Id,
    session: DbSession,
    principal: ApiUser,
    status: str = Query("", max_length=20),
) -> Any:
    view = queries.progress(session, principal, opening_id, status)
    return schemas.ProgressOut(
        opening_id=view.opening.id,
        counts=view.counts,
        invitations=[invitation_out(r.invitation, r.delivery) for r in view.rows],
    )


api.post(
    "/scheduling/openings/{opening_id}/auto-assign",
    auto_assignment.auto_assign,
    model=schemas.AssignOut,
    settings=True,
)


# --------------------------------------------------------------------------- the personal link


def _link_out(session: DbSession, inv: Invitation, settings: AppSettings, access: str | None):
    verified = candidate_link.has_access(settings, inv, access)
    # the booking is shown only once verified (and an AI link's ``can_change`` never reads
    # it); the company's name and the opening's title in one query, not two
    booking = inv.booking if verified or inv.kind != "ai" else None
    names = session.execute(
        select(Tenant.name, Opening.title)
        .select_from(Opening)
        .outerjoin(Tenant, Tenant.id == inv.tenant_id)
        .where(Opening.id == inv.opening_id)
    ).one()
    return shaped(
        schemas.LinkOut,
        inv,
        invitation_id=inv.id,
        company=names.name or "",
        job_title=names.title,
        candidate_name=inv.candidate.name if verified else "",
        verified=verified,
        identity_method=candidate_link.identity_method(inv),
        locked_until=inv.identity_locked_until,
        booking=schemas.BookingOut.model_validate(booking)
        if verified and booking is not None and booking.status == "active"
        else None,
        can_change=candidate_link.can_change(inv, session),
    )


@router.get("/links/{link_token}", response_model=schemas.LinkOut)
def link_info(session: DbSession, link: Link) -> Any:
    inv = link.opened(session)
    return _link_out(session, inv, link.settings, link.access)


@router.post("/links/{link_token}/code", status_code=202)
def link_code(session: DbSession, link: Link) -> dict[str, int]:
    inv = link.opened(session)
    return {"sent": candidate_link.send_code(session, inv, link.settings)}


@router.post("/links/{link_token}/verify", response_model=schemas.VerifyOut)
def link_verify(data: schemas.VerifyIn, session: DbSession, link: Link) -> Any:
    inv = link.opened(session)
    access = candidate_link.verify(session, inv, data.answer, link.settings)
    return schemas.VerifyOut(verified=True, access=access)


@router.put("/links/{link_token}/language", status_code=204)
def link_language(
    request: Request,
    link_token: str,
    data: schemas.LanguageIn,
    session: DbSession,
    settings: AppSettings,
) -> Response:
    """The candidate's choice of language for this application (messages, pages, errors)."""
    inv = candidate_link.open_link(session, link_token, settings, mark_opened=False)
    candidate_link.choose_language(session, inv, data.language)
    candidate_link.speak_to(request.state, inv)
    return Response(status_code=204)


@router.get("/links/{link_token}/slots", response_model=schemas.SlotsOut)
def link_slots(session: DbSession, link: Link) -> Any:
    inv = link.verified(session)
    slots = slot_search.offered_slots(session, inv)
    no_slots = None
    if not slots and inv.kind != "ai":
        # what the candidate may know: no interviewer names
        found = slot_search.explain_no_slots(session, inv).to_dict()
        for item in found["reasons"]:
            item.pop("names", None)
        no_slots = {
            "reasons": found["reasons"],
            "suggestions": [s for s in found["suggestions"] if s["code"] == "widen_hours"],
        }
    return schemas.SlotsOut(
        timezone=inv.timezone,
        slots=[_slot_out(s, inv.timezone, inv.language) for s in slots],
        no_slots=no_slots,
    )


@router.post("/links/{link_token}/booking", response_model=schemas.BookingOut, status_code=201)
def link_book(data: schemas.BookIn, session: DbSession, link: Link) -> Any:
    inv = link.verified(session)
    try:
        return bookings.book(session, inv, data.start, link.settings, actor=None)
    except SlotUnavailable as exc:
        return _unavailable(link.request, exc, inv.timezone)


@router.delete("/links/{link_token}/booking", status_code=204)
def link_cancel(session: DbSession, link: Link) -> Response:
    bookings.cancel_booking(session, link.verified(session), link.settings, actor=None)
    return Response(status_code=204)


@router.put("/links/{link_token}/availability", status_code=204)
def link_availability(
    data: schemas.CandidateAvailabilityIn, session: DbSession, link: Link
) -> Response:
    candidate_link.save_availability(session, link.verified(session), data)
    return Response(status_code=204)


@router.post("/links/{link_token}/device-check", status_code=202, response_class=Response)
def link_device_check(
    data: schemas.DeviceCheckIn, session: DbSession, link: Link, request: Request
) -> Response:
    device = parse_user_agent(request.headers.get("user-agent", ""))[2]
    candidate_link.record_device_check(session, link.verified(session), data, device=device)
    return Response(status_code=202)


# --------------------------------------------------------------------------- messages of one


@router.get("/invitations/{invitation_id}/messages")
def invitation_messages(
    invitation_id: Id, session: DbSession, principal: ApiUser
) -> list[dict[str, Any]]:
    """Delivery status of every message about an invitation (no bodies: see the outbox)."""
    inv = queries.invitation(session, principal, invitation_id)
    require(principal, "notifications.read")
    rows: list[OutboxMessage] = queries.invitation_messages(session, inv)
    return [
        {
            "id": m.id,
            "channel": m.channel,
            "kind": m.kind,
            "status": m.status,
            "attempts": m.attempts,
            "sent_at": m.sent_at,
            "last_error": m.last_error,
        }
        for m in rows
    ]
