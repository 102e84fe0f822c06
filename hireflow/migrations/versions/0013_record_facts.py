"""record facts: free text kept in plaintext facts by older versions moves into the
encrypted payload; re-hashed rows are recorded for the signed checkpoints

Revision ID: 0013_record_facts
Revises: 0012_workflow

Entries written before personal facts were split off (``records.facts.split_facts``) may
hold names, ID numbers or notes in their plaintext ``facts``. Each such value moves into the
entry's encrypted payload exactly as a new entry is written (erased people's are dropped),
and the person's chain is re-hashed from that entry on; ``record_rechains`` keeps each
re-hashed row's old and new hash. ``HIREFLOW_MASTER_KEY`` must be configured when there are
such entries. Sign a checkpoint afterwards (``hireflow checkpoint``; the hourly task does it)
so that ``hireflow verify`` accepts checkpoints signed before the upgrade.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0013_record_facts"
down_revision: str | None = "0012_workflow"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    create_table(
        "record_rechains",
        id_column(),
        sa.Column("chain_id", sa.String(length=80), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("old_hash", sa.String(length=64), nullable=False),
        sa.Column("new_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", hireflow.core.db.UTCDateTime(), nullable=False),
        unique("chain_id", "seq"),
    )
    # Application code on purpose: the entries must come out exactly as new ones are
    # written (same payload format, hash and search terms).
    from hireflow.core import pii
    from hireflow.records.facts import encrypt_legacy_facts, has_free_text_facts

    connection = op.get_bind()
    if has_free_text_facts(connection):
        encrypt_legacy_facts(connection, pii.keyring())


def downgrade() -> None:
    # The moved values stay encrypted: a downgrade never writes personal data back in clear.
    op.drop_table("record_rechains")
