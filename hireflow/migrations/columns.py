"""The column, key and index blocks every migration repeats, named once.

Each helper builds exactly what Alembic's autogenerate wrote out in the revisions (same types,
same nullability, same constraint names from ``core.db.NAMING_CONVENTION``), so a revision that
uses them produces the same schema it always did. Revisions are history: change what a helper
builds and every database built from them changes, so these stay as they are; a new shape gets
a new helper.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hireflow.core.db import UTCDateTime


def id_column() -> sa.Column:
    """The integer surrogate key every table starts with (its key is declared by ``pk``)."""
    return sa.Column("id", sa.Integer(), nullable=False)


def tenant_column(*, nullable: bool = False) -> sa.Column:
    """The owning tenant (its foreign key is declared by ``fk(table, "tenant_id", "tenants")``)."""
    return sa.Column("tenant_id", sa.Integer(), nullable=nullable)


def created_column() -> sa.Column:
    return sa.Column("created_at", UTCDateTime(timezone=True), nullable=False)


def updated_column() -> sa.Column:
    return sa.Column("updated_at", UTCDateTime(timezone=True), nullable=False)


def timestamps() -> tuple[sa.Column, sa.Column]:
    """``created_at`` then ``updated_at``, as ``core.db.TimestampMixin`` declares them."""
    return created_column(), updated_column()


def fk(
    table: str, column: str, target: str, *, ondelete: str | None = None
) -> sa.ForeignKeyConstraint:
    """``table.column`` references ``target`` (a table, meaning its ``id``, or ``table.column``)."""
    referred_table, _, referred_column = target.partition(".")
    return sa.ForeignKeyConstraint(
        [column],
        [f"{referred_table}.{referred_column or 'id'}"],
        name=op.f(f"fk_{table}_{column}_{referred_table}"),
        ondelete=ondelete,
    )


def pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    """The primary key of ``table``: ``id`` unless other columns are named."""
    return sa.PrimaryKeyConstraint(*(columns or ("id",)), name=op.f(f"pk_{table}"))


def create_indexes(table: str, *columns: str, unique: bool = False) -> None:
    """One single-column index per column, named ``ix_<table>_<column>``, in that order."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=unique)


def drop_indexes(table: str, *columns: str) -> None:
    """Drop the indexes ``create_indexes(table, *columns)`` made, in the order given."""
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in columns:
            batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
