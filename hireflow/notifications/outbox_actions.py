"""What staff do in the outbox: resend a message, send a test, read a message."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.notifications import schemas
from hireflow.notifications.channel_settings import enabled_channels
from hireflow.notifications.channels import (
    NotificationError,
)
from hireflow.notifications.models import (
    OutboxMessage,
)
from hireflow.notifications.outbox import (
    OutgoingMessage,
    check_recipient,
    enqueue,
    stored_attachments,
)
from hireflow.notifications.templates import (
    TemplateKind,
    normalize_language,
    render_message,
)


def resend_message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    """One-click resend: a new outbox row with the same content, delivered at once."""
    original = require_visible(
        session, OutboxMessage, message_id, principal, "notifications.resend"
    )
    if original.status in ("queued", "sending", "retry"):
        raise ValidationFailed(
            N_("This message is still being delivered; wait for the outcome before resending.")
        )
    count = len(
        list(
            session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.resend_of_id == original.id)
            )
        )
    )
    message = OutgoingMessage(
        channel=original.channel,
        kind=original.kind,
        recipient=original.recipient,
        recipient_label=original.recipient_label,
        subject=original.subject,
        text=original.body_text,
        html=original.body_html,
        sms_text=original.sms_text,
        sms_params=dict(original.sms_params or {}),
        attachments=stored_attachments(original),
        language=original.language,
    )
    row = enqueue(
        session,
        original.tenant_id,
        message,
        dedupe_key=f"resend:{original.id}:{count + 1}",
        opening_id=original.opening_id,
        related_type=original.related_type,
        related_id=original.related_id,
        created_by_id=principal.user_id,
        resend_of_id=original.id,
    )
    audit.commit_recorded(
        session,
        "notifications.resent",
        actor=principal,
        target_type="notification",
        target_id=original.id,
        new={"new_message_id": row.id, "channel": row.channel},
    )
    return row


def send_test(session: Session, principal: Principal, data: schemas.TestMessageIn) -> OutboxMessage:
    """A short test message through a channel, visible in the outbox like any other."""
    require(principal, "notifications.channels")
    if data.channel in ("email", "sms"):
        try:
            recipient = check_recipient(data.channel, data.recipient)
        except NotificationError as exc:
            raise ValidationFailed(
                N_("Enter a valid email address or mobile phone number."),
                fields={"recipient": exc.code},
            ) from exc
    else:
        recipient = ""
    if data.channel not in enabled_channels(session, principal.tenant_id):
        raise ValidationFailed(N_("Turn the channel on first."), fields={"channel": "disabled"})
    language = normalize_language(principal.language)
    rendered = render_message(
        TemplateKind.GENERIC,
        language,
        {
            "title": "Hireflow test",
            "body": "This is a test message from Hireflow. 这是一条测试消息。",
            "company_name": "Hireflow",
        },
        timezone=principal.timezone,
    )
    row = enqueue(
        session,
        principal.tenant_id,
        OutgoingMessage.from_rendered(data.channel, "test", recipient, rendered),
        dedupe_key=f"test:{principal.tenant_id}:{data.channel}:{utcnow().timestamp()}",
        related_type="test",
        created_by_id=principal.user_id,
    )
    audit.commit_recorded(
        session,
        "notifications.test_sent",
        actor=principal,
        target_type="notification",
        target_id=row.id,
        new={"channel": data.channel},
    )
    return row


_CODE = re.compile(r"\b\d{4,8}\b")


def visible_text(row: OutboxMessage) -> str:
    """A message's text as staff may see it: one-time codes are the candidate's alone."""
    text = row.sms_text if row.channel == "sms" and row.sms_text else row.body_text
    if row.kind == "identity_code":
        return _CODE.sub("••••••", text)
    return text


def get_message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    row = require_visible(session, OutboxMessage, message_id, principal, "notifications.read")
    if row is None:
        raise NotFound()
    return row
