"""The passages of an opening that may answer a candidate's question: its description read
the way job ads are written, its location field and the company FAQ (see
:mod:`hireflow.interviews.qa`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from hireflow.interviews.qa_topics import (
    BROAD,
    IMPLIES,
    PLACE,
    question_topics,
    tech_topics,
    topic_hits,
)
from hireflow.scoring.text import split_sentences

MAX_PASSAGE_CHARS = 600


MAX_SECTION_CHARS = 1200


@dataclass(frozen=True)
class Passage:
    """A piece of text that may answer a question, and what to quote from it.

    ``kind``: ``item`` (a line, sentence or clause), ``section`` (a heading and its items),
    ``field`` (the opening's location), ``faq`` or ``title`` (the job's name: never quoted).
    ``topics`` say what it is about; ``primary`` what it is mainly about (its heading, its FAQ
    question, its first subject).
    """

    source: str  # "opening" | "faq"
    text: str  # what is embedded and matched
    quote: str  # what the candidate is shown (verbatim)
    faq_id: int | None = None
    question: str = ""  # an FAQ's own question
    kind: str = "item"
    topics: frozenset[str] = field(default_factory=frozenset)
    primary: frozenset[str] = field(default_factory=frozenset)
    subject: frozenset[str] = field(default_factory=frozenset)  # from its heading / FAQ question
    #: It names the place of work in more detail than the location field ("Delivery Driver –
    #: Leeds (LS11)", "at our Hunslet depot", "总部在杭州西湖区").
    workplace: bool = False

    @property
    def names_workplace(self) -> bool:
        """Whether it announces the hire where the job is ("... to join our Flinders Lane
        café"), or names the place of work beyond the location field: the place of the job in
        the ad's own words."""
        if self.workplace:
            return True
        return (
            self.kind == "item"
            and "location" in self.topics
            and "location" not in self.primary
            and bool(_HIRING.search(self.quote))
        )


_BULLET = re.compile(r"^\s*(?:[-•*·▪◦●○■□]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])\s*")


_BRACKET_HEADING = re.compile(r"^\s*【([^】]{1,20})】\s*(.*)$")


# "Location: Munich", "工作地点：上海"; not the colon of a time ("9:30").
_COLON_HEADING = re.compile(r"^\s*([^：:。.!！?？；;]{1,24}?)\s*(?<!\d)[：:](?!\d)\s*(.*)$")


_TERMINAL = "。.!！?？；;…"


_CLAUSE = re.compile(r"(?<=[；;])")


_COMPANY = frozenset({"company"})


# "We are hiring a Data Engineer", "诚聘": who is wanted, not what the company does.
_HIRING = re.compile(
    r"(?i:\b(?:are|is) hiring\b|\b(?:we are|we're|is) looking for an? )|招聘|诚聘|招募"
)


# "... to join our Flinders Lane café", "for our Toronto team": where the job is.
_OUR_PLACE = re.compile(
    r"\b(?:at|in|for|join|to) our (?:[A-Z][\w'-]* ){1,3}"
    r"(?:café|cafe|office|store|shop|team|branch|site|campus|ward|clinic|warehouse|depot|plant"
    r"|factory|lab|laboratory|hospital|hotel|restaurant|kitchen|school|centre|center|studio)\b"
)


# Pay named in a heading: "Pay and hours", "薪资福利" (a heading is short, so "pay" there is
# the pay; in a question, "Do you pay for lessons?" is not).
_PAY_HEADING = re.compile(r"(?i:\bpay\b)|薪|工资")


def _heading_topics(heading: str) -> frozenset[str]:
    topics = question_topics(heading)
    if _PAY_HEADING.search(heading) and len(heading) <= 40:
        topics |= {"salary"}
    return topics


_PREPOSITION = re.compile(r"^(?:in|at|near|from|based in|office in)\s+")


# Where a job is done, as an ad's sentence names it beside the location field's place ("a
# small-animal clinic in Mount Eden, Auckland", "our depot is in Avonmouth").
_WORKPLACE_NOUN = re.compile(
    r"(?i:\b(?:café|cafe|office|store|shop|branch|site|campus|ward|clinic|warehouse|depot"
    r"|plant|factory|lab|laboratory|hospital|hotel|restaurant|kitchen|school|centre|center"
    r"|studio|workshop)s?\b)|门店|店铺|办公室|工厂|厂区|仓库|医院|酒店|餐厅|学校|校区|工地|诊所|车间"
)


def _workplace(piece: str, location: str, description: str = "") -> bool:
    """Whether a line names the place of work beyond the bare location field: the field's
    place with more detail ("Leeds (LS11)", "杭州西湖区"), "at our Hunslet depot", or a
    sentence naming the field's place beside a workplace ("a clinic in Mount Eden,
    Auckland")."""
    if _OUR_PLACE.search(piece):
        return True
    place = location.strip()
    if not place or place not in piece:
        return False
    if (
        WORKPLACE_SENTENCE
        and not _OUR_PLACE.search(description)  # "to join our Flinders Lane café" says more
        and piece.rstrip()[-1:] in _TERMINAL
        and _WORKPLACE_NOUN.search(piece.replace(place, " "))
    ):
        return True
    named = (_PREPOSITION.sub("", m.group(0)) for m in PLACE.finditer(piece))
    return any(place in name and name != place for name in named) or bool(
        re.search(re.escape(place) + r"\s*[(（][\w ]{2,12}[)）]", piece)
    )


_NONE: frozenset[str] = frozenset()


# Whether a sentence naming the location field's place beside a workplace names the place of
# work (the bare field then answers nothing); and whether a clause after a line's first,
# with no word for pay, is about pay for a figure alone ("NZ$1,000 a year for CPD").
WORKPLACE_SENTENCE = True
FIGURE_ALONE_IS_PAY = False


_WITH_FUND = re.compile(r"[五六七\d]险[一二\d]金")


def _figure_is_pay(text: str, head: str | None) -> bool:
    """Whether a figure per period in ``text`` may be the pay: it names pay, or the first
    clause of its line (``head``; None for a later clause) is about pay; not "four days a
    week; NZ$800 a year for training"."""
    if FIGURE_ALONE_IS_PAY or _PAY_WORD.search(text):
        return True
    return head is not None and "salary" in question_topics(head)


_PAY_WORD = re.compile(
    r"(?i:\b(?:pay|paid|salary|salaries|wages?|earn\w*|package|rate)\b)|薪|工资|收入|底薪"
)


def _intro_topics(piece: str, location: str) -> tuple[frozenset[str], frozenset[str]]:
    """What a sentence an ad opens with is mainly about, and what else it speaks to: the
    company ("Lumen Analytics helps grocery chains forecast demand."), or, announcing the hire,
    where the job is when it names a place ("We're looking for a barista to join our Flinders
    Lane café."; an address elsewhere in the ad says more)."""
    if piece.rstrip()[-1:] not in _TERMINAL:
        return _NONE, _NONE  # a title line
    if not _HIRING.search(piece):
        return _COMPANY, _NONE
    place = location.strip()
    if _OUR_PLACE.search(piece) or PLACE.search(piece) or (place and place in piece):
        return _NONE, frozenset({"location"})
    return _NONE, _NONE


def _is_heading_text(text: str) -> bool:
    words = text.split()
    if any(ch in text for ch in _TERMINAL) or not text.strip():
        return False
    if re.search(r"[\u4e00-\u9fff]", text):
        return len(text.strip()) <= 12
    return len(words) <= 6 and text.strip()[0].isupper()


@dataclass
class _Section:
    heading: str
    start: int  # offset of the heading (or first line) in the description
    end: int
    lines: list[tuple[str, int, int]]  # (line, offset, length of an inline heading in it)


def _sections(description: str) -> list[_Section]:
    """Split a description into (heading, lines); lines before any heading form one section
    with an empty heading, as does each paragraph of prose."""
    sections: list[_Section] = []
    current: _Section | None = None
    offset = 0
    raw_lines = description.splitlines(keepends=True)
    for index, raw in enumerate(raw_lines):
        line = raw.strip()
        start = offset + (len(raw) - len(raw.lstrip()))
        offset += len(raw)
        if not line:
            if current is not None and current.lines and not current.heading:
                current = None  # a blank line ends an untitled paragraph
            continue
        heading, rest = None, ""
        bracket = _BRACKET_HEADING.match(line)
        colon = _COLON_HEADING.match(line) if not _BULLET.match(line) else None
        if bracket:
            heading, rest = bracket.group(1), bracket.group(2)
        elif colon and (
            not colon.group(2)
            or question_topics(colon.group(1))
            or _is_heading_text(colon.group(1))
        ):
            heading, rest = colon.group(1), colon.group(2)
        elif (
            _is_heading_text(line)
            and not _BULLET.match(line)
            and index + 1 < len(raw_lines)
            and raw_lines[index + 1].strip()
        ):
            heading = line
        if heading is not None:
            current = _Section(heading.strip(), start, start + len(line), [])
            sections.append(current)
            if rest.strip():
                # "Salary range: EUR 50,000" is quoted whole, heading included
                current.lines.append((line, start, line.index(rest.strip())))
                current.end = start + len(line)
            continue
        if current is None:
            current = _Section("", start, start + len(line), [])
            sections.append(current)
        current.lines.append((line, start, 0))
        current.end = start + len(line)
    return sections


def _passage(
    source: str,
    text: str,
    quote: str,
    *,
    kind: str = "item",
    context: Iterable[str] = (),
    faq_id: int | None = None,
    question: str = "",
    first: str | None = None,
    about: frozenset[str] = frozenset(),
    also: frozenset[str] = frozenset(),
    workplace: bool = False,
    figure_pay: bool = True,
) -> Passage:
    topics = set(question_topics(text)) | tech_topics(text) | also
    if _WITH_FUND.search(text):
        # a passage's "五险一金" includes the housing fund; a question's "有五险一金吗" asks about
        # the benefits package, which "缴纳五险" answers
        topics.add("housing_fund")
    headed: set[str] = set()
    for extra in context:
        headed |= question_topics(extra) if kind == "faq" else _heading_topics(extra)
    own = _implied_of(question_topics(first if first is not None else quote)) - BROAD
    if kind == "item" and own and len(headed) > 1 and not headed - BROAD <= own:
        # Under a heading on several subjects ("Pay and hours", "薪酬待遇") an item is about
        # the ones it speaks to itself; under one on another subject ("Pay and benefits:
        # Hybrid, two days a week in our office") about its own first subject (below).
        headed = (headed & own) | (headed & BROAD)
    primary = set(about) | headed
    subject = frozenset(primary - BROAD)
    if not subject:
        # No heading (or only a broad one such as "what we offer"): its first subject.
        hits = topic_hits(first if first is not None else quote)
        if hits:
            primary |= {topic for pos, topic in hits if pos == hits[0][0]}
    if not figure_pay and "salary" not in headed:
        # a later clause's figure per period without a word for pay ("NZ$1,000 a year for
        # CPD") is not the published pay
        primary.discard("salary")
        topics.discard("salary")
    topics |= primary
    for topic in list(topics):
        topics |= IMPLIES.get(topic, set())
    return Passage(
        source=source,
        text=text,
        quote=quote,
        faq_id=faq_id,
        question=question,
        kind=kind,
        topics=frozenset(topics),
        primary=frozenset(primary),
        subject=subject,
        workplace=workplace,
    )


def _implied_of(topics: frozenset[str]) -> set[str]:
    out = set(topics)
    for topic in topics:
        out |= IMPLIES.get(topic, set())
    return out


def passages_for(
    description: str,
    faqs: Sequence[tuple[int, str, str]],
    *,
    location: str = "",
    title: str = "",
) -> list[Passage]:
    """The passages of one opening: its description's sections, items, sentences and clauses,
    its location field, then the company FAQ entries ``(id, question, answer)``; and its
    title (kind ``title``), which answers nothing but names the job: its words are in many
    questions ("店长需要会做菜吗？") and say nothing about which passage answers them."""
    text = description or ""
    out: list[Passage] = []
    intro = True
    for section in _sections(text):
        context = (section.heading,) if section.heading else ()
        # The sentences an ad opens with, before any heading, say who the company is
        # ("Lumen Analytics helps grocery chains forecast demand."); a title line does not.
        intro = intro and not section.heading
        heading = f"{section.heading}: " if section.heading else ""
        units: list[str] = []
        for line, _start, inline in section.lines:
            body = _BULLET.sub("", line).strip()
            if not body:
                continue
            pieces = [line] if _BULLET.match(line) else split_sentences(line) or [line]
            for piece in pieces:
                piece = piece.strip()[:MAX_PASSAGE_CHARS]
                if not piece:
                    continue
                units.append(piece)
                # what the piece itself is about, after an inline heading ("我们提供：底薪…")
                own = piece[inline:] if inline and piece.startswith(line[:inline]) else piece
                about, also = _intro_topics(piece, location) if intro else (_NONE, _NONE)
                workplace = _workplace(piece, location, text)
                clauses = [c.strip() for c in _CLAUSE.split(own) if len(c.strip()) >= 4]
                out.append(
                    _passage(
                        "opening",
                        heading + own,
                        piece,
                        context=context,
                        first=own,
                        about=about,
                        also=also | ({"location"} if workplace else _NONE),
                        workplace=workplace,
                        figure_pay=_figure_is_pay(own, clauses[0] if clauses else own),
                    )
                )
                if len(clauses) > 1:
                    out.extend(
                        _passage(
                            "opening",
                            heading + c,
                            piece,
                            context=context,
                            first=c,
                            figure_pay=_figure_is_pay(c, c if n == 0 else None),
                        )
                        for n, c in enumerate(clauses)
                    )
        if section.heading and units:
            quote = text[section.start : section.end].strip()[:MAX_SECTION_CHARS]
            out.append(
                _passage("opening", quote, quote, kind="section", context=(section.heading,))
            )
    if location.strip():
        value = location.strip()[:200]
        out.append(
            _passage(
                "opening", f"工作地点 location: {value}", value, kind="field", context=("location",)
            )
        )
    if title.strip():
        value = title.strip()[:200]
        out.append(Passage(source="opening", text=value, quote=value, kind="title"))
    for faq_id, question, answer in faqs:
        question, answer = (question or "").strip(), (answer or "").strip()
        if not answer:
            continue
        out.append(
            _passage(
                "faq",
                f"{question} {answer}"[: 2 * MAX_PASSAGE_CHARS],
                answer,
                kind="faq",
                context=(question,),
                faq_id=faq_id,
                question=question[:MAX_PASSAGE_CHARS],
            )
        )
    return out
