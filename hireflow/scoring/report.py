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

_LABELS: dict[str, dict[str, str]] = {
    "title": {"zh": "AI 面试报告", "en": "AI interview report", "ja": "AI 面接レポート"},
    "candidate": {"zh": "候选人", "en": "Candidate", "ja": "候補者"},
    "model": {"zh": "胜任力模型", "en": "Competency model", "ja": "コンピテンシーモデル"},
    "match": {"zh": "岗位匹配度", "en": "Job match", "ja": "職務適合度"},
    "coverage": {"zh": "已评估权重", "en": "weight assessed", "ja": "評価済みの重み"},
    "summary": {"zh": "总结", "en": "Summary", "ja": "総括"},
    "radar": {"zh": "胜任力雷达图", "en": "Competency radar", "ja": "コンピテンシーレーダー"},
    "score": {"zh": "得分", "en": "score", "ja": "得点"},
    "required": {"zh": "岗位要求", "en": "required", "ja": "要求水準"},
    "score_col": {"zh": "得分", "en": "Score", "ja": "得点"},
    "required_col": {"zh": "岗位要求", "en": "Required", "ja": "要求水準"},
    "dimension": {"zh": "维度", "en": "Dimension", "ja": "評価項目"},
    "confidence": {"zh": "置信度", "en": "Confidence", "ja": "信頼度"},
    "weight": {"zh": "权重", "en": "Weight", "ja": "重み"},
    "evidence": {"zh": "行为证据", "en": "Evidence", "ja": "行動の根拠"},
    "strengths": {"zh": "优势", "en": "Strengths", "ja": "強み"},
    "gaps": {"zh": "待提升", "en": "Gaps", "ja": "課題"},
    "examples": {"zh": "关键行为示例", "en": "Key behaviour examples", "ja": "主な行動例"},
    "follow_ups": {
        "zh": "建议追问",
        "en": "Suggested follow-up questions",
        "ja": "追加で聞くべき質問",
    },
    "notes": {"zh": "说明", "en": "Notes", "ja": "注記"},
    "answers": {"zh": "逐题分析", "en": "Answer by answer", "ja": "回答ごとの分析"},
    "question": {"zh": "题目", "en": "Question", "ja": "質問"},
    "not_assessed": {"zh": "未评估", "en": "not assessed", "ja": "未評価"},
    "none": {"zh": "无", "en": "none", "ja": "なし"},
    "features": {"zh": "特征", "en": "Features", "ja": "特徴量"},
    "star": {"zh": "STAR 结构", "en": "STAR structure", "ja": "STAR 構造"},
    "voice": {
        "zh": "语音观察（不计分）",
        "en": "Voice observations (not scored)",
        "ja": "音声の観察（採点対象外）",
    },
    "keywords": {"zh": "相关关键词", "en": "Relevant keywords", "ja": "関連キーワード"},
    "method": {
        "zh": "评分由可解释的特征按公开公式计算，同一输入得到同一结果；"
        "语音特征仅作观察，不计入得分。",
        "en": "Scores come from explainable features through a documented formula; the same "
        "input gives the same result. Voice features are observations and never enter a score.",
        "ja": "得点は説明可能な特徴量から公開された式で計算され、同じ入力には同じ結果が出ます。"
        "音声の特徴は観察にとどめ、得点には含めません。日本語の回答は採点エンジンが対応して"
        "いないため採点せず、その旨を注記します。",
    },
    "engine": {"zh": "引擎", "en": "Engine", "ja": "エンジン"},
    "status_ok": {"zh": "已评分", "en": "scored", "ja": "採点済み"},
    "status_empty": {"zh": "未作答", "en": "no answer", "ja": "未回答"},
    "status_unsupported_language": {
        "zh": "语言不支持",
        "en": "unsupported language",
        "ja": "非対応の言語（未採点）",
    },
    "question_n": {"zh": "第 {n} 题", "en": "Question {n}", "ja": "質問 {n}"},
    "similarity": {"zh": "相似度", "en": "similarity", "ja": "類似度"},
    "ai_score": {"zh": "AI 原分", "en": "AI", "ja": "AI 素点"},
    "no_evidence": {
        "zh": "回答中没有能证明该能力的句子（分数有上限，置信度已降低）。",
        "en": "No sentence in the answers shows this competency (score capped, confidence "
        "lowered).",
        "ja": "回答にこのコンピテンシーを示す文がありません（得点に上限、信頼度を低下）。",
    },
    "version": {"zh": "版本", "en": "version", "ja": "バージョン"},
    "kind_behavioural": {"zh": "行为面试题", "en": "behavioural", "ja": "行動面接質問"},
    "kind_situational": {"zh": "情景题", "en": "situational", "ja": "状況質問"},
    "kind_technical": {"zh": "技术题", "en": "technical", "ja": "技術質問"},
    "kind_motivation": {"zh": "动机", "en": "motivation", "ja": "志望動機"},
    "lang_zh": {"zh": "中文", "en": "Chinese", "ja": "中国語"},
    "lang_en": {"zh": "英文", "en": "English", "ja": "英語"},
    "lang_ja": {"zh": "日文", "en": "Japanese", "ja": "日本語"},
}

# The explainable features of an answer as a reader calls them (the scoring formula's inputs).
_FEATURE_NAMES = {
    "relevance": {"zh": "相关性", "en": "relevance", "ja": "関連性"},
    "substance": {"zh": "内容充实度", "en": "substance", "ja": "内容の充実度"},
    "star": {"zh": "STAR 完整度", "en": "STAR completeness", "ja": "STAR の完全度"},
    "action_depth": {"zh": "行动深度", "en": "depth of actions", "ja": "行動の深さ"},
    "result_quality": {"zh": "结果质量", "en": "quality of results", "ja": "結果の質"},
    "specificity": {"zh": "具体程度", "en": "specificity", "ja": "具体性"},
    "ownership": {"zh": "个人贡献", "en": "ownership", "ja": "本人の貢献"},
    "logic": {"zh": "逻辑性", "en": "logic", "ja": "論理性"},
    "generic_share": {
        "zh": "空泛表述占比",
        "en": "share of generic statements",
        "ja": "一般論の割合",
    },
    "on_topic_share": {"zh": "切题比例", "en": "share on topic", "ja": "質問に沿った割合"},
}

_STAR_NAMES = {
    "situation": {"zh": "情境", "en": "Situation", "ja": "状況"},
    "task": {"zh": "任务", "en": "Task", "ja": "課題"},
    "action": {"zh": "行动", "en": "Action", "ja": "行動"},
    "result": {"zh": "结果", "en": "Result", "ja": "結果"},
}


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
