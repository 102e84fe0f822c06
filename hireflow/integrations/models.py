"""Webhook endpoints and their deliveries, the company's integration settings, and saved
import field mappings.

A delivery row is written by the ``"*"`` event handler in the transaction that published the
event, one per subscribed endpoint, so an event is never lost: if the transaction commits the
rows exist, and if it rolls back the event never happened. The payload holds ids only (no
personal data), so the log and a replay reveal nothing a receiver could not ask the API for.

Deliveries for the same endpoint and subject (``candidate:42``) go out in id order: a row is
sent only when no earlier row of its endpoint and subject is still pending or being sent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, JSONText, TenantRow, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText

DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed")
IMPORT_KINDS = ("candidates", "results", "employees")


class WebhookEndpoint(TenantRow, TimestampMixin, Base):
    """A receiver URL of one company with the events it subscribed to and its signing secret.

    During a rotation the previous secret keeps signing beside the new one (two ``v1=``
    signatures) until ``previous_secret_until``, so a receiver can switch without a gap.
    """

    __tablename__ = "webhook_endpoints"

    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(200), default="")
    events: Mapped[list[str]] = mapped_column(JSONText(), default=list)
    secret: Mapped[str] = mapped_column(EncryptedText("webhook_endpoints.secret"))
    previous_secret: Mapped[str | None] = mapped_column(
        EncryptedText("webhook_endpoints.previous_secret"), nullable=True
    )
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class WebhookDelivery(TenantRow, Base):
    """One event for one endpoint: its payload, its state and its last attempt."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_line", "endpoint_id", "subject", "status", "id"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(40))
    event: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text())
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status: Mapped[int | None] = mapped_column(nullable=True)
    last_error: Mapped[str] = mapped_column(String(300), default="")
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replay_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class IntegrationSettings(Base):
    """Per company. ``allow_private_addresses`` (off by default) lets webhooks reach loopback,
    private and link-local addresses: on for a company whose receiver is on its own network,
    never needed for a public receiver."""

    __tablename__ = "integration_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    allow_private_addresses: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ImportMapping(TenantRow, TimestampMixin, Base):
    """A saved field mapping: which column of a file fills which field (``{"姓名": "name"}``)."""

    __tablename__ = "import_mappings"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "name"),)

    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    columns: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


register_scope(WebhookEndpoint, Scope(tenant=WebhookEndpoint.tenant_id))
register_scope(WebhookDelivery, Scope(tenant=WebhookDelivery.tenant_id))
register_scope(IntegrationSettings, Scope(tenant=IntegrationSettings.tenant_id))
register_scope(ImportMapping, Scope(tenant=ImportMapping.tenant_id))
