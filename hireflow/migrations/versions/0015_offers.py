"""offers, their approvals and documents; employees and their onboarding checklists

Revision ID: 0015_offers
Revises: 0014_workflow_rules
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0015_offers"
down_revision: str | None = "0014_workflow_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "offer_templates",
        id_column(),
        tenant(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("salary", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("salary_period", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("probation_months", sa.Integer(), nullable=False),
        sa.Column("required_documents", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("body", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        *timestamps(),
        index=("tenant_id",),
    )

    create_table(
        "onboarding_templates",
        tenant(),
        sa.Column("items", hireflow.core.db.JSONText(), nullable=False),
        updated_column(),
        primary_key=("tenant_id",),
    )
    create_table(
        "offer_settings",
        tenant(),
        sa.Column("manager_approval", sa.Boolean(), nullable=False),
        sa.Column("salary_band", sa.Integer(), nullable=False),
        sa.Column("band_currency", sa.String(length=3), nullable=False),
        sa.Column("band_period", sa.String(length=10), nullable=False),
        ref("hr_head_id", "users", nullable=True),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        updated_column(),
        primary_key=("tenant_id",),
    )
    create_table(
        "offers",
        id_column(),
        tenant(),
        ref("application_id", "applications", ondelete="CASCADE"),
        ref("candidate_id", "candidates"),
        ref("opening_id", "openings"),
        ref("template_id", "offer_templates", nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("salary", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("salary_period", sa.String(length=10), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("probation_months", sa.Integer(), nullable=False),
        sa.Column("required_documents", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("body", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        ref("manager_id", "users", nullable=True),
        ref("created_by_id", "users", nullable=True),
        ref("sent_by_id", "users", nullable=True),
        sa.Column("sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("link_generation", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("answered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        encrypted("answer_name", nullable=True),
        encrypted("answer_ip", nullable=True),
        encrypted("answer_reason", nullable=True),
        sa.Column("answer_digest", sa.String(length=64), nullable=False),
        ref("record_entry_id", "record_entries", nullable=True),
        *timestamps(),
        named_index("ix_offers_status_expires", "status", "expires_at"),
        index=("application_id", "candidate_id", "opening_id", "tenant_id"),
    )

    create_table(
        "employees",
        id_column(),
        tenant(),
        ref("person_id", "candidates"),
        ref("user_id", "users", nullable=True),
        sa.Column("employee_number", sa.String(length=20), nullable=False),
        ref("department_id", "departments"),
        ref("manager_id", "users", nullable=True),
        ref("offer_id", "offers"),
        ref("opening_id", "openings"),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("account_ready_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        unique("person_id"),
        unique("tenant_id", "employee_number"),
        index=("department_id", "tenant_id"),
    )

    create_table(
        "offer_approvals",
        id_column(),
        tenant(),
        ref("offer_id", "offers", ondelete="CASCADE"),
        ref("opening_id", "openings"),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("decided_by_id", "users", nullable=True),
        sa.Column("decided_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        encrypted("comment", nullable=True),
        created_column(),
        unique("offer_id", "round", "step"),
        index=("offer_id", "tenant_id"),
    )

    create_table(
        "offer_documents",
        id_column(),
        tenant(),
        ref("offer_id", "offers", ondelete="CASCADE"),
        ref("opening_id", "openings"),
        sa.Column("kind", sa.String(length=30), nullable=False),
        ref("attachment_id", "record_attachments"),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("uploaded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        index=("offer_id", "tenant_id"),
    )

    create_table(
        "onboarding_tasks",
        id_column(),
        tenant(),
        ref("employee_id", "employees", ondelete="CASCADE"),
        ref("person_id", "candidates"),
        ref("department_id", "departments"),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("title", hireflow.core.db.JSONText(), nullable=False),
        ref("assignee_id", "users", nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("done_by_id", "users", nullable=True),
        sa.Column("reminded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("employee_id", "key"),
        index=("person_id", "tenant_id"),
    )


def downgrade() -> None:
    drop_tables(
        "onboarding_tasks",
        "offer_documents",
        "offer_approvals",
        "employees",
        "offers",
        "offer_settings",
        "onboarding_templates",
        "offer_templates",
    )
