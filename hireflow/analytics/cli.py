"""``hireflow analytics-rollups``: bring the dashboard rollups up to date now, or with
``--rebuild`` recompute them from the source tables (after a restore, say). Does what the
worker's task does, so it is safe next to running workers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hireflow.analytics import rollups
from hireflow.core.db import get_database
from hireflow.core.migrate import upgrade
from hireflow.core.settings import get_settings

console = Console()


def rollups_command(
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Recompute from the source tables")
    ] = False,
) -> None:
    """Bring the analytics rollups up to date (or rebuild them)."""
    upgrade(get_settings().database_url)
    database = get_database()
    done = rollups.rebuild(database) if rebuild else rollups.refresh(database)
    what = "Rebuilt up to" if rebuild else "Folded in"
    console.print(
        f"[green]{what}[/green] {done['applications']:,} applications, "
        f"{done['moves']:,} stage moves."
    )


def register(app: typer.Typer) -> None:
    """Add analytics' commands to the ``hireflow`` command."""
    app.command("analytics-rollups")(rollups_command)
