"""Education and work entries of a resume: schools, degrees and majors; companies, titles,
dates and industries, found by labels and patterns first and by the character CRF of
:mod:`hireflow.candidates.extraction` where no pattern catches them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from hireflow.candidates.extraction import (
    CAMPUS,
    MAX_CRF_ENTRIES,
    MAX_ENTITY_LINE,
    extract_entities,
)
from hireflow.candidates.resume_model import (
    EducationEntry,
    WorkEntry,
    find_date_range,
    normalise_degree,
)
from hireflow.scoring.presets import resume_industries

# Education and work entries
# ---------------------------------------------------------------------------------------------


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
    + CAMPUS
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
BULLET_RE = re.compile(r"^\s*(?:[-*•·●◦▪■◆○]|\d+[.)、]\s|[（(]\d+[）)])")
_SENTENCE_RE = re.compile(
    r"[。；;！!？?]|，.*，|(?<![a-z])[a-z]{3,40}\s+[a-z]{3,40}\s+[a-z]{3,40}\s+[a-z]{3,40}"
)
_INTERN_RE = re.compile(r"实习|intern(?:ship)?\b|trainee", re.IGNORECASE)


def clean_field(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip(" \t|｜,，;；:：-–—·")
    return value or None


def _is_description(line: str) -> bool:
    stripped = line.strip()
    if BULLET_RE.match(stripped) or _SENTENCE_RE.search(stripped):
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
                entry.school = clean_field(m.group(0))
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
                entry.major = clean_field(major.group(1))
            if entry.major is None:
                en_major = _EN_MAJOR_RE.search(line) or _EN_MAJOR_OF_RE.search(line)
                if en_major:
                    entry.major = clean_field(en_major.group(1))
            if entry.major is None and line in block.header and (m or word):
                entry.major = clean_field(_leftover_major(line, removed))
        latin = [x for x in block.extra if _LATIN_FRAGMENT_RE.match(x)]
        if entry.major is None and len(latin) > 1 and len(latin) == len(block.extra):
            # A table cell wrapped over lines: "Mechanical" + "Engineering".
            entry.major = " ".join(latin)
        if entry.major is None:
            for line in block.extra:
                value = clean_field(line)
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
        return clean_field(label.group(1))
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
            return clean_field(m.group(0))
        if re.search(r"[\u4e00-\u9fff]", chunk):
            for piece in chunk.split():
                if _CN_TITLE_RE.fullmatch(piece):
                    return piece
            m = _CN_TITLE_RE.search(chunk)
            if m:
                return clean_field(m.group(0))
    return None


@cache
def detect_industry(company: str | None, context: str = "") -> str | None:
    """The industry key a job most likely belongs to, or None.

    Keywords in the company name count double; keywords of the industry's work (from the
    title and description, ``context``) decide when the name says nothing, e.g. "Caterpillar
    Inc." with "Process Engineer ... cut scrap".
    """
    name = (company or "").lower()
    ctx = context.lower()
    best: tuple[int, str] | None = None
    for key, info in resume_industries().items():
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
                    entry.company = clean_field(label.group(1))
                elif m:
                    entry.company = clean_field(m.group(0))
            if entry.title is None:
                entry.title = _title_in(line, entry.company)
        if (entry.company is None or entry.title is None) and index < MAX_CRF_ENTRIES:
            # Names without a legal suffix ("字节跳动") and unusual titles: ask the CRF.
            for line in block.header:
                if len(line) > MAX_ENTITY_LINE:
                    continue
                for entity in extract_entities(line):
                    if entity.label == "ORG" and entry.company is None:
                        entry.company = clean_field(entity.text)
                    elif (
                        entity.label == "TITLE"
                        and entry.title is None
                        and entity.text != entry.company
                    ):
                        entry.title = clean_field(entity.text)
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
