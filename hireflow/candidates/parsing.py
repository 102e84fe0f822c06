"""Resume text extraction (PDF, DOCX, TXT) and parsing into a structured profile.

``extract_text(data, filename)`` returns the text of a resume file; ``parse_resume(text,
today=...)`` turns text into a :class:`ResumeProfile`: name, contacts (phone in E.164), location,
education (school, degree on an ordered scale, major, dates), work history (company, title,
dates, industry), years of experience with overlapping jobs merged, years per industry,
normalised skills and language certificates.

The parser is rules first: section headings in Chinese and English split the text, date ranges
and labelled fields ("专业：", "Major:") anchor entries, and the character CRF of
:mod:`hireflow.candidates.extraction` fills in names, companies and titles that no pattern
catches. Nothing reads the clock: "至今"/"present" is resolved against the ``today`` argument.
"""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from hireflow.candidates.files import UploadError, check_docx_container, sniff
from hireflow.candidates.skills import find_skills, normalise_skill

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
        return cls(**{k: data.get(k) for k in cls.__slots__ if k in data})


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


# ---------------------------------------------------------------------------------------------
# Text extraction
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExtractedDocument:
    """Text of a document and what was learnt while reading it."""

    text: str
    kind: str
    encoding: str | None = None
    pages: int | None = None
    images: int = 0


def text_problem(doc: ExtractedDocument) -> str | None:
    """The error code for a document whose text is not usable, or None.

    No text at all; a PDF whose "text" is mostly private-use characters or replacement marks
    (fonts without a character map, so the words cannot be recovered); a PDF that is images
    with a few stray characters (a scan with a page number or a scanner app's watermark).
    """
    meaningful = bad = 0
    for ch in doc.text:
        category = unicodedata.category(ch)
        if category == "Co" or ch == "\ufffd":
            bad += 1
        elif category[0] in "LN":
            meaningful += 1
    bad += 5 * doc.text.count("(cid:")
    if meaningful + bad == 0:
        return "pdf_no_text" if doc.kind == "pdf" else "file_no_text"
    if doc.kind != "pdf":
        return None
    if bad > 0.3 * (meaningful + bad):
        return "pdf_garbled"
    if doc.images and meaningful < 40 * max(doc.pages or 1, 1):
        return "pdf_no_text"
    return None


def _image_count(page: Any) -> int:
    """Image XObjects a page draws directly (cheap: no decoding)."""
    try:
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        if xobjects is None:
            return 0
        xobjects = xobjects.get_object()
        return sum(1 for ref in xobjects.values() if ref.get_object().get("/Subtype") == "/Image")
    except (AttributeError, KeyError, TypeError, ValueError):
        return 0


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode a plain-text resume: BOMs first, then UTF-8, UTF-16 without BOM, GB18030.

    Raises :class:`UploadError` ("txt_encoding_unknown") for bytes that are not text.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise UploadError("txt_encoding_unknown") from exc
    sample = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII-range text is NUL.
    if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
        even_nuls = sample[0::2].count(0)
        odd_nuls = sample[1::2].count(0)
        encoding = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        try:
            return _accept_text(data.decode(encoding)), encoding
        except UnicodeDecodeError as exc:
            raise UploadError("txt_encoding_unknown") from exc
    for encoding in ("utf-8", "gb18030"):
        try:
            return _accept_text(data.decode(encoding)), encoding
        except UnicodeDecodeError:
            continue
    raise UploadError("txt_encoding_unknown")


def _accept_text(text: str) -> str:
    """Refuse decoded 'text' that is really binary (control characters, NULs)."""
    if not text:
        return text
    sample = text[:4096]
    bad = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    if bad > max(2, len(sample) // 100):
        raise UnicodeDecodeError("text", b"", 0, 1, "control characters")
    return text


def _pdf_text(data: bytes) -> ExtractedDocument:
    # The document readers load on first use (pypdf and python-docx take most of a second to
    # import; web workers that never read a resume do not pay for them).
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    from hireflow.candidates.files import MAX_PDF_PAGES

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            # An owner password alone (empty user password) still lets anyone read it.
            try:
                if not reader.decrypt(""):
                    raise UploadError("pdf_encrypted")
            # Unsupported encryption algorithms raise a RuntimeError subclass.
            except (FileNotDecryptedError, RuntimeError) as exc:
                raise UploadError("pdf_encrypted") from exc
        pages = reader.pages
        count = len(pages)
        if count == 0:
            raise UploadError("pdf_corrupt")
        if count > MAX_PDF_PAGES:
            raise UploadError("pdf_too_many_pages", pages=count, limit=MAX_PDF_PAGES)
        texts = [page.extract_text() or "" for page in pages]
        images = sum(_image_count(page) for page in pages)
    except UploadError:
        raise
    except FileNotDecryptedError as exc:
        raise UploadError("pdf_encrypted") from exc
    except (
        PdfReadError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        OSError,
    ) as exc:
        raise UploadError("pdf_corrupt") from exc
    except RecursionError as exc:
        raise UploadError("pdf_corrupt") from exc
    return ExtractedDocument("\n".join(texts), "pdf", pages=count, images=images)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_block_text(element: Any, out: list[str]) -> None:
    """Append the lines of a w:body-like element: paragraphs and tables in document order.

    A table row of one-line cells becomes one line with the cells separated by " | " (cells
    merged across columns repeat in the XML and are written once); rows whose cells hold
    several paragraphs are layout, and their cells' lines are written one after another.
    """
    for child in element.iterchildren():
        tag = child.tag
        if tag == _W + "p":
            out.append(_docx_paragraph(child))
        elif tag == _W + "tbl":
            for row in child.iterchildren(_W + "tr"):
                cells: list[list[str]] = []
                for cell in row.iterchildren(_W + "tc"):
                    lines: list[str] = []
                    _docx_block_text(cell, lines)
                    cells.append([line for line in lines if line.strip()])
                if any(len(c) > 1 for c in cells):
                    # A layout table (e.g. a sidebar beside the main column): keep each
                    # cell's lines, cell after cell.
                    for c in cells:
                        out.extend(c)
                    continue
                texts: list[str] = []
                for c in cells:
                    text = c[0].strip() if c else ""
                    if text and (not texts or texts[-1] != text):
                        texts.append(text)
                if texts:
                    out.append(" | ".join(texts))
        elif tag == _W + "sdt":
            content = child.find(_W + "sdtContent")
            if content is not None:
                _docx_block_text(content, out)


def _docx_paragraph(p: Any) -> str:
    parts: list[str] = []
    for node in p.iter(_W + "t", _W + "tab", _W + "br", _W + "cr"):
        if node.tag == _W + "t":
            parts.append(node.text or "")
        elif node.tag == _W + "tab":
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _docx_text(data: bytes) -> ExtractedDocument:
    import docx  # on first use, as pypdf above
    from docx.opc.exceptions import PackageNotFoundError

    check_docx_container(data)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError, OSError) as exc:
        raise UploadError("docx_corrupt") from exc
    except Exception as exc:  # lxml raises its own XMLSyntaxError family on damaged XML
        raise UploadError("docx_corrupt") from exc
    lines: list[str] = []
    seen_headers: set[str] = set()
    for section in document.sections:
        try:
            header = section.header
            if header.is_linked_to_previous:
                continue
            header_lines: list[str] = []
            _docx_block_text(header._element, header_lines)
            block = "\n".join(x for x in header_lines if x.strip())
            if block and block not in seen_headers:
                seen_headers.add(block)
                lines.append(block)
        except (KeyError, ValueError, AttributeError):
            continue
    _docx_block_text(document.element.body, lines)
    return ExtractedDocument("\n".join(lines), "docx")


