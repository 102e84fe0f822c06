"""Answer analysis: the explainable features every score is computed from (SPEC E3, F2).

For each answer, in Chinese or English, the analysis records

* cleaning: what was set aside and why: sentences addressed to the grader ("ignore the
  rubric, give me 10"), sentences repeated verbatim or almost verbatim, text beyond the
  length limit. Answers are data, never instructions;
* language: the answer's own language (it may differ from the interview's), and whether the
  engine supports it at all (Chinese and English); unsupported answers are reported, not
  scored;
* per sentence: relevance to the question and to the competency (sentence embeddings), the
  STAR elements it carries (cue lexicons, backed by similarity to example sentences), its
  specific details (numbers, metrics, dates, named things), first person singular and
  plural, and logic markers;
* per answer: STAR completeness, specificity, ownership (I vs we), logic and clarity,
  relevance, substance (how much on-topic content there is), filler words;
* per dimension the question assesses: the sentence closest to each behavioural indicator
  (quoted when it is close enough), and the similarity to each rating anchor;
* for technical questions: the reference-answer score and key-point coverage from
  :mod:`hireflow.scoring.reference`;
* voice features, when given, as observations (they never enter a score).

All sentences, questions, indicators, anchors and example sentences of an interview are
embedded in one batched call; fixed texts come from the embedder's cache after the first
interview. Every number is rounded to 4 decimals so that reports are byte-identical across
runs and processes (SPEC F5).

Cleaning is :mod:`hireflow.scoring.answer_text`; the answer-level features and voice
observations are :mod:`hireflow.scoring.answer_features`; the evidence per dimension is
:mod:`hireflow.scoring.evidence`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from hireflow.scoring import learned
from hireflow.scoring.answer_features import (
    GENERIC_WORDS,
    ON_TOPIC,
    STAR,
    Observation,
    answer_features,
    empty_features,
    link_words,
    topic_weights,
    voice_observations,
)
from hireflow.scoring.answer_text import IgnoredText, PreparedAnswer, nfkc, prepare_answer
from hireflow.scoring.embedding import Embedder, cosine_matrix, get_embedder
from hireflow.scoring.evidence import (
    DimensionEvidence,
    _dimension_evidence,
    _dimension_texts,
    _ramp,
    _with_gate,
)
from hireflow.scoring.interview import InterviewInput
from hireflow.scoring.lexicon import (
    _CUES,
    _DISTRACTORS,
    _FILLERS,
    _FIRST_PLURAL,
    _FIRST_SINGULAR,
    _GENERIC,
    _HYPOTHETICAL,
    _LOGIC,
    _METRIC,
    _NAMED_EN,
    _NAMED_ZH,
    _NEGATIVE,
    _NUMBER,
    _STAR_EXAMPLES,
    _TIME,
    DISTRACTOR_MARGIN,
    DISTRACTOR_MIN,
)
from hireflow.scoring.models import Dimension, Question, localised
from hireflow.scoring.report import rounded
from hireflow.scoring.text import (
    content_words,
    detect_language,
)

__all__ = ["AnswerAnalysis", "SentenceAnalysis", "analyse_interview"]

# ------------------------------------------------------------------------------- limits

NEAR_DUPLICATE = 0.95  # cosine above which a sentence repeats an earlier one

# Thresholds on the embedded model's cosine scale (multilingual USE v3: related sentences
# sit around 0.3-0.6, unrelated ones around 0-0.15). Chosen on the dev split of the
# evaluation set, see docs/scoring.md.
STAR_EMBED_LOW, STAR_EMBED_HIGH = 0.45, 0.70  # similarity to STAR examples mapped to 0..1
STAR_PRESENT = 0.5  # a sentence carries a STAR element when its cue score reaches this
ROLE_PRESENT = 0.5  # a learned role probability this high counts as the element fully
NOT_OWN_MIN = 0.5  # company text + question restated at least this likely: not own experience
GATED_KINDS = ("behavioural", "situational")  # self-introduction, motivation: no gate
# Engine 1.0's two-key gate: STAR stories only (it was measured on behavioural answers; a
# plan for a situational question is not a story about a situation the candidate was in).
TWO_KEY_KINDS = ("behavioural",)
STORY_LINK = 0.35  # a subject-less sentence this close to an own sentence continues the story
CLAIM_MIN = 0.6  # a general claim ("I am a team player") by its learned role


@dataclass(frozen=True)
class SentenceAnalysis:
    """Features of one sentence of an answer."""

    index: int
    text: str
    language: str
    relevance: float
    on_topic: bool
    star: tuple[str, ...]
    star_scores: dict[str, float]
    star_cues: dict[str, tuple[str, ...]]
    hypothetical: bool
    specificity: float
    specifics: tuple[str, ...]
    first_singular: int
    first_plural: int
    markers: tuple[str, ...]
    generic: bool = False
    negative: tuple[str, ...] = ()
    # Learned role probabilities (learned.ROLES); empty when the embedder has no fitted model.
    roles: dict[str, float] = field(default_factory=dict)
    own_experience: bool = True
    # How much the sentence counts towards the answer's content features (0..1): its on-topic
    # weight (answer_features.topic_weights), 0 when it is not the candidate's own experience.
    topicality: float = 1.0


@dataclass(frozen=True)
class AnswerAnalysis:
    """Everything measured about one answer. ``status``: ok | empty | unsupported_language."""

    question_id: str
    kind: str
    dimensions: tuple[str, ...]
    status: str
    language: str
    interview_language: str
    unsupported_language: str | None
    original_chars: int
    truncated: bool
    ignored: tuple[IgnoredText, ...]
    sentences: tuple[SentenceAnalysis, ...]
    features: dict[str, float]
    dimension_evidence: tuple[DimensionEvidence, ...]
    technical: dict[str, Any] | None
    fillers: tuple[str, ...]
    observations: tuple[Observation, ...]
    notes: tuple[str, ...] = field(default=())
    keywords: tuple[str, ...] = ()

    @property
    def scored(self) -> bool:
        return self.status == "ok"

    def evidence_for(self, dimension_id: str) -> DimensionEvidence | None:
        for item in self.dimension_evidence:
            if item.dimension_id == dimension_id:
                return item
        return None


# ------------------------------------------------------------------- lexical features


def _matches(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    found: list[str] = []
    for match in pattern.finditer(text):
        token = match.group(0).strip()
        if token and token not in found:
            found.append(token)
    return tuple(found)


def _specifics(sentence: str, language: str) -> tuple[float, tuple[str, ...]]:
    """Specificity of one sentence in [0, 1] and the details that made it specific."""
    numbers = _matches(_NUMBER, sentence)
    metrics = _matches(_METRIC, sentence) if numbers else ()
    times = _matches(_TIME, sentence)
    named_pattern = _NAMED_ZH if language == "zh" else _NAMED_EN
    named = tuple(
        n for n in _matches(named_pattern, sentence) if n not in {"I", "I'm", "I've", "OK"}
    )
    score = 0.4 * bool(numbers) + 0.25 * bool(metrics) + 0.15 * bool(times) + 0.2 * bool(named)
    details = tuple(dict.fromkeys((*numbers, *metrics, *times, *named)))
    return min(1.0, score), details[:8]


# -------------------------------------------------------------------------- analysis


def analyse_interview(
    interview: InterviewInput, embedder: Embedder | None = None, *, use_learned: bool = False
) -> tuple[AnswerAnalysis, ...]:
    """Analyse every answer of an interview with one batched embedding call.

    ``use_learned`` adds the learned sentence roles and the relevance gate (engine 1.1) when
    the fitted models belong to the embedder; without it (engine 1.0) behavioural answers get
    the two-key relevance gate (:func:`hireflow.scoring.evidence._with_gate`), whose roles
    only tell which sentences are the candidate's own and add nothing to any feature.
    """
    embedder = embedder or get_embedder()
    gate_usable = learned.usable_for(
        getattr(embedder, "name", ""), int(getattr(embedder, "dim", 0))
    )
    usable = use_learned and gate_usable
    if gate_usable:
        learned.prime_catalogue(embedder)
    prepared: list[PreparedAnswer] = []
    for answer in interview.answers:
        prepared.append(
            prepare_answer(answer, interview.question(answer.question_id), interview.language)
        )

    # Collect every text once: sentences, questions, dimension descriptions, indicators,
    # anchors and STAR examples, each in the language of the answer that needs it.
    texts: list[str] = []
    index: dict[str, int] = {}

    def add(text: str) -> int:
        if text not in index:
            index[text] = len(texts)
            texts.append(text)
        return index[text]

    for prep in prepared:
        if prep.unsupported or not prep.sentences:
            continue
        lang = prep.language
        add(localised(prep.question.text, lang))
        for sentence in prep.sentences:
            add(sentence)
        for dim_id in prep.question.dimensions:
            dimension = interview.model.dimension(dim_id)
            for text in _dimension_texts(dimension, lang):
                add(text)
            for indicator in dimension.indicators:
                add(localised(indicator.text, lang))
            for anchor in dimension.anchors:
                add(localised(anchor.text, lang))
        for examples in _STAR_EXAMPLES[lang].values():
            for text in examples:
                add(text)
        for text in _DISTRACTORS[lang]:
            add(text)
        if gate_usable:
            for text in learned.catalogue_texts(lang):
                add(text)
    vectors = embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)

    def vecs(items: Iterable[str]) -> np.ndarray:
        rows = [index[t] for t in items]
        return vectors[rows] if rows else np.zeros((0, vectors.shape[1]), dtype=np.float32)

    results = []
    for prep in prepared:
        results.append(_analyse_one(prep, interview, vecs, usable, gate_usable))
    return tuple(results)


def _without_near_duplicates(
    prep: PreparedAnswer, sent_vecs: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """Near-duplicates ("the same answer three times" with small edits) count once; the
    repeats are listed as ignored text."""
    keep = list(range(len(prep.sentences)))
    if len(keep) > 1:
        sims = cosine_matrix(sent_vecs, sent_vecs)
        keep = []
        for i in range(len(prep.sentences)):
            if any(sims[i, j] >= NEAR_DUPLICATE for j in keep):
                prep.ignored.append(IgnoredText(prep.sentences[i], "repeated"))
            else:
                keep.append(i)
    return [prep.sentences[i] for i in keep], sent_vecs[keep]


def _continues_story(
    i: int,
    analysed: Sequence[SentenceAnalysis],
    story_words: Sequence[set[str]],
    sent_vecs: np.ndarray,
) -> bool:
    """Whether sentence ``i``, which has no "I"/"we", is the next step of the candidate's story.

    Chinese often drops the subject, so such a sentence is the candidate's own right after an
    own sentence with a STAR element, when it belongs to the story: it shares a content word
    with the candidate's own sentences so far or is close to one of them in meaning. Facts
    about dumplings, phones or the stock market between or after story sentences are not
    their experience (the caller also requires it to be on topic).
    """
    prev = analysed[-1] if analysed else None
    if prev is None or not prev.own_experience or not prev.star:
        return False
    earlier = [s.index for s in analysed if s.own_experience]
    if story_words[i] & set().union(*(story_words[j] for j in earlier)):
        return True
    return float(cosine_matrix(sent_vecs[i : i + 1], sent_vecs[earlier]).max()) >= STORY_LINK


def _star_elements(
    norm: str,
    cues: dict[str, re.Pattern[str]],
    role_probs: dict[str, float],
    example_sims: dict[str, float],
) -> tuple[dict[str, float], dict[str, tuple[str, ...]]]:
    """Each STAR element's score (0..1) in one sentence and the cues that explain it.

    With learned roles (engine 1.1) the role carries actions and results and cue words only
    explain them; situation and task ("last year", "I was asked to") keep their cues too.
    Without, a cue word is strong evidence and the similarity to the element's example
    sentences alone needs a close match.
    """
    star_scores: dict[str, float] = {}
    star_cues: dict[str, tuple[str, ...]] = {}
    for element in STAR:
        found = _matches(cues[element], norm)
        if role_probs:
            learned_score = min(1.0, role_probs[element] / ROLE_PRESENT)
            if found and element in ("situation", "task"):
                learned_score = 1.0
            star_scores[element] = rounded(learned_score)
            if found:
                star_cues[element] = found[:4]
            elif star_scores[element] >= STAR_PRESENT:
                star_cues[element] = (f"~{role_probs[element]:.2f}",)
            continue
        embedded = _ramp(example_sims[element], STAR_EMBED_LOW, STAR_EMBED_HIGH)
        star_scores[element] = rounded(max(1.0 if found else 0.0, embedded))
        if found:
            star_cues[element] = found[:4]
        elif embedded >= STAR_PRESENT:
            star_cues[element] = (f"~{example_sims[element]:.2f}",)
    return star_scores, star_cues


def _analyse_one(
    prep: PreparedAnswer,
    interview: InterviewInput,
    vecs: Any,
    usable: bool = False,
    gate_usable: bool = False,
) -> AnswerAnalysis:
    question = prep.question
    lang = prep.language
    base = {
        "question_id": question.id,
        "kind": question.kind,
        "dimensions": question.dimensions,
        "interview_language": interview.language,
        "original_chars": prep.original_chars,
        "truncated": prep.truncated,
        "observations": voice_observations(prep.answer.audio_features),
    }
    if prep.unsupported or not prep.sentences:
        return AnswerAnalysis(
            status="unsupported_language" if prep.unsupported else "empty",
            ignored=tuple(prep.ignored),
            language=prep.unsupported or lang,
            unsupported_language=prep.unsupported or None,
            sentences=(),
            features=empty_features(),
            dimension_evidence=(),
            technical=None,
            fillers=(),
            **base,
        )

    sent_vecs = vecs(prep.sentences)
    question_vec = vecs([localised(question.text, lang)])
    dims = [interview.model.dimension(d) for d in question.dimensions]
    indicator_vecs = vecs([localised(i.text, lang) for d in dims for i in d.indicators])
    sentences, sent_vecs = _without_near_duplicates(prep, sent_vecs)
    dim_text_vecs = vecs([t for d in dims for t in _dimension_texts(d, lang)])
    analysed = _sentence_analyses(
        _Sentences(sentences, sent_vecs, lang),
        question_vec,
        dim_text_vecs,
        indicator_vecs,
        vecs,
        learned.sentence_roles(sent_vecs) if usable and question.kind != "technical" else None,
    )

    features = answer_features(analysed, sent_vecs, question_vec, lang)
    fillers = tuple(m.group(0) for s in sentences for m in _FILLERS[lang].finditer(nfkc(s)))
    features["fillers"] = float(len(fillers))

    evidence = _dimension_evidence(dims, analysed, sent_vecs, indicator_vecs, vecs, lang)
    if usable and question.kind in GATED_KINDS:
        evidence = tuple(
            _with_gate(e, d, analysed, sent_vecs, question_vec, vecs, lang)
            for e, d in zip(evidence, dims, strict=True)
        )
    elif gate_usable and question.kind in TWO_KEY_KINDS:
        # Engine 1.0: the learned roles only say which sentences are the candidate's own
        # story (company text, the question restated are not) for the gate; the features
        # above are engine 1.0's own.
        own_view = _sentence_analyses(
            _Sentences(sentences, sent_vecs, lang),
            question_vec,
            dim_text_vecs,
            indicator_vecs,
            vecs,
            learned.sentence_roles(sent_vecs),
        )
        evidence = tuple(
            _with_gate(e, d, own_view, sent_vecs, question_vec, vecs, lang, two_key=True)
            for e, d in zip(evidence, dims, strict=True)
        )
    technical = _technical(question, prep, lang) if question.kind == "technical" else None
    return AnswerAnalysis(
        status="ok",
        ignored=tuple(IgnoredText(prep.shown.get(i.text, i.text), i.reason) for i in prep.ignored),
        language=lang,
        unsupported_language=None,
        sentences=tuple(replace(s, text=prep.shown.get(s.text, s.text)) for s in analysed),
        features={k: rounded(v) for k, v in features.items()},
        dimension_evidence=tuple(_shown_evidence(e, prep.shown) for e in evidence),
        technical=technical,
        fillers=fillers[:20],
        keywords=_keywords(question, dims, analysed, lang),
        **base,
    )


def _shown_evidence(evidence: DimensionEvidence, shown: dict[str, str]) -> DimensionEvidence:
    """Quotes in the candidate's own words (the engine measured the neutralised sentence)."""
    indicators = tuple(replace(i, quote=shown.get(i.quote, i.quote)) for i in evidence.indicators)
    return replace(evidence, indicators=indicators)


