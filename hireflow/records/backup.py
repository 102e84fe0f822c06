"""Backup and recovery: database + stored files + keys manifest, verified by checksums (G6).

A backup is a directory (copy it anywhere: tar it, sync it to a bucket)::

    manifest.json        format, time, schema revisions, the hash (``sha256``, or ``sm3``
                         under the sm suite), per table: rows and the hash of the rows and
                         of the file; per stored object: region, key, size, hash;
                         which master key ids the data needs (never the keys themselves)
    manifest.<hash>      the hash of manifest.json (manifest.sha256 or manifest.sm3)
    db/<table>.jsonl.gz  every row of every table, in primary-key order, one JSON per line
    storage/<region>/... the encrypted objects exactly as stored (ciphertext only)
    checkpoints/         copies of the signed chain checkpoints

The dump reads every table through SQLAlchemy reflection, so it is portable between
SQLite and PostgreSQL and covers tables of every domain without a list to maintain (SQLite
full-text virtual tables are skipped: they are rebuilt by their triggers from the rows). Values
are written as stored: encrypted columns stay encrypted, files stay ciphertext, and the
master key is *not* in the backup (keep it, and the checkpoint key, separately).

``restore_backup`` first checks every checksum, the schema revision and that the keyring
can read the data; only then does it write (into an empty database, or after ``wipe``),
then recomputes the checksums from what it wrote.
"""

from __future__ import annotations

import base64
import gzip
import hmac
import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import MetaData, Table, func, insert, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from hireflow.core.crypto import SUITES, CryptoSuite, Keyring, default_suite
from hireflow.core.db import utcnow
from hireflow.core.i18n import named_list, plain_list
from hireflow.core.migrate import upgrade
from hireflow.core.storage import RegionalStorage
from hireflow.records.hooks import run_restore_hooks

FORMAT = "hireflow-backup/1"
SKIP_TABLES = frozenset({"alembic_version"})
BATCH = 1000

Step = Callable[[str, int], Callable[[int], None]]


