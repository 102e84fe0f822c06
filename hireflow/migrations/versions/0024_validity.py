"""predictive validity: employees' probation result and leaving date/reason; numbered
versions of openings' competency models

Revision ID: 0024_validity
Revises: 0023_invitation_purpose
Create Date: 2026-12-06 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0024_validity"
down_revision: str | None = "0023_invitation_purpose"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probation_result", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("leaving_reason", sa.String(length=30), nullable=True))

    create_table(
        "competency_model_versions",
        id_column(),
        tenant(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("model", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        sa.Column("activated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("opening_id", "number"),
        index=("opening_id", "tenant_id"),
    )


def downgrade() -> None:
    op.drop_table("competency_model_versions")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_column("leaving_reason")
        batch_op.drop_column("left_on")
        batch_op.drop_column("probation_result")
