"""coding answers: the candidate's runs and submissions of coding questions

Revision ID: 0017_coding_answers
Revises: 0016_integrations
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0017_coding_answers"
down_revision: str | None = "0016_integrations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = hireflow.core.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    create_table(
        "interview_code_runs",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("coding_id", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("sent_at", UTC, nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("finished_at", UTC, nullable=True),
        unique("task_id"),
        named_index("ix_interview_code_runs_question", "interview_id", "question_id"),
        index=("tenant_id",),
    )


def downgrade() -> None:
    op.drop_table("interview_code_runs")
