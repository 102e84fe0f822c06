"""The words of a candidate's question, as the answering reads them (SPEC E6; see
:mod:`hireflow.interviews.qa`): which say how it asks and which what it asks about, and whether
a passage speaks to the latter in any inflection, compound or, in Chinese, segmentation."""

from __future__ import annotations

import re

from hireflow.interviews.qa_passages import Passage
from hireflow.interviews.qa_topics import NUMBER, TOPIC_PATTERNS
from hireflow.scoring.text import content_words, is_han

# A passage whose sentence vector is this close to a question says what it asks in other words.
COVERED_SIMILARITY = 0.7


# Words every question about a job uses: they say nothing about which passage answers it.
GENERIC_TEXT = (
    "需要 可以 公司 岗位 职位 工作 这个 我们 你们 是否 有没有 请问 有 吗 呢 "
    "job role position work company need would could please use used using get will"
)


GENERIC = frozenset(GENERIC_TEXT.split())


# How questions are asked, in either language: not what they ask about.
ASKING_TEXT = (
    "什么 怎么 怎样 怎么样 如何 哪些 哪个 哪家 哪里 多少 一般 主要 具体 提供 能否 是不是 有无 目前 "
    "大概 大约 大致 左右 范围 range roughly approximately ballpark typical "
    "现在 这份 构成 上班 休息 经常 平时 通常 often usually "
    "what which how many much offer offered provide provided get give allowed available there any "
    "involved required expected fully possible included covered based working main "
    "kind sort type problem happen without 不会"
)


ASKING = frozenset(ASKING_TEXT.split())


_NAMED = re.compile(r"\b[A-Z][\w-]*")


def aspect_words(question: str, words: set[str]) -> set[str]:
    """What a yes/no or open question asks *about* its topic: its words that are neither how it
    asks, nor the words that gave its topics, nor names ("the vesting schedule" of stock
    options, the "补贴" of business trips, the "空调" of the dormitory)."""
    folded = question.casefold()
    spans = [m.span() for pattern in TOPIC_PATTERNS.values() for m in pattern.finditer(question)]
    named = {m.group(0).casefold() for m in _NAMED.finditer(question) if m.start() > 0}
    out = set()
    for word in words - ASKING:
        if NUMBER.search(word) or "几" in word or (len(word) == 1 and is_han(word)):
            continue
        if word.casefold() in named:
            continue
        at = folded.find(word.casefold())
        if at >= 0 and any(a < at + len(word) and at < b for a, b in spans):
            continue
        out.add(word)
    return out


# Characters too common in Chinese job ads to tell one subject from another.
_COMMON_HAN = frozenset(
    "的是有在会要能可以吗呢了不没一个人工作公司岗位我你们这那和与及或等上下多少大小年月日周天每次发给度还"
)


def _english_stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "ly", "ment"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def shares_aspect(aspect: set[str] | frozenset[str], passage_words: set[str], quote: str) -> bool:
    """Whether the passage speaks to what the question asks about its topic: one of the
    question's own words in any inflection or compound ("depend" in "depending", "site" in
    "on-site", "home office" in "home-office"), or, for a Chinese word, one of its less common
    characters (word segmentation cuts "购药" and "买药", "学生物" and "生物" differently)."""
    if aspect & passage_words:
        return True
    chinese = [word for word in aspect if is_han(word[0])]
    if chinese:
        folded = quote.casefold()
        if any(
            ch in folded for word in chinese for ch in word if is_han(ch) and ch not in _COMMON_HAN
        ):
            return True
    english = [word for word in aspect if not is_han(word[0])]
    if not english:
        return False
    parts = {part for word in passage_words for part in _COMPOUND.split(word) if part}
    stems = {_english_stem(part) for part in parts}
    return any(word in parts or _english_stem(word) in stems for word in english)


_COMPOUND = re.compile(r"[-/]")


def mainly_chinese(text: str) -> bool:
    """Whether a text is mainly Chinese (a third or more of its letters: figures and
    punctuation, "8:00-15:00", are neither language)."""
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(1 for ch in letters if is_han(ch)) * 3 >= len(letters)


def covers_half(
    own: set[str], passage: Passage, passage_words: set[str], similarity: float
) -> bool:
    """Whether the passage (with its FAQ question) says at least half of what a question no
    word list places names: "Do you pay for Dutch lessons?" is not answered by "Dutch is a
    plus", nor "Do I get a fuel card?" by the FAQ on company vans. Only words in the
    passage's own script count (an English word cannot be shared with a Chinese line), and a
    sentence vector this close (``COVERED_SIMILARITY``) is said in other words."""
    chinese = mainly_chinese(passage.quote)
    own = {word for word in own if is_han(word[0]) == chinese}
    if not own or similarity >= COVERED_SIMILARITY:
        return True
    seen = passage_words | set(content_words(passage.question))
    text = f"{passage.quote} {passage.question}"
    return 2 * sum(1 for word in own if shares_aspect({word}, seen, text)) >= len(own)
