"""Record commands: verify, checkpoint, backup, restore, migrate-in, rotate-keys, retention.

Long work shows Rich progress bars; failures print one clear sentence and exit non-zero
(1: the check found problems; 2: the command could not run, e.g. a wrong key or a bad file).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

console = Console()


@contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """A ``step(description, total) -> advance(n)`` function drawing Rich progress bars."""
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as progress:

        def step(description: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(description, total=max(total, 0))

            def advance(count: int) -> None:
                progress.advance(task, count)

            return advance

        yield step


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/red]")
    return typer.Exit(code)


def _ready(*, keys: bool = True) -> Any:
    """Settings, a migrated database and (unless ``keys`` is False) a checked keyring."""
    from hireflow.core.crypto import CryptoConfigError
    from hireflow.core.db import get_database
    from hireflow.core.settings import ConfigurationError, get_settings

    try:
        settings = get_settings()
    except ConfigurationError as exc:
        raise _fail(f"Configuration error: {exc}") from exc
    if keys:
        from hireflow.records.keys import check_keyring

        try:
            with get_database().session() as session:
                check_keyring(session)
        except CryptoConfigError as exc:
            raise _fail(f"Refusing to start: {exc}") from exc
    return settings


def _tenant_id(session: Any, slug: str | None) -> int | None:
    if slug is None:
        return None
    from sqlalchemy import select

    from hireflow.org.models import Tenant

    tenant_id = session.scalar(select(Tenant.id).where(Tenant.slug == slug))
    if tenant_id is None:
        raise _fail(f"No company with short name {slug!r}.")
    return int(tenant_id)


def verify_command(
    tenant: Annotated[str | None, typer.Option(help="Only this company (short name)")] = None,
    files: Annotated[bool, typer.Option("--files", help="Also check stored files")] = False,
    checkpoints: Annotated[
        bool, typer.Option("--checkpoints/--no-checkpoints", help="Compare with signed checkpoints")
    ] = True,
    checkpoint: Annotated[
        bool, typer.Option("--checkpoint", help="Sign a new checkpoint when all is intact")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Verify every hash chain (records and audit log), heads, checkpoints and files."""
    from hireflow.core.db import get_database, utcnow
    from hireflow.records.checkpoints import checkpoint_dir, load_checkpoints, public_keys
    from hireflow.records.integrity import count_rows, save_run, verify

    settings = _ready(keys=False)
    index = None
    if checkpoints:
        keys = public_keys(settings)
        index = load_checkpoints(checkpoint_dir(settings), keys)
        if not keys and index.files:
            raise _fail(
                "Checkpoint files exist but no public key is configured to check them "
                "(HIREFLOW_CHECKPOINT_PUBLIC_KEYS)."
            )
    started = utcnow()
    with get_database().session() as session:
        tenant_id = _tenant_id(session, tenant)
        total = count_rows(session, tenant_id)
        with _progress() as step:
            advance = step("verifying chains", total)
            file_advance = step("verifying files", 0) if files else None
            report = verify(
                session,
                tenant_id=tenant_id,
                checkpoints=index,
                files=files,
                progress=advance,
                file_progress=file_advance,
            )
        if tenant_id is not None:
            save_run(session, report, tenant_id=tenant_id, trigger="cli", started_at=started)
        _print_integrity_report(report, as_json=as_json)
        if not report.ok:
            raise typer.Exit(1)
        if checkpoint:
            _sign_checkpoint(session, settings)


def _print_integrity_report(report: Any, *, as_json: bool) -> None:
    """The verification's findings, as JSON or as a summary with a table of problems."""
    if as_json:
        print(
            json.dumps(
                {
                    "ok": report.ok,
                    "chains": report.chains,
                    "rows": report.rows,
                    "checkpoints": report.checkpoints,
                    "files": report.files,
                    "problems": [p.as_dict() for p in report.problems],
                },
                ensure_ascii=False,
            )
        )
        return
    console.print(report.summary())
    if report.problems:
        table = Table("chain", "kind", "seq", "what", title="Problems")
        for problem in report.problems[:200]:
            table.add_row(
                problem.chain,
                problem.kind,
                "" if problem.seq is None else str(problem.seq),
                problem.message,
            )
        console.print(table)