def _no_progress(_description: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


class BackupError(RuntimeError):
    """A backup cannot be made or restored; the message says what and why."""


# --------------------------------------------------------------------------- encoding


def encode_value(value: Any) -> Any:
    """A cell as JSON: native types as they are, others tagged so they come back exactly."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"$f": repr(value)}
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return {"$dt": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"$dec": str(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict | list):
        return {"$json": value}
    raise BackupError(f"cannot back up a value of type {type(value).__name__}")


def decode_value(value: Any, dialect: str) -> Any:
    """Inverse of ``encode_value`` (datetimes naive UTC for SQLite, aware for PostgreSQL)."""
    if not isinstance(value, dict):
        return value
    if "$f" in value:
        return float(value["$f"])
    if "$dt" in value:
        moment = datetime.strptime(value["$dt"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        return moment.replace(tzinfo=None) if dialect == "sqlite" else moment
    if "$d" in value:
        return date.fromisoformat(value["$d"])
    if "$dec" in value:
        return Decimal(value["$dec"])
    if "$b" in value:
        return base64.b64decode(value["$b"])
    if "$json" in value:
        return value["$json"]
    raise BackupError(f"unknown tagged value {sorted(value)}")


def _line(row: dict[str, Any]) -> bytes:
    encoded = {key: encode_value(value) for key, value in row.items()}
    return json.dumps(encoded, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


# --------------------------------------------------------------------------- tables


def _derived_tables(connection: Connection) -> set[str]:
    """SQLite virtual tables (full-text indexes) and their shadow tables.

    They are derived data: triggers on the ordinary tables they index rebuild them as the
    rows are restored, and their internal format is not portable between versions.
    """
    if connection.dialect.name != "sqlite":
        return set()
    virtual = list(
        connection.execute(
            text(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND sql LIKE 'CREATE VIRTUAL TABLE%'"
            )
        ).scalars()
    )
    names = set(connection.execute(text("SELECT name FROM sqlite_master")).scalars())
    return set(virtual) | {n for n in names for v in virtual if n.startswith(v + "_")}


def _tables(connection: Connection) -> list[Table]:
    skip = SKIP_TABLES | _derived_tables(connection)
    metadata = MetaData()
    metadata.reflect(bind=connection, only=lambda name, _meta: name not in skip)
    return [t for t in metadata.sorted_tables if t.name not in skip]


def _ordered_rows(connection: Connection, tbl: Table) -> Iterator[dict[str, Any]]:
    order = list(tbl.primary_key.columns) or list(tbl.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(tbl).order_by(*order))
    for row in result.mappings():
        yield dict(row)


def _schema_heads(connection: Connection) -> list[str]:
    # Asked first: on PostgreSQL a failed SELECT would abort the caller's transaction.
    if not inspect(connection).has_table("alembic_version"):
        return []
    return sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


def table_checksums(
    connection: Connection, suite: CryptoSuite | None = None
) -> dict[str, dict[str, Any]]:
    """Rows and the hash (``rows_sha256`` or ``rows_sm3``, by ``suite``, default the
    deployment's) over the canonical lines of every table (to compare databases)."""
    suite = suite or default_suite()
    checksums: dict[str, dict[str, Any]] = {}
    for tbl in _tables(connection):
        digest = suite.hasher()
        count = 0
        for row in _ordered_rows(connection, tbl):
            digest.update(_line(row) + b"\n")
            count += 1
        checksums[tbl.name] = {"rows": count, f"rows_{suite.digest_label}": digest.hexdigest()}
    return checksums


def manifest_suite(manifest: dict[str, Any]) -> CryptoSuite:
    """The suite whose hash made a manifest's checksums (backups before the field: SHA-256)."""
    label = manifest.get("hash", "sha256")
    for suite in SUITES.values():
        if suite.digest_label == label:
            return suite
    raise BackupError(f"the backup's checksums use an unknown hash {label!r}")


# --------------------------------------------------------------------------- keys


def _key_ids_in_use(connection: Connection) -> dict[str, int]:
    """Master key ids the data depends on (from wrapped keys and the key registry)."""
    counts: dict[str, int] = {}
    for table_name, column_name in (
        ("record_attachments", "wrapped_key"),
        ("record_entries", "payload_key"),
    ):
        try:
            tokens = connection.execute(
                text(f"SELECT {column_name} FROM {table_name} WHERE {column_name} IS NOT NULL")  # noqa: S608 - fixed names
            ).scalars()
            for token in tokens:
                parts = str(token).split(".")
                if len(parts) == 4:
                    counts[parts[1]] = counts.get(parts[1], 0) + 1
        except Exception:  # noqa: S112 - an older schema without the table
            continue
    try:
        for key_id, retired in connection.execute(
            text("SELECT key_id, retired_at FROM key_registry")
        ):
            if retired is None:
                counts.setdefault(key_id, 0)
    except Exception:  # noqa: S110 - an older schema without the registry
        pass
    return counts


# --------------------------------------------------------------------------- backup


@dataclass
class BackupResult:
    """Where the backup went and what it holds."""

    path: Path
    tables: int
    rows: int
    objects: int
    bytes: int
    manifest: dict[str, Any] = field(default_factory=dict)


def _file_digest(path: Path, suite: CryptoSuite) -> str:
    digest = suite.hasher()
    with path.open("rb") as handle:
        while piece := handle.read(1024 * 1024):
            digest.update(piece)
    return digest.hexdigest()


def create_backup(
    engine: Engine,
    target: Path,
    regional: RegionalStorage,
    *,
    ring: Keyring | None = None,
    checkpoints: Path | None = None,
    step: Step | None = None,
) -> BackupResult:
    """Write a backup of the database and every stored object into ``target`` (new dir)."""
    step = step or _no_progress
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} exists and is not empty; choose a new directory")
    (target / "db").mkdir(parents=True, exist_ok=True)
    suite = default_suite()
    label = suite.digest_label
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "hash": label,
        "created_at": utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "dialect": engine.dialect.name,
        "tables": {},
        "objects": [],
    }
    with engine.connect() as connection:
        # One snapshot for every table (PostgreSQL: REPEATABLE READ; SQLite: one read txn).
        if engine.dialect.name == "postgresql":
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            manifest["schema_heads"] = _schema_heads(connection)
            tables = _tables(connection)
            manifest["tables"] = _dump_tables(connection, tables, target / "db", suite, step)
            key_ids = _key_ids_in_use(connection)
    total_rows = sum(info["rows"] for info in manifest["tables"].values())
    manifest["keys"] = {
        "in_use": key_ids,
        "current": ring.current.key_id if ring is not None else None,
        "note": "the master keys themselves are not in this backup",
    }
    manifest["objects"] = _copy_objects(regional, target / "storage", suite, step)
    total_bytes = sum(item["size"] for item in manifest["objects"])
    if checkpoints is not None and checkpoints.is_dir():
        copied = []
        for path in sorted(checkpoints.glob("*.json")):
            (target / "checkpoints").mkdir(exist_ok=True)
            shutil.copy2(path, target / "checkpoints" / path.name)
            copied.append({"name": path.name, label: _file_digest(path, suite)})
        manifest["checkpoints"] = copied
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
    (target / "manifest.json").write_bytes(body)
    (target / f"manifest.{label}").write_text(suite.hexdigest(body) + "  manifest.json\n")
    return BackupResult(
        target, len(tables), total_rows, len(manifest["objects"]), total_bytes, manifest
    )


