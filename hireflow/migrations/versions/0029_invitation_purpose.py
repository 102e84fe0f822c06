"""invitations say what they are for: hiring, or a hired employee's development re-assessment

Revision ID: 0029_invitation_purpose
Revises: 0022_selfservice
Create Date: 2026-12-06 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0029_invitation_purpose"
down_revision: str | None = "0022_selfservice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.add_column(
            sa.Column("purpose", sa.String(length=20), nullable=False, server_default="hiring")
        )
    # Re-assessments made before this revision are the invitations self-service points at.
    op.execute(
        "UPDATE invitations SET purpose = 'development' WHERE id IN "
        "(SELECT invitation_id FROM selfservice_reassessments)"
    )


def downgrade() -> None:
    with op.batch_alter_table("invitations") as batch:
        batch.drop_column("purpose")
