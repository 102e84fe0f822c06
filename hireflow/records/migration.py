"""Migration from an old HR system: CSV/XLSX exports + a field-mapping file (SPEC G6).

``hireflow migrate-in MAPPING --tenant SLUG [--dry-run]`` reads the exports the mapping
names, checks every row, imports people and their history into records, and then proves
the import with three independent verifications:

1. **counts**: records per type in the source (valid rows) = records per type imported;
2. **per-record checksums**: each source row's SHA-256 (over its mapped values) equals the
   SHA-256 recomputed from what the database now holds (decrypted), and each person's
   candidate row agrees with the imported values;
3. **set hash**: one SHA-256 over all records' checksums in key order, source side versus
   database side.

``--dry-run`` (the "sandbox") does all of it inside a transaction that is rolled back.
Rows that cannot be read (wrong column count, undecodable text, bad dates, unknown codes,
history of an unknown person, duplicate keys) are reported with file and line and never
imported. Importing the same export again is idempotent: rows already imported (by
source system and key) are skipped and still verified.

Mapping file (YAML or JSON)::

    version: 1
    source_system: legacy-ehr          # namespace of the old system's keys
    timezone: Asia/Shanghai            # for times without a zone (default: tenant's)
    region: cn                         # region of new records (default: per person rules)
    people:
      file: people.csv                 # .csv (UTF-8 or GB18030) or .xlsx (then sheet:)
      key: 工号                         # the old system's unique id column
      fields: {name: 姓名, email: 邮箱, phone: 手机, id_number: 身份证号,
               birth_date: 出生日期, location: 城市}
      required: [name]
      status: {column: 状态, values: {在职: employed, 离职: left, 淘汰: rejected}}
    history:
      - file: history.xlsx
        sheet: 记录
        key: 记录号
        person: 工号
        type: {column: 类型, values: {面试: interview_result, 评价: review, 备注: note}}
        time: 日期
        data: {summary: 内容}           # personal text: encrypted, erasable
        facts: {round: 轮次}             # non-identifying codes kept for statistics
        scores: {communication: 沟通}    # numbers, for interview results
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit, pii
from hireflow.core.crypto import Keyring, default_suite, digest_matches
from hireflow.org.models import Tenant
from hireflow.records.chain import canonical_json
from hireflow.records.hooks import run_import_hooks
from hireflow.records.import_insert import insert_people, person_import_key
from hireflow.records.import_source import (
    BATCH,
    HistoryRecordIn,
    HistorySpec,
    Mapping,
    MappingError,
    PersonRecordIn,
    RowError,
    SourceRow,
    Step,
    checksum,
    map_history,
    map_people,
    missing_columns,
    no_progress,
    read_rows,
)
from hireflow.records.keys import register_current_key
from hireflow.records.models import (
    ImportedRecord,
    PersonRecord,
    RecordEntry,
)
from hireflow.records.payloads import decrypt_payload
from hireflow.records.seals import seal_unsealed
from hireflow.records.timeline import NewEntry, append_entries

# --------------------------------------------------------------------------- import


@dataclass
class Verification:
    """The three verifications of an import."""

    counts_source: dict[str, int]
    counts_imported: dict[str, int]
    checksum_mismatches: list[str]
    source_set_hash: str
    imported_set_hash: str

    @property
    def counts_ok(self) -> bool:
        return self.counts_source == self.counts_imported

    @property
    def checksums_ok(self) -> bool:
        return not self.checksum_mismatches

    @property
    def set_hash_ok(self) -> bool:
        return self.source_set_hash == self.imported_set_hash

    @property
    def ok(self) -> bool:
        return self.counts_ok and self.checksums_ok and self.set_hash_ok


@dataclass
class ImportReport:
    """What an import read, wrote, skipped and refused, and how it verified."""

    dry_run: bool
    batch_id: str
    rows_read: int = 0
    people_new: int = 0
    people_existing: int = 0
    history_new: int = 0
    history_existing: int = 0
    conflicts: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    verification: Verification | None = None
    seconds: float = 0.0

    @property
    def records(self) -> int:
        return self.people_new + self.history_new


def _history_import_key(system: str, source_file: str, key: str) -> str:
    return f"{system}:{source_file}:{key}"


def _existing_keys(session: Session, tenant_id: int, keys: list[str]) -> dict[str, RecordEntry]:
    found: dict[str, RecordEntry] = {}
    for start in range(0, len(keys), BATCH):
        chunk = keys[start : start + BATCH]
        for entry in session.scalars(
            select(RecordEntry).where(
                RecordEntry.tenant_id == tenant_id, RecordEntry.import_key.in_(chunk)
            )
        ):
            found[entry.import_key or ""] = entry
    return found


def run_import(
    session: Session,
    mapping: Mapping,
    tenant: Tenant,
    *,
    dry_run: bool = False,
    ring: Keyring | None = None,
    step: Step | None = None,
    actor_label: str = "system:migrate-in",
) -> ImportReport:
    """Import (or, with ``dry_run``, rehearse) a mapped export into ``tenant``."""
    started = time.perf_counter()
    step = step or no_progress
    ring = ring or pii.keyring()
    report = ImportReport(dry_run=dry_run, batch_id=str(uuid.uuid4()))
    zone = ZoneInfo(mapping.timezone or tenant.default_timezone or "UTC")

    people_rows, history_rows = _read_sources(mapping, report)
    people = map_people(mapping.people, people_rows, report.errors)
    keys = {p.key for p in people}
    history: list[HistoryRecordIn] = []
    for spec, rows in history_rows:
        history += map_history(spec, rows, keys, zone, report.errors)

    register_current_key(session, ring)
    plan = _plan_import(session, mapping, tenant, people, history, actor_label, report)
    _import_new_people(session, tenant, mapping, plan, ring, actor_label, report, step)
    _append_old_history(session, plan, ring, report, step)

    verification = verify_import(
        session, tenant.id, mapping.source_system, people, history, plan.person_ids, ring, step
    )
    report.verification = verification
    _audit_import(session, tenant, mapping.source_system, actor_label, report, verification)
    if dry_run:
        session.rollback()
    else:
        session.commit()
    report.seconds = time.perf_counter() - started
    return report


def _read_sources(
    mapping: Mapping, report: ImportReport
) -> tuple[list[SourceRow], list[tuple[HistorySpec, list[SourceRow]]]]:
    """Every source file's rows; ``MappingError`` when a mapped column is missing."""
    header, people_rows = read_rows(mapping.people, report.errors)
    problems = missing_columns(
        header,
        [mapping.people.key, *mapping.people.fields.values()]
        + (
            [mapping.people.status.column]
            if mapping.people.status and mapping.people.status.column
            else []
        ),
        mapping.people.file.name,
    )
    history_rows: list[tuple[HistorySpec, list[SourceRow]]] = []
    for spec in mapping.history:
        spec_header, rows = read_rows(spec, report.errors)
        wanted = [
            spec.key,
            spec.person,
            *spec.data.values(),
            *spec.facts.values(),
            *spec.scores.values(),
        ]
        if spec.type.column:
            wanted.append(spec.type.column)
        if spec.time:
            wanted.append(spec.time)
        problems += missing_columns(spec_header, wanted, spec.file.name)
        history_rows.append((spec, rows))
    if problems:
        raise MappingError(problems)
    report.rows_read = len(people_rows) + sum(len(rows) for _, rows in history_rows)
    return people_rows, history_rows


