"""openings: screening rules and headcount on openings; hiring requests

Revision ID: 0003_openings
Revises: 0002_records
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0003_openings"
down_revision: str | None = "0002_records"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "openings",
        sa.Column(
            "screening_rules",
            hireflow.core.db.JSONText(),
            nullable=False,
            server_default=sa.text("'[]'"),
        ),
    )
    op.add_column(
        "openings",
        sa.Column("headcount", sa.Integer(), nullable=False, server_default=sa.text("1")),
    )
    create_table(
        "hiring_requests",
        id_column(),
        tenant(),
        ref("subsidiary_id", "subsidiaries"),
        ref("department_id", "departments"),
        ref("submitted_by_id", "users"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("job_type", sa.String(length=30), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requirements", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("dimensions", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=False),
        ref("reviewed_by_id", "users", nullable=True),
        sa.Column("reviewed_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("opening_id", "openings", nullable=True),
        sa.Column("history", hireflow.core.db.JSONText(), nullable=False),
        *timestamps(),
    )
    for column in ("department_id", "status", "submitted_by_id", "subsidiary_id", "tenant_id"):
        op.create_index(
            op.f(f"ix_hiring_requests_{column}"), "hiring_requests", [column], unique=False
        )


def downgrade() -> None:
    op.drop_table("hiring_requests")
    with op.batch_alter_table("openings") as batch_op:
        batch_op.drop_column("headcount")
        batch_op.drop_column("screening_rules")
