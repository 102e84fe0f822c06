"""Named entities in resume text: a character CRF for Chinese, rules for English.

The label set follows the ResumeNER corpus (Zhang & Yang, 2018), which the Chinese model is
trained on: NAME (person), EDU (degree or education level), ORG (organisation), TITLE (job
title or position), PRO (major or profession), LOC (place), CONT (country or nationality) and
RACE (ethnicity). Contact details (email, phone) are not entities here; the profile parser
finds them with its own patterns.

Chinese lines go through a linear-chain CRF over characters (python-crfsuite). Its features
are character n-grams, character classes, jieba word boundaries and part-of-speech tags, and
membership in small hand-made lexicons (surnames, organisation suffixes, title words...). The
model file ships in ``hireflow/candidates/data/`` and is loaded once, lazily; it is trained by
``python scripts/train_ner.py``. Latin-script lines go through rules (a name line
near the top, universities, companies with a legal suffix, titles ending in a head noun such
as Engineer or Manager, degree phrases).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycrfsuite

LABELS: tuple[str, ...] = ("NAME", "EDU", "ORG", "TITLE", "PRO", "LOC", "CONT", "RACE")
MODEL_FILE = "resume_ner.crfsuite"
GAZETTEER_FILE = "resume_ner_gazetteer.json"
_GAZETTEER_MAX = 24


@dataclass(frozen=True, slots=True)
class Entity:
    """A labelled span of the input: ``text[start:end] == entity.text``."""

    label: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"label": self.label, "start": self.start, "end": self.end, "text": self.text}


# ---------------------------------------------------------------------------------------------
# Character features shared by training and tagging
# ---------------------------------------------------------------------------------------------


def normalise_char(ch: str) -> str:
    """Fold full-width ASCII to half-width and lowercase, so 'ＡＢ（' and 'ab(' look alike."""
    code = ord(ch)
    if 0xFF01 <= code <= 0xFF5E:
        ch = chr(code - 0xFEE0)
    elif code == 0x3000:
        ch = " "
    return ch.lower()


def char_class(ch: str) -> str:
    """A coarse class: digit, latin letter, CJK ideograph, space, punctuation or other."""
    if ch.isdigit():
        return "D"
    if "a" <= ch <= "z" or "A" <= ch <= "Z":
        return "L"
    if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf":
        return "C"
    if ch.isspace():
        return "S"
    if unicodedata.category(ch).startswith("P"):
        return "P"
    return "O"


@cache
def _lexicon() -> dict[str, tuple[frozenset[str], int]]:
    raw = json.loads(
        resources.files("hireflow.candidates").joinpath("data/ner_lexicon.json").read_text("utf-8")
    )
    return {
        name: (frozenset(w.lower() for w in words), max(len(w) for w in words))
        for name, words in raw.items()
    }


def _mark_span(marks: list[list[str]], start: int, length: int, tag: str) -> None:
    """Tag the characters of a match: S for a single one, else B, M..., E."""
    if length == 1:
        marks[start].append(f"{tag}:S")
        return
    marks[start].append(f"{tag}:B")
    for k in range(start + 1, start + length - 1):
        marks[k].append(f"{tag}:M")
    marks[start + length - 1].append(f"{tag}:E")


def _lexicon_marks(norm: str) -> list[list[str]]:
    """For every character, which lexicon words cover it and where (B/M/E/S)."""
    marks: list[list[str]] = [[] for _ in norm]
    n = len(norm)
    for name, (words, max_len) in _lexicon().items():
        for i in range(n):
            for length in range(min(max_len, n - i), 0, -1):
                if norm[i : i + length] in words:
                    _mark_span(marks, i, length, f"lx:{name}")
                    # The longest match is enough: shorter ones add noise, not signal.
                    break
    return marks


_jieba_lock = threading.Lock()


def _segment(text: str) -> list[tuple[str, str]]:
    # Imported on first use: jieba with its tagger takes seconds to load, and most processes
    # (web workers serving other pages) never segment a resume.
    import jieba
    import jieba.posseg

    with _jieba_lock:
        # jieba prints its dictionary-loading chatter once; silence it.
        jieba.setLogLevel(60)
        return [(p.word, p.flag) for p in jieba.posseg.lcut(text, HMM=False)]


Gazetteer = dict[str, str]


@cache
def shipped_gazetteer() -> Gazetteer:
    """Entity strings seen in the training data (text -> label), shipped with the model."""
    path = resources.files("hireflow.candidates").joinpath("data/" + GAZETTEER_FILE)
    if not path.is_file():
        return {}
    return json.loads(path.read_text("utf-8"))


def _gazetteer_marks(norm: str, gazetteer: Gazetteer) -> list[list[str]]:
    """For every character, the label and position of the longest gazetteer entry over it."""
    marks: list[list[str]] = [[] for _ in norm]
    if not gazetteer:
        return marks
    n = len(norm)
    for i in range(n):
        for length in range(min(_GAZETTEER_MAX, n - i), 1, -1):
            label = gazetteer.get(norm[i : i + length])
            if label is not None:
                _mark_span(marks, i, length, f"gz:{label}")
                break
    return marks


def _word_marks(
    words: Sequence[tuple[str, str]], n: int
) -> tuple[list[str], list[str], list[str], list[int], list[int]]:
    """Per character: its position in its jieba word (S, B, M, E), the word's part-of-speech
    tag, the word, its length and its index among the words."""
    word_pos: list[str] = [""] * n
    word_tag: list[str] = [""] * n
    word_of: list[str] = [""] * n
    word_len: list[int] = [0] * n
    word_index: list[int] = [0] * n
    offset = 0
    for wi, (word, flag) in enumerate(words):
        length = len(word)
        for k in range(length):
            idx = offset + k
            if idx >= n:
                break
            word_pos[idx] = (
                "S" if length == 1 else ("B" if k == 0 else "E" if k == length - 1 else "M")
            )
            word_tag[idx] = flag
            word_of[idx] = word
            word_len[idx] = length
            word_index[idx] = wi
        offset += length
    return word_pos, word_tag, word_of, word_len, word_index


def char_features(text: str, gazetteer: Gazetteer | None = None) -> list[list[str]]:
    """The CRF feature strings of every character of ``text`` (one sentence or line).

    ``gazetteer`` defaults to the shipped one; training passes one built without the
    sentence's own fold, so the model learns how far to trust a gazetteer hit on unseen text.
    """
    norm = "".join(normalise_char(c) for c in text)
    n = len(norm)
    classes = [char_class(c) for c in norm]
    shapes = ["0" if c == "D" else norm[i] for i, c in enumerate(classes)]

    words = _segment(norm)
    word_pos, word_tag, word_of, word_len, word_index = _word_marks(words, n)
    lex = _lexicon_marks(norm)
    gaz = _gazetteer_marks(norm, shipped_gazetteer() if gazetteer is None else gazetteer)

    def at(seq: Sequence[str], i: int) -> str:
        if i < 0:
            return "<s>"
        if i >= n:
            return "</s>"
        return seq[i]

    feats: list[list[str]] = []
    for i in range(n):
        c = shapes[i]
        f = [
            "b",
            "c0=" + c,
            "c-1=" + at(shapes, i - 1),
            "c+1=" + at(shapes, i + 1),
            "c-2=" + at(shapes, i - 2),
            "c+2=" + at(shapes, i + 2),
            "c-1c0=" + at(shapes, i - 1) + c,
            "c0c+1=" + c + at(shapes, i + 1),
            "c-2c-1=" + at(shapes, i - 2) + at(shapes, i - 1),
            "c+1c+2=" + at(shapes, i + 1) + at(shapes, i + 2),
            "c-1c+1=" + at(shapes, i - 1) + at(shapes, i + 1),
            "c-1c0c+1=" + at(shapes, i - 1) + c + at(shapes, i + 1),
            "t0=" + classes[i],
            "t-1t0t+1=" + at(classes, i - 1) + classes[i] + at(classes, i + 1),
            "wp=" + word_pos[i],
            "wt=" + word_tag[i],
            "wpt=" + word_pos[i] + word_tag[i],
            "wl=" + str(min(word_len[i], 6)),
            "c-3=" + at(shapes, i - 3),
            "c+3=" + at(shapes, i + 3),
            "c-2c-1c0=" + at(shapes, i - 2) + at(shapes, i - 1) + c,
            "c0c+1c+2=" + c + at(shapes, i + 1) + at(shapes, i + 2),
            # First and last character of the jieba word: 公司, 大学, 经理 end words.
            "wfirst=" + word_of[i][:1],
            "wlast=" + word_of[i][-1:],
        ]
        if word_len[i] > 1:
            f.append("w=" + word_of[i])
        wi = word_index[i]
        if wi > 0:
            f.append("pw=" + words[wi - 1][0])
            f.append("pwt=" + words[wi - 1][1])
        if wi + 1 < len(words):
            f.append("nw=" + words[wi + 1][0])
            f.append("nwt=" + words[wi + 1][1])
        f.extend(lex[i])
        f.extend(gaz[i])
        for mark in lex[i - 1] if i > 0 else ():
            f.append("p" + mark)
        for mark in lex[i + 1] if i + 1 < n else ():
            f.append("n" + mark)
        feats.append(f)
    return feats


def tags_to_entities(text: str, tags: Sequence[str], offset: int = 0) -> list[Entity]:
    """Turn BMES tags (``B-ORG``, ``M-ORG``, ``E-ORG``, ``S-NAME``, ``O``) into entities.

    An ill-formed run (an ``M`` or ``E`` without its ``B``) still yields the span it covers:
    the CRF rarely produces one, and dropping it would lose a mostly right answer.
    """
    entities: list[Entity] = []
    start: int | None = None
    label = ""
    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            if start is not None:
                entities.append(Entity(label, offset + start, offset + i, text[start:i]))
                start = None
            continue
        kind, lab = tag.split("-", 1)
        if kind in ("B", "S") or start is None or lab != label:
            if start is not None:
                entities.append(Entity(label, offset + start, offset + i, text[start:i]))
            start, label = i, lab
        if kind in ("E", "S"):
            entities.append(Entity(label, offset + start, offset + i + 1, text[start : i + 1]))
            start = None
    if start is not None:
        entities.append(Entity(label, offset + start, offset + len(tags), text[start:]))
    return entities


class _Tagger:
    """The shipped CRF model, opened once per process (python-crfsuite taggers are not
    thread-safe, hence the lock)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tagger = pycrfsuite.Tagger()
        path = resources.files("hireflow.candidates").joinpath("data/" + MODEL_FILE)
        with resources.as_file(path) as real_path:
            if not real_path.exists():
                raise FileNotFoundError(
                    f"resume NER model missing: {real_path}; "
                    "train it with `python scripts/train_ner.py`"
                )
            self._tagger.open(str(real_path))

    def tag(self, text: str) -> list[str]:
        feats = char_features(text)
        with self._lock:
            return list(self._tagger.tag(feats))


