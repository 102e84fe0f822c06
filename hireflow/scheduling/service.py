"""Scheduling rules (SPEC D1-D3): policy, availability, invitations, bookings, reminders.

Staff functions check the caller (``require`` / ``get_visible``), write, audit and commit.
The pure cores do the thinking: :mod:`slots` finds and checks slots, :mod:`assignment` places
many candidates at once, :mod:`ics` writes invites, :mod:`links` signs personal links. Messages
go through the notification outbox (see :mod:`hireflow.scheduling.messages`).

No double booking: a booking claims five-minute cells of each interviewer's time (interview
plus buffer) and of the candidate's, and ``(owner_key, cell)`` is unique in the database, so
of two requests racing for overlapping times exactly one commits (:func:`book`).

Exactly-once work: invitation rows are claimed by a conditional UPDATE in the same
transaction that writes their outbox messages (:func:`send_invitation`); due reminders the same
way (:func:`dispatch_due_reminders`). A worker that dies mid-way leaves an uncommitted
transaction, i.e. nothing, and the row is still waiting for the next run.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import re
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit
from hireflow.core.crypto import CryptoError
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import N_, AppError, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, restrict
from hireflow.core.settings import Settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews.plan_facts import PlanFacts, facts_of
from hireflow.notifications import service as notify
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.models import RoleAssignment, Tenant, User
from hireflow.scheduling import explain, messages, schemas
from hireflow.scheduling.assignment import (
    BatchCandidate,
    BatchInterviewer,
    OpenSlot,
    assign_batch,
)
from hireflow.scheduling.explain import NoSlots
from hireflow.scheduling.ics import fetch_ics, parse_busy_blocks
from hireflow.scheduling.models import (
    CLAIM_CELL_SECONDS,
    AvailabilityProfile,
    Booking,
    BusyBlock,
    CandidateAvailability,
    Invitation,
    InvitationBatch,
    Reminder,
    SchedulingPolicy,
    SlotClaim,
)
from hireflow.scheduling.slots import (
    CandidateAvailability as CoreCandidate,
)
from hireflow.scheduling.slots import (
    Interval,
    InterviewerCalendar,
    SchedulingError,
    Slot,
    SlotRequest,
    WorkingWindow,
    check_slot,
    find_slots,
    load_zone,
    local_interval,
    tile_open_slots,
    working_week,
)

log = logging.getLogger(__name__)

# "sending": the messages are queued or in retry; "sent" once one of them is delivered
# (``_invitation_delivered``), "undeliverable" when every one of them failed.
STAGE_ORDER = ("queued", "sending", "sent", "opened", "verified", "booked", "completed")
OPEN_STATUSES = ("queued", "sending", "sent", "opened", "verified", "booked")
TOO_LATE = N_("It is too close to the interview to change it online. Please contact the recruiter.")


class SlotUnavailable(Conflict):
    """The requested time cannot be booked; ``alternatives`` are the next best slots."""

    code = "slot_unavailable"
    message = N_("This time cannot be booked.")

    def __init__(
        self,
        message: str | None = None,
        *,
        alternatives: Iterable[Slot] = (),
        reasons: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.alternatives = list(alternatives)
        self.reasons = list(reasons)


def scheduling_error(exc: SchedulingError) -> ValidationFailed:
    """A core error as a 422 (the core's own bilingual text goes in the parameters)."""
    return ValidationFailed(
        N_("Invalid scheduling input: %(reason)s"),
        code=exc.code,
        params={"reason": exc.message_en},
        fields={exc.code: exc.message_zh},
    )


# --------------------------------------------------------------------------- policy


def policy_for(session: Session, tenant_id: int) -> SchedulingPolicy:
    """The company's policy, or the defaults when it never saved one (not added to the session)."""
    row = session.scalars(
        select(SchedulingPolicy).where(SchedulingPolicy.tenant_id == tenant_id)
    ).first()
    if row is not None:
        return row
    defaults = schemas.PolicyIn()
    return SchedulingPolicy(tenant_id=tenant_id, **defaults.model_dump())


def save_policy(session: Session, principal: Principal, data: schemas.PolicyIn) -> SchedulingPolicy:
    require(principal, "scheduling.configure")
    row = session.scalars(
        select(SchedulingPolicy).where(SchedulingPolicy.tenant_id == principal.tenant_id)
    ).first()
    if row is None:
        row = SchedulingPolicy(tenant_id=principal.tenant_id)
        session.add(row)
        before: dict[str, Any] = {}
    else:
        before = schemas.PolicyOut.model_validate(row).model_dump()
    for key, value in data.model_dump().items():
        setattr(row, key, value)
    session.flush()
    old, new = audit.diff(before, data.model_dump())
    audit.record(
        session,
        "scheduling.policy_saved",
        actor=principal,
        target_type="scheduling_policy",
        target_id=row.id,
        old=old,
        new=new,
    )
    session.commit()
    return row


def slot_request(
    policy: SchedulingPolicy, duration_minutes: int, *, panel: bool = False, limit: int = 10
) -> SlotRequest:
    buffer = timedelta(minutes=policy.buffer_minutes)
    return SlotRequest(
        duration=timedelta(minutes=duration_minutes),
        buffer_before=buffer,
        buffer_after=buffer,
        granularity=timedelta(minutes=policy.granularity_minutes),
        min_notice=timedelta(hours=policy.min_notice_hours),
        horizon=timedelta(days=policy.horizon_days),
        panel=panel,
        limit=limit,
    )


# --------------------------------------------------------------------------- availability


def _user_in_tenant(session: Session, principal: Principal, user_id: int) -> User:
    """A user whose availability the caller may manage: themselves, or anyone for HR."""
    require(principal, "availability.manage")
    return get_visible(session, User, user_id, principal, "availability.manage")


def _profile(session: Session, user_id: int) -> AvailabilityProfile | None:
    return session.scalars(
        select(AvailabilityProfile).where(AvailabilityProfile.user_id == user_id)
    ).first()


def _windows_of(profile: AvailabilityProfile | None) -> tuple[WorkingWindow, ...]:
    if profile is None or not profile.working_hours:
        return working_week()
    return tuple(
        WorkingWindow(
            int(w["weekday"]), time.fromisoformat(w["start"]), time.fromisoformat(w["end"])
        )
        for w in profile.working_hours
    )


def availability_view(
    session: Session, principal: Principal, user_id: int, now: datetime | None = None
) -> schemas.AvailabilityOut:
    user = _user_in_tenant(session, principal, user_id)
    profile = _profile(session, user.id)
    now = now or utcnow()
    busy = session.scalars(
        select(BusyBlock)
        .where(BusyBlock.user_id == user.id, BusyBlock.end > now)
        .order_by(BusyBlock.start)
        .limit(500)
    )
    windows = _windows_of(profile)
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
    user = _user_in_tenant(session, principal, user_id)
    windows = []
    for w in data.working_hours:
        try:
            WorkingWindow(w.weekday, time.fromisoformat(w.start), time.fromisoformat(w.end))
        except SchedulingError as exc:
            raise scheduling_error(exc) from exc
        windows.append(w.model_dump())
    profile = _profile(session, user.id)
    if profile is None:
        profile = AvailabilityProfile(tenant_id=user.tenant_id, user_id=user.id)
        session.add(profile)
    profile.timezone = data.timezone
    profile.working_hours = windows
    profile.holidays = sorted({d.isoformat() for d in data.holidays})
    profile.max_per_day = data.max_per_day
    session.flush()
    audit.record(
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
    session.commit()
    return profile


def add_busy(
    session: Session,
    principal: Principal,
    user_id: int,
    data: schemas.BusyIn,
    now: datetime | None = None,
) -> BusyBlock:
    user = _user_in_tenant(session, principal, user_id)
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
    audit.record(
        session,
        "availability.busy_added",
        actor=principal,
        target_type="user",
        target_id=user.id,
        new={"block_id": block.id, "start": data.start, "end": data.end},
    )
    session.commit()
    return block


def delete_busy(session: Session, principal: Principal, busy_id: int) -> None:
    require(principal, "availability.manage")
    block = get_visible(session, BusyBlock, busy_id, principal, "availability.manage")
    audit.record(
        session,
        "availability.busy_removed",
        actor=principal,
        target_type="user",
        target_id=block.user_id,
        old={"block_id": block.id, "start": block.start, "end": block.end},
    )
    session.delete(block)
    session.commit()


def _replace_imported(session: Session, user: User, blocks: list[Interval], now: datetime) -> int:
    session.execute(
        delete(BusyBlock).where(BusyBlock.user_id == user.id, BusyBlock.source == "ics")
    )
    if blocks:
        session.execute(
            insert(BusyBlock),
            [
                {
                    "tenant_id": user.tenant_id,
                    "user_id": user.id,
                    "start": b.start,
                    "end": b.end,
                    "source": "ics",
                    "label": "",
                    "created_at": now,
                }
                for b in blocks
            ],
        )
    return len(blocks)


def _check_public_address(url: str, settings: Settings) -> None:
    """In production a calendar address must resolve to public hosts only.

    The server fetches what a user typed; without this a URL could reach the company's
    internal services or a cloud metadata endpoint. (Development and tests fetch from
    127.0.0.1.)
    """
    if not settings.is_production:
        return
    host = urlsplit(url.replace("webcal://", "https://", 1)).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as exc:
        raise SchedulingError("ics_fetch_failed", detail="unknown host") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            raise SchedulingError("ics_fetch_failed", detail="not a public address")


def import_calendar(
    session: Session,
    principal: Principal,
    user_id: int,
    data: schemas.CalendarImportIn,
    settings: Settings,
    now: datetime | None = None,
) -> int:
    """Busy blocks from an .ics export (pasted/uploaded, or fetched from its URL).

    Imported blocks replace the previous import; only their times are kept. A URL is kept
    encrypted (it usually embeds a private token) so the calendar is synced again daily.
    """
    user = _user_in_tenant(session, principal, user_id)
    now = now or utcnow()
    profile = _profile(session, user.id)
    zone = profile.timezone if profile else user.timezone
    if not data.url and not data.ics:
        raise ValidationFailed(N_("Give a calendar file or its address."), fields={"ics": "empty"})
    try:
        if data.url:
            _check_public_address(data.url, settings)
        raw = fetch_ics(data.url) if data.url else data.ics.encode("utf-8")
        blocks = parse_busy_blocks(
            raw, start=now - timedelta(days=1), end=now + timedelta(days=90), default_timezone=zone
        )
    except SchedulingError as exc:
        raise scheduling_error(exc) from exc
    count = _replace_imported(session, user, blocks, now)
    if profile is None:
        profile = AvailabilityProfile(
            tenant_id=user.tenant_id, user_id=user.id, timezone=zone, working_hours=[], holidays=[]
        )
        session.add(profile)
    if data.url and data.remember_url:
        profile.calendar_url_token = notify.encrypt_value(
            data.url, settings, f"interviewer_availability.calendar_url:{user.id}"
        )
    profile.calendar_synced_at = now
    session.flush()
    audit.record(
        session,
        "availability.calendar_imported",
        actor=principal,
        target_type="user",
        target_id=user.id,
        new={"blocks": count, "source": "url" if data.url else "file"},
    )
    session.commit()
    return count


def sync_calendars(database: Database, settings: Settings, now: datetime | None = None) -> int:
    """Fetch every remembered calendar URL again (periodic); failures leave old blocks."""
    now = now or utcnow()
    synced = 0
    with database.session() as session:
        profiles = list(
            session.scalars(
                select(AvailabilityProfile).where(
                    AvailabilityProfile.calendar_url_token.is_not(None)
                )
            )
        )
        for profile in profiles:
            user = session.get(User, profile.user_id)
            if user is None or not profile.calendar_url_token:
                continue
            try:
                url = notify.decrypt_value(
                    profile.calendar_url_token,
                    settings,
                    f"interviewer_availability.calendar_url:{user.id}",
                )
                _check_public_address(url, settings)
                blocks = parse_busy_blocks(
                    fetch_ics(url),
                    start=now - timedelta(days=1),
                    end=now + timedelta(days=90),
                    default_timezone=profile.timezone,
                )
            except (SchedulingError, ValueError, CryptoError) as exc:
                log.warning(
                    "calendar sync failed",
                    extra={
                        "event": "scheduling.calendar_sync_failed",
                        "user_id": user.id,
                        "code": getattr(exc, "code", type(exc).__name__),
                    },
                )
                continue
            _replace_imported(session, user, blocks, now)
            profile.calendar_synced_at = now
            session.commit()
            synced += 1
    return synced


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


# --------------------------------------------------------------------------- calendars


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
                working_hours=_windows_of(profile),
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


# --------------------------------------------------------------------------- invitations


def _opening(session: Session, principal: Principal, opening_id: int, capability: str) -> Opening:
    require(principal, capability)
    return get_visible(session, Opening, opening_id, principal, capability)


def _skip(candidate_id: int, reason: str, message: str) -> schemas.Skipped:
    return schemas.Skipped(candidate_id=candidate_id, reason=reason, message=message)


_SKIP_TEXT = {
    "unreachable": N_("No valid e-mail address or mobile number."),
    "already_invited": N_("Already has an open invitation of this kind for this opening."),
}


def _prepare_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    policy: SchedulingPolicy,
    now: datetime,
) -> tuple[Opening, list[Any], list[schemas.Skipped], datetime]:
    """Check a send request; returns the opening, who will be invited, who not and why."""
    opening = _opening(session, principal, data.opening_id, "invitations.send")
    deadline = data.deadline or (now + timedelta(days=policy.link_valid_days))
    if deadline <= now + timedelta(minutes=30):
        raise ValidationFailed(
            N_("The deadline must be at least 30 minutes in the future."),
            fields={"deadline": "past"},
        )
    if deadline > now + timedelta(days=366):
        raise ValidationFailed(N_("The deadline is too far away."), fields={"deadline": "far"})
    ids = list(dict.fromkeys(data.candidate_ids))
    applied = set(
        session.scalars(
            select(Application.candidate_id).where(
                Application.opening_id == opening.id,
                Application.tenant_id == principal.tenant_id,
                Application.candidate_id.in_(ids),
            )
        )
    )
    if len(applied) != len(ids):
        # Someone else's candidate, or one who did not apply: it does not exist for this call.
        raise NotFound()
    # Only the columns a send needs: loading whole people (with their encrypted fields) for a
    # thousand candidates would cost the request more than everything else together. The
    # language and zone are the application's (each application has its own), else the
    # person's; HR's choices in this request override both.
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    stated = dict(
        session.execute(
            select(CandidateAvailability.candidate_id, CandidateAvailability.timezone).where(
                CandidateAvailability.candidate_id.in_(ids)
            )
        ).all()
    )
    candidates = {
        row.id: _recipient(row, stated, tenant, data.locales.get(row.id))
        for row in session.execute(
            select(
                Candidate.id,
                Candidate.email,
                Candidate.language,
                Candidate.timezone,
                Application.language.label("app_language"),
                Application.timezone.label("app_timezone"),
            )
            .join(
                Application,
                (Application.candidate_id == Candidate.id) & (Application.opening_id == opening.id),
            )
            .where(Candidate.id.in_(ids), Candidate.tenant_id == principal.tenant_id)
        )
    }
    if data.interviewer_ids:
        found = set(
            session.scalars(
                select(User.id).where(
                    User.id.in_(data.interviewer_ids),
                    User.tenant_id == principal.tenant_id,
                    User.is_active.is_(True),
                )
            )
        )
        if found != set(data.interviewer_ids):
            raise ValidationFailed(
                N_("An interviewer was not found."), fields={"interviewer_ids": "unknown"}
            )
    elif (
        data.kind != "ai"
        and not session.scalars(
            select(OpeningMember.id).where(
                OpeningMember.opening_id == opening.id, OpeningMember.role == "interviewer"
            )
        ).first()
    ):
        raise ValidationFailed(
            N_("Choose the interviewers: this opening has no interviewer panel."),
            fields={"interviewer_ids": "required"},
        )
    open_already = set(
        session.scalars(
            select(Invitation.candidate_id).where(
                Invitation.opening_id == opening.id,
                Invitation.kind == data.kind,
                Invitation.round_name == data.round_name,
                Invitation.candidate_id.in_(ids),
                Invitation.status.in_(OPEN_STATUSES),
            )
        )
    )
    sms_on = "sms" in policy.candidate_channels and "sms" in notify.enabled_channels(
        session, principal.tenant_id
    )
    chosen: list[Any] = []
    skipped: list[schemas.Skipped] = []
    for cid in ids:
        candidate = candidates[cid]
        if cid in open_already:
            skipped.append(_skip(cid, "already_invited", _SKIP_TEXT["already_invited"]))
            continue
        # A syntax check here keeps a thousand-candidate request fast; the worker validates
        # each address fully and marks anything unreachable as "undeliverable".
        reachable = bool(_PLAUSIBLE_EMAIL.match(candidate.email or "")) or (
            sms_on and messages.valid_mobile(_phone_of(session, cid))
        )
        if not reachable:
            skipped.append(_skip(cid, "unreachable", _SKIP_TEXT["unreachable"]))
            continue
        chosen.append(candidate)
    return opening, chosen, skipped, deadline


_PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _phone_of(session: Session, candidate_id: int) -> str:
    return session.scalar(select(Candidate.phone).where(Candidate.id == candidate_id)) or ""


@dataclass(frozen=True)
class _Recipient:
    """A candidate as one send sees them: where to write, in which language and zone."""

    id: int
    email: str
    language: str
    timezone: str
    chosen_by_hr: bool = False


def _recipient(
    row: Any, stated: dict[int, str], tenant: Tenant, override: schemas.LocaleIn | None
) -> _Recipient:
    if override is not None:
        return _Recipient(row.id, row.email, override.language, override.timezone, True)
    language = row.app_language or row.language or tenant.default_language
    # A zone the candidate stated themselves beats any guess from their resume.
    zone = messages.safe_zone(
        stated.get(row.id) or row.app_timezone or row.timezone,
        messages.safe_zone(tenant.default_timezone, "Asia/Shanghai"),
    )
    return _Recipient(row.id, row.email, language, zone)


def _save_hr_locales(
    session: Session, principal: Principal, opening_id: int, chosen: list[_Recipient]
) -> None:
    """HR changed a candidate's language or zone before inviting: it is the application's now."""
    for recipient in chosen:
        if not recipient.chosen_by_hr:
            continue
        application = session.scalars(
            select(Application).where(
                Application.candidate_id == recipient.id, Application.opening_id == opening_id
            )
        ).one()
        if (application.language, application.timezone) == (
            recipient.language,
            recipient.timezone,
        ):
            continue
        audit.record(
            session,
            "application.locale_changed",
            actor=principal,
            target_type="application",
            target_id=application.id,
            old={"language": application.language, "timezone": application.timezone},
            new={"language": recipient.language, "timezone": recipient.timezone, "by": "hr"},
        )
        application.language = recipient.language
        application.timezone = recipient.timezone
        application.locale_source = "hr"


def preview_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    settings: Settings,
    now: datetime | None = None,
) -> schemas.PreviewOut:
    """What would be sent: who is skipped and why, and the message in each language used."""
    now = now or utcnow()
    policy = policy_for(session, principal.tenant_id)
    opening, chosen, skipped, deadline = _prepare_invitations(session, principal, data, policy, now)
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    cache = notify.TemplateCache(session, principal.tenant_id)
    samples: list[dict[str, Any]] = []
    seen_languages: set[str] = set()
    channels: dict[str, int] = {}
    for candidate in chosen:
        language = candidate.language
        draft = Invitation(
            id=0,
            tenant_id=principal.tenant_id,
            opening_id=opening.id,
            candidate_id=candidate.id,
            kind=data.kind,
            round_name=data.round_name,
            language=language,
            timezone=candidate.timezone,
            deadline=deadline,
            duration_minutes=data.duration_minutes or policy.duration_minutes,
            interviewer_ids=data.interviewer_ids,
            panel=data.panel,
        )
        p = messages.parties(session, draft)
        for channel, _address in messages.candidate_routes(session, p, policy):
            channels[channel] = channels.get(channel, 0) + 1
        if language in seen_languages or len(samples) >= 3:
            continue
        seen_languages.add(language)
        facts = (
            planned_facts(opening, language, draft.duration_minutes) if data.kind == "ai" else None
        )
        kind, context = messages.invitation_context(draft, p, "https://…/i/(personal link)", facts)
        rendered = notify.render(cache, kind, language, context, draft.timezone)
        samples.append(
            {
                "language": language,
                "candidate_id": candidate.id,
                "subject": rendered.subject,
                "text": rendered.text,
                "sms": rendered.sms,
            }
        )
    return schemas.PreviewOut(
        count=len(chosen), skipped=skipped, samples=samples, channels=channels
    )


