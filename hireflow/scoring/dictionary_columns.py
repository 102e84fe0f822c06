"""The columns of a competency dictionary (:mod:`hireflow.scoring.dictionary`): which headers,
in English or Chinese, name which field, and in which language."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Column", "resolve_header"]

_SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "code",
        "competencyid",
        "competencycode",
        "dimensionid",
        "编码",
        "维度编码",
        "能力编码",
        "代码",
        "编号",
        "维度代码",
    ),
    "name": (
        "name",
        "competency",
        "dimension",
        "competencyname",
        "dimensionname",
        "维度",
        "维度名称",
        "能力",
        "能力名称",
        "能力项",
        "胜任力",
        "胜任力名称",
        "名称",
        "素质项",
    ),
    "weight": ("weight", "weighting", "权重", "比重", "占比"),
    "required_level": (
        "requiredlevel",
        "required",
        "targetlevel",
        "target",
        "要求等级",
        "目标等级",
        "岗位要求",
        "要求水平",
        "要求分数",
        "期望等级",
    ),
    "description": (
        "description",
        "definition",
        "desc",
        "定义",
        "维度定义",
        "能力定义",
        "说明",
        "描述",
        "释义",
    ),
    "indicator_id": ("indicatorid", "indicatorcode", "指标编码", "指标编号", "行为指标编码"),
    "indicator": (
        "indicator",
        "indicators",
        "behaviouralindicator",
        "behavioralindicator",
        "behaviour",
        "behavior",
        "行为指标",
        "指标",
        "关键行为",
        "行为描述",
        "行为要项",
    ),
}
_ALIASES = {alias: key for key, aliases in _SYNONYMS.items() for alias in aliases}
# Headers whose language is part of the Chinese word rather than a suffix.
_FIXED = {
    "中文名称": ("name", "zh"),
    "英文名称": ("name", "en"),
    "中文名": ("name", "zh"),
    "英文名": ("name", "en"),
    "中文定义": ("description", "zh"),
    "英文定义": ("description", "en"),
    "中文描述": ("description", "zh"),
    "英文描述": ("description", "en"),
}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
_LEVEL_RE = re.compile(
    r"^(?:level|lvl|l|等级|级别|水平)?([1-5一二三四五])(?:级|分)?(?:行为)?(?:描述|定义|锚点)?$"
)
_LANG_SUFFIX_RE = re.compile(r"^(.*?)(?:[\s_\-]*[(（]?(zh|cn|en|ja|中文|英文|日文)[)）]?)$")
# English name of each Chinese-only language suffix.
_LANG_CODES = {
    "zh": "zh",
    "cn": "zh",
    "中文": "zh",
    "en": "en",
    "英文": "en",
    "ja": "ja",
    "日文": "ja",
}


@dataclass
class Column:
    header: str  # as written in the file
    key: str  # id, name, weight, required_level, description, indicator, level_1..5
    lang: str | None  # zh, en, or None (detected per cell)


def _compact(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower()
    text = re.sub(r"\(\s*(%|0-10|1-5|0–10)?\s*\)|%", "", text)  # "权重(%)", "要求等级(0-10)"
    return re.sub(r"[\s_\-.:：/]+", "", text)


def resolve_header(header: str) -> Column | None:
    """Map a header to a column key and language; None if it is not a dictionary column."""
    raw = unicodedata.normalize("NFKC", header).strip()
    lang: str | None = None
    base = raw
    match = _LANG_SUFFIX_RE.match(raw.lower())
    if match and match.group(1).strip(" _-"):
        candidate = _compact(match.group(1))
        if candidate in _ALIASES or _LEVEL_RE.match(candidate):
            base, lang = match.group(1), _LANG_CODES[match.group(2)]
    compact = _compact(base)
    if compact in _FIXED:
        key, fixed_lang = _FIXED[compact]
        return Column(header, key, fixed_lang)
    if compact in _ALIASES:
        return Column(header, _ALIASES[compact], lang)
    level = _LEVEL_RE.match(compact)
    if level:
        digit = level.group(1)
        number = _CN_DIGITS.get(digit) or int(digit)
        return Column(header, f"level_{number}", lang)
    return None