def _sign_checkpoint(session: Any, settings: Any) -> None:
    """Sign a checkpoint of the chains just found intact."""
    from hireflow.records.checkpoints import CheckpointConfigError, write_checkpoint

    try:
        written = write_checkpoint(session, settings=settings)
    except CheckpointConfigError as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"[green]Checkpoint signed for {written.chains} chains[/green]"
        + (f": {written.path}" if written.path else " (nothing moved)")
    )


def checkpoint_command(
    everything: Annotated[bool, typer.Option("--all", help="Sign every chain's head")] = False,
    public_key: Annotated[
        bool, typer.Option("--public-key", help="Only print the public key for auditors")
    ] = False,
) -> None:
    """Sign the heads of the chains that moved since the last checkpoint."""
    from hireflow.core.db import get_database
    from hireflow.records.checkpoints import CheckpointConfigError, signing_key, write_checkpoint
    from hireflow.records.signing import public_key_to_str

    settings = _ready(keys=False)
    try:
        if public_key:
            print(public_key_to_str(signing_key(settings)))
            return
        with get_database().session() as session:
            written = write_checkpoint(session, settings=settings, everything=everything)
    except CheckpointConfigError as exc:
        raise _fail(str(exc)) from exc
    if written.path is None:
        console.print("No chain moved since the last checkpoint.")
    else:
        console.print(f"[green]Signed {written.chains} chain heads into {written.path}[/green]")


def backup_command(
    target: Annotated[Path, typer.Argument(help="New directory for the backup")],
) -> None:
    """Back up the database, every stored file and the keys manifest, with checksums."""
    from hireflow.core import pii
    from hireflow.core.db import get_database
    from hireflow.records.backup import BackupError, create_backup
    from hireflow.records.checkpoints import (
        CheckpointConfigError,
        checkpoint_dir,
        write_checkpoint,
    )
    from hireflow.records.storage import regional_storage

    settings = _ready()
    signed = ""
    try:
        # Sign the heads first, so the backup carries a checkpoint of exactly its own history.
        with get_database().session() as session:
            written = write_checkpoint(session, settings=settings)
        if written.path is not None:
            signed = f" Signed a checkpoint of {written.chains} chain heads first."
    except CheckpointConfigError as exc:
        signed = f" No checkpoint signed ({exc})."
    try:
        with _progress() as step:
            result = create_backup(
                get_database().engine,
                target,
                regional_storage(),
                ring=pii.keyring(),
                checkpoints=checkpoint_dir(settings),
                step=step,
            )
    except BackupError as exc:
        raise _fail(f"Backup failed: {exc}") from exc
    console.print(
        f"[green]Backup written to {result.path}[/green]: {result.tables} tables, "
        f"{result.rows} rows, {result.objects} files ({result.bytes} bytes). The master key "
        "is not in it: keep HIREFLOW_MASTER_KEY and the checkpoint key safe separately."
        f"{signed} {len(result.manifest.get('checkpoints', []))} checkpoint files included."
    )


