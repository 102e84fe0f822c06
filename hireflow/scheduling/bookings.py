"""Booking, moving and cancelling an interview's time (SPEC D3).

No double booking: a booking claims five-minute cells of each interviewer's time (interview
plus buffer) and of the candidate's, and ``(owner_key, cell)`` is unique in the database, so
of two requests racing for overlapping times exactly one commits (:func:`book`).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.core.timezones import TimeError
from hireflow.notifications import outbox
from hireflow.scheduling import booking_messages, messages
from hireflow.scheduling.calendars import candidate_core, invitation_calendars, panel_of
from hireflow.scheduling.errors import TOO_LATE, SlotUnavailable, scheduling_error
from hireflow.scheduling.invitations import advance, staff_invitation
from hireflow.scheduling.meetings import service as meetings
from hireflow.scheduling.models import (
    CLAIM_CELL_SECONDS,
    Booking,
    Invitation,
    SchedulingPolicy,
    SlotClaim,
)
from hireflow.scheduling.policies import policy_for, slot_request
from hireflow.scheduling.reminders import schedule_reminders
from hireflow.scheduling.slot_search import alternatives_near
from hireflow.scheduling.slots import Slot, check_slot


def _cells(start: datetime, end: datetime, extra_seconds: int = 0) -> range:
    lo = int(start.timestamp()) // CLAIM_CELL_SECONDS
    hi = math.ceil((int(end.timestamp()) + extra_seconds) / CLAIM_CELL_SECONDS)
    return range(lo, hi)


def _claim_rows(
    booking: Booking, invitation: Invitation, policy: SchedulingPolicy
) -> list[dict[str, Any]]:
    rows = [
        {"booking_id": booking.id, "owner_key": f"u{int(uid)}", "cell": cell}
        for uid in booking.interviewer_ids
        for cell in _cells(booking.start, booking.end, policy.buffer_minutes * 60)
    ]
    rows += [
        {"booking_id": booking.id, "owner_key": f"c{invitation.candidate_id}", "cell": cell}
        for cell in _cells(booking.start, booking.end)
    ]
    # One global order for every booking's inserts, so two transactions waiting on each
    # other's unique keys (PostgreSQL) cannot deadlock: one of them simply fails the check.
    return sorted(rows, key=lambda row: (row["owner_key"], row["cell"]))


class _SlotTaken(Exception):
    """Another booking holds one of the cells (seen before trying to insert)."""


def _taken(session: Session, rows: list[dict[str, Any]]) -> bool:
    cells: dict[str, list[int]] = {}
    for row in rows:
        cells.setdefault(row["owner_key"], []).append(row["cell"])
    condition = or_(
        *(
            and_(SlotClaim.owner_key == owner, SlotClaim.cell.in_(owned))
            for owner, owned in cells.items()
        )
    )
    return session.scalars(select(SlotClaim.id).where(condition).limit(1)).first() is not None


def _check_may_book(
    invitation: Invitation,
    start: datetime,
    policy: SchedulingPolicy,
    now: datetime,
    *,
    enforce_candidate_rules: bool,
) -> None:
    """Refuse what no slot check can fix: a closed invitation, a passed deadline, a change
    too close to the interview (candidates only), a time in the past."""
    if start.tzinfo is None:
        raise ValidationFailed(N_("Give a time zone."), fields={"start": "naive"})
    if invitation.kind == "ai":
        raise ValidationFailed(N_("A one-way AI interview has no time slot to book."))
    if invitation.status in ("cancelled", "completed", "queued", "undeliverable"):
        raise ValidationFailed(N_("This invitation is closed."))
    booking = invitation.booking
    active = booking is not None and booking.status == "active"
    if enforce_candidate_rules:
        if not active and now > invitation.deadline:
            raise ValidationFailed(
                N_("The time to choose a slot has passed. Please contact the recruiter."),
                code="deadline_passed",
            )
        if (
            active
            and booking is not None
            and booking.start - now < timedelta(hours=policy.change_cutoff_hours)
        ):
            raise ValidationFailed(TOO_LATE, code="too_late_to_change")
    if start < now:
        raise ValidationFailed(N_("This time is in the past."), code="slot_in_past")


def _checked_slot(
    session: Session,
    invitation: Invitation,
    start: datetime,
    policy: SchedulingPolicy,
    now: datetime,
    panel: list[int],
) -> Slot:
    """The slot at ``start`` as the core checks it, or :class:`SlotUnavailable`."""
    cals = invitation_calendars(session, invitation, panel, policy, now)
    if not cals:
        raise ValidationFailed(N_("No interviewer is available for this invitation."))
    request = slot_request(policy, invitation.duration_minutes, panel=invitation.panel)
    try:
        check = check_slot(start, candidate_core(session, invitation, now), cals, request, now)
    except TimeError as exc:
        raise scheduling_error(exc) from exc
    if not check.available or check.slot is None:
        language = invitation.language
        raise SlotUnavailable(
            alternatives=check.alternatives,
            reasons=[
                r.message_zh if language.startswith("zh") else r.message_en for r in check.reasons
            ],
        )
    return check.slot


def _claim(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    policy: SchedulingPolicy,
    start: datetime,
    now: datetime,
) -> None:
    """Claim the booking's cells; a race lost to another booking is a :class:`SlotUnavailable`."""
    session.execute(delete(SlotClaim).where(SlotClaim.booking_id == booking.id))
    rows = _claim_rows(booking, invitation, policy)
    try:
        if _taken(session, rows):
            raise _SlotTaken()
        # The unique (owner_key, cell) pair decides races the check above cannot see.
        session.execute(insert(SlotClaim), rows)
        session.flush()
    except (IntegrityError, _SlotTaken):
        session.rollback()
        raise SlotUnavailable(
            N_("Someone booked this time a moment ago. Please choose another one."),
            alternatives=alternatives_near(session, invitation, start, now),
        ) from None


