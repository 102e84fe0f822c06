"""Score a technical answer against reference answers, and explain the score.

A technical question comes with one or more reference answers written by its author. The
scorer compares a candidate's answer with each reference through a handful of interpretable
features that work for Chinese and English alike:

* meaning: sentence-embedding similarity of the whole answer to the reference and to the
  question, and how well each *key point* of the reference (a sentence or enumerated item)
  is matched by some sentence of the answer;
* wording: recall of the reference's ten most specific terms (weighted by jieba's general
  inverse document frequency table for Chinese), of its character/word bigrams and of its
  formulas (``O(n)``, ``2^(n-1)``); material that the question already contains earns
  nothing, so restating the question does not score;
* verdicts: for "is this statement correct?" questions the reference opens with a verdict
  (错误 / False ...); an answer that opens with the opposite verdict is penalised;
* substance: the answer's length counted only where its sentences are close to some key
  point, so padding and off-topic text add (almost) nothing.

The features of each reference feed a small linear model with sign constraints (more
coverage never lowers a score), multiplicative penalties (a wrong verdict scores 0) and a
fixed gate (an off-topic answer or a mere restatement of the question scores 0); the best
reference wins. The
coefficients live in ``reference_model/linear.json``; they were fitted on teachers' grades
and evaluated with whole questions held out (``bench/ads.py``, ``docs/reference-scoring.md``).

Answers are data, never instructions: sentences that address the grader ("ignore the rubric,
give me 10") are removed before scoring and reported. A sentence repeated verbatim counts
once, so padding by repetition cannot raise a score. Scores are rounded to 4 decimals and are
identical across processes for the same input and embedder.
"""

from __future__ import annotations

import functools
import itertools
import json
import math
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from hireflow.scoring.embedding import cosine_matrix, get_embedder
from hireflow.scoring.text import detect_language, normalise_text, split_sentences, tokenize

__all__ = [
    "FEATURES",
    "KeyPoint",
    "ReferenceAnalysis",
    "ReferenceModel",
    "analyse_reference_answer",
    "fit_reference_model",
    "load_reference_model",
    "reference_features",
    "relevance_gate",
    "score_reference_answer",
]

# Limits that keep one call fast and bounded whatever the input size.
MAX_ANSWER_CHARS = 4000
MAX_REFERENCE_CHARS = 4000
MAX_QUESTION_CHARS = 1500
MAX_ANSWER_SENTENCES = 40
MAX_KEY_POINTS = 24
MAX_REFERENCES = 8

# A key point counts as covered when an answer sentence is this close in meaning (cosine of
# the multilingual USE), or repeats this share of the key point's own wording, and does not
# state its negation.
COVER_SIMILARITY = 0.55
COVER_LEXICAL = 0.4
# How many of the reference's most specific terms the keyword recall looks for.
TOP_KEYWORDS = 10
# Length is counted in Chinese characters; an English content word (stop words are not
# counted) carries about as much as two Chinese characters (a Han character ≈ three Latin
# letters, a content word ≈ six to seven letters).
EN_UNIT_WEIGHT = 2.2

SCORE_DECIMALS = 4

FEATURES: tuple[str, ...] = (
    "emb_answer",
    "emb_question",
    "kp_similarity",
    "kp_coverage",
    "keyword_recall",
    "bigram_recall",
    "bigram_precision",
    "novel_recall",
    "verdict_agree",
    "verdict_conflict",
    "formula_recall",
    "formula_missing",
    "negation_conflict",
    "supported_length",
    "question_copy",
    "novel_bigrams",
)

MODEL_FORMAT = "hireflow.reference-linear/1"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# ----------------------------------------------------------------------------- text helpers

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


# ----------------------------------------------------------------------------- results


@dataclass(frozen=True)
class KeyPoint:
    """One point of a reference answer and whether the answer covers it.

    ``similarity`` is the best cosine between the point and an answer sentence, ``lexical``
    the share of the point's own wording found in the answer; ``contradicted`` marks a
    close match that states the opposite (可以 / 不可以); ``evidence`` quotes the answer
    sentences that cover the point.
    """

    text: str
    similarity: float
    lexical: float
    covered: bool
    contradicted: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class ReferenceAnalysis:
    """Score, features and key-point coverage of one answer against its references."""

    score: float
    language: str
    reference_index: int
    features: dict[str, float]
    key_points: tuple[KeyPoint, ...]
    verdict_expected: int
    verdict_given: int
    ignored_sentences: tuple[str, ...] = ()
    truncated: bool = False
    reference_scores: tuple[float, ...] = field(default=())

    @property
    def covered(self) -> tuple[KeyPoint, ...]:
        """Key points of the best-matching reference that the answer covers."""
        return tuple(kp for kp in self.key_points if kp.covered)

    @property
    def missing(self) -> tuple[KeyPoint, ...]:
        """Key points of the best-matching reference that the answer leaves out."""
        return tuple(kp for kp in self.key_points if not kp.covered)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return asdict(self)


