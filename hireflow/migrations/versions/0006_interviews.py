"""interviews: sessions, answers, uploads, events, reports, adjustments, calibrations, FAQ,
candidate questions

Revision ID: 0006_interviews
Revises: 0005_scheduling
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0006_interviews"
down_revision: str | None = "0005_scheduling"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "interview_calibrations",
        id_column(),
        tenant(),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("data", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        index=("tenant_id",),
    )

    create_table(
        "interview_faqs",
        id_column(),
        tenant(),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        index=("tenant_id",),
    )

    create_table(
        "interview_sessions",
        id_column(),
        tenant(),
        ref("opening_id", "openings"),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        ref("invitation_id", "invitations", ondelete="CASCADE"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("questions", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("model", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("plan_source", sa.String(length=20), nullable=False),
        sa.Column("max_rerecords", sa.Integer(), nullable=False),
        sa.Column("deadline", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("consent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("consent_version", sa.String(length=40), nullable=False),
        sa.Column(
            "human_review_requested_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("verified_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scored_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("reviewed_by_id", "users", nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("current_question", sa.String(length=80), nullable=False),
        sa.Column("last_seen_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("active_tab", sa.String(length=40), nullable=False),
        sa.Column("tab_seen_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("flag_count", sa.Integer(), nullable=False),
        sa.Column("speech_pending", sa.Boolean(), nullable=False),
        sa.Column(
            "scoring_lease_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("scoring_attempts", sa.Integer(), nullable=False),
        sa.Column("scoring_error", sa.String(length=200), nullable=False),
        *timestamps(),
        unique("invitation_id"),
        named_index("ix_interview_sessions_tenant_status", "tenant_id", "status"),
        index=("candidate_id", "opening_id", "tenant_id"),
    )

    create_table(
        "interview_answers",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("answered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.Column("media_status", sa.String(length=20), nullable=False),
        sa.Column("media_key", sa.String(length=300), nullable=False),
        sa.Column("media_wrapped_key", sa.Text(), nullable=True),
        sa.Column("media_region", sa.String(length=10), nullable=False),
        sa.Column("media_type", sa.String(length=120), nullable=False),
        sa.Column("media_size", sa.BigInteger(), nullable=False),
        sa.Column("media_duration", sa.Double(), nullable=True),
        sa.Column("media_error", sa.String(length=40), nullable=False),
        sa.Column("media_captured_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("transcript", sa.Text(), nullable=True),
        sa.Column("segments", sa.Text(), nullable=True),
        sa.Column("transcript_language", sa.String(length=10), nullable=False),
        sa.Column("speech", hireflow.core.db.JSONText(), nullable=True),
        sa.Column("vision", hireflow.core.db.JSONText(), nullable=True),
        ref("attachment_id", "record_attachments", nullable=True),
        *timestamps(),
        unique("interview_id", "question_id"),
        index=("interview_id", "tenant_id"),
    )

    create_table(
        "interview_candidate_questions",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        ref("opening_id", "openings"),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        ref("faq_id", "interview_faqs", nullable=True, ondelete="SET NULL"),
        sa.Column("quote", sa.Text(), nullable=False),
        sa.Column("similarity", sa.Double(), nullable=True),
        sa.Column("hr_answer", sa.Text(), nullable=True),
        ref("answered_by_id", "users", nullable=True),
        sa.Column("answered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        index=("interview_id", "opening_id", "tenant_id"),
    )

    create_table(
        "interview_events",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("question_id", sa.String(length=80), nullable=False),
        sa.Column("is_flag", sa.Boolean(), nullable=False),
        sa.Column("data", hireflow.core.db.JSONText(), nullable=False),
        created_column(),
        named_index("ix_interview_events_stream", "interview_id", "id"),
        index=("tenant_id",),
    )

    create_table(
        "interview_reports",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("engine_version", sa.String(length=40), nullable=False),
        sa.Column("scores", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("job_match", sa.Double(), nullable=True),
        ref("record_entry_id", "record_entries", nullable=True),
        created_column(),
        unique("interview_id"),
        index=("tenant_id",),
    )

    create_table(
        "interview_score_adjustments",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        sa.Column("dimension_id", sa.String(length=80), nullable=False),
        sa.Column("ai_score", sa.Double(), nullable=False),
        sa.Column("hr_score", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("features", hireflow.core.db.JSONText(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        named_index("ix_interview_score_adjustments_calibration", "tenant_id", "dimension_id"),
        index=("interview_id",),
    )

    create_table(
        "interview_uploads",
        id_column(),
        tenant(),
        ref("interview_id", "interview_sessions", ondelete="CASCADE"),
        ref("answer_id", "interview_answers", ondelete="CASCADE"),
        sa.Column("token", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("declared_size", sa.BigInteger(), nullable=True),
        sa.Column("received", sa.BigInteger(), nullable=False),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("chunks", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("error", sa.String(length=40), nullable=False),
        sa.Column("captured_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("token"),
        index=("answer_id", "interview_id", "tenant_id"),
    )


def downgrade() -> None:
    drop_tables(
        "interview_uploads",
        "interview_score_adjustments",
        "interview_reports",
        "interview_events",
        "interview_candidate_questions",
        "interview_answers",
        "interview_sessions",
        "interview_faqs",
        "interview_calibrations",
    )
