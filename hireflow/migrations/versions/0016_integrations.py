"""the integration surface: webhook endpoints and deliveries, integration settings, saved
import mappings; API key scopes widened (existing keys keep what they could reach)

Revision ID: 0016_integrations
Revises: 0015_offers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0016_integrations"
down_revision: str | None = "0015_offers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# The scopes of core.permissions.API_SCOPES as of this revision, less the two that mint keys
# and users (which old keys had only when given them).
_LEGACY_SCOPES = (
    "audit.read",
    "candidates.read",
    "candidates.write",
    "data.export",
    "data.import",
    "interviews.manage",
    "notifications.manage",
    "openings.read",
    "openings.write",
    "org.manage",
    "org.read",
    "pipeline.read",
    "pipeline.write",
    "records.read",
    "records.write",
    "reports.read",
    "results.write",
    "scheduling.read",
    "scheduling.write",
    "webhooks.manage",
)


def upgrade() -> None:
    create_table(
        "integration_settings",
        tenant(),
        sa.Column("allow_private_addresses", sa.Boolean(), nullable=False),
        updated_column(),
        primary_key=("tenant_id",),
    )
    create_table(
        "import_mappings",
        id_column(),
        tenant(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("columns", hireflow.core.db.JSONText(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        unique("tenant_id", "kind", "name"),
        index=("tenant_id",),
    )

    create_table(
        "webhook_endpoints",
        id_column(),
        tenant(),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("events", hireflow.core.db.JSONText(), nullable=False),
        encrypted("secret", nullable=False),
        encrypted("previous_secret", nullable=True),
        sa.Column(
            "previous_secret_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        *timestamps(),
        index=("tenant_id",),
    )

    create_table(
        "webhook_deliveries",
        id_column(),
        tenant(),
        ref("endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        sa.Column("event_id", sa.String(length=40), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("subject", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=False),
        sa.Column("delivered_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        ref("replay_of_id", "webhook_deliveries", nullable=True, ondelete="SET NULL"),
        created_column(),
        named_index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        named_index("ix_webhook_deliveries_line", "endpoint_id", "subject", "status", "id"),
        index=("endpoint_id", "tenant_id"),
    )

    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "scopes",
            existing_type=sa.VARCHAR(length=200),
            type_=sa.String(length=1000),
            existing_nullable=False,
        )

    # Keys made before scopes reached everything their user's roles allowed except making
    # keys and users; they keep exactly that.
    tokens = sa.table("access_tokens", sa.column("id"), sa.column("kind"), sa.column("scopes"))
    bind = op.get_bind()
    for row in bind.execute(
        sa.select(tokens.c.id, tokens.c.scopes).where(tokens.c.kind == "api_key")
    ):
        scopes = sorted(set((row.scopes or "").split()) | set(_LEGACY_SCOPES))
        bind.execute(tokens.update().where(tokens.c.id == row.id).values(scopes=" ".join(scopes)))


def downgrade() -> None:
    # Before scopes, a key's column held only the two powers that mint keys and users.
    tokens = sa.table("access_tokens", sa.column("id"), sa.column("kind"), sa.column("scopes"))
    bind = op.get_bind()
    for row in bind.execute(
        sa.select(tokens.c.id, tokens.c.scopes).where(tokens.c.kind == "api_key")
    ):
        kept = sorted(set((row.scopes or "").split()) & {"apikeys.manage", "users.manage"})
        bind.execute(tokens.update().where(tokens.c.id == row.id).values(scopes=" ".join(kept)))
    with op.batch_alter_table("access_tokens", schema=None) as batch_op:
        batch_op.alter_column(
            "scopes",
            existing_type=sa.String(length=1000),
            type_=sa.VARCHAR(length=200),
            existing_nullable=False,
        )

    drop_tables(
        "webhook_deliveries", "webhook_endpoints", "import_mappings", "integration_settings"
    )
