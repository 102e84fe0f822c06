"""Notification tables (SPEC D1, D3): per-company channel settings, message templates, the
outbox of messages to deliver, and every delivery attempt.

The outbox is the single place a message lives from the moment a service decides to send it
until a provider accepts it (or it fails for good). Rows are written in the same transaction as
the change that justified them; workers claim them atomically, so a message is never lost and
never sent by two workers at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hireflow.core import pii
from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import BlindIndexType, EncryptedJSON, EncryptedText, keep_blind_index
from hireflow.openings.models import Opening, openings_of_member

CHANNELS = ("email", "sms", "dingtalk", "wecom", "feishu")
GROUP_CHANNELS = ("dingtalk", "wecom", "feishu")
SMS_PROVIDERS = ("aliyun", "twilio")
# queued: waiting for a worker; sending: claimed by one (lease below); retry: failed for now,
# next_attempt_at says when; sent: accepted by the provider; failed: permanent or out of
# attempts; cancelled: withdrawn before delivery (e.g. the interview was cancelled).
MESSAGE_STATUSES = ("queued", "sending", "retry", "sent", "failed", "cancelled")


SECRETS_CONTEXT = "notification_channels.secrets:{tenant_id}:{channel}"


class ChannelSetting(TenantRow, TimestampMixin, Base):
    """One company's configuration of one channel. Secrets are stored encrypted.

    ``config`` holds what may be shown (host, port, sender, SMS sign name, base URLs, template
    codes); ``secret_token`` is an ``hf1.`` field token (AES-256-GCM under the master key,
    bound to this tenant and channel) of a JSON object with passwords, keys and robot secrets.
    """

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "channel"),)

    channel: Mapped[str] = mapped_column(String(20))
    enabled: Mapped[bool] = mapped_column(default=False)
    provider: Mapped[str] = mapped_column(String(20), default="")
    config: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    # Channel credentials: a field token bound to the company and channel (``keys``).
    secret_token: Mapped[str | None] = mapped_column(
        Text,
        nullable=True,
        info=pii.row_token("notification_channels.secrets:{tenant_id}:{channel}"),
    )
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class MessageTemplate(TenantRow, TimestampMixin, Base):
    """HR's edited version of a built-in message template, per kind and language."""

    __tablename__ = "notification_templates"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "language"),)

    kind: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    sms: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class OutboxMessage(Base):
    """One message to one recipient on one channel, from decision to delivery.

    ``dedupe_key`` makes producing a message idempotent: a task that runs twice (a redelivered
    Celery message) inserts nothing the second time. ``lease_until`` bounds a claim: a worker
    that dies while holding one leaves the row to be picked up again when the lease runs out.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (
        UniqueConstraint("dedupe_key"),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
        Index("ix_notification_outbox_tenant_channel", "tenant_id", "channel", "id"),
        Index("ix_notification_outbox_related", "related_type", "related_id"),
        Index("ix_notification_outbox_updated_at", "updated_at"),  # analytics: what changed
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), nullable=True)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40), default="generic")
    # Everything that names the person or carries their link is encrypted (SPEC G2): the
    # address, the label, every rendered text and attachment. ``recipient_index`` (blind
    # index of the address) lets an erasure find messages sent to a person's addresses.
    recipient: Mapped[str] = mapped_column(
        EncryptedText("notification_outbox.recipient"), default=""
    )
    recipient_index: Mapped[str | None] = mapped_column(BlindIndexType(), nullable=True, index=True)
    recipient_label: Mapped[str] = mapped_column(
        EncryptedText("notification_outbox.recipient_label"), default=""
    )
    language: Mapped[str] = mapped_column(String(10), default="zh-CN")
    subject: Mapped[str] = mapped_column(EncryptedText("notification_outbox.subject"), default="")
    body_text: Mapped[str] = mapped_column(
        EncryptedText("notification_outbox.body_text"), default=""
    )
    body_html: Mapped[str | None] = mapped_column(
        EncryptedText("notification_outbox.body_html"), nullable=True
    )
    sms_text: Mapped[str] = mapped_column(EncryptedText("notification_outbox.sms_text"), default="")
    sms_params: Mapped[dict[str, Any]] = mapped_column(
        EncryptedJSON("notification_outbox.sms_params"), default=dict
    )
    # [{"filename", "mime_type", "params", "content_b64"}]
    attachments: Mapped[list[Any]] = mapped_column(
        EncryptedJSON("notification_outbox.attachments"), default=list
    )
    related_type: Mapped[str] = mapped_column(String(40), default="")
    related_id: Mapped[int | None] = mapped_column(nullable=True)
    dedupe_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str] = mapped_column(
        EncryptedText("notification_outbox.last_error"), default=""
    )
    provider_message_id: Mapped[str] = mapped_column(String(200), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resend_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("notification_outbox.id"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    attempts_log: Mapped[list[DeliveryAttempt]] = relationship(
        back_populates="message", cascade="all, delete-orphan", order_by="DeliveryAttempt.id"
    )


class DeliveryAttempt(Base):
    """One try at handing a message to its provider, and what came back (no personal data)."""

    __tablename__ = "notification_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("notification_outbox.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column()
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    status: Mapped[str] = mapped_column(String(20))
    retryable: Mapped[bool] = mapped_column(default=False)
    error: Mapped[str] = mapped_column(EncryptedText("notification_attempts.error"), default="")
    provider_code: Mapped[str] = mapped_column(String(80), default="")
    http_status: Mapped[int | None] = mapped_column(nullable=True)

    message: Mapped[OutboxMessage] = relationship(back_populates="attempts_log")


# "text" normalisation (NFKC, case-folded): addresses are stored as the channel uses them
# (an e-mail address, an E.164 number, a robot's webhook), so one kind serves all of them.
keep_blind_index(OutboxMessage, "recipient", "recipient_index", kind="text")


def _outbox_in_openings(condition: Any) -> Any:
    return OutboxMessage.opening_id.in_(select(Opening.id).where(condition))


register_scope(ChannelSetting, Scope(tenant=ChannelSetting.tenant_id))
register_scope(MessageTemplate, Scope(tenant=MessageTemplate.tenant_id))
register_scope(
    OutboxMessage,
    Scope(
        tenant=OutboxMessage.tenant_id,
        in_subsidiaries=lambda ids: _outbox_in_openings(Opening.subsidiary_id.in_(ids)),
        in_departments=lambda ids: _outbox_in_openings(Opening.department_id.in_(ids)),
        member_of=lambda user_id: OutboxMessage.opening_id.in_(openings_of_member(user_id)),
    ),
)
