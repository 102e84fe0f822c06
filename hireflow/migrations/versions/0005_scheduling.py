"""scheduling: policy, availability, invitations, bookings, claims, reminders

Revision ID: 0005_scheduling
Revises: 0005_notifications
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0005_scheduling"
down_revision: str | None = "0005_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "scheduling_policies",
        id_column(),
        tenant(),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("buffer_minutes", sa.Integer(), nullable=False),
        sa.Column("granularity_minutes", sa.Integer(), nullable=False),
        sa.Column("min_notice_hours", sa.Integer(), nullable=False),
        sa.Column("horizon_days", sa.Integer(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=False),
        sa.Column("link_valid_days", sa.Integer(), nullable=False),
        sa.Column("change_cutoff_hours", sa.Integer(), nullable=False),
        sa.Column("reminder_minutes", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("feedback_after_minutes", sa.Integer(), nullable=False),
        sa.Column("identity_max_attempts", sa.Integer(), nullable=False),
        sa.Column("identity_lockout_minutes", sa.Integer(), nullable=False),
        sa.Column("candidate_channels", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("notify_groups", sa.Boolean(), nullable=False),
        sa.Column("meeting_url_template", sa.String(length=300), nullable=False),
        *timestamps(),
        unique("tenant_id"),
    )
    create_table(
        "interviewer_availability",
        id_column(),
        tenant(),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("working_hours", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("holidays", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("max_per_day", sa.Integer(), nullable=True),
        sa.Column("calendar_url_token", sa.Text(), nullable=True),
        sa.Column("calendar_synced_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("user_id"),
        index=("tenant_id",),
    )

    create_table(
        "interviewer_busy_blocks",
        id_column(),
        tenant(),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("start", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        created_column(),
        named_index("ix_interviewer_busy_blocks_user_start", "user_id", "start"),
        index=("tenant_id",),
    )

    create_table(
        "candidate_availability",
        id_column(),
        tenant(),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("windows", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("preferred_start", sa.String(length=5), nullable=False),
        sa.Column("preferred_end", sa.String(length=5), nullable=False),
        updated_column(),
        unique("candidate_id"),
        index=("tenant_id",),
    )

    create_table(
        "invitation_batches",
        id_column(),
        tenant(),
        ref("opening_id", "openings"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        sa.Column("finished_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("tenant_id", "request_key"),
        index=("opening_id", "tenant_id"),
    )

    create_table(
        "invitations",
        id_column(),
        tenant(),
        ref("opening_id", "openings"),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        ref("batch_id", "invitation_batches", nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("round_name", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("deadline", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_minutes", sa.Integer(), nullable=False),
        sa.Column("meeting_url", sa.String(length=500), nullable=False),
        sa.Column("materials", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("interviewer_ids", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("panel", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        sa.Column("send_count", sa.Integer(), nullable=False),
        sa.Column("send_error", sa.String(length=200), nullable=False),
        sa.Column("sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("opened_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verified_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("verify_method", sa.String(length=20), nullable=False),
        sa.Column("booked_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_checked_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("device_ok", sa.Boolean(), nullable=True),
        sa.Column("identity_failures", sa.Integer(), nullable=False),
        sa.Column("identity_lockouts", sa.Integer(), nullable=False),
        sa.Column(
            "identity_locked_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("identity_generation", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("code_expires_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("code_sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("codes_sent", sa.Integer(), nullable=False),
        *timestamps(),
        named_index("ix_invitations_batch_status", "batch_id", "status"),
        named_index("ix_invitations_opening_status", "opening_id", "status"),
        index=("candidate_id", "tenant_id"),
    )

    create_table(
        "bookings",
        id_column(),
        tenant(),
        ref("invitation_id", "invitations", ondelete="CASCADE"),
        sa.Column("start", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("interviewer_ids", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("booked_by", sa.String(length=20), nullable=False),
        sa.Column("cancelled_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("invitation_id"),
        index=("start", "tenant_id"),
    )

    create_table(
        "booking_claims",
        id_column(),
        ref("booking_id", "bookings", ondelete="CASCADE"),
        sa.Column("owner_key", sa.String(length=24), nullable=False),
        sa.Column("cell", sa.Integer(), nullable=False),
        unique("owner_key", "cell"),
        index=("booking_id",),
    )

    create_table(
        "scheduling_reminders",
        id_column(),
        tenant(),
        ref("invitation_id", "invitations", ondelete="CASCADE"),
        ref("booking_id", "bookings", ondelete="CASCADE"),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lead_minutes", sa.Integer(), nullable=False),
        sa.Column("recipient_key", sa.String(length=24), nullable=False),
        sa.Column("due_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("processed_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        unique("booking_id", "sequence", "kind", "lead_minutes", "recipient_key"),
        named_index("ix_scheduling_reminders_due", "status", "due_at"),
        index=("invitation_id", "tenant_id"),
    )


def downgrade() -> None:
    drop_tables(
        "scheduling_reminders",
        "booking_claims",
        "bookings",
        "invitations",
        "invitation_batches",
        "candidate_availability",
        "interviewer_busy_blocks",
        "interviewer_availability",
        "scheduling_policies",
    )
