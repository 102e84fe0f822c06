"""``hireflow sandbox-worker`` (runs untrusted code) and ``hireflow coding-check`` (a sandbox
host's self-test: toolchains, bubblewrap, seccomp, cgroups, every reference solution)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hireflow.coding.languages import LANGUAGE_KEYS, available_languages
from hireflow.coding.questions import bank
from hireflow.coding.runner import QUEUE, CodeRunner
from hireflow.coding.sandbox import PROCESSES_ENV, Sandbox, SandboxError
from hireflow.core.settings import export_environment
from hireflow.core.tasks import worker_command

console = Console()


def sandbox_worker_command(concurrency: int) -> list[str]:
    """The Celery worker that consumes only the ``sandbox`` queue."""
    command = worker_command(QUEUE, concurrency)
    command += ["--hostname", f"sandbox@{os.uname().nodename}"]
    return command


def _sandbox_or_exit(problem: str) -> Sandbox:
    try:
        return Sandbox()
    except SandboxError as exc:
        console.print(f"[red]{problem}:[/red] {exc}")
        raise typer.Exit(2) from exc


def sandbox_worker(
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Submissions graded at once (default: cores)")
    ] = 0,
) -> None:
    """Run a worker that grades coding submissions in the sandbox (queue ``sandbox``)."""
    sandbox = _sandbox_or_exit("This host cannot run the sandbox")
    console.print(f"[dim]Sandbox ready (cgroup: {sandbox.cgroup_version}).[/dim]")
    workers = concurrency or len(os.sched_getaffinity(0)) or 1
    export_environment(PROCESSES_ENV, str(workers))  # the pool processes keep to a CPU each
    os.execv(sys.executable, sandbox_worker_command(workers))  # noqa: S606


def coding_check(
    references: Annotated[
        bool, typer.Option(help="Also grade every reference solution of the bank")
    ] = True,
) -> None:
    """Check this host can run the code sandbox, and show which languages it offers."""
    sandbox = _sandbox_or_exit("Sandbox unavailable")
    console.print(f"cgroup memory cap: [bold]{sandbox.cgroup_version}[/bold]")
    languages = available_languages()
    table = Table("language", "toolchain")
    for key in LANGUAGE_KEYS:
        lang = languages.get(key)
        table.add_row(key, (lang.compile or lang.run)[0] if lang else "[yellow]not installed")
    console.print(table)
    if not references:
        return
    runner = CodeRunner(sandbox)
    failed = 0
    for question in bank().values():
        for key in question.languages:
            if key not in languages:
                continue
            result = runner.grade(question, key, question.reference[key])
            ok = result.status == "accepted" and result.efficiency.verdict == "efficient"
            failed += not ok
            mark = "[green]ok[/green]" if ok else f"[red]{result.status}[/red]"
            console.print(f"{question.id:20} {key:11} {mark} {result.passed}/{result.total}")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("sandbox-worker")(sandbox_worker)
    app.command("coding-check")(coding_check)
