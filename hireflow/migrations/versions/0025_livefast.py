"""live chunks: posted utterances waiting for the speech queue

Revision ID: 0025_livefast
Revises: 0024_validity
Create Date: 2026-12-06 15:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii
from hireflow.migrations.columns import fk, id_column, pk, tenant_column

revision: str = "0025_livefast"
down_revision: str | None = "0024_validity"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "live_chunks",
        id_column(),
        tenant_column(),
        sa.Column("room_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("speaker", sa.String(length=12), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("audio", hireflow.core.pii.EncryptedText("live_chunks.audio"), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("received_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        fk("live_chunks", "participant_id", "live_participants", ondelete="CASCADE"),
        fk("live_chunks", "room_id", "live_rooms", ondelete="CASCADE"),
        fk("live_chunks", "tenant_id", "tenants"),
        pk("live_chunks"),
    )
    with op.batch_alter_table("live_chunks", schema=None) as batch_op:
        batch_op.create_index("ix_live_chunks_room", ["room_id", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_live_chunks_tenant_id"), ["tenant_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("live_chunks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_live_chunks_tenant_id"))
        batch_op.drop_index("ix_live_chunks_room")
    op.drop_table("live_chunks")