@dataclass
class _ImportPlan:
    """What an import adds: new people with their history, history of people imported
    before (by source key), and the person ids known so far."""

    fresh: list[PersonRecordIn]
    new_history: dict[str, list[NewEntry]]
    old_history: dict[str, list[NewEntry]]
    person_ids: dict[str, int]


def _plan_import(
    session: Session,
    mapping: Mapping,
    tenant: Tenant,
    people: list[PersonRecordIn],
    history: list[HistoryRecordIn],
    actor_label: str,
    report: ImportReport,
) -> _ImportPlan:
    """Set aside what was imported before (reporting source rows changed since) and turn
    the rest into entries to write."""
    system = mapping.source_system
    existing_people = {
        row.source_key: row
        for start in range(0, len(people), BATCH)
        for row in session.scalars(
            select(ImportedRecord).where(
                ImportedRecord.tenant_id == tenant.id,
                ImportedRecord.source_system == system,
                ImportedRecord.source_key.in_([p.key for p in people[start : start + BATCH]]),
            )
        )
    }
    for person in people:
        known = existing_people.get(person.key)
        if known is not None and not digest_matches(person.checksum_body, known.checksum):
            report.conflicts.append(
                f"{mapping.people.file.name}:{person.line}: person {person.key!r} changed since "
                "it was imported; the record keeps the imported values"
            )
    fresh = [p for p in people if p.key not in existing_people]
    fresh_keys = {p.key for p in fresh}
    report.people_existing = len(people) - len(fresh)

    history_keys = [_history_import_key(system, h.source_file, h.key) for h in history]
    done = _existing_keys(session, tenant.id, history_keys)
    source = f"import:{system}"[:60]
    new_history: dict[str, list[NewEntry]] = {}
    old_history: dict[str, list[NewEntry]] = {}
    for item, import_key in zip(history, history_keys, strict=True):
        entry = done.get(import_key)
        if entry is not None:
            report.history_existing += 1
            if not digest_matches(item.checksum_body, entry.source_checksum or ""):
                report.conflicts.append(
                    f"{item.source_file}:{item.line}: history {item.key!r} changed since it "
                    "was imported; the record keeps the imported entry"
                )
            continue
        target = new_history if item.person in fresh_keys else old_history
        target.setdefault(item.person, []).append(
            NewEntry(
                type=item.type,
                source=source,
                data={
                    "source_row": {"data": item.data, "time": item.occurred_at},
                    **item.data,
                },
                facts=item.facts,
                occurred_at=item.occurred_at,
                actor_label=actor_label,
                import_key=import_key,
                source_checksum=item.checksum,
            )
        )
    person_ids = {key: row.person_id for key, row in existing_people.items()}
    return _ImportPlan(fresh, new_history, old_history, person_ids)


