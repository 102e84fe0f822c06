"""What one answer shows about each dimension its question assesses (SPEC F2).

For every behavioural indicator, the candidate's own story sentence closest to it (quoted from
:data:`EVIDENCE_QUOTE`); the similarity of the story to each rating anchor and the soft nearest
level; and, for engine 1.1, the relevance gate: whether the answer addresses *this* question
and competency, contrasted with the product's competency catalogue (:mod:`learned`).
Used by :mod:`hireflow.scoring.analysis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from hireflow.scoring import learned
from hireflow.scoring.embedding import cosine_matrix
from hireflow.scoring.models import Dimension, localised
from hireflow.scoring.report import rounded
from hireflow.scoring.text import content_words

if TYPE_CHECKING:
    from hireflow.scoring.analysis import SentenceAnalysis

# On the embedded model's cosine scale (multilingual USE v3), chosen on the dev split of the
# evaluation set (docs/scoring.md).
EVIDENCE_QUOTE = 0.30  # an indicator's nearest sentence is quoted as evidence from here
EVIDENCE_LOW, EVIDENCE_HIGH = 0.15, 0.50  # evidence strength ramps from 0 to 1 between these
# Engine 1.0's relevance gate has two keys (docs/scoring.md, "A relevance gate for engine
# 1.0"): the catalogue gate of engine 1.1 (the probability that the story is about the asked
# competency rather than another one) and how close the story comes to the question itself
# (the mean cosine of the two own sentences closest to the question's text). Either key alone
# keeps the level: the part above level 1.5 counts by the larger of the two ramps below.
# An answer is flagged as not addressing the question when both keys are below the middle of
# their ramps (it then keeps less than half of that part). Chosen on the dev splits of both
# graded sets: the catalogue key alone capped strong Chinese stories of the older set
# (a database outage told for stress tolerance reads as problem solving), which come close
# to their question's words; the question key alone lets stories sharing the question's
# vocabulary pass.
TWO_KEY_LOW, TWO_KEY_HIGH = 0.35, 0.55
QUESTION_MATCH_LOW, QUESTION_MATCH_HIGH = 0.10, 0.145
GATE_LEARNED, GATE_TWO_KEY = "learned", "two_key"


@dataclass(frozen=True)
class IndicatorEvidence:
    """The sentence closest to one behavioural indicator, and how close it is."""

    dimension_id: str
    indicator_id: str
    sentence_index: int
    quote: str
    similarity: float
    strength: float
    quoted: bool


@dataclass(frozen=True)
class DimensionEvidence:
    """What one answer shows about one dimension it is meant to assess."""

    dimension_id: str
    relevance: float
    coverage: float
    indicators: tuple[IndicatorEvidence, ...]
    anchor_similarity: dict[int, float]
    anchor_level: float
    # The relevance gate (learned.py): its features, the probability that the answer
    # addresses the question and the share of the level above the cap it keeps
    # (``gate_weight``); whether it is flagged as not addressing the question, and the
    # other competency the answer is closest to.
    gate: dict[str, float] = field(default_factory=dict)
    addresses: bool = True
    nearest_other: str | None = None
    # Which gate: GATE_LEARNED (engine 1.1, with its level model), GATE_TWO_KEY (engine 1.0).
    gate_kind: str = ""


def _ramp(value: float, low: float, high: float) -> float:
    if high <= low:
        return float(value >= high)
    return float(min(1.0, max(0.0, (value - low) / (high - low))))


def _dimension_texts(dimension: Dimension, language: str) -> list[str]:
    return [localised(dimension.description, language) or localised(dimension.name, language)]


def _dimension_evidence(
    dims: Sequence[Dimension],
    sentences: Sequence[SentenceAnalysis],
    sent_vecs: np.ndarray,
    indicator_vecs: np.ndarray,
    vecs: Any,
    lang: str,
) -> tuple[DimensionEvidence, ...]:
    """Nearest sentence per indicator and anchor similarities, per assessed dimension."""
    # Evidence of behaviour comes from the candidate's own story: on-topic sentences with a STAR
    # element or a first person. Generic claims ("communication is the key") are not behaviour.
    # Each sentence counts by its on-topic weight, so evidence fades with it rather than
    # vanishing at a threshold; a sentence is quoted only when it is shown as on topic.
    story = [
        not s.generic and bool(s.star or s.first_singular or s.first_plural) for s in sentences
    ]
    weight = np.array(
        [s.topicality if own else 0.0 for s, own in zip(sentences, story, strict=True)],
        dtype=np.float64,
    )
    topical = weight > 0.0
    quotable = np.array([s.on_topic for s in sentences], dtype=bool)
    ind_sims = (
        cosine_matrix(indicator_vecs, sent_vecs)
        if len(indicator_vecs)
        else np.zeros((0, len(sentences)))
    )
    # Off-topic sentences and background can never be evidence.
    ind_sims = np.where(topical[None, :], ind_sims, -1.0)
    out: list[DimensionEvidence] = []
    row = 0
    for dimension in dims:
        items: list[IndicatorEvidence] = []
        for indicator in dimension.indicators:
            sims = ind_sims[row]
            row += 1
            strengths = np.clip((sims - EVIDENCE_LOW) / (EVIDENCE_HIGH - EVIDENCE_LOW), 0, 1)
            strengths = strengths * weight
            # The strongest weighted evidence; among equals (none at all) the closest.
            best = int(np.lexsort((-sims, -strengths))[0]) if sims.size else 0
            similarity = float(sims[best]) if sims.size else 0.0
            if similarity < 0:
                items.append(IndicatorEvidence(dimension.id, indicator.id, -1, "", 0.0, 0.0, False))
                continue
            items.append(
                IndicatorEvidence(
                    dimension_id=dimension.id,
                    indicator_id=indicator.id,
                    sentence_index=best,
                    quote=sentences[best].text,
                    similarity=rounded(similarity),
                    strength=rounded(float(strengths[best])),
                    quoted=similarity >= EVIDENCE_QUOTE and bool(quotable[best]),
                )
            )
        coverage = sum(i.strength for i in items) / len(items) if items else 0.0
        anchor_texts = [
            localised(a.text, lang) for a in sorted(dimension.anchors, key=lambda a: a.level)
        ]
        levels = [a.level for a in sorted(dimension.anchors, key=lambda a: a.level)]
        dim_vec = vecs(_dimension_texts(dimension, lang))
        if topical.any():
            # The story's meaning, each sentence by its on-topic weight.
            mean_vec = (weight[topical, None] * sent_vecs[topical]).sum(axis=0, keepdims=True)
            mean_vec = mean_vec / max(float(np.linalg.norm(mean_vec)), 1e-9)
            anchor_sims = cosine_matrix(mean_vec, vecs(anchor_texts))[0]
            dim_relevance = float(cosine_matrix(mean_vec, dim_vec)[0, 0])
        else:
            anchor_sims = np.zeros(len(anchor_texts))
            dim_relevance = 0.0
        out.append(
            DimensionEvidence(
                dimension_id=dimension.id,
                relevance=rounded(dim_relevance),
                coverage=rounded(coverage),
                indicators=tuple(items),
                anchor_similarity={
                    lvl: rounded(s) for lvl, s in zip(levels, anchor_sims, strict=True)
                },
                anchor_level=rounded(_anchor_level(levels, anchor_sims)),
            )
        )
    return tuple(out)


def _with_gate(
    evidence: DimensionEvidence,
    dimension: Dimension,
    sentences: Sequence[SentenceAnalysis],
    sent_vecs: np.ndarray,
    question_vec: np.ndarray,
    vecs: Any,
    lang: str,
    two_key: bool = False,
) -> DimensionEvidence:
    """Add the relevance gate: does the answer address *this* question and competency?

    Each feature is a contrast against the catalogue (other competencies' rubrics and bank
    questions), because one encoder's absolute similarities say little: a complaint story is
    "somewhat close" to any interview question, but closer to customer questions than to one
    about integrity. Features: the answer's mean log-probability of the asked competency
    minus the best other one (a classifier over the catalogue's rubric and question texts),
    the best single sentence's probability of it, the share of other competencies' questions
    closer to the answer than the asked question, and shared content words.

    ``two_key`` (engine 1.0): the gate's weight is the larger of the catalogue key's ramp and
    the question key's (:func:`question_match`), see :data:`TWO_KEY_LOW`.
    """
    own = np.array([s.own_experience for s in sentences], dtype=bool)
    cat = learned.catalogue()
    profiles = cat["profiles"]
    desc_vec = vecs(_dimension_texts(dimension, lang))
    sims = {
        cid: float(cosine_matrix(desc_vec, vecs(prof[lang][:1]))[0, 0])
        for cid, prof in profiles.items()
    }
    names = [dimension.id, *dimension.name.values()]
    same = learned.preset_for(dimension.id, names, sims)
    kind = GATE_TWO_KEY if two_key else GATE_LEARNED
    if not own.any():
        gate = dict.fromkeys(learned.GATE_FEATURES, 0.0)
        gate.update(gate_rank=1.0, gate_probability=0.0, gate_weight=0.0)
        if two_key:
            gate["gate_question_match"] = 0.0
        return replace(evidence, gate=gate, addresses=False, nearest_other=None, gate_kind=kind)
    story = learned.centred_story(sent_vecs[own])
    classes, logp = learned.competency_log_proba(story)
    k = classes.index(same)
    mean_logp = logp.mean(axis=0)
    other_idx = [i for i in range(len(classes)) if i != k]
    best_other = max(other_idx, key=lambda i: (mean_logp[i], -i))
    bank = [(c, t) for c, t in cat["questions"][lang] if c != same]
    bank_vecs = learned.centred_question(vecs([t for _, t in bank]), lang)
    asked_vec = learned.centred_question(question_vec, lang)
    mean_vec = learned.centred_story(story.mean(axis=0, keepdims=True))
    asked = float(cosine_matrix(mean_vec, asked_vec)[0, 0])
    rank = float(np.mean(cosine_matrix(mean_vec, bank_vecs)[0] > asked)) if bank else 0.0
    answer_words = {
        w.lower()
        for s in sentences
        if s.own_experience
        for w in content_words(s.text)
        if len(w) >= 2
    }
    own_words = set(learned.preset_words(same, lang)) | {
        w.lower() for w in content_words(localised(dimension.description, lang) or "")
    }
    own_words |= {
        w.lower() for i in dimension.indicators for w in content_words(localised(i.text, lang))
    }
    other_overlap = max(
        (len(answer_words & learned.preset_words(c, lang)) for c in profiles if c != same),
        default=0,
    )
    shared = len(answer_words & own_words)
    gate = {
        "gate_competency": rounded(float(mean_logp[k] - mean_logp[best_other])),
        "gate_best_sentence": rounded(float(np.exp(logp[:, k]).max())),
        "gate_rank": rounded(rank),
        "gate_words": float(shared - other_overlap),
        "gate_word_share": rounded(shared / (1.0 + len(answer_words))),
    }
    probability = learned.gate_probability(gate)
    gate["gate_probability"] = rounded(probability)
    # How much of the level above the cap the answer keeps (a ramp, so no cliff at 0.5).
    weight = learned.gate_weight(probability)
    addresses = probability >= learned.GATE_THRESHOLD
    if two_key:
        match = question_match(sentences, sent_vecs, question_vec)
        gate["gate_question_match"] = rounded(match)
        weight = two_key_weight(probability, match)
        addresses = weight >= 0.5
    gate["gate_weight"] = rounded(weight)
    return replace(
        evidence,
        gate=gate,
        addresses=addresses,
        nearest_other=classes[best_other],
        gate_kind=kind,
    )


def question_match(
    sentences: Sequence[SentenceAnalysis], sent_vecs: np.ndarray, question_vec: np.ndarray
) -> float:
    """How close the candidate's own story comes to the question's text: the mean cosine of
    the two own sentences closest to it (the one, for a one-sentence story; 0 without any).
    A story about the situation the question asks for has a sentence or two that restate
    it in the candidate's words ("two hours before the sale opened" for heavy pressure)."""
    own = [i for i, s in enumerate(sentences) if s.own_experience]
    if not own or not len(question_vec):
        return 0.0
    sims = np.sort(cosine_matrix(sent_vecs[own], question_vec)[:, 0])[::-1][:2]
    return float(np.mean(sims))


def two_key_weight(probability: float, match: float) -> float:
    """Engine 1.0's share (0..1) of the level above :data:`learned.GATE_CAP_LEVEL` an answer
    keeps: the larger of the catalogue key's ramp and the question key's ramp (monotone in
    both, no step)."""
    return max(
        _ramp(probability, TWO_KEY_LOW, TWO_KEY_HIGH),
        _ramp(match, QUESTION_MATCH_LOW, QUESTION_MATCH_HIGH),
    )


ANCHOR_TEMPERATURE = 0.02


def _anchor_level(levels: Sequence[int], sims: np.ndarray) -> float:
    """Soft nearest anchor: levels weighted by softmax(similarity / T); 1.0 if nothing."""
    if not len(levels) or not np.any(sims):
        return 1.0
    z = (np.asarray(sims, dtype=np.float64) - float(np.max(sims))) / ANCHOR_TEMPERATURE
    weights = np.exp(z)
    weights /= weights.sum()
    return float(np.dot(weights, np.asarray(levels, dtype=np.float64)))