def restore_command(
    source: Annotated[Path, typer.Argument(help="A backup directory")],
    force: Annotated[
        bool, typer.Option("--force", help="Wipe a non-empty database and storage first")
    ] = False,
    check_only: Annotated[
        bool, typer.Option("--check", help="Only verify the backup's checksums")
    ] = False,
) -> None:
    """Restore a backup (checked first); the database must be empty unless --force."""
    from hireflow.core import pii
    from hireflow.core.db import get_database
    from hireflow.records.backup import BackupError, restore_backup, restore_checkpoints
    from hireflow.records.checkpoints import checkpoint_dir, load_checkpoints, public_keys
    from hireflow.records.erasures import replay_erasures
    from hireflow.records.integrity import verify
    from hireflow.records.ledger import ledger_path
    from hireflow.records.storage import regional_storage

    settings = _ready(keys=False)
    try:
        if check_only:
            _check_backup(source)
            return
        if force and not typer.confirm(
            "This deletes everything in the database and the storage first. Continue?",
            default=False,
        ):
            raise typer.Exit(1)
        ring = pii.keyring()
        with _progress() as step:
            result = restore_backup(
                get_database().engine, source, regional_storage(), ring=ring, force=force, step=step
            )
        copied = restore_checkpoints(source, checkpoint_dir(settings))
    except BackupError as exc:
        raise _fail(f"Restore refused: {exc}") from exc
    if not result.checksums_match:
        raise _fail(f"Restored data differs from the backup: {', '.join(result.mismatched)}", 1)
    # Whoever was erased after the backup was made is erased again (the ledger lives
    # outside the database and the backups).
    with get_database().session() as session:
        replayed = replay_erasures(session, ledger_path(settings))
    # The restored history is checked against the checkpoints the backup carries (signed
    # when it was made); later checkpoints of this installation describe rows the backup
    # cannot hold.
    keys = public_keys(settings)
    index = load_checkpoints(source / "checkpoints", keys) if keys else None
    with get_database().session() as session:
        report = verify(session, checkpoints=index, files=True)
    _print_restore(result, copied, replayed, report, checked=bool(keys))


def _check_backup(source: Path) -> None:
    """``restore --check``: verify a backup's checksums and say what it holds."""
    from hireflow.records.backup import verify_backup

    with _progress() as step:
        manifest = verify_backup(source, step=step)
    console.print(
        f"[green]Backup intact[/green]: {len(manifest['tables'])} tables, "
        f"{len(manifest['objects'])} files, made {manifest['created_at']}."
    )


def _print_restore(result: Any, copied: Any, replayed: Any, report: Any, *, checked: bool) -> None:
    """What the restore wrote and what the checks after it found; exits 1 on a problem."""
    if result.migrated:
        console.print(
            f"New database: schema created at {result.migrated[0]} (the backup's), "
            f"upgraded to {result.migrated[-1]} after the rows were restored."
        )
    indexes = "; ".join(
        f"{name}: {found} of {expected} rows" for name, (expected, found) in result.indexes.items()
    )
    console.print(
        f"[green]Restored {result.rows} rows in {result.tables} tables and {result.objects} "
        f"files; checksums match.[/green]\nIndexes rebuilt and counted: {indexes}.\n"
        f"Checkpoint files: {copied.in_backup} in the backup, {copied.copied} copied, "
        f"{copied.present} already present."
        + ("" if checked else " (not checked: no checkpoint public key is configured)")
        + f"\n{replayed.summary()}\n{report.summary()}"
    )
    for problem in report.problems[:50]:
        console.print(f"  • {problem.chain} {problem.kind}: {problem.message}")
    if not result.indexes_ok:
        raise _fail(f"A rebuilt index is incomplete: {indexes}", 1)
    if not report.ok:
        raise typer.Exit(1)


def migrate_in_command(
    mapping: Annotated[Path, typer.Argument(help="Field-mapping file (YAML or JSON)")],
    tenant: Annotated[str, typer.Option(help="Company short name to import into")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Sandbox: do everything, then roll back")
    ] = False,
    report_file: Annotated[
        Path | None, typer.Option("--report", help="Also write the report as JSON here")
    ] = None,
) -> None:
    """Import people and history from an old HR system's CSV/XLSX exports (verified 3 ways).

    The three verifications: counts per type, per-record checksums, one hash over the set.
    """
    from sqlalchemy import select

    from hireflow.core.db import get_database
    from hireflow.org.models import Tenant
    from hireflow.records.import_source import MappingError, load_mapping
    from hireflow.records.migration import run_import

    _ready()
    try:
        parsed = load_mapping(mapping)
    except MappingError as exc:
        console.print("[red]The mapping file cannot be used:[/red]")
        for problem in exc.problems:
            console.print(f"  • {problem}")
        raise typer.Exit(2) from exc
    with get_database().session() as session:
        target = session.scalars(select(Tenant).where(Tenant.slug == tenant)).first()
        if target is None:
            raise _fail(f"No company with short name {tenant!r}.")
        try:
            with _progress() as step:
                report = run_import(session, parsed, target, dry_run=dry_run, step=step)
        except MappingError as exc:
            console.print("[red]The source files do not match the mapping:[/red]")
            for problem in exc.problems:
                console.print(f"  • {problem}")
            raise typer.Exit(2) from exc
    v = report.verification
    assert v is not None
    _print_import_report(report, v, dry_run=dry_run)
    if report_file is not None:
        _write_import_report(report_file, report, v, dry_run=dry_run)
    if not v.ok:
        raise typer.Exit(1)


