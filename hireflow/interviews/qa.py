"""Answers to the candidate's questions about the job, quoted from the opening and the company
FAQ, or honestly forwarded to HR (SPEC E6).

Nothing is generated: an answer *is* a passage of the opening's own text (its description,
its location) or of the company's FAQ, quoted verbatim with its source. When no passage says
it, the question goes to HR. Pure apart from the embedder it is given; deterministic.

How a passage is found:

1. **Passages.** The description is read the way job ads are written: headed sections
   (``【岗位职责】``, ``任职要求：``, ``What you will do``, ``Location: …``), numbered or bulleted
   items, prose sentences, and the clauses of long lines (``；``/``;``), so one fact of a run-on
   Chinese sentence can be quoted alone. A whole section is a passage too (for "what does this
   job involve?"), the location field is one, and each FAQ entry is one (its answer is
   quoted; its question tells what it is about).
2. **Topics.** Questions and passages are tagged with what they are about (pay, location,
   remote work, duties, requirements, leave, probation, the interview process…) by bilingual
   word lists, so a Chinese FAQ answers an English question. A question with a topic is answered
   only by a passage on that topic, and pay only by a passage *about* pay (a heading or FAQ
   question on pay, or pay as its first subject): the company's FAQ on probation pay is not an
   answer to "what is the salary?". A question about a part of pay (base, bonus, commission,
   probation pay) asking how much is answered only by a passage that names that part and a
   figure.
3. **Broad or specific.** "岗位职责是什么" / "What are the responsibilities?" (a section topic and
   nothing more specific) is answered by the whole section; other questions by the single item,
   sentence or clause that scores best.
4. **Score.** Cosine similarity of the sentence vectors (multilingual) + shared content words
   weighted by how rare they are in this opening's passages + agreement of topics, + a little
   for the opening's own text over the company-wide FAQ. A question with no recognised topic
   needs a higher score and at least one shared specific word or a close vector. The thresholds
   were set on the development splits of the labelled set
   (tests/data/interviews/candidate_questions/); ``bench/candidate_questions.py`` prints the
   held-out figures.

A question on two subjects is answered only by a passage on both (the shuttle's timetable is not
the working hours), and "how much / how many" of a subject needs the figure beside it.

The sentences an ad opens with answer what the company does, and the one announcing the hire
where the job is; "is X paid?" is answered by a passage on X that says it is paid, not by the
pay (see qa_passages and docs/interviews.md).

A company-wide FAQ entry answers only its own subject (its question's topics), and yields to
the opening's own text where that specifies the same subject with a figure (this job's shifts
over the company's standard hours).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from hireflow.interviews.qa_intents import inferred_topics
from hireflow.interviews.qa_passages import Passage
from hireflow.interviews.qa_topics import (
    AMOUNT_QUESTION,
    ANSWER_TYPE_PATTERNS,
    BROAD,
    CLOCK,
    COUNTED,
    DIGIT,
    ENTITY,
    FREQUENCY,
    IMPLIES,
    INTENT,
    MONEY,
    NUMBER,
    PAY_PARTS,
    PAY_PIECES,
    PERSON,
    PLACE,
    TIME,
    WHEN,
    answer_types,
    languages_named,
    question_topics,
)
from hireflow.interviews.qa_words import (
    ASKING,
    GENERIC,
    aspect_words,
    covers_half,
    mainly_chinese,
    shares_aspect,
)
from hireflow.scoring.embedding import Embedder, cosine_matrix
from hireflow.scoring.text import content_words, is_han

__all__ = ["MIN_SCORE", "QaResult", "answer_question"]


# Score a passage needs when the question's topic matched its own; without a recognised topic
# the question must reach UNTOPICAL_MIN_SCORE (a looser match is too often about something else).
MIN_SCORE = 0.3


UNTOPICAL_MIN_SCORE = 0.5


# ... and must lead the best passage that says something else by this much: two passages
# matching a question no word list places almost equally ("Which banks do you partner
# with?") is a guess between them, which goes to HR.
UNTOPICAL_MIN_MARGIN = 0.015


# ... and, sharing no specific word with the passage, a sentence vector this close: meaning
# alone, across languages, is the least reliable evidence there is.
UNTOPICAL_SIMILARITY = 0.5


ASPECT_SIMILARITY = 0.5


TOPIC_BONUS = 0.2


OPENING_BONUS = 0.12


PRIMARY_BONUS = 0.15


FIELD_PENALTY = 0.15


OTHER_SUBJECT_PENALTY = 0.3


LEXICAL_WEIGHT = 0.1


MAX_LEXICAL = 0.6


MAX_QUESTION_CHARS = 500


# For "where?": a passage that names a place ("Our office is at Keizersgracht 120") over one on
# the subject that names none ("three days in the office, two from home").
PLACE_BONUS = 0.1


# A passage on a narrower subject than the one asked (overtime for "what are the hours?")
# ranks below one on the subject itself.
NARROWER_PENALTY = 0.15


# A broad question is answered by the section that lists the duties ("What you'll do" and its
# items) rather than one paragraph of prose about the role.
LISTED_BONUS = 0.1


# Subjects that are the asked one itself, not a narrower part of it: the shifts are the hours.
_SAME_SUBJECT = frozenset({"shift", "weekend"})


# A bullet at the start of a line of a section.
_LISTED = re.compile(r"^\s*(?:[-•*·▪◦●○■□]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）])", re.MULTILINE)


# "Who is the Head of Product?", "护士长是谁？": who a named role is, which only a name answers.
_WHO_IS_ROLE = re.compile(r"(?i:\bwho(?:'s| is| are) (?:the|your)\b)|(?<!我)(?<!我的)\S{1,6}是谁")


# A name in an English line (a place, a person), not a capitalised word that starts a sentence.
_PROPER = re.compile(r"\b(?!(?:We|Our|The|You|Your|I|It|This|They|A|An|In|At|On)\b)[A-Z][a-z]+")


# A person's name: two capitalised words, or a Chinese surname with a title.
_NAME = re.compile(
    r"\b[A-Z][a-z]+ [A-Z][a-z]+\b"
    r"|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡杜叶程苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江薛段雷侯龙陶贺顾毛郝邵钱严武戴孔汤]"
    r"(?:[\u4e00-\u9fff]{1,2})?(?:先生|女士|老师|经理|总监|总)"
)


# Pay published as negotiable: it answers "how much?" with what the company chose to say.
NEGOTIABLE = re.compile(
    r"面议|面谈|协商|根据(?:个人)?(?:经验|能力)|(?i:\bnegotiable\b|\bdepending on experience\b"
    r"|\bdoe\b|\bcompetitive (?:salary|pay)\b)"
)


# A question about working from home, where "home" is a place asked about.
REMOTE_ASK = re.compile(r"(?i:\bremote|\bhome\b|\bhybrid\b|\bwfh\b)|远程|在家|居家")


HOME = re.compile(r"(?i:\bremote\b|\bhome\b)|远程|在家|线上")


# "Is the trial shift paid?", "培训期间有工资吗？": whether something else is paid, not the pay.
_PAID_ASK = re.compile(
    r"(?i:\b(?:is|are|was|will)\b.{1,40}\bpaid\b\s*\??\s*$|\bunpaid\b|\bpaid or\b)"
    r"|有工资吗|给工资吗|发工资吗|算工资吗|有没有工资|带薪吗|是带薪的?吗|算钱吗|给钱吗"
)


# ... and what says so: "a paid two-hour trial shift", "带薪岗前培训".
_PAID_TEXT = re.compile(r"(?i:\b(?:paid|unpaid)\b)|带薪|有薪|工资照发|计薪")


# "几个人", "多少人": people are counted, which a Chinese line gives as "10名", "30人", "两位".
_PEOPLE_ASKED = re.compile(r"(?:多少|几)[个名位]?人(?![\u4e00-\u9fff])")
_PEOPLE_COUNTED = re.compile(r"[\d两二三四五六七八九十百千]\s*[个]?[人名位](?!民)")


def _counted(question: str) -> set[str]:
    """What a "how many X?" question counts (``X``): English stems, or one Chinese word of
    two or more characters (a unit such as 天 or 轮 is not what is counted), or people ("人")."""
    if _PEOPLE_ASKED.search(question):
        return {"人"}
    found = COUNTED.search(question)
    if not found:
        return set()
    if found.group(1):
        return {w.rstrip("s") for w in content_words(found.group(1)) if w not in GENERIC}
    words = [w for w in content_words(found.group(2)) if len(w) >= 2]
    return set(words[:1])


def _counts(counted: set[str], passage: Passage) -> bool:
    if counted == {"人"}:
        # a Chinese line gives a number of people with its unit ("每年一次团队旅行" counts a trip)
        return not mainly_chinese(passage.quote) or bool(_PEOPLE_COUNTED.search(passage.quote))
    folded = passage.text.casefold()
    return not counted or any(word in folded for word in counted)


def _gives(passage: Passage, kind: str, question: str = "") -> bool:
    """Whether the passage contains the kind of thing asked for."""
    text = passage.quote
    if kind in ("quantity", "money") and NEGOTIABLE.search(text) and "salary" in passage.topics:
        return True  # "薪资面议" is what the company published about how much it pays
    if kind == "quantity":
        return bool(NUMBER.search(text))
    if kind == "place":
        if passage.names_workplace:
            return True
        if not REMOTE_ASK.search(question):
            # "in the office, two from home" does not say where the office is
            text = HOME.sub(" ", text)
        if "location" in passage.primary and passage.kind != "item":
            return True
        # a line under a location heading names the place (a name, an address's number), or
        # it says something else ("We work in the hub two days and on the road three.")
        return bool(
            PLACE.search(text)
            or ("location" in passage.primary and (DIGIT.search(text) or _PROPER.search(text)))
        )
    if kind == "person":
        if _WHO_IS_ROLE.search(question) and PERSON.search(question):
            # who the role is: only a name says it, beside a role
            return bool(_NAME.search(text) and PERSON.search(text))
        # someone other than who the question names: "区域经理是谁？" is not answered by
        # "向区域经理提交报表"
        named = {m.group(0).lower() for m in PERSON.finditer(question)}
        return any(m.group(0).lower() not in named for m in PERSON.finditer(text))
    if kind == "clock":
        return bool(CLOCK.search(text))
    if kind == "time":
        return bool(NUMBER.search(text) or TIME.search(text))
    if kind == "when":
        return bool(WHEN.search(text))
    if kind == "frequency":
        return bool(FREQUENCY.search(text))
    if kind == "money":
        return bool(MONEY.search(text))
    if kind == "country":
        # a region named, not only the word for one ("travel in the region")
        return "territory" in question_topics(_REGION_WORDS.sub(" ", text)) or bool(
            PLACE.search(text)
        )
    return True


# The words for a region, which name none ("the region", "区域", "the countries we cover").
_REGION_WORDS = re.compile(
    r"(?i:\bregion(?:s|al)?\b|\bterritor\w*|\bcountr(?:y|ies)\b|\bcover\w*)|区域|地区|片区"
)


@dataclass(frozen=True)
class QaResult:
    """The outcome: ``answered`` with the passage, or ``forwarded`` to HR."""

    status: str
    passage: Passage | None
    score: float
    similarity: float
    #: How far the passage quoted led the best passage that says something else.
    margin: float = 0.0
    #: Why a question was forwarded although a passage came close (empty when answered).
    reason: str = ""


# Where a job is done, named in a "where?" question: the job's place, not another subject.
_WORKPLACES_TEXT = (
    "café cafe office store shop branch site campus ward clinic warehouse depot plant factory "
    "lab laboratory hospital hotel restaurant kitchen school centre center studio workplace "
    "门店 店 店铺 公司 办公室 工厂 仓库 医院 酒店 餐厅 学校 校区 工地 项目 基地 诊所 药店 单位"
)


_WORKPLACES = frozenset(_WORKPLACES_TEXT.split())


def _idf(passages: Sequence[Passage]) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for p in passages:
        counts.update(set(content_words(p.text)))
    n = len(passages) or 1
    return {word: math.log(1.0 + n / df) for word, df in counts.items()}


_WHO = frozenset({"team", "company"})


@lru_cache(maxsize=256)
def _subjects(question: str) -> frozenset[str]:
    """The narrow topics a question asks about, all of which an answer must speak to: not the
    words that only say what kind of answer is wanted ("几点" is a clock time, "where" a place:
    the answer-type check asks for those), not a named thing (a tool, a region), and not the
    team or the company, which are who a question is about more often than what it asks
    ("What language does the team use?")."""
    bare = question
    for pattern in ANSWER_TYPE_PATTERNS.values():
        bare = pattern.sub(lambda m: " " * len(m.group(0)), bare)
    return question_topics(bare) - BROAD - ENTITY - _WHO


def _matched(q_topics: frozenset[str], passage: Passage, question: str) -> frozenset[str]:
    """The question's topics this passage is about; empty when it may not answer it (the
    topic gate). A question with a narrow topic ("parental leave") is not answered by a
    passage that only shares its broad one ("what we offer")."""
    fine = q_topics - BROAD
    topics = passage.topics
    if "hours" in topics and CLOCK.search(passage.quote):
        # working hours with their clock times say which shift there is ("需要上夜班吗？" is
        # answered by "早8点到晚6点")
        topics = topics | {"shift"}
    matched = (fine or q_topics) & topics
    if not matched or (fine & INTENT and not matched - ENTITY):
        return frozenset()
    # Every subject asked about must be there: "班车几点发车？" (the shuttle, at what time) is not
    # answered by the working hours.
    # (pay is not a subject when a question asks whether something else is paid)
    if _subjects(question) - ({"salary"} - q_topics) - topics - _implied(topics):
        return frozenset()
    # An FAQ entry answers its own question: "how long is the probation?" is not answered by
    # the entry on stock options that mentions the probation period.
    if (
        passage.kind == "faq"
        and passage.subject
        and fine
        and not _implied(fine) & _implied(passage.subject)
    ):
        return frozenset()
    asked, named = languages_named(question), languages_named(passage.text)
    if asked and named and not asked & named:
        return frozenset()
    return matched if _pay_allowed(q_topics, passage, question) else frozenset()


def _implied(topics: frozenset[str]) -> set[str]:
    out = set(topics)
    for topic in topics:
        out |= IMPLIES.get(topic, set())
    return out - BROAD


def _pay_allowed(q_topics: frozenset[str], passage: Passage, question: str) -> bool:
    """Pay is answered only from what the company published about pay, part by part."""
    parts = q_topics & PAY_PARTS
    if (
        "salary" in q_topics
        and not parts
        and not ("salary" in passage.primary and "salary" in question_topics(passage.quote))
    ):
        return False  # pay is answered only by what is about pay, in its own words
    if parts and not parts <= passage.topics:
        return False
    asked = parts - {"probation"}
    if asked and AMOUNT_QUESTION.search(question):
        # "how much is the commission?" needs a figure beside the commission, not the base's
        # figure in "底薪6000元加业绩提成"; an FAQ entry on that part speaks of nothing else.
        if passage.kind == "faq" and asked & _implied(passage.subject):
            return bool(NUMBER.search(passage.quote))
        return any(
            NUMBER.search(piece) and asked & question_topics(piece)
            for piece in PAY_PIECES.split(passage.quote)
        )
    return True


@dataclass(frozen=True)
class _Asked:
    """A question as the passages are checked against it (computed once per question)."""

    text: str
    topics: frozenset[str]
    broad: bool
    words: set[str]
    kinds: frozenset[str]
    counted: set[str]
    aspect: set[str]
    specific: set[str]
    has_section: bool
    described: bool
    covered: set[str]
    own: set[str]  # its own words (see _aspect), whatever it asks for
    paid: bool = False  # whether something other than the pay is paid


def _named_in_items(
    text: str, words: set[str], topics: frozenset[str], passages: Sequence[Passage]
) -> bool:
    """Whether a question on a broad subject names something one of that subject's items
    says ("audits" in "Will I be involved in audits?"): it asks about that item, not the
    whole section. Only its own words as written count, and only one that a single item
    says."""
    folded = text.casefold()
    own = {w for w in aspect_words(text, words) if w.casefold() in folded}
    if not own:
        return False
    items = [
        set(content_words(p.quote)) for p in passages if p.kind == "item" and topics & p.primary
    ]
    # a word only one item has: a word every item repeats ("老人") names the whole section
    return any(sum(1 for item in items if word in item) == 1 for word in own)


def _similarities(text: str, passages: Sequence[Passage], embedder: Embedder) -> list[float]:
    """Each passage's similarity to the question (an FAQ entry's own question counts too)."""
    alternates = [p.question for p in passages if p.question]
    vectors = embedder.embed([text, *[p.text for p in passages], *alternates])
    everything = cosine_matrix(vectors[:1], vectors[1:])[0]
    similarities = [float(value) for value in everything[: len(passages)]]
    extra = iter(everything[len(passages) :])
    for i, passage in enumerate(passages):
        if passage.question:
            similarities[i] = max(similarities[i], float(next(extra)))
    return similarities


def _asked(
    text: str, passages: Sequence[Passage], inferred: frozenset[str] = frozenset()
) -> _Asked:
    q_topics = question_topics(text)
    if not q_topics - ENTITY:
        # no word list placed it, or only by a named thing ("cover", "India"): what it is like
        q_topics |= inferred
    paid = bool(_PAID_ASK.search(text)) and q_topics != {"salary"}
    if paid:
        q_topics -= {"salary"}  # the training or the trial is asked about, not the pay
    # The job's own name is in many questions ("施工员主要负责什么", "店长需要会做菜吗") and
    # says nothing about which passage answers them.
    titled = {w for p in passages if p.kind == "title" for w in content_words(p.text)}
    words = {w for w in content_words(text) if w not in GENERIC and w not in titled}
    # Broad ("What does the job involve?", "岗位职责是什么") when nothing narrower is asked: "Will
    # I be involved in audits?" asks about the audits, which one item says.
    broad = (
        bool(q_topics)
        and q_topics <= BROAD
        and not _named_in_items(text, words, q_topics, passages)
    )
    kinds = answer_types(text)
    if "country" in kinds:
        # "在哪些国家" asks which countries or regions: a region is the place asked for
        kinds -= {"place"}
        q_topics = (q_topics - {"location"}) | {"territory"}
    if "quantity" in kinds and q_topics & (PAY_PARTS | {"salary"}) - {"probation"}:
        kinds |= {"money"}  # "how much is the pay after probation?" needs a sum, not "3 months"
    # Checked only where no answer type is (that check already asks for the thing itself) and
    # the topic is not a named thing (a tool, a language, a region).
    # So is a "where?" placed only by its question word: "Where do I record test results?"
    # asks where something is done, which a passage on the job's place does not say.
    where_only = kinds == {"place"} and q_topics == {"location"} and not _subjects(text)
    aspect = (
        aspect_words(text, words)
        if (q_topics - BROAD - ENTITY and not kinds and not broad) or where_only
        else set()
    )
    if where_only:
        aspect -= _WORKPLACES  # "Where is the clinic?" asks where the job is
    # What the opening's own text specifies (with a figure): a company-wide FAQ entry on the
    # same subject (standard office hours) yields to it (this job's shifts). A mere mention
    # ("base + commission") does not: the FAQ's commission rates still answer.
    covered: set[str] = set()
    for p in passages:
        if p.kind == "item" and DIGIT.search(p.quote):
            covered |= p.topics
    return _Asked(
        text=text,
        topics=q_topics,
        broad=broad,
        words=words,
        kinds=kinds,
        counted=_counted(text),
        aspect=aspect,
        # Words that say what a question without a recognised topic is about: not numbers or
        # units ("一年", "几天", "月"), which any passage with a figure shares.
        specific={w for w in words if not NUMBER.search(w) and not (len(w) == 1 and is_han(w))},
        has_section=broad and any(p.kind == "section" and q_topics & p.primary for p in passages),
        # The location field speaks only when the description says nothing about the place.
        described=any(
            p.kind != "field" and ("location" in p.primary or p.names_workplace) for p in passages
        ),
        covered=covered,
        own=aspect_words(text, words) if q_topics else set(),
        paid=paid,
    )


def _may_answer(passage: Passage, asked: _Asked) -> bool:
    """Whether the passage is of a kind that may answer at all, and gives what was asked."""
    if passage.kind == "title":
        return False
    if passage.kind == "section" and not asked.has_section:
        return False
    if passage.kind == "field" and asked.described:
        return False
    if (
        passage.kind == "faq"
        and passage.subject
        and passage.subject <= asked.covered
        and not asked.own & set(content_words(passage.question))
    ):
        # (unless the question names what the FAQ's own question does: "Is the trial shift
        # paid?" is the FAQ's "Is there a trial shift?", not the job's shifts)
        return False
    if asked.paid and not _PAID_TEXT.search(passage.quote):
        return False
    if {"remote", "territory"} <= asked.topics and not _says_where_from(passage):
        return False  # "Can I work from Europe?" is not answered by "We are remote-first."
    if asked.has_section and (passage.kind != "section" or not asked.topics & passage.primary):
        return False
    if passage.kind != "section" and not all(_gives(passage, k, asked.text) for k in asked.kinds):
        return False  # on the topic, but without what was asked (a figure, a place, a person)
    if not _figure_beside(passage, asked):
        return False
    return _counts(asked.counted, passage)  # "how many students?" is not a number of campuses


# Where remote work may be done from: a time zone, a country or region, a place.
_WHERE_FROM = re.compile(r"(?i:\b(?:UTC|GMT|CET|EST|PST)\b|time ?zones?|\banywhere\b)|时区|时差")


def _says_where_from(passage: Passage) -> bool:
    """Whether a passage says where remote work may be done from (a named place asked about)."""
    text = passage.quote
    return bool(
        "territory" in passage.topics
        or PLACE.search(HOME.sub(" ", text))
        or _WHERE_FROM.search(text)
    )


_FIXED_TERMS = re.compile(r"[三四五六七]险(?:[一二]金)?|十[三四五六]薪")


def _figure_beside(passage: Passage, asked: _Asked) -> bool:
    """A question asking how much or how many of a subject needs the figure beside that
    subject: "公积金比例多少？" is not answered by the monthly pay in
    "综合月薪7000–9000元，…，五险一金"."""
    fine = asked.topics - BROAD - ENTITY
    if "quantity" not in asked.kinds or not fine or passage.kind in ("section", "field"):
        return True
    if passage.kind == "faq" and _implied(fine) & _implied(passage.subject):
        return True  # an FAQ entry on the subject speaks of nothing else
    if fine <= passage.primary and len(passage.primary - BROAD) == 1:
        # so does a passage only about it ("…在全市有60家门店" for how many shops)
        return _says_figure(passage.quote, fine)
    wanted = _implied(fine)
    return any(
        wanted & _implied(question_topics(piece)) and _says_figure(piece, fine)
        for piece in PAY_PIECES.split(passage.quote)
    )


def _says_figure(text: str, asked: frozenset[str]) -> bool:
    """Whether the text gives a figure, not counting the fixed benefit terms written with
    numerals ("五险一金" names a benefit, while "做六休一" is the figure asked for); pay
    published as negotiable ("薪资面议") is what the company chose to say about how much."""
    if "salary" in asked and NEGOTIABLE.search(text):
        return True
    return bool(NUMBER.search(_FIXED_TERMS.sub(lambda m: " " * len(m.group(0)), text)))


def _topical_score(
    score: float, passage: Passage, asked: _Asked, passage_words: set[str], similarity: float
) -> float | None:
    """``score`` with the bonus of a passage on the question's topics (None: it may not
    answer it)."""
    matched = _matched(asked.topics, passage, asked.text)
    if not matched:
        return None
    score += TOPIC_BONUS + 0.1 * (len(matched) - 1)
    # Mainly about what was asked, or mainly about something else (the company's offices
    # for "where is the job?")?
    primary = passage.primary
    if "hours" in primary and CLOCK.search(passage.quote):
        primary = primary | {"shift"}  # working hours with their clock times are the shifts
    if "shift" in primary:
        primary = primary | {"hours"}  # and the shifts are the working hours
    if matched & primary:
        score += PRIMARY_BONUS
    narrower = {
        t
        for t in passage.topics - asked.topics - _SAME_SUBJECT - PAY_PARTS
        if IMPLIES.get(t, set()) & asked.topics - BROAD
    }
    if narrower:
        score -= NARROWER_PENALTY
    if "place" in asked.kinds and (
        passage.names_workplace or PLACE.search(HOME.sub(" ", passage.quote))
    ):
        score += PLACE_BONUS
    if passage.kind == "section" and len(_LISTED.findall(passage.quote)) >= 2:
        score += LISTED_BONUS
    if (
        asked.aspect
        and not shares_aspect(asked.aspect, passage_words, passage.quote)
        and similarity < ASPECT_SIMILARITY
        and mainly_chinese(asked.text) == mainly_chinese(passage.quote)
    ):
        # (across languages no word can be shared: the topic decides)
        return None
    if passage.kind == "faq":
        score -= OTHER_SUBJECT_PENALTY * min(2, len(passage.subject - asked.topics))
        named = _faq_aspect(passage.question)
        if named and not shares_aspect(named, asked.words, asked.text):
            # its own question names what this one does not ("可以带家属住吗" for "包住吗"):
            # a narrower entry than the question, below a passage on the subject itself
            score -= NARROWER_PENALTY
    return score


@lru_cache(maxsize=1024)
def _faq_aspect(question: str) -> frozenset[str]:
    words = {w for w in content_words(question) if w not in GENERIC}
    return frozenset(aspect_words(question, words))


def _untopical_score(
    score: float,
    passage: Passage,
    asked: _Asked,
    shared: set[str],
    similarity: float,
    min_score: float,
    passage_words: set[str],
) -> float | None:
    """``score`` held to the stricter bar of a question no word list recognises (None: not
    an answer)."""
    # A passage mainly about a subject the word lists know (probation, commission, housing)
    # is not the answer to a question they do not recognise as about it.
    if passage.primary - BROAD - ENTITY and not shared & asked.specific & set(
        content_words(passage.question or passage.text)
    ):
        return None
    score += min_score - UNTOPICAL_MIN_SCORE  # the stricter bar, on the same scale
    if not shared & asked.specific and similarity < UNTOPICAL_SIMILARITY:
        return None
    if not covers_half(asked.specific - ASKING, passage, passage_words, similarity):
        return None
    return score


def _candidate(
    i: int,
    passage: Passage,
    asked: _Asked,
    similarity: float,
    idf: dict[str, float],
    min_score: float,
) -> tuple[float, int, float, float, bool] | None:
    """(score, index, similarity, lexical, shares specific words) of a passage that may
    answer the question, None for one that may not."""
    if not _may_answer(passage, asked):
        return None
    passage_words = set(content_words(passage.text))
    shared = asked.words & passage_words
    lexical = min(MAX_LEXICAL, LEXICAL_WEIGHT * sum(min(3.0, idf.get(w, 1.0)) for w in shared))
    base = similarity + lexical
    if asked.topics:
        score = _topical_score(base, passage, asked, passage_words, similarity)
    else:
        score = _untopical_score(base, passage, asked, shared, similarity, min_score, passage_words)
    if score is None:
        return None
    if passage.kind == "field":
        score -= FIELD_PENALTY  # a bare place name, when a sentence may say more
    elif passage.source == "opening":
        score += OPENING_BONUS
    return (score, i, similarity, lexical, bool(shared & asked.specific))


def answer_question(
    question: str,
    passages: Sequence[Passage],
    embedder: Embedder,
    min_score: float = MIN_SCORE,
) -> QaResult:
    """The passage that answers ``question``, or ``forwarded`` when none may.

    Ties are broken by passage order (the description before the FAQ), so the result is
    deterministic.
    """
    text = (question or "").strip()[:MAX_QUESTION_CHARS]
    if not text or not passages:
        return QaResult("forwarded", None, 0.0, 0.0)
    similarities = _similarities(text, passages, embedder)
    inferred = frozenset() if question_topics(text) - ENTITY else inferred_topics(text, embedder)
    asked = _asked(text, passages, inferred)
    idf = _idf(passages)
    candidates = [
        scored
        for i, passage in enumerate(passages)
        if (scored := _candidate(i, passage, asked, similarities[i], idf, min_score)) is not None
    ]
    if not candidates:
        return QaResult("forwarded", None, 0.0, 0.0, reason="no passage on the subject")
    # Highest score first; ties by passage order (deterministic).
    candidates.sort(key=lambda c: (-c[0], c[1]))
    best_score, best, best_sim, _lexical, _words = candidates[0]
    quote = passages[best].quote
    margin = next(
        (
            best_score - c[0]
            for c in candidates[1:]
            if passages[c[1]].quote not in quote and quote not in passages[c[1]].quote
        ),
        best_score,
    )
    found = QaResult(
        "answered", passages[best], round(best_score, 4), round(best_sim, 4), round(margin, 4)
    )
    if best_score < min_score:
        return QaResult("forwarded", None, found.score, found.similarity, found.margin, "score")
    if not asked.topics and len(candidates) > 1 and margin < UNTOPICAL_MIN_MARGIN:
        return QaResult("forwarded", None, found.score, found.similarity, found.margin, "close")
    return found