def _import_new_people(
    session: Session,
    tenant: Tenant,
    mapping: Mapping,
    plan: _ImportPlan,
    ring: Keyring,
    actor_label: str,
    report: ImportReport,
    step: Step,
) -> None:
    """Insert the new people with their whole history, batch by batch."""
    advance = step("people", len(plan.fresh))
    for start in range(0, len(plan.fresh), BATCH):
        batch = plan.fresh[start : start + BATCH]
        created = insert_people(
            session, tenant, mapping, batch, plan.new_history, report.batch_id, ring, actor_label
        )
        plan.person_ids.update(created)
        run_import_hooks(session, list(created.values()))
        # Bulk inserts skip the ORM's flush, where seals are written.
        seal_unsealed(session, person_ids=list(created.values()))
        report.people_new += len(batch)
        report.history_new += sum(len(plan.new_history.get(p.key, ())) for p in batch)
        if not report.dry_run:
            session.commit()
        advance(len(batch))


def _append_old_history(
    session: Session, plan: _ImportPlan, ring: Keyring, report: ImportReport, step: Step
) -> None:
    """Append new history rows to the chains of people imported before."""
    old_history = plan.old_history
    advance = step("history of people imported before", sum(map(len, old_history.values())))
    records = {
        r.person_id: r
        for start in range(0, len(old_history), BATCH)
        for r in session.scalars(
            select(PersonRecord).where(
                PersonRecord.person_id.in_(
                    [plan.person_ids[k] for k in list(old_history)[start : start + BATCH]]
                )
            )
        )
    }
    pending = 0
    for key, items in old_history.items():
        append_entries(session, records[plan.person_ids[key]], items, ring=ring)
        report.history_new += len(items)
        pending += len(items)
        if pending >= BATCH:
            if not report.dry_run:
                session.commit()
            advance(pending)
            pending = 0
    if not report.dry_run:
        session.commit()
    advance(pending)


def _audit_import(
    session: Session,
    tenant: Tenant,
    system: str,
    actor_label: str,
    report: ImportReport,
    v: Verification,
) -> None:
    audit.record(
        session,
        "record.imported" if not report.dry_run else "record.import_rehearsed",
        actor=None,
        actor_label=actor_label,
        tenant_id=tenant.id,
        target_type="import",
        target_id=report.batch_id,
        new={
            "source_system": system,
            "people_new": report.people_new,
            "people_existing": report.people_existing,
            "history_new": report.history_new,
            "history_existing": report.history_existing,
            "errors": len(report.errors),
            "counts_ok": v.counts_ok,
            "checksums_ok": v.checksums_ok,
            "set_hash": v.imported_set_hash,
            "set_hash_ok": v.set_hash_ok,
        },
    )


# --------------------------------------------------------------------------- verification


def _set_hash(checksums: dict[str, str]) -> str:
    digest = default_suite().hasher()
    digest.update(b"hireflow/import-set/v1\x00")
    for key in sorted(checksums):
        digest.update(f"{key}\x1f{checksums[key]}\n".encode())
    return digest.hexdigest()


