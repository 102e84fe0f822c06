"""The erasure ledger: erasures outlive the backups taken before them (PIPL Art. 47, GDPR
Art. 17).

A backup holds everyone who was in the database when it was made; restoring it after an
erasure would bring the person back. Every erasure therefore also appends one line to a
ledger file that lives beside the database, not in it (``<data dir>/erasure-ledger.jsonl``),
so no restore replaces it; ``hireflow restore`` replays it (``records.erasures``): each
person the ledger names and the restored database still holds unerased is erased again.
The person is recognised by company id and slug, person id and the time the person's row
was created, so a ledger line never erases someone else in a database restored from
another installation. The ledger names people only by these ids and times (no name, no
contact): it is no personal data store of its own.

Line format (JSON, one per erasure)::

    {"v": 1, "tenant_id": 3, "tenant": "acme", "person_id": 17, "created_at": "2025-…Z",
     "erased_at": "2026-…Z", "reason": "retention"}
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hireflow.core import settings as core_settings

LEDGER_NAME = "erasure-ledger.jsonl"


class LedgerError(RuntimeError):
    """The ledger cannot be written (the erasure is refused rather than left unrecorded)."""


def ledger_path(settings: Any = None) -> Path:
    """Where the ledger lives: in the data directory, outside the database and backups."""
    settings = settings or core_settings.get_settings()
    return Path(settings.data_dir) / LEDGER_NAME


@dataclass(frozen=True)
class LedgerEntry:
    tenant_id: int
    tenant: str
    person_id: int
    created_at: str
    erased_at: str
    reason: str


def stamp(moment: datetime) -> str:
    """A time as the ledger writes it (UTC, microseconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def append_erasure(entry: LedgerEntry, path: Path | None = None) -> None:
    """Append one erasure to the ledger and make it durable (fsync) before returning."""
    path = path or ledger_path()
    line = json.dumps({"v": 1, **asdict(entry)}, sort_keys=True, ensure_ascii=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise LedgerError(f"the erasure ledger {path} cannot be written: {exc}") from exc


def read_ledger(path: Path | None = None) -> tuple[list[LedgerEntry], int]:
    """The ledger's entries in order, and how many lines could not be read."""
    path = path or ledger_path()
    entries: list[LedgerEntry] = []
    unreadable = 0
    if not path.exists():
        return entries, unreadable
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                entries.append(
                    LedgerEntry(
                        tenant_id=int(raw["tenant_id"]),
                        tenant=str(raw["tenant"]),
                        person_id=int(raw["person_id"]),
                        created_at=str(raw["created_at"]),
                        erased_at=str(raw["erased_at"]),
                        reason=str(raw["reason"]),
                    )
                )
            except (ValueError, KeyError, TypeError):
                unreadable += 1
    return entries, unreadable
