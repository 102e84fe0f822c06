"""an index on interview sessions by (candidate, opening): the hired people's rows of
predictive validity, its direct path and the workflow's "this application's interview"
lookups join sessions on both columns; with only the single-column indexes SQLite sought by
opening (every session of the opening) for each person

Revision ID: 0036_sessions_person_opening
Revises: 0035_record_outbox
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0036_sessions_person_opening"
down_revision: str | None = "0035_record_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_interview_sessions_candidate_opening",
        "interview_sessions",
        ["candidate_id", "opening_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_interview_sessions_candidate_opening", table_name="interview_sessions")
