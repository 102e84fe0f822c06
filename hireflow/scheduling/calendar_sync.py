"""Busy times from interviewers' own calendars (.ics files or addresses, synced daily).

Only the times of imported events are kept. A calendar address is fetched by the server, so in
production it must resolve to public hosts (:func:`check_public_address`).
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.crypto import CryptoError
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.core.timezones import TimeError
from hireflow.notifications import keys
from hireflow.org.models import User
from hireflow.scheduling import schemas
from hireflow.scheduling.availability import managed_user
from hireflow.scheduling.calendars import profile_of
from hireflow.scheduling.errors import scheduling_error
from hireflow.scheduling.ics import fetch_ics, parse_busy_blocks
from hireflow.scheduling.models import (
    AvailabilityProfile,
    BusyBlock,
)
from hireflow.scheduling.timeline import Interval, SchedulingError

log = logging.getLogger(__name__)


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
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(host, None)}
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
    user = managed_user(session, principal, user_id)
    now = now or utcnow()
    profile = profile_of(session, user.id)
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
    except TimeError as exc:
        raise scheduling_error(exc) from exc
    count = _replace_imported(session, user, blocks, now)
    if profile is None:
        profile = AvailabilityProfile(
            tenant_id=user.tenant_id, user_id=user.id, timezone=zone, working_hours=[], holidays=[]
        )
        session.add(profile)
    if data.url and data.remember_url:
        profile.calendar_url_token = keys.encrypt_value(
            data.url, settings, f"interviewer_availability.calendar_url:{user.id}"
        )
    profile.calendar_synced_at = now
    session.flush()
    audit.commit_recorded(
        session,
        "availability.calendar_imported",
        actor=principal,
        target_type="user",
        target_id=user.id,
        new={"blocks": count, "source": "url" if data.url else "file"},
    )
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
                url = keys.decrypt_value(
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
            except (TimeError, ValueError, CryptoError) as exc:
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
