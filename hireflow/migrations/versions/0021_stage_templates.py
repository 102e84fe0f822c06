"""stage templates per job family; a per-company counter of employee numbers

Revision ID: 0021_stage_templates
Revises: 0018_bias_audit
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0021_stage_templates"
down_revision: str | None = "0020_live_rooms"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "workflow_family_stages",
        id_column(),
        tenant(),
        sa.Column("job_family", sa.String(length=30), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        unique("tenant_id", "job_family", "key"),
        index=("tenant_id",),
    )

    create_table(
        "employee_number_counters",
        tenant(),
        sa.Column("last_number", sa.Integer(), nullable=False),
        primary_key=("tenant_id",),
    )
    # Companies with employees continue after the numbers they gave (E000001 ... E<count>).
    op.execute(
        "INSERT INTO employee_number_counters (tenant_id, last_number) "
        "SELECT tenant_id, COUNT(*) FROM employees GROUP BY tenant_id"
    )


def downgrade() -> None:
    drop_tables("employee_number_counters", "workflow_family_stages")
