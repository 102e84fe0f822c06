"""dashboards: score rollups, the rollup cut's report id, monthly report subscriptions

Revision ID: 0027_dashboards
Revises: 0026_after
Create Date: 2026-12-06 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0027_dashboards"
down_revision: str | None = "0026_after"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "analytics_score_rollups",
        id_column(),
        tenant(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("scores", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        unique("opening_id", "grain", "day", "competency", "bin"),
        index=("tenant_id",),
    )
    create_table(
        "analytics_report_subscriptions",
        id_column(),
        tenant(),
        ref("user_id", "users", ondelete="CASCADE"),
        created_column(),
        unique("user_id"),
        index=("tenant_id",),
    )
    with op.batch_alter_table("analytics_rollup_state") as batch_op:
        batch_op.add_column(
            sa.Column("report_id", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_rollup_state") as batch_op:
        batch_op.drop_column("report_id")
    drop_tables("analytics_report_subscriptions", "analytics_score_rollups")
