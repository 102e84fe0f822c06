"""Reading a competency dictionary file (:mod:`hireflow.scoring.dictionary`): CSV in UTF-8 or
GB18030 with any of , ; tab, the first worksheet of an XLSX, or YAML/JSON rows, as a header
and numbered rows, within size limits."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hireflow.scoring.models import FieldError, ModelError
from hireflow.scoring.yaml_text import SPLIT_HINT

__all__ = ["MAX_FILE_BYTES", "MAX_ROWS", "WHAT", "read_rows", "rows_from_records"]

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000
WHAT = "competency dictionary"


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Header and data rows (with their 1-based spreadsheet row numbers) of a CSV/XLSX."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise ModelError(
            [
                FieldError(
                    "file", f"is {size // 1024} KiB; the limit is {MAX_FILE_BYTES // 1024} KiB"
                )
            ],
            WHAT,
        )
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path.read_bytes())
    raise ModelError(
        [FieldError("file", f"unsupported type {suffix or '(none)'}: use .csv, .xlsx or .yaml")],
        WHAT,
    )


def _read_csv(raw: bytes) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    # Excel on Chinese Windows saves CSV as GB18030; everything else is UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte sequence
        raise ModelError([FieldError("file", "is neither UTF-8 nor GB18030 text")], WHAT)
    # The delimiter is whichever of , ; tab the header line uses most (European Excel
    # writes ";"); csv.Sniffer also guesses quoting and gets doubled quotes wrong.
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text), csv.excel, delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    header: list[str] | None = None
    for number, row in enumerate(reader, start=1):
        if header is None:
            if any(cell.strip() for cell in row):
                header = [cell.strip() for cell in row]
            continue
        rows.append((number, row))
        if len(rows) > MAX_ROWS:
            raise ModelError([FieldError("file", f"has more than {MAX_ROWS} rows")], WHAT)
    if header is None:
        raise ModelError([FieldError("file", "is empty")], WHAT)
    return header, rows


def _read_xlsx(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet instead of building it all in memory.
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError, ValueError... on bad files
        raise ModelError(
            [FieldError("file", f"is not a readable .xlsx workbook ({exc})")], WHAT
        ) from None
    try:
        sheet = workbook.worksheets[0]
        header: list[str] | None = None
        rows: list[tuple[int, list[Any]]] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(values)
            if header is None:
                if any(v is not None and str(v).strip() for v in cells):
                    header = ["" if v is None else str(v).strip() for v in cells]
                continue
            rows.append((number, cells))
            if len(rows) > MAX_ROWS:
                raise ModelError([FieldError("file", f"has more than {MAX_ROWS} rows")], WHAT)
    finally:
        workbook.close()
    if header is None:
        raise ModelError([FieldError("file", "the first worksheet is empty")], WHAT)
    return header, rows


def rows_from_records(records: Sequence[Any]) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """YAML/JSON rows (mappings with spreadsheet column names) as header + numbered rows."""
    header: list[str] = []
    for record in records:
        if isinstance(record, Mapping):
            for key in record:
                if str(key) not in header:
                    header.append(str(key))
    rows: list[tuple[int, list[Any]]] = []
    errors: list[FieldError] = []
    for i, record in enumerate(records):
        if not isinstance(record, Mapping):
            errors.append(FieldError(f"row {i + 1}", "must be a mapping of column to value"))
            continue
        values = {str(k): v for k, v in record.items()}
        for key, value in values.items():
            cells = value if isinstance(value, list | tuple) else [value]
            if any(isinstance(cell, Mapping) for cell in cells):
                message = f"must be a text, not a mapping: it {SPLIT_HINT}"
                errors.append(FieldError(f"row {i + 1}, column {key}", message))
        rows.append((i + 1, [_yaml_cell(values.get(h)) for h in header]))
    if errors:
        raise ModelError(errors, WHAT)
    return header, rows


def _yaml_cell(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return "\n".join(str(v) for v in value)
    return value
