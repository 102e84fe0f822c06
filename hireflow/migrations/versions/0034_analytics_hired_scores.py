"""analytics: the worker-kept row per hired person and hiring report of the opening they were
hired into (scores in effect, company, subsidiary, department, opening, hire date, report day
and the next report's day) behind predictive validity, and its state. The worker's next run
builds them; until then validity reads the source tables.

Revision ID: 0034_analytics_hired_scores
Revises: 0033_course_reminders
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import (
    create_table,
    drop_tables,
    named_index,
    opening_place,
    ref,
    unique,
)

revision: str = "0034_analytics_hired_scores"
down_revision: str | None = "0033_course_reminders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = "analytics_hired_scores"
    create_table(
        table,
        *opening_place(),
        ref("subsidiary_id", "subsidiaries"),
        ref("department_id", "departments"),
        ref("employee_id", "employees", ondelete="CASCADE"),
        ref("person_id", "candidates", ondelete="CASCADE"),
        ref("report_id", "interview_reports", ondelete="CASCADE"),
        sa.Column("hire_date", sa.Date(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("next_day", sa.Date(), nullable=True),
        sa.Column("scores", hireflow.core.db.JSONText(), nullable=False),
        unique("employee_id", "report_id"),
        named_index("ix_analytics_hired_scores_day", "opening_id", "day"),
        named_index("ix_analytics_hired_scores_tenant_id", "tenant_id"),
    )
    op.create_table(
        "analytics_hired_state",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("adjustment_id", sa.BigInteger(), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_hired_state")),
    )


def downgrade() -> None:
    drop_tables("analytics_hired_state", "analytics_hired_scores")
