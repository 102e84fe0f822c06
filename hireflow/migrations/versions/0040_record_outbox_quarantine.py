"""records: an outbox row that cannot be appended is quarantined (marked with a reason code and
kept) instead of blocking the person's chain; the chain notes each quarantine.

Revision ID: 0040_record_outbox_quarantine
Revises: 0037_analytics_validity_ready
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db

revision: str = "0040_record_outbox_quarantine"
down_revision: str | None = "0037_analytics_validity_ready"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("record_outbox") as batch:
        batch.add_column(sa.Column("quarantined_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("quarantine_reason", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("record_outbox") as batch:
        batch.drop_column("quarantine_reason")
        batch.drop_column("quarantined_at")
