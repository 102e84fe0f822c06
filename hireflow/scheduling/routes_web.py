"""Scheduling pages for staff: HR's overview, invitations and progress.

The other pages of the domain add their routes to this router: the candidate's public
personal-link pages (:mod:`hireflow.scheduling.routes_links`), interviewers' availability
(:mod:`~hireflow.scheduling.routes_availability`) and the settings page
(:mod:`~hireflow.scheduling.routes_settings`, with :mod:`~hireflow.scheduling.routes_meetings`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from hireflow.candidates import language_zone
from hireflow.candidates.models import Application, Candidate
from hireflow.core.errors import N_, AppError, NotFound
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import require
from hireflow.core.rows import value_map
from hireflow.core.settings import get_settings
from hireflow.openings.models import OpeningMember
from hireflow.org.models import Tenant
from hireflow.scheduling import (
    auto_assignment,
    availability,
    bookings,
    calendars,
    invitation_actions,
    invitations,
    messages,
    policies,
    printing,
    queries,
    routes_availability,
    routes_links,
    routes_meetings,
    routes_settings,
    schemas,
    sending,
    slot_search,
)
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.meetings.base import meeting_view
from hireflow.scheduling.models import INVITATION_STATUSES
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser, audit_read
from hireflow.web.forms import Form, PostedForm
from hireflow.web.routes import COMMON_ZONES
from hireflow.web.streaming import pdf_inline, public_file
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
# The candidate's link pages are this router's routes too (discovery finds one page router
# per domain; the routes themselves are copied, so they stay plain routes of this router).
router.routes.extend(routes_links.router.routes)
router.routes.extend(routes_meetings.router.routes)
router.routes.extend(routes_availability.router.routes)
router.routes.extend(routes_settings.router.routes)
NAV = (NavItem("/scheduling", N_("Interviews"), "invitations.read", order=25, group="recruiting"),)
ASSETS = Path(__file__).resolve().parent / "static"
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


class ChooseATime(AppError):
    """A booking form posted without a time."""

    code = "invalid"
    message = N_("Choose a time.")


def _ints(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


# --------------------------------------------------------------------------- overview


@router.get("/scheduling")
def overview(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "invitations.read")
    if not principal.is_staff:
        return _my_invitations(request, session, principal)
    summaries = queries.overview(session, principal)
    seen = {s.opening.id for s in summaries}
    others = [o for o in queries.invitable_openings(session, principal) if o.id not in seen]
    staff = []
    if principal.has("scheduling.configure"):
        staff = availability.interviewer_choices(session, principal)
    upcoming = queries.upcoming(session, principal)
    # the upcoming interviews name their candidates
    audit_read(
        session, principal, "invitations.listed", "invitation", [b.invitation_id for b in upcoming]
    )
    return render(
        request,
        "scheduling/overview.html",
        {"summaries": summaries, "others": others, "upcoming": upcoming, "staff": staff},
    )


def _my_invitations(request: Request, session: DbSession, principal: PageUser) -> Response:
    """A signed-in candidate's own invitations, with their personal links."""
    settings = get_settings()
    rows = []
    for inv in queries.my_invitations(session, principal):
        policy = policies.policy_for(session, inv.tenant_id)
        link = None
        if inv.status not in ("cancelled", "queued"):
            link = "/i/" + messages.link_token(settings, inv, policy)
        rows.append({"invitation": inv, "link": link})
    return render(request, "scheduling/mine.html", {"rows": rows})


# --------------------------------------------------------------------------- progress


@router.get("/scheduling/openings/{opening_id}")
def progress_page(
    request: Request, session: DbSession, principal: PageUser, opening_id: Id, status: str = ""
) -> Response:
    status = status if status in INVITATION_STATUSES else ""
    view = queries.progress(session, principal, opening_id, status)
    shown = [row.invitation.id for row in view.rows]
    audit_read(session, principal, "invitations.listed", "invitation", shown)
    return render(request, "scheduling/progress.html", {"view": view, "status": status})


