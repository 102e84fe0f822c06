"""Reading a talent-pool query as a recruiter means it (SPEC C3).

People type "Java 上海 五年" or "5+ years python master's Berlin": experience, education and
places are conditions on the person, not words their resume must contain ("五年" is in no
resume). :func:`understand` takes them out of the keywords and returns them as filters,
with a sentence in each language saying how the query was read, so the page can show it
and offer the literal search instead. Everything else stays a keyword; a number that is a
year ("2019"), part of a word ("5G") or a school's name ("上海交通大学") is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from hireflow.candidates.resume_model import DEGREE_LABELS

_ZH_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMBER = r"(?:\d{1,2}(?:\.\d)?|[一二两三四五六七八九十]{1,3})"

# "五年", "5年以上", "三到五年", "5年经验", "十年以上工作经验"
_ZH_YEARS = re.compile(
    rf"(?<![\d\w])(?P<a>{_NUMBER})\s*(?:(?:-|~|～|到|至)\s*(?P<b>{_NUMBER})\s*)?(?:\+\s*)?年"
    r"(?:以上|及以上|多)?(?:的)?(?:工作)?(?:经验|经历|工作经验)?(?:以上)?"
)
# "5+ years", "3-5 years", "at least 3 years of experience", "over 5 yrs"
_EN_YEARS = re.compile(
    r"(?<![\w.])(?:(?P<least>at\s+least|min(?:imum)?|over|more\s+than)\s+)?"
    r"(?P<a>\d{1,2}(?:\.\d)?)\s*(?:(?:-|–|to)\s*(?P<b>\d{1,2}(?:\.\d)?)\s*)?\+?\s*"
    r"(?:years?|yrs?)(?:\s+of)?(?:\s+(?:work\s+)?experience)?(?!\w)",
    re.IGNORECASE,
)
# Degrees as conditions: "硕士", "本科以上", "master's", "PhD". "Master" alone is left to the
# keywords: "Scrum Master" is a skill.
_DEGREES = [
    ("phd", r"博士(?:研究生)?(?:以上|及以上)?|ph\.?\s?d\.?|doctorate"),
    (
        "master",
        r"硕士(?:研究生)?(?:以上|及以上)?|研究生(?:以上|及以上)?|master'?s(?:\s+degree)?|m\.?\s?sc\.?|mba",
    ),
    ("bachelor", r"本科(?:以上|及以上)?|学士|bachelor'?s(?:\s+degree)?|b\.?\s?sc\.?"),
    ("associate", r"大专(?:以上|及以上)?|专科(?:以上|及以上)?|associate'?s?\s+degree"),
]
_DEGREE_RE = re.compile(
    r"(?<![\w])(?:" + "|".join(f"(?P<{key}>{pattern})" for key, pattern in _DEGREES) + r")(?!\w)",
    re.IGNORECASE,
)
# Places, each with the other names people search it by. Candidates' locations are stored
# as their resumes write them, so a place matches any of its names.
_PLACES: tuple[tuple[str, ...], ...] = (
    ("上海", "Shanghai"),
    ("北京", "Beijing"),
    ("深圳", "Shenzhen"),
    ("广州", "Guangzhou"),
    ("杭州", "Hangzhou"),
    ("南京", "Nanjing"),
    ("苏州", "Suzhou"),
    ("成都", "Chengdu"),
    ("武汉", "Wuhan"),
    ("西安", "Xi'an", "Xian"),
    ("天津", "Tianjin"),
    ("重庆", "Chongqing"),
    ("厦门", "Xiamen"),
    ("青岛", "Qingdao"),
    ("大连", "Dalian"),
    ("宁波", "Ningbo"),
    ("无锡", "Wuxi"),
    ("长沙", "Changsha"),
    ("郑州", "Zhengzhou"),
    ("济南", "Jinan"),
    ("合肥", "Hefei"),
    ("福州", "Fuzhou"),
    ("沈阳", "Shenyang"),
    ("东莞", "Dongguan"),
    ("佛山", "Foshan"),
    ("珠海", "Zhuhai"),
    ("香港", "Hong Kong"),
    ("台北", "Taipei"),
    ("新加坡", "Singapore"),
    ("东京", "Tokyo"),
    ("首尔", "Seoul"),
    ("伦敦", "London"),
    ("巴黎", "Paris"),
    ("柏林", "Berlin"),
    ("慕尼黑", "Munich", "München"),
    ("汉堡", "Hamburg"),
    ("法兰克福", "Frankfurt"),
    ("阿姆斯特丹", "Amsterdam"),
    ("苏黎世", "Zurich", "Zürich"),
    ("都柏林", "Dublin"),
    ("马德里", "Madrid"),
    ("米兰", "Milan"),
    ("斯德哥尔摩", "Stockholm"),
    ("纽约", "New York"),
    ("旧金山", "San Francisco"),
    ("洛杉矶", "Los Angeles"),
    ("西雅图", "Seattle"),
    ("波士顿", "Boston"),
    ("芝加哥", "Chicago"),
    ("奥斯汀", "Austin"),
    ("多伦多", "Toronto"),
    ("温哥华", "Vancouver"),
    ("悉尼", "Sydney"),
    ("墨尔本", "Melbourne"),
    ("班加罗尔", "Bangalore", "Bengaluru"),
    ("孟买", "Mumbai"),
    ("迪拜", "Dubai"),
)
_PLACE_NAMES = sorted(
    ((name, names) for names in _PLACES for name in names), key=lambda pair: -len(pair[0])
)
_PLACE_RE = re.compile(
    r"(?<![\w\u4e00-\u9fff])(?:"
    + "|".join(re.escape(name) for name, _ in _PLACE_NAMES)
    # a place followed by more Chinese characters is part of a name: 上海交通大学
    + r")(?![\w\u4e00-\u9fff])",
    re.IGNORECASE,
)
_BY_NAME = {name.casefold(): names for name, names in _PLACE_NAMES}


def _number(text: str) -> float:
    if re.fullmatch(r"\d{1,2}(?:\.\d)?", text):
        return float(text)
    # 十 = 10, 十五 = 15, 二十 = 20, 二十五 = 25
    if "十" in text:
        tens, _, ones = text.partition("十")
        return float(_ZH_DIGITS.get(tens, 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0))
    return float(_ZH_DIGITS.get(text, 0))


@dataclass
class Understood:
    """The keywords left and the filters read out of a query, with what was read."""

    q: str
    min_years: float | None = None
    max_years: float | None = None
    min_education: str = ""
    location: str = ""  # alternatives joined by "|"
    parts: list[dict[str, Any]] = field(default_factory=list)


def _fmt(value: float) -> str:
    return f"{value:g}"


def understand(query: str) -> Understood:
    """Read experience, education and places out of ``query`` (see the module docstring)."""
    text = " ".join(query.split())
    found: list[tuple[int, int, dict[str, Any]]] = []
    result = Understood(q=text)

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b, _ in found)

    for pattern in (_ZH_YEARS, _EN_YEARS):
        for m in pattern.finditer(text):
            if result.min_years is not None or not free(*m.span()):
                continue
            low = _number(m.group("a"))
            high = _number(m.group("b")) if m.group("b") else None
            if not 0 < low <= 50 or (high is not None and high < low):
                continue
            result.min_years, result.max_years = low, high
            if high is None:
                zh, en = f"工作年限 ≥ {_fmt(low)} 年", f"at least {_fmt(low)} years of experience"
            else:
                zh = f"工作年限 {_fmt(low)}–{_fmt(high)} 年"
                en = f"{_fmt(low)}–{_fmt(high)} years of experience"
            found.append((*m.span(), {"kind": "years", "text": m.group(0), "zh": zh, "en": en}))
    for m in _DEGREE_RE.finditer(text):
        if result.min_education or not free(*m.span()):
            continue
        degree = next(key for key, _ in _DEGREES if m.group(key))
        result.min_education = degree
        label = DEGREE_LABELS[degree]
        found.append(
            (
                *m.span(),
                {
                    "kind": "education",
                    "text": m.group(0),
                    "zh": f"学历 ≥ {label['zh']}",
                    "en": f"{label['en'].lower()} or higher",
                },
            )
        )
    for m in _PLACE_RE.finditer(text):
        if result.location or not free(*m.span()):
            continue
        names = _BY_NAME[m.group(0).casefold()]
        result.location = "|".join(names)
        found.append(
            (
                *m.span(),
                {
                    "kind": "location",
                    "text": m.group(0),
                    "zh": f"所在地：{names[0]}",
                    "en": f"located in {names[1] if len(names) > 1 else names[0]}",
                },
            )
        )
    found.sort(key=lambda item: item[0])
    result.parts = [part for _, _, part in found]
    rest = text
    for start, end, _ in sorted(found, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    result.q = " ".join(rest.split())
    return result
