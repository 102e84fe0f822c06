"""The answer-level features every score is computed from, and voice observations (SPEC E3,
F2): which sentences are on topic, STAR completeness, specificity, ownership (I vs we),
logic and clarity, substance. Voice features, when given, become observations (they never
enter a score). Used by :mod:`hireflow.scoring.analysis`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from hireflow.scoring.embedding import cosine_matrix
from hireflow.scoring.lexicon import _NUMBER, _TIME, _words
from hireflow.scoring.report import rounded
from hireflow.scoring.text import content_words, count_han

if TYPE_CHECKING:
    from hireflow.scoring.analysis import SentenceAnalysis

__all__ = [
    "GENERIC_WORDS",
    "STAR",
    "Observation",
    "answer_features",
    "empty_features",
    "link_words",
    "topic_ramp",
    "topic_weights",
    "voice_observations",
]

# Ramps on the embedded model's cosine scale (multilingual USE v3: related sentences sit
# around 0.3-0.6, unrelated ones around 0-0.15). A sentence's on-topic weight rises linearly
# from 0 to 1 across each ramp; the midpoints are the former hard thresholds (0.12 and 0.25,
# chosen on the dev split of the evaluation set), the widths were chosen on the graded set's
# dev split (docs/scoring.md, "On-topic weight"). A hard threshold moved whole answers by up
# to 7 points when a sentence's closeness crossed it by 0.01; across a ramp 0.01 moves a
# sentence's weight by at most 0.01 / width.
TOPIC_LOW, TOPIC_HIGH = 0.06, 0.18  # closeness to the question or competency ...
LINK_LOW, LINK_HIGH = 0.20, 0.30  # ... or to such a sentence (the rest of the story)
ON_TOPIC = 0.5  # weight from which a sentence is shown as on topic and may be quoted

STAR = ("situation", "task", "action", "result")


@dataclass(frozen=True)
class Observation:
    """A voice or delivery observation shown to HR; never part of a score."""

    name: str
    value: float
    note: dict[str, str]


def empty_features() -> dict[str, float]:
    return {
        "relevance": 0.0,
        "on_topic_share": 0.0,
        "substance": 0.0,
        "content_words": 0.0,
        "star_situation": 0.0,
        "star_task": 0.0,
        "star_action": 0.0,
        "star_result": 0.0,
        "star": 0.0,
        "specificity": 0.0,
        "ownership": 0.5,
        "first_singular": 0.0,
        "first_plural": 0.0,
        "own_actions": 0.0,
        "action_depth": 0.0,
        "result_quality": 0.0,
        "generic_share": 0.0,
        "negative": 0.0,
        "logic": 0.0,
        "clarity": 0.0,
        "hypothetical_share": 0.0,
        "sentences": 0.0,
        "topical_sentences": 0.0,
        "fillers": 0.0,
    }


_NUMERAL = re.compile(r"[\d零一二两三四五六七八九十百千万亿几半]")
# Words too common in any work story to tie a sentence to the rest of an answer.
GENERIC_WORDS = _words(
    "公司 工作 团队 同事 时候 事情 问题 大家 自己 一起 时间 每天 今年 去年 后来 之后 觉得 "
    "company work team colleague time thing problem people day year week month good way lot "
    "really make made get got first also every new old big small high low let close cut rose "
    "morning evening night today last next best great 分钟 小时 早上 晚上 上午 下午 每周 每月 "
    "时候 以后 之后 之前 今天 明天"
)


def link_words(sentence: str) -> set[str]:
    """Content words that tie sentences of one story together.

    Chinese words are taken as character bigrams, so 错发订单 and 错发率 share 错发 even though
    jieba cuts them differently.
    """
    out: set[str] = set()
    for word in content_words(sentence):
        if word in GENERIC_WORDS:
            continue
        if count_han(word) >= 2:
            out.update(
                gram
                for gram in (word[i : i + 2] for i in range(len(word) - 1))
                if not _NUMERAL.search(gram) and not _TIME.fullmatch(gram)
            )
        elif (
            not count_han(word)
            and len(word) >= 3
            and not _NUMBER.fullmatch(word)
            and not _TIME.fullmatch(word)
        ):
            out.add(word)
    return out - GENERIC_WORDS


def topic_ramp(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """0 below ``low``, 1 above ``high``, linear in between (monotone, no step)."""
    return np.clip((np.asarray(values, dtype=np.float64) - low) / (high - low), 0.0, 1.0)


def topic_weights(
    relevance: np.ndarray,
    sent_vecs: np.ndarray,
    sentences: Sequence[str],
    off_topic: np.ndarray,
) -> np.ndarray:
    """Each sentence's on-topic weight (0..1): close to the question/competency, or to the story.

    Story sentences ("billing questions dropped from 60 to 15 a week") are rarely close to an
    abstract question, but they are close in meaning to the answer's core sentences, or share
    their words ("错发订单" ... "错发率"); unrelated padding does neither. A sentence's core
    weight ramps with its closeness to the question or competency; a meaning link passes on a
    core sentence's weight times the link's own ramp, a shared word passes on the weight of any
    sentence (so a block of padding cannot vouch for itself unless it repeats the story's own
    words). Every step is a ramp, a product or a maximum, so the weights, and every feature
    they scale, move continuously and never down when a closeness goes up.
    """
    allowed = (~np.asarray(off_topic, dtype=bool)).astype(np.float64)
    core = topic_ramp(relevance, TOPIC_LOW, TOPIC_HIGH) * allowed
    if not core.any():
        return core  # nothing near the question or the competency: an off-topic answer
    links = topic_ramp(cosine_matrix(sent_vecs, sent_vecs), LINK_LOW, LINK_HIGH)
    weight = np.maximum(core, (links * core[None, :]).max(axis=1) * allowed)
    # Shared words: a sentence takes the largest weight of the sentences it shares a word
    # with, until nothing changes (the largest weight of each word-linked group).
    words = [link_words(s) for s in sentences]
    changed = True
    while changed:
        changed = False
        for i, own in enumerate(words):
            if not own or not allowed[i]:
                continue
            best = max((weight[j] for j, other in enumerate(words) if own & other), default=0.0)
            if best > weight[i]:
                weight[i] = best
                changed = True
    return weight


def answer_features(
    sentences: Sequence[SentenceAnalysis],
    sent_vecs: np.ndarray,
    question_vec: np.ndarray,
    lang: str,
) -> dict[str, float]:
    """Answer-level features. Content features count each sentence by its on-topic weight
    (``topicality``), so a sentence drifting off topic loses its credit gradually."""
    on_topic = [s for s in sentences if s.topicality > 0.0]
    n = len(sentences)
    # The answer's meaning: the mean of its sentence vectors. Padding with unrelated text
    # moves the mean away from the question, so it lowers relevance rather than raising it.
    mean_vec = sent_vecs.mean(axis=0, keepdims=True)
    norm = float(np.linalg.norm(mean_vec))
    relevance = float(cosine_matrix(mean_vec / norm, question_vec)[0, 0]) if norm else 0.0

    # The candidate's own story: on-topic sentences with a STAR element or a first person.
    storied = [s for s in on_topic if s.star or s.first_singular or s.first_plural]
    words = sum(s.topicality * len(content_words(s.text)) for s in storied)
    star = {e: max((s.topicality * s.star_scores[e] for s in on_topic), default=0.0) for e in STAR}
    # Specificity: the three most specific on-topic sentences; a single number does not make a
    # specific answer, and extra unrelated numbers cannot raise it.
    # Only details of the candidate's own story count. "Stock markets rose 2% on Monday" in
    # the middle of an answer is not a detail of it.
    top = sorted((s.topicality * s.specificity for s in storied), reverse=True)[:3]
    negatives = sum(len(s.negative) for s in sentences)
    story_weight = sum(s.topicality for s in storied)
    other_weight = sum(s.topicality for s in on_topic) - story_weight
    markers: dict[str, float] = {}
    for s in on_topic:
        for marker in {m.lower() for m in s.markers}:
            markers[marker] = max(markers.get(marker, 0.0), s.topicality)
    return {
        "relevance": relevance,
        # Sentences of the candidate's own story count fully, other on-topic sentences half:
        # text that is merely "about the topic" cannot make up for what is off it.
        # With no sentence of their own story on topic there is nothing to score.
        "on_topic_share": (story_weight + 0.5 * other_weight) / n if storied else 0.0,
        # About 40 content words (a few sentences of substance) make a full answer.
        "substance": min(1.0, words / 40.0),
        "content_words": float(words),
        "star_situation": star["situation"],
        "star_task": star["task"],
        "star_action": star["action"],
        "star_result": star["result"],
        # Actions and results carry the most weight in STAR.
        "star": (
            0.15 * star["situation"]
            + 0.15 * star["task"]
            + 0.35 * star["action"]
            + 0.35 * star["result"]
        ),
        "specificity": sum(top) / 3.0,
        **_ownership(on_topic),
        "result_quality": _result_quality(on_topic),
        "generic_share": _generic_share(on_topic),
        "negative": float(negatives),
        # Negative behaviour or refusing the question, read from meaning (the learned role)
        # and from the counter-indicator lexicon; 0..1.
        "negative_behaviour": max(
            [min(1.0, negatives / 2.0)] + [s.roles.get("negative", 0.0) for s in sentences]
        ),
        # A result with a figure (a number, a metric, a date) in the same sentence.
        "result_measured": max(
            (
                s.topicality * s.star_scores["result"] * min(1.0, s.specificity / 0.4)
                for s in on_topic
            ),
            default=0.0,
        ),
        "logic": min(1.0, sum(markers.values()) / 4.0),
        "clarity": _clarity(on_topic, lang),
        "hypothetical_share": _weighted_share(on_topic, [s.hypothetical for s in on_topic]),
        "sentences": float(n),
        "topical_sentences": float(sum(s.topicality for s in on_topic)),
    }


def _weighted_share(sentences: Sequence[SentenceAnalysis], flags: Sequence[bool]) -> float:
    """The on-topic weight of the flagged sentences over the weight of all of them."""
    total = sum(s.topicality for s in sentences)
    if total <= 0.0:
        return 0.0
    return sum(s.topicality for s, flag in zip(sentences, flags, strict=True) if flag) / total


def _ownership(on_topic: Sequence[SentenceAnalysis]) -> dict[str, float]:
    """Ownership (I vs we) and the candidate's own actions, each sentence by its weight."""
    # Ownership is read where things happen: in sentences that carry an action or a result.
    doing = [s for s in on_topic if "action" in s.star or "result" in s.star] or list(on_topic)
    own_singular = sum(s.topicality * s.first_singular for s in doing)
    own_plural = sum(s.topicality * s.first_plural for s in doing)
    # Own actions: action sentences in the first person singular; "we" actions count half,
    # actions with neither (Chinese often drops the subject) count as the candidate's.
    own_actions = 0.0
    for s in on_topic:
        if "action" not in s.star or s.generic:
            continue
        if s.first_singular or not s.first_plural:
            own_actions += s.topicality
        else:
            own_actions += 0.5 * s.topicality
    return {
        "ownership": (own_singular + 0.5) / (own_singular + own_plural + 1.0),
        "first_singular": float(sum(s.first_singular for s in on_topic if s.on_topic)),
        "first_plural": float(sum(s.first_plural for s in on_topic if s.on_topic)),
        "own_actions": own_actions,
        "action_depth": min(1.0, own_actions / 4.0),
    }


