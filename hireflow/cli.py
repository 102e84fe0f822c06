"""The ``hireflow`` command: serve, worker, migrate, demo, createtenant, createuser, and more."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table

if TYPE_CHECKING:
    from hireflow.core.settings import Settings

app = typer.Typer(
    help="Hireflow: AI interviews fused with an HR system.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
console = Console()


def _settings():
    from hireflow.core.settings import ConfigurationError, get_settings

    try:
        return get_settings()
    except ConfigurationError as exc:
        console.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _migrate_now() -> None:
    from hireflow.core.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)


@app.command()
def migrate() -> None:
    """Apply database migrations (safe to run repeatedly)."""
    _migrate_now()
    console.print("[green]Database is up to date.[/green]")


@app.command()
def demo() -> None:
    """Create the demo group company and print how to sign in as each role."""
    settings = _settings()
    if settings.is_production:
        console.print("[red]Refusing to create demo accounts in production.[/red]")
        raise typer.Exit(2)
    _migrate_now()
    _print_demo()


def _print_demo() -> None:
    from hireflow.core.db import get_database
    from hireflow.demo import DEMO_PASSWORD, create_demo

    with get_database().session() as session:
        tenant, accounts, created = create_demo(session)
        name = tenant.name
    console.print(
        f"[green]{'Created' if created else 'Found'} demo company[/green] {name} "
        f"(every account's password: [bold]{DEMO_PASSWORD}[/bold])",
        soft_wrap=True,
    )
    print_accounts(accounts, console)


ACCOUNT_COLUMNS = ("role", "email", "name", "language", "time zone")


def print_accounts(accounts: list, out: Console) -> None:
    """The demo accounts, never cut off: a table on a terminal (role and e-mail kept whole,
    the rest wrapped), plain aligned lines when the output goes to a pipe or a log file,
    where rich would otherwise assume 80 columns and shorten cells to "hiring_ma…"."""
    rows = [(a.role, a.email, a.name, a.language, a.timezone) for a in accounts]
    if not out.is_terminal:
        widths = [max(cell_len(r[i]) for r in [ACCOUNT_COLUMNS, *rows]) for i in range(5)]
        for row in [ACCOUNT_COLUMNS, *rows]:
            cells = [v + " " * (w - cell_len(v)) for v, w in zip(row, widths, strict=True)]
            out.print("  ".join(cells).rstrip(), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table(*ACCOUNT_COLUMNS)
    for column in table.columns:
        column.overflow = "fold"
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    for row in rows:
        table.add_row(*row)
    out.print(table)


@app.command()
def createtenant(
    name: Annotated[str, typer.Argument(help="Company name, e.g. '华星集团'")],
    slug: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits, dashes")],
    region: Annotated[str, typer.Option(help="Data region: cn, eu, us, sg")] = "cn",
) -> None:
    """Create a group company (tenant)."""
    from hireflow.core.db import get_database
    from hireflow.core.errors import AppError
    from hireflow.org import service

    _migrate_now()
    with get_database().session() as session:
        try:
            tenant = service.create_tenant(session, name, slug, region=region)
        except AppError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"[green]Created company {tenant.name} ({tenant.slug}).[/green]")


@app.command()
def createuser(
    email: Annotated[str, typer.Option(help="Sign-in email")],
    name: Annotated[str, typer.Option(help="Display name")],
    tenant: Annotated[str, typer.Option(help="Company short name (slug)")],
    role: Annotated[list[str], typer.Option(help="Role; repeat for several")] = ["hr_admin"],  # noqa: B006
    language: Annotated[str, typer.Option(help="zh-CN, en or ja")] = "zh-CN",
    timezone: Annotated[str, typer.Option(help="IANA time zone")] = "Asia/Shanghai",
    password: Annotated[
        str | None, typer.Option(help="Password (prompted when omitted)", hide_input=True)
    ] = None,
) -> None:
    """Create a user with one or more company-wide roles."""
    from pydantic import ValidationError
    from sqlalchemy import select

    from hireflow.core.db import get_database
    from hireflow.core.errors import AppError
    from hireflow.org import schemas, service
    from hireflow.org.models import Tenant

    _migrate_now()
    if password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        data = schemas.UserCreate(
            email=email,
            name=name,
            password=password,
            language=language,
            timezone=timezone,
            roles=[schemas.RoleGrantIn(role=r) for r in role],
        )
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"])
            console.print(f"[red]{field}: {error['msg']}[/red]")
        raise typer.Exit(1) from exc
    with get_database().session() as session:
        found = session.scalars(select(Tenant).where(Tenant.slug == tenant)).first()
        if found is None:
            console.print(f"[red]No company with short name {tenant!r}; create it first.[/red]")
            raise typer.Exit(1)
        try:
            user = service.create_user(session, None, data, tenant_id=found.id)
        except AppError as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from exc
        console.print(f"[green]Created user #{user.id} {user.email}.[/green]")


def _worker_command(settings, concurrency: int, beat: bool, queues: str = "") -> list[str]:
    from hireflow.core.tasks import DEFAULT_QUEUE, GENERAL_QUEUES, worker_command

    # every queue but the sandbox; one queue when tasks are not routed (polling fewer
    # queues matters on the embedded SQLite broker, which polls each in turn)
    everything = ",".join(GENERAL_QUEUES) if settings.separate_queues else DEFAULT_QUEUE
    command = worker_command(queues or everything, concurrency)
    if beat:
        command += ["--beat", "--schedule", str(Path(settings.data_dir) / "celerybeat-schedule")]
    return command


@app.command()
def worker(
    concurrency: Annotated[int, typer.Option(min=1, max=64, help="Tasks at once per queue")] = 2,
    beat: Annotated[bool, typer.Option(help="Also run the periodic scheduler")] = False,
    queues: Annotated[
        str,
        typer.Option(
            help="Queues, comma-separated (hireflow, scoring, speech, notifications, sandbox): "
            "one worker process per queue. Default: every queue but the sandbox, in one process."
        ),
    ] = "",
) -> None:
    """Run a standalone Celery worker (production: one or more per machine)."""
    from hireflow.core.tasks import parse_queues

    settings = _settings()
    _metrics_directory()
    try:
        names = parse_queues(queues) if queues else []
    except ValueError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if len(names) <= 1:
        command = _worker_command(settings, concurrency, beat, ",".join(names))
        os.execv(sys.executable, command)  # noqa: S606
    commands = [
        _worker_command(settings, concurrency, beat and i == 0, name)
        for i, name in enumerate(names)
    ]
    raise typer.Exit(_run_all(commands))


def _run_all(commands: list[list[str]]) -> int:
    """Run one process per command until one ends or this process is asked to stop; then
    stop the others (SIGTERM: each finishes its task first). The exit code of the first."""
    import signal
    import time

    from hireflow.core.worker import die_with_parent

    processes = [subprocess.Popen(c, preexec_fn=die_with_parent) for c in commands]  # noqa: S603
    stopping: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: stopping.append(signum))
    try:
        while not stopping and all(p.poll() is None for p in processes):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        ended = [p.returncode for p in processes if p.poll() is not None]
        for process in processes:
            if process.poll() is None:
                process.terminate()
        for process in processes:
            process.wait()
    return 0 if stopping or not ended else (ended[0] or 1)


@app.command()
def beat() -> None:
    """Run the periodic scheduler (Celery beat): exactly one per deployment."""
    settings = _settings()
    os.execv(  # noqa: S606
        sys.executable,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "hireflow.core.tasks:celery_app",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(Path(settings.data_dir) / "celerybeat-schedule"),
        ],
    )


def _metrics_directory() -> None:
    """Several processes (``serve --workers N``, one worker per queue) count into the one
    directory ``PROMETHEUS_MULTIPROC_DIR`` names: create it if it is missing."""
    from hireflow.core.settings import metrics_directory

    directory = metrics_directory()
    if directory is not None:
        directory.mkdir(parents=True, exist_ok=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535)] = 8000,
    demo: Annotated[bool, typer.Option("--demo", help="Create the demo company first")] = False,
    workers: Annotated[int, typer.Option(min=1, max=32, help="Web processes")] = 1,
    embedded_worker: Annotated[
        bool | None, typer.Option("--embedded-worker/--no-embedded-worker")
    ] = None,
) -> None:
    """Migrate, then start the web server (and an embedded task worker on the local broker)."""
    import uvicorn

    settings = _settings()
    _metrics_directory()
    base_url = listening_base_url(settings, host, port)
    if base_url is not None:
        # Links in e-mails must reach this server: the embedded worker renders them, and
        # it inherits this environment.
        from hireflow.core.settings import export_environment

        export_environment("HIREFLOW_BASE_URL", base_url)
        settings = _settings()
    _migrate_now()
    if demo:
        if settings.is_production:
            console.print("[red]Refusing to create demo accounts in production.[/red]")
            raise typer.Exit(2)
        _print_demo()
    local_broker = not settings.broker_url.startswith(("redis://", "rediss://", "amqp://"))
    run_worker = (
        embedded_worker
        if embedded_worker is not None
        else (settings.embedded_worker and local_broker)
    )
    supervisor = speech = None
    if run_worker:
        supervisor = _supervise_worker(settings)
        console.print(
            f"[dim]Embedded task worker started (pid {supervisor.process.pid}); it is "
            "restarted if it stops.[/dim]"
        )
        speech = _supervise_speech_worker()
    console.print(f"[green]Hireflow is running at http://{host}:{port}[/green]")
    if base_url is not None and host in ("0.0.0.0", "::"):  # noqa: S104
        console.print(
            f"[yellow]Links in e-mails point to {base_url}; set HIREFLOW_BASE_URL to the "
            "address candidates use to reach this server.[/yellow]"
        )
    try:
        uvicorn.run(
            "hireflow.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            proxy_headers=True,
            log_level="warning",
            # open live streams (server-sent events) must not hold a shutdown for ever
            timeout_graceful_shutdown=5,
            # longer than the idle timeouts of browsers' and proxies' pools (60 s on common
            # load balancers): a client must not send on a connection the server is closing
            timeout_keep_alive=65,
        )
    finally:
        for running in (speech, supervisor):
            if running is not None:
                running.stop(timeout=15)


def _supervise_worker(settings: Settings):
    """Start the embedded worker under supervision: restarted when it exits unasked (kill
    -9, a crash), its starts noted for ``/healthz``, aged queued work logged as an alert."""
    from hireflow.core.db import get_database
    from hireflow.core.logging import log_error
    from hireflow.core.worker import (
        Supervisor,
        die_with_parent,
        health,
        log_alerts,
        register_start,
    )

    def start(restarts: int) -> subprocess.Popen[bytes]:
        process = subprocess.Popen(  # noqa: S603
            _worker_command(settings, 1, beat=True), preexec_fn=die_with_parent
        )
        try:
            with get_database().session() as session:
                register_start(session, process.pid, restarts)
        except Exception as exc:  # health reporting must not stop the worker starting
            log_error(
                logging.getLogger("hireflow.worker"),
                "could not note the start",
                exc,
                event="worker.start_unrecorded",
                level=logging.WARNING,
            )
        return process

    def check() -> None:
        with get_database().session() as session:
            log_alerts(health(session, settings.queue_alert_seconds))

    return Supervisor(start, on_tick=check).begin()


def _supervise_speech_worker():
    """The embedded speech worker (queue ``speech``: live rooms' utterances), apart from the
    task worker so that a transcription never waits behind an interview's scoring."""
    from hireflow.core.worker import Supervisor, die_with_parent
    from hireflow.live.cli import speech_worker_command

    def start(_restarts: int) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603
            speech_worker_command(1), preexec_fn=die_with_parent
        )

    return Supervisor(start).begin()


