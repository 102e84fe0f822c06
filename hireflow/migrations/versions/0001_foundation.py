"""organisation, openings, candidates, audit

Revision ID: 0001
Revises:
Create Date: 2026-11-22 00:41:50.784420
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "tenants",
        id_column(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("default_language", sa.String(length=10), nullable=False),
        sa.Column("default_timezone", sa.String(length=64), nullable=False),
        *timestamps(),
        unique("slug"),
    )
    create_table(
        "client_events",
        id_column(),
        tenant(nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("page", sa.String(length=300), nullable=False),
        sa.Column("browser", sa.String(length=80), nullable=False),
        sa.Column("os", sa.String(length=80), nullable=False),
        sa.Column("device", sa.String(length=20), nullable=False),
        sa.Column("user_agent", sa.String(length=400), nullable=False),
        sa.Column("details", hireflow.core.db.JSONText(), nullable=True),
        created_column(),
        index=("created_at",),
    )

    create_table(
        "subsidiaries",
        id_column(),
        tenant(),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        *timestamps(),
        unique("tenant_id", "name"),
        index=("tenant_id",),
    )

    create_table(
        "users",
        id_column(),
        tenant(),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("email"),
        index=("tenant_id",),
    )

    create_table(
        "access_tokens",
        id_column(),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("expires_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("token_hash"),
        named_index("ix_access_tokens_user_kind", "user_id", "kind"),
    )

    create_table(
        "audit_log",
        id_column(),
        tenant(nullable=True),
        ref("actor_id", "users", nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=80), nullable=False),
        sa.Column("target_type", sa.String(length=60), nullable=False),
        sa.Column("target_id", sa.String(length=64), nullable=False),
        sa.Column("old_values", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("new_values", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        created_column(),
        named_index("ix_audit_log_target", "target_type", "target_id"),
        named_index("ix_audit_log_tenant_time", "tenant_id", "created_at"),
        index=("action",),
    )

    create_table(
        "candidates",
        id_column(),
        tenant(),
        ref("user_id", "users", nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("id_number", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Text(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("profile", hireflow.core.db.JSONText(), nullable=False),
        *timestamps(),
        index=("email", "tenant_id", "user_id"),
    )

    create_table(
        "departments",
        id_column(),
        tenant(),
        ref("subsidiary_id", "subsidiaries"),
        sa.Column("name", sa.String(length=200), nullable=False),
        *timestamps(),
        unique("subsidiary_id", "name"),
        index=("subsidiary_id", "tenant_id"),
    )

    create_table(
        "openings",
        id_column(),
        tenant(),
        ref("subsidiary_id", "subsidiaries"),
        ref("department_id", "departments"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("job_type", sa.String(length=30), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("requirements", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("competency_model", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("interview_plan", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("pass_threshold", sa.Double(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        index=("department_id", "status", "subsidiary_id", "tenant_id"),
    )

    create_table(
        "role_assignments",
        id_column(),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("role", sa.String(length=30), nullable=False),
        ref("subsidiary_id", "subsidiaries", nullable=True),
        ref("department_id", "departments", nullable=True),
        unique("user_id", "role", "subsidiary_id", "department_id"),
        index=("user_id",),
    )

    create_table(
        "applications",
        id_column(),
        tenant(),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        ref("opening_id", "openings"),
        sa.Column("stage", sa.String(length=20), nullable=False),
        *timestamps(),
        unique("candidate_id", "opening_id"),
        index=("candidate_id", "opening_id", "tenant_id"),
    )

    create_table(
        "opening_members",
        id_column(),
        ref("opening_id", "openings", ondelete="CASCADE"),
        ref("user_id", "users"),
        sa.Column("role", sa.String(length=20), nullable=False),
        unique("opening_id", "user_id", "role"),
        index=("opening_id", "user_id"),
    )


def downgrade() -> None:
    drop_tables(
        "opening_members",
        "applications",
        "role_assignments",
        "openings",
        "departments",
        "candidates",
        "audit_log",
        "access_tokens",
        "users",
        "subsidiaries",
        "client_events",
        "tenants",
    )