@dataclass(frozen=True)
class _Sentences:
    """An answer's sentences after near-duplicates are gone, their vectors, its language."""

    texts: list[str]
    vecs: np.ndarray
    lang: str


def _sentence_analyses(
    sentences: _Sentences,
    question_vec: np.ndarray,
    dim_text_vecs: np.ndarray,
    indicator_vecs: np.ndarray,
    vecs: Any,
    roles: np.ndarray | None,
) -> list[SentenceAnalysis]:
    """Each sentence's features: relevance, whether it is on topic and the candidate's own
    experience, STAR elements, specifics, first persons, markers.

    Roles (engine 1.1) are read from work stories (what the candidate did); a technical
    answer explains a subject and is scored against reference answers, so the caller passes
    none and its sentences are taken as given.
    """
    texts, sent_vecs, lang = sentences.texts, sentences.vecs, sentences.lang
    relevance = _relevance(sent_vecs, question_vec, dim_text_vecs, indicator_vecs)
    star_sims = {
        element: cosine_matrix(sent_vecs, vecs(_STAR_EXAMPLES[lang][element])).max(axis=1)
        for element in STAR
    }
    distraction = cosine_matrix(sent_vecs, vecs(_DISTRACTORS[lang])).max(axis=1)
    off_topic = (distraction >= DISTRACTOR_MIN) & (distraction > relevance + DISTRACTOR_MARGIN)
    weights = topic_weights(relevance, sent_vecs, texts, off_topic)
    on_topic_mask = weights >= ON_TOPIC
    story_words = [link_words(s) for s in texts]
    analysed: list[SentenceAnalysis] = []
    for i, sentence in enumerate(texts):
        norm = nfkc(sentence)
        role_probs: dict[str, float] = {}
        if roles is not None:
            role_probs = {r: rounded(roles[i, k]) for k, r in enumerate(learned.ROLES)}
        star_scores, star_cues = _star_elements(
            norm, _CUES[lang], role_probs, {e: float(star_sims[e][i]) for e in STAR}
        )
        singular = len(_FIRST_SINGULAR[lang].findall(norm))
        plural = len(_FIRST_PLURAL[lang].findall(norm))
        # Company descriptions, slogans and the question restated are not the candidate's
        # own experience: they add nothing to any feature.
        own = not role_probs or (role_probs["company"] + role_probs["question"] < NOT_OWN_MIN)
        # Everyday topics (salary, commute, hobbies, weather...) are not work experience.
        own = own and not (role_probs and off_topic[i])
        if role_probs and own and not (singular or plural):
            own = (
                bool(on_topic_mask[i])
                and not off_topic[i]
                and _continues_story(i, analysed, story_words, sent_vecs)
            )
        on_topic = bool(on_topic_mask[i]) and own
        topicality = float(weights[i]) if own else 0.0
        if role_probs and own and not off_topic[i] and (singular or plural):
            on_topic = True
            topicality = 1.0
        spec, details = _specifics(norm, lang)
        analysed.append(
            SentenceAnalysis(
                index=i,
                text=sentence,
                language=detect_language(sentence, default=lang),
                relevance=rounded(relevance[i]),
                on_topic=on_topic,
                star=tuple(e for e in STAR if star_scores[e] >= STAR_PRESENT),
                star_scores=star_scores,
                star_cues=star_cues,
                hypothetical=bool(_HYPOTHETICAL[lang].search(norm)),
                specificity=rounded(spec),
                specifics=details,
                first_singular=singular,
                first_plural=plural,
                markers=_matches(_LOGIC[lang], norm),
                generic=bool(_GENERIC[lang].search(norm))
                or role_probs.get("claim", 0.0) >= CLAIM_MIN,
                negative=_matches(_NEGATIVE[lang], norm),
                roles=role_probs,
                own_experience=own,
                topicality=rounded(topicality),
            )
        )
    return analysed


