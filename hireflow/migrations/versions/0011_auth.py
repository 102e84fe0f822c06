"""sign-in throttling per address and account; API key scopes and a bounded key lifetime

Revision ID: 0011_auth
Revises: 0010_records_seal
"""

from collections.abc import Sequence
from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0011_auth"
down_revision: str | None = "0010_records_seal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The longest lifetime a key may have (HIREFLOW_API_KEY_MAX_DAYS defaults to this).
KEY_MAX_DAYS = 365


def upgrade() -> None:
    create_table(
        "login_throttles",
        id_column(),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=10), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_started_at", hireflow.core.db.UTCDateTime(), nullable=False),
        sa.Column("locked_until", hireflow.core.db.UTCDateTime(), nullable=True),
        sa.Column("updated_at", hireflow.core.db.UTCDateTime(), nullable=False),
        unique("key"),
        index=("updated_at",),
    )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("scopes", sa.String(length=200), nullable=False, server_default="")
        )
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.alter_column("scopes", server_default=None)
    # Keys that never expired now expire a year from today: no key lives forever.
    tokens = sa.table(
        "access_tokens",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("expires_at", hireflow.core.db.UTCDateTime()),
    )
    limit = hireflow.core.db.utcnow() + timedelta(days=KEY_MAX_DAYS)
    op.get_bind().execute(
        tokens.update()
        .where(tokens.c.kind == "api_key")
        .where(sa.or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > limit))
        .values(expires_at=limit)
    )


def downgrade() -> None:
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.drop_column("scopes")
    op.drop_table("login_throttles")
