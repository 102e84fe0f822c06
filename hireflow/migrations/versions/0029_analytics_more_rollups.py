"""analytics rollups: moves per stage and destination stage (pass rates), per opening and
day received; the rollups are rebuilt by the worker's next run

Revision ID: 0029_analytics_more_rollups
Revises: 0028_answer_media_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0029_analytics_more_rollups"
down_revision: str | None = "0028_answer_media_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "analytics_pass_rollups"


def upgrade() -> None:
    create_table(
        TABLE,
        *rollup_place(),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("to_key", sa.String(length=40), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        unique("opening_id", "grain", "day", "from_key", "to_key"),
        index=("tenant_id",),
    )
    # The new table is empty while the state row says the rollups stand at a cut: forget the
    # cut, so the dashboards read the source tables until the worker's next run rebuilds all.
    op.execute("DELETE FROM analytics_rollup_state")


def downgrade() -> None:
    op.drop_table(TABLE)
