"""dashboards: score rollups, the rollup cut's report id, monthly report subscriptions

Revision ID: 0027_dashboards
Revises: 0026_after
Create Date: 2026-12-06 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hireflow.migrations.columns import created_column, id_column, tenant_column

revision: str = "0027_dashboards"
down_revision: str | None = "0026_after"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_score_rollups",
        id_column(),
        tenant_column(),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.Column("scores", sa.Integer(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["opening_id"], ["openings.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("opening_id", "grain", "day", "competency", "bin"),
    )
    op.create_index(
        "ix_analytics_score_rollups_tenant_id", "analytics_score_rollups", ["tenant_id"]
    )
    op.create_table(
        "analytics_report_subscriptions",
        id_column(),
        tenant_column(),
        sa.Column("user_id", sa.Integer(), nullable=False),
        created_column(),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_index(
        "ix_analytics_report_subscriptions_tenant_id",
        "analytics_report_subscriptions",
        ["tenant_id"],
    )
    with op.batch_alter_table("analytics_rollup_state") as batch_op:
        batch_op.add_column(
            sa.Column("report_id", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("analytics_rollup_state") as batch_op:
        batch_op.drop_column("report_id")
    op.drop_index(
        "ix_analytics_report_subscriptions_tenant_id", table_name="analytics_report_subscriptions"
    )
    op.drop_table("analytics_report_subscriptions")
    op.drop_index("ix_analytics_score_rollups_tenant_id", table_name="analytics_score_rollups")
    op.drop_table("analytics_score_rollups")
