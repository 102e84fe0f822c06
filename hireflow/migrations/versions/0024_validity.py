"""predictive validity: employees' probation result and leaving date/reason; numbered
versions of openings' competency models

Revision ID: 0024_validity
Revises: 0023_invitation_purpose
Create Date: 2026-12-06 15:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db

revision: str = "0024_validity"
down_revision: str | None = "0023_invitation_purpose"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("probation_result", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("leaving_reason", sa.String(length=30), nullable=True))

    op.create_table(
        "competency_model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("model", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_competency_model_versions_created_by_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_competency_model_versions_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_competency_model_versions_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_competency_model_versions")),
        sa.UniqueConstraint(
            "opening_id", "number", name=op.f("uq_competency_model_versions_opening_id_number")
        ),
    )
    with op.batch_alter_table("competency_model_versions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_competency_model_versions_opening_id"), ["opening_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_competency_model_versions_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("competency_model_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competency_model_versions_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_competency_model_versions_opening_id"))
    op.drop_table("competency_model_versions")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_column("leaving_reason")
        batch_op.drop_column("left_on")
        batch_op.drop_column("probation_result")
