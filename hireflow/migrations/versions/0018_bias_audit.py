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

revision: str = "0018_bias_audit"
down_revision: str | None = "0017_coding_answers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analytics_self_identifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["candidates.id"],
            name=op.f("fk_analytics_self_identifications_candidate_id_candidates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_analytics_self_identifications_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analytics_self_identifications")),
        sa.UniqueConstraint(
            "candidate_id", name=op.f("uq_analytics_self_identifications_candidate_id")
        ),
    )
    with op.batch_alter_table("analytics_self_identifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_analytics_self_identifications_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "analytics_audit_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("category_set", sa.String(length=20), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_analytics_audit_settings_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_analytics_audit_settings")),
    )


def downgrade() -> None:
    op.drop_table("analytics_audit_settings")
    with op.batch_alter_table("analytics_self_identifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_analytics_self_identifications_tenant_id"))
    op.drop_table("analytics_self_identifications")
