"""Interviewers' availability (SPEC D1): working hours, holidays, daily caps, busy blocks."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require_visible
from hireflow.core.timezones import TimeError
from hireflow.org.models import RoleAssignment, User
from hireflow.scheduling import schemas
from hireflow.scheduling.calendars import profile_of, windows_of
from hireflow.scheduling.errors import scheduling_error
from hireflow.scheduling.models import (
    AvailabilityProfile,
    BusyBlock,
)
from hireflow.scheduling.timeline import WorkingWindow


def managed_user(session: Session, principal: Principal, user_id: int) -> User:
    """A user whose availability the caller may manage: themselves, or anyone for HR."""
    return require_visible(session, User, user_id, principal, "availability.manage")


def availability_view(
    session: Session, principal: Principal, user_id: int, now: datetime | None = None
) -> schemas.AvailabilityOut:
    user = managed_user(session, principal, user_id)
    profile = profile_of(session, user.id)
    now = now or utcnow()
    busy = session.scalars(
        select(BusyBlock)
        .where(BusyBlock.user_id == user.id, BusyBlock.end > now)
        .order_by(BusyBlock.start)
        .limit(500)
    )
    windows = windows_of(profile)
    return schemas.AvailabilityOut(
        user_id=user.id,
        timezone=profile.timezone if profile else user.timezone,
        working_hours=[
            schemas.WorkingWindowIn(
                weekday=w.weekday, start=w.start.strftime("%H:%M"), end=w.end.strftime("%H:%M")
            )
            for w in windows
        ],
        holidays=[date.fromisoformat(d) for d in (profile.holidays if profile else [])],
        max_per_day=profile.max_per_day if profile else None,
        is_default=profile is None or not profile.working_hours,
        calendar_url_set=bool(profile and profile.calendar_url_token),
        calendar_synced_at=profile.calendar_synced_at if profile else None,
        busy=[schemas.BusyOut.model_validate(b) for b in busy],
    )


def save_availability(
    session: Session, principal: Principal, user_id: int, data: schemas.AvailabilityIn
) -> AvailabilityProfile:
    user = managed_user(session, principal, user_id)
    windows = []
    for w in data.working_hours:
        try:
            WorkingWindow(w.weekday, time.fromisoformat(w.start), time.fromisoformat(w.end))
        except TimeError as exc:
            raise scheduling_error(exc) from exc
        windows.append(w.model_dump())
    profile = profile_of(session, user.id)
    if profile is None:
        profile = AvailabilityProfile(tenant_id=user.tenant_id, user_id=user.id)
        session.add(profile)
    profile.timezone = data.timezone
    profile.working_hours = windows
    profile.holidays = sorted({d.isoformat() for d in data.holidays})
    profile.max_per_day = data.max_per_day
    session.flush()
    audit.commit_recorded(
        session,
        "availability.saved",
        actor=principal,
        target_type="user",
        target_id=user.id,
        new={
            "timezone": data.timezone,
            "working_hours": windows,
            "holidays": profile.holidays,
            "max_per_day": data.max_per_day,
        },
    )
    return profile


def add_busy(
    session: Session,
    principal: Principal,
    user_id: int,
    data: schemas.BusyIn,
    now: datetime | None = None,
) -> BusyBlock:
    user = managed_user(session, principal, user_id)
    now = now or utcnow()
    if data.end <= data.start:
        raise ValidationFailed(N_("The end must be after the start."), fields={"end": "order"})
    if data.end <= now:
        raise ValidationFailed(N_("This time is in the past."), fields={"start": "past"})
    if data.end - data.start > timedelta(days=62):
        raise ValidationFailed(N_("A busy block can last at most 62 days."), fields={"end": "long"})
    block = BusyBlock(
        tenant_id=user.tenant_id,
        user_id=user.id,
        start=data.start,
        end=data.end,
        source="manual",
        label=data.label.strip(),
        created_at=now,
    )
    session.add(block)
    session.flush()
    new = {"block_id": block.id, "start": data.start, "end": data.end}
    audit.commit_created(
        session,
        block,
        "availability.busy_added",
        actor=principal,
        target_type="user",
        new=new,
        target_id=user.id,
    )
    return block


def delete_busy(session: Session, principal: Principal, busy_id: int) -> int:
    """Remove a busy block; returns the id of the user it belonged to."""
    block = require_visible(session, BusyBlock, busy_id, principal, "availability.manage")
    user_id = block.user_id
    old = {"block_id": block.id, "start": block.start, "end": block.end}
    audit.commit_deleted(
        session,
        block,
        "availability.busy_removed",
        actor=principal,
        target_type="user",
        old=old,
        target_id=user_id,
    )
    return user_id


def interviewer_choices(session: Session, principal: Principal) -> list[User]:
    """Staff who can be put on a panel: interviewers, hiring managers, recruiters, HR."""
    return list(
        session.scalars(
            select(User)
            .where(
                User.tenant_id == principal.tenant_id,
                User.is_active.is_(True),
                User.id.in_(
                    select(RoleAssignment.user_id).where(
                        RoleAssignment.role.in_(
                            ("interviewer", "hiring_manager", "recruiter", "hr_admin")
                        )
                    )
                ),
            )
            .order_by(User.name)
        )
    )
