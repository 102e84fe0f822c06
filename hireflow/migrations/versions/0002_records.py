"""the HR record: entries, attachments, terms, scores, policies, imports, key registry;
hash chain columns for the audit log (existing rows are chained here)

Revision ID: 0002_records
Revises: 0001
Create Date: 2026-11-22 01:06:09.236132
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0002_records"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "chain_heads",
        sa.Column("chain_id", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("checkpointed_seq", sa.BigInteger(), nullable=False),
        updated_column(),
        primary_key=("chain_id",),
    )
    create_table(
        "key_registry",
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("check_token", sa.Text(), nullable=False),
        sa.Column("first_used_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        primary_key=("key_id",),
    )
    create_table(
        "record_integrity_runs",
        id_column(),
        tenant(nullable=True),
        sa.Column("started_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("chains", sa.Integer(), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("problems", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
    )
    create_table(
        "record_policies",
        tenant(),
        sa.Column("require_download_code", sa.Boolean(), nullable=False),
        updated_column(),
        ref("updated_by_id", "users", nullable=True),
        primary_key=("tenant_id",),
    )
    create_table(
        "retention_rules",
        id_column(),
        tenant(),
        sa.Column("region", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("months", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        index=("tenant_id",),
    )

    create_table(
        "record_imports",
        id_column(),
        tenant(),
        sa.Column("source_system", sa.String(length=60), nullable=False),
        sa.Column("source_key", sa.String(length=200), nullable=False),
        ref("person_id", "candidates"),
        sa.Column("checksum", sa.String(length=64), nullable=False),
        sa.Column("batch_id", sa.String(length=36), nullable=False),
        sa.Column("imported_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        unique("tenant_id", "source_system", "source_key"),
        index=("person_id",),
    )

    create_table(
        "records",
        id_column(),
        tenant(),
        ref("person_id", "candidates"),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=False),
        sa.Column("status_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("entry_count", sa.Integer(), nullable=False),
        sa.Column("last_entry_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("legal_hold", sa.Boolean(), nullable=False),
        sa.Column("legal_hold_reason", sa.Text(), nullable=True),
        sa.Column("legal_hold_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("erased_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        *timestamps(),
        unique("person_id"),
        index=("status", "tenant_id"),
    )

    create_table(
        "record_attachments",
        id_column(),
        tenant(),
        ref("person_id", "candidates"),
        sa.Column("region", sa.String(length=10), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("wrapped_key", sa.Text(), nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("labels", hireflow.core.db.JSONText(), nullable=False),
        ref("opening_id", "openings", nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("ciphertext_sha256", sa.String(length=64), nullable=False),
        ref("created_by_id", "users", nullable=True),
        created_column(),
        sa.Column("shredded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("storage_key"),
        index=("person_id", "tenant_id"),
    )

    create_table(
        "record_download_codes",
        id_column(),
        tenant(),
        ref("user_id", "users", ondelete="CASCADE"),
        ref("attachment_id", "record_attachments", ondelete="CASCADE"),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("code_token", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("expires_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        created_column(),
        named_index("ix_record_download_codes_lookup", "user_id", "attachment_id"),
    )

    create_table(
        "record_entries",
        id_column(),
        tenant(),
        ref("person_id", "candidates"),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=60), nullable=False),
        ref("actor_id", "users", nullable=True),
        sa.Column("actor_label", sa.String(length=200), nullable=False),
        sa.Column("occurred_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        ref("opening_id", "openings", nullable=True),
        ref("attachment_id", "record_attachments", nullable=True),
        sa.Column("facts", hireflow.core.db.JSONText(), nullable=False),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("payload_key", sa.Text(), nullable=True),
        sa.Column("payload_digest", sa.String(length=64), nullable=True),
        sa.Column("import_key", sa.String(length=200), nullable=True),
        sa.Column("source_checksum", sa.String(length=64), nullable=True),
        sa.Column("erased_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True),
        unique("person_id", "seq"),
        unique("tenant_id", "import_key"),
        named_index("ix_record_entries_tenant_time", "tenant_id", "occurred_at"),
        named_index("ix_record_entries_tenant_type", "tenant_id", "type"),
        index=("opening_id", "person_id"),
    )

    create_table(
        "record_scores",
        ref("entry_id", "record_entries", ondelete="CASCADE"),
        sa.Column("dimension", sa.String(length=60), nullable=False),
        tenant(),
        ref("person_id", "candidates"),
        ref("opening_id", "openings", nullable=True),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("occurred_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=False),
        named_index("ix_record_scores_lookup", "tenant_id", "dimension", "score"),
        primary_key=("entry_id", "dimension"),
        index=("person_id",),
    )

    create_table(
        "record_terms",
        ref("entry_id", "record_entries", ondelete="CASCADE"),
        sa.Column("term", sa.String(length=16), nullable=False),
        tenant(),
        ref("person_id", "candidates"),
        named_index("ix_record_terms_lookup", "tenant_id", "term"),
        primary_key=("entry_id", "term"),
        index=("person_id",),
    )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("values_salt", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("values_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("redacted_at", hireflow.core.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.create_index("ix_audit_log_chain", ["tenant_id", "seq"], unique=True)

    _chain_existing_audit_rows()


def _chain_existing_audit_rows() -> None:
    """Give audit rows written before this revision their place in their tenant's chain."""
    import os
    from types import SimpleNamespace

    from hireflow.core.audit import audit_chain_content, audit_chain_id, values_digest
    from hireflow.records.chain import GENESIS_HASH, row_hash

    bind = op.get_bind()
    audit = sa.table(
        "audit_log",
        sa.column("id", sa.Integer()),
        sa.column("tenant_id", sa.Integer()),
        sa.column("actor_id", sa.Integer()),
        sa.column("actor_label", sa.String()),
        sa.column("action", sa.String()),
        sa.column("target_type", sa.String()),
        sa.column("target_id", sa.String()),
        sa.column("old_values", hireflow.core.db.JSONText()),
        sa.column("new_values", hireflow.core.db.JSONText()),
        sa.column("request_id", sa.String()),
        sa.column("ip", sa.String()),
        sa.column("created_at", hireflow.core.db.UTCDateTime()),
        sa.column("seq", sa.BigInteger()),
        sa.column("prev_hash", sa.String()),
        sa.column("hash", sa.String()),
        sa.column("values_salt", sa.String()),
        sa.column("values_digest", sa.String()),
    )
    heads = sa.table(
        "chain_heads",
        sa.column("chain_id", sa.String()),
        sa.column("seq", sa.BigInteger()),
        sa.column("hash", sa.String()),
        sa.column("checkpointed_seq", sa.BigInteger()),
        sa.column("updated_at", hireflow.core.db.UTCDateTime()),
    )
    state: dict[object, tuple[int, str]] = {}
    rows = bind.execute(sa.select(audit).order_by(audit.c.tenant_id, audit.c.id)).mappings().all()
    last_time = None
    for row in rows:
        seq, prev = state.get(row["tenant_id"], (0, GENESIS_HASH))
        seq += 1
        salt = os.urandom(16).hex()
        entry = SimpleNamespace(**dict(row))
        entry.values_digest = values_digest(
            salt, row["old_values"], row["new_values"], row["ip"] or "", row["actor_label"] or ""
        )
        digest = row_hash(prev, audit_chain_content(entry, seq))
        bind.execute(
            audit.update()
            .where(audit.c.id == row["id"])
            .values(
                seq=seq,
                prev_hash=prev,
                hash=digest,
                values_salt=salt,
                values_digest=entry.values_digest,
            )
        )
        state[row["tenant_id"]] = (seq, digest)
        last_time = row["created_at"]
    for tenant_id, (seq, digest) in state.items():
        bind.execute(
            heads.insert().values(
                chain_id=audit_chain_id(tenant_id),
                seq=seq,
                hash=digest,
                checkpointed_seq=0,
                updated_at=last_time,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_chain")
        batch_op.drop_column("redacted_at")
        batch_op.drop_column("values_digest")
        batch_op.drop_column("values_salt")
        batch_op.drop_column("hash")
        batch_op.drop_column("prev_hash")
        batch_op.drop_column("seq")

    drop_tables(
        "record_terms",
        "record_scores",
        "record_entries",
        "record_download_codes",
        "record_attachments",
        "records",
        "record_imports",
        "retention_rules",
        "record_policies",
        "record_integrity_runs",
        "key_registry",
        "chain_heads",
    )
