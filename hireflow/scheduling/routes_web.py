"""Scheduling pages: HR's overview, invitations and progress, availability, settings, and the
candidate's public personal-link pages (identity check, guide, device check, booking)."""

from __future__ import annotations

import json
import os
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import UploadFile

from hireflow.candidates import language_zone
from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import LANGUAGES, format_datetime, gettext_for, is_language, is_timezone
from hireflow.core.permissions import require, restrict
from hireflow.core.settings import get_settings
from hireflow.interviews.plan_facts import competency_names, facts_of
from hireflow.notifications.templates import job_tips
from hireflow.openings.models import OpeningMember
from hireflow.org.models import Tenant, User
from hireflow.scheduling import (
    ai_interview,
    auto_assignment,
    availability,
    bookings,
    calendar_sync,
    calendars,
    candidate_link,
    invitation_actions,
    invitations,
    messages,
    policies,
    printing,
    queries,
    schemas,
    sending,
    slot_search,
)
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.models import Invitation
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import app_error_fields, field_errors
from hireflow.web.middleware import LANG_COOKIE
from hireflow.web.routes import COMMON_ZONES
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (NavItem("/scheduling", N_("Interviews"), "invitations.read", order=25, group="recruiting"),)
ASSETS = Path(__file__).resolve().parent / "static"
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
# Words that come from data, listed so they reach the catalogue.
LABELS = (
    N_("queued"),
    N_("sent"),
    N_("opened"),
    N_("verified"),
    N_("booked"),
    N_("completed"),
    N_("cancelled"),
    N_("undeliverable"),
    N_("invited"),
    N_("ai"),
    N_("live"),
    N_("next_round"),
    N_("id_last4"),
    N_("code"),
    N_("retry"),
    N_("failed"),
    N_("sending"),
    N_("no_availability"),
    N_("no_matching_slot"),
    N_("capacity_exhausted"),
    N_("panel"),
    N_("no_interviewers"),
    N_("unreachable"),
    N_("already_invited"),
)


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            if key.endswith("[]"):
                values.setdefault(key[:-2], []).append(value)
            else:
                values[key] = value
        elif isinstance(value, UploadFile):
            values[key] = value
    return values


def _local(value: str, zone: str) -> datetime | None:
    """A ``datetime-local`` input typed in ``zone`` as an aware datetime (None if empty/bad)."""
    if not value:
        return None
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=ZoneInfo(zone))


def _ints(values: Any) -> list[int]:
    items = values if isinstance(values, list) else [values] if values else []
    return [int(v) for v in items if str(v).isdigit()]


def _error_response(request: Request, exc: AppError) -> dict[str, str]:
    return app_error_fields(exc, gettext_for(request.state.language))


# --------------------------------------------------------------------------- overview


@router.get("/scheduling")
def overview(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "invitations.read")
    settings = get_settings()
    if not principal.is_staff:
        rows = []
        for inv in queries.my_invitations(session, principal):
            policy = policies.policy_for(session, inv.tenant_id)
            link = None
            if inv.status not in ("cancelled", "queued"):
                link = "/i/" + messages.link_token(settings, inv, policy)
            rows.append({"invitation": inv, "link": link})
        return render(request, "scheduling/mine.html", {"rows": rows})
    summaries = queries.overview(session, principal)
    seen = {s.opening.id for s in summaries}
    others = [o for o in queries.invitable_openings(session, principal) if o.id not in seen]
    staff = []
    if principal.has("scheduling.configure"):
        staff = availability.interviewer_choices(session, principal)
    return render(
        request,
        "scheduling/overview.html",
        {
            "summaries": summaries,
            "others": others,
            "upcoming": queries.upcoming(session, principal),
            "staff": staff,
        },
    )


# --------------------------------------------------------------------------- progress


@router.get("/scheduling/openings/{opening_id}")
def progress_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, status: str = ""
) -> Response:
    status = status if status in schemas_statuses() else ""
    view = queries.progress(session, principal, opening_id, status)
    shown = [row.invitation.id for row in view.rows]
    audit_read(session, principal, "invitations.listed", "invitation", shown)
    return render(request, "scheduling/progress.html", {"view": view, "status": status})


