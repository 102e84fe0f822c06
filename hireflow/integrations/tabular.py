"""Reading and writing the spreadsheets of export and import: CSV (UTF-8, with or without a
BOM, or GB18030 as Chinese Excel saves it) and XLSX (openpyxl, read-only, values only).

Uploads are checked before parsing: at most ``MAX_BYTES`` and ``MAX_ROWS``, and the content must
be what the name says (an XLSX is a ZIP archive; a CSV is text with no NUL byte). Formula cells
are exported with a leading apostrophe so a spreadsheet does not run them (CSV injection).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from hireflow.core.errors import N_, TooLarge, ValidationFailed

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
FORMATS = ("csv", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = _text(value)
    if text.startswith(_FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _text(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def write(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            sheet.append([_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    # A BOM, so Excel opens UTF-8 Chinese text correctly.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def kind_of(filename: str, content: bytes) -> str:
    """``csv`` or ``xlsx`` from the name, confirmed by the content; else ValidationFailed."""
    name = filename.lower()
    if len(content) > MAX_BYTES:
        raise TooLarge(params={"limit": "5 MB"})
    if not content:
        raise ValidationFailed(N_("The file is empty."), fields={"file": "empty"})
    if name.endswith(".xlsx"):
        if content[:4] != b"PK\x03\x04" or not zipfile.is_zipfile(io.BytesIO(content)):
            raise ValidationFailed(
                N_("This file is not a valid XLSX workbook."), fields={"file": "type"}
            )
        return "xlsx"
    if name.endswith(".csv"):
        if b"\x00" in content[:4096] or content[:4] == b"PK\x03\x04":
            raise ValidationFailed(N_("This file is not a CSV text file."), fields={"file": "type"})
        return "csv"
    raise ValidationFailed(N_("Upload a .csv or .xlsx file."), fields={"file": "type"})


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationFailed(
        N_("The CSV file's text encoding is not readable."), fields={"file": "encoding"}
    )


def read(filename: str, content: bytes) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the first sheet, every cell as stripped text."""
    fmt = kind_of(filename, content)
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(_decode(content))))
    else:
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a damaged file
            raise ValidationFailed(
                N_("This file is not a valid XLSX workbook."), fields={"file": "type"}
            ) from None
        sheet = book.worksheets[0]
        lines = []
        for row in sheet.iter_rows(values_only=True):
            lines.append(["" if v is None else _text(v) for v in row])
            if len(lines) > MAX_ROWS + 1:
                break
        book.close()
    lines = [[c.strip() for c in line] for line in lines if any(c.strip() for c in line)]
    if not lines:
        raise ValidationFailed(N_("The file is empty."), fields={"file": "empty"})
    if len(lines) > MAX_ROWS + 1:
        raise ValidationFailed(
            N_("At most %(rows)s rows can be imported at once."),
            fields={"file": "rows"},
            params={"rows": MAX_ROWS},
        )
    return lines[0], lines[1:]
