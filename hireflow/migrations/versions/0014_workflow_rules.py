"""workflow rules: rules per opening, the rule log (one row per rule and event, the
idempotency key) and the items rules leave on HR's list

Revision ID: 0014_workflow_rules
Revises: 0013_record_facts
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0014_workflow_rules"
down_revision: str | None = "0013_record_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "workflow_rules",
        id_column(),
        tenant(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=True),
        sa.Column("stale_days", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=2000), nullable=False),
        sa.Column("actions", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        ref("created_by_id", "users"),
        *timestamps(),
        named_index("ix_workflow_rules_opening_trigger", "opening_id", "trigger"),
        index=("tenant_id",),
    )

    create_table(
        "workflow_rule_logs",
        id_column(),
        tenant(),
        ref("rule_id", "workflow_rules", ondelete="CASCADE"),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("event_name", sa.String(length=40), nullable=False),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("opening_id", "openings", ondelete="CASCADE"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facts", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("outcome", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        created_column(),
        sa.Column("evaluated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("rule_id", "event_id"),
        named_index("ix_workflow_rule_logs_application", "application_id", "created_at"),
        index=("tenant_id",),
    )

    create_table(
        "workflow_rule_tasks",
        id_column(),
        tenant(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("rule_id", "workflow_rules", nullable=True, ondelete="SET NULL"),
        ref("log_id", "workflow_rule_logs", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_stage", sa.String(length=40), nullable=True),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("decided_by_id", "users", nullable=True),
        sa.Column("decided_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        unique("log_id", "kind"),
        named_index("ix_workflow_rule_tasks_open", "tenant_id", "status"),
        index=("application_id",),
    )


def downgrade() -> None:
    drop_tables("workflow_rule_tasks", "workflow_rule_logs", "workflow_rules")
