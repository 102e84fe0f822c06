"""Parsing resume text into a structured profile.

The text of a file comes from :mod:`hireflow.candidates.documents`; ``parse_resume(text,
today=...)`` turns it into a :class:`ResumeProfile`: name, contacts (phone in E.164), location,
education (school, degree on an ordered scale, major, dates), work history (company, title,
dates, industry), years of experience with overlapping jobs merged, years per industry,
normalised skills and language certificates.

The parser is rules first: section headings in Chinese and English split the text, date ranges
and labelled fields ("专业：", "Major:") anchor entries, and the character CRF of
:mod:`hireflow.candidates.extraction` fills in names, companies and titles that no pattern
catches. Nothing reads the clock: "至今"/"present" is resolved against the ``today`` argument.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from functools import cache
from importlib import resources

import phonenumbers

from hireflow.candidates.extraction import MAX_ENTITY_LINE, extract_entities
from hireflow.candidates.resume_model import (
    MONTH_NAMES,
    LanguageSkill,
    ResumeProfile,
    experience_years,
)
from hireflow.candidates.skills import find_skills, normalise_skill
from hireflow.candidates.work_history import BULLET_RE, clean_field, parse_education, parse_work

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
    content = [line for line in header if line.strip() and len(line) <= MAX_ENTITY_LINE][:4]
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
            return clean_field(header[i + 1])
        m = _LOCATION_LABEL_RE.search(line)
        if m:
            return clean_field(m.group(1).strip().rstrip("."))
    for line in header[:8]:
        if len(line) > MAX_ENTITY_LINE:
            continue
        if _EMAIL_RE.search(line) and not re.search(r"[|｜•·]", line):
            continue
        for entity in extract_entities(line):
            if entity.label == "LOC":
                return entity.text
    return None


# ---------------------------------------------------------------------------------------------
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
            and not BULLET_RE.match(line)
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
    rf"(?:\b(?:in|of|and|at|for|with|to|{MONTH_NAMES})\.?|[,&/~～\-–—至])$", re.IGNORECASE
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
