"""Who scheduling's messages concern and how they are reached (SPEC D1, D3, D4).

The producers (:mod:`invitation_messages`, :mod:`booking_messages`) render each message in its
recipient's language and time zone and put it into the notification outbox inside the caller's
transaction, with a dedupe key that makes the producing step idempotent. Candidates are reached
on every channel they have (e-mail, and SMS when the company turned it on); interviewers and
recruiters by e-mail, and the hiring group through the company's chat robots. Live interviews
carry an RFC 5545 invite whose UID is stable per booking and whose SEQUENCE follows the
booking's (:func:`ics_attachment`).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.db import utcnow
from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import Settings
from hireflow.core.timezones import TimeError
from hireflow.notifications import channel_settings
from hireflow.notifications import outbox as notify
from hireflow.notifications.channels import Attachment, NotificationError, normalize_phone
from hireflow.notifications.models import GROUP_CHANNELS
from hireflow.notifications.templates import RenderedMessage, normalize_language
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.models import Tenant, User
from hireflow.scheduling.ics import Attendee, InviteEvent, build_invite
from hireflow.scheduling.links import make_link_token
from hireflow.scheduling.models import (
    AvailabilityProfile,
    Booking,
    Invitation,
    SchedulingPolicy,
)
from hireflow.scheduling.timeline import load_zone

# The calendar entry's title, in the recipient's language.
_SUMMARY = N_("Interview: %(job)s (%(company)s)")


def valid_email(address: str) -> str | None:
    """The normalised address, or None when it cannot receive mail."""
    if not address:
        return None
    try:
        return validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def valid_mobile(number: str) -> str | None:
    if not number:
        return None
    try:
        return normalize_phone(number, "CN")
    except NotificationError:
        return None


def safe_zone(name: str | None, fallback: str) -> str:
    try:
        load_zone(name or "")
    except TimeError:
        return fallback
    return name or fallback


# --------------------------------------------------------------------------- links


def link_expiry(invitation: Invitation, policy: SchedulingPolicy) -> datetime:
    """Until when a candidate's link works: the deadline for an AI interview; for interviews to
    book, long enough to reach, reschedule and attend any slot offered before the deadline."""
    if invitation.kind == "ai":
        return invitation.deadline
    return invitation.deadline + timedelta(days=policy.horizon_days + 1)


def link_token(settings: Settings, invitation: Invitation, policy: SchedulingPolicy) -> str:
    """The signed personal token (deterministic: the same link every time it is rendered)."""
    return make_link_token(
        settings.secret_key,
        str(invitation.candidate_id),
        str(invitation.id),
        link_expiry(invitation, policy),
    )


def candidate_link(settings: Settings, invitation: Invitation, policy: SchedulingPolicy) -> str:
    return f"{settings.base_url.rstrip('/')}/i/{link_token(settings, invitation, policy)}"


def staff_link(settings: Settings, invitation: Invitation) -> str:
    return f"{settings.base_url.rstrip('/')}/scheduling/invitations/{invitation.id}"


def meeting_url(
    settings: Settings, invitation: Invitation, booking: Booking, policy: SchedulingPolicy
) -> str:
    """The link the candidate opens: the meeting a provider made for the booking, else the
    invitation's own meeting address, else one made from the company's template with a room
    name that cannot be guessed from the booking id."""
    if booking.meeting_url:
        return booking.meeting_url
    if invitation.meeting_url:
        return invitation.meeting_url
    if policy.meeting_url_template:
        room = hmac.new(
            settings.secret_key.encode(), f"room:{booking.id}".encode(), hashlib.sha256
        ).hexdigest()[:16]
        return policy.meeting_url_template.replace("{booking}", f"hf-{booking.id}-{room}")
    return ""


def staff_meeting_url(
    settings: Settings, invitation: Invitation, booking: Booking, policy: SchedulingPolicy
) -> str:
    """The link the panel opens: the provider's host link when it has one (the live room's
    staff page; the candidate's own link lets its holder in as the candidate), else the
    candidate's."""
    return booking.meeting_host_url or meeting_url(settings, invitation, booking, policy)


_JOIN_CODE = N_("Meeting ID: %(code)s")
_PASSWORD = N_("Meeting password: %(password)s")


def join_details(booking: Booking, language: str) -> str:
    """The meeting's ID and password as lines for an invitation (empty for pasted links)."""
    _ = gettext_for(normalize_language(language))
    lines = []
    if booking.meeting_code:
        lines.append(_(_JOIN_CODE) % {"code": booking.meeting_code})
    if booking.meeting_password:
        lines.append(_(_PASSWORD) % {"password": booking.meeting_password})
    return "\n".join(lines)


# --------------------------------------------------------------------------- who is involved


def event_summary(p: Parties, language: str) -> str:
    """The calendar entry's (and a generated meeting's) title in ``language``."""
    _ = gettext_for(normalize_language(language))
    return _(_SUMMARY) % {"job": p.opening.title, "company": p.tenant.name}


