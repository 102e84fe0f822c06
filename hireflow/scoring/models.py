"""Competency models and questions: the engine's shared schema (SPEC B2, B3).

A competency model (岗位胜任力模型) is a list of dimensions, each with a weight, the level the
job requires, behavioural indicators (what good behaviour looks like) and a behaviourally
anchored rating scale: five anchors, one per level 1..5, each describing what a candidate at
that level is observed to do. Questions point at the dimensions they assess.

Everything here is a frozen dataclass. Localised text is a ``{"zh": ..., "en": ...}`` dict;
:func:`localised` picks a language with fallbacks.

Validation collects every problem, not just the first, and names the field of each one
(``dimensions[2].anchors[0].level: must be 1..5``), so that a person fixing an uploaded file
sees all of them at once. Missing translations are an error for the built-in presets and the
question bank but only a warning for a company's own model, which may well be written in one
language only.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from hireflow.scoring.yaml_text import LANGUAGE_KEY, SPLIT_HINT, load_yaml

__all__ = [
    "LANGUAGES",
    "QUESTION_KINDS",
    "Anchor",
    "CompetencyModel",
    "Dimension",
    "FieldError",
    "Indicator",
    "ModelError",
    "Question",
    "list_job_types",
    "list_presets",
    "load_model",
    "load_preset",
    "localised",
    "model_from_dict",
    "model_to_dict",
    "question_from_dict",
    "question_to_dict",
    "read_structured_file",
    "read_yaml",
]

LANGUAGES = ("zh", "en")
QUESTION_KINDS = ("behavioural", "situational", "motivation", "technical")
LEVELS = (1, 2, 3, 4, 5)
DEFAULT_REQUIRED_LEVEL = 6.0
DEFAULT_VERSION = "1"

# Ids are what HR systems, URLs and reports refer to: letters (any script), digits, and
# . _ - ; no spaces.
_ID_RE = re.compile(r"^[\w][\w.\-]*$")


def localised(text: Mapping[str, str] | None, lang: str) -> str:
    """Text in ``lang``, falling back to Chinese, then English, then any non-empty value
    (Japanese falls back to English first: a Japanese reader is likelier to read it)."""
    if not text:
        return ""
    for key in (lang, "en", "zh") if lang == "ja" else (lang, "zh", "en"):
        value = text.get(key)
        if value:
            return value
    return next((value for value in text.values() if value), "")


# ---------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class FieldError:
    """One problem in a model, question or file, with the field it concerns."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ModelError(ValueError):
    """Invalid input; ``errors`` lists every problem found, each naming its field."""

    def __init__(self, errors: Iterable[FieldError], what: str = "competency model") -> None:
        self.errors: list[FieldError] = list(errors)
        count = len(self.errors)
        lines = "\n".join(f"  - {error}" for error in self.errors)
        super().__init__(f"invalid {what} ({count} error{'s' * (count != 1)}):\n{lines}")


# ---------------------------------------------------------------------------- schema


@dataclass(frozen=True)
class Anchor:
    """One level of a behaviourally anchored rating scale (1 = weakest, 5 = strongest)."""

    level: int
    text: dict[str, str]


@dataclass(frozen=True)
class Indicator:
    """An observable behaviour that shows a dimension (行为指标)."""

    id: str
    text: dict[str, str]


@dataclass(frozen=True)
class Dimension:
    """One competency of a model: weight, required level, indicators and rating anchors.

    ``weight`` is relative (the model normalises weights to sum 1); ``required_level`` is on
    the 0–10 scale reports use, the level the job expects.
    """

    id: str
    name: dict[str, str]
    weight: float
    required_level: float
    indicators: tuple[Indicator, ...]
    anchors: tuple[Anchor, ...]
    description: dict[str, str]

    def anchor(self, level: int) -> Anchor:
        """The anchor of ``level`` (1..5); KeyError if the scale has no such level."""
        for anchor in self.anchors:
            if anchor.level == level:
                return anchor
        raise KeyError(f"dimension {self.id!r} has no anchor for level {level}")


