"""What scheduling tells people, and on which channels (SPEC D1, D3, D4).

Every function here renders messages in each recipient's language and time zone and puts them
into the notification outbox inside the caller's transaction, with a dedupe key that makes the
producing step idempotent. Candidates are reached on every channel they have (e-mail, and SMS
when the company turned it on); interviewers and recruiters by e-mail, and the hiring group
through the company's chat robots. Live interviews carry an RFC 5545 invite whose UID is stable
per booking and whose SEQUENCE follows the booking's.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.db import utcnow
from hireflow.core.settings import Settings
from hireflow.interviews.plan_facts import PlanFacts
from hireflow.notifications import service as notify
from hireflow.notifications.channels import Attachment, NotificationError, normalize_phone
from hireflow.notifications.models import GROUP_CHANNELS
from hireflow.notifications.templates import RenderedMessage, TemplateKind, normalize_language
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.models import Tenant, User
from hireflow.scheduling.ics import Attendee, InviteEvent, build_invite
from hireflow.scheduling.links import make_link_token
from hireflow.scheduling.models import (
    AvailabilityProfile,
    Booking,
    Invitation,
    Reminder,
    SchedulingPolicy,
)
from hireflow.scheduling.qr import CONTENT_ID, qr_png
from hireflow.scheduling.slots import SchedulingError, load_zone

_SUMMARY = {
    "zh-CN": "面试:{job}({company})",
    "en": "Interview: {job} ({company})",
    "ja": "面接:{job}({company})",
}


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
    except SchedulingError:
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
    """The invitation's own meeting address, else one made from the company's template with a
    room name that cannot be guessed from the booking id."""
    if invitation.meeting_url:
        return invitation.meeting_url
    if policy.meeting_url_template:
        room = hmac.new(
            settings.secret_key.encode(), f"room:{booking.id}".encode(), hashlib.sha256
        ).hexdigest()[:16]
        return policy.meeting_url_template.replace("{booking}", f"hf-{booking.id}-{room}")
    return ""


# --------------------------------------------------------------------------- who is involved


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
        notify.company_sender(session, tenant.id),
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
            shared[key] = notify.enabled_channels(session, p.tenant.id)
        enabled = shared[key]
    else:
        enabled = notify.enabled_channels(session, p.tenant.id) if phone else set()
    if phone and "sms" in enabled:
        routes.append(("sms", phone))
    if not routes and email:
        # A company that turned e-mail off for candidates but has no SMS still must reach them.
        routes.append(("email", email))
    return routes


def group_channels(session: Session, tenant_id: int, policy: SchedulingPolicy) -> list[str]:
    if not policy.notify_groups:
        return []
    enabled = notify.enabled_channels(session, tenant_id)
    return [c for c in GROUP_CHANNELS if c in enabled]


def _sms_params(p: Parties, link: str = "", time: str = "", code: str = "") -> dict[str, str]:
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
) -> Attachment | None:
    """The invite (or its cancellation) written in the recipient's zone and language.

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
    url = meeting_url(settings, p.invitation, booking, policy) or None
    domain = urlsplit(settings.base_url).hostname or "hireflow.invalid"
    try:
        data = build_invite(
            InviteEvent(
                booking_id=f"{p.tenant.id}-{booking.id}",
                start=booking.start,
                end=booking.end,
                timezone=zone,
                summary=_SUMMARY[lang].format(job=p.opening.title, company=p.tenant.name),
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
    except SchedulingError:
        return None
    return Attachment(
        "invite.ics" if method == "REQUEST" else "cancel.ics",
        data,
        "text/calendar",
        {"method": method},
    )


# --------------------------------------------------------------------------- producers


def invitation_context(
    inv: Invitation, p: Parties, link: str, facts: PlanFacts | None = None
) -> tuple[TemplateKind, dict[str, Any]]:
    """Which template an invitation uses, and its values.

    ``facts`` (AI interviews) are the interview plan's: question count, length, time limits
    and technical questions are stated from them, never from a separate setting."""
    context: dict[str, Any] = {
        **p.context,
        "link": link,
        "deadline": inv.deadline,
        "materials": list(inv.materials or []),
        "notes": inv.notes or None,
    }
    if inv.kind == "ai":
        context.update(job_type=p.opening.job_type)
        if facts is not None and facts.questions:
            context.update(
                duration_minutes=facts.minutes,
                question_count=facts.questions,
                time_limits=facts.time_limits(inv.language),
                technical_questions=facts.technical,
                coding_questions=facts.coding,
            )
        return TemplateKind.INVITATION_AI, context
    if inv.kind == "next_round":
        context.update(round_name=inv.round_name or "")
        return TemplateKind.INVITATION_NEXT_ROUND, context
    context.update(
        duration_minutes=inv.duration_minutes,
        round_name=inv.round_name or "",
        job_type=p.opening.job_type,
        interviewer_names=[u.name for u in p.interviewers] if inv.panel else [],
    )
    return TemplateKind.INVITATION_SCHEDULE, context


def invitation_messages(
    session: Session,
    cache: notify.TemplateCache,
    p: Parties,
    settings: Settings,
    policy: SchedulingPolicy,
    send_no: int,
    shared: dict[Any, Any] | None = None,
    facts: PlanFacts | None = None,
) -> int:
    """The invitation itself, on every channel that reaches the candidate."""
    inv = p.invitation
    link = candidate_link(settings, inv, policy)
    kind, context = invitation_context(inv, p, link, facts)
    rendered = notify.render(cache, kind, inv.language, context, inv.timezone)
    # E-mails carry the QR code of the personal link: scanned by a phone (or WeChat), it
    # opens the same page as the link. A text message carries the link only.
    rendered, qr = with_link_qr(rendered, link)
    count = 0
    for channel, address in candidate_routes(session, p, policy, shared):
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                channel,
                kind.value,
                address,
                rendered,
                recipient_label=p.candidate.name,
                sms_params=_sms_params(p, link=link),
                attachments=(qr,),
            ),
            dedupe_key=f"invitation:{inv.id}:{send_no}:{channel}",
            opening_id=inv.opening_id,
            related_type="invitation",
            related_id=inv.id,
            created_by_id=inv.created_by_id,
        )
        count += 1
    return count