_tagger_instance: _Tagger | None = None
_tagger_lock = threading.Lock()


def _tagger() -> _Tagger:
    global _tagger_instance
    if _tagger_instance is None:
        with _tagger_lock:
            if _tagger_instance is None:
                _tagger_instance = _Tagger()
    return _tagger_instance


def tag_chinese(text: str, offset: int = 0) -> list[Entity]:
    """Entities found by the CRF in one line or sentence of (mostly) Chinese text."""
    if not text.strip():
        return []
    return tags_to_entities(text, _tagger().tag(text), offset)


# ---------------------------------------------------------------------------------------------
# English rules
# ---------------------------------------------------------------------------------------------

_TITLE_HEADS = (
    "Engineer|Manager|Director|Developer|Analyst|Scientist|Consultant|Designer|Architect|"
    "Officer|Specialist|Intern|Administrator|Accountant|Assistant|Coordinator|Representative|"
    "President|Vice President|VP|CEO|CTO|CFO|COO|CIO|Supervisor|Technician|Researcher|"
    "Professor|Lecturer|Teacher|Nurse|Programmer|Associate|Partner|Founder|Co-founder|"
    "Auditor|Advisor|Adviser|Executive|Head|Lead|Chairman|Secretary|Editor|Writer|Recruiter|"
    "Planner|Buyer|Operator|Trainee|Fellow|Lawyer|Attorney|Economist|Statistician|Owner|"
    "Tester|Strategist|Controller|Treasurer|Clerk|Agent|Foreman"
)
_CAP_WORD = r"(?:[A-Z][A-Za-z&/+.\-]{0,40}|[A-Z]{2,40}|of|and|&|for)"
_TITLE_RE = re.compile(
    rf"\b(?:(?:[A-Z][A-Za-z+/\-]{{0,40}}|[A-Z]{{2,40}})\s+){{0,4}}(?:{_TITLE_HEADS})\b"
    rf"(?:\s+(?:of|for)\s+[A-Z][A-Za-z&\-]{{0,40}}(?:\s+[A-Z][A-Za-z&\-]{{0,40}}){{0,3}})?"
)
# Words that start a field of study or a degree, never a campus: "University of Michigan,
# Computer Science" names a major, "University of California, Berkeley" a campus.
_SUBJECT_WORDS = (
    r"Science|Sciences|Engineering|Studies|Economics|Management|Business|Arts?|Law|Medicine|"
    r"Mathematics|Math|Physics|Chemistry|Biology|Statistics|Finance|Accounting|Marketing|"
    r"Psychology|History|Philosophy|Design|Architecture|Education|Nursing|Literature|English|"
    r"Communications?|Informatics|Information|Computer|Computing|Technology|Politics|"
    r"Political|Sociology|Linguistics|Music|Journalism|Bachelor|Master|Doctor|Associate|"
    r"Graduate|Undergraduate|Major|Minor|Department|Faculty|School|College|GPA"
)
# The CRF costs tens of microseconds per character: the parser only asks it about short
# lines (names, headers of entries), never about prose or pathological input.
MAX_ENTITY_LINE = 120
MAX_CRF_ENTRIES = 40