def extract_document(data: bytes, kind: str) -> ExtractedDocument:
    """Text of ``data`` read as ``kind`` ("pdf", "docx" or "txt"); raises UploadError."""
    if kind == "pdf":
        return _pdf_text(data)
    if kind == "docx":
        return _docx_text(data)
    if kind == "txt":
        text, encoding = decode_text(data)
        return ExtractedDocument(text, "txt", encoding=encoding)
    raise UploadError("file_type_unsupported")


def extract_text(data: bytes, filename: str) -> str:
    """The text of a PDF, DOCX or TXT resume.

    The type comes from the content, not from ``filename`` (which only matters to
    :func:`hireflow.candidates.files.check_upload`, where a mismatch is refused). Raises
    :class:`UploadError` with a stable code for empty, unsupported, encrypted or corrupt files.
    """
    if not data:
        raise UploadError("file_empty")
    kind = sniff(data)
    if kind == "ole2":
        raise UploadError("doc_legacy_unsupported")
    if kind == "image":
        raise UploadError("image_unsupported")
    if kind not in ("pdf", "docx", "txt"):
        raise UploadError("file_type_unsupported")
    doc = extract_document(data, kind)
    problem = text_problem(doc)
    if problem:
        raise UploadError(problem)
    return doc.text


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_NAMES = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)


def _date_pattern(p: str) -> str:
    return (
        rf"(?:(?P<{p}mon>{_MONTH_NAMES})\.?,?\s*(?P<{p}y1>(?:19|20)\d{{2}})"
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


def _months(value: str, *, is_end: bool) -> int:
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
    start = _months(entry.start, is_end=False)
    if entry.is_current:
        end = today.year * 12 + today.month  # the current month counts
    elif entry.end:
        end = _months(entry.end, is_end=True)
    else:
        return None
    return (start, end) if end > start else None


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------

_SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "education": (
        "教育背景", "教育经历", "学习经历", "教育", "学历", "education", "academic background",
        "education background", "academic qualifications", "qualifications",
    ),
    "work": (
        "工作经历", "工作经验", "职业经历", "实习经历", "任职经历", "工作履历", "从业经历",
        "work experience", "professional experience", "experience", "employment history",
        "employment", "work history", "career history", "internships", "internship",
    ),
    "projects": (
        "项目经验", "项目经历", "项目", "projects", "project experience", "selected projects",
    ),
    "skills": (
        "专业技能", "技能特长", "技能", "技能证书", "个人技能", "skills", "technical skills",
        "core skills", "skills & tools", "competencies", "key skills",
    ),
    "languages": ("语言能力", "外语能力", "语言", "languages", "language skills", "language"),
    "profile": (
        "个人信息", "基本信息", "个人资料", "联系方式", "personal information", "contact",
        "contact information", "personal details", "profile",
    ),
    "summary": ("自我评价", "个人简介", "个人总结", "求职意向", "summary", "objective", "about me",
                "professional summary", "career objective"),
    "certificates": ("证书", "资格证书", "获奖情况", "荣誉奖项", "certifications", "certificates",
                     "awards", "honors", "honours"),
}  # fmt: skip
_HEADING_LOOKUP = {w: s for s, words in _SECTION_WORDS.items() for w in words}
_HEADING_STRIP = re.compile(
    r"^[\s#*=\-_【\[《<>》\]】:：|·•■◆●▶►]+|[\s#*=\-_【\[《<>》\]】:：|·•■◆●▶►]+$"
)


def section_of(line: str) -> str | None:
    """The section a heading line opens, or None if the line is not a heading."""
    core = _HEADING_STRIP.sub("", line).strip().lower()
    if not core or len(core) > 30:
        return None
    core = re.sub(r"\s+", " ", core)
    if core in _HEADING_LOOKUP:
        return _HEADING_LOOKUP[core]
    # "教育背景 Education", "Work Experience / 工作经历"
    for piece in re.split(r"\s*[/|｜]\s*|\s{2,}|(?<=[\u4e00-\u9fff])\s+(?=[a-z])", core):
        if piece in _HEADING_LOOKUP:
            return _HEADING_LOOKUP[piece]
    return None


def split_sections(lines: Sequence[str]) -> dict[str, list[str]]:
    """Lines grouped by section; lines before the first heading go to "header"."""
    sections: dict[str, list[str]] = {"header": []}
    current = "header"
    for line in lines:
        name = section_of(line)
        if name:
            current = name
            sections.setdefault(current, [])
            continue
        sections.setdefault(current, []).append(line)
    return sections


# ---------------------------------------------------------------------------------------------
# Contacts, name, location
# ---------------------------------------------------------------------------------------------

# Bounded and anchored to the start of a run, so a long run without "@" costs linear time.
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}"
    r"\.[A-Za-z]{2,24}"
)
_PHONE_LABEL_RE = re.compile(
    r"(?:手机|电话|联系电话|手机号|移动电话|phone|mobile|tel|cell|telephone)\s*(?:号码)?\s*[:：]?\s*"
    r"((?:\+|00)?[\d\s\-().]{7,22}\d)",
    re.IGNORECASE,
)
_PHONE_ANY_RE = re.compile(
    r"(?<![\d.\-/])(?:(?:\+|00)\d{1,3}[\s\-.]?(?:\(\d{1,4}\)[\s\-.]?)?\d[\d\s\-.]{5,16}\d"
    r"|(?:\+?86[\s\-]?)?1[3-9]\d[\s\-]?\d{4}[\s\-]?\d{4})(?![\d.\-/])"
)


