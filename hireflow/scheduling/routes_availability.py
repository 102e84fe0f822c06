"""Interviewers' availability pages: working hours and holidays, busy blocks, a calendar imported
from a file or a subscription address. Included by ``routes_web``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from hireflow.core.errors import N_
from hireflow.core.permissions import require
from hireflow.core.settings import get_settings
from hireflow.org.models import User
from hireflow.scheduling import availability, calendar_sync, schemas
from hireflow.web import forms
from hireflow.web.deps import DbSession, Id, PageUser
from hireflow.web.forms import Form, PostedForm
from hireflow.web.routes import COMMON_ZONES
from hireflow.web.templating import render

router = APIRouter(include_in_schema=False)
CALENDAR_FILE_BYTES = 5 * 1024 * 1024
WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


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


def _hours_payload(form: PostedForm) -> dict[str, Any]:
    hours = []
    for day in range(7):
        if form.get(f"on_{day}") != "on":
            continue
        for part in ("1", "2"):
            start, end = form.get(f"start{part}_{day}"), form.get(f"end{part}_{day}")
            if start and end:
                hours.append({"weekday": day, "start": start, "end": end})
    holidays = [line.strip() for line in form.get("holidays").replace(",", "\n").splitlines()]
    return {
        "timezone": form.get("timezone"),
        "working_hours": hours,
        "holidays": [h for h in holidays if h],
        "max_per_day": form.get("max_per_day") or None,
    }


def _availability_submit(
    request: Request,
    session: DbSession,
    principal: PageUser,
    user_id: int,
    schema: type[BaseModel],
    fields: dict[str, Any],
    save: Callable[[Any], object],
) -> Response:
    """Validate one of the availability forms and save it; errors show the page again."""
    return forms.submit_form(
        request,
        schema,
        fields,
        forms.redirect_after(save, f"/scheduling/availability/{user_id}?saved=1"),
        forms.rerender(
            request,
            "scheduling/availability.html",
            lambda: _availability_context(session, principal, user_id),
        ),
    )


@router.post("/scheduling/availability/{availability_user_id}")
def availability_save(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id, form: Form
) -> Response:
    def save(data: schemas.AvailabilityIn) -> object:
        return availability.save_availability(session, principal, availability_user_id, data)

    return _availability_submit(
        request,
        session,
        principal,
        availability_user_id,
        schemas.AvailabilityIn,
        _hours_payload(form),
        save,
    )


@router.post("/scheduling/availability/{availability_user_id}/busy")
def availability_busy(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id, form: Form
) -> Response:
    zone = availability.availability_view(session, principal, availability_user_id).timezone
    fields = {
        "start": forms.local_datetime(form.get("start"), zone),
        "end": forms.local_datetime(form.get("end"), zone),
        "label": form.get("label"),
    }

    def save(data: schemas.BusyIn) -> object:
        return availability.add_busy(session, principal, availability_user_id, data)

    return _availability_submit(
        request, session, principal, availability_user_id, schemas.BusyIn, fields, save
    )


@router.post("/scheduling/availability/{availability_user_id}/calendar")
def availability_calendar(
    request: Request, session: DbSession, principal: PageUser, availability_user_id: Id, form: Form
) -> Response:
    raw = form.read_file("file", CALENDAR_FILE_BYTES + 1)
    fields = {
        "url": form.get("url").strip(),
        "ics": raw.decode("utf-8", errors="replace") if raw is not None else "",
    }

    def save(data: schemas.CalendarImportIn) -> object:
        return calendar_sync.import_calendar(
            session, principal, availability_user_id, data, get_settings()
        )

    return _availability_submit(
        request, session, principal, availability_user_id, schemas.CalendarImportIn, fields, save
    )


@router.post("/scheduling/busy/{busy_block_id}/delete")
def busy_delete(session: DbSession, principal: PageUser, busy_block_id: Id) -> Response:
    user_id = availability.delete_busy(session, principal, busy_block_id)
    return RedirectResponse(f"/scheduling/availability/{user_id}", status_code=303)
