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

import csv
import hashlib
import io
import json
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit, pii
from hireflow.core.audit import ChainHead
from hireflow.core.crypto import Keyring
from hireflow.core.db import utcnow
from hireflow.org.models import Tenant
from hireflow.records.chain import GENESIS_HASH, canonical_json, row_hash
from hireflow.records.hooks import run_import_hooks
from hireflow.records.keys import register_current_key
from hireflow.records.models import (
    STATUSES,
    ImportedRecord,
    PersonRecord,
    RecordEntry,
    RecordScore,
    RecordTerm,
)
from hireflow.records.seals import seal_unsealed
from hireflow.records.timeline import (
    NewEntry,
    append_entries,
    decrypt_payload,
    encrypt_payload,
    entry_content,
    index_rows,
    payload_context,
    payload_digest,
    person_chain_id,
    plain_facts,
)

PERSON_FIELDS = ("name", "email", "phone", "id_number", "birth_date", "location")
HISTORY_TYPES = ("profile_change", "application", "interview_result", "review", "note")
BATCH = 500

Step = Callable[[str, int], Callable[[int], None]]


def _no_progress(_description: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


class MappingError(ValueError):
    """The mapping file cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


# --------------------------------------------------------------------------- mapping


@dataclass
class CodeMap:
    """A column whose values map to codes (``column`` + ``values``) or a constant."""

    column: str | None
    values: dict[str, str]
    constant: str | None = None


@dataclass
class SourceSpec:
    file: Path
    sheet: str | None
    key: str


@dataclass
class PeopleSpec(SourceSpec):
    fields: dict[str, str] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    status: CodeMap | None = None


@dataclass
class HistorySpec(SourceSpec):
    person: str = ""
    type: CodeMap = field(default_factory=lambda: CodeMap(None, {}, "note"))
    time: str | None = None
    data: dict[str, str] = field(default_factory=dict)
    facts: dict[str, str] = field(default_factory=dict)
    scores: dict[str, str] = field(default_factory=dict)


@dataclass
class Mapping:
    source_system: str
    timezone: str | None
    region: str | None
    people: PeopleSpec
    history: list[HistorySpec]


_IDENT = re.compile(r"[a-z][a-z0-9_]{0,59}")


def _code_map(raw: Any, where: str, allowed: tuple[str, ...], problems: list[str]) -> CodeMap:
    if isinstance(raw, str):
        if raw not in allowed:
            problems.append(f"{where}: {raw!r} is not one of {', '.join(allowed)}")
        return CodeMap(None, {}, raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("column"), str):
        problems.append(f"{where}: give a constant or {{column: ..., values: {{...}}}}")
        return CodeMap(None, {})
    values = raw.get("values") or {}
    if not isinstance(values, dict):
        problems.append(f"{where}.values must map source values to codes")
        values = {}
    for source_value, code in values.items():
        if code not in allowed:
            problems.append(f"{where}.values: {source_value!r} maps to unknown {code!r}")
    return CodeMap(raw["column"], {str(k): str(v) for k, v in values.items()})


def _columns(
    raw: Any, where: str, problems: list[str], allowed: tuple[str, ...] = ()
) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        problems.append(f"{where} must map names to source column names")
        return {}
    for name in raw:
        if allowed and name not in allowed:
            problems.append(f"{where}: unknown field {name!r} (use {', '.join(allowed)})")
        elif not allowed and not _IDENT.fullmatch(name):
            problems.append(f"{where}: {name!r} must be a lower-case identifier")
    return dict(raw)


def _source(raw: dict[str, Any], where: str, base: Path, problems: list[str]) -> SourceSpec:
    name = raw.get("file")
    if not isinstance(name, str) or not name:
        problems.append(f"{where}.file is required")
        return SourceSpec(base, None, "")
    path = (base / name).resolve()
    if not path.is_file():
        problems.append(f"{where}.file: {name} does not exist")
    elif path.suffix.lower() not in (".csv", ".xlsx"):
        problems.append(f"{where}.file: {name} must be .csv or .xlsx")
    sheet = raw.get("sheet")
    if sheet is not None and not isinstance(sheet, str):
        problems.append(f"{where}.sheet must be a sheet name")
    key = raw.get("key")
    if not isinstance(key, str) or not key:
        problems.append(f"{where}.key (the unique id column) is required")
        key = ""
    return SourceSpec(path, sheet, key)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file; ``MappingError`` lists every problem at once."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError([f"cannot read the mapping file: {exc}"]) from exc
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise MappingError([f"the mapping file is not valid YAML/JSON: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise MappingError(["the mapping file must be a mapping (key: value) at the top"])
    problems: list[str] = []
    known = {"version", "source_system", "timezone", "region", "people", "history"}
    for unknown in sorted(set(raw) - known):
        problems.append(f"unknown top-level key {unknown!r}")
    if raw.get("version") != 1:
        problems.append("version: 1 is required")
    system = raw.get("source_system")
    if not isinstance(system, str) or not re.fullmatch(r"[\w.-]{1,60}", system or ""):
        problems.append("source_system must name the old system (1-60 letters, digits, . _ -)")
        system = "invalid"
    zone = raw.get("timezone")
    if zone is not None:
        try:
            ZoneInfo(str(zone))
        except (ZoneInfoNotFoundError, ValueError):
            problems.append(f"timezone {zone!r} is not an IANA time zone")
    region = raw.get("region")
    if region is not None and region not in ("cn", "eu", "us", "sg"):
        problems.append(f"region {region!r} is not one of cn, eu, us, sg")
    base = Path(path).resolve().parent
    people_raw = raw.get("people")
    if not isinstance(people_raw, dict):
        problems.append("people: is required (file, key, fields)")
        people_raw = {}
    src = _source(people_raw, "people", base, problems)
    fields = _columns(people_raw.get("fields"), "people.fields", problems, PERSON_FIELDS)
    if "name" not in fields:
        problems.append("people.fields.name is required")
    required = people_raw.get("required", ["name"])
    if not isinstance(required, list) or any(r not in fields for r in required):
        problems.append("people.required must list mapped fields")
        required = ["name"]
    status = None
    if people_raw.get("status") is not None:
        status = _code_map(people_raw["status"], "people.status", STATUSES, problems)
    people = PeopleSpec(src.file, src.sheet, src.key, fields, list(required), status)
    history: list[HistorySpec] = []
    history_raw = raw.get("history") or []
    if not isinstance(history_raw, list):
        problems.append("history must be a list of sources")
        history_raw = []
    for index, item in enumerate(history_raw):
        where = f"history[{index}]"
        if not isinstance(item, dict):
            problems.append(f"{where} must be a mapping")
            continue
        src = _source(item, where, base, problems)
        person = item.get("person")
        if not isinstance(person, str) or not person:
            problems.append(f"{where}.person (column holding the person's key) is required")
            person = ""
        kind = _code_map(item.get("type", "note"), f"{where}.type", HISTORY_TYPES, problems)
        when = item.get("time")
        if when is not None and not isinstance(when, str):
            problems.append(f"{where}.time must be a column name")
        history.append(
            HistorySpec(
                src.file,
                src.sheet,
                src.key,
                person=person,
                type=kind,
                time=when,
                data=_columns(item.get("data"), f"{where}.data", problems),
                facts=_columns(item.get("facts"), f"{where}.facts", problems),
                scores=_columns(item.get("scores"), f"{where}.scores", problems),
            )
        )
    if problems:
        raise MappingError(problems)
    return Mapping(str(system), zone, region, people, history)


# --------------------------------------------------------------------------- reading


@dataclass
class SourceRow:
    line: int
    values: dict[str, str]


@dataclass
class RowError:
    file: str
    line: int
    problem: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.problem}"


def _clean(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unicodedata.normalize("NFC", str(value)).strip()


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise MappingError([f"{name}: neither UTF-8 nor GB18030 text"])


def read_rows(spec: SourceSpec, errors: list[RowError]) -> tuple[list[str], list[SourceRow]]:
    """The header and the readable rows of a source; unreadable rows go to ``errors``."""
    name = spec.file.name
    if spec.file.suffix.lower() == ".xlsx":
        return _read_xlsx(spec, errors)
    text = _decode(spec.file.read_bytes(), name)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [_clean(h) for h in next(reader)]
    except StopIteration:
        return [], []
    except csv.Error as exc:
        raise MappingError([f"{name}: the header cannot be read: {exc}"]) from exc
    rows: list[SourceRow] = []
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(name, reader.line_num, f"unreadable row: {exc}"))
            continue
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(
                RowError(name, line, f"{len(cells)} columns, the header has {len(header)}")
            )
            continue
        if any("\x00" in c or "\ufffd" in c for c in cells):
            errors.append(RowError(name, line, "holds damaged characters"))
            continue
        rows.append(SourceRow(line, {h: _clean(c) for h, c in zip(header, cells, strict=True)}))
    return header, rows


def _read_xlsx(spec: SourceSpec, errors: list[RowError]) -> tuple[list[str], list[SourceRow]]:
    from openpyxl import load_workbook

    name = spec.file.name
    try:
        book = load_workbook(spec.file, read_only=True, data_only=True)
    except Exception as exc:
        raise MappingError([f"{name}: not a readable XLSX workbook: {exc}"]) from exc
    try:
        if spec.sheet is not None and spec.sheet not in book.sheetnames:
            raise MappingError([f"{name}: no sheet {spec.sheet!r} (has {book.sheetnames})"])
        sheet = book[spec.sheet] if spec.sheet else book.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        try:
            header = [_clean(h) for h in next(iterator)]
        except StopIteration:
            return [], []
        while header and not header[-1]:
            header.pop()
        rows: list[SourceRow] = []
        for line, cells in enumerate(iterator, start=2):
            values = list(cells)
            if not any(_clean(c) for c in values):
                continue
            extra = [c for c in values[len(header) :] if _clean(c)]
            if extra:
                errors.append(RowError(name, line, "values beyond the header's columns"))
                continue
            values += [None] * (len(header) - len(values))
            rows.append(
                SourceRow(line, {h: _clean(c) for h, c in zip(header, values, strict=False)})
            )
        return header, rows
    finally:
        book.close()


def _missing_columns(header: list[str], wanted: list[str], name: str) -> list[str]:
    return [
        f"{name}: no column {c!r} (columns: {', '.join(header)})" for c in wanted if c not in header
    ]


# --------------------------------------------------------------------------- values


def parse_time(text: str, zone: ZoneInfo) -> datetime:
    """A date or date-time from an export, in ``zone`` unless it names its own offset."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = re.fullmatch(
        r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?", value
    )
    if match:
        parts = [int(p) if p else 0 for p in match.groups()]
        return datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5], tzinfo=zone)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date: {text!r}") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def _number(text: str) -> int | Decimal:
    try:
        number = Decimal(unicodedata.normalize("NFKC", text).strip())
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if not number.is_finite():
        raise ValueError(f"not a number: {text!r}")
    return int(number) if number == number.to_integral_value() else number