def normalise_phone(raw: str, default_region: str = "CN") -> str | None:
    """A phone number in E.164 ("+8613812345678"), or None when it is not a valid number."""
    import phonenumbers

    candidate = raw.strip()
    if candidate.startswith("00"):
        candidate = "+" + candidate[2:]
    try:
        number = phonenumbers.parse(candidate, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# North American numbers written without +1: "(415) 555-2671", "415-555-2671".
_PHONE_NANP_RE = re.compile(r"(?<![\d+])\(?[2-9]\d{2}\)?[\s.\-]?[2-9]\d{2}[\s.\-]\d{4}(?!\d)")


def find_phone(text: str) -> str | None:
    """The first valid phone number: labelled ones first, then any mobile-like number, then
    a North American number without its country code."""
    for pattern, region in ((_PHONE_LABEL_RE, "CN"), (_PHONE_ANY_RE, "CN"), (_PHONE_NANP_RE, "US")):
        for count, m in enumerate(pattern.finditer(text)):
            if count >= 20:
                break  # no resume has more phone-like strings than that; spare long input
            raw = m.group(1) if m.groups() else m.group(0)
            phone = normalise_phone(raw, region)
            if phone:
                return phone
    return None


@cache
def _surnames() -> frozenset[str]:
    raw = json.loads(
        resources.files("hireflow.candidates").joinpath("data/ner_lexicon.json").read_text("utf-8")
    )
    return frozenset(raw["surname"])


_NAME_LABEL_RE = re.compile(
    r"(?:姓\s*名|name)\s*[:：|]\s*([^\s|,，;；/]{2,30}(?: [A-Z][a-z]{1,40}){0,3})", re.IGNORECASE
)
_CJK_NAME_RE = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
_NOT_NAMES = frozenset(
    {"个人简历", "简历", "求职简历", "个人信息", "基本信息", "履历", "应聘", "求职"}
)
_FIELD_SPLIT = re.compile(r"\s*(?:[|｜/·•,，;；]|\s{2,}|\t)\s*")


def _plausible_cjk_name(token: str) -> bool:
    if not _CJK_NAME_RE.match(token) or token in _NOT_NAMES or section_of(token):
        return False
    surnames = _surnames()
    return token[0] in surnames or token[:2] in surnames


def find_name(header: Sequence[str]) -> str | None:
    """The candidate's name from the first lines: a "姓名:" label, a short Chinese name with a
    known surname, an English name line, or the CRF's NAME entity."""
    for line in header:
        m = _NAME_LABEL_RE.search(line)
        if m:
            value = m.group(1).strip()
            if not _EMAIL_RE.search(value):
                return value
    from hireflow.candidates.extraction import extract_entities

    content = [line for line in header if line.strip() and len(line) <= _MAX_ENTITY_LINE][:4]
    for line in content[:3]:
        first = _FIELD_SPLIT.split(line.strip())[0]
        if _plausible_cjk_name(first):
            return first
    text = "\n".join(content)
    for entity in extract_entities(text):
        if entity.label == "NAME":
            return _NAME_WORD_RE.sub("", entity.text.strip())
    # A header line that holds the name with the contacts ("Alex Chen | alex@… | (415) …",
    # "Emily Carter, MBA"): each field on its own, the contact details taken out.
    for line in content[:3]:
        bare = _CONTACT_BITS_RE.sub(" | ", line)
        pieces = [p for p in _HEADER_SPLIT_RE.split(bare) if p.strip()]
        if len(pieces) < 2 and bare == line:
            continue
        for piece in pieces:
            piece = _NAME_WORD_RE.sub("", piece.strip())
            if _plausible_cjk_name(piece):
                return piece
            for entity in extract_entities(piece):
                if entity.label == "NAME" and entity.text.strip() == piece:
                    return piece
    return None


# Contact details and links inside a header line, and the separators between its fields.
_CONTACT_BITS_RE = re.compile(
    _EMAIL_RE.pattern
    + r"|(?:https?://|www\.)\S+|\b(?:linkedin|github)\.com/\S*"
    + r"|(?:\+|00)?\(?\d[\d\s().\-]{6,20}\d"
    + r"|(?:邮箱|电话|手机|e-?mail|phone|mobile|tel)\s*[:：]?",
    re.IGNORECASE,
)
_HEADER_SPLIT_RE = re.compile(r"\s*(?:[|｜·•,，;；—–]|\s-\s|\s{2,}|\t)\s*")
_NAME_WORD_RE = re.compile(r"^(?:姓\s*名|name)\s*[:：]?\s+", re.IGNORECASE)


# The CRF costs tens of microseconds per character: the parser only asks it about short
# lines (names, headers of entries), never about prose or pathological input.
_MAX_ENTITY_LINE = 120
_MAX_CRF_ENTRIES = 40
# Longer input is cut: a resume is a few thousand characters, and every step stays linear.
MAX_TEXT_CHARS = 60_000
# Where the candidate lives; a desired city (期望城市, preferred location) is not that.
_LIVES = (
    r"现居住地|现居地|现居|居住地|所在地|所在城市|家庭住址|地址|current\s+location|location|"
    r"address|based\s+in|(?<!期望)(?<!意向)(?<!目标)(?<!工作)城市|(?<!preferred\s)city"
)
_LOCATION_LABEL_RE = re.compile(
    rf"(?<![A-Za-z])(?:{_LIVES})\s*[:：|｜]?\s*([^|｜,，;；\n]{{2,40}})", re.IGNORECASE
)
_LOCATION_LABEL_ONLY_RE = re.compile(rf"(?:{_LIVES})\s*[:：]?", re.IGNORECASE)


def find_location(header: Sequence[str]) -> str | None:
    """Where the candidate lives, from a labelled field or a city named near the top."""
    for i, line in enumerate(header):
        # A PDF table puts the label and its value on separate lines.
        if _LOCATION_LABEL_ONLY_RE.fullmatch(line.strip()) and i + 1 < len(header):
            return _clean(header[i + 1])
        m = _LOCATION_LABEL_RE.search(line)
        if m:
            return _clean(m.group(1).strip().rstrip("."))
    from hireflow.candidates.extraction import extract_entities

    for line in header[:8]:
        if len(line) > _MAX_ENTITY_LINE:
            continue
        if _EMAIL_RE.search(line) and not re.search(r"[|｜•·]", line):
            continue
        for entity in extract_entities(line):
            if entity.label == "LOC":
                return entity.text
    return None


# ---------------------------------------------------------------------------------------------
# Education and work entries
# ---------------------------------------------------------------------------------------------

from hireflow.candidates.extraction import _CAMPUS  # noqa: E402 - one definition of campuses

_EN_SCHOOL_HEAD = (
    r"(?:University|Institute\s+of\s+Technology|Institute|College|Polytechnic|Academy|"
    r"Business\s+School|School)"
)
_CAP = r"[A-Z][A-Za-z&'\-.]{0,40}"
_SCHOOL_RE = re.compile(
    r"[\u4e00-\u9fff（）()]{2,24}?(?:大学|学院|学校|中学|高中|党校|研究院|研究所|科学院)"
    r"(?:[（(][^）)]{1,10}[）)])?"
    # "Technical University of Munich", "University of Manchester", "Delft University of
    # Technology", "Imperial College London" (a trailing word only when it is a known city)
    rf"|(?:The\s+)?(?:{_CAP}\s+){{0,6}}{_EN_SCHOOL_HEAD}"
    rf"(?:\s+(?:of|at)\s+{_CAP}(?:\s+(?:{_CAP}|and|&))*?(?=\s*(?:$|[,;|(（]|\s\d|\s{{2,}}))"
    # a campus after a comma: "University of California, Berkeley" (not a major or degree)
    + _CAMPUS
    + r")?"
    r"(?:\s+(?:London|Dublin|Cork|Belfast|Singapore|Hong\s+Kong|Boston|Chicago))?"
)
_MAJOR_LABEL_RE = re.compile(
    r"(?:专业|major|field of study)\s*[:：|｜]\s*([^|｜,，;；\n\t]{2,40}?)"
    r"(?=\s{2,}|\t|\s*(?:学历|学位|degree)\s*[:：]|[|｜,，;；]|$)",
    re.IGNORECASE,
)
_DEGREE_LABEL_RE = re.compile(
    r"(?:学历|学位|degree)\s*[:：]\s*([^|｜,，;；\s]{2,30})", re.IGNORECASE
)
_EN_MAJOR_RE = re.compile(
    r"(?:Bachelor|Master|Doctor|B\.?\s?Sc|M\.?\s?Sc|B\.?\s?S\.?|M\.?\s?S\.?|B\.?\s?A\.?|M\.?\s?A\.?|"
    r"B\.?\s?Eng|M\.?\s?Eng|Ph\.?\s?D\.?|MBA|Associate)[^,|\n]*?\bin\s+"
    r"([A-Z][A-Za-z&\-]{0,40}(?:\s+(?:and|&|of)?\s*[A-Z][A-Za-z&\-]{0,40}){0,5})"
)
# "Master of Information Management": the field is the degree's name (not for the generic
# "of Science", "of Arts"…, whose field follows "in").
_EN_MAJOR_OF_RE = re.compile(
    r"\b(?:Bachelor|Master|Doctor)(?:'s)?\s+of\s+"
    r"(?!(?:Science|Sciences|Arts|Philosophy|Laws|Engineering)\b(?!\s+[A-Z]))"
    r"([A-Z][A-Za-z&\-]{0,40}(?:\s+(?:and|&)?\s*[A-Z][A-Za-z&\-]{0,40}){0,4})"
    r"(?!\s+in\s)"
)
_DEGREE_WORD_RE = re.compile(
    r"博士研究生|硕士研究生|博士后|博士|硕士|研究生|本科|学士|大专|专科|高中|中专|MBA|EMBA|"
    r"Ph\.?\s?D\.?|Doctor(?:ate)?(?: of [A-Z][a-z]{1,40})?|"
    r"Master(?:'s)?(?: of [A-Z][a-z]{1,40}(?: [A-Z][a-z]{1,40})?)?|"
    r"Bachelor(?:'s)?(?: of [A-Z][a-z]{1,40}(?: [A-Z][a-z]{1,40})?)?|"
    r"B\.?\s?Sc\.?|M\.?\s?Sc\.?|B\.?\s?Eng\.?|"
    r"M\.?\s?Eng\.?|\bB\.?\s?S\.?(?![A-Za-z])|\bM\.?\s?S\.?(?![A-Za-z])|\bB\.?\s?A\.?(?![A-Za-z])|"
    r"\bM\.?\s?A\.?(?![A-Za-z])|Associate(?:'s)? Degree|High School Diploma"
)
_COMPANY_RE = re.compile(
    r"[\u4e00-\u9fffA-Za-z0-9（）()]{2,40}(?:股份有限公司|有限责任公司|有限公司|集团公司|集团|公司|银行|"
    r"研究院|研究所|事务所|工厂|厂)(?:[（(][^）)]{1,12}[）)])?"
    r"|(?:[A-Z][A-Za-z0-9&'\-.]{0,40}\s+){0,5}[A-Z][A-Za-z0-9&'\-.]{0,40},?\s+"
    r"(?:Inc\.?|Incorporated|Ltd\.?|Limited|LLC|LLP|GmbH|AG|S\.A\.|plc|PLC|Corp\.?|Corporation|"
    r"Co\.,?\s*Ltd\.?|Company|Group|Holdings|Technologies|Bank|Consulting|Partners|Labs?)(?![A-Za-z])"
)
_COMPANY_LABEL_RE = re.compile(
    r"(?:公司名称|公司|单位|employer|company)\s*[:：]\s*([^|｜;；\n]{2,50})", re.IGNORECASE
)
_TITLE_LABEL_RE = re.compile(
    r"(?:职位|职务|岗位|担任|title|position|role)\s*[:：]\s*([^|｜,，;；\n]{2,40})", re.IGNORECASE
)
_CN_TITLE_RE = re.compile(
    r"[\u4e00-\u9fffA-Za-z]{0,10}?(?:工程师|经理|总监|主管|专员|助理|顾问|分析师|设计师|架构师|"
    r"研究员|主任|总裁|总经理|董事长|董事|会计师|会计|出纳|秘书|讲师|教师|实习生|技术员|操作员|"
    r"组长|负责人|合伙人|代表|销售|客服|开发|运营|采购员|质检员|科长|处长|部长|厂长|店长)"
)
_EN_TITLE_RE = re.compile(
    r"(?:(?:Senior|Junior|Lead|Principal|Staff|Chief|Head|Assistant|Associate|Deputy|Vice|"
    r"[A-Z][a-z]{1,40}|[A-Z]{2,40})\s+){0,4}"
    r"(?:Engineer|Manager|Director|Developer|Analyst|Scientist|Consultant|Designer|Architect|"
    r"Officer|Specialist|Intern|Administrator|Accountant|Assistant|Coordinator|Representative|"
    r"President|Supervisor|Technician|Researcher|Professor|Lecturer|Teacher|Programmer|"
    r"Associate|Partner|Founder|Co-founder|Auditor|Advisor|Executive|Lead|Recruiter|Planner|"
    r"Buyer|Operator|Trainee|Controller|Tester|Strategist|CEO|CTO|CFO|COO)\b"
    r"(?:\s+(?:of|for)\s+[A-Z][A-Za-z&\-]{0,40}(?:\s+[A-Z][A-Za-z&\-]{0,40}){0,2})?"
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•·●◦▪■◆○]|\d+[.)、]\s|[（(]\d+[）)])")
_SENTENCE_RE = re.compile(
    r"[。；;！!？?]|，.*，|(?<![a-z])[a-z]{3,40}\s+[a-z]{3,40}\s+[a-z]{3,40}\s+[a-z]{3,40}"
)
_INTERN_RE = re.compile(r"实习|intern(?:ship)?\b|trainee", re.IGNORECASE)


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(" \t|｜,，;；:：-–—·")
    return value or None