CAMPUS = (
    rf"(?:,\s*(?!(?:{_SUBJECT_WORDS})\b)[A-Z][a-z]{{1,30}}(?:[ \-](?:[A-Z][a-z]{{1,30}}|at))"
    r"{0,3}(?=\s*(?:$|[,;|(\n—–]|\s-\s|\s{2})))?"
)
_ORG_EDU_RE = re.compile(
    r"\b(?:(?:University|Institute|College|School|Academy|Polytechnic)\s+of\s+"
    r"[A-Z][A-Za-z&\-.]{0,40}(?:\s+(?:[A-Z][A-Za-z&\-.]{0,40}|and|&|at)){0,8}"
    + CAMPUS
    + r"|(?:The\s+)?(?:[A-Z][A-Za-z&'\-.]{0,40}\s+){1,6}"
    r"(?:University|Institute\s+of\s+Technology|Institute|College|Polytechnic|Academy|"
    r"Business\s+School|School|High\s+School)"
    r"(?:\s*,?\s+(?:at\s+)?[A-Z][a-z]{1,40}(?=\s*(?:$|[,;|(\n])))?)"
)
_ORG_CO_RE = re.compile(
    r"\b(?:[A-Z][A-Za-z0-9&'\-.]{0,40}\s+){0,5}[A-Z][A-Za-z0-9&'\-.]{0,40},?\s+"
    r"(?:Inc\.?|Incorporated|Ltd\.?|Limited|LLC|L\.L\.C\.|LLP|GmbH|AG|S\.A\.|SA|plc|PLC|"
    r"Corp\.?|Corporation|Co\.,?\s*Ltd\.?|Co\.|Company|Group|Holdings|Technologies|"
    r"Bank|Consulting|Partners|Systems|Labs?|Software|Solutions)(?![A-Za-z])"
    # "Senior Software Engineer" is a title, not a company called "Senior Software".
    rf"(?!\s+(?:{_TITLE_HEADS})\b)"
)
_EDU_RE = re.compile(
    r"\b(?:(?:Bachelor|Master|Doctor)(?:'s|’s)?(?:\s+(?:Degree|degree))?"
    r"(?:\s+of\s+(?:Science|Arts|Engineering|Business\s+Administration|Laws|Fine\s+Arts|"
    r"Philosophy|Education|Medicine|Technology|Computer\s+Science))?"
    r"|Ph\.?\s?D\.?|PhD|MBA|EMBA|B\.\s?Sc\.?|M\.\s?Sc\.?|BSc|MSc|B\.\s?S\.|M\.\s?S\.|B\.\s?A\.|"
    r"M\.\s?A\.|B\.\s?Eng\.?|M\.\s?Eng\.?|BEng|MEng|B\.\s?Tech\.?|M\.\s?Tech\.?|LL\.?B\.?|LL\.?M\.?|"
    r"Associate(?:'s)?\s+Degree|High\s+School\s+Diploma|Postdoc(?:toral)?(?:\s+Fellow)?)"
    r"(?![A-Za-z])"
)
# A major: "<degree> in X" or "Major: X" (a bare "in X" is too often a place).
_PRO_RE = re.compile(
    r"(?:(?:Bachelor|Master|Doctor|Degree|degree|Diploma|Ph\.?\s?D\.?|MBA|[BM]\.?\s?Sc\.?|"
    r"[BM]\.?\s?S\.|[BM]\.?\s?A\.|[BM]\.?\s?Eng\.?)[^,|;\n]{0,30}?\bin\s+"
    r"|\b(?:Major|major|majoring\s+in|Field\s+of\s+study)\s*[:：]?\s*)"
    r"([A-Z][A-Za-z&\-]{0,40}(?:\s+(?:and|&|of)?\s*[A-Z][A-Za-z&\-]{0,40}){0,4})"
)
_HEADINGS = frozenset(
    s.lower()
    for s in (
        "curriculum vitae",
        "resume",
        "résumé",
        "work experience",
        "professional experience",
        "experience",
        "education",
        "skills",
        "summary",
        "profile",
        "contact",
        "personal information",
        "languages",
        "projects",
        "certifications",
        "objective",
        "references",
    )
)
_NAME_WORD = r"(?:[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]{1,40}|[A-ZÀ-ÖØ-Þ]{2,40}|[A-Z]\.)"
_NAME_LINE_RE = re.compile(
    rf"^\s*(?:Name\s*[:：]\s*)?({_NAME_WORD}(?:[ \-']{_NAME_WORD}){{1,3}})\s*$"
)
_NAME_FIELD_RE = re.compile(
    r"\bName\s*[:：]\s*((?:[A-Z][a-z]{1,40}|[A-Z]{2,40})"
    r"(?:[ \-'](?:[A-Z][a-z]{1,40}|[A-Z]{2,40})){1,3})"
)
_EN_CITIES = (
    "Beijing|Shanghai|Shenzhen|Guangzhou|Hangzhou|Nanjing|Wuhan|Chengdu|Xi'an|Suzhou|Tianjin|"
    "Chongqing|Hong Kong|Taipei|Singapore|Tokyo|Osaka|Seoul|London|Manchester|Paris|Berlin|"
    "Munich|Hamburg|Frankfurt|Amsterdam|Zurich|Dublin|Madrid|Milan|Stockholm|New York|"
    "San Francisco|Los Angeles|Seattle|Boston|Chicago|Austin|Toronto|Vancouver|Sydney|"
    "Melbourne|Bangalore|Mumbai|Dubai"
)
_LOC_RE = re.compile(rf"\b(?:{_EN_CITIES})\b")
_CONT_RE = re.compile(
    r"(?:(?<=Nationality:\s)|(?<=Citizenship:\s)|(?<=Nationality\s))[A-Z][a-z]{1,40}(?:\s[A-Z][a-z]{1,40})?"
)


