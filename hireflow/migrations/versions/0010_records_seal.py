"""records: seals over decision values (scores, reports, screening, names); worker heartbeats

Revision ID: 0010_records_seal
Revises: 0009_personal_data
"""

from collections.abc import Sequence

import sqlalchemy as sa

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0010_records_seal"
down_revision: str | None = "0009_personal_data"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "record_seals",
        id_column(),
        tenant_column(),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("macs", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("sealed_at", hireflow.core.db.UTCDateTime(), nullable=False),
        sa.Column("erased_at", hireflow.core.db.UTCDateTime(), nullable=True),
        unique("subject", "subject_id"),
        named_index("ix_record_seals_tenant_subject", "tenant_id", "subject"),
        named_index("ix_record_seals_person_id", "person_id"),
        in_order=True,
    )
    create_table(
        "worker_heartbeats",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("host", sa.String(length=200), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("embedded", sa.Boolean(), nullable=False),
        sa.Column("restarts", sa.Integer(), nullable=False),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(), nullable=False),
        sa.Column("seen_at", hireflow.core.db.UTCDateTime(), nullable=False),
        primary_key=("name",),
    )


def downgrade() -> None:
    drop_tables("worker_heartbeats", "record_seals")
