"""Operator commands for scheduling and notifications.

``hireflow outbox`` shows the delivery state of every channel and, with ``--deliver``, runs the
periodic delivery sweep once (retries that are due, claims left by stopped workers);
``hireflow reminders`` turns due reminders into messages now. Both do exactly what the Celery
beat tasks do, so they are safe next to running workers.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from hireflow.core.db import get_database
from hireflow.core.migrate import upgrade
from hireflow.core.settings import get_settings
from hireflow.notifications.delivery import deliver_due
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.reminders import dispatch_due_reminders

console = Console()


def outbox_command(
    deliver: Annotated[bool, typer.Option("--deliver", help="Deliver what is due now")] = False,
) -> None:
    """Messages per channel and status; optionally deliver the due ones."""

    settings = get_settings()
    upgrade(settings.database_url)
    database = get_database()
    if deliver:
        counts = deliver_due(database, settings)
        console.print(f"[green]Delivery sweep:[/green] {counts or 'nothing was due'}")
    with database.session() as session:
        rows = session.execute(
            select(OutboxMessage.channel, OutboxMessage.status, func.count())
            .group_by(OutboxMessage.channel, OutboxMessage.status)
            .order_by(OutboxMessage.channel, OutboxMessage.status)
        ).all()
    table = Table("channel", "status", "messages")
    for channel, status, number in rows:
        colour = "red" if status == "failed" else "yellow" if status in ("retry", "sending") else ""
        table.add_row(channel, f"[{colour}]{status}[/{colour}]" if colour else status, str(number))
    console.print(table if rows else "The outbox is empty.")


def reminders_command() -> None:
    """Dispatch the reminders that are due (each exactly once, as the periodic task does)."""

    settings = get_settings()
    upgrade(settings.database_url)
    counts = dispatch_due_reminders(get_database(), settings)
    console.print(f"[green]Reminders:[/green] {counts or 'none were due'}")


def register(app: typer.Typer) -> None:
    """Add the scheduling and notification commands to ``hireflow``."""
    app.command("outbox")(outbox_command)
    app.command("reminders")(reminders_command)