def book(
    session: Session,
    invitation: Invitation,
    start: datetime,
    settings: Settings,
    *,
    actor: Principal | None,
    now: datetime | None = None,
    enforce_candidate_rules: bool = True,
    only_interviewers: list[int] | None = None,
) -> Booking:
    """Book (or move) the invitation's interview to ``start``; commits.

    Checks the slot with the core (working hours, holidays, busy blocks, caps, notice,
    horizon, grid, the candidate's stated times), then claims the cells. Raises
    :class:`SlotUnavailable` with the next best alternatives when the time cannot be had,
    including when another booking claimed it a moment earlier.
    """
    now = now or utcnow()
    policy = policy_for(session, invitation.tenant_id)
    _check_may_book(invitation, start, policy, now, enforce_candidate_rules=enforce_candidate_rules)
    panel = only_interviewers if only_interviewers is not None else panel_of(session, invitation)
    slot = _checked_slot(session, invitation, start, policy, now, panel)
    booking = invitation.booking
    active = booking is not None and booking.status == "active"
    previous_start = booking.start if active and booking is not None else None
    previous_panel = [int(i) for i in booking.interviewer_ids] if active and booking else []
    change = "rescheduled" if active else "booked"
    if booking is None:
        booking = Booking(tenant_id=invitation.tenant_id, invitation_id=invitation.id)
        session.add(booking)
        invitation.booking = booking
    else:
        booking.sequence += 1
    booking.start, booking.end = slot.start, slot.end
    booking.interviewer_ids = [int(i) for i in slot.interviewer_ids]
    booking.status = "active"
    booking.cancelled_at = None
    booking.booked_by = "candidate" if actor is None else "staff"
    session.flush()
    _claim(session, invitation, booking, policy, start, now)
    invitation.booked_at = invitation.booked_at or now
    advance(invitation, "booked")
    schedule_reminders(session, invitation, booking, policy, now)
    released = [i for i in previous_panel if i not in booking.interviewer_ids]
    # A generated meeting link is made by the worker after commit, which then sends these
    # messages with it (scheduling.meetings.service); a pasted one goes out now.
    if not meetings.on_booked(
        session, policy, invitation, booking, change, previous_start, released
    ):
        booking_messages.booking_messages(
            session,
            messages.parties(session, invitation),
            booking,
            settings,
            policy,
            change,
            previous_start,
            released,
        )
    _audit_booked(session, invitation, booking, actor, change, previous_start)
    _publish_booked(session, invitation, booking, change, actor)
    session.commit()
    return booking


