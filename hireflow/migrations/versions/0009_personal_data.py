"""personal data: encrypted documents, e-mail and outbox, merge proposals

Revision ID: 0009_personal_data
Revises: 0008_application_language

Existing rows are migrated in place (``HIREFLOW_MASTER_KEY`` must be configured when there
are any): the e-mail address of every candidate, the parsed resumes and profiles (JSON
documents that repeat every contact), and every outbox message's address, label, texts and
attachments are encrypted; blind indexes of the e-mail addresses and message recipients are
computed. On SQLite a column changes type by rename, add and drop, never by copying the table
(which would cascade-delete the rows that reference it).
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0009_personal_data"
down_revision: str | None = "0008_application_language"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = hireflow.core.db.UTCDateTime(timezone=True)
JSON = hireflow.core.db.JSONText()

# (table, column, nullable, kind): "text" columns become EncryptedText, "json" EncryptedJSON.
RETYPED = (
    ("candidates", "email", False, "text"),
    ("candidates", "profile", False, "json"),
    ("candidates", "profile_parsed", False, "json"),
    ("candidates", "corrections", False, "json"),
    ("candidate_resumes", "parsed", False, "json"),
    ("notification_outbox", "recipient", False, "text"),
    ("notification_outbox", "recipient_label", False, "text"),
    ("notification_outbox", "sms_params", False, "json"),
    ("notification_outbox", "attachments", False, "json"),
    ("audit_log", "old_values", True, "json"),
    ("audit_log", "new_values", True, "json"),
)
# Already TEXT: only the values are encrypted.
IN_PLACE = (
    ("notification_outbox", "subject", "text"),
    ("notification_outbox", "body_text", "text"),
    ("notification_outbox", "body_html", "text"),
    ("notification_outbox", "sms_text", "text"),
    ("notification_outbox", "last_error", "text"),
    ("notification_attempts", "error", "text"),
)


def _retype(sqlite: bool) -> None:
    # The e-mail is found by its blind index now (and SQLite cannot drop an indexed column).
    op.drop_index("ix_candidates_email", table_name="candidates")
    for table, col, nullable, kind in RETYPED:
        if sqlite:
            op.execute(f"ALTER TABLE {table} RENAME COLUMN {col} TO {col}_plain")
            default = "'{}'" if col != "attachments" else "'[]'"
            default = "''" if kind == "text" else default
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN {col} TEXT"
                + ("" if nullable else f" NOT NULL DEFAULT {default}")
            )
        else:
            op.alter_column(
                table,
                col,
                type_=sa.Text(),
                existing_nullable=nullable,
                postgresql_using=f"{col}::text",
            )


def _encrypt(sqlite: bool) -> None:
    from hireflow.core import pii
    from hireflow.core.crypto import FIELD_TOKEN_PREFIX

    connection = op.get_bind()

    def plain_json(value: object) -> object:
        if isinstance(value, str):
            return json.loads(value or "null")
        return value

    def text_token(value: object, context: str) -> object:
        if value is None or value == "" or str(value).startswith(FIELD_TOKEN_PREFIX):
            return value
        return pii.encrypt_value(str(value), context)

    for table, col, nullable, kind in RETYPED:
        source = f"{col}_plain" if sqlite else col
        key = "id"
        rows = connection.execute(sa.text(f"SELECT {key}, {source} FROM {table}")).all()  # noqa: S608 - fixed names
        for row_id, value in rows:
            context = f"{table}.{col}"
            if kind == "json":
                if value is None and nullable:
                    stored = None
                elif isinstance(value, str) and value.startswith(FIELD_TOKEN_PREFIX):
                    stored = value
                else:
                    document = plain_json(value)
                    if document is None:
                        document = [] if col == "attachments" else {}
                    stored = pii.encrypt_document(document, context)
            else:
                stored = text_token(value, context) or ""
            connection.execute(
                sa.text(f"UPDATE {table} SET {col} = :value WHERE {key} = :id"),  # noqa: S608
                {"value": stored, "id": row_id},
            )
        if sqlite:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {col}_plain")
    for table, col, _kind in IN_PLACE:
        rows = connection.execute(
            sa.text(f"SELECT id, {col} FROM {table} WHERE {col} IS NOT NULL AND {col} != ''")  # noqa: S608
        ).all()
        for row_id, value in rows:
            connection.execute(
                sa.text(f"UPDATE {table} SET {col} = :value WHERE id = :id"),  # noqa: S608
                {"value": text_token(value, f"{table}.{col}"), "id": row_id},
            )


def _indexes() -> None:
    """Blind indexes of what is looked up by equality: candidates' e-mail, message recipients."""
    from hireflow.core import pii

    connection = op.get_bind()
    for table, col, index_col, kind in (
        ("candidates", "email", "email_index", "email"),
        ("notification_outbox", "recipient", "recipient_index", "text"),
    ):
        rows = connection.execute(
            sa.text(f"SELECT id, tenant_id, {col} FROM {table} WHERE {col} != ''")  # noqa: S608
        ).all()
        for row_id, tenant_id, token in rows:
            value = pii.decrypt_value(token, f"{table}.{col}")
            connection.execute(
                sa.text(f"UPDATE {table} SET {index_col} = :value WHERE id = :id"),  # noqa: S608
                {"value": pii.blind_index(value, kind, tenant_id=tenant_id), "id": row_id},
            )


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _retype(sqlite)
    op.add_column("candidates", sa.Column("email_index", sa.String(length=32), nullable=True))
    op.create_index("ix_candidates_email_index", "candidates", ["email_index"])
    op.add_column("candidates", sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.create_index("ix_candidates_merged_into_id", "candidates", ["merged_into_id"])
    op.add_column(
        "notification_outbox", sa.Column("recipient_index", sa.String(length=32), nullable=True)
    )
    op.create_index(
        "ix_notification_outbox_recipient_index", "notification_outbox", ["recipient_index"]
    )
    _encrypt(sqlite)
    _indexes()
    create_table(
        "candidate_merges",
        id_column(),
        tenant(),
        ref("survivor_id", "candidates", ondelete="CASCADE"),
        ref("other_id", "candidates", nullable=True, ondelete="CASCADE"),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("matched_by", sa.String(length=40), nullable=False),
        sa.Column("evidence", JSON, nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("decided_at", UTC, nullable=True),
        ref("decided_by_id", "users", nullable=True),
        sa.Column("undone_at", UTC, nullable=True),
        ref("undone_by_id", "users", nullable=True),
        named_index("ix_candidate_merges_tenant_status", "tenant_id", "status"),
        named_index("ix_candidate_merges_survivor_id", "survivor_id"),
        named_index("ix_candidate_merges_other_id", "other_id"),
        in_order=True,
    )


def downgrade() -> None:
    # Personal data stays encrypted: a downgrade never writes it back in clear, so the
    # columns keep their TEXT type; only what this revision added is removed.
    op.drop_table("candidate_merges")
    op.drop_index("ix_notification_outbox_recipient_index", table_name="notification_outbox")
    op.drop_column("notification_outbox", "recipient_index")
    op.drop_index("ix_candidates_merged_into_id", table_name="candidates")
    op.drop_column("candidates", "merged_into_id")
    op.drop_index("ix_candidates_email_index", table_name="candidates")
    op.drop_column("candidates", "email_index")
    op.create_index("ix_candidates_email", "candidates", ["email"])