def _dump_tables(
    connection: Connection, tables: list[Table], folder: Path, suite: CryptoSuite, step: Step
) -> dict[str, Any]:
    """Every table as gzipped JSON lines in ``folder``; the manifest's ``tables`` part."""
    label = suite.digest_label
    counts = {
        t.name: int(connection.execute(select(func.count()).select_from(t)).scalar() or 0)
        for t in tables
    }
    advance = step("database", sum(counts.values()))
    described: dict[str, Any] = {}
    for tbl in tables:
        path = folder / f"{tbl.name}.jsonl.gz"
        digest = suite.hasher()
        count = 0
        with (
            path.open("wb") as raw,
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as handle,
        ):
            for row in _ordered_rows(connection, tbl):
                line = _line(row) + b"\n"
                digest.update(line)
                handle.write(line)
                count += 1
                if count % BATCH == 0:
                    advance(BATCH)
        advance(count % BATCH)
        described[tbl.name] = {
            "rows": count,
            f"rows_{label}": digest.hexdigest(),
            f"file_{label}": _file_digest(path, suite),
            "columns": [c.name for c in tbl.columns],
        }
    return described


def _copy_objects(
    regional: RegionalStorage, folder: Path, suite: CryptoSuite, step: Step
) -> list[dict[str, Any]]:
    """Every stored object, as stored (encrypted), into ``folder``/region/key; the
    manifest's ``objects`` part."""
    label = suite.digest_label
    objects = [
        (region, key) for region in sorted(regional.regions) for key in regional.list_keys(region)
    ]
    advance = step("files", len(objects))
    described = []
    for region, key in objects:
        destination = folder / region / Path(*key.split("/"))
        destination.parent.mkdir(parents=True, exist_ok=True)
        with regional.open_read(region, key) as source, destination.open("wb") as sink:
            size, hexdigest = _copy_stream(source, sink, suite)
        described.append({"region": region, "key": key, "size": size, label: hexdigest})
        advance(1)
    return described


def _copy_stream(source: BinaryIO, sink: BinaryIO | None, suite: CryptoSuite) -> tuple[int, str]:
    """Copy ``source`` to ``sink`` (or only read it) in 1 MiB pieces: (size, hex digest)."""
    digest = suite.hasher()
    size = 0
    while piece := source.read(1024 * 1024):
        digest.update(piece)
        size += len(piece)
        if sink is not None:
            sink.write(piece)
    return size, digest.hexdigest()


