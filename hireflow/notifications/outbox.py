"""Producing messages: rendering with the company's templates and writing outbox rows.

Producing a message (:func:`enqueue`) only writes an outbox row in the caller's transaction;
delivery is scheduled for after the commit (:mod:`hireflow.notifications.delivery`), so on
rollback nothing is sent.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hireflow.core.db import on_commit, utcnow
from hireflow.core.tasks import send_by_name
from hireflow.notifications.channels import (
    Attachment,
    NotificationError,
    normalize_phone,
)
from hireflow.notifications.message_templates import template_override
from hireflow.notifications.models import (
    OutboxMessage,
)
from hireflow.notifications.templates import (
    RenderedMessage,
    TemplateError,
    TemplateSource,
    normalize_language,
    render_message,
)

log = logging.getLogger(__name__)


@dataclass
class TemplateCache:
    """Overrides looked up once per (kind, language) while rendering many messages."""

    session: Session
    tenant_id: int
    found: dict[tuple[str, str], TemplateSource | None] = field(default_factory=dict)

    def get(self, kind: str, language: str) -> TemplateSource | None:
        key = (kind, normalize_language(language))
        if key not in self.found:
            self.found[key] = template_override(self.session, self.tenant_id, kind, key[1])
        return self.found[key]


def render(
    cache: TemplateCache, kind: str, language: str, context: dict[str, Any], timezone: str
) -> RenderedMessage:
    """Render with the company's template; if that fails at send time, the built-in one.

    A saved template was validated, but a value may still be missing for one recipient; the
    built-in template keeps the message from being lost, and the problem is logged.
    """
    override = cache.get(kind, language)
    if override is not None:
        try:
            return render_message(kind, language, context, timezone=timezone, override=override)
        except TemplateError as exc:
            log.warning(
                "company template failed, built-in used",
                extra={"event": "notifications.template_fallback", "code": exc.code},
            )
    return render_message(kind, language, context, timezone=timezone)


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for one channel and recipient, before it becomes an outbox row."""

    channel: str
    kind: str
    recipient: str
    subject: str
    text: str
    recipient_label: str = ""
    html: str | None = None
    sms_text: str = ""
    sms_params: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    language: str = "zh-CN"

    @classmethod
    def from_rendered(
        cls,
        channel: str,
        kind: str,
        recipient: str,
        rendered: RenderedMessage,
        *,
        recipient_label: str = "",
        sms_params: dict[str, str] | None = None,
        attachments: tuple[Attachment, ...] = (),
    ) -> OutgoingMessage:
        return cls(
            channel=channel,
            kind=kind,
            recipient=recipient,
            recipient_label=recipient_label,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html if channel == "email" else None,
            sms_text=rendered.sms,
            sms_params=sms_params or {},
            attachments=attachments if channel == "email" else (),
            language=rendered.language,
        )


def check_recipient(channel: str, recipient: str) -> str:
    """The normalised address for a channel, or ``NotificationError`` (bad e-mail or phone)."""
    if channel == "email":
        try:
            return validate_email(recipient, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise NotificationError("invalid_channel_config", detail="invalid e-mail") from exc
    if channel == "sms":
        return normalize_phone(recipient, "CN")
    return ""


_PENDING = "hireflow_outbox_pending"


def _dispatch(message_ids: list[int]) -> None:
    for start in range(0, len(message_ids), 50):
        send_by_name("notifications.deliver_messages", message_ids[start : start + 50])


_DEFERRED: ContextVar[list[int] | None] = ContextVar("hireflow_outbox_deferred", default=None)


@contextmanager
def deferred_delivery() -> Iterator[list[int]]:
    """Collect the ids of messages committed inside the block instead of sending one delivery
    task per transaction; the caller passes them to :func:`dispatch` in batches. (Anything
    never dispatched is still delivered by the periodic sweep.)"""
    pending: list[int] = []
    token = _DEFERRED.set(pending)
    try:
        yield pending
    finally:
        _DEFERRED.reset(token)


def dispatch(message_ids: Iterable[int]) -> None:
    """Enqueue delivery tasks for committed outbox rows (50 per task)."""
    _dispatch(list(message_ids))


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None) or []
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.extend(ids)
    else:
        _dispatch(ids)


def _deliver_after_commit(session: Session, message_id: int) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        on_commit(session, lambda: _after_commit(session))
    pending.append(message_id)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue(
    session: Session,
    tenant_id: int,
    message: OutgoingMessage,
    *,
    dedupe_key: str,
    opening_id: int | None = None,
    related_type: str = "",
    related_id: int | None = None,
    created_by_id: int | None = None,
    resend_of_id: int | None = None,
    deliver: bool = True,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (idempotent per ``dedupe_key``).

    Delivery is scheduled for after the commit; on rollback nothing is sent.
    """
    existing = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    row = OutboxMessage(
        tenant_id=tenant_id,
        opening_id=opening_id,
        channel=message.channel,
        kind=message.kind,
        recipient=message.recipient,
        recipient_label=message.recipient_label[:200],
        language=message.language,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        sms_text=message.sms_text,
        sms_params=dict(message.sms_params),
        attachments=[_stored(a) for a in message.attachments],
        related_type=related_type,
        related_id=related_id,
        dedupe_key=dedupe_key,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
        created_by_id=created_by_id,
        resend_of_id=resend_of_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if deliver:
        _deliver_after_commit(session, row.id)
    return row


def cancel_pending(session: Session, related_type: str, related_id: int) -> int:
    """Withdraw messages about something that no longer holds (e.g. a cancelled interview)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.related_type == related_type,
            OutboxMessage.related_id == related_id,
            OutboxMessage.status.in_(("queued", "retry")),
        )
        .values(status="cancelled", updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _stored(attachment: Attachment) -> dict[str, Any]:
    return {
        "filename": attachment.filename,
        "mime_type": attachment.mime_type,
        "params": dict(attachment.params),
        "content_b64": base64.b64encode(attachment.content).decode("ascii"),
    }


def stored_attachments(row: OutboxMessage) -> tuple[Attachment, ...]:
    """The attachments of an outbox row, as the message had them."""
    return tuple(
        Attachment(
            a["filename"],
            base64.b64decode(a["content_b64"]),
            a["mime_type"],
            dict(a.get("params") or {}),
        )
        for a in (row.attachments or [])
    )
