"""``hireflow analytics-rollups``: bring the dashboard rollups up to date now, or with
``--rebuild`` recompute them from the source tables (after a restore, say). Does what the
worker's task does, so it is safe next to running workers."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from hireflow.analytics import (
    rollups,
    rollups_flow,
    rollups_hired,
    rollups_review,
    top_scores,
    validity_sample,
)
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
    (rollups_flow.rebuild if rebuild else rollups_flow.refresh)(database)
    top_scores.refresh(database, rebuild=rebuild)
    (rollups_review.rebuild if rebuild else rollups_review.refresh)(database)
    (rollups_hired.rebuild if rebuild else rollups_hired.refresh)(database)
    what = "Rebuilt up to" if rebuild else "Folded in"
    console.print(
        f"[green]{what}[/green] {done['applications']:,} applications, "
        f"{done['moves']:,} stage moves."
    )


def validity_sample_command(
    opening: Annotated[int, typer.Option("--opening", help="The opening's id")],
    people: Annotated[int, typer.Option("--people", min=10, max=5000)] = 200,
    hired_share: Annotated[float, typer.Option("--hired-share", min=0.05, max=1.0)] = 0.4,
    r: Annotated[float, typer.Option("--r", min=-0.95, max=0.95)] = 0.5,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """Write generated applicants and hires with outcomes for one opening of a TRIAL company,
    to try the predictive validity page (never on a company in use)."""
    upgrade(get_settings().database_url)
    with get_database().session() as session:
        found = validity_sample.generate(
            session, opening, people=people, hired_share=hired_share, r=r, seed=seed
        )
    console.print(
        f"[green]Wrote[/green] {found.assessed} assessed, {found.hired} hired "
        f"(ratings follow {found.predictive!r} with r = {r} among all assessed)."
    )


def register(app: typer.Typer) -> None:
    """Add analytics' commands to the ``hireflow`` command."""
    app.command("analytics-rollups")(rollups_command)
    app.command("validity-sample")(validity_sample_command)