# --------------------------------------------------------------------------- verify


def read_manifest(source: Path) -> dict[str, Any]:
    """The manifest, after checking it against its checksum file (``manifest.sha256``, or
    ``manifest.sm3`` for a backup made under the sm suite)."""
    found = [s for s in SUITES.values() if (source / f"manifest.{s.digest_label}").exists()]
    if len(found) != 1:
        raise BackupError(
            f"{source} is not a Hireflow backup: it needs exactly one of "
            + ", ".join(f"manifest.{s.digest_label}" for s in SUITES.values())
        )
    suite = found[0]
    checksum_name = f"manifest.{suite.digest_label}"
    try:
        body = (source / "manifest.json").read_bytes()
        expected = (source / checksum_name).read_text().split()[0]
    except (OSError, IndexError) as exc:
        raise BackupError(f"{source} is not a Hireflow backup: {exc}") from exc
    if not hmac.compare_digest(suite.hexdigest(body), expected):
        raise BackupError(f"manifest.json does not match {checksum_name}: the backup was altered")
    manifest = json.loads(body)
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unsupported backup format {manifest.get('format')!r}")
    if manifest_suite(manifest) is not suite:
        raise BackupError(f"manifest.json names another hash than {checksum_name}")
    return manifest


def verify_backup(source: Path, *, step: Step | None = None) -> dict[str, Any]:
    """Check every checksum of a backup without restoring it; returns the manifest."""
    step = step or _no_progress
    manifest = read_manifest(source)
    suite = manifest_suite(manifest)
    label = suite.digest_label
    problems: list[str] = []
    advance = step("database files", len(manifest["tables"]))
    for name, info in manifest["tables"].items():
        path = source / "db" / f"{name}.jsonl.gz"
        if not path.exists():
            problems.append(f"table {name}: file missing")
        elif _file_digest(path, suite) != info[f"file_{label}"]:
            problems.append(f"table {name}: file checksum differs")
        else:
            digest = suite.hasher()
            count = 0
            for line in _lines(path):
                digest.update(line + b"\n")
                count += 1
            if count != info["rows"] or digest.hexdigest() != info[f"rows_{label}"]:
                problems.append(f"table {name}: rows differ from the manifest")
        advance(1)
    advance = step("stored files", len(manifest["objects"]))
    for item in manifest["objects"]:
        path = source / "storage" / item["region"] / Path(*item["key"].split("/"))
        if not path.exists():
            problems.append(f"object {item['region']}/{item['key']}: missing")
        elif _file_digest(path, suite) != item[label]:
            problems.append(f"object {item['region']}/{item['key']}: checksum differs")
        advance(1)
    for item in manifest.get("checkpoints", []):
        path = source / "checkpoints" / item["name"]
        if not path.exists() or _file_digest(path, suite) != item[label]:
            problems.append(f"checkpoint {item['name']}: missing or altered")
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise BackupError(f"backup verification failed: {shown}{more}")
    return manifest


def _lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as handle:
        for raw in handle:
            line = raw.rstrip(b"\n")
            if line:
                yield line


# --------------------------------------------------------------------------- restore


@dataclass
class RestoreResult:
    """What a restore wrote, and the checksums recomputed from the restored database."""

    tables: int
    rows: int
    objects: int
    checksums_match: bool
    mismatched: list[str] = field(default_factory=list)
    #: derived index -> (rows expected, rows present) after the rebuild
    indexes: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: schema revisions applied because the database was new (before, after the rows)
    migrated: list[str] = field(default_factory=list)

    @property
    def indexes_ok(self) -> bool:
        return all(expected == found for expected, found in self.indexes.values())


def _is_empty(connection: Connection, tables: list[Table]) -> bool:
    return all(not connection.execute(select(tbl).limit(1)).first() for tbl in tables)


