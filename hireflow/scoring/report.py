"""The interview report (SPEC F1, F3): data, JSON with a versioned schema, standalone HTML.

A :class:`Report` holds everything HR sees after an AI interview: a score per competency
with its confidence and quoted evidence, job match, strengths, gaps, key behaviour examples,
suggested follow-up questions, a summary in Chinese and English, the per-answer features the
scores came from, and notes (truncated answers, removed instructions, unsupported languages).

``to_json`` is canonical (sorted keys, fixed float rounding, no timestamps), so the same
interview gives byte-identical JSON in any process (SPEC F5). ``Report.from_json`` reads it
back and refuses an unknown major schema version. ``render_html`` produces one standalone,
print-friendly page (inline CSS and SVG radar chart, no scripts, no external assets).
"""

from __future__ import annotations

import json
import math
from dataclasses import MISSING, asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

__all__ = [
    "SCHEMA_VERSION",
    "AnswerReport",
    "DimensionScore",
    "Evidence",
    "Finding",
    "FollowUp",
    "Note",
    "Report",
    "ReportError",
    "radar_svg",
    "render_html",
    "report_language",
    "rounded",
]

SCHEMA_VERSION = "1.0"
_FLOAT_DECIMALS = 4


class ReportError(ValueError):
    """A report document that cannot be read (bad JSON, wrong schema, missing field)."""


@dataclass(frozen=True)
class Evidence:
    """A quoted sentence that shows a behaviour, with where it came from."""

    quote: str
    question_id: str
    dimension_id: str
    indicator_id: str
    similarity: float
    star: tuple[str, ...] = ()


@dataclass(frozen=True)
class DimensionScore:
    """One competency's result. ``score`` is None when no answer assessed it."""

    id: str
    name: dict[str, str]
    weight: float
    required_level: float
    score: float | None
    raw_score: float | None
    level: float | None
    confidence: float
    assessed: bool
    questions: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    components: dict[str, float]
    calibrated: bool = False
    judge: str = "embedded"


@dataclass(frozen=True)
class Finding:
    """A strength or a gap: which dimension and a sentence explaining it (zh and en)."""

    dimension_id: str
    score: float
    required_level: float
    text: dict[str, str]


@dataclass(frozen=True)
class FollowUp:
    """A suggested follow-up question and why it is suggested (SPEC E4)."""

    question_id: str
    dimension_ids: tuple[str, ...]
    reason: str
    text: dict[str, str]
    topic: str = ""


@dataclass(frozen=True)
class Note:
    """Something HR should know about how the report was made."""

    code: str
    text: dict[str, str]
    question_id: str = ""


@dataclass(frozen=True)
class AnswerReport:
    """The features of one answer, as they entered the scores."""

    question_id: str
    kind: str
    status: str
    language: str
    dimensions: tuple[str, ...]
    features: dict[str, float]
    dimension_scores: dict[str, float]
    star: dict[str, tuple[int, ...]]
    ignored: tuple[dict[str, str], ...]
    truncated: bool
    original_chars: int
    sentences: tuple[dict[str, Any], ...]
    technical: dict[str, Any] | None
    observations: tuple[dict[str, Any], ...]
    fillers: tuple[str, ...]
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Report:
    """The structured report of one AI interview."""

    schema_version: str
    engine_version: str
    language: str
    candidate_ref: str
    model: dict[str, str]
    embedder: str
    judge: str
    job_match: float | None
    match_coverage: float
    dimensions: tuple[DimensionScore, ...]
    strengths: tuple[Finding, ...]
    gaps: tuple[Finding, ...]
    key_examples: tuple[Evidence, ...]
    follow_ups: tuple[FollowUp, ...]
    summary: dict[str, str]
    answers: tuple[AnswerReport, ...]
    notes: tuple[Note, ...]
    calibration: dict[str, str] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def dimension(self, dimension_id: str) -> DimensionScore:
        """The score of one dimension; KeyError if the model has no such dimension."""
        for item in self.dimensions:
            if item.id == dimension_id:
                return item
        raise KeyError(dimension_id)

    # ------------------------------------------------------------------ serialisation

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data with floats rounded to 4 decimals."""
        return _clean(asdict(self))

    def to_json(self, indent: int | None = 2) -> str:
        """Canonical JSON: sorted keys, UTF-8 text, fixed rounding; equal reports, equal bytes."""
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True, indent=indent) + "\n"

    @classmethod
    def from_dict(cls, data: Any) -> Report:
        """Rebuild a report from :meth:`to_dict` output; :class:`ReportError` if it is not one."""
        if not isinstance(data, dict):
            raise ReportError("a report must be a JSON object")
        version = data.get("schema_version")
        if not isinstance(version, str):
            raise ReportError("schema_version: missing")
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise ReportError(
                f"schema_version: {version!r} is not readable by this version "
                f"(expects {SCHEMA_VERSION.split('.')[0]}.x)"
            )
        try:
            return _build(cls, data, "")
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(str(exc)) from None

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Parse :meth:`to_json` output."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ReportError(f"line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
        return cls.from_dict(data)

    def save(self, path: str | Path) -> None:
        """Write the canonical JSON to ``path``."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    def to_html(self, lang: str | None = None) -> str:
        """Standalone HTML in ``lang`` ("zh", "en" or "ja"; default: the interview's language)."""
        return render_html(self, lang or self.language)