def _rule_entities(line: str, offset: int, name_allowed: bool) -> list[Entity]:
    found: list[Entity] = []

    def add(label: str, start: int, end: int) -> None:
        span = line[start:end]
        # Trailing punctuation is never part of a name of a thing.
        stripped = span.rstrip(" ,;:.|-") if not span.endswith((".", "Inc.", "Ltd.")) else span
        if span.endswith(".") and not re.search(r"(?:Inc|Ltd|Co|Corp|[A-Z])\.$", span):
            stripped = span.rstrip(".")
        end = start + len(stripped)
        if end > start:
            found.append(Entity(label, offset + start, offset + end, line[start:end]))

    stripped_line = line.strip()
    if name_allowed and stripped_line.lower() not in _HEADINGS:
        m = _NAME_LINE_RE.match(line)
        # A capitalised line that is really a title, a school or a company is not a name.
        if (
            m
            and not any(p.search(m.group(1)) for p in (_TITLE_RE, _ORG_EDU_RE, _ORG_CO_RE))
            and not _LOC_RE.fullmatch(m.group(1))
        ):
            add("NAME", m.start(1), m.end(1))
    m = _NAME_FIELD_RE.search(line)
    if m:
        add("NAME", m.start(1), m.end(1))
    for m in _ORG_EDU_RE.finditer(line):
        add("ORG", m.start(), m.end())
    for m in _ORG_CO_RE.finditer(line):
        add("ORG", m.start(), m.end())
    for m in _EDU_RE.finditer(line):
        add("EDU", m.start(), m.end())
    orgs = [(e.start - offset, e.end - offset) for e in found if e.label == "ORG"]
    for m in _TITLE_RE.finditer(line):
        start = m.start()
        # "Google LLC Staff Engineer": the capitalised words before the title's head noun
        # may belong to a company found just before.
        for org_start, org_end in orgs:
            if org_start <= start < org_end < m.end():
                start = org_end
        while start < m.end() and line[start] in " ,;|-":
            start += 1
        if start < m.end():
            add("TITLE", start, m.end())
    for m in _PRO_RE.finditer(line):
        add("PRO", m.start(1), m.end(1))
    for m in _LOC_RE.finditer(line):
        add("LOC", m.start(), m.end())
    for m in _CONT_RE.finditer(line):
        add("CONT", m.start(), m.end())
    return found


