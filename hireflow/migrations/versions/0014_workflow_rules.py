"""workflow rules: rules per opening, the rule log (one row per rule and event, the
idempotency key) and the items rules leave on HR's list

Revision ID: 0014_workflow_rules
Revises: 0013_record_facts
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import created_column, fk, id_column, pk, tenant_column, timestamps

revision: str = "0014_workflow_rules"
down_revision: str | None = "0013_record_facts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "workflow_rules",
        id_column(),
        tenant_column(),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("stage_key", sa.String(length=40), nullable=True),
        sa.Column("stale_days", sa.Integer(), nullable=True),
        sa.Column("condition", sa.String(length=2000), nullable=False),
        sa.Column("actions", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        *timestamps(),
        fk("workflow_rules", "created_by_id", "users"),
        fk("workflow_rules", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_rules", "tenant_id", "tenants"),
        pk("workflow_rules"),
    )
    with op.batch_alter_table("workflow_rules", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_rules_opening_trigger", ["opening_id", "trigger"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_rules_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_rule_logs",
        id_column(),
        tenant_column(),
        sa.Column("rule_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=80), nullable=False),
        sa.Column("event_name", sa.String(length=40), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facts", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("outcome", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        created_column(),
        sa.Column("evaluated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        fk("workflow_rule_logs", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_rule_logs", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_rule_logs", "rule_id", "workflow_rules", ondelete="CASCADE"),
        fk("workflow_rule_logs", "tenant_id", "tenants"),
        pk("workflow_rule_logs"),
        sa.UniqueConstraint(
            "rule_id", "event_id", name=op.f("uq_workflow_rule_logs_rule_id_event_id")
        ),
    )
    with op.batch_alter_table("workflow_rule_logs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workflow_rule_logs_application", ["application_id", "created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_workflow_rule_logs_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "workflow_rule_tasks",
        id_column(),
        tenant_column(),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("log_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_stage", sa.String(length=40), nullable=True),
        sa.Column("reason_key", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        fk("workflow_rule_tasks", "application_id", "applications", ondelete="CASCADE"),
        fk("workflow_rule_tasks", "decided_by_id", "users"),
        fk("workflow_rule_tasks", "log_id", "workflow_rule_logs", ondelete="CASCADE"),
        fk("workflow_rule_tasks", "opening_id", "openings", ondelete="CASCADE"),
        fk("workflow_rule_tasks", "rule_id", "workflow_rules", ondelete="SET NULL"),
        fk("workflow_rule_tasks", "tenant_id", "tenants"),
        pk("workflow_rule_tasks"),
        sa.UniqueConstraint("log_id", "kind", name=op.f("uq_workflow_rule_tasks_log_id_kind")),
    )
    with op.batch_alter_table("workflow_rule_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workflow_rule_tasks_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index("ix_workflow_rule_tasks_open", ["tenant_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("workflow_rule_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_workflow_rule_tasks_open")
        batch_op.drop_index(batch_op.f("ix_workflow_rule_tasks_application_id"))

    op.drop_table("workflow_rule_tasks")
    with op.batch_alter_table("workflow_rule_logs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_rule_logs_tenant_id"))
        batch_op.drop_index("ix_workflow_rule_logs_application")

    op.drop_table("workflow_rule_logs")
    with op.batch_alter_table("workflow_rules", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workflow_rules_tenant_id"))
        batch_op.drop_index("ix_workflow_rules_opening_trigger")

    op.drop_table("workflow_rules")
