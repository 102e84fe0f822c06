"""analytics rollups: applications per set of stages reached and time in stage, per opening
and day received, with the cut they stand at

Revision ID: 0019_analytics_rollups
Revises: 0018_bias_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0019_analytics_rollups"
down_revision: str | None = "0018_bias_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "analytics_funnel_rollups",
        *rollup_place(),
        sa.Column("reached", sa.Text(), nullable=False),
        sa.Column("applications", sa.Integer(), nullable=False),
        unique("opening_id", "grain", "day", "reached"),
        index=("tenant_id",),
    )
    create_table(
        "analytics_stage_time_rollups",
        *rollup_place(),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.BigInteger(), nullable=False),
        unique("opening_id", "grain", "day", "from_key"),
        index=("tenant_id",),
    )
    create_table(
        "analytics_rollup_state",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("move_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        primary_key=("name",),
    )


def downgrade() -> None:
    drop_tables(
        "analytics_rollup_state", "analytics_stage_time_rollups", "analytics_funnel_rollups"
    )
