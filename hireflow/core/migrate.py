"""Apply database migrations programmatically (``hireflow migrate`` and ``hireflow serve``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(
    url: str | None = None, connection: Connection | None = None, *, target: str = "head"
) -> None:
    """Bring the schema to ``target`` (the newest revision by default; idempotent)."""
    config = alembic_config(url)
    if connection is not None:
        config.attributes["connection"] = connection
    # One linear history: a database at any earlier revision upgrades in order (parallel
    # domain branches broke that, see docs/architecture.md).
    command.upgrade(config, target)


def revision(message: str, url: str) -> None:
    """Autogenerate a new revision from the models (developers only)."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