@router.post("/scheduling/openings/{opening_id}/auto-assign")
def auto_assign(
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
    applications = queries.visible_rows(
        session, principal, "candidates.read", Application, Application.opening_id == opening.id
    )
    panel = list(
        session.scalars(
            select(OpeningMember.user_id).where(
                OpeningMember.opening_id == opening.id, OpeningMember.role == "interviewer"
            )
        )
    )
    context.update(
        opening=opening,
        applications=applications,
        locales=_shown_locales(session, principal, applications),
        staff=availability.interviewer_choices(session, principal),
        panel=panel,
    )
    return context


def _shown_locales(
    session: DbSession, principal: PageUser, applications: list[Application]
) -> dict[int, dict[str, Any]]:
    """Each candidate's language and zone as the form shows them, and where they came from."""
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
    return locales


def _render_invite(
    request: Request,
    session: DbSession,
    principal: PageUser,
    context: dict[str, Any],
    status_code: int = 200,
) -> Response:
    """The invite page; it lists the opening's candidates, so the read is audited."""
    shown = [application.candidate_id for application in context["applications"]]
    audit_read(session, principal, "applications.listed", "candidate", shown)
    return render(request, "scheduling/invite.html", context, status_code=status_code)


def _locale_overrides(
    form: PostedForm, candidate_ids: list[int], shown: dict[int, dict[str, Any]]
) -> dict[str, dict[str, str]]:
    """The languages and zones HR changed on the form (unchanged rows are not HR's choice)."""
    overrides: dict[str, dict[str, str]] = {}
    for cid in candidate_ids:
        language = form.get(f"language_{cid}").strip()
        zone = form.get(f"timezone_{cid}").strip()
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
    return _render_invite(
        request, session, principal, _invite_context(session, principal, opening_id)
    )


def _invite_payload(form: PostedForm, zone: str) -> dict[str, Any]:
    deadline = forms.local_datetime(form.get("deadline"), zone)
    return {
        "opening_id": form.get("opening_id") or 0,
        "candidate_ids": _ints(form.listed("candidate_ids")),
        "kind": form.get("kind") or "live",
        "deadline": deadline.isoformat() if deadline else None,
        "duration_minutes": form.get("duration_minutes") or None,
        "round_name": form.get("round_name"),
        "meeting_url": form.get("meeting_url").strip(),
        "materials": [line for line in form.get("materials").splitlines() if line.strip()],
        "notes": form.get("notes"),
        "interviewer_ids": _ints(form.listed("interviewer_ids")),
        "panel": form.get("panel") == "on",
        "request_key": form.get("request_key"),
    }


def _invite_submit(
    request: Request, session: DbSession, principal: PageUser, form: PostedForm, send: bool
) -> Response:
    require(principal, "invitations.send")
    opening_id = int(form.get("opening_id")) if form.get("opening_id").isdigit() else 0
    payload = _invite_payload(form, request.state.timezone)
    if opening_id:
        shown = _invite_context(session, principal, opening_id)["locales"]
        payload["locales"] = _locale_overrides(form, payload["candidate_ids"], shown)

    def page(errors: dict[str, str], preview: schemas.PreviewOut | None = None) -> Response:
        context = _invite_context(session, principal, opening_id or None)
        skipped = preview.skipped if preview else []
        context.update(
            errors=errors,
            values={
                **form.values,
                "candidate_ids": payload["candidate_ids"],
                "interviewer_ids": payload["interviewer_ids"],
            },
            preview=preview,
            request_key=form.get("request_key") or context["request_key"],
            names=_candidate_names(session, [s.candidate_id for s in skipped]),
        )
        return _render_invite(request, session, principal, context, 422 if errors else 200)

    def act(data: schemas.InvitationCreate) -> Response:
        if not send:
            return page(
                {}, invitations.preview_invitations(session, principal, data, get_settings())
            )
        batch, skipped, _created = invitations.create_invitations(
            session, principal, data, get_settings()
        )
        names = _candidate_names(session, [s.candidate_id for s in skipped])
        # the candidates left out are named on the page
        audit_read(session, principal, "applications.listed", "candidate", list(names))
        context = {
            "batch": invitations.batch_view(session, principal, batch.id),
            "skipped": skipped,
            "names": names,
        }
        return render(request, "scheduling/batch.html", context, status_code=202)

    return forms.submit_form(request, schemas.InvitationCreate, payload, act, page)


def _candidate_names(session: DbSession, ids: list[int]) -> dict[int, str]:
    return value_map(session, Candidate.id, Candidate.name, ids)


@router.post("/scheduling/invite/preview")
def invite_preview(
    request: Request, session: DbSession, principal: PageUser, form: Form
) -> Response:
    return _invite_submit(request, session, principal, form, send=False)


@router.post("/scheduling/invite")
def invite_send(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    return _invite_submit(request, session, principal, form, send=True)


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


@router.get("/scheduling/batches/{invitation_batch_id}/invitations.pdf")
def batch_pdf(session: DbSession, principal: PageUser, invitation_batch_id: Id) -> Response:
    """Printable invitations of one send, one page per candidate with a QR code."""
    content, _pages = printing.printable_invitations(
        session, principal, get_settings(), batch_id=invitation_batch_id
    )
    return pdf_inline(content, f"invitations-{invitation_batch_id}.pdf")


@router.get("/scheduling/invitations/{invitation_id}/invitation.pdf")
def invitation_pdf(session: DbSession, principal: PageUser, invitation_id: Id) -> Response:
    content, _pages = printing.printable_invitations(
        session, principal, get_settings(), invitation_id=invitation_id
    )
    return pdf_inline(content, f"invitation-{invitation_id}.pdf")


# --------------------------------------------------------------------------- one invitation

CLOSED_TO_BOOKING = ("cancelled", "completed", "queued", "undeliverable")


def _invitation_context(
    session: DbSession, principal: PageUser, invitation_id: int
) -> dict[str, Any]:
    inv = queries.invitation(session, principal, invitation_id)
    slots = []
    no_slots = None
    if (
        principal.has("invitations.send")
        and inv.kind != "ai"
        and inv.status not in CLOSED_TO_BOOKING
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
        "meeting": meeting_view(booking),
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


def _staff_action(
    request: Request,
    session: DbSession,
    principal: PageUser,
    invitation_id: int,
    form: PostedForm,
    run: Callable[[], object],
) -> Response:
    """Run one of HR's actions on an invitation, then go back (or to a ``next`` page of
    scheduling); a refusal shows the invitation again with the reason."""

    def page(errors: dict[str, str], status: int = 422, alternatives: Any = ()) -> Response:
        context = _invitation_context(session, principal, invitation_id)
        context.update(errors=errors, alternatives=list(alternatives))
        return render(request, "scheduling/invitation.html", context, status_code=status)

    def act() -> Response:
        try:
            run()
        except (SlotUnavailable, ChooseATime) as exc:  # 409 with alternatives, 400
            errors = forms.app_error_fields(exc, gettext_for(request.state.language))
            return page(errors, exc.status, getattr(exc, "alternatives", ()))
        target = form.get("next")
        if target.startswith("/scheduling/") and not target.startswith("//"):
            return RedirectResponse(target, status_code=303)
        return RedirectResponse(f"/scheduling/invitations/{invitation_id}", status_code=303)

    return forms.act_or_rerender(request, act, page)


def _start(form: PostedForm) -> datetime:
    start = routes_links.parse_instant(form.get("start"))
    if start is None:
        raise ChooseATime()
    return start


StaffAction = Callable[[DbSession, PageUser, int, PostedForm], object]
# HR's buttons on one invitation: (path, endpoint name, what it does).
STAFF_ACTIONS: tuple[tuple[str, str, StaffAction], ...] = (
    (
        "resend",
        "invitation_resend",
        lambda session, principal, invitation_id, _form: sending.resend_invitation(
            session, principal, invitation_id, get_settings()
        ),
    ),
    (
        "cancel",
        "invitation_cancel",
        lambda session, principal, invitation_id, _form: invitation_actions.cancel_invitation(
            session, principal, invitation_id, get_settings()
        ),
    ),
    (
        "complete",
        "invitation_complete",
        lambda session, principal, invitation_id, _form: invitation_actions.complete_invitation(
            session, principal, invitation_id
        ),
    ),
    (
        "unlock",
        "invitation_unlock",
        lambda session, principal, invitation_id, _form: invitation_actions.unlock_identity(
            session, principal, invitation_id
        ),
    ),
    (
        "book",
        "invitation_book",
        lambda session, principal, invitation_id, form: bookings.staff_book(
            session, principal, invitation_id, _start(form), get_settings()
        ),
    ),
    (
        "cancel-booking",
        "invitation_cancel_booking",
        lambda session, principal, invitation_id, _form: bookings.staff_cancel_booking(
            session, principal, invitation_id, get_settings()
        ),
    ),
)


def _add_staff_action(path: str, name: str, run: StaffAction) -> None:
    def endpoint(
        request: Request, session: DbSession, principal: PageUser, invitation_id: Id, form: Form
    ) -> Response:
        return _staff_action(
            request,
            session,
            principal,
            invitation_id,
            form,
            lambda: run(session, principal, invitation_id, form),
        )

    endpoint.__name__ = endpoint.__qualname__ = name
    router.post(f"/scheduling/invitations/{{invitation_id}}/{path}")(endpoint)


for _path, _name, _run in STAFF_ACTIONS:
    _add_staff_action(_path, _name, _run)


# --------------------------------------------------------------------------- assets


@router.get("/scheduling/assets/scheduling.js")
def asset_script() -> Response:
    return public_file(ASSETS / "scheduling.js", "text/javascript", 300)


@router.get("/scheduling/assets/ping")
def asset_ping() -> Response:
    """64 KiB of incompressible bytes for the device check's network measurement."""
    return Response(
        os.urandom(64 * 1024),
        media_type="application/octet-stream",
        headers={"Cache-Control": "no-store"},
    )
