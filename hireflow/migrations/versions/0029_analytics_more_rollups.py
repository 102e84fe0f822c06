"""analytics rollups: moves per stage and destination stage (pass rates), per opening and
day received; the rollups are rebuilt by the worker's next run

Revision ID: 0029_analytics_more_rollups
Revises: 0028_answer_media_index
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_analytics_more_rollups"
down_revision: str | None = "0028_answer_media_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "analytics_pass_rollups"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("to_key", sa.String(length=40), nullable=False),
        sa.Column("moves", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f(f"fk_{TABLE}_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f(f"fk_{TABLE}_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint(
            "opening_id",
            "grain",
            "day",
            "from_key",
            "to_key",
            name=op.f(f"uq_{TABLE}_opening_id_grain_day_from_key_to_key"),
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_analytics_pass_rollups_tenant_id", ["tenant_id"], unique=False)
    # The new table is empty while the state row says the rollups stand at a cut: forget the
    # cut, so the dashboards read the source tables until the worker's next run rebuilds all.
    op.execute("DELETE FROM analytics_rollup_state")


def downgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index("ix_analytics_pass_rollups_tenant_id")
    op.drop_table(TABLE)