def schemas_statuses() -> tuple[str, ...]:
    from hireflow.scheduling.models import INVITATION_STATUSES

    return INVITATION_STATUSES


@router.post("/scheduling/openings/{opening_id}/auto-assign")
async def auto_assign(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id
) -> Response:
    result = auto_assignment.auto_assign(session, principal, opening_id, get_settings())
    view = queries.progress(session, principal, opening_id)
    return render(
        request, "scheduling/progress.html", {"view": view, "status": "", "assigned": result}
    )


# --------------------------------------------------------------------------- inviting


def _invite_context(
    session: DbSession, principal: PageUser, opening_id: int | None
) -> dict[str, Any]:
    openings = queries.invitable_openings(session, principal)
    context: dict[str, Any] = {
        "openings": openings,
        "opening": None,
        "applications": [],
        "staff": [],
        "panel": [],
        "errors": {},
        "values": {},
        "preview": None,
        "request_key": secrets.token_hex(12),
        "locales": {},
        "zones": COMMON_ZONES,
    }
    if opening_id is None:
        return context
    opening = next((o for o in openings if o.id == opening_id), None)
    if opening is None:
        raise NotFound()
    applications = list(
        session.scalars(
            restrict(
                select(Application).where(Application.opening_id == opening.id),
                principal,
                "candidates.read",
                Application,
            ).order_by(Application.id)
        )
    )
    panel = list(
        session.scalars(
            select(OpeningMember.user_id).where(
                OpeningMember.opening_id == opening.id, OpeningMember.role == "interviewer"
            )
        )
    )
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    locales = {}
    for application in applications:
        language, zone = language_zone.effective(
            application, application.candidate, tenant.default_language, tenant.default_timezone
        )
        locales[application.candidate_id] = {
            "language": language,
            "timezone": zone,
            "source": application.locale_source,
            "reasons": application.locale_reasons or [],
        }
    context.update(
        opening=opening,
        applications=applications,
        locales=locales,
        staff=availability.interviewer_choices(session, principal),
        panel=panel,
    )
    return context