def verify_import(
    session: Session,
    tenant_id: int,
    system: str,
    people: list[PersonRecordIn],
    history: list[HistoryRecordIn],
    person_ids: dict[str, int],
    ring: Keyring,
    step: Step,
) -> Verification:
    """The three verifications, recomputed from what the database holds."""
    counts_source = Counter({"person": len(people)})
    for item in history:
        counts_source[item.type] += 1
    source_checksums = {f"person:{p.key}": p.checksum for p in people}
    source_checksums.update({f"history:{h.source_file}:{h.key}": h.checksum for h in history})
    found = _Found(ring, step("verifying", len(people) + len(history)))
    _verify_people(session, tenant_id, system, people, person_ids, found)
    session.expire_all()
    _verify_history(session, tenant_id, system, history, person_ids, found)
    session.expire_all()
    return Verification(
        counts_source=dict(counts_source),
        counts_imported=dict(found.counts),
        checksum_mismatches=found.mismatches,
        source_set_hash=_set_hash(source_checksums),
        imported_set_hash=_set_hash(found.checksums),
    )


@dataclass
class _Found:
    """What the verification found in the database so far."""

    ring: Keyring
    advance: Callable[[int], None]
    counts: Counter[str] = field(default_factory=Counter)
    checksums: dict[str, str] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)

    def source_row(
        self, entry: RecordEntry | None, label: str, kind: str | None = None
    ) -> dict[str, Any] | None:
        """The source row an imported entry keeps, counted as ``kind`` (by default its
        type); None (and a mismatch) when the entry is missing or cannot be read back."""
        if entry is None:
            self.mismatches.append(f"{label}: not in the database")
            return None
        self.counts[kind or entry.type] += 1
        try:
            data = decrypt_payload(entry, self.ring) or {}
        except Exception as exc:
            self.mismatches.append(f"{label}: cannot be read back ({exc})")
            return None
        return data.get("source_row") or {}


def _verify_people(
    session: Session,
    tenant_id: int,
    system: str,
    people: list[PersonRecordIn],
    person_ids: dict[str, int],
    found: _Found,
) -> None:
    person_keys = [person_import_key(system, p.key) for p in people]
    candidates: dict[int, Candidate] = {}
    for start in range(0, len(people), BATCH):
        chunk_ids = [
            person_ids[p.key] for p in people[start : start + BATCH] if p.key in person_ids
        ]
        for candidate in session.scalars(select(Candidate).where(Candidate.id.in_(chunk_ids))):
            candidates[candidate.id] = candidate
    entries = _existing_keys(session, tenant_id, person_keys)
    for person, import_key in zip(people, person_keys, strict=True):
        key = person.key
        entry = entries.get(import_key)
        source_row = found.source_row(entry, f"person {key}", "person")
        if entry is None or source_row is None:
            continue
        values = source_row.get("values") or {}
        recomputed = checksum("person", key, {**values, "status": source_row.get("status")})
        found.checksums[f"person:{key}"] = recomputed
        if recomputed != person.checksum:
            found.mismatches.append(f"person {key}: checksum differs")
            continue
        candidate = candidates.get(entry.person_id)
        if candidate is None or any(
            (getattr(candidate, name) or "") != (value or "") for name, value in values.items()
        ):
            found.mismatches.append(f"person {key}: the candidate row differs from the source")
        found.advance(1)


def _verify_history(
    session: Session,
    tenant_id: int,
    system: str,
    history: list[HistoryRecordIn],
    person_ids: dict[str, int],
    found: _Found,
) -> None:
    history_keys = [_history_import_key(system, h.source_file, h.key) for h in history]
    entries = _existing_keys(session, tenant_id, history_keys)
    ids_to_keys = {v: k for k, v in person_ids.items()}
    for item, import_key in zip(history, history_keys, strict=True):
        label = f"history:{item.source_file}:{item.key}"
        entry = entries.get(import_key)
        source_row = found.source_row(entry, label)
        if entry is None or source_row is None:
            continue
        recorded_time = source_row.get("time")
        if recorded_time is not None and json.loads(canonical_json(entry.occurred_at)) != (
            recorded_time
        ):
            found.mismatches.append(f"{label}: the entry's time differs from the source")
        values = {
            "person": ids_to_keys.get(entry.person_id),
            "type": entry.type,
            "time": recorded_time,
            "data": source_row.get("data"),
            "facts": entry.facts,
        }
        recomputed = checksum(
            "history", f"{item.source_file}:{item.key}", json.loads(canonical_json(values))
        )
        found.checksums[label] = recomputed
        if recomputed != item.checksum:
            found.mismatches.append(f"{label}: checksum differs")
        found.advance(1)


def import_file_counts(session: Session, tenant_id: int, system: str) -> dict[str, int]:
    """Records of one source system in a tenant, per type (for reports)."""
    rows = session.execute(
        select(RecordEntry.type, func.count())
        .where(RecordEntry.tenant_id == tenant_id, RecordEntry.import_key.startswith(f"{system}:"))
        .group_by(RecordEntry.type)
    )
    return {kind: int(count) for kind, count in rows}
