"""The shape of a parsed resume: degrees on an ordered scale, education, work and language
entries, the whole profile, and the date ranges and years of experience read from them.
Nothing reads the clock: "至今"/"present" is resolved against a ``today`` argument."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

# ---------------------------------------------------------------------------------------------
# Degrees
# ---------------------------------------------------------------------------------------------

DEGREES: tuple[str, ...] = ("high_school", "associate", "bachelor", "master", "phd")
DEGREE_LABELS: dict[str, dict[str, str]] = {
    "high_school": {"zh": "高中/中专", "en": "High school"},
    "associate": {"zh": "大专", "en": "Associate"},
    "bachelor": {"zh": "本科", "en": "Bachelor"},
    "master": {"zh": "硕士", "en": "Master"},
    "phd": {"zh": "博士", "en": "PhD"},
}
# Checked in this order: the first hit wins, so "博士研究生" is a PhD and not a master.
_DEGREE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "phd",
        re.compile(
            r"博士|doctor(?:ate|al)?\b|doctor of|ph\.?\s?d\b|\bdphil\b|\bd\.?sc\b|^phd$",
            re.IGNORECASE,
        ),
    ),
    (
        "master",
        re.compile(
            r"硕士|研究生|master|\bmba\b|\bemba\b|\bm\.?\s?sc\b|\bm\.?\s?s\.|\bms\b|\bm\.?\s?a\.|"
            r"\bm\.?\s?eng\b|\bm\.?\s?phil\b|\bllm\b|\bll\.m\b|\bmpa\b|\bmfa\b|^ma$|\bm\.?tech\b",
            re.IGNORECASE,
        ),
    ),
    (
        "bachelor",
        re.compile(
            r"本科|学士|bachelor|\bb\.?\s?sc\b|\bb\.?\s?s\.|\bbs\b|\bb\.?\s?a\.|\bb\.?\s?eng\b|"
            r"\bllb\b|\bll\.b\b|\bbba\b|^ba$|\bb\.?tech\b|undergraduate",
            re.IGNORECASE,
        ),
    ),
    (
        "associate",
        re.compile(r"大专|专科|高职|associate(?:'s)?\s+degree|^associate$|\bhnd\b", re.IGNORECASE),
    ),
    (
        "high_school",
        re.compile(r"高中|中专|职高|技校|high\s+school|secondary\s+school", re.IGNORECASE),
    ),
)


def normalise_degree(text: str) -> str | None:
    """The degree key ("high_school" ... "phd") named in ``text``, or None."""
    if not text:
        return None
    stripped = text.strip()
    if stripped in DEGREES:
        return stripped
    for key, pattern in _DEGREE_PATTERNS:
        if pattern.search(stripped):
            return key
    return None


def degree_rank(degree: str | None) -> int:
    """0 for unknown, then 1 (high school) to 5 (PhD)."""
    return DEGREES.index(degree) + 1 if degree in DEGREES else 0


# ---------------------------------------------------------------------------------------------
# Profile dataclasses
# ---------------------------------------------------------------------------------------------


@dataclass(slots=True)
class EducationEntry:
    """One school attended. Dates are "YYYY-MM" (or "YYYY" when only the year is known)."""

    school: str | None = None
    degree: str | None = None
    degree_raw: str | None = None
    major: str | None = None
    start: str | None = None
    end: str | None = None
    is_current: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EducationEntry:
        fields: dict[str, Any] = {k: data.get(k) for k in cls.__slots__ if k in data}
        return cls(**fields)


@dataclass(slots=True)
class WorkEntry:
    """One job. ``end`` is None and ``is_current`` true for "至今/present"."""

    company: str | None = None
    title: str | None = None
    start: str | None = None
    end: str | None = None
    is_current: bool = False
    industry: str | None = None
    is_internship: bool = False
    description: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WorkEntry:
        return cls(**{k: data[k] for k in cls.__slots__ if k in data})


@dataclass(slots=True)
class LanguageSkill:
    """A language with a certificate or level, e.g. English CET-6, Japanese JLPT N1."""

    language: str
    level: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LanguageSkill:
        return cls(language=data["language"], level=data.get("level"))


@dataclass(slots=True)
class ResumeProfile:
    """The structured profile of one resume; ``to_dict``/``from_dict`` round-trip via JSON."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    education: list[EducationEntry] = field(default_factory=list)
    work: list[WorkEntry] = field(default_factory=list)
    years_experience: float = 0.0
    years_by_industry: dict[str, float] = field(default_factory=dict)
    skills: list[str] = field(default_factory=list)
    languages: list[LanguageSkill] = field(default_factory=list)
    as_of: str | None = None

    @property
    def highest_degree(self) -> str | None:
        best = max((e.degree for e in self.education if e.degree), key=degree_rank, default=None)
        return best

    @property
    def majors(self) -> list[str]:
        return [e.major for e in self.education if e.major]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["highest_degree"] = self.highest_degree
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ResumeProfile:
        return cls(
            name=data.get("name"),
            email=data.get("email"),
            phone=data.get("phone"),
            location=data.get("location"),
            education=[EducationEntry.from_dict(e) for e in data.get("education", [])],
            work=[WorkEntry.from_dict(w) for w in data.get("work", [])],
            years_experience=float(data.get("years_experience", 0.0)),
            years_by_industry={k: float(v) for k, v in data.get("years_by_industry", {}).items()},
            skills=list(data.get("skills", [])),
            languages=[LanguageSkill.from_dict(x) for x in data.get("languages", [])],
            as_of=data.get("as_of"),
        )

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)


# Dates
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)