_QR_CAPTION = {
    "zh-CN": "用手机扫描二维码打开您的个人面试链接(微信“扫一扫”也可以):",
    "en": "Scan the code with your phone to open your personal interview link:",
    "ja": "スマートフォンでコードを読み取ると、ご本人専用の面接リンクが開きます:",
}


def with_link_qr(rendered: RenderedMessage, link: str) -> tuple[RenderedMessage, Attachment]:
    """The message's HTML with the QR code of ``link`` under its text, and the image."""
    image = Attachment("interview-link.png", qr_png(link), "image/png", {"content_id": CONTENT_ID})
    caption = html.escape(_QR_CAPTION.get(rendered.language, _QR_CAPTION["en"]))
    block = (
        f'<p style="margin-top:1.5em">{caption}<br>'
        f'<img src="cid:{CONTENT_ID}" alt="QR" width="200" height="200"></p>\n</body>'
    )
    return replace(rendered, html=rendered.html.replace("</body>", block, 1)), image


def booking_messages(
    session: Session,
    p: Parties,
    booking: Booking,
    settings: Settings,
    policy: SchedulingPolicy,
    change: str,
    previous_start: datetime | None = None,
    released: list[int] | None = None,
) -> int:
    """Tell the candidate, the panel, the opening's recruiters and the hiring group.

    ``change`` is booked, rescheduled or cancelled; every recipient's e-mail carries the
    calendar invite (REQUEST) or its cancellation (CANCEL) with the booking's SEQUENCE.
    ``released`` are interviewers a move took off the interview: they get the cancellation.
    """
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    link = candidate_link(settings, inv, policy)
    meeting = meeting_url(settings, inv, booking, policy)
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    key = f"booking:{booking.id}:{booking.sequence}"
    count = 0

    # The candidate.
    if change == "cancelled":
        kind = TemplateKind.BOOKING_CANCELLED
        context = {**p.context, "slot_start": previous_start or booking.start, "link": link}
    else:
        kind = TemplateKind.INVITATION_LIVE
        context = {
            **p.context,
            "slot_start": booking.start,
            "slot_end": booking.end,
            "meeting_link": meeting or link,
            "reschedule_link": link,
            "interviewer_names": [u.name for u in p.interviewers_of(booking)],
            "materials": list(inv.materials or []),
            "notes": inv.notes or None,
        }
    rendered = notify.render(cache, kind, inv.language, context, inv.timezone)
    for channel, address in candidate_routes(session, p, policy):
        attachment = (
            ics_attachment(
                settings,
                p,
                booking,
                policy,
                zone=inv.timezone,
                language=inv.language,
                method=method,
                description=rendered.text,
            )
            if channel == "email"
            else None
        )
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                channel,
                kind.value,
                address,
                rendered,
                recipient_label=p.candidate.name,
                sms_params=_sms_params(p, link=link, time=booking.start.isoformat()),
                attachments=(attachment,) if attachment else (),
            ),
            dedupe_key=f"{key}:candidate:{channel}",
            opening_id=inv.opening_id,
            related_type="booking",
            related_id=booking.id,
        )
        count += 1

    # The panel and the opening's recruiters, each in their own language and zone.
    staff = {u.id: u for u in [*p.interviewers_of(booking), *p.owners]}
    for user in staff.values():
        address = valid_email(user.email)
        if not address:
            continue
        zone = p.zones.get(user.id, p.tenant.default_timezone)
        rendered = notify.render(
            cache,
            TemplateKind.INTERVIEWER_NOTICE,
            user.language,
            {
                **p.context,
                "interviewer_name": user.name,
                "slot_start": booking.start,
                "slot_end": booking.end,
                "meeting_link": meeting or staff_link(settings, inv),
                "profile_link": staff_link(settings, inv),
                "change": change,
            },
            zone,
        )
        attachment = ics_attachment(
            settings,
            p,
            booking,
            policy,
            zone=zone,
            language=user.language,
            method=method,
            description=rendered.text,
        )
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                "email",
                TemplateKind.INTERVIEWER_NOTICE.value,
                address,
                rendered,
                recipient_label=user.name,
                attachments=(attachment,) if attachment else (),
            ),
            dedupe_key=f"{key}:u{user.id}:email",
            opening_id=inv.opening_id,
            related_type="booking",
            related_id=booking.id,
        )
        count += 1
    for user in p.interviewers:
        if user.id not in (released or []) or not valid_email(user.email):
            continue
        zone = p.zones.get(user.id, p.tenant.default_timezone)
        rendered = notify.render(
            cache,
            TemplateKind.INTERVIEWER_NOTICE,
            user.language,
            {
                **p.context,
                "interviewer_name": user.name,
                "slot_start": previous_start or booking.start,
                "slot_end": None,
                "meeting_link": None,
                "profile_link": staff_link(settings, inv),
                "change": "cancelled",
            },
            zone,
        )
        attachment = ics_attachment(
            settings,
            p,
            booking,
            policy,
            zone=zone,
            language=user.language,
            method="CANCEL",
            description=rendered.text,
            attendee_ids=[user.id],
        )
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                "email",
                TemplateKind.INTERVIEWER_NOTICE.value,
                str(valid_email(user.email)),
                rendered,
                recipient_label=user.name,
                attachments=(attachment,) if attachment else (),
            ),
            dedupe_key=f"{key}:u{user.id}:released",
            opening_id=inv.opening_id,
            related_type="booking",
            related_id=booking.id,
        )
        count += 1
    count += _group_notice(session, p, booking, settings, policy, change, key, cache, meeting)
    return count


