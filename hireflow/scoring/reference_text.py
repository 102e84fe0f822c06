"""The wording side of reference-answer scoring (:mod:`hireflow.scoring.reference`): key-point
items of a reference, stems, length units, bigrams, weighted keywords, formulas, negations,
true/false verdicts and instructions to the grader, for Chinese and English alike.
"""

from __future__ import annotations

import functools
import itertools
import math
import re

from hireflow.scoring.text import split_sentences, tokenize


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Enumerations such as （1） ① 2、 start a new key point inside a sentence.
_ENUM_START = re.compile(
    r"(?<![A-Za-z])(?=[（(]\d{1,2}[)）])|(?=[\u2460-\u2473])|(?<![\dA-Za-z.])(?=\d{1,2}、)"
)
# A Chinese or English clause end that text.split_sentences keeps inside a sentence.
_CLAUSE_SEMICOLON = re.compile(r"(?<=[;；])")
_UNIT = re.compile(rf"[{_HAN}]|[a-z]+|\d+")
_FORMULA_RUN = re.compile(r"[0-9a-z_+\-*/^().]+")
_POWER_ZH = re.compile(r"(\w+?)的([\w+\-()]+?)次(?:方|幂)")

_EN_STOP = _words(
    """a an the of to in on for and or but is are was were be been being it its this that these
    those with as by at from into than then so such can could will would should may might must
    do does did done has have had having not no yes if else when while which who whom whose what
    where why how all any each other some more most very also only just there here we you they he
    she i me my our your their them his her us about over under up down out off again once"""
)
_ZH_STOP = _words(
    """的 了 是 在 和 与 及 或 而 则 就 都 也 为 对 将 把 被 其 这 那 个 之 中 时 于 以
    即 并 且 从 到 由 上 下 等 如 若 因为 所以 因此 如果 那么 可以 一个 这个 进行 需要 我们
    你 我 他 它 们 么 吗 呢 吧 啊 着 过 还 又 很 更 最 会 能 要 有 没有 不 所 该 此 每 各
    只 才 再 已 当 后 前 里 得 地 给 让 使 用 通过 对于 一 二 三 答"""
)

# Words that flip a sentence's polarity, minus fixed words that merely contain them.
_NEG_ZH = re.compile(r"不(?!断|仅|但|过|久|少|管|论|同)|没|无(?!论)|非(?!常)|未|否")
_NEG_EN = re.compile(r"\b(?:not|no|never|cannot|none|neither|nor|without)\b|n't\b")

# A verdict at the start of an answer to "is this statement correct?". At each position the
# negative forms are tried first because 不正确 contains 正确.
_VERDICT = re.compile(
    r"(?P<neg>不正确|不对|错误|错的|错|不成立|不是|否|不一定|并非|incorrect|false|wrong|"
    r"not\s+(?:true|correct|right|necessarily)|\bno\b)"
    r"|(?P<pos>正确|对的|是对|^对(?=[。，,.!！;；\s]|$)|成立|是的|\btrue\b|\bcorrect\b|\bright\b|"
    r"\byes\b)"
)
_VERDICT_WINDOW = 24

# Words missing from jieba's IDF table are mostly segmentation fragments (表中, 从栈) rather
# than rare terms, so they get a typical content-word weight instead of the table's median.
_OOV_IDF = 8.0

# Sentences that talk to the grader rather than answer the question.
_INJECTION = re.compile(
    r"(?:ignore|disregard|forget)\b.{0,40}\b(?:rubric|instructions?|previous|above|rules?|"
    r"prompt|grading|criteria)"
    r"|\b(?:give|award|assign|grade|score|rate)\b.{0,25}\b(?:10|ten|full|maximum|max|perfect|"
    r"highest|100)\b"
    r"|(?:忽略|无视|忽视|不要管|不用管).{0,20}(?:评分|标准|规则|指令|要求|提示|说明)"
    r"|(?:给|打|评)(?:我|他|她|本答案|这个答案|该答案)?.{0,6}(?:满分|10\s*分|十分|100\s*分|最高分)"
    r"|(?:评分|打分)(?:系统|标准|规则)",
    re.IGNORECASE,
)


