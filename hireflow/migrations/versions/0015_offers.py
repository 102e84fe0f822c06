"""offers, their approvals and documents; employees and their onboarding checklists

Revision ID: 0015_offers
Revises: 0014_workflow_rules
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii
from hireflow.migrations.columns import create_indexes, created_column, drop_indexes, fk, id_column, pk, tenant_column, timestamps, updated_column

revision: str = "0015_offers"
down_revision: str | None = "0014_workflow_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_templates",
        id_column(),
        tenant_column(),
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
        fk("offer_templates", "tenant_id", "tenants"),
        pk("offer_templates"),
    )
    create_indexes("offer_templates", "tenant_id")

    op.create_table(
        "onboarding_templates",
        tenant_column(),
        sa.Column("items", hireflow.core.db.JSONText(), nullable=False),
        updated_column(),
        fk("onboarding_templates", "tenant_id", "tenants"),
        pk("onboarding_templates", "tenant_id"),
    )
    op.create_table(
        "offer_settings",
        tenant_column(),
        sa.Column("manager_approval", sa.Boolean(), nullable=False),
        sa.Column("salary_band", sa.Integer(), nullable=False),
        sa.Column("band_currency", sa.String(length=3), nullable=False),
        sa.Column("band_period", sa.String(length=10), nullable=False),
        sa.Column("hr_head_id", sa.Integer(), nullable=True),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        updated_column(),
        fk("offer_settings", "hr_head_id", "users"),
        fk("offer_settings", "tenant_id", "tenants"),
        pk("offer_settings", "tenant_id"),
    )
    op.create_table(
        "offers",
        id_column(),
        tenant_column(),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("template_id", sa.Integer(), nullable=True),
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
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column("sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("expires_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("link_generation", sa.Integer(), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("answered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "answer_name", hireflow.core.pii.EncryptedText("offers.answer_name"), nullable=True
        ),
        sa.Column("answer_ip", hireflow.core.pii.EncryptedText("offers.answer_ip"), nullable=True),
        sa.Column(
            "answer_reason", hireflow.core.pii.EncryptedText("offers.answer_reason"), nullable=True
        ),
        sa.Column("answer_digest", sa.String(length=64), nullable=False),
        sa.Column("record_entry_id", sa.Integer(), nullable=True),
        *timestamps(),
        fk("offers", "application_id", "applications", ondelete="CASCADE"),
        fk("offers", "candidate_id", "candidates"),
        fk("offers", "created_by_id", "users"),
        fk("offers", "manager_id", "users"),
        fk("offers", "opening_id", "openings"),
        fk("offers", "record_entry_id", "record_entries"),
        fk("offers", "sent_by_id", "users"),
        fk("offers", "template_id", "offer_templates"),
        fk("offers", "tenant_id", "tenants"),
        pk("offers"),
    )
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offers_application_id"), ["application_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_offers_candidate_id"), ["candidate_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_opening_id"), ["opening_id"], unique=False)
        batch_op.create_index("ix_offers_status_expires", ["status", "expires_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_offers_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "employees",
        id_column(),
        tenant_column(),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("employee_number", sa.String(length=20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("account_ready_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        fk("employees", "department_id", "departments"),
        fk("employees", "manager_id", "users"),
        fk("employees", "offer_id", "offers"),
        fk("employees", "opening_id", "openings"),
        fk("employees", "person_id", "candidates"),
        fk("employees", "tenant_id", "tenants"),
        fk("employees", "user_id", "users"),
        pk("employees"),
        sa.UniqueConstraint("person_id", name=op.f("uq_employees_person_id")),
        sa.UniqueConstraint(
            "tenant_id", "employee_number", name=op.f("uq_employees_tenant_id_employee_number")
        ),
    )
    create_indexes("employees", "department_id", "tenant_id")

    op.create_table(
        "offer_approvals",
        id_column(),
        tenant_column(),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "comment", hireflow.core.pii.EncryptedText("offer_approvals.comment"), nullable=True
        ),
        created_column(),
        fk("offer_approvals", "decided_by_id", "users"),
        fk("offer_approvals", "offer_id", "offers", ondelete="CASCADE"),
        fk("offer_approvals", "opening_id", "openings"),
        fk("offer_approvals", "tenant_id", "tenants"),
        pk("offer_approvals"),
        sa.UniqueConstraint(
            "offer_id", "round", "step", name=op.f("uq_offer_approvals_offer_id_round_step")
        ),
    )
    create_indexes("offer_approvals", "offer_id", "tenant_id")

    op.create_table(
        "offer_documents",
        id_column(),
        tenant_column(),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("uploaded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        fk("offer_documents", "attachment_id", "record_attachments"),
        fk("offer_documents", "offer_id", "offers", ondelete="CASCADE"),
        fk("offer_documents", "opening_id", "openings"),
        fk("offer_documents", "tenant_id", "tenants"),
        pk("offer_documents"),
    )
    create_indexes("offer_documents", "offer_id", "tenant_id")

    op.create_table(
        "onboarding_tasks",
        id_column(),
        tenant_column(),
        sa.Column("employee_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("owner", sa.String(length=20), nullable=False),
        sa.Column("title", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("done_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("reminded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        fk("onboarding_tasks", "assignee_id", "users"),
        fk("onboarding_tasks", "department_id", "departments"),
        fk("onboarding_tasks", "done_by_id", "users"),
        fk("onboarding_tasks", "employee_id", "employees", ondelete="CASCADE"),
        fk("onboarding_tasks", "person_id", "candidates"),
        fk("onboarding_tasks", "tenant_id", "tenants"),
        pk("onboarding_tasks"),
        sa.UniqueConstraint("employee_id", "key", name=op.f("uq_onboarding_tasks_employee_id_key")),
    )
    create_indexes("onboarding_tasks", "person_id", "tenant_id")


def downgrade() -> None:
    drop_indexes("onboarding_tasks", "tenant_id", "person_id")

    op.drop_table("onboarding_tasks")
    drop_indexes("offer_documents", "tenant_id", "offer_id")

    op.drop_table("offer_documents")
    drop_indexes("offer_approvals", "tenant_id", "offer_id")

    op.drop_table("offer_approvals")
    drop_indexes("employees", "tenant_id", "department_id")

    op.drop_table("employees")
    with op.batch_alter_table("offers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offers_tenant_id"))
        batch_op.drop_index("ix_offers_status_expires")
        batch_op.drop_index(batch_op.f("ix_offers_opening_id"))
        batch_op.drop_index(batch_op.f("ix_offers_candidate_id"))
        batch_op.drop_index(batch_op.f("ix_offers_application_id"))

    op.drop_table("offers")
    op.drop_table("offer_settings")
    op.drop_table("onboarding_templates")
    drop_indexes("offer_templates", "tenant_id")

    op.drop_table("offer_templates")