def _group_notice(
    session: Session,
    p: Parties,
    booking: Booking,
    settings: Settings,
    policy: SchedulingPolicy,
    change: str,
    key: str,
    cache: notify.TemplateCache,
    meeting: str,
) -> int:
    channels = group_channels(session, p.tenant.id, policy)
    if not channels:
        return 0
    return group_messages(
        session, p, booking, settings, channels, change, key, cache, meeting=meeting
    )


def group_messages(
    session: Session,
    p: Parties,
    booking: Booking,
    settings: Settings,
    channels: list[str],
    change: str,
    key: str,
    cache: notify.TemplateCache,
    *,
    meeting: str,
) -> int:
    """One message to each hiring-group robot: about the interview, greeting nobody (a group
    is not the interviewer), in the company's language and zone."""
    rendered = notify.render(
        cache,
        TemplateKind.GROUP_NOTICE,
        p.tenant.default_language,
        {
            **p.context,
            "interviewer_names": [u.name for u in p.interviewers_of(booking)],
            "slot_start": booking.start,
            "slot_end": booking.end,
            "meeting_link": meeting or None,
            "profile_link": staff_link(settings, p.invitation),
            "change": change,
        },
        safe_zone(p.tenant.default_timezone, "Asia/Shanghai"),
    )
    for channel in channels:
        notify.enqueue(
            session,
            p.tenant.id,
            notify.OutgoingMessage.from_rendered(
                channel,
                TemplateKind.GROUP_NOTICE.value,
                "",
                rendered,
                recipient_label="hiring group",
            ),
            dedupe_key=f"{key}:group:{channel}",
            opening_id=p.opening.id,
            related_type="booking",
            related_id=booking.id,
        )
    return len(channels)


