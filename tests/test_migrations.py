"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from hireflow.core.db import Base
from hireflow.core.migrate import alembic_config


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], "run scripts to add a migration:\n" + "\n".join(map(str, differences))


def test_one_history_without_dangling_heads():
    script = ScriptDirectory.from_config(alembic_config())
    heads = script.get_heads()
    # Parallel domain branches are allowed while work is in flight, but each must descend
    # from the first revision (no orphan histories).
    for head in heads:
        chain = [rev.revision for rev in script.iterate_revisions(head, "base")]
        assert chain[-1] == "0001", chain
