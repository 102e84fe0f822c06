"""notifications: channel settings, templates, outbox, delivery attempts

Revision ID: 0005_notifications
Revises: 0004_candidates
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import create_indexes, drop_indexes, fk, id_column, pk, tenant_column, timestamps

revision: str = "0005_notifications"
down_revision: str | None = "0004_candidates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('notification_channels',
    id_column(),
    tenant_column(),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('provider', sa.String(length=20), nullable=False),
    sa.Column('config', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('secret_token', sa.Text(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    *timestamps(),
    fk("notification_channels", "tenant_id", "tenants"),
    fk("notification_channels", "updated_by_id", "users"),
    pk("notification_channels"),
    sa.UniqueConstraint('tenant_id', 'channel', name=op.f('uq_notification_channels_tenant_id_channel'))
    )
    create_indexes("notification_channels", "tenant_id")

    op.create_table('notification_templates',
    id_column(),
    tenant_column(),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sms', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    *timestamps(),
    fk("notification_templates", "tenant_id", "tenants"),
    fk("notification_templates", "updated_by_id", "users"),
    pk("notification_templates"),
    sa.UniqueConstraint('tenant_id', 'kind', 'language', name=op.f('uq_notification_templates_tenant_id_kind_language'))
    )
    create_indexes("notification_templates", "tenant_id")

    op.create_table('notification_outbox',
    id_column(),
    tenant_column(),
    sa.Column('opening_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('recipient_label', sa.String(length=200), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=True),
    sa.Column('sms_text', sa.Text(), nullable=False),
    sa.Column('sms_params', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('attachments', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('related_type', sa.String(length=40), nullable=False),
    sa.Column('related_id', sa.Integer(), nullable=True),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lease_until', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('provider_message_id', sa.String(length=200), nullable=False),
    sa.Column('sent_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resend_of_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    *timestamps(),
    fk("notification_outbox", "created_by_id", "users"),
    fk("notification_outbox", "opening_id", "openings"),
    fk("notification_outbox", "resend_of_id", "notification_outbox"),
    fk("notification_outbox", "tenant_id", "tenants"),
    pk("notification_outbox"),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_notification_outbox_dedupe_key'))
    )
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_notification_outbox_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index('ix_notification_outbox_related', ['related_type', 'related_id'], unique=False)
        batch_op.create_index('ix_notification_outbox_tenant_channel', ['tenant_id', 'channel', 'id'], unique=False)

    op.create_table('notification_attempts',
    id_column(),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('started_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('retryable', sa.Boolean(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('provider_code', sa.String(length=80), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=True),
    fk("notification_attempts", "message_id", "notification_outbox", ondelete="CASCADE"),
    pk("notification_attempts")
    )
    create_indexes("notification_attempts", "message_id")



def downgrade() -> None:
    drop_indexes("notification_attempts", "message_id")

    op.drop_table('notification_attempts')
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_outbox_tenant_channel')
        batch_op.drop_index('ix_notification_outbox_related')
        batch_op.drop_index('ix_notification_outbox_due')

    op.drop_table('notification_outbox')
    drop_indexes("notification_templates", "tenant_id")

    op.drop_table('notification_templates')
    drop_indexes("notification_channels", "tenant_id")

    op.drop_table('notification_channels')