def _publish_booked(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    change: str,
    actor: Principal | None,
) -> None:
    """``interview.booked``: the person's record shows the round they booked, moved or
    cancelled (``change``)."""
    application_id = session.scalar(
        select(Application.id).where(
            Application.candidate_id == invitation.candidate_id,
            Application.opening_id == invitation.opening_id,
        )
    )
    events.publish(
        session,
        "interview.booked",
        invitation.tenant_id,
        f"application:{application_id}" if application_id else f"invitation:{invitation.id}",
        {
            "booking_id": booking.id,
            "invitation_id": invitation.id,
            "candidate_id": invitation.candidate_id,
            "application_id": application_id,
            "opening_id": invitation.opening_id,
            "kind": invitation.kind,
            "change": change,
            "booked_by": booking.booked_by,
            "start": booking.start.isoformat(),
            "end": booking.end.isoformat(),
            "interviewers": [int(i) for i in booking.interviewer_ids],
            "actor": actor.user_id if actor is not None else None,
        },
    )


def _audit_booked(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    actor: Principal | None,
    change: str,
    previous_start: datetime | None,
) -> None:
    audit.record(
        session,
        f"booking.{change}",
        actor=actor,
        tenant_id=invitation.tenant_id,
        actor_label="" if actor else "candidate",
        target_type="invitation",
        target_id=invitation.id,
        new={
            "booking_id": booking.id,
            "start": booking.start,
            "end": booking.end,
            "interviewer_ids": booking.interviewer_ids,
            "sequence": booking.sequence,
        },
        old={"start": previous_start} if previous_start else None,
    )


def release_booking(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    settings: Settings,
    now: datetime,
    *,
    actor: Principal | None = None,
) -> None:
    """Cancel a booking inside the caller's transaction: free the cells, withdraw reminders,
    send the calendar cancellation and publish it (``actor``: the staff user, None for the
    candidate)."""
    previous = booking.start
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.sequence += 1
    session.execute(delete(SlotClaim).where(SlotClaim.booking_id == booking.id))
    policy = policy_for(session, invitation.tenant_id)
    schedule_reminders(session, invitation, booking, policy, now)
    outbox.cancel_pending(session, "booking", booking.id)
    meetings.on_released(session, booking)
    p = messages.parties(session, invitation)
    booking_messages.booking_messages(session, p, booking, settings, policy, "cancelled", previous)
    audit.record(
        session,
        "booking.cancelled",
        actor=None,
        tenant_id=invitation.tenant_id,
        actor_label=actor.name if actor else "candidate",
        target_type="invitation",
        target_id=invitation.id,
        old={"booking_id": booking.id, "start": previous},
    )
    # The record and webhooks learn of it like of a booking (``change`` "cancelled").
    _publish_booked(session, invitation, booking, "cancelled", actor)


def cancel_booking(
    session: Session,
    invitation: Invitation,
    settings: Settings,
    *,
    actor: Principal | None,
    now: datetime | None = None,
) -> None:
    """Cancel the invitation's booking (candidates within the cut-off; staff any time)."""
    now = now or utcnow()
    booking = invitation.booking
    if booking is None or booking.status != "active":
        raise ValidationFailed(N_("There is no booked interview to cancel."))
    policy = policy_for(session, invitation.tenant_id)
    if actor is None and booking.start - now < timedelta(hours=policy.change_cutoff_hours):
        raise ValidationFailed(
            TOO_LATE,
            code="too_late_to_change",
        )
    release_booking(session, invitation, booking, settings, now, actor=actor)
    if invitation.status == "booked":
        invitation.status = "verified" if invitation.verified_at else "opened"
    session.commit()


def staff_book(
    session: Session,
    principal: Principal,
    invitation_id: int,
    start: datetime,
    settings: Settings,
    now: datetime | None = None,
) -> Booking:
    """HR books (or moves) a slot for the candidate; the candidate gets the invite too."""
    invitation = staff_invitation(session, principal, invitation_id, "invitations.send")
    return book_as_staff(session, invitation, start, settings, principal, now)


def book_as_staff(
    session: Session,
    invitation: Invitation,
    start: datetime,
    settings: Settings,
    principal: Principal,
    now: datetime | None = None,
    only_interviewers: list[int] | None = None,
) -> Booking:
    """A booking made by staff: the candidate's own rules (deadline, change cut-off) do not
    apply; every check of the slot does."""
    return book(
        session,
        invitation,
        start,
        settings,
        actor=principal,
        now=now,
        enforce_candidate_rules=False,
        only_interviewers=only_interviewers,
    )


def staff_cancel_booking(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    invitation = staff_invitation(session, principal, invitation_id, "invitations.send")
    cancel_booking(session, invitation, settings, actor=principal)
    return invitation
