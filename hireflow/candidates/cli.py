"""``hireflow import resumes DIR|ZIP --opening ID`` and ``hireflow reindex-candidates``."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import select

from hireflow.candidates import schemas, service
from hireflow.candidates.indexing import index_missing
from hireflow.core.db import get_database
from hireflow.core.errors import AppError
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant

console = Console()
SUFFIXES = (".pdf", ".docx", ".txt", ".zip", ".doc")


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in SUFFIXES and not p.name.startswith(".")
    )


def _items(paths: list[Path], root: Path, limit: int) -> Iterator[tuple[str, bytes | None, int]]:
    """(name shown, bytes or None when over the limit, size) per file."""
    for path in paths:
        name = str(path.relative_to(root)) if root.is_dir() else path.name
        size = path.stat().st_size
        zip_limit = 200 * 1024 * 1024
        if size > (zip_limit if path.suffix.lower() == ".zip" else limit):
            yield name, None, size
        else:
            yield name, path.read_bytes(), size


def import_resumes_command(
    path: Annotated[
        Path, typer.Argument(help="A folder of resumes (searched recursively) or a zip")
    ],
    opening: Annotated[int, typer.Option("--opening", help="The opening the resumes apply to")],
    source: Annotated[str, typer.Option(help="Where the resumes came from")] = "import",
    report: Annotated[
        Path | None, typer.Option(help="Write every file's result to this JSON file")
    ] = None,
) -> None:
    """Take in resumes (PDF, DOCX, TXT; zips are opened) for an opening, one result per file.

    A bad file is reported and the others are still taken in; the same person is merged.
    """
    if not path.exists():
        console.print(f"[red]No such file or folder:[/red] {path}")
        raise typer.Exit(2)
    limit = get_settings().max_upload_bytes
    paths = _files(path)
    if not paths:
        console.print(f"[yellow]No resumes (.pdf, .docx, .txt, .zip) in[/yellow] {path}")
        raise typer.Exit(1)
    results: list[schemas.IntakeResult] = []
    with get_database().session() as session:
        found = session.get(Opening, opening)
        if found is None:
            console.print(f"[red]No opening with id {opening}.[/red]")
            raise typer.Exit(2)
        importer = service.Importer("resume-import", found.tenant_id)
        try:
            service.intake_opening(session, importer, opening)
        except AppError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        columns = (
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            TextColumn("{task.fields[last]}"),
        )
        with Progress(*columns, console=console) as progress:
            task = progress.add_task("resumes", total=len(paths), last="")
            for name, data, size in _items(paths, path, limit):
                if data is None:
                    batch = [service.oversize_result(name, size, limit)]
                else:
                    batch = list(
                        service.intake_files(
                            session,
                            importer,
                            opening,
                            [(name, data)],
                            source=source,
                            max_bytes=limit,
                        )
                    )
                results.extend(batch)
                last = batch[-1]
                progress.update(
                    task,
                    advance=1,
                    last=f"{name[:40]} {'✓' if last.ok else '✗ ' + (last.code or '')}",
                )
    _summary(results)
    if report is not None:
        report.write_text(
            json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=1),
            encoding="utf-8",
        )
        console.print(f"Report written to {report}")
    if results and not any(r.ok for r in results):
        raise typer.Exit(1)


def _summary(results: list) -> None:
    accepted = [r for r in results if r.ok]
    merged = [r for r in accepted if r.merged]
    console.print(
        f"[green]{len(accepted)} taken in[/green] ({len(accepted) - len(merged)} new candidates, "
        f"{len(merged)} merged with existing ones), "
        f"[red]{len(results) - len(accepted)} refused[/red]."
    )
    refused = Counter(r.code for r in results if not r.ok)
    if refused:
        table = Table("code", "files", "example", "message")
        for code, count in refused.most_common():
            example = next(r for r in results if r.code == code)
            table.add_row(
                code or "", str(count), example.filename[:50], example.message.get("en", "")
            )
        console.print(table)


def reindex_command(
    tenant: Annotated[str | None, typer.Option(help="Only this company (short name)")] = None,
) -> None:
    """Build search documents for candidates that have none (rows created outside the intake)."""
    with get_database().session() as session:
        tenant_id = None
        if tenant:
            tenant_id = session.scalars(select(Tenant.id).where(Tenant.slug == tenant)).first()
            if tenant_id is None:
                console.print(f"[red]No company {tenant!r}.[/red]")
                raise typer.Exit(2)
        count = index_missing(session, tenant_id)
    console.print(f"{count} candidates indexed.")


def _import_group(app: typer.Typer) -> typer.Typer:
    """The shared ``hireflow import`` group (other domains may add their own imports to it)."""
    for info in app.registered_groups:
        if info.name == "import" and info.typer_instance is not None:
            return info.typer_instance
    group = typer.Typer(help="Import data into Hireflow.", no_args_is_help=True)
    app.add_typer(group, name="import")
    return group


def register(app: typer.Typer) -> None:
    """Add the candidates' commands to ``hireflow``."""
    _import_group(app).command("resumes")(import_resumes_command)
    app.command("reindex-candidates")(reindex_command)