def create_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[InvitationBatch, list[schemas.Skipped], bool]:
    """Create the invitation rows of one send and enqueue one task for the worker.

    Returns (batch, skipped, created_now). The request does no rendering or sending, so it
    stays fast for a thousand candidates; the same ``request_key`` twice (a double click, a
    client retry) returns the first batch instead of inviting everyone again.
    """
    now = now or utcnow()
    request_key = data.request_key or secrets.token_hex(16)
    existing = session.scalars(
        select(InvitationBatch).where(
            InvitationBatch.tenant_id == principal.tenant_id,
            InvitationBatch.request_key == request_key,
        )
    ).first()
    if existing is not None:
        get_visible(session, InvitationBatch, existing.id, principal, "invitations.send")
        return existing, [], False
    policy = policy_for(session, principal.tenant_id)
    opening, chosen, skipped, deadline = _prepare_invitations(session, principal, data, policy, now)
    if not chosen:
        raise ValidationFailed(
            N_("None of the selected candidates can be invited (see the reasons listed)."),
            fields={"candidate_ids": "none"},
        )
    _save_hr_locales(session, principal, opening.id, chosen)
    batch = InvitationBatch(
        tenant_id=principal.tenant_id,
        opening_id=opening.id,
        kind=data.kind,
        request_key=request_key,
        total=len(chosen),
        status="queued",
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    duration = data.duration_minutes or policy.duration_minutes
    rows = [
        {
            "tenant_id": principal.tenant_id,
            "opening_id": opening.id,
            "candidate_id": c.id,
            "batch_id": batch.id,
            "kind": data.kind,
            "round_name": data.round_name,
            "status": "queued",
            "language": c.language,
            "timezone": c.timezone,
            "deadline": deadline,
            "duration_minutes": duration,
            "meeting_url": data.meeting_url,
            "materials": data.materials,
            "notes": data.notes,
            "interviewer_ids": data.interviewer_ids,
            "panel": data.panel and len(data.interviewer_ids) > 1,
            "created_by_id": principal.user_id,
            "created_at": now,
            "updated_at": now,
        }
        for c in chosen
    ]
    # One executemany (psycopg pipelines it; SQLite runs it in one call). Multi-row VALUES
    # statements were measured slower here: compiling thousands of parameters costs more.
    session.execute(insert(Invitation), rows)
    audit.record(
        session,
        "invitations.created",
        actor=principal,
        target_type="invitation_batch",
        target_id=batch.id,
        new={
            "opening_id": opening.id,
            "kind": data.kind,
            "count": len(chosen),
            "candidate_ids": [c.id for c in chosen],
            "skipped": [s.candidate_id for s in skipped],
            "deadline": deadline,
        },
    )

    enqueue_on_commit(session, "scheduling.send_invitation_batch", batch.id)
    session.commit()
    return batch, skipped, True


def batch_view(session: Session, principal: Principal, batch_id: int) -> schemas.BatchOut:
    require(principal, "invitations.read")
    batch = get_visible(session, InvitationBatch, batch_id, principal, "invitations.read")
    counts = dict(
        session.execute(
            select(Invitation.status, func.count())
            .where(Invitation.batch_id == batch.id)
            .group_by(Invitation.status)
        ).all()
    )
    out = schemas.BatchOut.model_validate(batch)
    out.queued = int(counts.get("queued", 0))
    out.sent = sum(int(n) for status, n in counts.items() if status != "queued")
    return out


def send_invitation(
    database: Database,
    invitation_id: int,
    settings: Settings,
    now: datetime | None = None,
    shared: dict[Any, Any] | None = None,
) -> str:
    """Render and queue one invitation's messages, exactly once (see the module docstring).

    ``shared`` carries what the invitations of one batch have in common (the company's
    policy, templates and channels, the opening's staff) from one transaction to the next.
    """
    with database.session() as session:
        return send_invitation_in(session, invitation_id, settings, now, shared)


def send_invitation_in(
    session: Session,
    invitation_id: int,
    settings: Settings,
    now: datetime | None = None,
    shared: dict[Any, Any] | None = None,
) -> str:
    """The claim, the messages and the commit of one invitation, in ``session``."""
    now = now or utcnow()
    claimed = session.execute(
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.status == "queued")
        .values(status="sending", sent_at=now, send_count=Invitation.send_count + 1, updated_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        return "skipped"
    invitation = session.get(Invitation, invitation_id)
    assert invitation is not None
    session.refresh(invitation)
    shared = shared if shared is not None else {}
    policy = shared.get(("policy", invitation.tenant_id))
    if policy is None:
        policy = shared[("policy", invitation.tenant_id)] = policy_for(
            session, invitation.tenant_id
        )
    cache = shared.setdefault(
        ("templates", invitation.tenant_id), notify.TemplateCache(session, invitation.tenant_id)
    )
    cache.session = session
    facts = None
    if invitation.kind == "ai":
        facts = _freeze_ai_interview(session, invitation)
    p = messages.parties(session, invitation, shared=shared)
    count = messages.invitation_messages(
        session, cache, p, settings, policy, invitation.send_count, shared, facts
    )
    if count == 0:
        invitation.status = "undeliverable"
        invitation.send_error = "no_channel"
    session.commit()
    return "sent" if count else "undeliverable"


def _invitation_delivered(session: Session, invitation_id: int, outcome: str, kind: str) -> None:
    """An invitation is "sent" once one of its messages is delivered, "undeliverable" once
    every one of them has failed; until then it stays "sending" (in retry, say)."""
    if not kind.startswith("invitation"):
        return
    now = utcnow()
    if outcome == "sent":
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == "sending")
            .values(status="sent", updated_at=now)
        )
        return
    from hireflow.notifications.models import OutboxMessage

    alive = session.scalar(
        select(func.count()).where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id == invitation_id,
            OutboxMessage.kind.like("invitation%"),
            OutboxMessage.status.in_(("queued", "sending", "retry", "sent")),
        )
    )
    if not alive:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == "sending")
            .values(status="undeliverable", send_error="delivery_failed", updated_at=now)
        )