def _resolve_overlaps(entities: Iterable[Entity]) -> list[Entity]:
    """Keep the earliest, then longest, of overlapping spans; priority decides ties."""
    priority = {"NAME": 0, "ORG": 1, "EDU": 2, "TITLE": 3, "PRO": 4, "LOC": 5, "CONT": 6, "RACE": 7}
    ordered = sorted(entities, key=lambda e: (-(e.end - e.start), priority.get(e.label, 9)))
    kept: list[Entity] = []
    for ent in ordered:
        if all(ent.end <= k.start or ent.start >= k.end for k in kept):
            kept.append(ent)
    return sorted(kept, key=lambda e: (e.start, e.end))


_CJK_RE = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")
_LATIN_RUN_RE = re.compile(r"[A-Za-z][A-Za-z0-9 &'\-.,()/+]*[A-Za-z.)]")


def extract_entities(text: str) -> list[Entity]:
    """Find NAME, EDU, ORG, TITLE, PRO, LOC, CONT and RACE entities in resume text.

    The text is processed line by line. Lines with Chinese characters go through the CRF;
    Latin-script runs of at least three words inside them and Latin-only lines go through the
    English rules. A person's name is looked for by rule only in the first lines of a
    document (where resumes put it) or after "Name:". Offsets refer to ``text``.
    """
    entities: list[Entity] = []
    pos = 0
    content_lines = 0
    for raw_line in text.splitlines(keepends=True):
        line = raw_line.rstrip("\r\n")
        start = pos
        pos += len(raw_line)
        if not line.strip():
            continue
        content_lines += 1
        if _CJK_RE.search(line):
            ruled: list[Entity] = []
            for run in _LATIN_RUN_RE.finditer(line):
                if len(run.group().split()) >= 2:
                    ruled.extend(
                        e
                        for e in _rule_entities(run.group(), start + run.start(), False)
                        if e.label != "NAME"
                    )
            ruled = _resolve_overlaps(ruled)
            # The CRF learnt Chinese; inside Latin runs the English rules know better.
            crf = [
                e
                for e in tag_chinese(line, start)
                if all(e.end <= r.start or e.start >= r.end for r in ruled)
            ]
            entities.extend(sorted(ruled + crf, key=lambda e: (e.start, e.end)))
        else:
            entities.extend(_resolve_overlaps(_rule_entities(line, start, content_lines <= 3)))
    return entities