@dataclass(frozen=True)
class CompetencyModel:
    """A job's competency model (岗位胜任力模型).

    ``warnings`` lists non-blocking findings from loading (for example a dimension written in
    one language only); it does not take part in equality and is not serialised.
    """

    id: str
    name: dict[str, str]
    industry: str | None
    version: str
    dimensions: tuple[Dimension, ...]
    warnings: tuple[FieldError, ...] = field(default=(), compare=False, repr=False)

    def dimension(self, dimension_id: str) -> Dimension:
        """The dimension with this id; KeyError if the model has none."""
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    @property
    def dimension_ids(self) -> tuple[str, ...]:
        return tuple(d.id for d in self.dimensions)

    def normalised_weights(self) -> dict[str, float]:
        """Weights scaled to sum 1, in dimension order."""
        total = math.fsum(d.weight for d in self.dimensions)
        return {d.id: d.weight / total for d in self.dimensions}


@dataclass(frozen=True)
class Question:
    """An interview question tied to the dimensions it assesses.

    ``reference_answers`` and ``key_points`` are per language (mostly for technical
    questions); ``rationale`` says what the question reveals and why it is asked. The
    optional fields help choose questions: ``skills`` (technical topics such as "python"),
    ``industries`` and ``job_types`` (empty = any), ``tags`` (e.g. "warmup", "closing",
    "customer_complaint") and ``follow_ups`` (probing questions per language).
    """

    id: str
    kind: str
    text: dict[str, str]
    dimensions: tuple[str, ...]
    time_limit_s: int
    reference_answers: dict[str, tuple[str, ...]]
    key_points: dict[str, tuple[str, ...]]
    rationale: dict[str, str]
    skills: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    job_types: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    follow_ups: dict[str, tuple[str, ...]] = field(default_factory=dict)


# ------------------------------------------------------------------------ validation


