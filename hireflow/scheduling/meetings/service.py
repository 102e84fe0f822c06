"""When a booking's meeting is made, where it is kept, and what happens when that fails.

Decision (SPEC H2): a provider is called by the worker after the booking has committed, never
inside the booking's request. The booking holds its slot at once; ``book`` marks the meeting
"pending" and queues ``scheduling.provide_meeting``, which asks the provider (10 s timeout by
default, at most 30), stores the link with the booking and only then produces the booking's
messages and calendar invitations, so they carry the generated link. When the provider fails
(credentials refused, rate limit, 5xx, timeout, missing settings) the messages go out at once
with the fallback (the company's address template, or no link) and the booking keeps why
(``meeting_error``), shown to HR on the invitation; nothing is lost and nothing waits.

A pasted link on the invitation always wins: nothing is generated for it. Cancelling a booking
cancels its meeting (``scheduling.cancel_meeting``) where the provider's API allows; moving one
makes a new meeting for the new time and cancels the old one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import Database
from hireflow.core.settings import Settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.scheduling import booking_messages, messages
from hireflow.scheduling.meetings.base import (
    SPECS,
    MeetingError,
    MeetingLink,
    MeetingProvider,
    MeetingRequest,
)
from hireflow.scheduling.meetings.providers import HTTP_PROVIDERS
from hireflow.scheduling.models import Booking, Invitation, SchedulingPolicy
from hireflow.scheduling.policies import policy_for

logger = logging.getLogger(__name__)

# name -> factory(session, settings, config, secrets); the live room registers itself from
# scheduling's tasks module (scheduling's services may not import the live domain).
Factory = Callable[[Session, Settings, dict[str, Any], dict[str, str]], MeetingProvider]


def _http_factory(name: str) -> Factory:
    cls = HTTP_PROVIDERS[name]

    def build(
        _session: Session, _settings: Settings, config: dict[str, Any], secret: dict[str, str]
    ) -> MeetingProvider:
        return cls(config, secret)  # type: ignore[return-value]

    return build


_FACTORIES: dict[str, Factory] = {name: _http_factory(name) for name in HTTP_PROVIDERS}


def register_provider(name: str, factory: Factory) -> None:
    _FACTORIES[name] = factory


def build_provider(
    session: Session, settings: Settings, policy: SchedulingPolicy, name: str
) -> MeetingProvider:
    """The company's ``name`` provider with its settings; :class:`MeetingError` when it
    cannot be used (not available here, or settings missing)."""
    factory = _FACTORIES.get(name)
    if factory is None or name not in SPECS:
        raise MeetingError("not_configured", name, "unknown provider")
    config = dict((policy.meeting_config or {}).get(name) or {})
    secret = {str(k): str(v) for k, v in ((policy.meeting_secrets or {}).get(name) or {}).items()}
    return factory(session, settings, config, secret)


def generates(policy: SchedulingPolicy, invitation: Invitation) -> bool:
    """Whether this booking's link comes from a provider (not pasted, not a template)."""
    return (policy.meeting_provider or "pasted") != "pasted" and not invitation.meeting_url


def _clear(booking: Booking) -> None:
    booking.meeting_provider = ""
    booking.meeting_url = ""
    booking.meeting_host_url = ""
    booking.meeting_external_id = ""
    booking.meeting_code = ""
    booking.meeting_password = ""


def queue_cancel(session: Session, booking: Booking) -> None:
    """Cancel the booking's meeting at its provider after commit (if it made one)."""
    if booking.meeting_provider and booking.meeting_external_id:
        enqueue_on_commit(
            session,
            "scheduling.cancel_meeting",
            booking.tenant_id,
            booking.meeting_provider,
            booking.meeting_external_id,
        )


def on_booked(
    session: Session,
    policy: SchedulingPolicy,
    invitation: Invitation,
    booking: Booking,
    change: str,
    previous_start: datetime | None,
    released: list[int],
) -> bool:
    """Called by ``book`` in its transaction: True when the worker will make the meeting and
    send the booking's messages; False when the caller sends them now (pasted link)."""
    if not generates(policy, invitation):
        # A meeting made before the company (or HR, by pasting) chose otherwise is let go.
        queue_cancel(session, booking)
        _clear(booking)
        booking.meeting_status = ""
        booking.meeting_error = ""
        return False
    booking.meeting_status = "pending"
    booking.meeting_error = ""
    enqueue_on_commit(
        session,
        "scheduling.provide_meeting",
        booking.id,
        booking.sequence,
        change,
        previous_start.isoformat() if previous_start else None,
        list(released),
    )
    return True