def _print_import_report(report: Any, v: Any, *, dry_run: bool) -> None:
    """The import's counts, the triple verification and the rows not imported."""
    mode = "[yellow]SANDBOX (rolled back)[/yellow]" if dry_run else "[green]imported[/green]"
    console.print(
        f"{mode}: {report.people_new} new people, {report.history_new} new history entries; "
        f"{report.people_existing} people and {report.history_existing} entries were there "
        f"already; {report.rows_read} rows read in {report.seconds:.1f} s "
        f"({report.records / report.seconds if report.seconds else 0:.0f} records/s)."
    )
    table = Table("verification", "result", "detail", title="Triple verification")
    table.add_row(
        "1. record counts per type",
        "[green]match[/green]" if v.counts_ok else "[red]DIFFER[/red]",
        f"source {v.counts_source} / imported {v.counts_imported}",
    )
    table.add_row(
        "2. per-record checksums",
        "[green]all match[/green]" if v.checksums_ok else "[red]MISMATCH[/red]",
        "; ".join(v.checksum_mismatches[:5]) or f"{sum(v.counts_source.values())} records",
    )
    table.add_row(
        "3. hash over the whole set",
        "[green]equal[/green]" if v.set_hash_ok else "[red]DIFFERENT[/red]",
        f"{v.source_set_hash[:16]}… / {v.imported_set_hash[:16]}…",
    )
    console.print(table)
    if report.errors:
        console.print(f"[yellow]{len(report.errors)} source rows were NOT imported:[/yellow]")
        for error in report.errors[:50]:
            console.print(f"  • {error}")
        if len(report.errors) > 50:
            console.print(f"  … and {len(report.errors) - 50} more (see --report)")
    for conflict in report.conflicts[:20]:
        console.print(f"[yellow]  • {conflict}[/yellow]")