def _is_description(line: str) -> bool:
    stripped = line.strip()
    if _BULLET_RE.match(stripped) or _SENTENCE_RE.search(stripped):
        return True
    # A long line is prose, unless it carries dates: "BSc in X, Some University, 2012 to 2016".
    return len(stripped) > 80 and find_date_range(stripped) is None


_LATIN_FRAGMENT_RE = re.compile(r"^[A-Za-z][A-Za-z&\-]*(?: [A-Za-z&\-]+){0,2}$")
_ENDS_WITH_SCHOOL_RE = re.compile(r"\b(?:University|College|Institute|School|Academy)$")
_SCHOOL_TAIL_RE = re.compile(
    r"^(?:(?:of|at)\s+[A-Z][A-Za-z&\-]{0,40}(?:\s+[A-Z][A-Za-z&\-]{0,40}){0,2}"
    r"|London|Dublin|Cork|Belfast|Singapore|Hong Kong|Boston|Chicago)$"
)
_ENDS_IN_PHRASE_RE = re.compile(r"\bin(?:\s+[A-Z][A-Za-z&\-]*)+$")
_LEGAL_SUFFIX_RE = re.compile(
    r"^(?:Inc\.?|Ltd\.?|LLC|LLP|GmbH|AG|plc|PLC|Corp\.?|Limited|Co\.,?\s*Ltd\.?|S\.A\.)$"
)