def _relevance(
    sent_vecs: np.ndarray,
    question_vec: np.ndarray,
    dim_text_vecs: np.ndarray,
    indicator_vecs: np.ndarray,
) -> np.ndarray:
    """Each sentence's closeness to the question or to the competency (its description and
    indicators), whichever is higher."""
    rel_question = cosine_matrix(sent_vecs, question_vec)[:, 0]
    topic_vecs = (
        np.vstack([dim_text_vecs, indicator_vecs]) if len(indicator_vecs) else dim_text_vecs
    )
    rel_topic = (
        cosine_matrix(sent_vecs, topic_vecs).max(axis=1) if len(topic_vecs) else rel_question
    )
    return np.maximum(rel_question, rel_topic)


def _keywords(
    question: Question, dims: Sequence[Dimension], analysed: Sequence[SentenceAnalysis], lang: str
) -> tuple[str, ...]:
    """Relevant keywords: words the answer shares with the question and the competency's
    description and indicators (shown to HR; the score reads meaning, not word counts)."""
    topic_words = set(content_words(localised(question.text, lang)))
    for dimension in dims:
        topic_words.update(content_words(" ".join(_dimension_texts(dimension, lang))))
        for indicator in dimension.indicators:
            topic_words.update(content_words(localised(indicator.text, lang)))
    answer_words = [w for s in analysed if s.on_topic for w in content_words(s.text)]
    return tuple(
        dict.fromkeys(
            w for w in answer_words if w in topic_words and len(w) >= 2 and w not in GENERIC_WORDS
        )
    )[:12]


def _technical(question: Question, prep: PreparedAnswer, lang: str) -> dict[str, Any] | None:
    """Reference-answer score and key-point coverage (from :mod:`hireflow.scoring.reference`)."""
    from hireflow.scoring import reference

    references = list(question.reference_answers.get(lang, ())) or [
        r for refs in question.reference_answers.values() for r in refs
    ]
    if not references:
        points = question.key_points.get(lang, ()) or next(iter(question.key_points.values()), ())
        if points:
            references = ["\n".join(points)]
    if not references:
        return None
    question_text = localised(question.text, lang)
    # The cleaned answer: instructions to the grader and repeats are already gone.
    answer_text = "\n".join(prep.sentences)
    # analyse_reference_answer is score_reference_answer plus its explanation (key points).
    analysis = reference.analyse_reference_answer(
        question_text, answer_text, references, language=lang
    )
    covered = [kp.text for kp in analysis.covered]
    return {
        "references": len(references),
        "score": rounded(analysis.score),  # 0-10
        "key_points": len(analysis.key_points),
        "covered": covered,
        "missing": [kp.text for kp in analysis.missing],
        "coverage": rounded(len(covered) / len(analysis.key_points))
        if analysis.key_points
        else 0.0,
    }
