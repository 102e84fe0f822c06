"""after the interview: which stages notify the hiring group

Revision ID: 0026_after
Revises: 0025_livefast
Create Date: 2026-12-06 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db

revision: str = "0026_after"
down_revision: str | None = "0025_livefast"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workflow_settings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "notify_stages",
                hireflow.core.db.JSONText(),
                nullable=False,
                server_default="[]",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("workflow_settings", schema=None) as batch_op:
        batch_op.drop_column("notify_stages")
