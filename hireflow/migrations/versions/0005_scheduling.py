"""scheduling: policy, availability, invitations, bookings, claims, reminders

Revision ID: 0005_scheduling
Revises: 0005_notifications
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import create_indexes, created_column, drop_indexes, fk, id_column, pk, tenant_column, timestamps, updated_column

revision: str = "0005_scheduling"
down_revision: str | None = "0005_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('scheduling_policies',
    id_column(),
    tenant_column(),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('granularity_minutes', sa.Integer(), nullable=False),
    sa.Column('min_notice_hours', sa.Integer(), nullable=False),
    sa.Column('horizon_days', sa.Integer(), nullable=False),
    sa.Column('max_per_day', sa.Integer(), nullable=False),
    sa.Column('link_valid_days', sa.Integer(), nullable=False),
    sa.Column('change_cutoff_hours', sa.Integer(), nullable=False),
    sa.Column('reminder_minutes', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('feedback_after_minutes', sa.Integer(), nullable=False),
    sa.Column('identity_max_attempts', sa.Integer(), nullable=False),
    sa.Column('identity_lockout_minutes', sa.Integer(), nullable=False),
    sa.Column('candidate_channels', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('notify_groups', sa.Boolean(), nullable=False),
    sa.Column('meeting_url_template', sa.String(length=300), nullable=False),
    *timestamps(),
    fk("scheduling_policies", "tenant_id", "tenants"),
    pk("scheduling_policies"),
    sa.UniqueConstraint('tenant_id', name=op.f('uq_scheduling_policies_tenant_id'))
    )
    op.create_table('interviewer_availability',
    id_column(),
    tenant_column(),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('working_hours', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('holidays', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('max_per_day', sa.Integer(), nullable=True),
    sa.Column('calendar_url_token', sa.Text(), nullable=True),
    sa.Column('calendar_synced_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    *timestamps(),
    fk("interviewer_availability", "tenant_id", "tenants"),
    fk("interviewer_availability", "user_id", "users", ondelete="CASCADE"),
    pk("interviewer_availability"),
    sa.UniqueConstraint('user_id', name=op.f('uq_interviewer_availability_user_id'))
    )
    create_indexes("interviewer_availability", "tenant_id")

    op.create_table('interviewer_busy_blocks',
    id_column(),
    tenant_column(),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    created_column(),
    fk("interviewer_busy_blocks", "tenant_id", "tenants"),
    fk("interviewer_busy_blocks", "user_id", "users", ondelete="CASCADE"),
    pk("interviewer_busy_blocks")
    )
    with op.batch_alter_table('interviewer_busy_blocks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interviewer_busy_blocks_tenant_id'), ['tenant_id'], unique=False)
        batch_op.create_index('ix_interviewer_busy_blocks_user_start', ['user_id', 'start'], unique=False)

    op.create_table('candidate_availability',
    id_column(),
    tenant_column(),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('windows', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('preferred_start', sa.String(length=5), nullable=False),
    sa.Column('preferred_end', sa.String(length=5), nullable=False),
    updated_column(),
    fk("candidate_availability", "candidate_id", "candidates", ondelete="CASCADE"),
    fk("candidate_availability", "tenant_id", "tenants"),
    pk("candidate_availability"),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_candidate_availability_candidate_id'))
    )
    create_indexes("candidate_availability", "tenant_id")

    op.create_table('invitation_batches',
    id_column(),
    tenant_column(),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('request_key', sa.String(length=64), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    created_column(),
    sa.Column('finished_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    fk("invitation_batches", "created_by_id", "users"),
    fk("invitation_batches", "opening_id", "openings"),
    fk("invitation_batches", "tenant_id", "tenants"),
    pk("invitation_batches"),
    sa.UniqueConstraint('tenant_id', 'request_key', name=op.f('uq_invitation_batches_tenant_id_request_key'))
    )
    create_indexes("invitation_batches", "opening_id", "tenant_id")

    op.create_table('invitations',
    id_column(),
    tenant_column(),
    sa.Column('opening_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('round_name', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('deadline', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('meeting_url', sa.String(length=500), nullable=False),
    sa.Column('materials', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('interviewer_ids', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('panel', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('send_count', sa.Integer(), nullable=False),
    sa.Column('send_error', sa.String(length=200), nullable=False),
    sa.Column('sent_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('opened_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verified_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('verify_method', sa.String(length=20), nullable=False),
    sa.Column('booked_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('device_checked_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('device_ok', sa.Boolean(), nullable=True),
    sa.Column('identity_failures', sa.Integer(), nullable=False),
    sa.Column('identity_lockouts', sa.Integer(), nullable=False),
    sa.Column('identity_locked_until', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('identity_generation', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('code_expires_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('code_sent_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('codes_sent', sa.Integer(), nullable=False),
    *timestamps(),
    fk("invitations", "batch_id", "invitation_batches"),
    fk("invitations", "candidate_id", "candidates", ondelete="CASCADE"),
    fk("invitations", "created_by_id", "users"),
    fk("invitations", "opening_id", "openings"),
    fk("invitations", "tenant_id", "tenants"),
    pk("invitations")
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_batch_status', ['batch_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_candidate_id'), ['candidate_id'], unique=False)
        batch_op.create_index('ix_invitations_opening_status', ['opening_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_tenant_id'), ['tenant_id'], unique=False)

    op.create_table('bookings',
    id_column(),
    tenant_column(),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('start', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('end', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('interviewer_ids', hireflow.core.db.JSONText(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('booked_by', sa.String(length=20), nullable=False),
    sa.Column('cancelled_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    *timestamps(),
    fk("bookings", "invitation_id", "invitations", ondelete="CASCADE"),
    fk("bookings", "tenant_id", "tenants"),
    pk("bookings"),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_bookings_invitation_id'))
    )
    create_indexes("bookings", "start", "tenant_id")

    op.create_table('booking_claims',
    id_column(),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('owner_key', sa.String(length=24), nullable=False),
    sa.Column('cell', sa.Integer(), nullable=False),
    fk("booking_claims", "booking_id", "bookings", ondelete="CASCADE"),
    pk("booking_claims"),
    sa.UniqueConstraint('owner_key', 'cell', name=op.f('uq_booking_claims_owner_key_cell'))
    )
    create_indexes("booking_claims", "booking_id")

    op.create_table('scheduling_reminders',
    id_column(),
    tenant_column(),
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('lead_minutes', sa.Integer(), nullable=False),
    sa.Column('recipient_key', sa.String(length=24), nullable=False),
    sa.Column('due_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('processed_at', hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
    created_column(),
    fk("scheduling_reminders", "booking_id", "bookings", ondelete="CASCADE"),
    fk("scheduling_reminders", "invitation_id", "invitations", ondelete="CASCADE"),
    fk("scheduling_reminders", "tenant_id", "tenants"),
    pk("scheduling_reminders"),
    sa.UniqueConstraint('booking_id', 'sequence', 'kind', 'lead_minutes', 'recipient_key', name=op.f('uq_scheduling_reminders_booking_id_sequence_kind_lead_minutes_recipient_key'))
    )
    with op.batch_alter_table('scheduling_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_scheduling_reminders_due', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduling_reminders_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_scheduling_reminders_tenant_id'), ['tenant_id'], unique=False)

    # ### end Alembic commands ###




def downgrade() -> None:
    with op.batch_alter_table('scheduling_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scheduling_reminders_tenant_id'))
        batch_op.drop_index(batch_op.f('ix_scheduling_reminders_invitation_id'))
        batch_op.drop_index('ix_scheduling_reminders_due')

    op.drop_table('scheduling_reminders')
    drop_indexes("booking_claims", "booking_id")

    op.drop_table('booking_claims')
    drop_indexes("bookings", "tenant_id", "start")

    op.drop_table('bookings')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_tenant_id'))
        batch_op.drop_index('ix_invitations_opening_status')
        batch_op.drop_index(batch_op.f('ix_invitations_candidate_id'))
        batch_op.drop_index('ix_invitations_batch_status')

    op.drop_table('invitations')
    drop_indexes("invitation_batches", "tenant_id", "opening_id")

    op.drop_table('invitation_batches')
    drop_indexes("candidate_availability", "tenant_id")

    op.drop_table('candidate_availability')
    with op.batch_alter_table('interviewer_busy_blocks', schema=None) as batch_op:
        batch_op.drop_index('ix_interviewer_busy_blocks_user_start')
        batch_op.drop_index(batch_op.f('ix_interviewer_busy_blocks_tenant_id'))

    op.drop_table('interviewer_busy_blocks')
    drop_indexes("interviewer_availability", "tenant_id")

    op.drop_table('interviewer_availability')
    op.drop_table('scheduling_policies')
    # ### end Alembic commands ###