def on_released(session: Session, booking: Booking) -> None:
    """Called when a booking is cancelled, in its transaction."""
    queue_cancel(session, booking)
    _clear(booking)
    if booking.meeting_status:
        booking.meeting_status = "cancelled"


def meeting_request(invitation: Invitation, booking: Booking, topic: str) -> MeetingRequest:
    return MeetingRequest(
        topic=topic,
        start=booking.start,
        duration_minutes=max(1, int((booking.end - booking.start).total_seconds() // 60)),
        timezone=invitation.timezone or "Asia/Shanghai",
        booking_id=booking.id,
    )


def store(
    session: Session,
    booking: Booking,
    sequence: int,
    link: MeetingLink | None,
    error: MeetingError | None,
) -> bool:
    """Write the outcome if the booking is still at ``sequence`` and active (a conditional
    UPDATE: a move or cancellation that committed meanwhile wins); True when written."""
    values: dict[str, Any] = {
        "meeting_status": "ready" if link else "failed",
        "meeting_error": error.summary if error else "",
    }
    result = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.sequence == sequence, Booking.status == "active")
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.refresh(booking)
    if link is not None:
        booking.meeting_provider = link.provider
        booking.meeting_url = link.url[:500]
        booking.meeting_host_url = link.host_url[:500]
        booking.meeting_external_id = link.external_id[:200]
        booking.meeting_code = link.join_code[:40]
        booking.meeting_password = link.password[:100]
    else:
        _clear(booking)
    return True


def cancel_meeting(
    db: Database, settings: Settings, tenant_id: int, provider: str, external_id: str
) -> bool:
    """Cancel one meeting at its provider; False (logged without personal data) on failure:
    the meeting then simply stays unused at the provider."""
    with db.session() as session:
        policy = policy_for(session, tenant_id)
        try:
            build_provider(session, settings, policy, provider).cancel(external_id)
        except MeetingError as exc:
            logger.warning("cancelling a %s meeting failed: %s", provider, exc.code)
            return False
        session.commit()
    return True


def _make(
    session: Session, settings: Settings, policy: SchedulingPolicy, request: MeetingRequest
) -> tuple[MeetingProvider | None, MeetingLink | None, MeetingError | None]:
    provider: MeetingProvider | None = None
    try:
        provider = build_provider(session, settings, policy, policy.meeting_provider)
        return provider, provider.create(request), None
    except MeetingError as exc:
        logger.warning("making a %s meeting failed: %s", exc.provider, exc.code)
        return provider, None, exc


def provide_meeting(
    db: Database,
    settings: Settings,
    booking_id: int,
    sequence: int,
    change: str,
    previous_start: str | None,
    released: list[int],
) -> str:
    """The worker's half of a booking: make the meeting (or fall back), store it, then send
    the booking's messages with it. Returns ready, failed or stale (moved or cancelled since:
    the newer task, or the cancellation, does the work)."""
    with db.session() as session:
        booking = session.get(Booking, booking_id)
        if booking is None or booking.sequence != sequence or booking.status != "active":
            return "stale"
        invitation = booking.invitation
        policy = policy_for(session, booking.tenant_id)
        p = messages.parties(session, invitation)
        old = (booking.meeting_provider, booking.meeting_external_id)
        provider, link, error = None, None, None
        if generates(policy, invitation):
            request = meeting_request(
                invitation, booking, messages.event_summary(p, p.tenant.default_language)
            )
            provider, link, error = _make(session, settings, policy, request)
        if not store(session, booking, sequence, link, error):
            session.rollback()
            if provider is not None and link is not None and link.external_id:
                _cancel_quietly(provider, link.external_id)
            return "stale"
        if old[1] and (link is None or old != (link.provider, link.external_id)):
            enqueue_on_commit(session, "scheduling.cancel_meeting", booking.tenant_id, *old)
        audit.record(
            session,
            "booking.meeting_ready" if link else "booking.meeting_failed",
            actor=None,
            actor_label="system",
            tenant_id=booking.tenant_id,
            target_type="invitation",
            target_id=invitation.id,
            new={
                "booking_id": booking.id,
                "provider": policy.meeting_provider,
                "error": error.code if error else None,
            },
        )
        start = datetime.fromisoformat(previous_start) if previous_start else None
        booking_messages.booking_messages(
            session, p, booking, settings, policy, change, start, [int(i) for i in released]
        )
        session.commit()
        return "ready" if link else "failed"


def _cancel_quietly(provider: MeetingProvider, external_id: str) -> None:
    try:
        provider.cancel(external_id)
    except MeetingError as exc:
        logger.warning("cancelling a %s meeting failed: %s", provider.name, exc.code)