def reminder_messages(
    session: Session,
    reminder: Reminder,
    p: Parties,
    booking: Booking,
    settings: Settings,
    policy: SchedulingPolicy,
) -> int:
    """The messages of one due reminder (candidate, one interviewer, or feedback nudge)."""
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    link = candidate_link(settings, inv, policy)
    meeting = meeting_url(settings, inv, booking, policy)
    key = f"reminder:{reminder.id}"
    count = 0
    if reminder.recipient_key == "candidate":
        kind = TemplateKind(reminder.kind)
        rendered = notify.render(
            cache,
            kind,
            inv.language,
            {
                **p.context,
                "slot_start": booking.start,
                "link": meeting or link,
                "job_type": p.opening.job_type,
                "materials": list(inv.materials or []),
                "notes": inv.notes or None,
            },
            inv.timezone,
        )
        for channel, address in candidate_routes(session, p, policy):
            notify.enqueue(
                session,
                inv.tenant_id,
                notify.OutgoingMessage.from_rendered(
                    channel,
                    kind.value,
                    address,
                    rendered,
                    recipient_label=p.candidate.name,
                    sms_params=_sms_params(p, link=meeting or link),
                ),
                dedupe_key=f"{key}:{channel}",
                opening_id=inv.opening_id,
                related_type="booking",
                related_id=booking.id,
            )
            count += 1
        return count

    user_id = int(reminder.recipient_key.removeprefix("u"))
    panel = p.interviewers_of(booking)
    user = next((u for u in panel if u.id == user_id), None)
    if user is None or not valid_email(user.email):
        return 0
    zone = p.zones.get(user.id, p.tenant.default_timezone)
    if reminder.kind == TemplateKind.FEEDBACK_REMINDER.value:
        kind = TemplateKind.FEEDBACK_REMINDER
        context = {
            **p.context,
            "interviewer_name": user.name,
            "interview_end": booking.end,
            "feedback_link": staff_link(settings, inv),
            "due": booking.end + timedelta(days=1),
        }
    else:
        kind = TemplateKind.INTERVIEWER_REMINDER
        context = {
            **p.context,
            "interviewer_name": user.name,
            "slot_start": booking.start,
            "slot_end": booking.end,
            "meeting_link": meeting or staff_link(settings, inv),
            "profile_link": staff_link(settings, inv),
        }
    rendered = notify.render(cache, kind, user.language, context, zone)
    notify.enqueue(
        session,
        inv.tenant_id,
        notify.OutgoingMessage.from_rendered(
            "email", kind.value, str(valid_email(user.email)), rendered, recipient_label=user.name
        ),
        dedupe_key=f"{key}:email",
        opening_id=inv.opening_id,
        related_type="booking",
        related_id=booking.id,
    )
    count += 1
    # The hiring group hears about the coming interview once (with the first reminder of the
    # first interviewer; the dedupe key is the booking's, whatever the lead time).
    if kind is TemplateKind.INTERVIEWER_REMINDER and panel and user is panel[0]:
        channels = group_channels(session, p.tenant.id, policy)
        if channels:
            group_key = f"reminder:booking:{booking.id}:{booking.sequence}"
            count += group_messages(
                session,
                p,
                booking,
                settings,
                channels,
                "reminder",
                group_key,
                cache,
                meeting=meeting,
            )
    return count


def identity_code_messages(
    session: Session, p: Parties, code: str, valid_minutes: int, policy: SchedulingPolicy
) -> int:
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    rendered = notify.render(
        cache,
        TemplateKind.IDENTITY_CODE,
        inv.language,
        {**p.context, "code": code, "valid_minutes": valid_minutes},
        inv.timezone,
    )
    count = 0
    for channel, address in candidate_routes(session, p, policy):
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                channel,
                TemplateKind.IDENTITY_CODE.value,
                address,
                rendered,
                recipient_label=p.candidate.name,
                sms_params=_sms_params(p, code=code),
            ),
            dedupe_key=f"identity:{inv.id}:{inv.identity_generation}:{inv.codes_sent}:{channel}",
            opening_id=inv.opening_id,
            related_type="invitation",
            related_id=inv.id,
        )
        count += 1
    return count


def identity_locked_messages(
    session: Session,
    p: Parties,
    settings: Settings,
    policy: SchedulingPolicy,
    attempts: int,
) -> int:
    """Alert the opening's recruiters (and the hiring group) that a link was locked."""
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    progress = f"{settings.base_url.rstrip('/')}/scheduling/openings/{inv.opening_id}"
    count = 0
    key = f"locked:{inv.id}:{inv.identity_generation}:{inv.identity_lockouts}"
    for owner in p.owners:
        address = valid_email(owner.email)
        if not address:
            continue
        rendered = notify.render(
            cache,
            TemplateKind.IDENTITY_LOCKED,
            owner.language,
            {
                **p.context,
                "recipient_name": owner.name,
                "attempts": attempts,
                "locked_until": inv.identity_locked_until or utcnow(),
                "link": progress,
            },
            p.zones.get(owner.id, p.tenant.default_timezone),
        )
        notify.enqueue(
            session,
            inv.tenant_id,
            notify.OutgoingMessage.from_rendered(
                "email",
                TemplateKind.IDENTITY_LOCKED.value,
                address,
                rendered,
                recipient_label=owner.name,
            ),
            dedupe_key=f"{key}:u{owner.id}",
            opening_id=inv.opening_id,
            related_type="invitation",
            related_id=inv.id,
        )
        count += 1
    return count