class _Collector:
    """Accumulates errors and warnings while a document is checked."""

    def __init__(self, require_bilingual: bool) -> None:
        self.require_bilingual = require_bilingual
        self.errors: list[FieldError] = []
        self.warnings: list[FieldError] = []

    def error(self, location: str, message: str) -> None:
        self.errors.append(FieldError(location, message))

    def warn(self, location: str, message: str) -> None:
        self.warnings.append(FieldError(location, message))

    # Each reader returns a usable value even after an error, so that checking goes on and
    # later fields are reported too.

    def identifier(self, value: Any, loc: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.error(loc, "is required (a non-empty text)")
            return ""
        value = value.strip()
        if not _ID_RE.match(value):
            self.error(loc, f"{value!r} may contain only letters, digits, '.', '_' and '-'")
        return value

    def text(self, value: Any, loc: str, required: bool = True) -> dict[str, str]:
        """A localised text: a {lang: text} mapping, or a plain string (language detected)."""
        if value is None or value == "" or value == {}:
            if required:
                self.error(loc, "is required")
            return {}
        if isinstance(value, str):
            from hireflow.scoring.text import detect_language

            lang = detect_language(value)
            value = {lang: value}
        if not isinstance(value, Mapping):
            self.error(loc, f"must be a text or a mapping of language to text, not {_kind(value)}")
            return {}
        result: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str) or not LANGUAGE_KEY.match(key):
                self.error(loc, _language_key_message(key))
                continue
            if item is None or (isinstance(item, str) and not item.strip()):
                continue
            if not isinstance(item, str):
                self.error(f"{loc}.{key}", f"must be a text, not {_kind(item)}")
                continue
            result[key] = item.strip()
        if not result:
            if required:
                self.error(loc, "is required (all languages are empty)")
            return result
        missing = [lang for lang in LANGUAGES if lang not in result]
        if missing:
            message = f"missing {' and '.join(missing)} text"
            if self.require_bilingual:
                self.error(loc, message)
            else:
                self.warn(loc, message)
        return result

    def number(
        self,
        value: Any,
        loc: str,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        default: float | None = None,
    ) -> float:
        if value is None:
            if default is not None:
                return default
            self.error(loc, "is required (a number)")
            return 0.0
        if isinstance(value, bool) or not isinstance(value, int | float):
            if isinstance(value, str):
                try:
                    value = float(value.strip().rstrip("%"))
                except ValueError:
                    self.error(loc, f"{value!r} is not a number")
                    return default if default is not None else 0.0
            else:
                self.error(loc, f"must be a number, not {_kind(value)}")
                return default if default is not None else 0.0
        number = float(value)
        if not math.isfinite(number):
            self.error(loc, "must be a finite number")
            return default if default is not None else 0.0
        if low is not None and (number <= low if low_open else number < low):
            bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
            self.error(loc, f"must be {bound} (got {number:g})")
        if high is not None and number > high:
            self.error(loc, f"must be at most {high:g} (got {number:g})")
        return number

    def mapping(self, value: Any, loc: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.error(loc, f"must be a mapping, not {_kind(value)}")
            return None
        return value

    def sequence(self, value: Any, loc: str, required: bool = True) -> list[Any]:
        if value is None:
            if required:
                self.error(loc, "is required (a list)")
            return []
        if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
            self.error(loc, f"must be a list, not {_kind(value)}")
            return []
        return list(value)

    def unknown_keys(self, data: Mapping[str, Any], allowed: Iterable[str], loc: str) -> None:
        allowed_set = set(allowed)
        for key in data:
            if key not in allowed_set:
                where = f"{loc}.{key}" if loc else str(key)
                self.error(
                    where, f"unknown field (expected one of: {', '.join(sorted(allowed_set))})"
                )

    def text_lists(self, value: Any, loc: str) -> dict[str, tuple[str, ...]]:
        """Per-language lists of texts: {"zh": [..], "en": [..]}."""
        if value is None:
            return {}
        data = self.mapping(value, loc)
        if data is None:
            return {}
        result: dict[str, tuple[str, ...]] = {}
        for lang, items in data.items():
            if not isinstance(lang, str) or not LANGUAGE_KEY.match(lang):
                self.error(loc, _language_key_message(lang))
                continue
            if isinstance(items, str):
                items = [items]
            entries = self.sequence(items, f"{loc}.{lang}")
            texts: list[str] = []
            for i, item in enumerate(entries):
                if not isinstance(item, str) or not item.strip():
                    self.error(f"{loc}.{lang}[{i}]", _not_a_text(item))
                else:
                    texts.append(item.strip())
            if texts:
                result[str(lang)] = tuple(texts)
        if result:
            missing = [lang for lang in LANGUAGES if lang not in result]
            if missing:
                message = f"missing {' and '.join(missing)} entries"
                if self.require_bilingual:
                    self.error(loc, message)
                else:
                    self.warn(loc, message)
        return result

    def strings(self, value: Any, loc: str) -> tuple[str, ...]:
        entries = self.sequence(value, loc, required=False)
        result: list[str] = []
        for i, item in enumerate(entries):
            if not isinstance(item, str) or not item.strip():
                self.error(f"{loc}[{i}]", _not_a_text(item))
            else:
                result.append(item.strip())
        return tuple(result)


def _language_key_message(key: Any) -> str:
    if isinstance(key, str) and re.search(r"\s", key.strip()):
        return f"{key!r} is not a language code: it {SPLIT_HINT}"
    return f"language key {key!r} must be a language code such as 'zh' (a text {SPLIT_HINT})"


def _not_a_text(item: Any) -> str:
    if isinstance(item, Mapping):
        return f"must be a text, not a mapping: the text {SPLIT_HINT}"
    return "must be a non-empty text"


def _kind(value: Any) -> str:
    names = {
        dict: "a mapping",
        list: "a list",
        tuple: "a list",
        str: "a text",
        int: "a number",
        float: "a number",
        bool: "true/false",
        type(None): "empty",
    }
    return names.get(type(value), type(value).__name__)


_MODEL_FIELDS = ("id", "name", "industry", "version", "dimensions")
_DIMENSION_FIELDS = (
    "id",
    "name",
    "weight",
    "required_level",
    "indicators",
    "anchors",
    "description",
)


def _read_anchors(c: _Collector, value: Any, loc: str) -> tuple[Anchor, ...]:
    """Anchors as a list of {level, text} or as a mapping {1: text, ..., 5: text}."""
    if isinstance(value, Mapping):
        items = [{"level": level, "text": text} for level, text in value.items()]
        as_mapping = True
    else:
        items = c.sequence(value, loc)
        as_mapping = False
        if value is None:
            return ()
    anchors: list[Anchor] = []
    seen: dict[int, str] = {}
    for i, item in enumerate(items):
        here = f"{loc}.{item['level']}" if as_mapping else f"{loc}[{i}]"
        if not as_mapping:
            data = c.mapping(item, here)
            if data is None:
                continue
            c.unknown_keys(data, ("level", "text"), here)
            item = data
        raw_level = item.get("level")
        level_loc = here if as_mapping else f"{here}.level"
        level = _anchor_level(raw_level)
        if level is None:
            c.error(level_loc, "must be 1..5")
        elif level in seen:
            c.error(level_loc, f"level {level} appears twice (also at {seen[level]})")
        else:
            seen[level] = level_loc
        text = c.text(item.get("text"), here if as_mapping else f"{here}.text")
        if level is not None:
            anchors.append(Anchor(level=level, text=text))
    missing = [level for level in LEVELS if level not in seen]
    if items and missing:
        c.error(loc, f"missing level {', '.join(map(str, missing))} (anchors must be exactly 1..5)")
    elif not items and value is not None:
        c.error(loc, "must give anchors for levels 1..5")
    return tuple(sorted(anchors, key=lambda a: a.level))


def _anchor_level(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and value in LEVELS:
        return value
    return None


def _read_indicators(c: _Collector, value: Any, loc: str, dim_id: str) -> tuple[Indicator, ...]:
    """Indicators as {id, text} mappings, or bare texts (ids are then numbered)."""
    items = c.sequence(value, loc)
    if value is not None and not items and isinstance(value, list | tuple):
        c.error(loc, "must list at least one behavioural indicator")
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        here = f"{loc}[{i}]"
        if isinstance(item, Mapping) and ("text" in item or "id" in item):
            c.unknown_keys(item, ("id", "text"), here)
            ident = c.identifier(item.get("id"), f"{here}.id")
            text = c.text(item.get("text"), f"{here}.text")
        else:
            ident = f"{dim_id}.{i + 1}" if dim_id else str(i + 1)
            text = c.text(item, here)
        if ident and ident in seen:
            c.error(f"{here}.id", f"{ident!r} is used twice in this dimension")
        seen.add(ident)
        indicators.append(Indicator(id=ident, text=text))
    return tuple(indicators)


def _read_dimension(c: _Collector, value: Any, loc: str) -> Dimension | None:
    data = c.mapping(value, loc)
    if data is None:
        return None
    c.unknown_keys(data, _DIMENSION_FIELDS, loc)
    ident = c.identifier(data.get("id"), f"{loc}.id")
    name = c.text(data.get("name"), f"{loc}.name")
    weight = c.number(data.get("weight"), f"{loc}.weight", low=0, low_open=True)
    required = c.number(
        data.get("required_level"),
        f"{loc}.required_level",
        low=0,
        high=10,
        default=DEFAULT_REQUIRED_LEVEL,
    )
    description = c.text(data.get("description"), f"{loc}.description", required=False)
    indicators = _read_indicators(c, data.get("indicators"), f"{loc}.indicators", ident)
    anchors = _read_anchors(c, data.get("anchors"), f"{loc}.anchors")
    return Dimension(
        id=ident,
        name=name,
        weight=weight,
        required_level=required,
        indicators=indicators,
        anchors=anchors,
        description=description,
    )


def model_from_dict(data: Any, require_bilingual: bool = False) -> CompetencyModel:
    """Validate a model given as plain data; raise :class:`ModelError` listing all problems.

    ``require_bilingual`` turns missing Chinese or English text from a warning (kept in
    ``model.warnings``) into an error; the built-in presets are loaded with it on.
    """
    c = _Collector(require_bilingual)
    model = _read_model(c, data)
    if c.errors or model is None:
        raise ModelError(c.errors)
    return replace(model, warnings=tuple(c.warnings))


def _read_model(c: _Collector, data: Any) -> CompetencyModel | None:
    if not isinstance(data, Mapping):
        c.error("", f"a competency model must be a mapping, not {_kind(data)}")
        return None
    c.unknown_keys(data, _MODEL_FIELDS, "")
    ident = c.identifier(data.get("id"), "id")
    name = c.text(data.get("name"), "name")
    industry = data.get("industry")
    if industry is not None and (not isinstance(industry, str) or not industry.strip()):
        c.error("industry", "must be a text such as 'manufacturing', or left out")
        industry = None
    version = data.get("version", DEFAULT_VERSION)
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not version.strip():
        c.error("version", "must be a non-empty text")
        version = DEFAULT_VERSION
    raw_dimensions = c.sequence(data.get("dimensions"), "dimensions")
    if data.get("dimensions") is not None and not raw_dimensions:
        c.error("dimensions", "must contain at least one dimension")
    dimensions: list[Dimension] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_dimensions):
        dimension = _read_dimension(c, raw, f"dimensions[{i}]")
        if dimension is None:
            continue
        if dimension.id and dimension.id in seen:
            c.error(
                f"dimensions[{i}].id",
                f"{dimension.id!r} is already used by dimensions[{seen[dimension.id]}]",
            )
        elif dimension.id:
            seen[dimension.id] = i
        dimensions.append(dimension)
    return CompetencyModel(
        id=ident,
        name=name,
        industry=industry.strip() if isinstance(industry, str) else None,
        version=version.strip(),
        dimensions=tuple(dimensions),
    )


def read_structured_file(path: Path, what: str = "competency model") -> Any:
    """Parse a YAML or JSON file safely; syntax errors become a :class:`ModelError`."""
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ModelError([FieldError("file", f"{path} does not exist")], what) from None
    except UnicodeDecodeError:
        raise ModelError([FieldError("file", f"{path} is not UTF-8 text")], what) from None
    if path.suffix.lower() != ".json":
        return read_yaml(raw, str(path), what)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        location = f"line {exc.lineno}, column {exc.colno}"
        raise ModelError([FieldError(location, exc.msg)], what) from None


def read_yaml(raw: str, source: str, what: str = "data file") -> Any:
    """Parse YAML safely; a syntax error, or a sentence YAML split into keys (an unquoted
    ', ' inside {...} or ': '), is a :class:`ModelError` naming ``source``, line and field."""
    try:
        data, split = load_yaml(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        location = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ModelError([FieldError(location, f"{problem} ({source})")], what) from None
    if split:
        errors = [
            FieldError(f"{source}, line {line}, {field or 'top level'}", f"{text!r} {SPLIT_HINT}")
            for line, field, text in split
        ]
        raise ModelError(errors, what)
    return data


def load_model(
    source: str | Path | Mapping[str, Any], require_bilingual: bool = False
) -> CompetencyModel:
    """Load and validate a competency model from a YAML/JSON file path or from a dict."""
    if not isinstance(source, str | Path):
        return model_from_dict(source, require_bilingual=require_bilingual)
    data = read_structured_file(Path(source))
    try:
        return model_from_dict(data, require_bilingual=require_bilingual)
    except ModelError as exc:
        raise ModelError(exc.errors, f"competency model {source}") from None


def model_to_dict(model: CompetencyModel) -> dict[str, Any]:
    """Plain data that :func:`load_model` reads back into an equal model."""
    return {
        "id": model.id,
        "name": dict(model.name),
        "industry": model.industry,
        "version": model.version,
        "dimensions": [
            {
                "id": d.id,
                "name": dict(d.name),
                "weight": d.weight,
                "required_level": d.required_level,
                "description": dict(d.description),
                "indicators": [{"id": i.id, "text": dict(i.text)} for i in d.indicators],
                "anchors": [{"level": a.level, "text": dict(a.text)} for a in d.anchors],
            }
            for d in model.dimensions
        ],
    }


# ------------------------------------------------------------------------- questions

_QUESTION_FIELDS = (
    "id",
    "kind",
    "text",
    "dimensions",
    "time_limit_s",
    "reference_answers",
    "key_points",
    "rationale",
    "skills",
    "industries",
    "job_types",
    "tags",
    "follow_ups",
)
MIN_TIME_LIMIT_S = 10
MAX_TIME_LIMIT_S = 1800


def _read_question(c: _Collector, value: Any, loc: str) -> Question | None:
    data = c.mapping(value, loc)
    if data is None:
        return None
    prefix = f"{loc}." if loc else ""
    c.unknown_keys(data, _QUESTION_FIELDS, loc)
    ident = c.identifier(data.get("id"), f"{prefix}id")
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        c.error(f"{prefix}kind", f"{kind!r} must be one of {', '.join(QUESTION_KINDS)}")
    text = c.text(data.get("text"), f"{prefix}text")
    dimensions = c.strings(data.get("dimensions"), f"{prefix}dimensions")
    if not dimensions and kind != "motivation":
        c.error(f"{prefix}dimensions", "must name at least one dimension")
    if len(set(dimensions)) != len(dimensions):
        c.error(f"{prefix}dimensions", "names a dimension twice")
    raw_limit = data.get("time_limit_s")
    limit = c.number(raw_limit, f"{prefix}time_limit_s", MIN_TIME_LIMIT_S, MAX_TIME_LIMIT_S)
    if isinstance(raw_limit, float) and not raw_limit.is_integer():
        c.error(f"{prefix}time_limit_s", "must be a whole number of seconds")
    reference = c.text_lists(data.get("reference_answers"), f"{prefix}reference_answers")
    key_points = c.text_lists(data.get("key_points"), f"{prefix}key_points")
    if kind == "technical" and not key_points:
        c.error(f"{prefix}key_points", "technical questions need key points to score against")
    rationale = c.text(data.get("rationale"), f"{prefix}rationale", required=c.require_bilingual)
    follow_ups = c.text_lists(data.get("follow_ups"), f"{prefix}follow_ups")
    return Question(
        id=ident,
        kind=str(kind),
        text=text,
        dimensions=dimensions,
        time_limit_s=int(limit),
        reference_answers=reference,
        key_points=key_points,
        rationale=rationale,
        skills=tuple(s.lower() for s in c.strings(data.get("skills"), f"{prefix}skills")),
        industries=c.strings(data.get("industries"), f"{prefix}industries"),
        job_types=c.strings(data.get("job_types"), f"{prefix}job_types"),
        tags=c.strings(data.get("tags"), f"{prefix}tags"),
        follow_ups=follow_ups,
    )


def question_from_dict(
    data: Any,
    require_bilingual: bool = False,
    location: str = "",
    known_dimensions: Iterable[str] | None = None,
) -> Question:
    """Validate one question given as plain data; :class:`ModelError` lists all problems.

    With ``known_dimensions`` the question's dimensions must be among them.
    """
    c = _Collector(require_bilingual)
    question = _read_question(c, data, location)
    if question is not None and known_dimensions is not None:
        known = set(known_dimensions)
        prefix = f"{location}." if location else ""
        for i, dim in enumerate(question.dimensions):
            if dim not in known:
                c.error(f"{prefix}dimensions[{i}]", f"unknown dimension {dim!r}")
    if c.errors or question is None:
        raise ModelError(c.errors, "question")
    return question


def question_to_dict(question: Question) -> dict[str, Any]:
    """Plain data that :func:`question_from_dict` reads back into an equal question."""
    data: dict[str, Any] = {
        "id": question.id,
        "kind": question.kind,
        "text": dict(question.text),
        "dimensions": list(question.dimensions),
        "time_limit_s": question.time_limit_s,
        "reference_answers": {k: list(v) for k, v in question.reference_answers.items()},
        "key_points": {k: list(v) for k, v in question.key_points.items()},
        "rationale": dict(question.rationale),
    }
    optional: dict[str, Any] = {
        "skills": list(question.skills),
        "industries": list(question.industries),
        "job_types": list(question.job_types),
        "tags": list(question.tags),
        "follow_ups": {k: list(v) for k, v in question.follow_ups.items()},
    }
    data.update({key: value for key, value in optional.items() if value})
    return data


# --------------------------------------------------------------------------- presets


def load_preset(
    competency_ids: list[str] | None = None,
    industry: str | None = None,
    job_type: str | None = None,
) -> CompetencyModel:
    """A model built from the built-in presets (see :mod:`hireflow.scoring.presets`).

    ``job_type`` (technical, sales, management, production, customer_service, other) picks
    competencies, weights and required levels; ``competency_ids`` chooses the competencies
    explicitly; ``industry`` selects industry variants (e.g. communication in manufacturing).
    """
    from hireflow.scoring.presets import build_preset

    return build_preset(competency_ids, industry=industry, job_type=job_type)


def list_presets() -> list[dict[str, Any]]:
    """The built-in competencies: id, names, description, industries with a variant."""
    from hireflow.scoring.presets import describe_competencies

    return describe_competencies()


def list_job_types() -> list[dict[str, Any]]:
    """The built-in job-type templates with their competencies and weights."""
    from hireflow.scoring.presets import describe_job_types

    return describe_job_types()