def listening_base_url(settings: Settings, host: str, port: int) -> str | None:
    """The address links in e-mails should use when nobody configured one: the host and port
    this server listens on (``0.0.0.0`` and ``::`` become this machine's loopback address,
    the only one certain to reach it). ``None`` when ``HIREFLOW_BASE_URL`` is set."""
    if "base_url" in settings.model_fields_set:
        return None
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - a listening address, not a binding
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@app.command()
def score(
    interview: Annotated[Path, typer.Argument(help="Interview JSON: questions and answers")],
    model: Annotated[Path, typer.Option(help="Competency model YAML/JSON")],
    format: Annotated[str, typer.Option(help="json or html")] = "json",
    output: Annotated[Path | None, typer.Option(help="Write here instead of stdout")] = None,
) -> None:
    """Score an interview against a competency model and print the report."""
    from hireflow.scoring.cli_score import score_command

    raise typer.Exit(score_command(interview, model, format, output, settings=_settings()))


@app.command()
def questions(
    job: Annotated[Path, typer.Option(help="Job YAML: title, description, job_type, skills")],
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    budget: Annotated[int, typer.Option(help="Interview length in minutes", min=5)] = 30,
    format: Annotated[str, typer.Option(help="table or json")] = "table",
    model: Annotated[
        Path | None, typer.Option(help="Competency model or dictionary (default: presets)")
    ] = None,
) -> None:
    """Generate a structured interview plan for a job, with the reason for each question."""
    from hireflow.scoring.cli_questions import questions_command

    questions_command(job, lang, budget, format, model)


def _register_domain_commands() -> None:
    """Each domain may contribute commands through ``hireflow.<domain>.cli.register(app)``."""
    from hireflow.discovery import domain_modules

    for module in domain_modules("cli"):
        module.register(app)


_register_domain_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
