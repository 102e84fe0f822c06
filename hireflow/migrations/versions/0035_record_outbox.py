"""records: the outbox of timeline entries a request committed and the person's chain has
not appended yet (a candidate's consent to the AI interview): appended in order by the
worker, by the next append to or read of that person's chain, or by ``hireflow verify``.

Revision ID: 0035_record_outbox
Revises: 0034_analytics_hired_scores
"""

from collections.abc import Sequence

import sqlalchemy as sa

from hireflow.migrations.columns import created_column, create_table, drop_tables, id_column, ref

revision: str = "0035_record_outbox"
down_revision: str | None = "0034_analytics_hired_scores"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "record_outbox",
        id_column(),
        ref("tenant_id", "tenants"),
        ref("person_id", "candidates"),
        sa.Column("entry", sa.Text(), nullable=False),
        created_column(),
        index=("person_id",),
    )


def downgrade() -> None:
    drop_tables("record_outbox")