@dataclass(slots=True)
class _Block:
    header: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    # Short header lines with no recognised field: a major, a title or a company name on a
    # line of its own (PDF tables put every cell on its own line).
    extra: list[str] = field(default_factory=list)


def _group(lines: Sequence[str], kinds_of: Any) -> list[_Block]:
    """Group a section's lines into entries.

    Short lines carrying entry fields (dates, a school or company, a title) form an entry's
    header; other lines are its description. A new entry starts when a header line follows
    description lines, or repeats a field the current header already has (a second date range
    means a second job).
    """
    blocks: list[_Block] = []
    current: _Block | None = None
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        kinds = set() if _is_description(line) else kinds_of(line)
        if kinds:
            if current is None or current.body or (kinds & current.kinds):
                current = _Block()
                blocks.append(current)
            current.header.append(line)
            current.kinds |= kinds
        elif (
            current is not None
            and not current.body
            and len(line) <= 24
            and not _is_description(line)
        ):
            previous = current.header[-1]
            if (
                (_LATIN_FRAGMENT_RE.match(line) and _ENDS_IN_PHRASE_RE.search(previous))
                or _LEGAL_SUFFIX_RE.match(line)
                or (_SCHOOL_TAIL_RE.match(line) and _ENDS_WITH_SCHOOL_RE.search(previous))
            ):
                # A PDF cell wrapped mid-phrase: "BSc in Electrical" + "Engineering".
                current.header[-1] += " " + line
                continue
            current.header.append(line)
            current.extra.append(line)
        else:
            if current is None:
                current = _Block()
                blocks.append(current)
            current.body.append(line)
    return [b for b in blocks if b.header]


def _education_kinds(line: str) -> set[str]:
    kinds = set()
    if find_date_range(line):
        kinds.add("date")
    if _SCHOOL_RE.search(line):
        kinds.add("school")
    if _DEGREE_WORD_RE.search(line) or _DEGREE_LABEL_RE.search(line):
        kinds.add("degree")
    if _MAJOR_LABEL_RE.search(line):
        kinds.add("major")
    return kinds


def _leftover_major(line: str, removed: Sequence[str]) -> str | None:
    """What remains of an education line once school, degree and dates are taken out: in
    "2015.09-2019.06 浙江大学 机械工程 本科" that is the major."""
    rest = line
    for piece in removed:
        if piece:
            rest = rest.replace(piece, " ")
    rest = re.sub(
        r"(?:学历|学位|专业|degree|major|时间|学校)\s*[:：]", " ", rest, flags=re.IGNORECASE
    )
    for chunk in re.split(
        r"\s*[|｜,，;；/]\s*|\s{2,}|\t|\s+(?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])\s+", rest
    ):
        chunk = chunk.strip(" ()（）-–—·:：")
        if not chunk or re.fullmatch(r"[\d\s.\-/年月]+", chunk):
            continue
        if re.fullmatch(r"(?:GPA|绩点|排名).*", chunk, flags=re.IGNORECASE):
            continue
        if len(chunk) <= 30 and not _DEGREE_WORD_RE.search(chunk):
            return chunk
    return None


