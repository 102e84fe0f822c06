"""analytics rollups behind the AI accuracy review and predictive validity (sums per opening
and day / month, the state they stand at, the openings' bars they were counted with); the
worker's next run builds them, the pages read the source tables until then; an index of the
invitations' purpose (the few development re-assessments every hiring-report query excludes)

Revision ID: 0031_analytics_review_rollups
Revises: 0030_meeting_providers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0031_analytics_review_rollups"
down_revision: str | None = "0030_meeting_providers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLLUPS = "analytics_review_rollups"
STATE = "analytics_review_state"
BARS = "analytics_review_bars"


def upgrade() -> None:
    create_table(
        ROLLUPS,
        sa.Column("kind", sa.String(length=1), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("a", sa.Integer(), nullable=False),
        sa.Column("b", sa.Integer(), nullable=False),
        sa.Column("c", sa.String(length=40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("s", sa.BigInteger(), nullable=False),
        sa.Column("h", sa.BigInteger(), nullable=False),
        *rollup_place(),
        unique(
            *("opening_id", "grain", "day", "kind", "competency", "month", "a", "b", "c"),
            name="uq_analytics_review_rollups_place",
        ),
        index=("tenant_id",),
    )
    op.create_table(
        STATE,
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("application_id", sa.BigInteger(), nullable=False),
        sa.Column("move_id", sa.BigInteger(), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("scorecard_id", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f(f"pk_{STATE}")),
    )
    create_table(
        BARS,
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("bar", sa.Float(), nullable=False),
        primary_key=("opening_id",),
    )
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.create_index("ix_invitations_purpose", ["purpose"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_invitations_purpose")
    op.drop_table(BARS)
    op.drop_table(STATE)
    with op.batch_alter_table(ROLLUPS, schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_review_rollups_tenant_id")
    op.drop_table(ROLLUPS)
