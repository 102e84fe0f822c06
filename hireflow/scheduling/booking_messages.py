"""The messages of a booked interview: booked, moved or cancelled, and its reminders.

Every recipient's e-mail about a booking carries the calendar invite (REQUEST) or its
cancellation (CANCEL) with the booking's SEQUENCE, written in their own zone and language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hireflow.core.settings import Settings
from hireflow.notifications import outbox as notify
from hireflow.notifications.channels import Attachment
from hireflow.notifications.templates import TemplateKind
from hireflow.org.models import User
from hireflow.scheduling.messages import (
    Parties,
    candidate_link,
    group_channels,
    ics_attachment,
    meeting_url,
    safe_zone,
    sms_params,
    staff_link,
    staff_meeting_url,
    to_candidate,
    to_staff,
    valid_email,
)
from hireflow.scheduling.models import Booking, Reminder, SchedulingPolicy


@dataclass
class _About:
    """One booking as every message about it needs it."""

    session: Session
    p: Parties
    booking: Booking
    settings: Settings
    policy: SchedulingPolicy
    cache: notify.TemplateCache
    link: str
    meeting: str
    staff_meeting: str

    @classmethod
    def of(
        cls,
        session: Session,
        p: Parties,
        booking: Booking,
        settings: Settings,
        policy: SchedulingPolicy,
    ) -> _About:
        inv = p.invitation
        return cls(
            session,
            p,
            booking,
            settings,
            policy,
            notify.TemplateCache(session, inv.tenant_id),
            candidate_link(settings, inv, policy),
            meeting_url(settings, inv, booking, policy),
            staff_meeting_url(settings, inv, booking, policy),
        )

    @property
    def related(self) -> tuple[str, int]:
        return ("booking", self.booking.id)

    def invite(self, **options: Any) -> Attachment | None:
        """This booking's calendar invite (``options``: those of :func:`ics_attachment`)."""
        return ics_attachment(self.settings, self.p, self.booking, self.policy, **options)

    def zone_of(self, user: User) -> str:
        return self.p.zones.get(user.id, self.p.tenant.default_timezone)


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

    ``change`` is booked, rescheduled or cancelled. ``released`` are interviewers a move took
    off the interview: they get the cancellation.
    """
    about = _About.of(session, p, booking, settings, policy)
    method = "CANCEL" if change == "cancelled" else "REQUEST"
    key = f"booking:{booking.id}:{booking.sequence}"
    count = _tell_candidate(about, change, method, key, previous_start)
    staff = {u.id: u for u in [*p.interviewers_of(booking), *p.owners]}
    for user in staff.values():
        if not valid_email(user.email):
            continue
        _tell_staff(
            about,
            user,
            slot=(booking.start, booking.end),
            meeting_link=about.staff_meeting or staff_link(settings, p.invitation),
            change=change,
            method=method,
            dedupe_key=f"{key}:u{user.id}:email",
        )
        count += 1
    for user in p.interviewers:
        if user.id not in (released or []) or not valid_email(user.email):
            continue
        _tell_staff(
            about,
            user,
            slot=(previous_start or booking.start, None),
            meeting_link=None,
            change="cancelled",
            method="CANCEL",
            dedupe_key=f"{key}:u{user.id}:released",
            attendee_ids=[user.id],
        )
        count += 1
    channels = group_channels(session, p.tenant.id, policy)
    if channels:
        count += group_messages(
            session,
            p,
            booking,
            settings,
            channels,
            change,
            key,
            about.cache,
            meeting=about.staff_meeting,
        )
    return count


def _tell_candidate(
    about: _About, change: str, method: str, key: str, previous_start: datetime | None
) -> int:
    p, booking, inv = about.p, about.booking, about.p.invitation
    if change == "cancelled":
        kind = TemplateKind.BOOKING_CANCELLED
        context = {**p.context, "slot_start": previous_start or booking.start, "link": about.link}
    else:
        kind = TemplateKind.INVITATION_LIVE
        context = {
            **p.context,
            "slot_start": booking.start,
            "slot_end": booking.end,
            "meeting_link": about.meeting or about.link,
            "reschedule_link": about.link,
            "interviewer_names": [u.name for u in p.interviewers_of(booking)],
            "materials": list(inv.materials or []),
            "notes": inv.notes or None,
        }
    rendered = notify.render(about.cache, kind, inv.language, context, inv.timezone)

    def invite(channel: str) -> Attachment | None:
        if channel != "email":
            return None
        return about.invite(
            zone=inv.timezone, language=inv.language, method=method, description=rendered.text
        )

    return to_candidate(
        about.session,
        p,
        about.policy,
        kind.value,
        rendered,
        dedupe=f"{key}:candidate",
        related=about.related,
        sms=sms_params(p, link=about.link, time=booking.start.isoformat()),
        attachment_for=invite,
    )


def _tell_staff(
    about: _About,
    user: User,
    *,
    slot: tuple[datetime, datetime | None],
    meeting_link: str | None,
    change: str,
    method: str,
    dedupe_key: str,
    attendee_ids: list[int] | None = None,
) -> None:
    """An interviewer's or recruiter's notice, in their own language and zone."""
    zone = about.zone_of(user)
    profile = staff_link(about.settings, about.p.invitation)
    rendered = notify.render(
        about.cache,
        TemplateKind.INTERVIEWER_NOTICE,
        user.language,
        {
            **about.p.context,
            "interviewer_name": user.name,
            "slot_start": slot[0],
            "slot_end": slot[1],
            "meeting_link": meeting_link,
            "profile_link": profile,
            "change": change,
        },
        zone,
    )
    attachment = about.invite(
        zone=zone,
        language=user.language,
        method=method,
        description=rendered.text,
        attendee_ids=attendee_ids,
        for_staff=True,
    )
    to_staff(
        about.session,
        about.p,
        user,
        TemplateKind.INTERVIEWER_NOTICE.value,
        rendered,
        dedupe_key=dedupe_key,
        related=about.related,
        attachment=attachment,
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
    about = _About.of(session, p, booking, settings, policy)
    key = f"reminder:{reminder.id}"
    if reminder.recipient_key == "candidate":
        return _remind_candidate(about, reminder, key)
    return _remind_interviewer(about, reminder, key)


def _remind_candidate(about: _About, reminder: Reminder, key: str) -> int:
    p, inv = about.p, about.p.invitation
    kind = TemplateKind(reminder.kind)
    rendered = notify.render(
        about.cache,
        kind,
        inv.language,
        {
            **p.context,
            "slot_start": about.booking.start,
            "link": about.meeting or about.link,
            "job_type": p.opening.job_type,
            "materials": list(inv.materials or []),
            "notes": inv.notes or None,
        },
        inv.timezone,
    )
    return to_candidate(
        about.session,
        p,
        about.policy,
        kind.value,
        rendered,
        dedupe=key,
        related=about.related,
        sms=sms_params(p, link=about.meeting or about.link),
    )


def _remind_interviewer(about: _About, reminder: Reminder, key: str) -> int:
    p, booking = about.p, about.booking
    user_id = int(reminder.recipient_key.removeprefix("u"))
    panel = p.interviewers_of(booking)
    user = next((u for u in panel if u.id == user_id), None)
    if user is None or not valid_email(user.email):
        return 0
    profile = staff_link(about.settings, p.invitation)
    context: dict[str, Any]
    if reminder.kind == TemplateKind.FEEDBACK_REMINDER.value:
        kind = TemplateKind.FEEDBACK_REMINDER
        context = {
            **p.context,
            "interviewer_name": user.name,
            "interview_end": booking.end,
            "feedback_link": profile,
            "due": booking.end + timedelta(days=1),
        }
    else:
        kind = TemplateKind.INTERVIEWER_REMINDER
        context = {
            **p.context,
            "interviewer_name": user.name,
            "slot_start": booking.start,
            "slot_end": booking.end,
            "meeting_link": about.staff_meeting or profile,
            "profile_link": profile,
        }
    rendered = notify.render(about.cache, kind, user.language, context, about.zone_of(user))
    to_staff(
        about.session,
        p,
        user,
        kind.value,
        rendered,
        dedupe_key=f"{key}:email",
        related=about.related,
    )
    count = 1
    # The hiring group hears about the coming interview once (with the first reminder of the
    # first interviewer; the dedupe key is the booking's, whatever the lead time).
    if kind is TemplateKind.INTERVIEWER_REMINDER and panel and user is panel[0]:
        channels = group_channels(about.session, p.tenant.id, about.policy)
        if channels:
            group_key = f"reminder:booking:{booking.id}:{booking.sequence}"
            count += group_messages(
                about.session,
                p,
                booking,
                about.settings,
                channels,
                "reminder",
                group_key,
                about.cache,
                meeting=about.staff_meeting,
            )
    return count