def _locale_overrides(
    values: dict[str, Any], candidate_ids: list[int], shown: dict[int, dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """The languages and zones HR changed on the form (unchanged rows are not HR's choice)."""
    overrides: dict[str, dict[str, str]] = {}
    for cid in candidate_ids:
        language = str(values.get(f"language_{cid}", "")).strip()
        zone = str(values.get(f"timezone_{cid}", "")).strip()
        before = shown.get(cid, {})
        if not language and not zone:
            continue
        language = language or before.get("language", "")
        zone = zone or before.get("timezone", "")
        if (language, zone) != (before.get("language"), before.get("timezone")):
            overrides[str(cid)] = {"language": language, "timezone": zone}
    return overrides


@router.get("/scheduling/invite")
def invite_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id | None = None
) -> Response:
    require(principal, "invitations.send")
    return render(
        request, "scheduling/invite.html", _invite_context(session, principal, opening_id)
    )


def _invite_payload(values: dict[str, Any], zone: str) -> dict[str, Any]:
    deadline = _local(str(values.get("deadline", "")), zone)
    return {
        "opening_id": values.get("opening_id") or 0,
        "candidate_ids": _ints(values.get("candidate_ids")),
        "kind": values.get("kind") or "live",
        "deadline": deadline.isoformat() if deadline else None,
        "duration_minutes": values.get("duration_minutes") or None,
        "round_name": values.get("round_name", ""),
        "meeting_url": values.get("meeting_url", "").strip(),
        "materials": [
            line for line in str(values.get("materials", "")).splitlines() if line.strip()
        ],
        "notes": values.get("notes", ""),
        "interviewer_ids": _ints(values.get("interviewer_ids")),
        "panel": values.get("panel") == "on",
        "request_key": values.get("request_key", ""),
    }


async def _invite_submit(
    request: Request, session: DbSession, principal: PageUser, send: bool
) -> Response:
    require(principal, "invitations.send")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    opening_id = int(values["opening_id"]) if str(values.get("opening_id", "")).isdigit() else 0
    payload = _invite_payload(values, request.state.timezone)
    if opening_id:
        shown = _invite_context(session, principal, opening_id)["locales"]
        payload["locales"] = _locale_overrides(values, payload["candidate_ids"], shown)
    errors: dict[str, str] = {}
    preview = None
    try:
        data = schemas.InvitationCreate.model_validate(payload)
    except ValidationError as exc:
        data = None
        errors = field_errors(exc, _)
    if data is not None:
        try:
            if send:
                batch, skipped, _created = invitations.create_invitations(
                    session, principal, data, get_settings()
                )
                return render(
                    request,
                    "scheduling/batch.html",
                    {
                        "batch": invitations.batch_view(session, principal, batch.id),
                        "skipped": skipped,
                        "names": _candidate_names(session, [s.candidate_id for s in skipped]),
                    },
                    status_code=202,
                )
            preview = invitations.preview_invitations(session, principal, data, get_settings())
        except AppError as exc:
            if exc.status in (403, 404):
                raise
            errors = _error_response(request, exc)
    context = _invite_context(session, principal, opening_id or None)
    form_values = {**values}
    form_values["candidate_ids"] = payload["candidate_ids"]
    form_values["interviewer_ids"] = payload["interviewer_ids"]
    context.update(
        errors=errors,
        values=form_values,
        preview=preview,
        request_key=values.get("request_key") or context["request_key"],
        names=_candidate_names(session, [s.candidate_id for s in preview.skipped])
        if preview
        else {},
    )
    return render(request, "scheduling/invite.html", context, status_code=422 if errors else 200)


def _candidate_names(session: DbSession, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    stmt = select(Candidate.id, Candidate.name).where(Candidate.id.in_(ids))
    return dict(session.execute(stmt).all())


@router.post("/scheduling/invite/preview")
async def invite_preview(request: Request, session: DbSession, principal: PageUser) -> Response:
    return await _invite_submit(request, session, principal, send=False)


@router.post("/scheduling/invite")
async def invite_send(request: Request, session: DbSession, principal: PageUser) -> Response:
    return await _invite_submit(request, session, principal, send=True)


@router.get("/scheduling/batches/{invitation_batch_id}")
def batch_page(
    request: Request, session: DbSession, principal: PageUser, invitation_batch_id: Id
) -> Response:
    batch = invitations.batch_view(session, principal, invitation_batch_id)
    template = (
        "scheduling/_batch_status.html"
        if request.headers.get("hx-request")
        else "scheduling/batch.html"
    )
    return render(request, template, {"batch": batch, "skipped": [], "names": {}})


def _pdf(content: bytes, filename: str) -> Response:
    return Response(
        content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/scheduling/batches/{invitation_batch_id}/invitations.pdf")
def batch_pdf(session: DbSession, principal: PageUser, invitation_batch_id: Id) -> Response:
    """Printable invitations of one send, one page per candidate with a QR code."""
    content, _pages = printing.printable_invitations(
        session, principal, get_settings(), batch_id=invitation_batch_id
    )
    return _pdf(content, f"invitations-{invitation_batch_id}.pdf")


@router.get("/scheduling/invitations/{invitation_id}/invitation.pdf")
def invitation_pdf(session: DbSession, principal: PageUser, invitation_id: Id) -> Response:
    content, _pages = printing.printable_invitations(
        session, principal, get_settings(), invitation_id=invitation_id
    )
    return _pdf(content, f"invitation-{invitation_id}.pdf")


# --------------------------------------------------------------------------- one invitation


def _invitation_context(
    session: DbSession, principal: PageUser, invitation_id: int
) -> dict[str, Any]:
    inv = queries.invitation(session, principal, invitation_id)
    slots = []
    no_slots = None
    if (
        principal.has("invitations.send")
        and inv.kind != "ai"
        and inv.status
        not in (
            "cancelled",
            "completed",
            "queued",
            "undeliverable",
        )
    ):
        try:
            slots = slot_search.offered_slots(session, inv, limit=12)
            if not slots:
                no_slots = slot_search.explain_no_slots(session, inv)
        except AppError:
            slots = []
    booking = inv.booking if inv.booking is not None and inv.booking.status == "active" else None
    ids = list(booking.interviewer_ids) if booking else calendars.panel_of(session, inv)
    return {
        "inv": inv,
        "booking": booking,
        "slots": slots,
        "names": queries.user_names(session, inv.tenant_id, [int(i) for i in ids]),
        "messages_": queries.invitation_messages(session, inv)
        if principal.has("notifications.read")
        else [],
        "errors": {},
        "alternatives": [],
        "no_slots": no_slots,
        "waking_hours": calendars.WAKING_HOURS,
    }


@router.get("/scheduling/invitations/{invitation_id}")
def invitation_page(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    context = _invitation_context(session, principal, invitation_id)
    audit_read(session, principal, "invitation.viewed", "invitation", target_id=invitation_id)
    return render(request, "scheduling/invitation.html", context)


def _back(invitation_id: int) -> RedirectResponse:
    return RedirectResponse(f"/scheduling/invitations/{invitation_id}", status_code=303)


async def _staff_action(
    request: Request, session: DbSession, principal: PageUser, invitation_id: int, action: str
) -> Response:
    values = await _form(request)
    settings = get_settings()
    try:
        if action == "resend":
            sending.resend_invitation(session, principal, invitation_id, settings)
        elif action == "cancel":
            invitation_actions.cancel_invitation(session, principal, invitation_id, settings)
        elif action == "complete":
            invitation_actions.complete_invitation(session, principal, invitation_id)
        elif action == "unlock":
            invitation_actions.unlock_identity(session, principal, invitation_id)
        elif action == "cancel-booking":
            bookings.staff_cancel_booking(session, principal, invitation_id, settings)
        elif action == "book":
            start = _parse_instant(str(values.get("start", "")))
            if start is None:
                raise AppError(N_("Choose a time."), code="invalid")
            bookings.staff_book(session, principal, invitation_id, start, settings)
    except SlotUnavailable as exc:
        context = _invitation_context(session, principal, invitation_id)
        context.update(errors=_error_response(request, exc), alternatives=exc.alternatives)
        return render(request, "scheduling/invitation.html", context, status_code=409)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        context = _invitation_context(session, principal, invitation_id)
        context.update(errors=_error_response(request, exc))
        return render(request, "scheduling/invitation.html", context, status_code=exc.status)
    target = str(values.get("next", ""))
    if target.startswith("/scheduling/") and not target.startswith("//"):
        return RedirectResponse(target, status_code=303)
    return _back(invitation_id)


def _parse_instant(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@router.post("/scheduling/invitations/{invitation_id}/resend")
async def invitation_resend(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "resend")


@router.post("/scheduling/invitations/{invitation_id}/cancel")
async def invitation_cancel(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "cancel")


@router.post("/scheduling/invitations/{invitation_id}/complete")
async def invitation_complete(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "complete")


@router.post("/scheduling/invitations/{invitation_id}/unlock")
async def invitation_unlock(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "unlock")


@router.post("/scheduling/invitations/{invitation_id}/book")
async def invitation_book(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "book")


@router.post("/scheduling/invitations/{invitation_id}/cancel-booking")
async def invitation_cancel_booking(
    request: Request, session: DbSession, principal: PageUser, invitation_id: Id
) -> Response:
    return await _staff_action(request, session, principal, invitation_id, "cancel-booking")


# --------------------------------------------------------------------------- availability


@router.get("/scheduling/availability")
def my_availability(principal: PageUser) -> Response:
    require(principal, "availability.manage")
    return RedirectResponse(f"/scheduling/availability/{principal.user_id}", status_code=303)


def _availability_context(session: DbSession, principal: PageUser, user_id: int) -> dict[str, Any]:
    view = availability.availability_view(session, principal, user_id)
    user = session.get(User, user_id)
    days: list[list[tuple[str, str]]] = [[] for _ in range(7)]
    for window in view.working_hours:
        days[window.weekday].append((window.start, window.end))
    return {
        "view": view,
        "person": user,
        "days": days,
        "weekdays": WEEKDAYS,
        "zones": COMMON_ZONES,
        "errors": {},
        "notice": None,
    }


@router.get("/scheduling/availability/{availability_user_id}")
def availability_page(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id
) -> Response:
    return render(
        request,
        "scheduling/availability.html",
        _availability_context(session, principal, availability_user_id),
    )


def _hours_payload(values: dict[str, Any]) -> dict[str, Any]:
    hours = []
    for day in range(7):
        if values.get(f"on_{day}") != "on":
            continue
        for part in ("1", "2"):
            start, end = values.get(f"start{part}_{day}", ""), values.get(f"end{part}_{day}", "")
            if start and end:
                hours.append({"weekday": day, "start": start, "end": end})
    holidays = [
        line.strip() for line in str(values.get("holidays", "")).replace(",", "\n").splitlines()
    ]
    return {
        "timezone": values.get("timezone", ""),
        "working_hours": hours,
        "holidays": [h for h in holidays if h],
        "max_per_day": values.get("max_per_day") or None,
    }


async def _availability_action(
    request: Request,
    session: DbSession,
    principal: PageUser,
    user_id: int,
    action: str,
) -> Response:
    values = await _form(request)
    _ = gettext_for(request.state.language)
    errors: dict[str, str] = {}
    try:
        if action == "hours":
            data = schemas.AvailabilityIn.model_validate(_hours_payload(values))
            availability.save_availability(session, principal, user_id, data)
        elif action == "busy":
            zone = availability.availability_view(session, principal, user_id).timezone
            start = _local(str(values.get("start", "")), zone)
            end = _local(str(values.get("end", "")), zone)
            data_busy = schemas.BusyIn.model_validate(
                {"start": start, "end": end, "label": values.get("label", "")}
            )
            availability.add_busy(session, principal, user_id, data_busy)
        elif action == "calendar":
            upload = values.get("file")
            text = ""
            if isinstance(upload, UploadFile) and upload.filename:
                raw = await upload.read(5 * 1024 * 1024 + 1)
                text = raw.decode("utf-8", errors="replace")
            data_cal = schemas.CalendarImportIn.model_validate(
                {"url": str(values.get("url", "")).strip(), "ics": text}
            )
            calendar_sync.import_calendar(session, principal, user_id, data_cal, get_settings())
        return RedirectResponse(f"/scheduling/availability/{user_id}?saved=1", status_code=303)
    except ValidationError as exc:
        errors = field_errors(exc, _)
    except AppError as exc:
        if exc.status in (403, 404):
            raise
        errors = _error_response(request, exc)
    context = _availability_context(session, principal, user_id)
    context.update(errors=errors)
    return render(request, "scheduling/availability.html", context, status_code=422)


@router.post("/scheduling/availability/{availability_user_id}")
async def availability_save(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id
) -> Response:
    return await _availability_action(request, session, principal, availability_user_id, "hours")


@router.post("/scheduling/availability/{availability_user_id}/busy")
async def availability_busy(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id
) -> Response:
    return await _availability_action(request, session, principal, availability_user_id, "busy")


@router.post("/scheduling/availability/{availability_user_id}/calendar")
async def availability_calendar(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id
) -> Response:
    return await _availability_action(request, session, principal, availability_user_id, "calendar")


@router.post("/scheduling/busy/{busy_block_id}/delete")
def busy_delete(session: DbSession, principal: PageUser, busy_block_id: Id) -> Response:
    require(principal, "availability.manage")
    from hireflow.core.permissions import get_visible
    from hireflow.scheduling.models import BusyBlock

    block = get_visible(session, BusyBlock, busy_block_id, principal, "availability.manage")
    user_id = block.user_id
    availability.delete_busy(session, principal, busy_block_id)
    return RedirectResponse(f"/scheduling/availability/{user_id}", status_code=303)


# --------------------------------------------------------------------------- settings


@router.get("/scheduling/settings")
def settings_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "scheduling.configure")
    policy = policies.policy_for(session, principal.tenant_id)
    return render(
        request,
        "scheduling/settings.html",
        {
            "policy": schemas.PolicyOut.model_validate(policy).model_dump(),
            "errors": {},
            "saved": request.query_params.get("saved") == "1",
        },
    )


@router.post("/scheduling/settings")
async def settings_save(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "scheduling.configure")
    values = await _form(request)
    _ = gettext_for(request.state.language)
    payload: dict[str, Any] = {
        key: int(value) if str(value).isdigit() else value
        for key in schemas.PolicyIn.model_fields
        if key not in ("reminder_minutes", "candidate_channels", "notify_groups")
        and (value := values.get(key)) not in (None, "")
    }
    payload["reminder_minutes"] = [
        int(v)
        for v in str(values.get("reminder_minutes", "")).replace(" ", "").split(",")
        if v.isdigit()
    ]
    payload["candidate_channels"] = values.get("candidate_channels") or []
    payload["notify_groups"] = values.get("notify_groups") == "on"
    try:
        data = schemas.PolicyIn.model_validate(payload)
        policies.save_policy(session, principal, data)
        return RedirectResponse("/scheduling/settings?saved=1", status_code=303)
    except ValidationError as exc:
        errors = field_errors(exc, _)
    return render(
        request,
        "scheduling/settings.html",
        {
            "policy": {**payload, **{k: v for k, v in values.items() if isinstance(v, str)}},
            "errors": errors,
            "saved": False,
        },
        status_code=422,
    )


# --------------------------------------------------------------------------- assets


@router.get("/scheduling/assets/scheduling.js")
def asset_script() -> Response:
    return FileResponse(
        ASSETS / "scheduling.js",
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/scheduling/assets/ping")
def asset_ping() -> Response:
    """64 KiB of incompressible bytes for the device check's network measurement."""
    return Response(
        os.urandom(64 * 1024),
        media_type="application/octet-stream",
        headers={"Cache-Control": "no-store"},
    )


# --------------------------------------------------------------------------- the candidate's link


def _candidate_language(request: Request, inv: Invitation) -> str:
    """The candidate's own language unless they picked another one with the switcher."""
    chosen = request.cookies.get(LANG_COOKIE)
    language = chosen if is_language(chosen) else inv.language
    if not is_language(language):
        language = "en"
    request.state.language = language
    return language


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
    tenant = session.get(Tenant, inv.tenant_id)
    booking = inv.booking if inv.booking is not None and inv.booking.status == "active" else None
    policy = policies.policy_for(session, inv.tenant_id)
    slots = []
    no_slots = None
    if verified and inv.kind != "ai" and candidate_link.can_change(inv, session):
        try:
            slots = slot_search.offered_slots(session, inv)
            if not slots:
                no_slots = slot_search.explain_no_slots(session, inv)
        except AppError:
            slots = []
    days: dict[str, list[Any]] = {}
    for slot in slots:
        local = slot.start.astimezone(ZoneInfo(zone))
        days.setdefault(format_datetime(local, zone, language, "short")[:10], []).append(slot)
    recommended = {s.start for s in sorted(slots, key=lambda s: s.score)[:3]}
    interview = _ai_interview(session, inv) if inv.kind == "ai" else None
    model = (interview.model if interview is not None else None) or inv.opening.competency_model
    facts = None
    if inv.kind == "ai":
        facts = (
            facts_of(interview.questions or [])
            if interview is not None
            else ai_interview.planned_facts(inv.opening, inv.language, inv.duration_minutes)
        )
    return {
        "token": token,
        "inv": inv,
        "tenant": tenant,
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
        "dimensions": competency_names(model, language),
        "interview": interview,
        "facts": facts,
        "device": inv.device_result or {},
        "recordings_ok": recordings_available(),
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


def _ai_interview(session: DbSession, inv: Invitation) -> Any:
    """The AI interview prepared for this invitation (None for invitations sent before
    interviews were prepared at sending; the page then describes the plan it would get)."""
    from hireflow.interviews.models import InterviewSession

    return session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == inv.id)
    ).first()


def recordings_available() -> bool:
    """Whether voice and video answers can be transcribed on this installation."""
    from hireflow.interviews.speech import speech_available

    return speech_available()


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
    session.rollback()
    context = _link_context(request, session, inv, token)
    context["errors"] = _error_response(request, exc)
    if isinstance(exc, SlotUnavailable):
        context["alternatives"] = exc.alternatives
    return render(request, "scheduling/link.html", context, status_code=exc.status)


@router.post("/i/{link_token}/language")
async def link_language(request: Request, session: DbSession, link_token: str) -> Response:
    """The language switch of the candidate's pages: remembered by this browser and, as the
    candidate's choice, by their application (later messages and errors follow it)."""
    inv = candidate_link.open_link(session, link_token, get_settings(), mark_opened=False)
    values = await _form(request)
    language = str(values.get("lang", ""))
    if not is_language(language):
        raise AppError(N_("Unknown language."), code="unknown_language")
    candidate_link.choose_language(session, inv, language)
    target = str(values.get("next", ""))
    if not target.startswith(f"/i/{link_token}") or "//" in target:
        target = f"/i/{link_token}"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANG_COOKIE, language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


@router.post("/i/{link_token}/code")
async def link_send_code(request: Request, session: DbSession, link_token: str) -> Response:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    try:
        candidate_link.send_code(session, inv, settings)
    except AppError as exc:
        _candidate_language(request, inv)
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=code", status_code=303)


@router.post("/i/{link_token}/verify")
async def link_verify(request: Request, session: DbSession, link_token: str) -> Response:
    settings = get_settings()
    inv = candidate_link.open_link(session, link_token, settings)
    values = await _form(request)
    _candidate_language(request, inv)
    try:
        access = candidate_link.verify(session, inv, str(values.get("answer", ""))[:20], settings)
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
async def link_book(request: Request, session: DbSession, link_token: str) -> Response:
    inv = _verified_invitation(request, session, link_token)
    values = await _form(request)
    _candidate_language(request, inv)
    start = _parse_instant(str(values.get("start", "")))
    try:
        if start is None:
            raise AppError(N_("Choose a time."), code="invalid")
        bookings.book(session, inv, start, get_settings(), actor=None)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=booked#booking", status_code=303)


@router.post("/i/{link_token}/cancel")
async def link_cancel(request: Request, session: DbSession, link_token: str) -> Response:
    inv = _verified_invitation(request, session, link_token)
    _candidate_language(request, inv)
    try:
        bookings.cancel_booking(session, inv, get_settings(), actor=None)
    except AppError as exc:
        return _link_error(request, session, inv, link_token, exc)
    return RedirectResponse(f"/i/{link_token}?done=cancelled#booking", status_code=303)


@router.post("/i/{link_token}/availability")
async def link_availability(request: Request, session: DbSession, link_token: str) -> Response:
    inv = _verified_invitation(request, session, link_token)
    values = await _form(request)
    _ = gettext_for(_candidate_language(request, inv))
    windows = []
    for index in range(3):
        day = str(values.get(f"day_{index}", ""))
        start, end = str(values.get(f"from_{index}", "")), str(values.get(f"to_{index}", ""))
        if day and start and end:
            windows.append({"start": f"{day}T{start}", "end": f"{day}T{end}"})
    try:
        data = schemas.CandidateAvailabilityIn.model_validate(
            {
                "timezone": values.get("timezone", ""),
                "windows": windows,
                "preferred_start": values.get("preferred_start") or "09:00",
                "preferred_end": values.get("preferred_end") or "18:00",
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


@router.post("/i/{link_token}/device-check")
async def link_device_check(request: Request, session: DbSession, link_token: str) -> Response:
    inv = _verified_invitation(request, session, link_token)
    try:
        raw = json.loads((await request.body())[:4096] or b"{}")
        data = schemas.DeviceCheckIn.model_validate(raw)
    except (ValueError, ValidationError):
        return Response(status_code=422)
    candidate_link.record_device_check(session, inv, data)
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
    return Response(
        attachment.content,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="interview.ics"'},
    )
