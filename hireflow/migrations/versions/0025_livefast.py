"""live chunks: posted utterances waiting for the speech queue

Revision ID: 0025_livefast
Revises: 0024_validity
Create Date: 2026-12-06 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0025_livefast"
down_revision: str | None = "0024_validity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "live_chunks",
        id_column(),
        tenant(),
        ref("room_id", "live_rooms", ondelete="CASCADE"),
        ref("participant_id", "live_participants", ondelete="CASCADE"),
        sa.Column("speaker", sa.String(length=12), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        encrypted("audio", nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("received_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        named_index("ix_live_chunks_room", "room_id", "id"),
        index=("tenant_id",),
    )


def downgrade() -> None:
    op.drop_table("live_chunks")