def _split_items(text: str) -> list[str]:
    """Sentences, then semicolon clauses and enumerated items, each keeping its punctuation."""
    pieces: list[str] = []
    for sentence in split_sentences(text):
        for clause in _CLAUSE_SEMICOLON.split(sentence):
            for item in _ENUM_START.split(clause):
                item = item.strip()
                if _UNIT.search(item.lower()):
                    pieces.append(item)
    return pieces


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _units(text: str) -> list[str]:
    """Comparable units: Chinese characters, stemmed English words (no stop words), numbers."""
    out = []
    for unit in _UNIT.findall(text.lower()):
        if unit[0].isalpha() and unit.isascii():
            if unit in _EN_STOP:
                continue
            unit = _stem(unit)
        out.append(unit)
    return out


def _bigrams(text: str) -> frozenset[str]:
    """The set of adjacent unit pairs (one unit alone when that is all there is)."""
    units = _units(text)
    grams = {f"{a} {b}" for a, b in itertools.pairwise(units)}
    if len(units) == 1:
        grams.add(units[0])
    return frozenset(grams)


@functools.lru_cache(maxsize=1)
def _idf_table() -> dict[str, float]:
    import jieba.analyse

    return jieba.analyse.default_tfidf.idf_freq


def warm_up() -> None:
    """Load jieba's IDF table (and jieba.analyse's imports) now, not in the first technical
    answer: a worker calls this before it forks (hireflow.scoring.startup.warm_up)."""
    from hireflow.scoring.text import _jieba

    _jieba()  # first, so that jieba's dictionary comes from the start-up cache
    _idf_table()


def _keywords(text: str, language: str) -> dict[str, float]:
    """Content words with a specificity weight.

    Chinese words take jieba's general-purpose IDF; jieba has no English table, so English
    words are weighted by length (long words are the specific ones: "amortised", "pointer").
    """
    weights: dict[str, float] = {}
    for token in tokenize(text):
        if token in _ZH_STOP or token in _EN_STOP or not _UNIT.search(token):
            continue
        if token.isascii():
            # One-letter words and one-digit numbers are variables and list numbering.
            if len(token) < 2 or (language == "en" and len(token) < 3):
                continue
            word = _stem(token) if token.isalpha() else token
            weight = _OOV_IDF if language == "zh" else 1.0 + math.log(len(word))
        else:
            word = token
            weight = _idf_table().get(word, _OOV_IDF)
            if len(word) == 1:
                weight *= 0.3  # a lone character means little by itself
        weights[word] = max(weights.get(word, 0.0), weight)
    return weights


def _formulas(text: str) -> frozenset[str]:
    """Formulas and complexities (``O(n)``, ``n/2``, ``2^(n-1)``) in a canonical spelling."""
    compact = re.sub(r"\s*([+\-*/^=,])\s*", r"\1", text.lower())
    compact = re.sub(r"\(\s+", "(", re.sub(r"\s+\)", ")", compact))
    compact = re.sub(r"o\(([^()]*)\)", lambda m: "o(" + m.group(1).replace(" ", "") + ")", compact)
    compact = _POWER_ZH.sub(r"\1^(\2)", compact)
    compact = compact.replace("**", "^").replace("×", "*").replace("÷", "/")
    found = set()
    for token in _FORMULA_RUN.findall(compact):
        token = token.strip(".")
        # Parentheses that do not balance belong to the sentence, not to the formula.
        while token.startswith("(") and token.count("(") > token.count(")"):
            token = token[1:]
        while token.endswith(")") and token.count(")") > token.count("("):
            token = token[:-1]
        if len(token) < 2 or not re.search(r"[0-9a-z]", token):
            continue
        if re.search(r"[+\-*/^]", token) or re.fullmatch(r"[a-z]\(.+\)", token):
            found.add(token)
    return frozenset(found)


def _negated(text: str) -> bool:
    """An odd number of negation words: the sentence asserts the opposite of its positive form."""
    lowered = text.lower()
    return (len(_NEG_ZH.findall(lowered)) + len(_NEG_EN.findall(lowered))) % 2 == 1


def _verdict(text: str) -> int:
    """+1 / -1 for a leading "correct" / "incorrect" judgement, 0 when there is none."""
    head = re.sub(r"^(?:答|answer)\s*[:：]\s*", "", text.strip().lower())[:_VERDICT_WINDOW]
    match = _VERDICT.search(head)
    if match is None:
        return 0
    return -1 if match.group("neg") else 1