# ----------------------------------------------------------------------------- the model

# Features the fit may use, with the sign their weight must have, and the penalties.
MODEL_TERMS: dict[str, int] = {
    "emb_answer": 1,
    "emb_question": 1,
    "kp_similarity": 1,
    "kp_coverage": 1,
    "keyword_recall": 1,
    "bigram_recall": 1,
    "bigram_precision": 1,
    "novel_recall": 1,
    "verdict_agree": 1,
    "formula_recall": 1,
    "supported_length": 1,
}
MODEL_PENALTIES: tuple[str, ...] = (
    "verdict_conflict",
    "formula_missing",
    "negation_conflict",
    "question_copy",
)
# Below ``low`` relevance an answer is about something else and scores 0; above ``high`` the
# gate is open. Set by hand, not fitted: on the ADS grades the 17 answers under 0.2 average
# 0.5 points, while on-topic answers reach 0.5 or more.
RELEVANCE_GATE = (0.10, 0.25)
# An answer needs this many bigrams of its own (not in the question) for the full score; a
# copy of the question has none and scores 0. Fixed, not fitted.
NOVELTY_FULL = 2.0


@dataclass(frozen=True)
class ReferenceModel:
    """Linear score with sign-constrained weights and multiplicative penalties.

    ``score = clip((intercept + Σ weight·(x − mean)/scale) · Π (1 − penalty·p) · gate, 0, 10)``
    where the sum runs over ``features``, the product over ``penalties`` (features valued
    in [0, 1], each penalty coefficient in [0, 1]) and ``gate`` is :func:`relevance_gate`
    (off-topic answers and restatements of the question score 0).
    """

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    penalties: dict[str, float]
    gate: tuple[float, float] = RELEVANCE_GATE
    novelty_full: float = NOVELTY_FULL
    info: dict[str, Any] = field(default_factory=dict)

    def predict(self, features: Mapping[str, float]) -> float:
        """Score (0–10, unrounded) for one feature dictionary."""
        total = self.intercept
        for name, mean, scale, weight in zip(
            self.features, self.mean, self.scale, self.weights, strict=True
        ):
            total += weight * (float(features[name]) - mean) / scale
        for name, coefficient in self.penalties.items():
            total *= 1.0 - coefficient * float(features[name])
        total *= relevance_gate(features, self.gate, self.novelty_full)
        return min(10.0, max(0.0, total))

    def to_dict(self) -> dict[str, Any]:
        """JSON form, read back by :meth:`from_dict`."""
        return {
            "format": MODEL_FORMAT,
            "formula": "clip((intercept + sum(w*(x-mean)/scale)) * prod(1 - c*p) * gate, 0, 10)",
            "intercept": self.intercept,
            "features": [
                {"name": n, "mean": m, "scale": s, "weight": w}
                for n, m, s, w in zip(
                    self.features, self.mean, self.scale, self.weights, strict=True
                )
            ],
            "penalties": dict(self.penalties),
            "relevance_gate": list(self.gate),
            "novelty_full": self.novelty_full,
            "info": self.info,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ReferenceModel:
        """Validate and build a model from its JSON form."""
        if data.get("format") != MODEL_FORMAT:
            raise ValueError(f"not a reference model: format must be {MODEL_FORMAT!r}")
        try:
            return cls._from_valid_format(data)
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"reference model field missing or malformed: {exc!r}") from exc

    @classmethod
    def _from_valid_format(cls, data: Mapping[str, Any]) -> ReferenceModel:
        rows = data["features"]
        names = tuple(str(r["name"]) for r in rows)
        unknown = [n for n in (*names, *data["penalties"]) if n not in FEATURES]
        if unknown:
            raise ValueError(f"reference model uses unknown features: {unknown}")
        if any(float(r["scale"]) <= 0 for r in rows):
            raise ValueError("reference model feature scales must be positive")
        return cls(
            features=names,
            mean=tuple(float(r["mean"]) for r in rows),
            scale=tuple(float(r["scale"]) for r in rows),
            weights=tuple(float(r["weight"]) for r in rows),
            intercept=float(data["intercept"]),
            penalties={str(k): float(v) for k, v in data["penalties"].items()},
            gate=(float(data["relevance_gate"][0]), float(data["relevance_gate"][1])),
            novelty_full=float(data["novelty_full"]),
            info=dict(data.get("info", {})),
        )


