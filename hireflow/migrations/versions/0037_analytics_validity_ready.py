"""analytics: predictive validity's bootstrap results kept per company and data digest (shared
by every process), and the scopes the worker keeps them ready for. Empty at first: requests
compute as before until the worker's next run.

Revision ID: 0037_analytics_validity_ready
Revises: 0036_sessions_person_opening
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import (
    create_table,
    drop_tables,
    id_column,
    named_index,
    tenant,
    unique,
)

revision: str = "0037_analytics_validity_ready"
down_revision: str | None = "0036_sessions_person_opening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "analytics_validity_results",
        tenant(),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("found", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        named_index("ix_analytics_validity_results_computed", "tenant_id", "computed_at"),
        primary_key=("tenant_id", "digest"),
    )
    create_table(
        "analytics_validity_scopes",
        id_column(),
        tenant(),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("openings", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("standing", sa.Boolean(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        unique("tenant_id", "key"),
    )


def downgrade() -> None:
    drop_tables("analytics_validity_scopes", "analytics_validity_results")
