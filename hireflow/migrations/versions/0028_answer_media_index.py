"""an index for the speech backlog: recorded answers waiting for transcription

Revision ID: 0028_answer_media_index
Revises: 0027_dashboards
Create Date: 2026-12-06 17:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0028_answer_media_index"
down_revision: str | None = "0027_dashboards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_interview_answers_media_status",
        "interview_answers",
        ["media_status", "answered_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_interview_answers_media_status", table_name="interview_answers")