def relevance_gate(
    features: Mapping[str, float],
    gate: tuple[float, float] = RELEVANCE_GATE,
    novelty_full: float = NOVELTY_FULL,
) -> float:
    """0 for an answer about something else or that only restates the question, else up to 1.

    Relevance is the strongest of: the answer's embedding similarity to the reference or to
    the question, its recall of the reference's specific terms, and of its formulas (a bare
    ``2^(n-1)`` is on the subject even though it embeds far from any prose); the gate opens
    linearly between ``gate[0]`` and ``gate[1]``. Novelty is the number of the answer's
    bigrams that the question does not contain, over ``novelty_full``.
    """
    low, high = gate
    novelty = min(1.0, features["novel_bigrams"] / novelty_full)
    relevance = max(
        features["emb_answer"],
        features["emb_question"],
        features["keyword_recall"],
        features["formula_recall"],
    )
    return novelty * min(1.0, max(0.0, (relevance - low) / (high - low)))


_MODEL_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def _shipped_model() -> ReferenceModel:
    path = resources.files("hireflow.scoring.reference_model").joinpath("linear.json")
    return ReferenceModel.from_dict(json.loads(path.read_text(encoding="utf-8")))


def load_reference_model(path: str | Path | None = None) -> ReferenceModel:
    """The shipped model, or one saved with ``json.dump(model.to_dict(), ...)``."""
    if path is None:
        with _MODEL_LOCK:
            return _shipped_model()
    return ReferenceModel.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))


def _initial_choice(candidates: Sequence[Mapping[str, float]]) -> Mapping[str, float]:
    return max(candidates, key=lambda f: f["emb_answer"] + f["bigram_recall"])


def fit_reference_model(
    samples: Sequence[Sequence[Mapping[str, float]]],
    grades: Sequence[float],
    *,
    terms: Mapping[str, int] | None = None,
    penalties: Sequence[str] = MODEL_PENALTIES,
    ridge: float = 0.5,
    rounds: int = 2,
    info: Mapping[str, Any] | None = None,
) -> ReferenceModel:
    """Fit a :class:`ReferenceModel` to human grades (0–10) by bounded least squares.

    ``samples[i]`` holds the feature dictionaries of answer *i* against each of its
    references (as returned by :func:`reference_features`); empty answers are skipped (they
    score 0 by rule). Weights are held to the sign given in ``terms`` so that more coverage
    never lowers a score, with a small ridge penalty on standardised weights. The reference
    each answer is judged against is first the closest one, then the one the previous round's
    model scores highest, as at prediction time.
    """
    from scipy.optimize import least_squares

    terms = dict(MODEL_TERMS if terms is None else terms)
    names = tuple(terms)
    pen = tuple(penalties)
    pairs = [(s, float(g)) for s, g in zip(samples, grades, strict=True) if s]
    if len(pairs) < len(names) + len(pen) + 2:
        raise ValueError("too few graded non-empty answers to fit a reference model")
    y = np.array([g for _, g in pairs])
    chosen = [_initial_choice(s) for s, _ in pairs]
    model: ReferenceModel | None = None
    for _ in range(max(1, rounds)):
        x = np.array([[f[n] for n in names] for f in chosen], dtype=np.float64)
        p = np.array([[f[n] for n in pen] for f in chosen], dtype=np.float64).reshape(len(y), -1)
        mean = x.mean(axis=0)
        scale = x.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = (x - mean) / scale
        sign = np.array([terms[n] for n in names], dtype=np.float64)
        gates = np.array([relevance_gate(f) for f in chosen])

        def residuals(
            theta: np.ndarray,
            z: np.ndarray = z,
            p: np.ndarray = p,
            sign: np.ndarray = sign,
            gates: np.ndarray = gates,
        ) -> np.ndarray:
            base = theta[0] + z @ (sign * theta[1 : 1 + len(sign)])
            fit = base * np.prod(1.0 - theta[1 + len(sign) :] * p, axis=1) * gates - y
            return np.concatenate([fit, ridge * theta[1 : 1 + len(sign)]])

        k = len(names)
        theta0 = np.concatenate([[y.mean()], np.full(k, 0.1), np.full(len(pen), 0.3)])
        lower = np.concatenate([[-np.inf], np.zeros(k), np.zeros(len(pen))])
        upper = np.concatenate([[np.inf], np.full(k, np.inf), np.ones(len(pen))])
        theta = least_squares(residuals, theta0, bounds=(lower, upper), method="trf").x
        model = ReferenceModel(
            features=names,
            mean=tuple(round(float(v), 6) for v in mean),
            scale=tuple(round(float(v), 6) for v in scale),
            weights=tuple(round(float(v), 6) for v in sign * theta[1 : 1 + k]),
            intercept=round(float(theta[0]), 6),
            penalties={n: round(float(c), 6) for n, c in zip(pen, theta[1 + k :], strict=True)},
            info=dict(info or {}),
        )
        chosen = [max(s, key=model.predict) for s, _ in pairs]
    assert model is not None
    return model


