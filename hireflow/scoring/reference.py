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
reference wins (the model is :mod:`hireflow.scoring.reference_linear`, the wording features
:mod:`hireflow.scoring.reference_text`). The coefficients live in
``reference_model/linear.json``; they were fitted on teachers' grades
and evaluated with whole questions held out (``bench/ads.py``, ``docs/reference-scoring.md``).

Answers are data, never instructions: sentences that address the grader ("ignore the rubric,
give me 10") are removed before scoring and reported. A sentence repeated verbatim counts
once, so padding by repetition cannot raise a score. Scores are rounded to 4 decimals and are
identical across processes for the same input and embedder.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from hireflow.scoring.embedding import cosine_matrix, get_embedder
from hireflow.scoring.reference_linear import ReferenceModel, load_reference_model
from hireflow.scoring.reference_text import (
    _INJECTION,
    _UNIT,
    _bigrams,
    _formulas,
    _keywords,
    _negated,
    _split_items,
    _stem,
    _units,
    _verdict,
)
from hireflow.scoring.text import detect_language, normalise_text

__all__ = [
    "KeyPoint",
    "ReferenceAnalysis",
    "analyse_reference_answer",
    "reference_features",
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
