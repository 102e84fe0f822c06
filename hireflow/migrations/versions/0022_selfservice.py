"""self-service: what people see of their report, the course catalogue, enrolments,
re-assessments and data-subject requests

Revision ID: 0022_selfservice
Revises: 0018_bias_audit
Create Date: 2026-12-06 12:17:43.207445
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0022_selfservice"
down_revision: str | None = "0021_stage_templates"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "selfservice_courses",
        id_column(),
        tenant(),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("title", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("description", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("mode", sa.String(length=20), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("starts_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ends_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        named_index("ix_selfservice_courses_tenant_competency", "tenant_id", "competency"),
        index=("tenant_id",),
    )

    create_table(
        "selfservice_policies",
        tenant(),
        sa.Column("show_scores", sa.Boolean(), nullable=False),
        sa.Column("show_radar", sa.Boolean(), nullable=False),
        sa.Column("show_evidence", sa.Boolean(), nullable=False),
        sa.Column("show_suggestions", sa.Boolean(), nullable=False),
        sa.Column("candidates_see_report", sa.Boolean(), nullable=False),
        sa.Column("after_review_only", sa.Boolean(), nullable=False),
        ref("updated_by_id", "users", nullable=True),
        updated_column(),
        primary_key=("tenant_id",),
    )
    create_table(
        "selfservice_enrolments",
        id_column(),
        tenant(),
        ref("course_id", "selfservice_courses", ondelete="CASCADE"),
        ref("person_id", "candidates", ondelete="CASCADE"),
        ref("department_id", "departments", nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Integer(), nullable=False),
        sa.Column("enrolled_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("completed_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("record_entry_id", "record_entries", nullable=True),
        updated_column(),
        unique("course_id", "person_id"),
        index=("course_id", "department_id", "person_id", "tenant_id"),
    )

    create_table(
        "selfservice_reassessments",
        id_column(),
        tenant(),
        ref("person_id", "candidates", ondelete="CASCADE"),
        ref("department_id", "departments", nullable=True),
        ref("invitation_id", "invitations", ondelete="CASCADE"),
        sa.Column("dimensions", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        ref("requested_by_id", "users", nullable=True),
        created_column(),
        unique("invitation_id"),
        index=("department_id", "person_id", "tenant_id"),
    )

    create_table(
        "selfservice_requests",
        id_column(),
        tenant(),
        ref("person_id", "candidates", ondelete="CASCADE"),
        ref("interview_id", "interview_sessions", nullable=True, ondelete="SET NULL"),
        sa.Column("kind", sa.String(length=20), nullable=False),
        encrypted("message", nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        encrypted("answer", nullable=True),
        ref("answered_by_id", "users", nullable=True),
        sa.Column("answered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        named_index("ix_selfservice_requests_tenant_status", "tenant_id", "status"),
        index=("person_id", "tenant_id"),
    )


def downgrade() -> None:
    drop_tables(
        "selfservice_requests",
        "selfservice_reassessments",
        "selfservice_enrolments",
        "selfservice_policies",
        "selfservice_courses",
    )