def _date_pattern(p: str) -> str:
    return (
        rf"(?:(?P<{p}mon>{MONTH_NAMES})\.?,?\s*(?P<{p}y1>(?:19|20)\d{{2}})"
        rf"|(?P<{p}m2>1[0-2]|0?[1-9])\s*/\s*(?P<{p}y2>(?:19|20)\d{{2}})"
        rf"|(?P<{p}m4>1[0-2]|0[1-9])\.(?P<{p}y4>(?:19|20)\d{{2}})"
        rf"|(?P<{p}y3>(?:19|20)\d{{2}})\s*(?:(?:年|[./\-]|\s)\s*(?P<{p}m3>1[0-2]|0?[1-9])(?!\d)\s*月?|年)?)"
    )


_PRESENT = (
    r"(?P<present>至今|迄今|今|现在|目前|present(?:\s+day)?|now|current(?:ly)?|today|ongoing|"
    r"till\s+now|(?<=to\s)date\b)"
)
# Hyphens and dashes of every kind: Word writes U+2011 for a non-breaking hyphen, PDFs carry
# U+2010/U+2012; a range whose dash is not recognised loses the whole job.
_DASHES = "\\-‐‑‒–—―−－~～⁓〜"
_RANGE_RE = re.compile(
    _date_pattern("a")
    + rf"\s*(?:[{_DASHES}]|至|到|\bto\b|until)\s*(?:"
    + _date_pattern("b")
    + "|"
    + _PRESENT
    + r")(?![\d])",
    re.IGNORECASE,
)


# An open range: "Since 2019", "From March 2021" (no end: the job goes on).
_OPEN_RE = re.compile(
    r"(?:\b(?:since|from)\s+|自\s*)"
    + _date_pattern("a")
    + r"(?!\s*(?:["
    + _DASHES
    + r"]|至|到|\bto\b|until)\s*\d)(?:\s*(?:起|以来))?",
    re.IGNORECASE,
)


_PROSE_RE = re.compile(r"\b[a-z]+\s+[a-z]+\s+[a-z]+\b")


def _ym(match: re.Match[str], p: str) -> str | None:
    g = match.groupdict()
    if g.get(p + "mon"):
        return f"{int(g[p + 'y1']):04d}-{_MONTHS[g[p + 'mon'][:3].lower()]:02d}"
    if g.get(p + "y2"):
        return f"{int(g[p + 'y2']):04d}-{int(g[p + 'm2']):02d}"
    if g.get(p + "y4"):
        return f"{int(g[p + 'y4']):04d}-{int(g[p + 'm4']):02d}"
    if g.get(p + "y3"):
        if g.get(p + "m3"):
            return f"{int(g[p + 'y3']):04d}-{int(g[p + 'm3']):02d}"
        return f"{int(g[p + 'y3']):04d}"
    return None


@dataclass(frozen=True, slots=True)
class DateRange:
    """A parsed "start - end" range; ``end`` None with ``is_current`` for "至今/present"."""

    start: str | None
    end: str | None
    is_current: bool
    span: tuple[int, int]


def find_date_range(text: str) -> DateRange | None:
    """The first date range in ``text`` ("2018.07-至今", "Jan 2019 – Present", "2015/9~2019/6")."""
    m = _RANGE_RE.search(text)
    if not m:
        # only in a short header line, near its end: "since 2019" in a sentence is not an
        # entry's dates
        opened = _OPEN_RE.search(text) if len(text) <= 80 else None
        rest = text[opened.end() :] if opened else ""
        if opened and len(rest) <= 40 and not _PROSE_RE.search(rest):
            return DateRange(_ym(opened, "a"), None, True, opened.span())
        return None
    start = _ym(m, "a")
    if m.group("present"):
        return DateRange(start, None, True, m.span())
    return DateRange(start, _ym(m, "b"), False, m.span())


def month_index(value: str, *, is_end: bool) -> int:
    """Months since year 0 of a "YYYY-MM" or "YYYY" value. A bare year counts from its
    middle, so "2016 - 2019" is three years whichever end is open."""
    if len(value) == 4:
        return int(value) * 12 + 6
    year, month = value.split("-")
    # An end month is inclusive: "2019.01 - 2019.12" is twelve months of work.
    return int(year) * 12 + int(month) - 1 + (1 if is_end else 0)


def merged_years(intervals: Iterable[tuple[int, int]]) -> float:
    """Total years covered by month intervals, counting overlaps once."""
    total = 0
    current: tuple[int, int] | None = None
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if current is None or start > current[1]:
            if current is not None:
                total += current[1] - current[0]
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += current[1] - current[0]
    return round(total / 12, 1)


def experience_years(work: Sequence[WorkEntry], today: date) -> tuple[float, dict[str, float]]:
    """(years of experience, years per industry) of work entries: overlaps merged, internships
    left out, "至今" counted to ``today`` (what :func:`parse_resume` computes)."""
    intervals = []
    by_industry: dict[str, list[tuple[int, int]]] = {}
    for entry in work:
        interval = _interval(entry, today)
        if interval is None or entry.is_internship:
            continue
        intervals.append(interval)
        if entry.industry:
            by_industry.setdefault(entry.industry, []).append(interval)
    return merged_years(intervals), {k: merged_years(v) for k, v in sorted(by_industry.items())}


def _interval(entry: WorkEntry, today: date) -> tuple[int, int] | None:
    if not entry.start:
        return None
    start = month_index(entry.start, is_end=False)
    if entry.is_current:
        end = today.year * 12 + today.month  # the current month counts
    elif entry.end:
        end = month_index(entry.end, is_end=True)
    else:
        return None
    return (start, end) if end > start else None
