"""The notification domain's part of an erasure request (SPEC G7; called by the record).

Outbox rows keep their channel, kind, status and times (delivery statistics), but lose the
recipient's address and every rendered text, which carry the person's name, the opening and
their personal link. Rows are found by what they were about (the person's invitations and
bookings) and by the person's known addresses, so messages about them are caught too.
"""

from __future__ import annotations

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.models import Booking, Invitation

ERASED = "[erased]"


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Redact this candidate's messages (same transaction, no commit)."""
    invitation_ids = select(Invitation.id).where(Invitation.candidate_id == candidate.id)
    booking_ids = select(Booking.id).where(Booking.invitation_id.in_(invitation_ids))
    addresses = [
        value for value in known_values if value and ("@" in value or value[-4:].isdigit())
    ]
    conditions = [
        and_(
            OutboxMessage.related_type == "invitation", OutboxMessage.related_id.in_(invitation_ids)
        ),
        and_(OutboxMessage.related_type == "booking", OutboxMessage.related_id.in_(booking_ids)),
    ]
    if addresses:
        conditions.append(OutboxMessage.recipient.in_(addresses))
    messages = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.tenant_id == candidate.tenant_id, or_(*conditions)
            )
        )
    )
    for message in messages:
        message.recipient = ERASED
        message.recipient_label = ""
        message.subject = ERASED
        message.body_text = ERASED
        message.body_html = None
        message.sms_text = ""
        message.sms_params = {}
        message.attachments = []
        message.last_error = ""
        for attempt in message.attempts_log:
            attempt.error = ""
    return f"{len(messages)} messages redacted" if messages else ""