def checksum(kind: str, key: str, values: dict[str, Any]) -> str:
    """SHA-256 of one source record's mapped values (identical from source and database)."""
    body = canonical_json({"kind": kind, "key": key, "values": values})
    return hashlib.sha256(b"hireflow/import/v1\x00" + body).hexdigest()


@dataclass
class PersonRecordIn:
    key: str
    line: int
    values: dict[str, str]
    status: str | None
    checksum: str


@dataclass
class HistoryRecordIn:
    key: str
    line: int
    person: str
    type: str
    occurred_at: datetime | None
    data: dict[str, str]
    facts: dict[str, Any]
    source_file: str
    checksum: str


def _map_people(
    spec: PeopleSpec, rows: list[SourceRow], errors: list[RowError]
) -> list[PersonRecordIn]:
    name = spec.file.name
    seen: dict[str, int] = {}
    people: list[PersonRecordIn] = []
    for row in rows:
        key = row.values.get(spec.key, "")
        if not key:
            errors.append(RowError(name, row.line, f"no value in key column {spec.key!r}"))
            continue
        if key in seen:
            errors.append(RowError(name, row.line, f"key {key!r} repeats line {seen[key]}"))
            continue
        values = {target: row.values.get(column, "") for target, column in spec.fields.items()}
        missing = [f for f in spec.required if not values.get(f)]
        if missing:
            errors.append(RowError(name, row.line, f"missing {', '.join(missing)}"))
            continue
        if values.get("birth_date"):
            try:
                values["birth_date"] = pii.normalise(values["birth_date"], "birth_date")
            except ValueError:
                errors.append(RowError(name, row.line, f"bad birth date {values['birth_date']!r}"))
                continue
        if values.get("email") and "@" not in values["email"]:
            errors.append(RowError(name, row.line, f"bad e-mail address {values['email']!r}"))
            continue
        status = None
        if spec.status is not None:
            raw = row.values.get(spec.status.column or "", "")
            status = spec.status.constant or spec.status.values.get(raw)
            if raw and status is None:
                errors.append(RowError(name, row.line, f"unknown status {raw!r}"))
                continue
        seen[key] = row.line
        mapped = {**values, "status": status}
        people.append(
            PersonRecordIn(key, row.line, values, status, checksum("person", key, mapped))
        )
    return people