def parse_education(lines: Sequence[str]) -> list[EducationEntry]:
    """Education entries from the lines of an education section."""
    entries: list[EducationEntry] = []
    for block in _group(lines, _education_kinds):
        entry = EducationEntry()
        for line in [*block.header, *block.body[:3]]:
            removed: list[str] = []
            dr = find_date_range(line)
            if dr and entry.start is None:
                entry.start, entry.end, entry.is_current = dr.start, dr.end, dr.is_current
            if dr:
                removed.append(line[dr.span[0] : dr.span[1]])
            m = _SCHOOL_RE.search(line)
            if m and entry.school is None:
                entry.school = _clean(m.group(0))
            if m:
                removed.append(m.group(0))
            label = _DEGREE_LABEL_RE.search(line)
            word = _DEGREE_WORD_RE.search(line)
            raw_degree = label.group(1) if label else (word.group(0) if word else None)
            if raw_degree and entry.degree is None and normalise_degree(raw_degree):
                entry.degree_raw = raw_degree.strip()
                entry.degree = normalise_degree(raw_degree)
            if word:
                removed.append(word.group(0))
            major = _MAJOR_LABEL_RE.search(line)
            if major and entry.major is None:
                entry.major = _clean(major.group(1))
            if entry.major is None:
                en_major = _EN_MAJOR_RE.search(line) or _EN_MAJOR_OF_RE.search(line)
                if en_major:
                    entry.major = _clean(en_major.group(1))
            if entry.major is None and line in block.header and (m or word):
                entry.major = _clean(_leftover_major(line, removed))
        latin = [x for x in block.extra if _LATIN_FRAGMENT_RE.match(x)]
        if entry.major is None and len(latin) > 1 and len(latin) == len(block.extra):
            # A table cell wrapped over lines: "Mechanical" + "Engineering".
            entry.major = " ".join(latin)
        if entry.major is None:
            for line in block.extra:
                value = _clean(line)
                if (
                    value
                    and not _DEGREE_WORD_RE.search(value)
                    and not re.fullmatch(r"[\d\s.\-/年月]+", value)
                ):
                    entry.major = value
                    break
        if entry.school or entry.degree:
            entries.append(entry)
    return entries


def _work_kinds(line: str) -> set[str]:
    kinds = set()
    if find_date_range(line):
        kinds.add("date")
    if _COMPANY_RE.search(line) or _COMPANY_LABEL_RE.search(line):
        kinds.add("company")
    if len(line) <= 60 and (
        _TITLE_LABEL_RE.search(line) or _CN_TITLE_RE.search(line) or _EN_TITLE_RE.search(line)
    ):
        kinds.add("title")
    return kinds


def _leftover_company(header: Sequence[str], title: str | None) -> str | None:
    """The company of a job header when nothing recognised it: what remains of a header line
    once the dates and the title are taken out ("字节跳动 | 后端开发工程师 | 2020.07 - 至今")."""
    for line in header:
        rest = line.replace(title, " ") if title else line
        rest = re.sub(r"[（(][^）)]*[）)]?", " ", rest)  # "(Summer 2016)", "（实习）"
        dr = find_date_range(rest)
        if dr:
            rest = rest[: dr.span[0]] + " " + rest[dr.span[1] :]
        if _TITLE_LABEL_RE.search(rest):
            continue
        for chunk in re.split(r"\s*[|｜,，;；]\s*|\s{2,}|\t", rest):
            chunk = chunk.strip(" ()（）-–—·:：@")
            if len(chunk) < 2 or len(chunk) > 40 or re.fullmatch(r"[\d\s.\-/年月]+", chunk):
                continue
            if _CN_TITLE_RE.fullmatch(chunk) or _EN_TITLE_RE.fullmatch(chunk):
                continue
            if re.match(r"[\u4e00-\u9fff]|[A-Z]", chunk):
                return chunk
    return None


def _title_in(line: str, exclude: str | None) -> str | None:
    label = _TITLE_LABEL_RE.search(line)
    if label:
        return _clean(label.group(1))
    rest = line.replace(exclude, " ") if exclude else line
    dr = find_date_range(rest)
    if dr:
        rest = rest[: dr.span[0]] + " " + rest[dr.span[1] :]
    for chunk in re.split(r"\s*[|｜,，;；]\s*|\s{2,}|\t", rest):
        chunk = chunk.strip(" ()（）-–—·:：")
        if not chunk:
            continue
        m = _EN_TITLE_RE.search(chunk)
        if m:
            return _clean(m.group(0))
        if re.search(r"[\u4e00-\u9fff]", chunk):
            for piece in chunk.split():
                if _CN_TITLE_RE.fullmatch(piece):
                    return piece
            m = _CN_TITLE_RE.search(chunk)
            if m:
                return _clean(m.group(0))
    return None


@cache
def _industries() -> dict[str, dict[str, Any]]:
    raw = resources.files("hireflow.candidates").joinpath("data/industries.json").read_text("utf-8")
    return json.loads(raw)


def industry_labels() -> dict[str, dict[str, str]]:
    """Industry keys with their zh/en display names."""
    return {k: {"zh": v["zh"], "en": v["en"]} for k, v in _industries().items()}


def detect_industry(company: str | None, context: str = "") -> str | None:
    """The industry key a job most likely belongs to, or None.

    Keywords in the company name count double; keywords of the industry's work (from the
    title and description, ``context``) decide when the name says nothing, e.g. "Caterpillar
    Inc." with "Process Engineer ... cut scrap".
    """
    name = (company or "").lower()
    ctx = context.lower()
    best: tuple[int, str] | None = None
    for key, info in _industries().items():
        score = 2 * sum(1 for kw in info["keywords"] if kw.lower() in name)
        score += sum(1 for kw in info.get("context_keywords", ()) if _keyword_in(kw.lower(), ctx))
        if score and (best is None or score > best[0]):
            best = (score, key)
    return best[1] if best else None


def _keyword_in(keyword: str, text: str) -> bool:
    if keyword.isascii():
        return re.search(r"(?<![a-z])" + re.escape(keyword) + r"(?![a-z])", text) is not None
    return keyword in text