def wipe(engine: Engine, regional: RegionalStorage | None = None) -> None:
    """Delete every row of every table (schema kept) and, if given, every stored object."""
    with engine.begin() as connection:
        for tbl in reversed(_tables(connection)):
            connection.execute(tbl.delete())
    if regional is not None:
        for region in regional.regions:
            for key in list(regional.list_keys(region)):
                regional.delete(region, key)


def _reset_sequences(connection: Connection, tables: list[Table]) -> None:
    for tbl in tables:
        keys = list(tbl.primary_key.columns)
        if len(keys) != 1 or keys[0].type.python_type is not int:
            continue
        column_name = keys[0].name
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": tbl.name, "c": column_name}
        ).scalar()
        if not sequence:
            continue
        highest = connection.execute(select(func.max(keys[0]))).scalar()
        if highest:
            connection.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": int(highest)})


def restore_backup(
    engine: Engine,
    source: Path,
    regional: RegionalStorage,
    *,
    ring: Keyring | None = None,
    force: bool = False,
    step: Step | None = None,
) -> RestoreResult:
    """Restore a verified backup into a migrated, empty database (``force`` wipes first)."""
    step = step or _no_progress
    source = Path(source)
    manifest = verify_backup(source, step=step)
    tables, migrated = _schema_for(engine, list(manifest.get("schema_heads") or []))
    _check_restorable(manifest, tables, regional, ring)
    with engine.connect() as connection:
        empty = _is_empty(connection, tables)
    if not empty:
        if not force:
            raise BackupError(
                "the database is not empty; restore into a fresh database or pass --force to "
                "wipe it first"
            )
        wipe(engine, regional)
    rows_written = _restore_rows(engine, source, manifest, tables, step)
    advance = step("restoring files", len(manifest["objects"]))
    for item in manifest["objects"]:
        path = source / "storage" / item["region"] / Path(*item["key"].split("/"))
        with path.open("rb") as handle:
            regional.put_stream(item["region"], item["key"], handle, record_region=item["region"])
        advance(1)
    mismatched = _restored_mismatches(engine, regional, manifest)
    if migrated:
        _upgrade(engine, "head")
        with engine.connect() as connection:
            migrated.append(",".join(_schema_heads(connection)))
    advance = step("rebuilding indexes", 1)
    indexes = rebuild_derived(engine)
    advance(1)
    return RestoreResult(
        tables=len(manifest["tables"]),
        rows=rows_written,
        objects=len(manifest["objects"]),
        checksums_match=not mismatched,
        mismatched=mismatched,
        indexes=indexes,
        migrated=migrated,
    )


def _schema_for(engine: Engine, wanted: list[str]) -> tuple[list[Table], list[str]]:
    """The database's tables once its schema is the backup's (created if the database is
    new); the revisions applied to get there."""
    with engine.connect() as connection:
        heads = _schema_heads(connection)
        tables = _tables(connection)
    migrated: list[str] = []
    if not heads and not tables and len(wanted) == 1:
        # A new data directory or an empty database: create the schema the backup was made
        # with (the rows fit it exactly), restore, then bring it up to this version after.
        _upgrade(engine, wanted[0])
        migrated.append(wanted[0])
        with engine.connect() as connection:
            heads = _schema_heads(connection)
            tables = _tables(connection)
    if heads != wanted:
        raise BackupError(
            f"the backup is of schema revisions {wanted}, this database is at {heads}; "
            "restore into a new, empty database (the schema is then created to match the "
            "backup and upgraded afterwards) or with the Hireflow version that made the backup"
        )
    return tables, migrated


