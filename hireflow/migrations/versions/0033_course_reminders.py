"""reminders before a course: the hours before the start at which a company reminds the
people holding a seat

Revision ID: 0033_course_reminders
Revises: 0032_analytics_flow_rollups
Create Date: 2026-12-07 01:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db

revision: str = "0033_course_reminders"
down_revision: str | None = "0032_analytics_flow_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("selfservice_policies") as batch:
        batch.add_column(
            sa.Column(
                "course_reminder_hours",
                hireflow.core.db.JSONText(),
                nullable=False,
                server_default="[24, 1]",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("selfservice_policies") as batch:
        batch.drop_column("course_reminder_hours")
