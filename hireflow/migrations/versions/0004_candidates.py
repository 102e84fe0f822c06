"""candidates: encrypted contacts with blind indexes, resumes, screening, talent-pool index

Revision ID: 0004_candidates
Revises: 0003_openings
Depends on: 0002_records (resume files are record attachments)

Existing rows are migrated in place: phone numbers, ID numbers and birth dates are encrypted
(``HIREFLOW_MASTER_KEY`` must be configured when there are any) and their blind indexes
computed. On SQLite the phone column changes type by rename, add and drop (SQLite >= 3.35),
never by copying the table, which would cascade-delete applications.
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hireflow.core.db
from hireflow.migrations.columns import *  # noqa: F403 - the helpers revisions share

revision: str = "0004_candidates"
down_revision: str | None = "0003_openings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC = hireflow.core.db.UTCDateTime(timezone=True)
JSON = hireflow.core.db.JSONText()
# The candidates' columns searched by index (ix_candidates_<column>).
INDEXED = ("phone_index", "birth_date_index", "name_key", "highest_degree_rank", "years_experience")


def _candidate_columns(sqlite: bool) -> None:
    if sqlite:
        op.execute("ALTER TABLE candidates RENAME COLUMN phone TO phone_plain")
        op.execute("ALTER TABLE candidates ADD COLUMN phone TEXT NOT NULL DEFAULT ''")
    else:
        op.alter_column("candidates", "phone", type_=sa.Text(), existing_nullable=False)
    op.add_column("candidates", sa.Column("phone_index", sa.String(length=32), nullable=True))
    op.add_column("candidates", sa.Column("birth_date_index", sa.String(length=32), nullable=True))
    op.add_column(
        "candidates",
        sa.Column("name_key", sa.String(length=200), nullable=False, server_default=""),
    )
    op.add_column(
        "candidates",
        sa.Column("profile_parsed", JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "candidates",
        sa.Column("corrections", JSON, nullable=False, server_default=sa.text("'{}'")),
    )
    op.add_column(
        "candidates",
        sa.Column("highest_degree_rank", sa.Integer(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "candidates",
        sa.Column("years_experience", sa.Double(), nullable=False, server_default=sa.text("0")),
    )
    op.add_column(
        "candidates",
        sa.Column("is_internal", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    create_indexes("candidates", *INDEXED)
    op.create_index(
        "ix_candidates_tenant_created", "candidates", ["tenant_id", "created_at"], unique=False
    )


def _encrypt_existing(sqlite: bool) -> None:
    """Encrypt personal values already stored in clear and fill the derived columns."""
    from hireflow.candidates.identity import name_key
    from hireflow.candidates.resume_model import degree_rank
    from hireflow.core import pii
    from hireflow.core.crypto import FIELD_TOKEN_PREFIX

    connection = op.get_bind()
    phone_column = "phone_plain" if sqlite else "phone"
    rows = connection.execute(
        sa.text(
            f"SELECT id, tenant_id, name, {phone_column}, id_number, birth_date, profile "  # noqa: S608 - fixed column names
            "FROM candidates"
        )
    ).all()

    def token(value: str | None, context: str) -> str | None:
        if value is None or value == "" or value.startswith(FIELD_TOKEN_PREFIX):
            return value
        return pii.encrypt_value(value, context)

    def index(value: str | None, kind: str, tenant_id: int) -> str | None:
        if not value or value.startswith(FIELD_TOKEN_PREFIX):
            return None
        return pii.blind_index(value, kind, tenant_id=tenant_id)

    for row_id, tenant_id, name, phone, id_number, birth_date, profile in rows:
        if isinstance(profile, str):
            data = json.loads(profile or "{}")
        else:
            data = profile if isinstance(profile, dict) else {}
        degrees = [e.get("degree") for e in data.get("education", []) if isinstance(e, dict)]
        connection.execute(
            sa.text(
                "UPDATE candidates SET phone = :phone, id_number = :id_number, "
                "birth_date = :birth_date, phone_index = :phone_index, "
                "birth_date_index = :birth_index, name_key = :name_key, "
                "highest_degree_rank = :rank, years_experience = :years WHERE id = :id"
            ),
            {
                "phone": token(phone, "candidates.phone") or "",
                "id_number": token(id_number, "candidates.id_number"),
                "birth_date": token(birth_date, "candidates.birth_date"),
                "phone_index": index(phone, "phone", tenant_id),
                "birth_index": index(birth_date, "birth_date", tenant_id),
                "name_key": name_key(name),
                "rank": max((degree_rank(d) for d in degrees), default=0),
                "years": float(data.get("years_experience") or 0.0),
                "id": row_id,
            },
        )
    if sqlite:
        op.execute("ALTER TABLE candidates DROP COLUMN phone_plain")


def _application_columns() -> None:
    op.add_column(
        "applications",
        sa.Column("source", sa.String(length=40), nullable=False, server_default="upload"),
    )
    op.add_column(
        "applications",
        sa.Column("screening_status", sa.String(length=20), nullable=False, server_default=""),
    )
    op.add_column("applications", sa.Column("screening_score", sa.Double(), nullable=True))
    op.add_column("applications", sa.Column("screening", JSON, nullable=True))
    op.add_column("applications", sa.Column("screened_at", UTC, nullable=True))


def _tables(sqlite: bool) -> None:
    create_table(
        "candidate_resumes",
        id_column(),
        tenant(),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        ref("opening_id", "openings", nullable=True),
        ref("attachment_id", "record_attachments", nullable=True),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("parsed", JSON, nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        ref("created_by_id", "users", nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        named_index("ix_candidate_resumes_file", "tenant_id", "sha256"),
        index=("candidate_id",),
    )

    create_table(
        "candidate_skills",
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        sa.Column("skill", sa.String(length=80), nullable=False),
        tenant(),
        named_index("ix_candidate_skills_lookup", "tenant_id", "skill", "candidate_id"),
        primary_key=("candidate_id", "skill"),
    )

    tsvector = sa.Text().with_variant(sa.dialects.postgresql.TSVECTOR(), "postgresql")
    create_table(
        "candidate_search",
        sa.Column("candidate_id", sa.Integer(), autoincrement=False, nullable=False),
        tenant(),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("highest_degree_rank", sa.Integer(), nullable=False),
        sa.Column("years_experience", sa.Double(), nullable=False),
        sa.Column("is_internal", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("tsv", tsvector, nullable=True),
        foreign_key("candidate_id", "candidates", ondelete="CASCADE"),
        named_index("ix_candidate_search_recent", "tenant_id", "created_at"),
        primary_key=("candidate_id",),
    )
    op.create_index("ix_candidate_search_tsv", "candidate_search", ["tsv"], postgresql_using="gin")

    create_table(
        "candidate_vectors",
        sa.Column("candidate_id", sa.Integer(), autoincrement=False, nullable=False),
        tenant(),
        sa.Column("model", sa.String(length=60), nullable=False),
        sa.Column("text_sha256", sa.String(length=64), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        foreign_key("candidate_id", "candidates", ondelete="CASCADE"),
        primary_key=("candidate_id",),
        index=("tenant_id",),
    )

    create_table(
        "saved_searches",
        id_column(),
        tenant(),
        ref("user_id", "users", ondelete="CASCADE"),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("params", JSON, nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        index=("tenant_id", "user_id"),
    )

    create_table(
        "performance_ratings",
        id_column(),
        tenant(),
        ref("candidate_id", "candidates", ondelete="CASCADE"),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("rating", sa.Double(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        ref("recorded_by_id", "users", nullable=True),
        sa.Column("created_at", UTC, nullable=False),
        unique("candidate_id", "period"),
        index=("candidate_id", "tenant_id"),
    )

    if sqlite:
        from hireflow.candidates.fts import CREATE_STATEMENTS

        for statement in CREATE_STATEMENTS:
            op.execute(statement)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    _candidate_columns(sqlite)
    _encrypt_existing(sqlite)
    _application_columns()
    _tables(sqlite)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        from hireflow.candidates.fts import DROP_STATEMENTS

        for statement in DROP_STATEMENTS:
            op.execute(statement)
    drop_tables(
        "performance_ratings",
        "saved_searches",
        "candidate_vectors",
        "candidate_search",
        "candidate_skills",
        "candidate_resumes",
    )
    with op.batch_alter_table("applications") as batch_op:
        for column in ("screened_at", "screening", "screening_score", "screening_status", "source"):
            batch_op.drop_column(column)
    # Contacts stay encrypted: a downgrade never writes personal data back in clear.
    op.drop_index("ix_candidates_tenant_created", table_name="candidates")
    drop_indexes("candidates", *INDEXED)
    for column in (
        "is_internal",
        "years_experience",
        "highest_degree_rank",
        "corrections",
        "profile_parsed",
        "name_key",
        "birth_date_index",
        "phone_index",
    ):
        op.drop_column("candidates", column)