def rounded(value: float) -> float:
    """A number as reports state it, to 4 decimals (``+ 0.0`` turns -0.0 into 0.0 so JSON
    never shows "-0.0"); the same answers give byte-identical reports (SPEC F5)."""
    return round(float(value), _FLOAT_DECIMALS) + 0.0


def _clean(value: Any) -> Any:
    """Round floats, turn tuples into lists and int keys into strings, recursively."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return rounded(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


# Nested dataclass types by field, used to rebuild a report from plain data.
_NESTED: dict[tuple[type, str], type] = {}


def _build(cls: type, data: Any, where: str) -> Any:
    if not isinstance(data, dict):
        raise ReportError(f"{where or 'report'}: expected an object")
    kwargs: dict[str, Any] = {}
    for f in fields(cls):
        loc = f"{where}.{f.name}" if where else f.name
        if f.name not in data:
            if f.default is not MISSING or f.default_factory is not MISSING:
                continue
            raise ReportError(f"{loc}: missing")
        value = data[f.name]
        nested = _NESTED.get((cls, f.name))
        if nested is not None:
            if not isinstance(value, list):
                raise ReportError(f"{loc}: expected a list")
            value = tuple(_build(nested, item, f"{loc}[{i}]") for i, item in enumerate(value))
        elif isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        elif f.name == "star" and isinstance(value, dict):
            value = {k: tuple(v) for k, v in value.items()}
        kwargs[f.name] = value
    return cls(**kwargs)


_NESTED.update(
    {
        (Report, "dimensions"): DimensionScore,
        (Report, "strengths"): Finding,
        (Report, "gaps"): Finding,
        (Report, "key_examples"): Evidence,
        (Report, "follow_ups"): FollowUp,
        (Report, "answers"): AnswerReport,
        (Report, "notes"): Note,
        (DimensionScore, "evidence"): Evidence,
    }
)


# --------------------------------------------------------------------------- radar chart


def _xml(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def radar_svg(
    labels: list[str],
    scores: list[float | None],
    required: list[float],
    size: int = 300,
    legend: tuple[str, str] = ("score", "required"),
) -> str:
    """An inline SVG radar chart of scores (0–10) against required levels.

    Unassessed dimensions (``None``) are drawn at the centre and their label is greyed.
    With fewer than three dimensions a radar is meaningless, so bars are drawn instead.
    """
    n = len(labels)
    if n == 0:
        return ""
    if n < 3:
        return _bars_svg(labels, scores, required, size, legend)
    # Room on both sides for labels such as "Results orientation 7.5".
    margin = 95
    width = size + 2 * margin
    cx, cy = width / 2, size / 2
    radius = size / 2 - 40
    points: list[tuple[float, float]] = []

    def at(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        r = radius * max(0.0, min(10.0, value)) / 10.0
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {size + 24}" '
        f'width="{width}" height="{size + 24}" role="img" class="radar" '
        f'style="max-width:100%;height:auto">'
    ]
    for ring in (2, 4, 6, 8, 10):
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, ring) for i in range(n)))
        parts.append(
            f'<polygon points="{ring_points}" fill="none" stroke="#d0d4da" stroke-width="1"/>'
        )
    for i in range(n):
        x, y = at(i, 10)
        parts.append(
            f'<line x1="{cx:.1f}" y1="{cy:.1f}" x2="{x:.1f}" y2="{y:.1f}" stroke="#d0d4da"/>'
        )
    req = " ".join(f"{x:.1f},{y:.1f}" for x, y in (at(i, required[i]) for i in range(n)))
    parts.append(
        f'<polygon points="{req}" fill="none" stroke="#c0392b" stroke-width="2" '
        f'stroke-dasharray="6 4" class="required"/>'
    )
    for i in range(n):
        points.append(at(i, scores[i] if scores[i] is not None else 0.0))
    got = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    parts.append(
        f'<polygon points="{got}" fill="rgba(41,128,185,0.25)" stroke="#2980b9" '
        f'stroke-width="2" class="scores"/>'
    )
    for (x, y), value in zip(points, scores, strict=True):
        if value is not None:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2980b9"/>')
    for i, label in enumerate(labels):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        lx = cx + (radius + 16) * math.cos(angle)
        ly = cy + (radius + 16) * math.sin(angle)
        anchor = (
            "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        )
        value = scores[i]
        shown = f"{_xml(label)} {value:.1f}" if value is not None else f"{_xml(label)} –"
        colour = "#222" if value is not None else "#999"
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-size="12" '
            f'fill="{colour}">{shown}</text>'
        )
    parts.append(_legend(size, legend))
    parts.append("</svg>")
    return "".join(parts)


def _legend(size: int, legend: tuple[str, str]) -> str:
    y = size + 12
    return (
        f'<rect x="10" y="{y - 8}" width="14" height="8" fill="rgba(41,128,185,0.25)" '
        f'stroke="#2980b9"/><text x="30" y="{y}" font-size="11">{_xml(legend[0])}</text>'
        f'<line x1="120" y1="{y - 4}" x2="134" y2="{y - 4}" stroke="#c0392b" stroke-width="2" '
        f'stroke-dasharray="4 3"/><text x="140" y="{y}" font-size="11">{_xml(legend[1])}</text>'
    )


def _bars_svg(
    labels: list[str],
    scores: list[float | None],
    required: list[float],
    size: int,
    legend: tuple[str, str],
) -> str:
    height = 40 * len(labels) + 30
    width = size
    left, right = 130, width - 20
    scale = (right - left) / 10.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 24}" '
        f'width="{width}" height="{height + 24}" role="img" class="radar bars">'
    ]
    for i, label in enumerate(labels):
        y = 20 + 40 * i
        value = scores[i]
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="12">'
            f"{_xml(label)}</text>"
        )
        parts.append(
            f'<rect x="{left}" y="{y}" width="{right - left}" height="20" fill="#f0f2f5"/>'
        )
        if value is not None:
            parts.append(
                f'<rect x="{left}" y="{y}" width="{scale * value:.1f}" height="20" '
                f'fill="rgba(41,128,185,0.5)" class="scores"/>'
            )
        rx = left + scale * required[i]
        parts.append(
            f'<line x1="{rx:.1f}" y1="{y - 3}" x2="{rx:.1f}" y2="{y + 23}" stroke="#c0392b" '
            f'stroke-width="2" class="required"/>'
        )
    parts.append(_legend(height, legend))
    parts.append("</svg>")
    return "".join(parts)


# ------------------------------------------------------------------------------- HTML

# What a report's words are in each language: data, read once (the labels by key, the
# explainable features of an answer as a reader calls them, i.e. the scoring formula's inputs,
# and the parts of STAR).
_WORDS: dict[str, dict[str, dict[str, str]]] = json.loads(
    Path(__file__).with_name("report_labels.json").read_text(encoding="utf-8")
)
_LABELS = _WORDS["labels"]
_FEATURE_NAMES = _WORDS["features"]
_STAR_NAMES = _WORDS["star"]


def _pick(text: dict[str, str] | None, lang: str) -> str:
    if not text:
        return ""
    for key in (lang, "en", "zh") if lang == "ja" else (lang, "zh", "en"):
        if text.get(key):
            return text[key]
    return next(iter(text.values()), "")


def report_language(code: str | None) -> str:
    """The language a report is read in: "zh", "ja" or "en" (platform codes such as "zh-CN"
    are accepted; anything else reads English)."""
    base = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return base if base in ("zh", "ja") else "en"


def render_html(report: Report, lang: str = "zh") -> str:
    """Render a standalone, print-friendly HTML page of the report in ``lang``."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    lang = report_language(lang)
    env = Environment(
        loader=PackageLoader("hireflow.scoring", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def label(key: str, **values: Any) -> str:
        entry = _LABELS.get(key)
        return _pick(entry, lang).format(**values) if entry else key

    env.globals.update(label=label, pick=lambda text: _pick(text, lang), lang=lang)
    env.filters["num"] = lambda value, digits=1: "–" if value is None else f"{value:.{digits}f}"
    env.filters["pct"] = lambda value: "–" if value is None else f"{value:.0f}%"
    dims = list(report.dimensions)
    svg = radar_svg(
        [_pick(d.name, lang) for d in dims],
        [d.score for d in dims],
        [d.required_level for d in dims],
        legend=(label("score"), label("required")),
    )
    names = {d.id: _pick(d.name, lang) for d in dims}
    template = env.get_template("report.html")
    return template.render(
        report=report,
        radar=svg,
        names=names,
        star_names={k: _pick(v, lang) for k, v in _STAR_NAMES.items()},
        feature_names={k: _pick(v, lang) for k, v in _FEATURE_NAMES.items()},
        # questions by their number in the interview, not by their bank id
        numbers={a.question_id: i for i, a in enumerate(report.answers, 1)},
    )
