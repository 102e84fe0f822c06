"""the bias audit: voluntary self-identification (encrypted, apart from applications) and the
company's category set

Revision ID: 0018_bias_audit
Revises: 0017_coding_answers
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0018_bias_audit"
down_revision: str | None = "0017_coding_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "analytics_self_identifications",
        id_column(),
        tenant(),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        sa.Column("category_set", sa.String(length=20), nullable=False),
        encrypted("sex", nullable=False),
        encrypted("race", nullable=False),
        encrypted("age_band", nullable=False),
        sa.Column("submitted_at", hireflow.core.db.UTCDateTime(), nullable=False),
        unique("candidate_id"),
        index=("tenant_id",),
    )

    create_table(
        "analytics_audit_settings",
        tenant(),
        sa.Column("category_set", sa.String(length=20), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        primary_key=("tenant_id",),
    )


def downgrade() -> None:
    drop_tables("analytics_audit_settings", "analytics_self_identifications")