# ----------------------------------------------------------------------------- preparation


@dataclass(frozen=True)
class _Reference:
    """A reference answer broken into what the features compare against."""

    text: str
    key_points: tuple[str, ...]
    key_point_grams: tuple[frozenset[str], ...]
    key_point_negated: tuple[bool, ...]
    grams: frozenset[str]
    novel_grams: frozenset[str]
    keywords: dict[str, float]
    formulas: frozenset[str]
    verdict: int
    units: int


@dataclass(frozen=True)
class _Answer:
    text: str
    sentences: tuple[str, ...]
    sentence_units: tuple[int, ...]
    sentence_grams: tuple[frozenset[str], ...]
    grams: frozenset[str]
    compact: str
    words: frozenset[str]
    formulas: frozenset[str]
    verdict: int
    units: int
    ignored: tuple[str, ...]
    truncated: bool


def _check_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    return value


def _check_references(references: object) -> list[str]:
    if isinstance(references, str | bytes) or not isinstance(references, Sequence):
        raise TypeError("references must be a list of str (one reference answer each)")
    refs = [_check_text(f"references[{i}]", r) for i, r in enumerate(references)]
    refs = [r for r in refs if r.strip()]
    if not refs:
        raise ValueError(
            "references must contain at least one non-empty reference answer: "
            "a technical answer cannot be scored without one"
        )
    return refs[:MAX_REFERENCES]


@functools.lru_cache(maxsize=1024)
def _prepare_reference(text: str, question: str, language: str) -> _Reference:
    text = normalise_text(text)[:MAX_REFERENCE_CHARS]
    question_grams = _bigrams(question)
    points = [p for p in _split_items(text) if len(_units(p)) >= 2][:MAX_KEY_POINTS] or [text]
    grams = _bigrams(text)
    keywords = _keywords(text, language)
    question_keywords = _keywords(question, language)
    novel = {k: w for k, w in keywords.items() if k not in question_keywords} or keywords
    # The most specific terms, ties broken by first appearance (dicts keep insertion order).
    top = sorted(novel.items(), key=lambda kv: -kv[1])[:TOP_KEYWORDS]
    first_clause = re.split(r"[。，,.；;:：!！?？\n]", text, maxsplit=1)[0]
    return _Reference(
        text=text,
        key_points=tuple(points),
        key_point_grams=tuple((_bigrams(p) - question_grams) or _bigrams(p) for p in points),
        key_point_negated=tuple(_negated(p) for p in points),
        grams=grams,
        novel_grams=(grams - question_grams) or grams,
        keywords=dict(top),
        formulas=_formulas(text) - _formulas(question),
        verdict=_verdict(first_clause),
        units=len(_units(text)),
    )


def _prepare_answer(answer: str) -> _Answer:
    text = normalise_text(answer)
    truncated = len(text) > MAX_ANSWER_CHARS
    if truncated:
        # Cut at the last sentence end inside the limit so no half sentence is scored.
        head = text[:MAX_ANSWER_CHARS]
        ends = [head.rfind(c) for c in "。！？!?\n."]
        cut = max(ends)
        text = head[: cut + 1] if cut > MAX_ANSWER_CHARS // 2 else head
    kept: list[str] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for sentence in _split_items(text):
        if _INJECTION.search(sentence):
            ignored.append(sentence)
            continue
        key = "".join(_UNIT.findall(sentence.lower()))
        if key in seen:
            continue  # said again: counts once
        seen.add(key)
        kept.append(sentence)
    if len(kept) > MAX_ANSWER_SENTENCES:
        kept = kept[:MAX_ANSWER_SENTENCES]
        truncated = True
    clean = "\n".join(kept)
    lowered = clean.lower()
    return _Answer(
        text=clean,
        sentences=tuple(kept),
        sentence_units=tuple(len(_units(s)) for s in kept),
        sentence_grams=tuple(_bigrams(s) for s in kept),
        grams=_bigrams(clean),
        compact=re.sub(r"\s+", "", lowered),
        words=frozenset(_stem(w) for w in re.findall(r"[a-z][a-z0-9_+#]*", lowered)),
        formulas=_formulas(clean),
        verdict=_verdict(clean),
        units=len(_units(clean)),
        ignored=tuple(ignored),
        truncated=truncated,
    )


