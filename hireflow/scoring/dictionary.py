"""Import a company's competency dictionary (岗位能力词典) from CSV, XLSX or YAML (SPEC B2).

HR departments keep their competency dictionaries in spreadsheets. The importer accepts
one row per competency, or several rows per competency (one behavioural indicator per row,
the other cells left empty or merged, as Excel exports merged cells), with English or
Chinese column headers:

=================  ==========================================================
column             accepted headers (case and spacing ignored)
=================  ==========================================================
id                 id, code, competency_id, 编码, 维度编码, 能力编码
name (zh / en)     维度, 维度名称, 能力名称, name_zh; name, name_en, 英文名称; name_ja
weight             weight, 权重 (25, 25%, 0.25 all work; relative weights)
required level     required_level, 要求等级, 目标等级 (0–10)
description        description, 定义, 维度定义, 说明 (+ _zh / _en)
indicator          indicator, 行为指标, 关键行为 (+ _zh / _en)
anchors            level_1 … level_5, 1级 … 5级, 一级 … 五级, L1 … L5 (+ _zh / _en)
=================  ==========================================================

A header may end with a language (``_zh``, ``_en``, ``(中文)``, ``(英文)``); without one,
the language of each cell is detected. Problems are reported all at once, each with its
spreadsheet row and column: ``row 7, column 权重: 'abc' is not a number``.

A YAML (or JSON) file may hold either a full competency model (``id``, ``name``,
``dimensions``) or a list of rows with the same column names as a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hireflow.scoring.dictionary_columns import Column, resolve_header
from hireflow.scoring.dictionary_files import MAX_FILE_BYTES, WHAT, read_rows, rows_from_records
from hireflow.scoring.models import (
    DEFAULT_REQUIRED_LEVEL,
    CompetencyModel,
    FieldError,
    ModelError,
    model_from_dict,
    read_structured_file,
)
from hireflow.scoring.text import detect_language

__all__ = [
    "import_dictionary",
    "model_to_csv",
    "model_to_rows",
    "rows_to_model",
]

MAX_CELL_CHARS = 2000


@dataclass
class _Competency:
    first_row: int
    last_row: int
    ident: str | None = None
    name: dict[str, str] = field(default_factory=dict)
    weight: float | None = None
    required_level: float | None = None
    description: dict[str, str] = field(default_factory=dict)
    indicators: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (id, text)
    anchors: dict[int, dict[str, str]] = field(default_factory=dict)
    sources: dict[str, tuple[int, str]] = field(default_factory=dict)  # field -> (row, header)
    bad_weight: bool = False  # an unreadable weight was already reported


# ------------------------------------------------------------------------ building


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _parse_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    # "25%" and "25" both mean a relative weight of 25; weights are normalised later.
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").rstrip("%")
    try:
        return float(text.strip())
    except ValueError:
        return None


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w]+", "_", unicodedata.normalize("NFKC", text).strip().lower())
    return slug.strip("_")


def rows_to_model(
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[Any]]],
    model_id: str = "company-dictionary",
    name: str | Mapping[str, str] | None = None,
    industry: str | None = None,
    version: str = "1",
) -> CompetencyModel:
    """Build and validate a model from a header and numbered data rows.

    Steps: read the header into columns and check that the needed ones are there; group the
    rows into competencies (a row without a name continues the one above); turn each
    competency into a model dimension, checking what it lacks; validate the whole model and
    put its errors back on rows and columns.
    """
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    columns = _resolve_columns(header, errors, warnings)
    keys = {c.key for c in columns if c is not None}
    _check_columns(keys, errors, warnings)
    if errors:
        raise ModelError(errors, WHAT)
    competencies = _group_rows(columns, rows, errors)
    if not competencies and not errors:
        errors.append(FieldError("rows", "the file has a header but no competencies"))
    dimensions = _dimensions(competencies, columns, "weight" in keys, errors)
    if errors:
        raise ModelError(errors, WHAT)
    return _validated_model(model_id, name, industry, version, dimensions, competencies, warnings)


def _resolve_columns(
    header: Sequence[str], errors: list[FieldError], warnings: list[FieldError]
) -> list[Column | None]:
    """One entry per header cell: the dictionary column it is, or None (ignored or repeated)."""
    columns: list[Column | None] = []
    seen_columns: dict[tuple[str, str | None], tuple[str, int]] = {}
    for index, raw in enumerate(header):
        text = _cell_text(raw)
        column = resolve_header(text) if text else None
        if column is None:
            if text:
                warnings.append(FieldError(f"column {text}", "not a dictionary column; ignored"))
            columns.append(None)
            continue
        slot = (column.key, column.lang)
        if slot in seen_columns:
            first_text, first_index = seen_columns[slot]
            errors.append(
                FieldError(
                    f"column {text}", f"repeats column {first_text} (column {first_index + 1})"
                )
            )
            columns.append(None)
            continue
        seen_columns[slot] = (text, index)
        columns.append(column)
    return columns


def _check_columns(keys: set[str], errors: list[FieldError], warnings: list[FieldError]) -> None:
    """The columns a dictionary cannot do without (a missing weight column is only a warning)."""
    if not keys & {"name", "id"}:
        errors.append(
            FieldError(
                "columns",
                "need a competency name column (维度 / name_zh / name_en) or an id column",
            )
        )
    missing_levels = [n for n in range(1, 6) if f"level_{n}" not in keys]
    if missing_levels:
        errors.append(
            FieldError(
                "columns",
                "need rating-anchor columns for levels 1..5 (1级 … 5级 / level_1 … level_5); "
                f"missing {', '.join(map(str, missing_levels))}",
            )
        )
    if "indicator" not in keys:
        errors.append(
            FieldError("columns", "need a behavioural indicator column (行为指标 / indicator)")
        )
    if "weight" not in keys:
        warnings.append(
            FieldError(
                "columns", "no weight column (权重 / weight): all competencies weigh the same"
            )
        )


_Values = dict[tuple[str, str | None], tuple[Any, str]]  # (key, lang) -> (cell, header)


def _row_values(columns: Sequence[Column | None], cells: Sequence[Any]) -> _Values:
    values: _Values = {}
    for column, value in zip(columns, cells, strict=False):
        if column is None or value is None or _cell_text(value) == "":
            continue
        values[(column.key, column.lang)] = (value, column.header)
    return values


def _group_rows(
    columns: Sequence[Column | None],
    rows: Iterable[tuple[int, Sequence[Any]]],
    errors: list[FieldError],
) -> list[_Competency]:
    """Competencies in file order; a row naming none continues the one above it."""
    competencies: list[_Competency] = []
    by_key: dict[str, _Competency] = {}
    current: _Competency | None = None
    for number, cells in rows:
        values = _row_values(columns, cells)
        if not values:
            continue  # blank line
        for value, header_text in values.values():
            if len(_cell_text(value)) > MAX_CELL_CHARS:
                errors.append(
                    FieldError(
                        f"row {number}, column {header_text}",
                        f"is longer than {MAX_CELL_CHARS} characters",
                    )
                )
        ident = _cell_text(values[("id", None)][0]) if ("id", None) in values else ""
        names: list[tuple[str, str, str]] = []  # (language, text, header)
        for (field_key, lang), (value, header_text) in values.items():
            if field_key == "name":
                text = _cell_text(value)
                names.append((lang or detect_language(text), text, header_text))
        by_lang = {lang: text for lang, text, _ in names}
        key = ident or by_lang.get("zh") or by_lang.get("en") or (names[0][1] if names else "")
        if key:
            comp = by_key.get(key)
            if comp is None:
                comp = _Competency(first_row=number, last_row=number)
                by_key[key] = comp
                competencies.append(comp)
            current = comp
        elif current is None:
            errors.append(
                FieldError(f"row {number}", "names no competency (fill in 维度 / name or id)")
            )
            continue
        comp = current
        comp.last_row = number
        if ident:
            _set(comp, "id", ident, number, values[("id", None)][1], errors)
        for lang, text, header_text in names:
            _set_text(comp.name, lang, text, comp, "name.", number, header_text, errors)
        _apply_fields(comp, values, number, errors)
        _add_indicator(comp, values, number, errors)
    return competencies


def _apply_fields(
    comp: _Competency, values: _Values, number: int, errors: list[FieldError]
) -> None:
    """Weight, required level, description and anchors of one row."""
    for (field_key, lang), (value, header_text) in values.items():
        location = f"row {number}, column {header_text}"
        if field_key == "weight":
            weight = _parse_number(value)
            if weight is None:
                errors.append(FieldError(location, f"{_cell_text(value)!r} is not a number"))
                comp.bad_weight = True
            elif weight <= 0:
                errors.append(FieldError(location, f"must be greater than 0 (got {weight:g})"))
                comp.bad_weight = True
            else:
                _set(comp, "weight", weight, number, header_text, errors)
        elif field_key == "required_level":
            level = _parse_number(value)
            if level is None:
                errors.append(FieldError(location, f"{_cell_text(value)!r} is not a number"))
            elif not 0 <= level <= 10:
                errors.append(FieldError(location, f"must be 0..10 (got {level:g})"))
            else:
                _set(comp, "required_level", level, number, header_text, errors)
        elif field_key == "description" or field_key.startswith("level_"):
            text = _cell_text(value)
            if field_key == "description":
                target, slot = comp.description, "description."
            else:
                target, slot = comp.anchors.setdefault(int(field_key[-1]), {}), f"{field_key}."
            lang = lang or detect_language(text)
            _set_text(target, lang, text, comp, slot, number, header_text, errors)


def _add_indicator(
    comp: _Competency, values: _Values, number: int, errors: list[FieldError]
) -> None:
    indicator: dict[str, str] = {}
    for slot, (value, _header_text) in values.items():
        if slot[0] == "indicator":
            text = _cell_text(value)
            indicator[slot[1] or detect_language(text)] = text
    if indicator:
        indicator_id = values.get(("indicator_id", None))
        comp.indicators.append((_cell_text(indicator_id[0]) if indicator_id else "", indicator))
    elif ("indicator_id", None) in values:
        errors.append(
            FieldError(
                f"row {number}, column {values[('indicator_id', None)][1]}",
                "names an indicator but the indicator text is empty",
            )
        )


def _rows_of(comp: _Competency) -> str:
    if comp.first_row == comp.last_row:
        return f"row {comp.first_row}"
    return f"rows {comp.first_row}-{comp.last_row}"


def _dimensions(
    competencies: Sequence[_Competency],
    columns: Sequence[Column | None],
    weight_column: bool,
    errors: list[FieldError],
) -> list[dict[str, Any]]:
    """Each competency as a model dimension, reporting repeated ids and missing parts."""
    dimensions: list[dict[str, Any]] = []
    used_ids: dict[str, int] = {}
    for comp in competencies:
        where = _rows_of(comp)
        ident = comp.ident or _slug(
            comp.name.get("en") or comp.name.get("zh") or next(iter(comp.name.values()), "")
        )
        if ident in used_ids:
            errors.append(
                FieldError(
                    f"row {comp.first_row}",
                    f"competency id {ident!r} repeats row {used_ids[ident]}",
                )
            )
        used_ids.setdefault(ident, comp.first_row)
        if not comp.name:
            comp.name = {detect_language(ident): ident}
        _check_parts(comp, ident, where, columns, weight_column, errors)
        dimensions.append(
            {
                "id": ident,
                "name": comp.name,
                "weight": comp.weight if comp.weight is not None else 1.0,
                "required_level": comp.required_level
                if comp.required_level is not None
                else DEFAULT_REQUIRED_LEVEL,
                "description": comp.description,
                "indicators": [
                    {"id": given or f"{ident}.{i}", "text": text}
                    for i, (given, text) in enumerate(comp.indicators, start=1)
                ],
                "anchors": [
                    {"level": level, "text": comp.anchors[level]} for level in sorted(comp.anchors)
                ],
            }
        )
    return dimensions


def _check_parts(
    comp: _Competency,
    ident: str,
    where: str,
    columns: Sequence[Column | None],
    weight_column: bool,
    errors: list[FieldError],
) -> None:
    """A weight (when the file has the column), all five anchors and an indicator."""
    if weight_column and comp.weight is None and not comp.bad_weight:
        errors.append(
            FieldError(
                f"{where}, column {_header_of(columns, 'weight')}",
                "is empty: every competency needs a weight",
            )
        )
    for level in range(1, 6):
        if level not in comp.anchors:
            errors.append(
                FieldError(
                    f"{where}, column {_header_of(columns, f'level_{level}')}",
                    f"missing the level {level} anchor of {ident!r}",
                )
            )
    if not comp.indicators:
        errors.append(
            FieldError(
                f"{where}, column {_header_of(columns, 'indicator')}",
                f"{ident!r} has no behavioural indicator",
            )
        )


def _validated_model(
    model_id: str,
    name: str | Mapping[str, str] | None,
    industry: str | None,
    version: str,
    dimensions: list[dict[str, Any]],
    competencies: Sequence[_Competency],
    warnings: list[FieldError],
) -> CompetencyModel:
    """The model validated as a whole, its errors and warnings placed on the file's rows."""
    if isinstance(name, str):
        name = {detect_language(name): name}
    data = {
        "id": model_id,
        "name": dict(name) if name else {"zh": "岗位能力词典", "en": "Competency dictionary"},
        "industry": industry,
        "version": version,
        "dimensions": dimensions,
    }
    try:
        model = model_from_dict(data)
    except ModelError as exc:
        raise ModelError([_relocate(e, competencies) for e in exc.errors], WHAT) from None
    relocated = _summarise_languages([_relocate(w, competencies) for w in model.warnings])
    return replace(model, warnings=tuple(warnings) + relocated)