def _result_quality(on_topic: Sequence[SentenceAnalysis]) -> float:
    """The best result: it counts fully when it is specific (a number, a date, a name), else
    60%."""
    return max(
        (s.topicality * s.star_scores["result"] * (0.6 + 0.4 * s.specificity) for s in on_topic),
        default=0.0,
    )


def _generic_share(on_topic: Sequence[SentenceAnalysis]) -> float:
    """Generic claims against concrete statements (actions, results). Sentences that are
    neither do not dilute the share, so unrelated padding cannot hide the claims."""
    generic = sum(s.topicality for s in on_topic if s.generic)
    concrete = sum(
        s.topicality
        for s in on_topic
        if not s.generic and ("action" in s.star or "result" in s.star)
    )
    return generic / (generic + concrete) if generic else 0.0


def _clarity(sentences: Sequence[SentenceAnalysis], lang: str) -> float:
    """Sentences of a readable length: 6-30 English words, 10-60 Chinese characters."""
    total = sum(s.topicality for s in sentences)
    if total <= 0.0:
        return 0.0
    scores = []
    for s in sentences:
        size = count_han(s.text) if lang == "zh" else len(s.text.split())
        low, high = (10, 60) if lang == "zh" else (6, 30)
        if size < low:
            scores.append(size / low)
        elif size > high:
            scores.append(max(0.0, 1.0 - (size - high) / high))
        else:
            scores.append(1.0)
    return float(sum(s.topicality * v for s, v in zip(sentences, scores, strict=True)) / total)


