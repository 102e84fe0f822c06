"""Reminders before an interview and the feedback reminder after it.

Due reminders are claimed by a conditional UPDATE, one transaction each, so each is sent
exactly once even with several workers (:func:`dispatch_due_reminders`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from hireflow.core.db import Database, utcnow
from hireflow.core.rows import claim
from hireflow.core.settings import Settings
from hireflow.scheduling import booking_messages, messages
from hireflow.scheduling.models import (
    Booking,
    Invitation,
    Reminder,
    SchedulingPolicy,
)
from hireflow.scheduling.policies import policy_for


def schedule_reminders(
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


class Reminded(StrEnum):
    """What became of one due reminder (the keys of the counts a run returns)."""

    SENT = "sent"
    CANCELLED = "cancelled"  # the booking moved or ended, or the invitation was cancelled
    EXPIRED = "expired"  # the interview began while the server was down
    UNDELIVERABLE = "undeliverable"
    SKIPPED = "skipped"  # another worker claimed it first


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
            outcome = _dispatch(session, reminder_id, settings, now)
        counts[outcome.value] = counts.get(outcome.value, 0) + 1
    return counts


def _dispatch(session: Session, reminder_id: int, settings: Settings, now: datetime) -> Reminded:
    """Claim one reminder and write its messages, in one transaction."""
    sent = (
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "pending")
        .values(status="sent", processed_at=now)
    )
    reminder = claim(session, sent, Reminder, reminder_id)
    if reminder is None:
        return Reminded.SKIPPED
    booking = session.get(Booking, reminder.booking_id)
    invitation = session.get(Invitation, reminder.invitation_id)
    outcome = Reminded.SENT
    if (
        booking is None
        or invitation is None
        or booking.status != "active"
        or booking.sequence != reminder.sequence
        or invitation.status == "cancelled"
    ):
        outcome = Reminded.CANCELLED
    elif reminder.kind != "feedback_reminder" and now >= booking.start:
        # The server was down past the interview: a late "see you tomorrow" helps no one.
        outcome = Reminded.EXPIRED
    else:
        policy = policy_for(session, reminder.tenant_id)
        p = messages.parties(session, invitation)
        if booking_messages.reminder_messages(session, reminder, p, booking, settings, policy) == 0:
            outcome = Reminded.UNDELIVERABLE
    if outcome is not Reminded.SENT:
        reminder.status = outcome.value
    session.commit()
    return outcome
