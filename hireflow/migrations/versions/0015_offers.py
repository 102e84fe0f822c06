"""offers, their approvals and documents; employees and their onboarding checklists

Revision ID: 0015_offers
Revises: 0014_workflow_rules
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii

revision: str = "0015_offers"
down_revision: str | None = "0014_workflow_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "offer_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_offer_templates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_templates")),
    )
    with op.batch_alter_table("offer_templates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_offer_templates_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "onboarding_templates",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("items", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_onboarding_templates_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_onboarding_templates")),
    )
    op.create_table(
        "offer_settings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("manager_approval", sa.Boolean(), nullable=False),
        sa.Column("salary_band", sa.Integer(), nullable=False),
        sa.Column("band_currency", sa.String(length=3), nullable=False),
        sa.Column("band_period", sa.String(length=10), nullable=False),
        sa.Column("hr_head_id", sa.Integer(), nullable=True),
        sa.Column("reminder_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["hr_head_id"], ["users.id"], name=op.f("fk_offer_settings_hr_head_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_offer_settings_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_offer_settings")),
    )
    op.create_table(
        "offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["applications.id"],
            name=op.f("fk_offers_application_id_applications"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["candidates.id"], name=op.f("fk_offers_candidate_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_offers_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_offers_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_offers_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["record_entry_id"],
            ["record_entries.id"],
            name=op.f("fk_offers_record_entry_id_record_entries"),
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"], ["users.id"], name=op.f("fk_offers_sent_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["offer_templates.id"],
            name=op.f("fk_offers_template_id_offer_templates"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_offers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offers")),
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
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("employee_number", sa.String(length=20), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("manager_id", sa.Integer(), nullable=True),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("account_ready_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_employees_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["manager_id"], ["users.id"], name=op.f("fk_employees_manager_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["offers.id"], name=op.f("fk_employees_offer_id_offers")
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_employees_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["candidates.id"], name=op.f("fk_employees_person_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_employees_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_employees_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_employees")),
        sa.UniqueConstraint("person_id", name=op.f("uq_employees_person_id")),
        sa.UniqueConstraint(
            "tenant_id", "employee_number", name=op.f("uq_employees_tenant_id_employee_number")
        ),
    )
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_employees_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_employees_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "offer_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.Column("created_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["users.id"], name=op.f("fk_offer_approvals_decided_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_offer_approvals_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_offer_approvals_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_offer_approvals_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_approvals")),
        sa.UniqueConstraint(
            "offer_id", "round", "step", name=op.f("uq_offer_approvals_offer_id_round_step")
        ),
    )
    with op.batch_alter_table("offer_approvals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_approvals_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_offer_approvals_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "offer_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("opening_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("uploaded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["record_attachments.id"],
            name=op.f("fk_offer_documents_attachment_id_record_attachments"),
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["offers.id"],
            name=op.f("fk_offer_documents_offer_id_offers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["opening_id"], ["openings.id"], name=op.f("fk_offer_documents_opening_id_openings")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_offer_documents_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offer_documents")),
    )
    with op.batch_alter_table("offer_documents", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offer_documents_offer_id"), ["offer_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_offer_documents_tenant_id"), ["tenant_id"], unique=False
        )

    op.create_table(
        "onboarding_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
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
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_onboarding_tasks_assignee_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_onboarding_tasks_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["users.id"], name=op.f("fk_onboarding_tasks_done_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["employee_id"],
            ["employees.id"],
            name=op.f("fk_onboarding_tasks_employee_id_employees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["candidates.id"], name=op.f("fk_onboarding_tasks_person_id_candidates")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_onboarding_tasks_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_onboarding_tasks")),
        sa.UniqueConstraint("employee_id", "key", name=op.f("uq_onboarding_tasks_employee_id_key")),
    )
    with op.batch_alter_table("onboarding_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_onboarding_tasks_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_onboarding_tasks_tenant_id"), ["tenant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("onboarding_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_onboarding_tasks_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_onboarding_tasks_person_id"))

    op.drop_table("onboarding_tasks")
    with op.batch_alter_table("offer_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_documents_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_offer_documents_offer_id"))

    op.drop_table("offer_documents")
    with op.batch_alter_table("offer_approvals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_approvals_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_offer_approvals_offer_id"))

    op.drop_table("offer_approvals")
    with op.batch_alter_table("employees", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_employees_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_employees_department_id"))

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
    with op.batch_alter_table("offer_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_offer_templates_tenant_id"))

    op.drop_table("offer_templates")