notify.on_delivery("invitation", _invitation_delivered)


def _freeze_ai_interview(session: Session, invitation: Invitation) -> PlanFacts:
    """Prepare the AI interview in the sending transaction: the invitation then states the
    very plan the candidate will answer (its length becomes the plan's)."""
    from hireflow.interviews.sessions import prepare_for_invitation

    interview = prepare_for_invitation(session, invitation)
    facts = facts_of(interview.questions or [])
    if facts.questions:
        invitation.duration_minutes = facts.minutes
    return facts


def planned_facts(opening: Opening, language: str, budget_minutes: int) -> PlanFacts:
    """The facts of the plan an AI invitation would get now (for previews)."""
    from hireflow.interviews.plans import plan_for

    questions, _model, _source = plan_for(opening, language, budget_minutes)
    return facts_of(questions)


PRINTABLE_STATUSES = ("sending", "sent", "opened", "verified", "booked")


def printable_invitations(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    batch_id: int | None = None,
    invitation_id: int | None = None,
) -> tuple[bytes, int]:
    """A PDF with one page per open invitation of a batch (or one invitation): each in the
    candidate's language and zone, with the QR code of their personal link. Returns the PDF
    and the number of pages; printing is audited (the pages hold personal links)."""
    from hireflow.core.i18n import format_datetime, gettext_for
    from hireflow.scheduling import printable

    require(principal, "invitations.send")
    if batch_id is not None:
        batch = get_visible(session, InvitationBatch, batch_id, principal, "invitations.send")
        invitations = list(
            session.scalars(
                restrict(
                    select(Invitation).where(Invitation.batch_id == batch.id),
                    principal,
                    "invitations.send",
                    Invitation,
                ).order_by(Invitation.id)
            )
        )
    else:
        assert invitation_id is not None
        invitations = [_staff_invitation(session, principal, invitation_id, "invitations.send")]
    policy = policy_for(session, principal.tenant_id)
    now = utcnow()
    pages = []
    for inv in invitations:
        if inv.status not in PRINTABLE_STATUSES:
            continue
        p = messages.parties(session, inv)
        language = inv.language
        _ = gettext_for(language)
        facts_line = ""
        if inv.kind == "ai":
            from hireflow.interviews.sessions import prepare_for_invitation

            facts = facts_of(prepare_for_invitation(session, inv).questions or [])
            if facts.questions:
                facts_line = _(
                    "%(count)s questions, each with a time limit of %(limits)s: about "
                    "%(minutes)s minutes in all."
                ) % {
                    "count": facts.questions,
                    "limits": facts.time_limits(language),
                    "minutes": facts.minutes,
                }
        pages.append(
            printable.page_for(
                language=language,
                gettext=_,
                company=p.tenant.name,
                candidate=p.candidate.name,
                job=p.opening.title,
                kind=inv.kind,
                deadline_text=format_datetime(inv.deadline, inv.timezone, language, "long"),
                link=messages.candidate_link(settings, inv, policy),
                facts_line=facts_line,
                printed_at_text=format_datetime(now, inv.timezone, language, "short"),
            )
        )
    if not pages:
        raise NotFound(N_("There is no open invitation to print."))
    audit.record(
        session,
        "invitations.printed",
        actor=principal,
        target_type="invitation_batch" if batch_id is not None else "invitation",
        target_id=batch_id if batch_id is not None else invitation_id,
        new={"pages": len(pages), "invitation_ids": [i.id for i in invitations]},
    )
    session.commit()
    return printable.invitations_pdf(pages, title="Invitations"), len(pages)


