"""Reading an old HR system's export for ``records.migration``: the field-mapping file,
CSV/XLSX rows, values (times, numbers) and the mapped people and history with their
checksums (the mapping format is described in ``records.migration``)."""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from hireflow.core import pii
from hireflow.core.crypto import default_suite
from hireflow.records.chain import canonical_json
from hireflow.records.models import STATUSES
from hireflow.records.payloads import plain_facts

PERSON_FIELDS = ("name", "email", "phone", "id_number", "birth_date", "location")
HISTORY_TYPES = ("profile_change", "application", "interview_result", "review", "note")
BATCH = 500

Step = Callable[[str, int], Callable[[int], None]]


def no_progress(_description: str, _total: int) -> Callable[[int], None]:
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


def _people_spec(people_raw: Any, base: Path, problems: list[str]) -> PeopleSpec:
    """The mapping's ``people:`` part; its problems appended to ``problems``."""
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
    return PeopleSpec(src.file, src.sheet, src.key, fields, list(required), status)


def _history_specs(history_raw: Any, base: Path, problems: list[str]) -> list[HistorySpec]:
    """The mapping's ``history:`` sources; their problems appended to ``problems``."""
    history: list[HistorySpec] = []
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
    return history


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
    people = _people_spec(raw.get("people"), base, problems)
    history = _history_specs(raw.get("history") or [], base, problems)
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


def missing_columns(header: list[str], wanted: list[str], name: str) -> list[str]:
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


def checksum_body(kind: str, key: str, values: dict[str, Any]) -> bytes:
    """What a source record's checksum covers: its mapped values, canonically."""
    return b"hireflow/import/v1\x00" + canonical_json({"kind": kind, "key": key, "values": values})


def checksum(kind: str, key: str, values: dict[str, Any]) -> str:
    """The deployment suite's hash (SHA-256, or SM3 under the sm suite) of one source
    record's mapped values (identical from source and database)."""
    return default_suite().hexdigest(checksum_body(kind, key, values))


@dataclass
class PersonRecordIn:
    key: str
    line: int
    values: dict[str, str]
    status: str | None
    checksum: str
    #: what ``checksum`` covers, to recognise a checksum stored under an earlier suite
    checksum_body: bytes = field(default=b"", repr=False)


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
    checksum_body: bytes = field(default=b"", repr=False)


def _keyed(
    rows: list[SourceRow], column: str, name: str, seen: dict[str, int], errors: list[RowError]
) -> Iterator[tuple[SourceRow, str]]:
    """Each row with its key, when it has one not ``seen`` yet (key -> line); the others
    become errors. The caller marks a key seen once it accepts the row."""
    for row in rows:
        key = row.values.get(column, "")
        if not key:
            errors.append(RowError(name, row.line, f"no value in key column {column!r}"))
            continue
        if key in seen:
            errors.append(RowError(name, row.line, f"key {key!r} repeats line {seen[key]}"))
            continue
        yield row, key


def map_people(
    spec: PeopleSpec, rows: list[SourceRow], errors: list[RowError]
) -> list[PersonRecordIn]:
    name = spec.file.name
    seen: dict[str, int] = {}
    people: list[PersonRecordIn] = []
    for row, key in _keyed(rows, spec.key, name, seen, errors):
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
        body = checksum_body("person", key, {**values, "status": status})
        people.append(
            PersonRecordIn(key, row.line, values, status, default_suite().hexdigest(body), body)
        )
    return people


def map_history(
    spec: HistorySpec,
    rows: list[SourceRow],
    people_keys: set[str],
    zone: ZoneInfo,
    errors: list[RowError],
) -> list[HistoryRecordIn]:
    name = spec.file.name
    seen: dict[str, int] = {}
    found: list[HistoryRecordIn] = []
    for row, key in _keyed(rows, spec.key, name, seen, errors):
        person = row.values.get(spec.person, "")
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
        body = checksum_body("history", f"{name}:{key}", json.loads(canonical_json(values)))
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
                default_suite().hexdigest(body),
                body,
            )
        )
    return found