@dataclass
class Parties:
    """Everyone a message about one invitation concerns, loaded once."""

    invitation: Invitation
    candidate: Candidate
    opening: Opening
    tenant: Tenant
    interviewers: list[User]
    owners: list[User]
    zones: dict[int, str]  # user id -> the zone their calendar is in
    # The company's own sender address when it sends through its own mail server: calendar
    # replies (accept / decline) go to the organizer.
    sender: str = ""

    def interviewers_of(self, booking: Booking) -> list[User]:
        """The panel members a booking actually holds (one of several, or all of a panel)."""
        chosen = {int(i) for i in booking.interviewer_ids or []}
        return [u for u in self.interviewers if u.id in chosen]

    @property
    def context(self) -> dict[str, Any]:
        owner = next((o for o in self.owners if valid_email(o.email)), None)
        return {
            "candidate_name": self.candidate.name,
            "company_name": self.tenant.name,
            "job_title": self.opening.title,
            "hr_contact": owner.email if owner else None,
        }


def interviewer_ids(session: Session, invitation: Invitation) -> list[int]:
    """The invitation's panel, or the opening's interviewers when none was chosen."""
    if invitation.interviewer_ids:
        return [int(i) for i in invitation.interviewer_ids]
    return list(
        session.scalars(
            select(OpeningMember.user_id)
            .where(
                OpeningMember.opening_id == invitation.opening_id,
                OpeningMember.role == "interviewer",
            )
            .order_by(OpeningMember.user_id)
        )
    )


def parties(
    session: Session,
    invitation: Invitation,
    panel: list[int] | None = None,
    *,
    shared: dict[Any, Any] | None = None,
) -> Parties:
    """Everyone concerned by ``invitation``. With ``shared`` (one dict per batch of sends), the
    opening's side — company, panel, recruiters, zones — is loaded once and reused."""
    candidate = session.get(Candidate, invitation.candidate_id)
    assert candidate is not None
    key = (
        "staff",
        invitation.opening_id,
        tuple(invitation.interviewer_ids or ()),
        panel and tuple(panel),
    )
    if shared is not None and key in shared:
        opening, tenant, interviewers, owners, zones, sender = shared[key]
        return Parties(invitation, candidate, opening, tenant, interviewers, owners, zones, sender)
    found = _staff_side(session, invitation, panel)
    if shared is not None:
        shared[key] = found
    return Parties(invitation, candidate, *found)


def _staff_side(
    session: Session, invitation: Invitation, panel: list[int] | None
) -> tuple[Opening, Tenant, list[User], list[User], dict[int, str], str]:
    opening = session.get(Opening, invitation.opening_id)
    tenant = session.get(Tenant, invitation.tenant_id)
    assert opening is not None and tenant is not None
    ids = panel if panel is not None else interviewer_ids(session, invitation)
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_(ids), User.tenant_id == invitation.tenant_id)
        )
    }
    owner_ids = session.scalars(
        select(OpeningMember.user_id).where(
            OpeningMember.opening_id == opening.id, OpeningMember.role == "owner"
        )
    )
    owners = list(
        session.scalars(
            select(User).where(
                User.id.in_(list(owner_ids)),
                User.tenant_id == invitation.tenant_id,
                User.is_active.is_(True),
            )
        )
    )
    profiles = {
        p.user_id: p.timezone
        for p in session.scalars(
            select(AvailabilityProfile).where(AvailabilityProfile.user_id.in_(list(users)))
        )
    }
    zones = {
        uid: safe_zone(profiles.get(uid) or u.timezone, tenant.default_timezone)
        for uid, u in users.items()
    }
    for owner in owners:
        zones.setdefault(owner.id, safe_zone(owner.timezone, tenant.default_timezone))
    return (
        opening,
        tenant,
        [users[i] for i in ids if i in users and users[i].is_active],
        owners,
        zones,
        channel_settings.company_sender(session, tenant.id),
    )


def candidate_routes(
    session: Session,
    p: Parties,
    policy: SchedulingPolicy,
    shared: dict[Any, Any] | None = None,
) -> list[tuple[str, str]]:
    """(channel, address) pairs that reach the candidate, e-mail first."""
    routes: list[tuple[str, str]] = []
    email = valid_email(p.candidate.email)
    if email and "email" in policy.candidate_channels:
        routes.append(("email", email))
    sms_wanted = "sms" in policy.candidate_channels
    phone = valid_mobile(p.candidate.phone) if sms_wanted else None
    if shared is not None:
        key = ("channels", p.tenant.id)
        if key not in shared:
            shared[key] = channel_settings.enabled_channels(session, p.tenant.id)
        enabled = shared[key]
    else:
        enabled = channel_settings.enabled_channels(session, p.tenant.id) if phone else set()
    if phone and "sms" in enabled:
        routes.append(("sms", phone))
    if not routes and email:
        # A company that turned e-mail off for candidates but has no SMS still must reach them.
        routes.append(("email", email))
    return routes


