"""the bias audit: voluntary self-identification (encrypted, apart from applications) and the
company's category set

Revision ID: 0018_bias_audit
Revises: 0017_coding_answers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii
from hireflow.migrations.columns import create_indexes, drop_indexes, fk, id_column, pk, tenant_column

revision: str = "0018_bias_audit"
down_revision: str | None = "0017_coding_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_self_identifications",
        id_column(),
        tenant_column(),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("category_set", sa.String(length=20), nullable=False),
        sa.Column(
            "sex",
            hireflow.core.pii.EncryptedText("analytics_self_identifications.sex"),
            nullable=False,
        ),
        sa.Column(
            "race",
            hireflow.core.pii.EncryptedText("analytics_self_identifications.race"),
            nullable=False,
        ),
        sa.Column(
            "age_band",
            hireflow.core.pii.EncryptedText("analytics_self_identifications.age_band"),
            nullable=False,
        ),
        sa.Column("submitted_at", hireflow.core.db.UTCDateTime(), nullable=False),
        fk("analytics_self_identifications", "candidate_id", "candidates", ondelete="CASCADE"),
        fk("analytics_self_identifications", "tenant_id", "tenants"),
        pk("analytics_self_identifications"),
        sa.UniqueConstraint(
            "candidate_id", name=op.f("uq_analytics_self_identifications_candidate_id")
        ),
    )
    create_indexes("analytics_self_identifications", "tenant_id")

    op.create_table(
        "analytics_audit_settings",
        tenant_column(),
        sa.Column("category_set", sa.String(length=20), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        fk("analytics_audit_settings", "tenant_id", "tenants"),
        pk("analytics_audit_settings", "tenant_id"),
    )


def downgrade() -> None:
    op.drop_table("analytics_audit_settings")
    drop_indexes("analytics_self_identifications", "tenant_id")
    op.drop_table("analytics_self_identifications")
