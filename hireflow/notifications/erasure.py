"""The notification domain's part of an erasure request (SPEC G7; called by the record).

Outbox rows keep their channel, kind, status and times (delivery statistics), but lose the
recipient's address and every rendered text, which carry the person's name, the opening and
their personal link. Rows are found by what they were about (the person's invitations and
bookings) and by the person's known addresses, so messages about them are caught too.
"""

from __future__ import annotations

import json
from email import policy
from email.parser import BytesParser
from pathlib import Path

from sqlalchemy import and_, or_, select, true
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.core.db import on_commit
from hireflow.core.settings import get_settings
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.models import Booking, Invitation

ERASED = "[erased]"


def _mentions(message: OutboxMessage, known: list[str]) -> bool:
    texts = [
        message.recipient,
        message.recipient_label,
        message.subject,
        message.body_text,
        message.body_html or "",
        message.sms_text,
        json.dumps(message.sms_params or {}, ensure_ascii=False),
    ]
    folded = [t.casefold() for t in texts if t]
    return any(value.casefold() in text for value in known for text in folded)


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Redact this candidate's messages (same transaction, no commit).

    Messages are found by what they were about (invitations, bookings), by the blind index
    of the address they went to, and, because a message may name the person without being
    about them (a reminder to an interviewer, a digest to HR), by decrypting the company's
    remaining messages and looking for the person's known values.
    """
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
    indexes = [
        index
        for value in addresses
        for index in pii.blind_index_values(value, "text", tenant_id=candidate.tenant_id)
    ]
    if indexes:
        conditions.append(OutboxMessage.recipient_index.in_(indexes))
    messages = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.tenant_id == candidate.tenant_id, or_(*conditions)
            )
        )
    )
    found = {m.id for m in messages}
    known = [v for v in known_values if v and len(v.strip()) >= 2]
    others = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.tenant_id == candidate.tenant_id,
            OutboxMessage.id.not_in(found) if found else true(),
        )
    )
    messages += [m for m in others if _mentions(m, known)]
    for message in messages:
        message.recipient = ERASED
        message.recipient_index = None
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
    maildrop = Path(get_settings().data_dir) / "maildrop"
    if known and maildrop.is_dir():
        on_commit(session, lambda: _forget_mail_files(maildrop, known))
    return f"{len(messages)} messages redacted" if messages else ""


def mail_file_text(path: Path) -> str:
    """An ``.eml`` file as a person reads it: decoded headers and every text part (names
    are base64 or quoted-printable inside the file, so the raw bytes would hide them)."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    parts = [f"{key}: {value}" for key, value in message.items()]
    for part in message.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(part.get_content())
            except (LookupError, ValueError):
                parts.append(part.get_payload(decode=True).decode("utf-8", "replace"))
    return "\n".join(str(p) for p in parts)


def _forget_mail_files(directory: Path, known: list[str]) -> None:
    """Delete the mail-drop copies of messages that name the person (after the commit: the
    files are outside the transaction). The mail drop is the local stand-in for a mail
    server; messages that left through SMTP are beyond the product's reach."""
    folded = [value.casefold() for value in known]
    for path in directory.glob("*.eml"):
        try:
            text = mail_file_text(path).casefold()
        except OSError:
            continue
        if any(value in text for value in folded) or any(
            value.encode() in path.read_bytes() for value in known
        ):
            path.unlink(missing_ok=True)