def group_channels(session: Session, tenant_id: int, policy: SchedulingPolicy) -> list[str]:
    if not policy.notify_groups:
        return []
    enabled = channel_settings.enabled_channels(session, tenant_id)
    return [c for c in GROUP_CHANNELS if c in enabled]


def sms_params(p: Parties, link: str = "", time: str = "", code: str = "") -> dict[str, str]:
    params = {"name": p.candidate.name[:20], "job": p.opening.title[:20]}
    if link:
        params["link"] = link
    if time:
        params["time"] = time
    if code:
        params["code"] = code
    return params


# --------------------------------------------------------------------------- calendar invites


def ics_attachment(
    settings: Settings,
    p: Parties,
    booking: Booking,
    policy: SchedulingPolicy,
    *,
    zone: str,
    language: str,
    method: str,
    description: str,
    attendee_ids: list[int] | None = None,
    for_staff: bool = False,
) -> Attachment | None:
    """The invite (or its cancellation) written in the recipient's zone and language
    (``for_staff``: with the panel's meeting link).

    ``attendee_ids`` lists other interviewers than the booking's (a cancellation sent to an
    interviewer a move released names them)."""
    sender = p.sender or parseaddr(settings.mail_from)[1]
    organizer = Attendee(valid_email(sender) or "no-reply@hireflow.example", p.tenant.name)
    attendees: list[Attendee] = []
    email = valid_email(p.candidate.email)
    if email:
        attendees.append(Attendee(email, p.candidate.name))
    panel = (
        [u for u in p.interviewers if u.id in attendee_ids]
        if attendee_ids is not None
        else p.interviewers_of(booking)
    )
    for user in panel:
        address = valid_email(user.email)
        if address:
            attendees.append(Attendee(address, user.name))
    for user in p.owners:
        address = valid_email(user.email)
        if address and all(a.email != address for a in attendees):
            attendees.append(Attendee(address, user.name, role="OPT-PARTICIPANT", rsvp=False))
    lang = normalize_language(language)
    summary = event_summary(p, lang)
    url = (
        staff_meeting_url(settings, p.invitation, booking, policy)
        if for_staff
        else meeting_url(settings, p.invitation, booking, policy)
    ) or None
    details = join_details(booking, lang)
    if details and method == "REQUEST":
        description = f"{description}\n\n{details}".strip()
    domain = urlsplit(settings.base_url).hostname or "hireflow.invalid"
    try:
        data = build_invite(
            InviteEvent(
                booking_id=f"{p.tenant.id}-{booking.id}",
                start=booking.start,
                end=booking.end,
                timezone=zone,
                summary=summary,
                description=description,
                organizer=organizer,
                attendees=tuple(attendees),
                meeting_url=url,
                sequence=booking.sequence,
                language=lang,
            ),
            now=utcnow(),
            method=method,
            uid_domain=domain,
        )
    except TimeError:
        return None
    return Attachment(
        "invite.ics" if method == "REQUEST" else "cancel.ics",
        data,
        "text/calendar",
        {"method": method},
    )


# --------------------------------------------------------------------------- queueing


def to_candidate(
    session: Session,
    p: Parties,
    policy: SchedulingPolicy,
    kind: str,
    rendered: RenderedMessage,
    *,
    dedupe: str,
    related: tuple[str, int],
    sms: dict[str, str],
    attachment_for: Callable[[str], Attachment | None] = lambda _channel: None,
    created_by_id: int | None = None,
    shared: dict[Any, Any] | None = None,
) -> int:
    """Queue ``rendered`` on every channel that reaches the candidate; returns how many.

    ``dedupe`` gets the channel appended; ``attachment_for(channel)`` is asked per channel
    (only e-mails carry attachments)."""
    inv = p.invitation
    count = 0
    for channel, address in candidate_routes(session, p, policy, shared):
        attachment = attachment_for(channel)
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                channel,
                kind,
                address,
                rendered,
                recipient_label=p.candidate.name,
                sms_params=sms,
                attachments=(attachment,) if attachment else (),
            ),
            dedupe_key=f"{dedupe}:{channel}",
            opening_id=inv.opening_id,
            related_type=related[0],
            related_id=related[1],
            created_by_id=created_by_id,
        )
        count += 1
    return count


def to_staff(
    session: Session,
    p: Parties,
    user: User,
    kind: str,
    rendered: RenderedMessage,
    *,
    dedupe_key: str,
    related: tuple[str, int],
    attachment: Attachment | None = None,
) -> None:
    """Queue an e-mail to a member of staff (the caller checked their address)."""
    inv = p.invitation
    notify.enqueue(
        session,
        inv.tenant_id,
        notify.OutgoingMessage.from_rendered(
            "email",
            kind,
            str(valid_email(user.email)),
            rendered,
            recipient_label=user.name,
            attachments=(attachment,) if attachment else (),
        ),
        dedupe_key=dedupe_key,
        opening_id=inv.opening_id,
        related_type=related[0],
        related_id=related[1],
    )