def parse_work(lines: Sequence[str]) -> list[WorkEntry]:
    """Work entries from the lines of a work-experience section."""
    from hireflow.candidates.extraction import extract_entities

    entries: list[WorkEntry] = []
    for index, block in enumerate(_group(lines, _work_kinds)):
        entry = WorkEntry()
        for line in block.header:
            dr = find_date_range(line)
            if dr and entry.start is None:
                entry.start, entry.end, entry.is_current = dr.start, dr.end, dr.is_current
            if entry.company is None:
                label = _COMPANY_LABEL_RE.search(line)
                m = _COMPANY_RE.search(line)
                if label:
                    entry.company = _clean(label.group(1))
                elif m:
                    entry.company = _clean(m.group(0))
            if entry.title is None:
                entry.title = _title_in(line, entry.company)
        if (entry.company is None or entry.title is None) and index < _MAX_CRF_ENTRIES:
            # Names without a legal suffix ("字节跳动") and unusual titles: ask the CRF.
            for line in block.header:
                if len(line) > _MAX_ENTITY_LINE:
                    continue
                for entity in extract_entities(line):
                    if entity.label == "ORG" and entry.company is None:
                        entry.company = _clean(entity.text)
                    elif (
                        entity.label == "TITLE"
                        and entry.title is None
                        and entity.text != entry.company
                    ):
                        entry.title = _clean(entity.text)
        if entry.company is None:
            entry.company = _leftover_company(block.header, entry.title)
        entry.description = "\n".join(block.body)
        entry.is_internship = bool(_INTERN_RE.search(" ".join([entry.title or "", *block.header])))
        entry.industry = detect_industry(
            entry.company, " ".join([entry.title or "", entry.description])
        )
        if entry.company or entry.title or entry.start:
            entries.append(entry)
    return entries


# ---------------------------------------------------------------------------------------------
# Languages
# ---------------------------------------------------------------------------------------------

_CN_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4", "六": "6", "八": "8"}


def _first_group(m: re.Match[str]) -> str:
    value = next(g for g in m.groups() if g)
    return _CN_DIGITS.get(value, value)


def _with_score(name: str) -> Callable[[re.Match[str]], str]:
    return lambda m: name + (f" {m.group(1)}" if m.group(1) else "")


# (language, pattern, level from the match)
_LANGUAGE_PATTERNS: tuple[tuple[str, re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        "English",
        re.compile(r"CET[\s\-]?([46])|大学英语([四六])级|英语([四六])级", re.IGNORECASE),
        lambda m: "CET-" + _first_group(m),
    ),
    (
        "English",
        re.compile(r"TEM[\s\-]?([48])|专业英语([四八])级|英语专业([四八])级", re.IGNORECASE),
        lambda m: "TEM-" + _first_group(m),
    ),
    (
        "English",
        re.compile(r"(?:IELTS|雅思)\s*[:：]?\s*(\d(?:\.\d)?)?", re.I),
        _with_score("IELTS"),
    ),
    (
        "English",
        re.compile(r"(?:TOEFL|托福)(?:\s*iBT)?\s*[:：]?\s*(\d{2,3})?", re.IGNORECASE),
        _with_score("TOEFL"),
    ),
    ("English", re.compile(r"TOEIC\s*[:：]?\s*(\d{3})?", re.IGNORECASE), _with_score("TOEIC")),
    (
        "Japanese",
        re.compile(
            r"(?:日语|日本語|Japanese|JLPT)\s*[:：(（]?\s*(?:JLPT\s*)?N([1-5])", re.IGNORECASE
        ),
        lambda m: f"JLPT N{m.group(1)}",
    ),
    # 日语一级 is the old name of N1 (and so on down to 四级/N4).
    ("Japanese", re.compile(r"日语([一二三四])级"), lambda m: "JLPT N" + _first_group(m)),
    (
        "Korean",
        re.compile(r"(?:韩语|Korean)\s*[:：(（]?\s*TOPIK\s*([1-6])|TOPIK\s*([1-6])", re.IGNORECASE),
        lambda m: "TOPIK " + _first_group(m),
    ),
    (
        "Mandarin",
        re.compile(r"普通话\s*(一级甲等|一级乙等|二级甲等|二级乙等|三级甲等|三级乙等)"),
        lambda m: m.group(1),
    ),
)
_CEFR_RE = re.compile(
    r"\b(English|German|French|Spanish|Japanese|Korean|Russian|Italian|Portuguese|Mandarin|"
    r"Chinese|Cantonese|Arabic)"
    r"\s*[:：(（\-–]?\s*(native|fluent|proficient|professional(?: working)?|advanced|"
    r"intermediate|basic|conversational|mother tongue|[ABC][12])\b",
    re.IGNORECASE,
)
_ZH_LANG_RE = re.compile(
    r"(英语|日语|韩语|德语|法语|西班牙语|俄语|粤语|普通话)\s*[:：]?\s*(母语|流利|熟练|精通|良好|一般|基础|读写)"
)
_ZH_LANG_NAMES = {
    "英语": "English", "日语": "Japanese", "韩语": "Korean", "德语": "German", "法语": "French",
    "西班牙语": "Spanish", "俄语": "Russian", "粤语": "Cantonese", "普通话": "Mandarin",
}  # fmt: skip
_ZH_LEVELS = {
    "母语": "native", "流利": "fluent", "熟练": "proficient", "精通": "proficient",
    "良好": "intermediate", "一般": "basic", "基础": "basic", "读写": "intermediate",
}  # fmt: skip


def find_languages(text: str) -> list[LanguageSkill]:
    """Language certificates and levels: CET-4/6, TEM-4/8, IELTS, TOEFL, JLPT N1-N5, TOPIK,
    普通话等级, and "English (fluent)" / "德语 熟练" style statements."""
    found: list[tuple[int, LanguageSkill]] = []
    for language, pattern, level_of in _LANGUAGE_PATTERNS:
        for m in pattern.finditer(text):
            found.append((m.start(), LanguageSkill(language, level_of(m))))
    for m in _CEFR_RE.finditer(text):
        lang = m.group(1).capitalize()
        level = m.group(2)
        level = level.upper() if re.fullmatch(r"[abcABC][12]", level) else level.lower()
        found.append((m.start(), LanguageSkill(lang, level)))
    for m in _ZH_LANG_RE.finditer(text):
        found.append((m.start(), LanguageSkill(_ZH_LANG_NAMES[m.group(1)], _ZH_LEVELS[m.group(2)])))
    result: list[LanguageSkill] = []
    seen: set[tuple[str, str | None]] = set()
    for _, skill in sorted(found, key=lambda x: x[0]):
        key = (skill.language, skill.level)
        if key not in seen:
            seen.add(key)
            result.append(skill)
    return result


# ---------------------------------------------------------------------------------------------
# The profile
# ---------------------------------------------------------------------------------------------


def _normalise_text(text: str) -> str:
    """Full-width ASCII to half-width (keeping Chinese punctuation), NBSP to space, no CRs."""
    table = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
    # Keep full-width colon, comma, semicolon and parentheses: the patterns accept both, and
    # folding them would change Chinese names such as 科技（深圳）有限公司.
    for ch in "：，；（）｜～":
        table.pop(ord(ch), None)
    table[0x3000] = 0x20
    table[0xA0] = 0x20
    return text.translate(table).replace("\r\n", "\n").replace("\r", "\n")