# ----------------------------------------------------------------------------- features


def _share(found: frozenset[str], wanted: frozenset[str]) -> float:
    return len(found & wanted) / len(wanted) if wanted else 0.0


def _features_for(
    ref: _Reference,
    ans: _Answer,
    question_grams: frozenset[str],
    emb_answer: float,
    emb_question: float,
    kp_sims: np.ndarray,
    language: str,
) -> tuple[dict[str, float], list[KeyPoint]]:
    """Feature values of one answer against one reference, and its key-point coverage."""
    points: list[KeyPoint] = []
    for k, point in enumerate(ref.key_points):
        sims = kp_sims[k]
        best = int(np.argmax(sims))
        similarity = float(sims[best])
        lexical = _share(ans.grams, ref.key_point_grams[k])
        close = similarity >= COVER_SIMILARITY - 0.1 or lexical >= COVER_LEXICAL - 0.1
        contradicted = close and _negated(ans.sentences[best]) != ref.key_point_negated[k]
        covered = (similarity >= COVER_SIMILARITY or lexical >= COVER_LEXICAL) and not contradicted
        evidence: tuple[str, ...] = ()
        if covered:
            order = np.argsort(-sims, kind="stable")[:2]
            evidence = tuple(
                ans.sentences[int(i)] for i in order if sims[int(i)] >= COVER_SIMILARITY
            ) or (ans.sentences[best],)
        points.append(
            KeyPoint(
                text=point,
                similarity=round(similarity, 4),
                lexical=round(lexical, 4),
                covered=covered,
                contradicted=contradicted,
                evidence=evidence,
            )
        )

    if language == "en":
        found = sum(w for k, w in ref.keywords.items() if k in ans.words or k in ans.compact)
    else:
        found = sum(w for k, w in ref.keywords.items() if k in ans.compact)
    total = sum(ref.keywords.values())
    if ref.formulas:
        hits = sum(1 for f in ref.formulas if f in ans.formulas or f in ans.compact)
        formula_recall = hits / len(ref.formulas)
        formula_missing = 1.0 - formula_recall
    else:
        formula_recall = formula_missing = 0.0
    # Length that counts: each sentence's units weighted by its closeness to the nearest key
    # point and by the share of it that does not restate the question, capped at three
    # references' worth.
    support = np.clip(kp_sims.max(axis=0), 0.0, 1.0)
    novelty = np.array([1.0 - _share(question_grams, g) for g in ans.sentence_grams])
    units = np.array(ans.sentence_units, dtype=np.float64) * novelty
    supported = min(float(units @ support), 3.0 * ref.units)
    if language == "en":
        supported *= EN_UNIT_WEIGHT
    features = {
        "emb_answer": emb_answer,
        "emb_question": emb_question,
        "kp_similarity": float(np.mean([p.similarity for p in points])),
        "kp_coverage": float(np.mean([p.covered for p in points])),
        "keyword_recall": found / total if total else 0.0,
        "bigram_recall": _share(ans.grams, ref.grams),
        "bigram_precision": _share(ref.grams, ans.grams),
        "novel_recall": _share(ans.grams, ref.novel_grams),
        "verdict_agree": float(ref.verdict != 0 and ans.verdict == ref.verdict),
        "verdict_conflict": float(ref.verdict != 0 and ans.verdict == -ref.verdict),
        "formula_recall": formula_recall,
        "formula_missing": formula_missing,
        "negation_conflict": float(np.mean([p.contradicted for p in points])),
        "supported_length": math.log1p(supported),
        "question_copy": _share(question_grams, ans.grams),
        "novel_bigrams": float(len(ans.grams - question_grams)),
    }
    return {k: round(float(v), 6) for k, v in features.items()}, points


