"""notifications: channel settings, templates, outbox, delivery attempts

Revision ID: 0005_notifications
Revises: 0004_candidates
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0005_notifications"
down_revision: str | None = "0004_candidates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "notification_channels",
        id_column(),
        tenant(),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("config", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("secret_token", sa.Text(), nullable=True),
        ref("updated_by_id", "users", nullable=True),
        *timestamps(),
        unique("tenant_id", "channel"),
        index=("tenant_id",),
    )

    create_table(
        "notification_templates",
        id_column(),
        tenant(),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sms", sa.Text(), nullable=False),
        ref("updated_by_id", "users", nullable=True),
        *timestamps(),
        unique("tenant_id", "kind", "language"),
        index=("tenant_id",),
    )

    create_table(
        "notification_outbox",
        id_column(),
        tenant(),
        ref("opening_id", "openings", nullable=True),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("recipient_label", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("sms_text", sa.Text(), nullable=False),
        sa.Column("sms_params", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("attachments", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("related_type", sa.String(length=40), nullable=False),
        sa.Column("related_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("provider_message_id", sa.String(length=200), nullable=False),
        sa.Column("sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("resend_of_id", "notification_outbox", nullable=True),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        unique("dedupe_key"),
        named_index("ix_notification_outbox_due", "status", "next_attempt_at"),
        named_index("ix_notification_outbox_related", "related_type", "related_id"),
        named_index("ix_notification_outbox_tenant_channel", "tenant_id", "channel", "id"),
    )

    create_table(
        "notification_attempts",
        id_column(),
        ref("message_id", "notification_outbox", ondelete="CASCADE"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("retryable", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("provider_code", sa.String(length=80), nullable=False),
        sa.Column("http_status", sa.Integer(), nullable=True),
        index=("message_id",),
    )


def downgrade() -> None:
    drop_tables(
        "notification_attempts",
        "notification_outbox",
        "notification_templates",
        "notification_channels",
    )