_MISSING_RE = re.compile(r"^missing (zh|en) (?:text|entries)$")
_LANGUAGE_NAMES = {"zh": ("Chinese", "中文"), "en": ("English", "英文")}


def _summarise_languages(warnings: Sequence[FieldError]) -> tuple[FieldError, ...]:
    """One warning per missing language instead of one per cell of a one-language file."""
    missing: dict[str, list[FieldError]] = {}
    others: list[FieldError] = []
    for warning in warnings:
        match = _MISSING_RE.match(warning.message)
        if match:
            missing.setdefault(match.group(1), []).append(warning)
        else:
            others.append(warning)
    for lang, items in missing.items():
        english, chinese = _LANGUAGE_NAMES[lang]
        others.append(
            FieldError(
                "file",
                f"{len(items)} texts have no {english} version ({chinese}), e.g. "
                f"{items[0].location}; interviews in {english} will show the other language",
            )
        )
    return tuple(others)


def _header_of(columns: Sequence[Column | None], key: str) -> str:
    return next((c.header for c in columns if c is not None and c.key == key), key)


def _set(
    comp: _Competency, name: str, value: Any, row: int, header: str, errors: list[FieldError]
) -> None:
    """Set a single-valued field once; a different value in a later row is a conflict."""
    current = getattr(comp, "ident" if name == "id" else name)
    if current is None:
        setattr(comp, "ident" if name == "id" else name, value)
        comp.sources[name] = (row, header)
    elif current != value:
        first_row, _ = comp.sources[name]
        errors.append(
            FieldError(
                f"row {row}, column {header}",
                f"{value!r} conflicts with {current!r} given in row {first_row}",
            )
        )