@dataclass(frozen=True)
class _Compared:
    language: str
    answer: _Answer
    references: list[_Reference]
    features: list[dict[str, float]]
    key_points: list[list[KeyPoint]]


def _compare(
    question: object, answer: object, references: object, language: str | None
) -> _Compared:
    question_text = normalise_text(_check_text("question", question))[:MAX_QUESTION_CHARS]
    ans = _prepare_answer(_check_text("answer", answer))
    refs_text = _check_references(references)
    if language is None:
        language = detect_language(ans.text or refs_text[0])
    elif language not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    refs = [_prepare_reference(r, question_text, language) for r in refs_text]
    if ans.units == 0:
        return _Compared(language, ans, refs, [], [])

    # One batched embedding call per answer; the question and references hit the cache.
    texts = [ans.text, question_text, *ans.sentences]
    offsets = []
    for ref in refs:
        offsets.append(len(texts))
        texts.append(ref.text)
        texts.extend(ref.key_points)
    vectors = get_embedder().embed(texts)
    n = len(ans.sentences)
    answer_vec, question_vec, sentence_vecs = vectors[0:1], vectors[1:2], vectors[2 : 2 + n]
    emb_question = float(cosine_matrix(answer_vec, question_vec)[0, 0]) if question_text else 0.0
    question_grams = _bigrams(question_text)

    features: list[dict[str, float]] = []
    key_points: list[list[KeyPoint]] = []
    for ref, start in zip(refs, offsets, strict=True):
        ref_vec = vectors[start : start + 1]
        kp_vecs = vectors[start + 1 : start + 1 + len(ref.key_points)]
        feats, points = _features_for(
            ref,
            ans,
            question_grams,
            float(cosine_matrix(answer_vec, ref_vec)[0, 0]),
            emb_question,
            cosine_matrix(kp_vecs, sentence_vecs),
            language,
        )
        features.append(feats)
        key_points.append(points)
    return _Compared(language, ans, refs, features, key_points)


# ----------------------------------------------------------------------------- public API


def reference_features(
    question: str, answer: str, references: Sequence[str], language: str | None = None
) -> list[dict[str, float]]:
    """Feature values against each non-empty reference (an empty list for an empty answer).

    For calibration and benchmarks; scoring goes through :func:`analyse_reference_answer`.
    """
    return _compare(question, answer, references, language).features


def analyse_reference_answer(
    question: str,
    answer: str,
    references: Sequence[str],
    *,
    language: str | None = None,
    model: ReferenceModel | None = None,
) -> ReferenceAnalysis:
    """Score an answer (0–10) against reference answers and explain the score.

    The answer is judged against each reference and the best-scoring one is kept; the
    analysis lists that reference's key points as covered or missing, quoting the answer
    sentences that cover them. ``language`` ("zh"/"en") is detected when not given.

    Raises ``TypeError`` for non-string input and ``ValueError`` when no reference answer is
    given (an empty answer is fine: it scores 0).
    """
    compared = _compare(question, answer, references, language)
    ans = compared.answer
    if not compared.features:
        ref = compared.references[0]
        empty = tuple(
            KeyPoint(p, 0.0, 0.0, covered=False, contradicted=False, evidence=())
            for p in ref.key_points
        )
        return ReferenceAnalysis(
            score=0.0,
            language=compared.language,
            reference_index=0,
            features={},
            key_points=empty,
            verdict_expected=ref.verdict,
            verdict_given=0,
            ignored_sentences=ans.ignored,
            truncated=ans.truncated,
            reference_scores=tuple(0.0 for _ in compared.references),
        )
    model = model or load_reference_model()
    scores = [round(model.predict(f), SCORE_DECIMALS) for f in compared.features]
    best = int(np.argmax(scores))
    return ReferenceAnalysis(
        score=scores[best],
        language=compared.language,
        reference_index=best,
        features=compared.features[best],
        key_points=tuple(compared.key_points[best]),
        verdict_expected=compared.references[best].verdict,
        verdict_given=ans.verdict,
        ignored_sentences=ans.ignored,
        truncated=ans.truncated,
        reference_scores=tuple(scores),
    )


def score_reference_answer(question: str, answer: str, references: list[str]) -> float:
    """Score (0–10, 4 decimals) of a technical answer against its reference answers.

    Language is detected from the text; the same input gives the same float in any process.
    See :func:`analyse_reference_answer` for the explanation behind the number.
    """
    return analyse_reference_answer(question, answer, references).score