def _map_history(
    spec: HistorySpec,
    rows: list[SourceRow],
    people_keys: set[str],
    zone: ZoneInfo,
    errors: list[RowError],
) -> list[HistoryRecordIn]:
    name = spec.file.name
    seen: dict[str, int] = {}
    found: list[HistoryRecordIn] = []
    for row in rows:
        key = row.values.get(spec.key, "")
        person = row.values.get(spec.person, "")
        if not key:
            errors.append(RowError(name, row.line, f"no value in key column {spec.key!r}"))
            continue
        if key in seen:
            errors.append(RowError(name, row.line, f"key {key!r} repeats line {seen[key]}"))
            continue
        if person not in people_keys:
            errors.append(RowError(name, row.line, f"unknown person {person!r}"))
            continue
        if spec.type.constant:
            kind: str | None = spec.type.constant
        else:
            kind = spec.type.values.get(row.values.get(spec.type.column or "", ""))
        if kind is None:
            errors.append(
                RowError(name, row.line, f"unknown type {row.values.get(spec.type.column or '')!r}")
            )
            continue
        occurred = None
        if spec.time:
            raw_time = row.values.get(spec.time, "")
            if raw_time:
                try:
                    occurred = parse_time(raw_time, zone)
                except ValueError as exc:
                    errors.append(RowError(name, row.line, str(exc)))
                    continue
        data = {target: row.values.get(column, "") for target, column in spec.data.items()}
        facts: dict[str, Any] = {
            target: row.values.get(column, "") for target, column in spec.facts.items()
        }
        try:
            scores = {
                dimension: _number(row.values[column])
                for dimension, column in spec.scores.items()
                if row.values.get(column, "")
            }
        except ValueError as exc:
            errors.append(RowError(name, row.line, str(exc)))
            continue
        if scores:
            facts["scores"] = scores
        try:
            facts = plain_facts(facts)
        except ValueError as exc:
            errors.append(RowError(name, row.line, str(exc)))
            continue
        seen[key] = row.line
        values = {
            "person": person,
            "type": kind,
            "time": occurred,
            "data": data,
            "facts": facts,
        }
        found.append(
            HistoryRecordIn(
                key,
                row.line,
                person,
                kind,
                occurred,
                data,
                facts,
                name,
                checksum("history", f"{name}:{key}", json.loads(canonical_json(values))),
            )
        )
    return found


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


