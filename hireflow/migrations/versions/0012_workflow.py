"""the hiring pipeline: company and opening stage lists, rejection reasons, each application's
stage with its history, and interviewer scorecards

Revision ID: 0012_workflow
Revises: 0011_auth
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii
from hireflow.migrations.columns import create_indexes, created_column, drop_indexes, fk, id_column, pk, tenant_column, updated_column

revision: str = "0012_workflow"
down_revision: str | None = "0011_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_company_stages",
        id_column(),
        tenant_column(),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        fk("workflow_company_stages", "tenant_id", "tenants"),
        pk("workflow_company_stages"),
        sa.UniqueConstraint(
            "tenant_id", "key", name=op.f("uq_workflow_company_stages_tenant_id_key")
        ),
    )
    create_indexes("workflow_company_stages", "tenant_id")

    op.create_table(
        "workflow_rejection_reasons",
        id_column(),
        tenant_column(),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        fk("workflow_rejection_reasons", "tenant_id", "tenants"),
        pk("workflow_rejection_reasons"),
        sa.UniqueConstraint(
            "tenant_id", "key", name=op.f("uq_workflow_rejection_reasons_tenant_id_key")
        ),
    )
    create_indexes("workflow_rejection_reasons", "tenant_id")

    op.create_table(
        "workflow_settings",
        tenant_column(),
        sa.Column("blind_scorecards", sa.Boolean(), nullable=False),
        updated_column(),
        fk("workflow_settings", "tenant_id", "tenants"),
        pk("workflow_settings", "tenant_id"),
    )
    op.create_table(
        "workflow_opening_stages",
        id_column(),
        tenant_column(),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        fk("workflow_opening_stages", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_opening_stages", "tenant_id", "tenants"),
        pk("workflow_opening_stages"),
        sa.UniqueConstraint(
            "opening_id", "key", name=op.f("uq_workflow_opening_stages_opening_id_key")
        ),
    )
    create_indexes("workflow_opening_stages", "opening_id", "tenant_id")

    op.create_table(
        "workflow_positions",
        id_column(),
        tenant_column(),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        updated_column(),
        fk("workflow_positions", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_positions", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_positions", "tenant_id", "tenants"),
        pk("workflow_positions"),
        sa.UniqueConstraint("application_id", name=op.f("uq_workflow_positions_application_id")),
    )
    with op.batch_alter_table("workflow_positions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_positions_opening_stage", ["opening_id", "stage_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_positions_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_scorecards",
        id_column(),
        tenant_column(),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("round_key", sa.String(length=40), nullable=False),
        sa.Column("interviewer_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ratings", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=False),
        sa.Column(
            "notes", hireflow.core.pii.EncryptedText("workflow_scorecards.notes"), nullable=True
        ),
        sa.Column(
            "amend_reason",
            hireflow.core.pii.EncryptedText("workflow_scorecards.amend_reason"),
            nullable=True,
        ),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("superseded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        fk("workflow_scorecards", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_scorecards", "interviewer_id", "users"),
        fk("workflow_scorecards", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_scorecards", "supersedes_id", "workflow_scorecards"),
        fk("workflow_scorecards", "tenant_id", "tenants"),
        pk("workflow_scorecards"),
        sa.UniqueConstraint(
            "application_id",
            "round_key",
            "interviewer_id",
            "version",
            name=op.f("uq_workflow_scorecards_application_id_round_key_interviewer_id_version"),
        ),
    )
    with op.batch_alter_table("workflow_scorecards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_scorecards_application", ["application_id", "round_key"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_scorecards_interviewer_id"), ["interviewer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_scorecards_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_stage_moves",
        id_column(),
        tenant_column(),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("to_key", sa.String(length=40), nullable=False),
        sa.Column("seconds_in_stage", sa.Integer(), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        sa.Column(
            "note", hireflow.core.pii.EncryptedText("workflow_stage_moves.note"), nullable=True
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("record_entry_id", sa.Integer(), nullable=True),
        sa.Column("moved_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        fk("workflow_stage_moves", "actor_id", "users"),
        fk("workflow_stage_moves", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_stage_moves", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_stage_moves", "record_entry_id", "record_entries"),
        fk("workflow_stage_moves", "tenant_id", "tenants"),
        pk("workflow_stage_moves"),
    )
    create_indexes("workflow_stage_moves", "application_id", "tenant_id")

    op.create_table(
        "workflow_conclusions",
        id_column(),
        tenant_column(),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column(
            "reason", hireflow.core.pii.EncryptedText("workflow_conclusions.reason"), nullable=False
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("record_entry_id", sa.Integer(), nullable=True),
        created_column(),
        fk("workflow_conclusions", "actor_id", "users"),
        fk("workflow_conclusions", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_conclusions", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_conclusions", "record_entry_id", "record_entries"),
        fk("workflow_conclusions", "tenant_id", "tenants"),
        pk("workflow_conclusions"),
    )
    create_indexes("workflow_conclusions", "application_id", "tenant_id")


def downgrade() -> None:
    drop_indexes("workflow_conclusions", "tenant_id", "application_id")

    op.drop_table("workflow_conclusions")
    drop_indexes("workflow_stage_moves", "tenant_id", "application_id")

    op.drop_table("workflow_stage_moves")
    with op.batch_alter_table("workflow_scorecards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_scorecards_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_scorecards_interviewer_id"))
        batch_op.drop_index("ix_workflow_scorecards_application")

    op.drop_table("workflow_scorecards")
    with op.batch_alter_table("workflow_positions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_positions_tenant_id"))
        batch_op.drop_index("ix_workflow_positions_opening_stage")

    op.drop_table("workflow_positions")
    drop_indexes("workflow_opening_stages", "tenant_id", "opening_id")

    op.drop_table("workflow_opening_stages")
    op.drop_table("workflow_settings")
    drop_indexes("workflow_rejection_reasons", "tenant_id")

    op.drop_table("workflow_rejection_reasons")
    drop_indexes("workflow_company_stages", "tenant_id")

    op.drop_table("workflow_company_stages")
