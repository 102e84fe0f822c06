"""the hiring pipeline: company and opening stage lists, rejection reasons, each application's
stage with its history, and interviewer scorecards

Revision ID: 0012_workflow
Revises: 0011_auth
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0012_workflow"
down_revision: str | None = "0011_auth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "workflow_company_stages",
        id_column(),
        tenant(),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        unique("tenant_id", "key"),
        index=("tenant_id",),
    )

    create_table(
        "workflow_rejection_reasons",
        id_column(),
        tenant(),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        unique("tenant_id", "key"),
        index=("tenant_id",),
    )

    create_table(
        "workflow_settings",
        tenant(),
        sa.Column("blind_scorecards", sa.Boolean(), nullable=False),
        updated_column(),
        primary_key=("tenant_id",),
    )
    create_table(
        "workflow_opening_stages",
        id_column(),
        tenant(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        unique("opening_id", "key"),
        index=("opening_id", "tenant_id"),
    )

    create_table(
        "workflow_positions",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("stage_key", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("entered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        updated_column(),
        unique("application_id"),
        named_index("ix_workflow_positions_opening_stage", "opening_id", "stage_key"),
        index=("tenant_id",),
    )

    create_table(
        "workflow_scorecards",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("round_key", sa.String(length=40), nullable=False),
        ref("interviewer_id", "users"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ratings", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("recommendation", sa.String(length=20), nullable=False),
        encrypted("notes", nullable=True),
        encrypted("amend_reason", nullable=True),
        ref("supersedes_id", "workflow_scorecards", nullable=True),
        sa.Column("superseded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        unique("application_id", "round_key", "interviewer_id", "version"),
        named_index("ix_workflow_scorecards_application", "application_id", "round_key"),
        index=("interviewer_id", "tenant_id"),
    )

    create_table(
        "workflow_stage_moves",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("from_key", sa.String(length=40), nullable=False),
        sa.Column("to_key", sa.String(length=40), nullable=False),
        sa.Column("seconds_in_stage", sa.Integer(), nullable=False),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        encrypted("note", nullable=True),
        ref("actor_id", "users", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        ref("record_entry_id", "record_entries", nullable=True),
        sa.Column("moved_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        index=("application_id", "tenant_id"),
    )

    create_table(
        "workflow_conclusions",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("decision", sa.String(length=20), nullable=False),
        encrypted("reason", nullable=False),
        ref("actor_id", "users", nullable=True),
        ref("record_entry_id", "record_entries", nullable=True),
        created_column(),
        index=("application_id", "tenant_id"),
    )


def downgrade() -> None:
    drop_tables(
        "workflow_conclusions",
        "workflow_stage_moves",
        "workflow_scorecards",
        "workflow_positions",
        "workflow_opening_stages",
        "workflow_settings",
        "workflow_rejection_reasons",
        "workflow_company_stages",
    )
