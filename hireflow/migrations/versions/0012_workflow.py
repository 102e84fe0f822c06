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

revision: str = "0012_workflow"
down_revision: str | None = "0011_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_company_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_company_stages_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_company_stages")),
        sa.UniqueConstraint(
            "tenant_id", "key", name=op.f("uq_workflow_company_stages_tenant_id_key")
        ),
    )
    with op.batch_alter_table("workflow_company_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_company_stages_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_rejection_reasons",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_workflow_rejection_reasons_tenant_id_tenants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_rejection_reasons")),
        sa.UniqueConstraint(
            "tenant_id", "key", name=op.f("uq_workflow_rejection_reasons_tenant_id_key")
        ),
    )
    with op.batch_alter_table("workflow_rejection_reasons", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_rejection_reasons_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("blind_scorecards", sa.Boolean(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_workflow_settings")),
    )
    op.create_table(
        "workflow_opening_stages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_workflow_opening_stages_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_opening_stages_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_opening_stages")),
        sa.UniqueConstraint(
            "opening_id", "key", name=op.f("uq_workflow_opening_stages_opening_id_key")
        ),
    )
    with op.batch_alter_table("workflow_opening_stages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_opening_stages_opening_id"), ["opening_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_opening_stages_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_workflow_positions_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_workflow_positions_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_positions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_positions")),
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
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_workflow_scorecards_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["interviewer_id"],
            ["users.id"],
            name=op.f("fk_workflow_scorecards_interviewer_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_workflow_scorecards_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["workflow_scorecards.id"],
            name=op.f("fk_workflow_scorecards_supersedes_id_workflow_scorecards"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_scorecards_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_scorecards")),
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
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_workflow_stage_moves_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_workflow_stage_moves_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_workflow_stage_moves_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_entry_id"],
            ["record_entries.id"],
            name=op.f("fk_workflow_stage_moves_record_entry_id_record_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_stage_moves_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_stage_moves")),
    )
    with op.batch_alter_table("workflow_stage_moves", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_stage_moves_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_stage_moves_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_conclusions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column(
            "reason", hireflow.core.pii.EncryptedText("workflow_conclusions.reason"), nullable=False
        ),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("record_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_workflow_conclusions_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_workflow_conclusions_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"],
            ["openings.id"],
            name=op.f("fk_workflow_conclusions_opening_id_openings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["record_entry_id"],
            ["record_entries.id"],
            name=op.f("fk_workflow_conclusions_record_entry_id_record_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_workflow_conclusions_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_conclusions")),
    )
    with op.batch_alter_table("workflow_conclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_conclusions_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_conclusions_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("workflow_conclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_conclusions_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_conclusions_application_id"))

    op.drop_table("workflow_conclusions")
    with op.batch_alter_table("workflow_stage_moves", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_stage_moves_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_stage_moves_application_id"))

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
    with op.batch_alter_table("workflow_opening_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_opening_stages_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_workflow_opening_stages_opening_id"))

    op.drop_table("workflow_opening_stages")
    op.drop_table("workflow_settings")
    with op.batch_alter_table("workflow_rejection_reasons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_rejection_reasons_tenant_id"))

    op.drop_table("workflow_rejection_reasons")
    with op.batch_alter_table("workflow_company_stages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_company_stages_tenant_id"))

    op.drop_table("workflow_company_stages")
