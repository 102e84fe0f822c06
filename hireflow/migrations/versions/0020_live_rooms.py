"""live rooms: rooms, participants, signalling, utterances and hints

Revision ID: 0020_live_rooms
Revises: 0018_bias_audit
Create Date: 2026-12-06 12:20:49.460504
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0020_live_rooms"
down_revision: str | None = "0019_analytics_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "live_settings",
        id_column(),
        tenant(),
        sa.Column("voice_observations", sa.Boolean(), nullable=False),
        updated_column(),
        unique("tenant_id"),
    )
    create_table(
        "live_rooms",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings"),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        ref("invitation_id", "invitations", nullable=True, ondelete="SET NULL"),
        ref("created_by_id", "users", nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("plan", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("current_question", sa.String(length=64), nullable=True),
        sa.Column("assistant", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("link_generation", sa.Integer(), nullable=False),
        sa.Column("voice_observations", sa.Boolean(), nullable=False),
        encrypted("notes", nullable=False),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scores", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("job_match", sa.Double(), nullable=True),
        sa.Column("result_entry_id", sa.Integer(), nullable=True),
        sa.Column("transcript_entry_id", sa.Integer(), nullable=True),
        created_column(),
        named_index("ix_live_rooms_tenant_status", "tenant_id", "status"),
        index=("application_id", "opening_id", "tenant_id"),
    )

    create_table(
        "live_participants",
        id_column(),
        tenant(),
        ref("room_id", "live_rooms", ondelete="CASCADE"),
        sa.Column("role", sa.String(length=12), nullable=False),
        ref("user_id", "users", nullable=True),
        sa.Column("peer", sa.String(length=32), nullable=False),
        sa.Column("consented_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consented_for_others", sa.Boolean(), nullable=False),
        sa.Column("joined_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("seen_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        unique("peer"),
        unique("room_id", "user_id", "role"),
        index=("tenant_id",),
    )

    create_table(
        "live_signals",
        id_column(),
        ref("room_id", "live_rooms", ondelete="CASCADE"),
        sa.Column("sender", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("payload", hireflow.core.db.JSONText(), nullable=False),
        created_column(),
        named_index("ix_live_signals_room_recipient", "room_id", "recipient", "id"),
    )

    create_table(
        "live_utterances",
        id_column(),
        tenant(),
        ref("room_id", "live_rooms", ondelete="CASCADE"),
        ref("participant_id", "live_participants", ondelete="CASCADE"),
        sa.Column("speaker", sa.String(length=12), nullable=False),
        sa.Column("start_s", sa.Double(), nullable=False),
        sa.Column("end_s", sa.Double(), nullable=False),
        encrypted("text", nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=True),
        sa.Column("speech", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("received_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("transcribed_ms", sa.Integer(), nullable=False),
        named_index("ix_live_utterances_room", "room_id", "id"),
        index=("tenant_id",),
    )

    create_table(
        "live_hints",
        id_column(),
        tenant(),
        ref("room_id", "live_rooms", ondelete="CASCADE"),
        ref("utterance_id", "live_utterances", nullable=True, ondelete="SET NULL"),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=True),
        encrypted("text", nullable=False),
        created_column(),
        named_index("ix_live_hints_room", "room_id", "id"),
        index=("tenant_id",),
    )


def downgrade() -> None:
    drop_tables(
        "live_hints",
        "live_utterances",
        "live_signals",
        "live_participants",
        "live_rooms",
        "live_settings",
    )
