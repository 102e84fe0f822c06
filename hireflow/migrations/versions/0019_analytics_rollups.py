"""analytics rollups: applications per set of stages reached and time in stage, per opening
and day received, with the cut they stand at

Revision ID: 0019_analytics_rollups
Revises: 0018_bias_audit
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import create_indexes, drop_indexes, pk

revision: str = "0019_analytics_rollups"
down_revision: str | None = "0018_bias_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _place(table: str) -> list[Any]:
    return [
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f(f"fk_{table}_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
    ]


def upgrade() -> None:
    op.create_table(
        "analytics_funnel_rollups",
        *_place("analytics_funnel_rollups"),
        sa.Column("reached", sa.Text(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            "opening_id",
            "grain",
            "day",
            "reached",
            name=op.f("uq_analytics_funnel_rollups_opening_id_grain_day_reached"),
        ),
    )
    create_indexes("analytics_funnel_rollups", "tenant_id")
    op.create_table(
        "analytics_stage_time_rollups",
        *_place("analytics_stage_time_rollups"),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        sa.UniqueConstraint(
            "opening_id",
            "grain",
            "day",
            "from_key",
            name=op.f("uq_analytics_stage_time_rollups_opening_id_grain_day_from_key"),
        ),
    )
    with op.batch_alter_table("analytics_stage_time_rollups", schema=None) as batch_op:
        batch_op.create_index(
            "ix_analytics_stage_time_rollups_tenant_id", ["tenant_id"], unique=False
        )
    op.create_table(
        "analytics_rollup_state",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("move_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        pk("analytics_rollup_state", "name"),
    )


def downgrade() -> None:
    op.drop_table("analytics_rollup_state")
    with op.batch_alter_table("analytics_stage_time_rollups", schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_stage_time_rollups_tenant_id")
    op.drop_table("analytics_stage_time_rollups")
    drop_indexes("analytics_funnel_rollups", "tenant_id")
    op.drop_table("analytics_funnel_rollups")
