"""data versions per company and topic (moved in the same transaction as every write of a
topic's inputs), and predictive validity's answer kept per scope with the version it was
computed at: a request compares one counter with it instead of reading the scope's data.
No row at first: version 0 for every company, and no scope has an answer until the worker's
or a request's next computation.

Revision ID: 0041_data_versions
Revises: 0040_record_outbox_quarantine
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import create_table, drop_tables, tenant

revision: str = "0041_data_versions"
down_revision: str | None = "0040_record_outbox_quarantine"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "data_versions",
        tenant(),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        primary_key=("tenant_id", "topic"),
    )
    with op.batch_alter_table("analytics_validity_scopes") as batch:
        batch.add_column(sa.Column("answered", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("answer", hireflow.core.db.JSONText(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analytics_validity_scopes") as batch:
        batch.drop_column("answer")
        batch.drop_column("answered")
    drop_tables("data_versions")