def process_batch(
    database: Database, batch_id: int, settings: Settings, chunk: int = 100
) -> dict[str, int]:
    """The worker side of a send: every queued invitation of the batch, one by one."""
    counts: dict[str, int] = {}
    shared: dict[Any, Any] = {}
    while True:
        with database.session() as session:
            ids = list(
                session.scalars(
                    select(Invitation.id)
                    .where(Invitation.batch_id == batch_id, Invitation.status == "queued")
                    .order_by(Invitation.id)
                    .limit(chunk)
                )
            )
        if not ids:
            break
        # One delivery task per 50 messages rather than one per invitation: publishing to the
        # broker costs more than rendering.
        with notify.deferred_delivery() as produced:
            for invitation_id in ids:
                outcome = send_invitation(database, invitation_id, settings, shared=shared)
                counts[outcome] = counts.get(outcome, 0) + 1
        notify.dispatch(produced)
    with database.session() as session:
        session.execute(
            update(InvitationBatch)
            .where(InvitationBatch.id == batch_id, InvitationBatch.status == "queued")
            .values(status="done", finished_at=utcnow())
        )
        session.commit()
    return counts


def _staff_invitation(
    session: Session, principal: Principal, invitation_id: int, capability: str
) -> Invitation:
    require(principal, capability)
    return get_visible(session, Invitation, invitation_id, principal, capability)