def _write_import_report(path: Path, report: Any, v: Any, *, dry_run: bool) -> None:
    """``--report``: the import's figures and verification as JSON."""
    path.write_text(
        json.dumps(
            {
                "dry_run": dry_run,
                "batch_id": report.batch_id,
                "people_new": report.people_new,
                "history_new": report.history_new,
                "people_existing": report.people_existing,
                "history_existing": report.history_existing,
                "seconds": report.seconds,
                "errors": [str(e) for e in report.errors],
                "conflicts": report.conflicts,
                "counts_source": v.counts_source,
                "counts_imported": v.counts_imported,
                "checksum_mismatches": v.checksum_mismatches,
                "source_set_hash": v.source_set_hash,
                "imported_set_hash": v.imported_set_hash,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )


def rotate_keys_command(
    retire_unreadable_outbox: Annotated[
        bool,
        typer.Option(
            "--retire-unreadable-outbox",
            help="Retire the old keys even though quarantined outbox rows are sealed under "
            "them: those rows then become unreadable for good",
        ),
    ] = False,
) -> None:
    """Move everything under the current master key (old keys listed as previous)."""
    from hireflow.core import pii
    from hireflow.core.db import get_database
    from hireflow.records.rotation import rotate_keys

    settings = _ready()
    ring = pii.keyring()
    if len(ring.key_ids) < 2:
        console.print(
            "[yellow]Only one master key is configured. To rotate: set the new key as "
            "HIREFLOW_MASTER_KEY and the old one in HIREFLOW_PREVIOUS_MASTER_KEYS, then run "
            "this again.[/yellow] Checking that everything is under the current key…"
        )
    del settings
    with get_database().session() as session, _progress() as step:
        report = rotate_keys(session, ring, step=step, retire_unreadable=retire_unreadable_outbox)
    console.print(
        f"Current key {report.new_key_id}: {report.wrapped_keys} data keys rewrapped, "
        f"{report.field_tokens} column values re-encrypted, {report.blind_indexes} blind "
        f"indexes and {report.terms_entries} entries' search terms recomputed, "
        f"{report.seals} seals moved."
    )
    _print_unreadable(report)
    if report.failures:
        for failure in report.failures[:20]:
            console.print(f"[red]  • {failure}[/red]")
        raise _fail(f"{len(report.failures)} items could not be moved; old keys kept.", 1)
    if report.held_for_unreadable:
        raise _fail(
            f"{_counted(len(report.held_for_unreadable), 'Old key', 'Old keys', number=False)} "
            f"{', '.join(report.held_for_unreadable)} kept: retiring "
            f"{'it' if len(report.held_for_unreadable) == 1 else 'them'} makes the "
            f"{_counted(len(report.losses()), 'quarantined outbox row')} above unreadable for "
            "good. Look into them (hireflow outbox-quarantine), or run again with "
            "--retire-unreadable-outbox to retire the keys anyway.",
            1,
        )
    if report.retired:
        console.print(
            f"[green]Retired {'key' if len(report.retired) == 1 else 'keys'} "
            f"{', '.join(report.retired)}: remove "
            + (
                "it from HIREFLOW_PREVIOUS_MASTER_KEYS and destroy it.[/green]"
                if len(report.retired) == 1
                else "them from HIREFLOW_PREVIOUS_MASTER_KEYS and destroy them.[/green]"
            )
        )
        lost = len(report.losses())
        if lost:
            console.print(
                f"[yellow]{_counted(lost, 'quarantined outbox row')} sealed under them "
                f"{'is' if lost == 1 else 'are'} now unreadable for good; "
                f"{'it stays' if lost == 1 else 'they stay'} quarantined and noted in "
                "people's chains until discarded (hireflow outbox-quarantine --discard).[/yellow]"
            )


def _counted(n: int, one: str, many: str | None = None, *, number: bool = True) -> str:
    """``n`` with the singular or plural noun ("1 outbox row", "2 outbox rows")."""
    noun = one if n == 1 else (many or f"{one}s")
    return f"{n} {noun}" if number else noun


def _print_unreadable(report: Any) -> None:
    """The outbox rows no configured key can read: ids, reason codes and key ids only."""
    if not report.unreadable:
        return
    console.print(
        f"[yellow]{_counted(len(report.unreadable), 'outbox row')} could not be resealed: no "
        "configured key reads them (they are quarantined, never appended; nothing else "
        "depends on them):[/yellow]"
    )
    for row in report.unreadable[:50]:
        console.print(
            f"  • outbox row {row.row_id}, person {row.person_id}: {row.reason}, sealed under "
            f"key {row.key_id or 'unknown'}"
        )


def outbox_quarantine_command(
    tenant: Annotated[str | None, typer.Option(help="Only this company (short name)")] = None,
    retry: Annotated[int | None, typer.Option(help="Clear the mark and append it now")] = None,
    discard: Annotated[
        int | None, typer.Option(help="Note in the chain that it is discarded, delete it")
    ] = None,
) -> None:
    """List the quarantined record outbox rows; retry or discard one (ids and reason codes)."""
    from hireflow.core.db import get_database
    from hireflow.core.errors import NotFound
    from hireflow.records import quarantine

    _ready()
    with get_database().session() as session:
        tenant_id = _tenant_id(session, tenant)
        try:
            if retry is not None:
                done = quarantine.retry(session, retry)
                state = "appended" if done.appended else "still cannot be appended: quarantined"
                console.print(f"Outbox row {retry} (person {done.person_id}): {state}.")
                return
            if discard is not None:
                done = quarantine.discard(session, discard)
                console.print(
                    f"Outbox row {discard} (person {done.person_id}) discarded; the person's "
                    "chain notes it."
                )
                return
        except NotFound:
            raise _fail("No quarantined outbox row with that id.", 1) from None
        listed = quarantine.listed(session, tenant_id)
    for finding in listed:
        console.print(
            f"outbox row {finding.row_id}, person {finding.person_id}: {finding.kind} "
            f"({finding.reason}), noted at seq {finding.seq}"
        )
    console.print(f"{len(listed)} quarantine finding(s).")


def retention_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Only list what is due")] = False,
    tenant: Annotated[str | None, typer.Option(help="Only this company (short name)")] = None,
) -> None:
    """Apply the companies' retention rules now (the worker also runs them nightly)."""
    from hireflow.core.db import get_database
    from hireflow.records.retention import apply_retention

    _ready()
    with get_database().session() as session:
        tenant_id = _tenant_id(session, tenant)
        with _progress() as step:
            bar: dict[str, Callable[[int], None]] = {}

            def progress(done: int, total: int) -> None:
                if "advance" not in bar:
                    bar["advance"] = step("erasing", total)
                bar["advance"](1)

            report = apply_retention(
                session, tenant_id=tenant_id, dry_run=dry_run, progress=progress
            )
    verb = "would be erased" if dry_run else "erased"
    console.print(
        f"{report.rules} rules; {len(report.due)} records due; "
        f"{len(report.erased) if not dry_run else len(report.due)} {verb}; "
        f"{len(report.held)} kept under legal hold; {len(report.failed)} failed."
    )
    if report.due and dry_run:
        console.print("person ids: " + ", ".join(map(str, report.due[:100])))
    if report.failed:
        raise typer.Exit(1)


def seal_command(
    tenant: Annotated[str | None, typer.Option(help="Only this company (short name)")] = None,
) -> None:
    """Seal the decision values (scores, reports, screening, names) of rows that have no seal.

    Rows written before seals existed are reported as unsealed by `hireflow verify`; this
    seals their current values (run it once after upgrading, after a clean verification).
    Each run is in the audit log.
    """
    from sqlalchemy import select

    from hireflow.core import audit
    from hireflow.core.db import get_database
    from hireflow.org.models import Tenant
    from hireflow.records.seals import seal_unsealed

    _ready()
    totals: dict[str, int] = {}
    with get_database().session() as session:
        tenant_id = _tenant_id(session, tenant)
        tenant_ids = (
            [tenant_id] if tenant_id is not None else list(session.scalars(select(Tenant.id)))
        )
        for one in tenant_ids:
            counts = seal_unsealed(session, one)
            if any(counts.values()):
                audit.record(
                    session,
                    "records.sealed",
                    actor=None,
                    actor_label="hireflow seal",
                    target_type="tenant",
                    target_id=one,
                    tenant_id=one,
                    new={"sealed": counts},
                )
            session.commit()
            for name, count in counts.items():
                totals[name] = totals.get(name, 0) + count
    console.print(
        "Sealed: " + ", ".join(f"{count} {name} rows" for name, count in totals.items()) + "."
    )


def register(app: typer.Typer) -> None:
    """Add the record's commands to the ``hireflow`` command."""
    app.command("seal")(seal_command)
    app.command("verify")(verify_command)
    app.command("checkpoint")(checkpoint_command)
    app.command("backup")(backup_command)
    app.command("restore")(restore_command)
    app.command("migrate-in")(migrate_in_command)
    app.command("rotate-keys")(rotate_keys_command)
    app.command("outbox-quarantine")(outbox_quarantine_command)
    app.command("retention")(retention_command)
