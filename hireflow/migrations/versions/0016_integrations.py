"""the integration surface: webhook endpoints and deliveries, integration settings, saved
import mappings; API key scopes widened (existing keys keep what they could reach)

Revision ID: 0016_integrations
Revises: 0015_offers
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
import hireflow.core.pii
from hireflow.migrations.columns import create_indexes, created_column, drop_indexes, fk, id_column, pk, tenant_column, timestamps, updated_column

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
    op.create_table(
        "integration_settings",
        tenant_column(),
        sa.Column("allow_private_addresses", sa.Boolean(), nullable=False),
        updated_column(),
        fk("integration_settings", "tenant_id", "tenants"),
        pk("integration_settings", "tenant_id"),
    )
    op.create_table(
        "import_mappings",
        id_column(),
        tenant_column(),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("columns", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *timestamps(),
        fk("import_mappings", "created_by_id", "users"),
        fk("import_mappings", "tenant_id", "tenants"),
        pk("import_mappings"),
        sa.UniqueConstraint(
            "tenant_id", "kind", "name", name=op.f("uq_import_mappings_tenant_id_kind_name")
        ),
    )
    create_indexes("import_mappings", "tenant_id")

    op.create_table(
        "webhook_endpoints",
        id_column(),
        tenant_column(),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("events", hireflow.core.db.JSONText(), nullable=False),
        sa.Column(
            "secret", hireflow.core.pii.EncryptedText("webhook_endpoints.secret"), nullable=False
        ),
        sa.Column(
            "previous_secret",
            hireflow.core.pii.EncryptedText("webhook_endpoints.previous_secret"),
            nullable=True,
        ),
        sa.Column(
            "previous_secret_until", hireflow.core.db.UTCDateTime(timezone=True), nullable=True
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        *timestamps(),
        fk("webhook_endpoints", "created_by_id", "users"),
        fk("webhook_endpoints", "tenant_id", "tenants"),
        pk("webhook_endpoints"),
    )
    create_indexes("webhook_endpoints", "tenant_id")

    op.create_table(
        "webhook_deliveries",
        id_column(),
        tenant_column(),
        sa.Column("endpoint_id", sa.Integer(), nullable=False),
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
        sa.Column("replay_of_id", sa.Integer(), nullable=True),
        created_column(),
        fk("webhook_deliveries", "endpoint_id", "webhook_endpoints", ondelete="CASCADE"),
        fk("webhook_deliveries", "replay_of_id", "webhook_deliveries", ondelete="SET NULL"),
        fk("webhook_deliveries", "tenant_id", "tenants"),
        pk("webhook_deliveries"),
    )
    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_webhook_deliveries_due", ["status", "next_attempt_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_endpoint_id"), ["endpoint_id"], unique=False
        )
        batch_op.create_index(
            "ix_webhook_deliveries_line", ["endpoint_id", "subject", "status", "id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_webhook_deliveries_tenant_id"), ["tenant_id"], unique=False
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

    with op.batch_alter_table("webhook_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_tenant_id"))
        batch_op.drop_index("ix_webhook_deliveries_line")
        batch_op.drop_index(batch_op.f("ix_webhook_deliveries_endpoint_id"))
        batch_op.drop_index("ix_webhook_deliveries_due")

    op.drop_table("webhook_deliveries")
    drop_indexes("webhook_endpoints", "tenant_id")

    op.drop_table("webhook_endpoints")
    drop_indexes("import_mappings", "tenant_id")

    op.drop_table("import_mappings")
    op.drop_table("integration_settings")