def _check_restorable(
    manifest: dict[str, Any],
    tables: list[Table],
    regional: RegionalStorage,
    ring: Keyring | None,
) -> None:
    """Refuse a backup whose tables, regions or keys this installation lacks."""
    by_name = {t.name: t for t in tables}
    missing = sorted(set(manifest["tables"]) - set(by_name))
    if missing:
        raise BackupError(f"tables in the backup that this database lacks: {plain_list(missing)}")
    missing_regions = sorted({o["region"] for o in manifest["objects"]} - set(regional.regions))
    if missing_regions:
        raise BackupError(
            f"the backup holds files of {named_list('region', missing_regions)} that "
            f"{'is' if len(missing_regions) == 1 else 'are'} not configured here; files are "
            "never restored into another region"
        )
    if ring is not None:
        needed = sorted(k for k in manifest["keys"]["in_use"] if k not in ring)
        if needed:
            raise BackupError(
                f"the data needs {named_list('master key', needed)}, which the configured "
                f"keyring ({plain_list(ring.key_ids)}) does not hold; restoring would leave it "
                "unreadable"
            )


def _restore_rows(
    engine: Engine, source: Path, manifest: dict[str, Any], tables: list[Table], step: Step
) -> int:
    """Insert every backed-up row in batches, in one transaction; the rows written."""
    dialect = engine.dialect.name
    rows_written = 0
    advance = step("restoring rows", sum(info["rows"] for info in manifest["tables"].values()))
    with engine.begin() as connection:
        for tbl in tables:
            if tbl.name not in manifest["tables"]:
                continue
            path = source / "db" / f"{tbl.name}.jsonl.gz"
            batch: list[dict[str, Any]] = []
            for line in _lines(path):
                encoded = json.loads(line)
                batch.append({k: decode_value(v, dialect) for k, v in encoded.items()})
                if len(batch) >= BATCH:
                    connection.execute(insert(tbl), batch)
                    rows_written += len(batch)
                    advance(len(batch))
                    batch = []
            if batch:
                connection.execute(insert(tbl), batch)
                rows_written += len(batch)
                advance(len(batch))
        if dialect == "postgresql":
            _reset_sequences(connection, tables)
    return rows_written


def _restored_mismatches(
    engine: Engine, regional: RegionalStorage, manifest: dict[str, Any]
) -> list[str]:
    """Tables and objects whose restored checksum differs from the manifest's."""
    suite = manifest_suite(manifest)
    label = suite.digest_label
    with engine.connect() as connection:
        restored = table_checksums(connection, suite)
    mismatched = [
        name
        for name, info in manifest["tables"].items()
        if restored.get(name, {}).get(f"rows_{label}") != info[f"rows_{label}"]
    ]
    for item in manifest["objects"]:
        with regional.open_read(item["region"], item["key"]) as stream:
            _, hexdigest = _copy_stream(stream, None, suite)
        if hexdigest != item[label]:
            mismatched.append(f"{item['region']}/{item['key']}")
    return mismatched


def _upgrade(engine: Engine, target: str) -> None:

    upgrade(engine.url.render_as_string(hide_password=False), target=target)


def rebuild_derived(engine: Engine) -> dict[str, tuple[int, int]]:
    """Rebuild what a backup does not carry, then count it: {index: (expected, present)}.

    The tables come back byte for byte; SQLite's full-text table (and the ``tsvector`` of
    a backup made on SQLite and restored on PostgreSQL) are rebuilt from the restored rows,
    leaving every restored row as it was.
    """

    with Session(engine) as session:
        return run_restore_hooks(session)


@dataclass(frozen=True)
class CheckpointsRestored:
    """Checkpoint files of a backup: how many it holds, were copied, were already there."""

    in_backup: int
    copied: int
    present: int


def restore_checkpoints(source: Path, directory: Path) -> CheckpointsRestored:
    """Copy the backup's checkpoint files into ``directory`` where none of that name exists
    (a file of the same name is the same checkpoint: names carry the signing time)."""
    copied = present = 0
    files = sorted((source / "checkpoints").glob("*.json"))
    for path in files:
        directory.mkdir(parents=True, exist_ok=True)
        if (directory / path.name).exists():
            present += 1
        else:
            shutil.copy2(path, directory / path.name)
            copied += 1
    return CheckpointsRestored(len(files), copied, present)