def resend_invitation(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    """One-click resend: the same personal link again, on every channel, right away."""
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.send")
    if invitation.status in ("cancelled", "completed"):
        raise ValidationFailed(N_("This invitation is closed and cannot be resent."))
    if invitation.status == "queued":
        raise ValidationFailed(N_("This invitation is still being sent."))
    invitation.send_count += 1
    if invitation.status == "undeliverable":
        invitation.status = "sending"
        invitation.send_error = ""
    invitation.sent_at = invitation.sent_at or utcnow()
    policy = policy_for(session, invitation.tenant_id)
    p = messages.parties(session, invitation)
    count = messages.invitation_messages(
        session,
        notify.TemplateCache(session, invitation.tenant_id),
        p,
        settings,
        policy,
        invitation.send_count,
    )
    if count == 0:
        raise ValidationFailed(N_("No valid e-mail address or mobile number."))
    audit.record(
        session,
        "invitation.resent",
        actor=principal,
        target_type="invitation",
        target_id=invitation.id,
        new={"send": invitation.send_count, "messages": count},
    )
    session.commit()
    return invitation


def cancel_invitation(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.send")
    if invitation.status == "cancelled":
        return invitation
    now = utcnow()
    booking = invitation.booking
    if booking is not None and booking.status == "active":
        _release(session, invitation, booking, settings, now, actor_label=principal.name)
    invitation.status = "cancelled"
    invitation.cancelled_at = now
    notify.cancel_pending(session, "invitation", invitation.id)
    audit.record(
        session,
        "invitation.cancelled",
        actor=principal,
        target_type="invitation",
        target_id=invitation.id,
    )
    session.commit()
    return invitation


def complete_invitation(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    """Mark the interview done (live interviews; the AI interview sets it itself later)."""
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.complete")
    if invitation.status in ("cancelled", "queued", "undeliverable"):
        raise ValidationFailed(N_("Only an invitation in progress can be completed."))
    if invitation.completed_at is None:
        invitation.completed_at = utcnow()
        invitation.status = "completed"
        audit.record(
            session,
            "invitation.completed",
            actor=principal,
            target_type="invitation",
            target_id=invitation.id,
        )
        session.commit()
    return invitation


def unlock_identity(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    """Clear a lock-out after HR checked with the candidate; earlier access stays revoked."""
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.send")
    invitation.identity_failures = 0
    invitation.identity_lockouts = 0
    invitation.identity_locked_until = None
    invitation.identity_generation += 1
    invitation.code_hash = ""
    audit.record(
        session,
        "invitation.identity_unlocked",
        actor=principal,
        target_type="invitation",
        target_id=invitation.id,
    )
    session.commit()
    return invitation


def advance(invitation: Invitation, status: str) -> None:
    """Move the invitation's stage forward (never backwards, never out of a closed state)."""
    if invitation.status in ("cancelled", "completed"):
        return
    current = STAGE_ORDER.index(invitation.status if invitation.status in STAGE_ORDER else "sent")
    if STAGE_ORDER.index(status) > current:
        invitation.status = status


# --------------------------------------------------------------------------- slots and booking


def panel_of(session: Session, invitation: Invitation) -> list[int]:
    return messages.interviewer_ids(session, invitation)


def _search_inputs(
    session: Session, invitation: Invitation, now: datetime
) -> tuple[SchedulingPolicy, list[int], list[InterviewerCalendar]]:
    """The company's rules, the panel and its calendars (the invitation's own booking left
    out, so a candidate moving their interview sees its time as free)."""
    policy = policy_for(session, invitation.tenant_id)
    panel = panel_of(session, invitation)
    booking = invitation.booking
    cals = calendars(
        session,
        invitation.tenant_id,
        panel,
        policy,
        now,
        exclude_booking_id=booking.id if booking is not None else None,
    )
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
    policy, _panel, cals = _search_inputs(session, invitation, now)
    if not cals:
        return []
    request = slot_request(
        policy, invitation.duration_minutes, panel=invitation.panel, limit=limit * 3
    )
    try:
        found = find_slots(candidate_core(session, invitation, now), cals, request, now)
    except SchedulingError as exc:
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
    policy, panel, cals = _search_inputs(session, invitation, now)
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
    except SchedulingError as exc:
        raise scheduling_error(exc) from exc


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


def _alternatives(
    session: Session, invitation: Invitation, start: datetime, now: datetime
) -> list[Slot]:
    policy = policy_for(session, invitation.tenant_id)
    booking = invitation.booking
    cals = calendars(
        session,
        invitation.tenant_id,
        panel_of(session, invitation),
        policy,
        now,
        exclude_booking_id=booking.id if booking is not None else None,
    )
    if not cals:
        return []
    request = slot_request(policy, invitation.duration_minutes, panel=invitation.panel)
    try:
        check = check_slot(
            max(start, now), candidate_core(session, invitation, now), cals, request, now
        )
    except SchedulingError:
        return []
    return list(check.alternatives)


def _schedule_reminders(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    policy: SchedulingPolicy,
    now: datetime,
) -> None:
    session.execute(
        update(Reminder)
        .where(Reminder.booking_id == booking.id, Reminder.status == "pending")
        .values(status="cancelled", processed_at=now)
    )
    if booking.status != "active":
        return
    rows = []

    def add(kind: str, lead: int, recipient: str, due: datetime) -> None:
        rows.append(
            {
                "tenant_id": invitation.tenant_id,
                "invitation_id": invitation.id,
                "booking_id": booking.id,
                "sequence": booking.sequence,
                "kind": kind,
                "lead_minutes": lead,
                "recipient_key": recipient,
                "due_at": due,
                "status": "pending",
                "created_at": now,
            }
        )

    for lead in policy.reminder_minutes:
        due = booking.start - timedelta(minutes=int(lead))
        if due <= now:
            continue
        kind = "reminder_24h" if int(lead) >= 360 else "reminder_1h"
        add(kind, int(lead), "candidate", due)
        for uid in booking.interviewer_ids:
            add("interviewer_reminder", int(lead), f"u{int(uid)}", due)
    feedback_due = booking.end + timedelta(minutes=policy.feedback_after_minutes)
    for uid in booking.interviewer_ids:
        add("feedback_reminder", 0, f"u{int(uid)}", feedback_due)
    if rows:
        session.execute(insert(Reminder), rows)


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
    if start.tzinfo is None:
        raise ValidationFailed(N_("Give a time zone."), fields={"start": "naive"})
    if invitation.kind == "ai":
        raise ValidationFailed(N_("A one-way AI interview has no time slot to book."))
    if invitation.status in ("cancelled", "completed", "queued", "undeliverable"):
        raise ValidationFailed(N_("This invitation is closed."))
    booking = invitation.booking
    active = booking is not None and booking.status == "active"
    policy = policy_for(session, invitation.tenant_id)
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
            raise ValidationFailed(
                TOO_LATE,
                code="too_late_to_change",
            )
    if start < now:
        raise ValidationFailed(N_("This time is in the past."), code="slot_in_past")
    panel = only_interviewers if only_interviewers is not None else panel_of(session, invitation)
    cals = calendars(
        session,
        invitation.tenant_id,
        panel,
        policy,
        now,
        exclude_booking_id=booking.id if booking is not None else None,
    )
    if not cals:
        raise ValidationFailed(N_("No interviewer is available for this invitation."))
    request = slot_request(policy, invitation.duration_minutes, panel=invitation.panel)
    try:
        check = check_slot(start, candidate_core(session, invitation, now), cals, request, now)
    except SchedulingError as exc:
        raise scheduling_error(exc) from exc
    if not check.available or check.slot is None:
        language = invitation.language
        raise SlotUnavailable(
            alternatives=check.alternatives,
            reasons=[
                r.message_zh if language.startswith("zh") else r.message_en for r in check.reasons
            ],
        )
    slot = check.slot
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
            alternatives=_alternatives(session, invitation, start, now),
        ) from None
    invitation.booked_at = invitation.booked_at or now
    advance(invitation, "booked")
    _schedule_reminders(session, invitation, booking, policy, now)
    p = messages.parties(session, invitation)
    released = [i for i in previous_panel if i not in booking.interviewer_ids]
    messages.booking_messages(
        session, p, booking, settings, policy, change, previous_start, released
    )
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
    session.commit()
    return booking


def _release(
    session: Session,
    invitation: Invitation,
    booking: Booking,
    settings: Settings,
    now: datetime,
    *,
    actor_label: str,
) -> None:
    """Cancel a booking inside the caller's transaction: free the cells, withdraw reminders,
    and send the calendar cancellation."""
    previous = booking.start
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.sequence += 1
    session.execute(delete(SlotClaim).where(SlotClaim.booking_id == booking.id))
    policy = policy_for(session, invitation.tenant_id)
    _schedule_reminders(session, invitation, booking, policy, now)
    notify.cancel_pending(session, "booking", booking.id)
    p = messages.parties(session, invitation)
    messages.booking_messages(session, p, booking, settings, policy, "cancelled", previous)
    audit.record(
        session,
        "booking.cancelled",
        actor=None,
        tenant_id=invitation.tenant_id,
        actor_label=actor_label,
        target_type="invitation",
        target_id=invitation.id,
        old={"booking_id": booking.id, "start": previous},
    )


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
    _release(
        session,
        invitation,
        booking,
        settings,
        now,
        actor_label=actor.name if actor else "candidate",
    )
    if invitation.status == "booked":
        invitation.status = "verified" if invitation.verified_at else "opened"
    session.commit()


def staff_offered_slots(
    session: Session, principal: Principal, invitation_id: int, now: datetime | None = None
) -> tuple[Invitation, list[Slot]]:
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.read")
    return invitation, offered_slots(session, invitation, now)


def staff_book(
    session: Session,
    principal: Principal,
    invitation_id: int,
    start: datetime,
    settings: Settings,
    now: datetime | None = None,
) -> Booking:
    """HR books (or moves) a slot for the candidate; the candidate gets the invite too."""
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.send")
    return book(
        session,
        invitation,
        start,
        settings,
        actor=principal,
        now=now,
        enforce_candidate_rules=False,
    )


def staff_cancel_booking(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    invitation = _staff_invitation(session, principal, invitation_id, "invitations.send")
    cancel_booking(session, invitation, settings, actor=principal)
    return invitation


def auto_assign(
    session: Session,
    principal: Principal,
    opening_id: int,
    settings: Settings,
    now: datetime | None = None,
) -> schemas.AssignOut:
    """Place every waiting live invitation of an opening into interviewers' free slots at once.

    Candidates who stated their availability are matched with the batch solver (fair load
    across interviewers, daily caps); each placement is then booked like a candidate's own
    choice, in its own transaction, so one lost race does not undo the others.
    """
    now = now or utcnow()
    opening = _opening(session, principal, opening_id, "invitations.send")
    policy = policy_for(session, principal.tenant_id)
    waiting = [
        inv
        for inv in session.scalars(
            select(Invitation).where(
                Invitation.opening_id == opening.id,
                Invitation.kind.in_(("live", "next_round")),
                Invitation.status.in_(("sending", "sent", "opened", "verified")),
                Invitation.deadline > now,
            )
        )
        if inv.booking is None or inv.booking.status != "active"
    ]
    unplaced: list[dict[str, Any]] = []
    candidates: list[BatchCandidate] = []
    by_candidate: dict[str, Invitation] = {}
    panels: dict[int, list[int]] = {}
    for inv in waiting:
        if inv.panel:
            unplaced.append({"invitation_id": inv.id, "code": "panel"})
            continue
        core = candidate_core(session, inv, now, waking_hours=False)
        panels[inv.id] = panel_of(session, inv)
        by_candidate[str(inv.id)] = inv
        candidates.append(
            BatchCandidate(
                str(inv.id),
                core.timezone,
                core.windows or (),
                core.preferred_start,
                core.preferred_end,
            )
        )
    user_ids = sorted({uid for ids in panels.values() for uid in ids})
    cals = calendars(session, principal.tenant_id, user_ids, policy, now)
    request = slot_request(policy, policy.duration_minutes)
    slots: list[OpenSlot] = []
    interviewers: list[BatchInterviewer] = []
    for cal in cals:
        for s, e in tile_open_slots(cal, request, now):
            slots.append(OpenSlot(cal.interviewer_id, s, e))
        per_day: dict[date, int] = {}
        zone = load_zone(cal.timezone)
        for iv in cal.interviews:
            day = iv.start.astimezone(zone).date()
            per_day[day] = per_day.get(day, 0) + 1
        interviewers.append(
            BatchInterviewer(
                cal.interviewer_id,
                cal.timezone,
                cal.max_per_day or policy.max_per_day,
                per_day,
                len(cal.interviews),
            )
        )
    # A candidate may only take slots of their own invitation's panel; slots of others are
    # removed from their windows by splitting the batch per panel.
    placed: list[dict[str, Any]] = []
    groups: dict[tuple[int, ...], list[BatchCandidate]] = {}
    for cand in candidates:
        groups.setdefault(tuple(panels[int(cand.candidate_id)]), []).append(cand)
    taken: set[tuple[str, datetime]] = set()
    for panel, members in groups.items():
        allowed = {str(i) for i in panel}
        group_slots = [
            s
            for s in slots
            if s.interviewer_id in allowed and (s.interviewer_id, s.start) not in taken
        ]
        group_ivs = [i for i in interviewers if i.interviewer_id in allowed]
        if not group_ivs:
            unplaced += [
                {"invitation_id": int(c.candidate_id), "code": "no_interviewers"} for c in members
            ]
            continue
        result = assign_batch(members, group_ivs, group_slots)
        for u in result.unplaced:
            unplaced.append({"invitation_id": int(u.candidate_id), "code": u.code})
        for placement in result.placements:
            taken.add((placement.interviewer_id, placement.start))
            inv = by_candidate[placement.candidate_id]
            try:
                booking = _book_exact(
                    session,
                    inv,
                    placement.start,
                    int(placement.interviewer_id),
                    settings,
                    principal,
                    now,
                )
            except AppError as exc:
                unplaced.append({"invitation_id": inv.id, "code": exc.code})
                continue
            placed.append(
                {
                    "invitation_id": inv.id,
                    "booking_id": booking.id,
                    "interviewer_id": int(placement.interviewer_id),
                    "start": placement.start,
                    "end": placement.end,
                }
            )
    audit.record(
        session,
        "scheduling.auto_assigned",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={"placed": len(placed), "unplaced": len(unplaced)},
    )
    session.commit()
    return schemas.AssignOut(placed=placed, unplaced=unplaced)


def _book_exact(
    session: Session,
    invitation: Invitation,
    start: datetime,
    interviewer_id: int,
    settings: Settings,
    principal: Principal,
    now: datetime,
) -> Booking:
    """Book a solver placement: the same checks as any booking, with the chosen interviewer."""
    return book(
        session,
        invitation,
        start,
        settings,
        actor=principal,
        now=now,
        enforce_candidate_rules=False,
        only_interviewers=[interviewer_id],
    )


# --------------------------------------------------------------------------- reminders


def dispatch_due_reminders(
    database: Database, settings: Settings, now: datetime | None = None, limit: int = 500
) -> dict[str, int]:
    """Turn due reminders into outbox messages, each exactly once (periodic task)."""
    now = now or utcnow()
    counts: dict[str, int] = {}
    with database.session() as session:
        ids = list(
            session.scalars(
                select(Reminder.id)
                .where(Reminder.status == "pending", Reminder.due_at <= now)
                .order_by(Reminder.due_at, Reminder.id)
                .limit(limit)
            )
        )
    for reminder_id in ids:
        with database.session() as session:
            claimed = session.execute(
                update(Reminder)
                .where(Reminder.id == reminder_id, Reminder.status == "pending")
                .values(status="sent", processed_at=now)
            )
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                session.rollback()
                counts["skipped"] = counts.get("skipped", 0) + 1
                continue
            reminder = session.get(Reminder, reminder_id)
            assert reminder is not None
            session.refresh(reminder)
            booking = session.get(Booking, reminder.booking_id)
            invitation = session.get(Invitation, reminder.invitation_id)
            outcome = "sent"
            if (
                booking is None
                or invitation is None
                or booking.status != "active"
                or booking.sequence != reminder.sequence
                or invitation.status == "cancelled"
            ):
                reminder.status = outcome = "cancelled"
            elif reminder.kind != "feedback_reminder" and now >= booking.start:
                # The server was down past the interview: a late "see you tomorrow" helps no one.
                reminder.status = outcome = "expired"
            else:
                policy = policy_for(session, reminder.tenant_id)
                p = messages.parties(session, invitation)
                if messages.reminder_messages(session, reminder, p, booking, settings, policy) == 0:
                    reminder.status = outcome = "undeliverable"
            session.commit()
            counts[outcome] = counts.get(outcome, 0) + 1
    return counts