def _person_import_key(system: str, key: str) -> str:
    return f"{system}:person:{key}"


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
    import time as clock

    started = clock.perf_counter()
    step = step or _no_progress
    ring = ring or pii.keyring()
    report = ImportReport(dry_run=dry_run, batch_id=str(uuid.uuid4()))
    zone = ZoneInfo(mapping.timezone or tenant.default_timezone or "UTC")

    header, people_rows = read_rows(mapping.people, report.errors)
    problems = _missing_columns(
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
        problems += _missing_columns(spec_header, wanted, spec.file.name)
        history_rows.append((spec, rows))
    if problems:
        raise MappingError(problems)
    report.rows_read = len(people_rows) + sum(len(rows) for _, rows in history_rows)

    people = _map_people(mapping.people, people_rows, report.errors)
    keys = {p.key for p in people}
    history: list[HistoryRecordIn] = []
    for spec, rows in history_rows:
        history += _map_history(spec, rows, keys, zone, report.errors)

    register_current_key(session, ring)
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
    person_ids: dict[str, int] = {k: row.person_id for k, row in existing_people.items()}
    for person in people:
        known = existing_people.get(person.key)
        if known is not None and known.checksum != person.checksum:
            report.conflicts.append(
                f"{mapping.people.file.name}:{person.line}: person {person.key!r} changed since "
                "it was imported; the record keeps the imported values"
            )
    fresh = [p for p in people if p.key not in existing_people]
    fresh_keys = {p.key for p in fresh}
    report.people_existing = len(people) - len(fresh)

    history_keys = [_history_import_key(system, h.source_file, h.key) for h in history]
    done = _existing_keys(session, tenant.id, history_keys)
    for item, import_key in zip(history, history_keys, strict=True):
        entry = done.get(import_key)
        if entry is not None and entry.source_checksum != item.checksum:
            report.conflicts.append(
                f"{item.source_file}:{item.line}: history {item.key!r} changed since it was "
                "imported; the record keeps the imported entry"
            )
    source = f"import:{system}"[:60]
    new_history: dict[str, list[NewEntry]] = {}
    old_history: dict[str, list[NewEntry]] = {}
    for item, import_key in zip(history, history_keys, strict=True):
        if import_key in done:
            report.history_existing += 1
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

    advance = step("people", len(fresh))
    for start in range(0, len(fresh), BATCH):
        batch = fresh[start : start + BATCH]
        created = _insert_people(
            session, tenant, mapping, batch, new_history, report.batch_id, ring, actor_label
        )
        person_ids.update(created)
        run_import_hooks(session, list(created.values()))
        # Bulk inserts skip the ORM's flush, where seals are written.
        seal_unsealed(session, person_ids=list(created.values()))
        report.people_new += len(batch)
        report.history_new += sum(len(new_history.get(p.key, ())) for p in batch)
        if not dry_run:
            session.commit()
        advance(len(batch))

    advance = step("history of people imported before", sum(map(len, old_history.values())))
    records = {
        r.person_id: r
        for start in range(0, len(old_history), BATCH)
        for r in session.scalars(
            select(PersonRecord).where(
                PersonRecord.person_id.in_(
                    [person_ids[k] for k in list(old_history)[start : start + BATCH]]
                )
            )
        )
    }
    pending = 0
    for key, items in old_history.items():
        append_entries(session, records[person_ids[key]], items, ring=ring)
        report.history_new += len(items)
        pending += len(items)
        if pending >= BATCH:
            if not dry_run:
                session.commit()
            advance(pending)
            pending = 0
    if not dry_run:
        session.commit()
    advance(pending)

    report.verification = verify_import(
        session, tenant.id, system, people, history, person_ids, ring, step
    )
    v = report.verification
    audit.record(
        session,
        "record.imported" if not dry_run else "record.import_rehearsed",
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
    if dry_run:
        session.rollback()
    else:
        session.commit()
    report.seconds = clock.perf_counter() - started
    return report


def _insert_people(
    session: Session,
    tenant: Tenant,
    mapping: Mapping,
    batch: list[PersonRecordIn],
    history: dict[str, list[NewEntry]],
    batch_id: str,
    ring: Keyring,
    actor_label: str,
) -> dict[str, int]:
    """Insert a batch of new people with their whole history in a few statements.

    New people have new chains, so no chain head needs locking: each chain is built here
    and its head inserted with the rows it points to.
    """
    now = utcnow()
    system = mapping.source_system
    source = f"import:{system}"[:60]
    rows = [
        {
            "tenant_id": tenant.id,
            "name": person.values.get("name", ""),
            "email": person.values.get("email", ""),
            "phone": person.values.get("phone", ""),
            "id_number": person.values.get("id_number") or None,
            "birth_date": person.values.get("birth_date") or None,
            "location": person.values.get("location", ""),
            "language": tenant.default_language,
            "timezone": tenant.default_timezone,
            "source": f"import:{system}"[:40],
            "profile": {},
            "created_at": now,
            "updated_at": now,
        }
        for person in batch
    ]
    # One statement per person: SQLite cannot return the ids of a multi-row insert in
    # parameter order without falling back to row-at-a-time anyway.
    # Bulk inserts skip ORM events: fill the blind indexes the model keeps in sync itself.
    for spec in pii.blind_indexes():
        if spec.model is not Candidate:
            continue
        for row in rows:
            value = row.get(spec.source)
            row[spec.index] = (
                pii.blind_index(value, spec.kind, tenant_id=row.get(spec.tenant or ""), ring=ring)
                if value
                else None
            )
    table = Candidate.__table__
    candidate_insert = insert(table).returning(table.c.id)
    connection = session.connection()
    ids = [connection.execute(candidate_insert, row).scalar_one() for row in rows]
    region = mapping.region or tenant.region
    record_rows = []
    entry_rows: list[tuple[RecordEntry, Any]] = []
    head_rows = []
    import_rows = []
    for person, person_id in zip(batch, ids, strict=True):
        items = [
            NewEntry(
                type="import",
                source=source,
                data={
                    "source_row": {"values": person.values, "status": person.status},
                    **person.values,
                },
                facts={"source_system": system, "source_key": person.key[:200]},
                occurred_at=now,
                actor_label=actor_label,
                import_key=_person_import_key(system, person.key),
                source_checksum=person.checksum,
            )
        ]
        if person.status:
            items.append(
                NewEntry(
                    type="status_change",
                    source=source,
                    facts={"status": person.status, "previous": None},
                    occurred_at=now,
                    actor_label=actor_label,
                    import_key=f"{system}:person-status:{person.key}",
                )
            )
        items += history.get(person.key, [])
        prev = GENESIS_HASH
        for seq, item in enumerate(items, 1):
            # A plain namespace, not an ORM object: rows go in with one Core statement.
            entry = SimpleNamespace(
                tenant_id=tenant.id,
                person_id=person_id,
                seq=seq,
                type=item.type,
                source=item.source,
                actor_id=None,
                actor_label=item.actor_label,
                occurred_at=item.occurred_at or now,
                recorded_at=now,
                opening_id=None,
                attachment_id=None,
                facts=plain_facts(item.facts),
                payload=None,
                payload_key=None,
                payload_digest=None,
                import_key=item.import_key,
                source_checksum=item.source_checksum,
                erased_at=None,
            )
            data = None
            if item.data is not None:
                data = json.loads(canonical_json(item.data))
                entry.payload, entry.payload_key = encrypt_payload(
                    canonical_json(data).decode("utf-8"),
                    payload_context(tenant.id, person_id, seq),
                    ring,
                )
                entry.payload_digest = payload_digest(entry.payload)
            entry.prev_hash = prev
            entry.hash = row_hash(prev, entry_content(entry, seq))
            prev = entry.hash
            entry_rows.append((entry, data))
        head_rows.append(
            {
                "chain_id": person_chain_id(person_id),
                "seq": len(items),
                "hash": prev,
                "checkpointed_seq": 0,
                "updated_at": now,
            }
        )
        record_rows.append(
            {
                "tenant_id": tenant.id,
                "person_id": person_id,
                "region": region,
                "status": person.status or "",
                "status_at": now if person.status else None,
                "entry_count": len(items),
                "last_entry_at": now,
                "legal_hold": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        import_rows.append(
            {
                "tenant_id": tenant.id,
                "source_system": system,
                "source_key": person.key,
                "person_id": person_id,
                "checksum": person.checksum,
                "batch_id": batch_id,
                "imported_at": now,
            }
        )
    connection.execute(insert(ChainHead.__table__), head_rows)
    connection.execute(insert(PersonRecord.__table__), record_rows)
    columns = [c.key for c in RecordEntry.__table__.columns if c.key != "id"]
    connection.execute(
        insert(RecordEntry.__table__),
        [{c: getattr(e, c) for c in columns} for e, _ in entry_rows],
    )
    entry_ids = {
        (row.person_id, row.seq): row.id
        for row in session.execute(
            select(RecordEntry.id, RecordEntry.person_id, RecordEntry.seq).where(
                RecordEntry.person_id.in_(ids)
            )
        )
    }
    term_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for entry, data in entry_rows:
        entry_id = entry_ids[(entry.person_id, entry.seq)]
        terms, scores = index_rows(entry, entry_id, data, ring)
        term_rows += terms
        score_rows += scores
    if term_rows:
        connection.execute(insert(RecordTerm.__table__), term_rows)
    if score_rows:
        connection.execute(insert(RecordScore.__table__), score_rows)
    connection.execute(insert(ImportedRecord.__table__), import_rows)
    return {person.key: person_id for person, person_id in zip(batch, ids, strict=True)}


# --------------------------------------------------------------------------- verification


def _set_hash(checksums: dict[str, str]) -> str:
    digest = hashlib.sha256(b"hireflow/import-set/v1\x00")
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

    counts_imported: Counter[str] = Counter()
    db_checksums: dict[str, str] = {}
    mismatches: list[str] = []
    advance = step("verifying", len(people) + len(history))

    person_keys = [_person_import_key(system, p.key) for p in people]
    by_key = {p.key: p for p in people}
    candidates: dict[int, Candidate] = {}
    for start in range(0, len(people), BATCH):
        chunk_ids = [
            person_ids[p.key] for p in people[start : start + BATCH] if p.key in person_ids
        ]
        for candidate in session.scalars(select(Candidate).where(Candidate.id.in_(chunk_ids))):
            candidates[candidate.id] = candidate
    entries = _existing_keys(session, tenant_id, person_keys)
    for key, import_key in zip([p.key for p in people], person_keys, strict=True):
        entry = entries.get(import_key)
        if entry is None:
            mismatches.append(f"person {key}: not in the database")
            continue
        counts_imported["person"] += 1
        try:
            data = decrypt_payload(entry, ring) or {}
        except Exception as exc:
            mismatches.append(f"person {key}: cannot be read back ({exc})")
            continue
        source_row = data.get("source_row") or {}
        values = source_row.get("values") or {}
        recomputed = checksum("person", key, {**values, "status": source_row.get("status")})
        db_checksums[f"person:{key}"] = recomputed
        if recomputed != by_key[key].checksum:
            mismatches.append(f"person {key}: checksum differs")
            continue
        candidate = candidates.get(entry.person_id)
        if candidate is None or any(
            (getattr(candidate, name) or "") != (value or "") for name, value in values.items()
        ):
            mismatches.append(f"person {key}: the candidate row differs from the source")
        advance(1)
    session.expire_all()

    history_keys = [_history_import_key(system, h.source_file, h.key) for h in history]
    entries = _existing_keys(session, tenant_id, history_keys)
    ids_to_keys = {v: k for k, v in person_ids.items()}
    for item, import_key in zip(history, history_keys, strict=True):
        label = f"history:{item.source_file}:{item.key}"
        entry = entries.get(import_key)
        if entry is None:
            mismatches.append(f"{label}: not in the database")
            continue
        counts_imported[entry.type] += 1
        try:
            data = decrypt_payload(entry, ring) or {}
        except Exception as exc:
            mismatches.append(f"{label}: cannot be read back ({exc})")
            continue
        source_row = data.get("source_row") or {}
        recorded_time = source_row.get("time")
        if recorded_time is not None and json.loads(canonical_json(entry.occurred_at)) != (
            recorded_time
        ):
            mismatches.append(f"{label}: the entry's time differs from the source")
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
        db_checksums[label] = recomputed
        if recomputed != item.checksum:
            mismatches.append(f"{label}: checksum differs")
        advance(1)
    session.expire_all()
    return Verification(
        counts_source=dict(counts_source),
        counts_imported=dict(counts_imported),
        checksum_mismatches=mismatches,
        source_set_hash=_set_hash(source_checksums),
        imported_set_hash=_set_hash(db_checksums),
    )


def import_file_counts(session: Session, tenant_id: int, system: str) -> dict[str, int]:
    """Records of one source system in a tenant, per type (for reports)."""
    rows = session.execute(
        select(RecordEntry.type, func.count())
        .where(RecordEntry.tenant_id == tenant_id, RecordEntry.import_key.startswith(f"{system}:"))
        .group_by(RecordEntry.type)
    )
    return {kind: int(count) for kind, count in rows}
