"""analytics: flow facts and their month sums (end-to-end time, completion, source and
channel), the ordered AI scores for the top ten, their state; indexes on ``updated_at`` of
the tables whose changes the flow facts follow. The worker's next run builds them.

Revision ID: 0032_analytics_flow_rollups
Revises: 0031_analytics_review_rollups
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0032_analytics_flow_rollups"
down_revision: str | None = "0031_analytics_review_rollups"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHANGED = (
    "applications",
    "invitations",
    "interview_sessions",
    "interview_answers",
    "offers",
    "notification_outbox",
)


def _sums() -> list[sa.Column]:
    return [sa.Column(name, sa.BigInteger(), nullable=False) for name in ("n", "a", "b", "c", "us")]


def upgrade() -> None:
    facts = "analytics_flow_facts"
    create_table(
        facts,
        *opening_place(),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("source_id", sa.BigInteger(), nullable=False),
        sa.Column("part", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("day2", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        sa.Column("a", sa.Integer(), nullable=False),
        sa.Column("b", sa.Integer(), nullable=False),
        sa.Column("c", sa.Integer(), nullable=False),
        sa.Column("us", sa.BigInteger(), nullable=False),
        unique("kind", "source_id", "part"),
    )
    op.create_index("ix_analytics_flow_facts_day", facts, ["kind", "day", "opening_id"])
    op.create_index("ix_analytics_flow_facts_day2", facts, ["kind", "day2", "opening_id"])
    op.create_index(
        "ix_analytics_flow_facts_bucket", facts, ["kind", "bucket", "opening_id", "day", "us"]
    )
    sums = "analytics_flow_rollups"
    create_table(
        sums,
        *opening_place(),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("month2", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("bucket", sa.Integer(), nullable=False),
        *_sums(),
        unique("opening_id", "kind", "month", "month2", "key", "bucket"),
    )
    op.create_index("ix_analytics_flow_rollups_tenant_id", sums, ["tenant_id"])
    op.create_table(
        "analytics_flow_state",
        sa.Column("name", sa.String(length=20), nullable=False),
        sa.Column("changed_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("report_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_analytics_flow_state")),
    )
    top = "analytics_top_scores"
    create_table(
        top,
        *opening_place(),
        ref("report_id", "interview_reports", ondelete="CASCADE"),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("competency", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        unique("report_id", "competency"),
    )
    op.create_index(
        "ix_analytics_top_scores_rank",
        top,
        ["competency", "score", "report_id", "opening_id", "day"],
    )
    op.create_index(
        "ix_analytics_top_scores_opening", top, ["opening_id", "competency", "score", "report_id"]
    )
    for table in CHANGED:
        op.create_index(f"ix_{table}_updated_at", table, ["updated_at"])


def downgrade() -> None:
    for table in CHANGED:
        op.drop_index(f"ix_{table}_updated_at", table_name=table)
    for table in (
        "analytics_top_scores",
        "analytics_flow_state",
        "analytics_flow_rollups",
        "analytics_flow_facts",
    ):
        op.drop_table(table)
