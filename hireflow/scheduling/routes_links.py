"""The candidate's public personal-link pages: identity check, guide, device check, booking.

Whoever holds the link sees these pages (no account); everything past the identity check needs
the access cookie :func:`candidate_link.verify` sets. Included by ``routes_web``.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from hireflow.candidates.models import Candidate
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import LANGUAGES, format_datetime, gettext_for, is_language, is_timezone
from hireflow.core.settings import get_settings
from hireflow.notifications.templates import job_tips
from hireflow.org.models import Tenant
from hireflow.scheduling import (
    ai_interview,
    bookings,
    calendars,
    candidate_link,
    messages,
    policies,
    schemas,
    slot_search,
)
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.plan_facts import PlanFacts, competency_names, facts_of
from hireflow.scheduling.slots import Slot
from hireflow.web import streaming
from hireflow.web.deps import DbSession
from hireflow.web.forms import Form, app_error_fields, field_errors
from hireflow.web.middleware import LANG_COOKIE
from hireflow.web.routes import COMMON_ZONES
from hireflow.web.telemetry import parse_user_agent
from hireflow.web.templating import render

router = APIRouter(include_in_schema=False)
DEVICE_REPORT_BYTES = 4096


def parse_instant(value: str) -> datetime | None:
    """An ISO instant with its offset (a slot's start as the page posts it), else None."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _candidate_language(request: Request, inv: Invitation) -> str:
    """The candidate's own language unless they picked another one with the switcher."""
    chosen = request.cookies.get(LANG_COOKIE)
    language = chosen if chosen and is_language(chosen) else inv.language
    if not is_language(language):
        language = "en"
    request.state.language = language
    return language


def _slot_days(
    session: DbSession, inv: Invitation, verified: bool, zone: str, language: str
) -> tuple[dict[str, list[Slot]], set[datetime], Any]:
    """The offered slots by local day, the three best starts, and why there are none."""
    slots: list[Slot] = []
    no_slots = None
    if verified and inv.kind != "ai" and candidate_link.can_change(inv, session):
        try:
            slots = slot_search.offered_slots(session, inv)
            if not slots:
                no_slots = slot_search.explain_no_slots(session, inv)
        except AppError:
            slots = []
    days: dict[str, list[Slot]] = {}
    for slot in slots:
        local = slot.start.astimezone(ZoneInfo(zone))
        days.setdefault(format_datetime(local, zone, language, "short")[:10], []).append(slot)
    recommended = {s.start for s in sorted(slots, key=lambda s: s.score)[:3]}
    return days, recommended, no_slots


def _ai_context(session: DbSession, inv: Invitation, language: str) -> dict[str, Any]:
    """What the page says about a one-way AI interview: its plan and its dimensions."""
    interview = ai_interview.hooks().interview_of(session, inv) if inv.kind == "ai" else None
    model = (interview.model if interview is not None else None) or inv.opening.competency_model
    facts: PlanFacts | None = None
    if inv.kind == "ai":
        facts = (
            facts_of(interview.questions or [])
            if interview is not None
            else ai_interview.planned_facts(inv.opening, inv.language, inv.duration_minutes)
        )
    return {
        "interview": interview,
        "facts": facts,
        "dimensions": competency_names(model, language),
    }


def _link_context(
    request: Request,
    session: DbSession,
    inv: Invitation,
    token: str,
    *,
    zone: str | None = None,
) -> dict[str, Any]:
    settings = get_settings()
    language = _candidate_language(request, inv)
    verified = candidate_link.has_access(
        settings, inv, request.cookies.get(candidate_link.access_cookie_name(inv))
    )
    zone = zone if zone and is_timezone(zone) else inv.timezone
    booking = inv.booking if inv.booking is not None and inv.booking.status == "active" else None
    policy = policies.policy_for(session, inv.tenant_id)
    days, recommended, no_slots = _slot_days(session, inv, verified, zone, language)
    return {
        "token": token,
        "inv": inv,
        "tenant": session.get(Tenant, inv.tenant_id),
        "verified": verified,
        "method": candidate_link.identity_method(inv),
        "contact": _masked_contact(inv.candidate),
        "zone": zone,
        "zones": COMMON_ZONES,
        "when": lambda value: format_datetime(value, zone, language, "long"),
        "clock": lambda value: format_datetime(value, zone, language, "short")[11:],
        "booking": booking,
        "can_change": candidate_link.can_change(inv, session),
        "days": days,
        "recommended": recommended,
        "tips": job_tips(inv.opening.job_type, language),
        **_ai_context(session, inv, language),
        "device": inv.device_result or {},
        "recordings_ok": ai_interview.hooks().recordings_available(),
        "meeting": messages.meeting_url(settings, inv, booking, policy) if booking else "",
        "errors": {},
        "alternatives": [],
        "notice": request.query_params.get("done", ""),
        "locked": inv.identity_locked_until is not None and inv.identity_locked_until > utcnow(),
        "languages": {code: entry[2] for code, entry in LANGUAGES.items()},
        "lang_action": f"/i/{token}/language",
        "no_slots": no_slots,
        "waking_hours": calendars.WAKING_HOURS,
    }


def _masked_contact(candidate: Candidate) -> str:
    """Where the code goes, without showing the whole address to whoever holds the link."""
    parts = []
    email = messages.valid_email(candidate.email)
    if email:
        local, _, domain = email.partition("@")
        parts.append(f"{local[:1]}***@{domain}")
    phone = messages.valid_mobile(candidate.phone)
    if phone:
        parts.append(f"{phone[:3]}****{phone[-4:]}")
    return " / ".join(parts)


@router.get("/i/{link_token}")
def link_page(request: Request, session: DbSession, link_token: str, tz: str = "") -> Response:
    inv = candidate_link.open_link(session, link_token, get_settings())
    return render(
        request, "scheduling/link.html", _link_context(request, session, inv, link_token, zone=tz)
    )


def _link_error(
    request: Request, session: DbSession, inv: Invitation, token: str, exc: AppError
) -> Response:
    """The page again with the refusal (its own status: 409 taken, 429 locked out, ...)."""
    session.rollback()
    context = _link_context(request, session, inv, token)
    context["errors"] = app_error_fields(exc, gettext_for(request.state.language))
    if isinstance(exc, SlotUnavailable):
        context["alternatives"] = exc.alternatives
    return render(request, "scheduling/link.html", context, status_code=exc.status)


@router.post("/i/{link_token}/language")
def link_language(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    """The language switch of the candidate's pages: remembered by this browser and, as the
    candidate's choice, by their application (later messages and errors follow it)."""
    inv = candidate_link.open_link(session, link_token, get_settings(), mark_opened=False)
    language = form.get("lang")
    if not is_language(language):
        raise AppError(N_("Unknown language."), code="unknown_language")
    candidate_link.choose_language(session, inv, language)
    target = form.get("next")
    if not target.startswith(f"/i/{link_token}") or "//" in target:
        target = f"/i/{link_token}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.post("/i/{link_token}/code")
def link_send_code(request: Request, session: DbSession, link_token: str) -> Response:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    try:
        candidate_link.send_code(session, inv, settings)
    except AppError as exc:
        _candidate_language(request, inv)
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=code", status_code=303)


@router.post("/i/{link_token}/verify")
def link_verify(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    _candidate_language(request, inv)
    try:
        access = candidate_link.verify(session, inv, form.get("answer")[:20], settings)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    response = RedirectResponse(f"/i/{link_token}?done=verified", status_code=303)
    response.set_cookie(
        candidate_link.access_cookie_name(inv),
        access,
        max_age=candidate_link.ACCESS_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.base_url.startswith("https://"),
        path="/i/",
    )
    return response


def _verified_invitation(request: Request, session: DbSession, link_token: str) -> Invitation:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    candidate_link.require_access(
        settings, inv, request.cookies.get(candidate_link.access_cookie_name(inv))
    )
    return inv


@router.post("/i/{link_token}/book")
def link_book(request: Request, session: DbSession, link_token: str, form: Form) -> Response:
    inv = _verified_invitation(request, session, link_token)
    _candidate_language(request, inv)
    start = parse_instant(form.get("start"))
    try:
        if start is None:
            raise AppError(N_("Choose a time."), code="invalid")
        bookings.book(session, inv, start, get_settings(), actor=None)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=booked#booking", status_code=303)


@router.post("/i/{link_token}/cancel")
def link_cancel(request: Request, session: DbSession, link_token: str) -> Response:
    inv = _verified_invitation(request, session, link_token)
    _candidate_language(request, inv)
    try:
        bookings.cancel_booking(session, inv, get_settings(), actor=None)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=cancelled#booking", status_code=303)


def _stated_windows(form: Form) -> list[dict[str, str]]:
    windows = []
    for index in range(3):
        day = form.get(f"day_{index}")
        start, end = form.get(f"from_{index}"), form.get(f"to_{index}")
        if day and start and end:
            windows.append({"start": f"{day}T{start}", "end": f"{day}T{end}"})
    return windows


@router.post("/i/{link_token}/availability")
def link_availability(
    request: Request, session: DbSession, link_token: str, form: Form
) -> Response:
    inv = _verified_invitation(request, session, link_token)
    _ = gettext_for(_candidate_language(request, inv))
    try:
        data = schemas.CandidateAvailabilityIn.model_validate(
            {
                "timezone": form.get("timezone"),
                "windows": _stated_windows(form),
                "preferred_start": form.get("preferred_start") or "09:00",
                "preferred_end": form.get("preferred_end") or "18:00",
            }
        )
        candidate_link.save_availability(session, inv, data)
    except ValidationError as exc:
        context = _link_context(request, session, inv, link_token)
        context["errors"] = field_errors(exc, _)
        return render(request, "scheduling/link.html", context, status_code=422)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=availability#slots", status_code=303)


async def _device_report(request: Request) -> bytes:
    """The device check's JSON report, read on the event loop (at most 4 KiB of it)."""
    return (await request.body())[:DEVICE_REPORT_BYTES]


@router.post("/i/{link_token}/device-check")
def link_device_check(
    request: Request,
    session: DbSession,
    link_token: str,
    raw: Annotated[bytes, Depends(_device_report)],
) -> Response:
    inv = _verified_invitation(request, session, link_token)
    try:
        data = schemas.DeviceCheckIn.model_validate(json.loads(raw or b"{}"))
    except ValueError:  # not JSON, or not a device report (ValidationError is a ValueError)
        return Response(status_code=422)
    device = parse_user_agent(request.headers.get("user-agent", ""))[2]
    candidate_link.record_device_check(session, inv, data, device=device)
    return Response(status_code=202)


@router.get("/i/{link_token}/invite.ics")
def link_ics(request: Request, session: DbSession, link_token: str) -> Response:
    """The booked interview as a calendar file, in the candidate's zone and language."""
    inv = _verified_invitation(request, session, link_token)
    booking = inv.booking
    if booking is None or booking.status != "active":
        raise NotFound()
    settings = get_settings()
    policy = policies.policy_for(session, inv.tenant_id)
    attachment = messages.ics_attachment(
        settings,
        messages.parties(session, inv),
        booking,
        policy,
        zone=inv.timezone,
        language=inv.language,
        method="REQUEST",
        description=inv.opening.title,
    )
    if attachment is None:
        raise NotFound()
    return streaming.attachment(attachment.content, "text/calendar; charset=utf-8", "interview.ics")
