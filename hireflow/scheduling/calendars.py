"""Interviewers and candidates as the pure slot core sees them.

Interviewers: working hours, holidays, busy blocks and booked interviews; candidates: their
zone, stated windows and preferred hours.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.org.models import User
from hireflow.scheduling import messages
from hireflow.scheduling.models import (
    AvailabilityProfile,
    Booking,
    BusyBlock,
    CandidateAvailability,
    Invitation,
    SchedulingPolicy,
)
from hireflow.scheduling.slots import CandidateAvailability as CoreCandidate
from hireflow.scheduling.slots import InterviewerCalendar
from hireflow.scheduling.timeline import (
    Interval,
    WorkingWindow,
    load_zone,
    local_interval,
    working_week,
)


def profile_of(session: Session, user_id: int) -> AvailabilityProfile | None:
    return session.scalars(
        select(AvailabilityProfile).where(AvailabilityProfile.user_id == user_id)
    ).first()


def windows_of(profile: AvailabilityProfile | None) -> tuple[WorkingWindow, ...]:
    if profile is None or not profile.working_hours:
        return working_week()
    return tuple(
        WorkingWindow(
            int(w["weekday"]), time.fromisoformat(w["start"]), time.fromisoformat(w["end"])
        )
        for w in profile.working_hours
    )


def calendars(
    session: Session,
    tenant_id: int,
    user_ids: list[int],
    policy: SchedulingPolicy,
    now: datetime,
    *,
    exclude_booking_id: int | None = None,
) -> list[InterviewerCalendar]:
    """The core's view of interviewers: hours, holidays, busy blocks and booked interviews."""
    if not user_ids:
        return []
    lo = now - timedelta(days=8)
    hi = now + timedelta(days=policy.horizon_days + 2)
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_(user_ids), User.tenant_id == tenant_id)
        )
    }
    profiles = {
        p.user_id: p
        for p in session.scalars(
            select(AvailabilityProfile).where(AvailabilityProfile.user_id.in_(list(users)))
        )
    }
    # Plain rows, not ORM objects: a busy fortnight of 50 calendars is thousands of them.
    busy: dict[int, list[Interval]] = {}
    for user_id, start, end in session.execute(
        select(BusyBlock.user_id, BusyBlock.start, BusyBlock.end).where(
            BusyBlock.user_id.in_(list(users)), BusyBlock.end > lo, BusyBlock.start < hi
        )
    ):
        busy.setdefault(user_id, []).append(Interval(start, end))
    booked: dict[int, list[Interval]] = {}
    stmt = select(Booking.interviewer_ids, Booking.start, Booking.end).where(
        Booking.tenant_id == tenant_id,
        Booking.status == "active",
        Booking.end > lo,
        Booking.start < hi,
    )
    if exclude_booking_id is not None:
        stmt = stmt.where(Booking.id != exclude_booking_id)
    for panel_ids, start, end in session.execute(stmt):
        for uid in panel_ids or []:
            booked.setdefault(int(uid), []).append(Interval(start, end))
    out = []
    for uid in user_ids:
        user = users.get(uid)
        if user is None or not user.is_active:
            continue
        profile = profiles.get(uid)
        zone = messages.safe_zone(profile.timezone if profile else user.timezone, "UTC")
        out.append(
            InterviewerCalendar(
                interviewer_id=str(uid),
                timezone=zone,
                working_hours=windows_of(profile),
                busy=tuple(busy.get(uid, ())),
                interviews=tuple(booked.get(uid, ())),
                holidays=frozenset(
                    date.fromisoformat(d) for d in (profile.holidays if profile else [])
                ),
                max_per_day=(profile.max_per_day if profile and profile.max_per_day else None)
                or policy.max_per_day,
            )
        )
    return out


WAKING_HOURS = (time(8), time(21))


def candidate_core(
    session: Session,
    invitation: Invitation,
    now: datetime,
    *,
    waking_hours: bool = True,
    hours: tuple[time, time] = WAKING_HOURS,
) -> CoreCandidate:
    """The candidate as the core sees them: zone, stated windows, preferred hours.

    A candidate who stated nothing is offered only their local 08:00-21:00 (a Berlin
    interviewer's morning is 03:00 in New York: not a time to propose); with
    ``waking_hours=False`` no stated windows means none at all (the batch solver's input).
    """
    row = session.scalars(
        select(CandidateAvailability).where(
            CandidateAvailability.candidate_id == invitation.candidate_id
        )
    ).first()
    windows: tuple[Interval, ...] | None = None
    preferred = (time(9), time(18))
    if row is not None:
        preferred = (time.fromisoformat(row.preferred_start), time.fromisoformat(row.preferred_end))
        stated = [
            Interval(datetime.fromisoformat(s), datetime.fromisoformat(e))
            for s, e in row.windows or []
            if datetime.fromisoformat(e) > now
        ]
        windows = tuple(stated) if stated else None
    zone = messages.safe_zone(invitation.timezone, "UTC")
    if windows is None and waking_hours:
        today = now.astimezone(load_zone(zone)).date()
        windows = tuple(
            local_interval(zone, today + timedelta(days=offset), *hours) for offset in range(-1, 93)
        )
    return CoreCandidate(
        candidate_id=str(invitation.candidate_id),
        timezone=zone,
        windows=windows,
        preferred_start=preferred[0],
        preferred_end=preferred[1],
    )


def panel_of(session: Session, invitation: Invitation) -> list[int]:
    return messages.interviewer_ids(session, invitation)


def invitation_calendars(
    session: Session,
    invitation: Invitation,
    panel: list[int],
    policy: SchedulingPolicy,
    now: datetime,
) -> list[InterviewerCalendar]:
    """The panel's calendars with the invitation's own booking left out, so a candidate moving
    their interview sees its time as free."""
    booking = invitation.booking
    return calendars(
        session,
        invitation.tenant_id,
        panel,
        policy,
        now,
        exclude_booking_id=booking.id if booking is not None else None,
    )