def _set_text(
    target: dict[str, str],
    lang: str,
    text: str,
    comp: _Competency,
    slot: str,
    row: int,
    header: str,
    errors: list[FieldError],
) -> None:
    if lang not in target:
        target[lang] = text
        comp.sources[slot + lang] = (row, header)
    elif target[lang] != text:
        first_row, _ = comp.sources.get(slot + lang, (row, header))
        errors.append(
            FieldError(
                f"row {row}, column {header}",
                f"{text!r} conflicts with {target[lang]!r} given in row {first_row}",
            )
        )


_DIMENSION_RE = re.compile(r"^dimensions\[(\d+)\]\.?")


def _relocate(error: FieldError, competencies: Sequence[_Competency]) -> FieldError:
    """Turn ``dimensions[2].name`` into ``rows 7-9, name`` for people reading a spreadsheet."""
    match = _DIMENSION_RE.match(error.location)
    if not match:
        return error
    where = _rows_of(competencies[int(match.group(1))])
    rest = error.location[match.end() :]
    return FieldError(f"{where}, {rest}" if rest else where, error.message)


def import_dictionary(
    source: str | Path,
    model_id: str | None = None,
    name: str | Mapping[str, str] | None = None,
    industry: str | None = None,
) -> CompetencyModel:
    """Read a company's competency dictionary into a validated :class:`CompetencyModel`.

    ``model_id`` defaults to the file name. Non-blocking findings (ignored columns, text in
    one language only) are in ``model.warnings``; errors raise :class:`ModelError` with every
    problem, each naming its row and column.
    """
    path = Path(source)
    if not path.exists():
        raise ModelError([FieldError("file", f"{path} does not exist")], WHAT)
    model_id = model_id or _slug(path.stem) or "company-dictionary"
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ModelError(
                [FieldError("file", f"is larger than {MAX_FILE_BYTES // 1024} KiB")], WHAT
            )
        data = read_structured_file(path, WHAT)
        if isinstance(data, Mapping) and "dimensions" in data:
            merged = dict(data)
            merged.setdefault("id", model_id)
            if name:
                merged["name"] = name
            if industry:
                merged["industry"] = industry
            return model_from_dict(merged)
        if isinstance(data, Mapping):
            data = data.get("competencies", data.get("rows"))
        if not isinstance(data, list):
            raise ModelError(
                [FieldError("file", "must hold a model (id, name, dimensions) or a list of rows")],
                WHAT,
            )
        header, rows = rows_from_records(data)
    else:
        header, rows = read_rows(path)
    return rows_to_model(header, rows, model_id=model_id, name=name, industry=industry)