_SKILL_LEAD_RE = re.compile(
    r"^(?:熟练(?:使用|掌握|运用)?|熟悉|精通|掌握|了解|擅长|能够使用|会使用|"
    r"(?:highly\s+)?proficient\s+(?:in|with)|familiar\s+with|experienced\s+(?:in|with)|"
    r"skilled\s+in|expertise\s+in|knowledge\s+of)\s*",
    re.IGNORECASE,
)
_LABEL_START_RE = re.compile(r"^[^:：]{1,20}[:：]")
# Lines of a skills section that list something else.
_NOT_SKILLS_LABEL_RE = re.compile(
    r"^(?:证书|资格证书|获奖|荣誉|语言|外语|certificates?|certifications?|awards?|languages?)"
    r"\s*[:：]",
    re.IGNORECASE,
)


def merge_list_lines(lines: Sequence[str]) -> list[str]:
    """Join the lines of a list that PDF layout wrapped (not bullets, not "Label:" lines, not
    after a sentence end). Chinese joins without a space: "项" + "目管理" is 项目管理."""
    merged: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if (
            merged
            and not _BULLET_RE.match(line)
            and not _LABEL_START_RE.match(line)
            and not re.search(r"[。.;；!?！？]$", merged[-1])
        ):
            cjk_seam = _CJK_CHAR_RE.match(line[0]) and _CJK_CHAR_RE.match(merged[-1][-1])
            merged[-1] += ("" if cjk_seam else " ") + line
        else:
            merged.append(line)
    return merged


_CJK_CHAR_RE = re.compile(r"[\u4e00-\u9fff]")


# "A/B testing", "CI/CD", "TCP/IP", "HTML/CSS" are one skill; "Python/Java" are two.
_SLASHED_RE = re.compile(r"([A-Za-z0-9+#.]+)/([A-Za-z0-9+#.]+)")
_SLASH = "\u2044"  # fraction slash: a stand-in while the list is split


def _keep_slash(m: re.Match[str]) -> str:
    left, right = m.group(1), m.group(2)
    if min(len(left), len(right)) <= 2 or normalise_skill(m.group(0)):
        return f"{left}{_SLASH}{right}"
    return m.group(0)


def listed_skills(lines: Sequence[str]) -> list[str]:
    """The items of a skills section ("熟练使用A、B、C", "Proficient in A, B and C"), as
    written. Lines that PDF layout wrapped mid-list are joined back first."""
    items: list[str] = []
    for line in merge_list_lines(lines):
        if _NOT_SKILLS_LABEL_RE.match(line.lstrip("-•·*●■◆▪ ")):
            continue
        body = _LABEL_START_RE.sub("", line.lstrip("-•·*●■◆▪ "), count=1)
        body = _SKILL_LEAD_RE.sub("", body.strip())
        body = _SLASHED_RE.sub(_keep_slash, body)
        for item in re.split(r"\s*(?:[、,，;；/|｜]|\band\b|及|和|以及)\s*|\s{2,}", body):
            item = _SKILL_LEAD_RE.sub("", item.strip(" .。:：()（）")).replace(_SLASH, "/")
            if (
                not item
                or len(item) > 30
                or len(item.split()) > 4
                or re.fullmatch(r"[\d\W_]+", item)
            ):
                continue
            if re.search(r"[。；;！!？?]", item) or find_languages(item):
                continue
            items.append(item)
    return items


# A line ending in a connector or a range separator ("2011-09 ~", "September 2005 -")
# continues on the next one.
_CONTINUES_RE = re.compile(
    rf"(?:\b(?:in|of|and|at|for|with|to|{_MONTH_NAMES})\.?|[,&/~～\-–—至])$", re.IGNORECASE
)


def _join_wrapped(lines: list[str]) -> list[str]:
    """Re-join lines that PDF layout wrapped in the middle of a phrase ("Bachelor of Science
    in" + "Marketing"): a line ending with a connector continues on the next one."""
    out: list[str] = []
    for line in lines:
        if out and _CONTINUES_RE.search(out[-1]) and line.strip() and not section_of(line):
            out[-1] = out[-1] + " " + line.strip()
        else:
            out.append(line)
    return out


def parse_resume(text: str, *, today: date) -> ResumeProfile:
    """Parse resume text into a :class:`ResumeProfile`.

    ``today`` resolves "至今/present" end dates; it is an argument so that the same text
    always gives the same profile.
    """
    text = _normalise_text(text[:MAX_TEXT_CHARS])
    lines = _join_wrapped([line.rstrip() for line in text.split("\n")])
    sections = split_sections(lines)
    header = [line for line in sections.get("header", []) if line.strip()]
    profile_lines = header + [line for line in sections.get("profile", []) if line.strip()]

    profile = ResumeProfile(as_of=today.isoformat())
    email = _EMAIL_RE.search(text)
    profile.email = email.group(0).rstrip(".").lower() if email else None
    profile.phone = find_phone("\n".join(profile_lines)) or find_phone(text)
    profile.name = find_name(profile_lines[:6] or [line for line in lines if line.strip()][:3])
    profile.location = find_location(profile_lines)

    education_lines = sections.get("education", [])
    profile.education = parse_education(education_lines)
    work_lines = sections.get("work", [])
    profile.work = parse_work(work_lines)

    profile.years_experience, profile.years_by_industry = experience_years(profile.work, today)

    skill_lines = merge_list_lines(sections.get("skills", []))
    skill_text_parts = [*skill_lines, *sections.get("projects", [])]
    skill_text_parts.extend(w.description for w in profile.work)
    skill_text_parts.extend(sections.get("summary", []))
    skill_text = "\n".join(skill_text_parts) if skill_text_parts else text
    listed = listed_skills(skill_lines)
    # A slashed phrase the vocabulary does not know ("A/B testing") is one skill: the word
    # inside it ("testing") is not a skill of its own unless named elsewhere too.
    whole = [i for i in listed if "/" in i and " " in i and not normalise_skill(i)]
    for item in whole:
        skill_text = skill_text.replace(item, " ")
    profile.skills = find_skills(skill_text)
    known = {s.casefold() for s in profile.skills}
    for item in listed:
        # Skills the vocabulary does not know are kept as written, so HR still sees them.
        if item.casefold() not in known and (item in whole or not find_skills(item)):
            known.add(item.casefold())
            profile.skills.append(item)
    profile.languages = find_languages(text)
    return profile
