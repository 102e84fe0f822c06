"""The column, key and index blocks every migration repeats, named once.

Each helper builds exactly what Alembic's autogenerate wrote out in the revisions (same types,
same nullability, same constraint names from ``core.db.NAMING_CONVENTION``), so a revision that
uses them produces the same schema it always did. ``create_table`` states a table's name once:

    create_table(
        "workflow_conclusions",
        id_column(),
        tenant(),                                    # tenant_id, referencing tenants
        ref("opening_id", "openings", ondelete="CASCADE"),
        encrypted("reason", nullable=False),         # pii.EncryptedText("<table>.reason")
        created_column(),
        unique("opening_id", "decision"),            # uq_<table>_opening_id_decision
        named_index("ix_workflow_conclusions_open", "tenant_id", "decision"),
        index=("opening_id", "tenant_id"),           # ix_<table>_<column> each
    )

Revisions are history: change what a helper builds and every database built from them changes,
so these stay as they are (tests/test_migrations.py compares the schema each revision builds
with tests/migration_schemas.txt); a new shape gets a new helper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from alembic import op

from hireflow.core.db import UTCDateTime
from hireflow.core.pii import EncryptedText

# What a revision gets with ``from hireflow.migrations.columns import *``.
__all__ = [
    "Item",
    "create_indexes",
    "create_table",
    "created_column",
    "drop_indexes",
    "drop_tables",
    "encrypted",
    "fk",
    "foreign_key",
    "id_column",
    "named_index",
    "opening_place",
    "pk",
    "ref",
    "rollup_place",
    "tenant",
    "tenant_column",
    "timestamps",
    "unique",
    "updated_column",
]


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


# Constraints by name, each made when ``create_table`` asks for it: SQLite writes a table's
# constraints in the order they were made, and autogenerate made them in the order of their names.
Keys = dict[str, Callable[[], sa.Constraint]]


@dataclass(frozen=True)
class Ref:
    """An integer column that references another table (``ref``); ``create_table`` adds its key."""

    column: str
    target: str
    nullable: bool
    ondelete: str | None

    def columns(self, table: str) -> tuple[sa.Column, ...]:
        return (sa.Column(self.column, sa.Integer(), nullable=self.nullable),)

    def keys(self, table: str) -> Keys:
        name = f"fk_{table}_{self.column}_{self.target.partition('.')[0]}"
        return {name: lambda: fk(table, self.column, self.target, ondelete=self.ondelete)}


@dataclass(frozen=True)
class Encrypted:
    """A column encrypted under the ``<table>.<column>`` context (``encrypted``)."""

    column: str
    nullable: bool

    def columns(self, table: str) -> tuple[sa.Column, ...]:
        kind = EncryptedText(f"{table}.{self.column}")
        return (sa.Column(self.column, kind, nullable=self.nullable),)

    def keys(self, table: str) -> Keys:
        return {}


@dataclass(frozen=True)
class Unique:
    """A unique constraint over columns, named ``uq_<table>_<columns>`` unless given a name
    (``unique``)."""

    names: tuple[str, ...]
    name: str | None = None

    def columns(self, table: str) -> tuple[sa.Column, ...]:
        return ()

    def keys(self, table: str) -> Keys:
        name = self.name or f"uq_{table}_{'_'.join(self.names)}"
        return {name: lambda: sa.UniqueConstraint(*self.names, name=op.f(name))}


@dataclass(frozen=True)
class ForeignKey:
    """The key of a column declared in full beside it (``foreign_key``)."""

    column: str
    target: str
    ondelete: str | None

    def columns(self, table: str) -> tuple[sa.Column, ...]:
        return ()

    def keys(self, table: str) -> Keys:
        return Ref(self.column, self.target, False, self.ondelete).keys(table)


@dataclass(frozen=True)
class NamedIndex:
    """An index over several columns, or with a name of its own (``named_index``)."""

    name: str
    names: tuple[str, ...]
    unique: bool

    def columns(self, table: str) -> tuple[sa.Column, ...]:
        return ()

    def keys(self, table: str) -> Keys:
        return {}


Part = Ref | Encrypted | Unique | ForeignKey | NamedIndex
Item = sa.Column | Part


def ref(column: str, target: str, *, nullable: bool = False, ondelete: str | None = None) -> Ref:
    """An integer ``column`` referencing ``target`` (a table's ``id``, or ``table.column``)."""
    return Ref(column, target, nullable, ondelete)


def tenant(*, nullable: bool = False) -> Ref:
    """``tenant_id`` referencing ``tenants``."""
    return Ref("tenant_id", "tenants", nullable, None)


def encrypted(column: str, *, nullable: bool) -> Encrypted:
    """A text column encrypted under its ``<table>.<column>`` context (``pii.EncryptedText``)."""
    return Encrypted(column, nullable)


def unique(*columns: str, name: str | None = None) -> Unique:
    return Unique(columns, name)


def opening_place() -> list[Item]:
    """Where an analytics row stands: ``id``, its tenant and its opening (rows go with it)."""
    return [id_column(), tenant(), ref("opening_id", "openings", ondelete="CASCADE")]


def rollup_place() -> list[Item]:
    """Where a rollup's sum stands: an opening and a day (grain "d"), a month ("m", its 1st
    day) or a year ("y", January 1st)."""
    return [
        *opening_place(),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
    ]


def foreign_key(column: str, target: str, *, ondelete: str | None = None) -> ForeignKey:
    """A key on ``column`` (declared as an ``sa.Column`` of its own) referencing ``target``."""
    return ForeignKey(column, target, ondelete)


def named_index(name: str, *columns: str, unique: bool = False) -> NamedIndex:
    """The index ``name`` over ``columns``, made with the table."""
    return NamedIndex(name, columns, unique)


def create_table(
    name: str,
    *items: Item,
    primary_key: tuple[str, ...] = ("id",),
    index: tuple[str, ...] = (),
    unique_index: tuple[str, ...] = (),
    in_order: bool = False,
) -> None:
    """``op.create_table`` for a table whose name is stated once.

    Columns keep the order given. The primary key (``id`` unless named; ``()`` for none), the
    keys ``ref`` columns bring and ``unique`` constraints are named by the naming convention
    and made in the order of their names, the order autogenerate wrote them in (SQLite keeps
    it in the table's definition). ``index`` and ``unique_index`` add one single-column index
    per column, named ``ix_<table>_<column>``; they and any ``named_index`` are made after the
    table, again in the order of their names. ``in_order`` makes keys and indexes in the order
    given instead, as the revisions written by hand did (SQLite keeps that order too).
    """
    columns: list[sa.Column] = []
    keys: Keys = {}
    if primary_key:
        keys[f"pk_{name}"] = lambda: pk(name, *primary_key)
    indexes = [NamedIndex(f"ix_{name}_{column}", (column,), False) for column in index]
    indexes += [NamedIndex(f"ix_{name}_{column}", (column,), True) for column in unique_index]
    for item in items:
        if isinstance(item, sa.Column):
            columns.append(item)
            continue
        columns.extend(item.columns(name))
        keys.update(item.keys(name))
        if isinstance(item, NamedIndex):
            indexes.append(item)
    key_order = list(keys) if in_order else sorted(keys)
    op.create_table(name, *columns, *(keys[key]() for key in key_order))
    if not in_order:
        indexes.sort(key=lambda made: made.name)
    if indexes:
        with op.batch_alter_table(name, schema=None) as batch_op:
            for made in indexes:
                batch_op.create_index(op.f(made.name), list(made.names), unique=made.unique)


def drop_tables(*names: str) -> None:
    """Drop the tables in the order given (their indexes go with them)."""
    for name in names:
        op.drop_table(name)
