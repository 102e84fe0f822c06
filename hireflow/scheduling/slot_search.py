"""The slots a candidate may choose, and why there are none (SPEC D3)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal
from hireflow.core.timezones import TimeError
from hireflow.org.models import User
from hireflow.scheduling import explain
from hireflow.scheduling.calendars import (
    WAKING_HOURS,
    candidate_core,
    invitation_calendars,
    panel_of,
)
from hireflow.scheduling.errors import scheduling_error
from hireflow.scheduling.explain import NoSlots
from hireflow.scheduling.invitations import staff_invitation
from hireflow.scheduling.models import (
    Invitation,
    SchedulingPolicy,
)
from hireflow.scheduling.policies import policy_for, slot_request
from hireflow.scheduling.slots import InterviewerCalendar, Slot, check_slot, find_slots


def search_inputs(
    session: Session, invitation: Invitation, now: datetime
) -> tuple[SchedulingPolicy, list[int], list[InterviewerCalendar]]:
    """The company's rules, the panel and its calendars (the invitation's own booking left
    out, so a candidate moving their interview sees its time as free)."""
    policy = policy_for(session, invitation.tenant_id)
    panel = panel_of(session, invitation)
    cals = invitation_calendars(session, invitation, panel, policy, now)
    return policy, panel, cals


def offered_slots(
    session: Session,
    invitation: Invitation,
    now: datetime | None = None,
    limit: int = 24,
) -> list[Slot]:
    """Slots the candidate may choose, soonest first (at most one per start time)."""
    now = now or utcnow()
    if invitation.kind == "ai":
        return []
    policy, _panel, cals = search_inputs(session, invitation, now)
    if not cals:
        return []
    request = slot_request(
        policy, invitation.duration_minutes, panel=invitation.panel, limit=limit * 3
    )
    try:
        found = find_slots(candidate_core(session, invitation, now), cals, request, now)
    except TimeError as exc:
        raise scheduling_error(exc) from exc
    by_start: dict[datetime, Slot] = {}
    for slot in found:
        if slot.start not in by_start or slot.score < by_start[slot.start].score:
            by_start[slot.start] = slot
    best = sorted(by_start.values(), key=lambda s: s.score)[:limit]
    return sorted(best, key=lambda s: s.start)


def explain_no_slots(
    session: Session, invitation: Invitation, now: datetime | None = None
) -> NoSlots:
    """Why :func:`offered_slots` is empty for this invitation and what would give times."""
    now = now or utcnow()
    policy, panel, cals = search_inputs(session, invitation, now)
    # windows the candidate stated themselves (still ahead) replace the waking-hours rule
    stated = candidate_core(session, invitation, now, waking_hours=False).windows is not None
    candidate = candidate_core(session, invitation, now)
    request = slot_request(policy, invitation.duration_minutes, panel=invitation.panel)
    users = session.execute(select(User.id, User.name).where(User.id.in_(panel))).all()
    try:
        return explain.explain_no_slots(
            candidate,
            cals,
            request,
            now,
            names={str(uid): name for uid, name in users},
            hours=None if stated else WAKING_HOURS,
            with_hours=lambda start, end: candidate_core(
                session, invitation, now, hours=(start, end)
            ),
        )
    except TimeError as exc:
        raise scheduling_error(exc) from exc


def alternatives_near(
    session: Session, invitation: Invitation, start: datetime, now: datetime
) -> list[Slot]:
    policy, _panel, cals = search_inputs(session, invitation, now)
    if not cals:
        return []
    request = slot_request(policy, invitation.duration_minutes, panel=invitation.panel)
    try:
        check = check_slot(
            max(start, now), candidate_core(session, invitation, now), cals, request, now
        )
    except TimeError:
        return []
    return list(check.alternatives)


def staff_offered_slots(
    session: Session, principal: Principal, invitation_id: int, now: datetime | None = None
) -> tuple[Invitation, list[Slot]]:
    invitation = staff_invitation(session, principal, invitation_id, "invitations.read")
    return invitation, offered_slots(session, invitation, now)