# ------------------------------------------------------------------------- export


def model_to_rows(model: CompetencyModel) -> list[dict[str, Any]]:
    """One row per indicator, in the column layout the importer reads back."""
    rows: list[dict[str, Any]] = []
    with_ja = any("ja" in dim.name for dim in model.dimensions)  # Japanese names (E7)
    for dim in model.dimensions:
        for i, indicator in enumerate(dim.indicators):
            row: dict[str, Any] = {
                "id": dim.id if i == 0 else "",
                "name_zh": dim.name.get("zh", "") if i == 0 else "",
                "name_en": dim.name.get("en", "") if i == 0 else "",
                **({"name_ja": dim.name.get("ja", "") if i == 0 else ""} if with_ja else {}),
                "weight": dim.weight if i == 0 else "",
                "required_level": dim.required_level if i == 0 else "",
                "description_zh": dim.description.get("zh", "") if i == 0 else "",
                "description_en": dim.description.get("en", "") if i == 0 else "",
                "indicator_id": indicator.id,
                "indicator_zh": indicator.text.get("zh", ""),
                "indicator_en": indicator.text.get("en", ""),
            }
            for anchor in dim.anchors:
                row[f"level_{anchor.level}_zh"] = anchor.text.get("zh", "") if i == 0 else ""
                row[f"level_{anchor.level}_en"] = anchor.text.get("en", "") if i == 0 else ""
            rows.append(row)
    return rows


def model_to_csv(model: CompetencyModel) -> str:
    """A CSV (UTF-8) of the model that HR can edit in a spreadsheet and import again."""
    rows = model_to_rows(model)
    header = list(rows[0]) if rows else []
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
