"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Dialect, Inspector, create_engine, inspect
from sqlalchemy.exc import CompileError
from sqlalchemy.pool import NullPool
from sqlalchemy.types import TypeEngine

from hireflow.core.db import Base, make_engine
from hireflow.core.migrate import alembic_config, upgrade


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "run scripts to add a migration:\n" + "\n".join(map(str, differences))


def test_one_linear_history():
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1, "join parallel migrations into one history"
    revisions = list(script.walk_revisions())
    assert revisions[-1].revision == "0001"
    for rev in revisions:
        assert not rev.branch_labels and not rev.dependencies, rev.revision


@pytest.mark.parametrize(
    "start",
    [rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()],
)
def test_upgrade_from_every_revision(tmp_path, start):
    """A database left at any revision reaches head and matches the models."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    command.upgrade(alembic_config(url), start)
    upgrade(url)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert (
                list(context.get_current_heads())
                == ScriptDirectory.from_config(alembic_config()).get_heads()
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


# Revisions are history: a database built from them must come out the same whoever builds it
# and whenever, so rewriting an old revision (sharing its columns through
# hireflow/migrations/columns.py, say) must leave the schema each revision builds unchanged.
# migration_schemas.txt records a digest of that schema per backend and revision.
SCHEMAS = Path(__file__).with_name("migration_schemas.txt")


def describe_schema(connection: Connection) -> str:
    """The schema as text, in an order only the schema decides: each table's columns in their
    order (type as the database reports it, nullability, server default), then its keys,
    unique constraints, checks and indexes, sorted."""
    inspector = inspect(connection)
    lines = []
    for table in sorted(inspector.get_table_names()):
        lines.append(f"table {table}")
        for column in inspector.get_columns(table):
            null = "null" if column["nullable"] else "not null"
            kind = _type_name(column["type"], connection.dialect)
            lines.append(f"  column {column['name']} {kind} {null} default {column['default']}")
        lines.extend(sorted(_constraints(inspector, table)))
    return "\n".join(lines) + "\n"


def _type_name(kind: TypeEngine, dialect: Dialect) -> str:
    try:
        return str(kind.compile(dialect))
    except CompileError:  # a column SQLite knows no type of (added by hand in a revision)
        return type(kind).__name__


def _constraints(inspector: Inspector, table: str) -> Iterator[str]:
    key = inspector.get_pk_constraint(table)
    yield f"  primary key {key['name']} {key['constrained_columns']}"
    for fk in inspector.get_foreign_keys(table):
        yield (
            f"  foreign key {fk['name']} {fk['constrained_columns']} -> {fk['referred_table']}"
            f" {fk['referred_columns']} {sorted(fk['options'].items())}"
        )
    for uq in inspector.get_unique_constraints(table):
        yield f"  unique {uq['name']} {uq['column_names']}"
    for check in inspector.get_check_constraints(table):
        yield f"  check {check['name']} {check['sqltext']}"
    for index in inspector.get_indexes(table):
        options = sorted((k, v) for k, v in index.get("dialect_options", {}).items() if v)
        unique = "unique " if index["unique"] else ""
        yield f"  {unique}index {index['name']} {index['column_names']} {options}"


def _recorded(backend: str) -> dict[str, str]:
    """``"up <revision>"`` / ``"down <revision>"`` -> digest, for ``backend``."""
    recorded = {}
    for line in SCHEMAS.read_text().splitlines():
        if line and not line.startswith("#"):
            where, step, revision, digest = line.split()
            if where == backend:
                recorded[f"{step} {revision}"] = digest
    return recorded


def walk_schemas(url: str) -> dict[str, str]:
    """The schema after each step of a walk through the revisions, one at a time: up from an
    empty database to head (``"up <revision>"``), then down to the first (``"down <revision>"``:
    what downgrading to it leaves, not always what upgrading built: 0009 keeps personal data
    encrypted)."""
    script = ScriptDirectory.from_config(alembic_config())
    revisions = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    config = alembic_config(url)
    engine = make_engine(url, poolclass=NullPool)
    steps = [("up", rev) for rev in revisions] + [("down", rev) for rev in revisions[-2::-1]]
    schemas = {}
    try:
        for step, revision in steps:
            (command.upgrade if step == "up" else command.downgrade)(config, revision)
            with engine.connect() as connection:
                schemas[f"{step} {revision}"] = describe_schema(connection)
    finally:
        engine.dispose()
    return schemas


def test_each_revision_builds_the_schema_it_always_did(backend, empty_database_url):
    """Every revision, up and down, leaves the schema recorded for it."""
    schemas = walk_schemas(empty_database_url)
    digests = {step: hashlib.sha256(text.encode()).hexdigest() for step, text in schemas.items()}
    recorded = _recorded(backend)
    changed = [step for step in digests if step in recorded and recorded[step] != digests[step]]
    assert not changed, f"these steps now leave another schema than they did: {changed}"
    new = [f"{backend} {step} {digest}" for step, digest in digests.items() if step not in recorded]
    assert not new, f"record the new steps in {SCHEMAS.name}:\n" + "\n".join(new)
