"""interview reports: HR's final scores, the re-derived report and the record entry stating it

Revision ID: 0007_report_overrides
Revises: 0006_interviews
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db


revision: str = "0007_report_overrides"
down_revision: str | None = "0006_interviews"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("interview_reports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("final_body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("final_scores", hireflow.core.db.JSONText(), nullable=True))
        batch_op.add_column(sa.Column("final_job_match", sa.Double(), nullable=True))
        batch_op.add_column(sa.Column("final_entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("adjusted_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interview_reports_final_entry_id_record_entries"),
            "record_entries",
            ["final_entry_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("interview_reports", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interview_reports_final_entry_id_record_entries"), type_="foreignkey"
        )
        batch_op.drop_column("adjusted_at")
        batch_op.drop_column("final_entry_id")
        batch_op.drop_column("final_job_match")
        batch_op.drop_column("final_scores")
        batch_op.drop_column("final_body")
