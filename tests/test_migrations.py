"""The migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from hireflow.core.db import Base
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
