"""Live interview pages: the room list, HR's room with the assistant beside the call, and the
candidate's room reached by the link (SPEC E2). The call and the assistant run in
``/static/live/live.js`` against the API in :mod:`hireflow.live.routes_api`."""

from __future__ import annotations

from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Select, select

from hireflow.candidates.models import Application, Candidate
from hireflow.core.errors import N_
from hireflow.core.permissions import can, require, restrict
from hireflow.core.settings import get_settings
from hireflow.live import schemas, service
from hireflow.live.links import candidate_path
from hireflow.openings.models import Opening
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser
from hireflow.web.forms import Form
from hireflow.web.lookups import names_and_titles
from hireflow.web.templating import NavItem, render

router = APIRouter(include_in_schema=False)
NAV = (NavItem("/live", N_("Live interviews"), "live.join", order=14, group="recruiting"),)
MODE_LABELS = {
    "webrtc": N_("Video call in Hireflow"),
    "capture": N_("Call in another product (the assistant listens in this browser)"),
}
STATUS_LABELS = {"open": N_("room open"), "ended": N_("ended")}


def _applications(session: DbSession, principal: PageUser) -> list[dict[str, Any]]:
    """Applications whose rooms this user may open, newest first, with names to choose by."""
    if not can(principal, "live.manage"):
        return []
    stmt = cast(
        Select[Any],
        select(Application, Candidate.name, Opening.title)
        .join(Candidate, Candidate.id == Application.candidate_id)
        .join(Opening, Opening.id == Application.opening_id)
        .order_by(Application.id.desc())
        .limit(200),
    )
    rows = session.execute(restrict(stmt, principal, "live.manage", Application)).all()
    return [{"id": row[0].id, "name": row[1], "opening": row[2]} for row in rows]


def _list_context(session: DbSession, principal: PageUser) -> dict[str, Any]:
    rooms = service.rooms(session, principal)
    names, titles = names_and_titles(session, rooms)
    booked = service.booked_rounds(session, principal) if can(principal, "live.manage") else []
    by_pair = {(a.candidate_id, a.opening_id): a.id for a in _booked_applications(session, booked)}
    return {
        "rooms": rooms,
        "names": names,
        "titles": titles,
        "booked": [(i, by_pair.get((i.candidate_id, i.opening_id))) for i in booked],
        "applications": _applications(session, principal),
        "modes": MODE_LABELS,
        "statuses": STATUS_LABELS,
        "can_manage": can(principal, "live.manage"),
        "company": service.company_settings(session, principal.tenant_id)
        if can(principal, "live.configure")
        else None,
    }


def _booked_applications(session: DbSession, invitations: list[Any]) -> list[Application]:
    pairs = {(i.candidate_id, i.opening_id) for i in invitations}
    if not pairs:
        return []
    found = session.scalars(
        select(Application).where(Application.candidate_id.in_({c for c, _ in pairs}))
    )
    return [a for a in found if (a.candidate_id, a.opening_id) in pairs]


@router.get("/live")
def live_page(request: Request, session: DbSession, principal: PageUser) -> Response:
    require(principal, "live.join")
    return render(request, "live/list.html", _list_context(session, principal))


@router.post("/live/rooms")
def open_room(request: Request, session: DbSession, principal: PageUser, form: Form) -> Response:
    require(principal, "live.manage")

    def open_it(parsed: schemas.RoomIn) -> object:
        return service.open_room(
            session,
            principal,
            parsed.application_id,
            mode=parsed.mode,
            planned_minutes=parsed.planned_minutes,
        )

    values = {k: v for k, v in form.values.items() if k in ("application_id", "mode")}
    if form.values.get("planned_minutes"):
        values["planned_minutes"] = form.values["planned_minutes"]
    return forms.submit_form(
        request,
        schemas.RoomIn,
        values,
        forms.redirect_to_new(open_it, "/live/rooms/{id}"),
        forms.rerender(request, "live/list.html", lambda: _list_context(session, principal)),
    )


@router.post("/live/settings")
def save_settings(session: DbSession, principal: PageUser, form: Form) -> Response:
    require(principal, "live.configure")
    enabled = form.values.get("voice_observations") == "on"
    service.set_voice_observations(session, principal, enabled)
    return RedirectResponse("/live?saved=1", status_code=303)


@router.get("/live/rooms/{live_room_id}")
def room_page(
    request: Request, session: DbSession, principal: PageUser, live_room_id: Id
) -> Response:
    room = service.visible_room(session, principal, live_room_id)
    candidate = session.get(Candidate, room.candidate_id)
    opening = session.get(Opening, room.opening_id)
    return render(
        request,
        "live/room.html",
        {
            "room": room,
            "candidate_name": candidate.name if candidate else "",
            "opening_title": opening.title if opening else "",
            "candidate_link": get_settings().base_url.rstrip("/")
            + candidate_path(get_settings(), room),
            "can_manage": can(principal, "live.manage"),
            "modes": MODE_LABELS,
            "statuses": STATUS_LABELS,
        },
    )


@router.get("/live/join/{link_token}")
def candidate_page(request: Request, session: DbSession, link_token: str) -> Response:
    room = service.room_by_link(session, get_settings(), link_token)
    opening = session.get(Opening, room.opening_id)
    return render(
        request,
        "live/join.html",
        {"room": room, "token": link_token, "opening_title": opening.title if opening else ""},
    )