# Typical ranges for conversational speech; outside them an observation gets a note.
_VOICE = {
    "speech_rate_wpm": (
        (100.0, 170.0),
        {
            "zh": "语速（词/分钟）",
            "en": "speech rate (words per minute)",
            "ja": "話す速さ（語/分）",
        },
    ),
    "speech_rate_cpm": (
        (180.0, 300.0),
        {
            "zh": "语速（字/分钟）",
            "en": "speech rate (characters per minute)",
            "ja": "話す速さ（字/分）",
        },
    ),
    "pause_ratio": (
        (0.05, 0.30),
        {"zh": "停顿占比", "en": "share of time in pauses", "ja": "間の割合"},
    ),
    "long_pauses": ((0.0, 3.0), {"zh": "长停顿次数", "en": "long pauses", "ja": "長い間の回数"}),
    "filler_count": (
        (0.0, 8.0),
        {"zh": "口头语次数", "en": "filler words", "ja": "つなぎ言葉の回数"},
    ),
    "duration_s": (
        (0.0, 1e9),
        {"zh": "作答时长（秒）", "en": "answer duration (s)", "ja": "回答時間（秒）"},
    ),
}


def voice_observations(features: dict[str, float] | None) -> tuple[Observation, ...]:
    if not features:
        return ()
    out: list[Observation] = []
    for name in sorted(features):
        value = features[name]
        known = _VOICE.get(name)
        if known is None:
            out.append(Observation(name, rounded(value), {"zh": name, "en": name, "ja": name}))
            continue
        (low, high), label = known
        if value < low:
            note = {
                "zh": f"{label['zh']}偏低",
                "en": f"{label['en']}: below the usual range",
                "ja": f"{label['ja']}：通常の範囲より低い",
            }
        elif value > high:
            note = {
                "zh": f"{label['zh']}偏高",
                "en": f"{label['en']}: above the usual range",
                "ja": f"{label['ja']}：通常の範囲より高い",
            }
        else:
            note = {
                "zh": f"{label['zh']}在常见范围内",
                "en": f"{label['en']}: in the usual range",
                "ja": f"{label['ja']}：通常の範囲内",
            }
        out.append(Observation(name, rounded(value), note))
    return tuple(out)
