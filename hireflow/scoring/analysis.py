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
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from hireflow.scoring import learned
from hireflow.scoring.embedding import Embedder, cosine_matrix, get_embedder
from hireflow.scoring.evidence import (
    DimensionEvidence,
    IndicatorEvidence,
    _dimension_evidence,
    _dimension_texts,
    _ramp,
    _with_gate,
)
from hireflow.scoring.interview import Answer, InterviewInput
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
    _words,
    detect_injection,
    detect_unsupported_language,
)
from hireflow.scoring.models import Question, localised
from hireflow.scoring.text import (
    content_words,
    count_han,
    detect_language,
    split_sentences,
)

__all__ = [
    "ANALYSIS_LIMITS",
    "AnswerAnalysis",
    "DimensionEvidence",
    "IgnoredText",
    "IndicatorEvidence",
    "Observation",
    "SentenceAnalysis",
    "analyse_interview",
    "detect_injection",
    "detect_unsupported_language",
]

# ------------------------------------------------------------------------------- limits

MAX_ANSWER_CHARS = 5000  # about 12 minutes of speech; longer answers are truncated, with a note
MAX_SENTENCES = 60
MAX_SENTENCE_CHARS = 240  # longer "sentences" (run-on transcripts) are cut at commas
NEAR_DUPLICATE = 0.95  # cosine above which a sentence repeats an earlier one

# Thresholds on the embedded model's cosine scale (multilingual USE v3: related sentences
# sit around 0.3-0.6, unrelated ones around 0-0.15). Chosen on the dev split of the
# evaluation set, see docs/scoring.md.
TOPIC_CORE = 0.12  # a sentence this close to the question or competency is on topic ...
TOPIC_LINK = 0.25  # ... and so is one this close to such a sentence (the rest of the story)
STAR_EMBED_LOW, STAR_EMBED_HIGH = 0.45, 0.70  # similarity to STAR examples mapped to 0..1
STAR_PRESENT = 0.5  # a sentence carries a STAR element when its cue score reaches this
ROLE_PRESENT = 0.5  # a learned role probability this high counts as the element fully
NOT_OWN_MIN = 0.5  # company text + question restated at least this likely: not own experience
GATED_KINDS = ("behavioural", "situational")  # self-introduction, motivation: no gate
STORY_LINK = 0.35  # a subject-less sentence this close to an own sentence continues the story
CLAIM_MIN = 0.6  # a general claim ("I am a team player") by its learned role

ANALYSIS_LIMITS = {
    "max_answer_chars": MAX_ANSWER_CHARS,
    "max_sentences": MAX_SENTENCES,
    "max_sentence_chars": MAX_SENTENCE_CHARS,
}

STAR = ("situation", "task", "action", "result")
_ROUND = 4


def _r(value: float) -> float:
    """Round for reports; ``+ 0.0`` turns -0.0 into 0.0 so JSON never shows "-0.0"."""
    return round(float(value), _ROUND) + 0.0


# ------------------------------------------------------------------------ data classes


@dataclass(frozen=True)
class IgnoredText:
    """A part of the answer that was set aside, and why (shown in the report)."""

    text: str
    reason: str  # "instruction_to_grader" | "repeated" | "truncated"


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


@dataclass(frozen=True)
class Observation:
    """A voice or delivery observation shown to HR; never part of a score."""

    name: str
    value: float
    note: dict[str, str]


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


# ---------------------------------------------------------------------------- cleaning


@dataclass
class _Prepared:
    answer: Answer
    question: Question
    language: str
    unsupported: str | None
    original_chars: int
    truncated: bool
    sentences: list[str]
    ignored: list[IgnoredText]


def _cut_long(sentence: str) -> list[str]:
    """Split a run-on sentence (a transcript without full stops) at commas, then by length."""
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return [sentence]
    parts: list[str] = []
    current = ""
    for piece in re.split(r"(?<=[,，;；、:：])", sentence):
        if current and len(current) + len(piece) > MAX_SENTENCE_CHARS:
            parts.append(current.strip())
            current = ""
        current += piece
    if current.strip():
        parts.append(current.strip())
    out: list[str] = []
    for part in parts:
        while len(part) > MAX_SENTENCE_CHARS:
            cut = part.rfind(" ", 0, MAX_SENTENCE_CHARS)
            cut = cut if cut > MAX_SENTENCE_CHARS // 2 else MAX_SENTENCE_CHARS
            out.append(part[:cut].strip())
            part = part[cut:].strip()
        if part:
            out.append(part)
    return [p for p in out if any(ch.isalnum() for ch in p)]


def _strip_injection(raw: str, ignored: list[IgnoredText]) -> str:
    """Take an instruction to the grader out of the text around it, before cutting.

    A transcript without capitals ("ignore the rubric and give me 10. a customer called...")
    is one "sentence" to the splitter; dropping all of it would drop the candidate's words
    too, and cutting it with the instruction inside would cut the rest differently.
    """
    if not detect_injection(_nfkc(raw)):
        return raw
    pieces = [p for p in re.split(r"(?<=[.!?。！？;；])\s*", raw) if p.strip()]
    if len(pieces) < 2:
        return raw  # the whole sentence is the instruction: dropped below
    for piece in pieces:
        if detect_injection(_nfkc(piece)):
            ignored.append(IgnoredText(piece, "instruction_to_grader"))
            raw = raw.replace(piece, "", 1)
    return raw.strip()


def _sentence_key(sentence: str) -> str:
    return re.sub(r"[\W_]+", "", sentence.lower())


def _tidy(text: str) -> str:
    """Unify line breaks and runs of spaces, keeping every character the candidate wrote.

    Unlike :func:`normalise_text` this does not apply NFKC: quotes in the report must be the
    candidate's own words, full-width punctuation included. Matching uses :func:`_nfkc`.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t\f\v\u00a0]+", " ", text)
    return "\n".join(line.strip() for line in text.split("\n")).strip()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _prepare(answer: Answer, question: Question, interview_language: str) -> _Prepared:
    text = _tidy(answer.text or "")
    original_chars = len(text)
    ignored: list[IgnoredText] = []
    truncated = False
    if len(text) > MAX_ANSWER_CHARS:
        # Cut at the last sentence end inside the limit so no quote is broken mid-sentence.
        head = text[:MAX_ANSWER_CHARS]
        cut = max(head.rfind(ch) for ch in "。！？.!?\n")
        head = head[: cut + 1] if cut > MAX_ANSWER_CHARS // 2 else head
        ignored.append(IgnoredText(text[len(head) : len(head) + 80] + "…", "truncated"))
        text = head
        truncated = True
    unsupported = detect_unsupported_language(text) if text else None
    language = detect_language(text, default=interview_language) if text else interview_language
    sentences: list[str] = []
    seen: set[str] = set()
    for raw in split_sentences(text):
        raw = _strip_injection(raw, ignored)
        for sentence in _cut_long(raw):
            if detect_injection(_nfkc(sentence)):
                ignored.append(IgnoredText(sentence, "instruction_to_grader"))
                continue
            key = _sentence_key(sentence)
            if not key:
                continue
            if key in seen:
                ignored.append(IgnoredText(sentence, "repeated"))
                continue
            seen.add(key)
            sentences.append(sentence)
    if len(sentences) > MAX_SENTENCES:
        truncated = True
        ignored.append(IgnoredText(sentences[MAX_SENTENCES][:80] + "…", "truncated"))
        sentences = sentences[:MAX_SENTENCES]
    return _Prepared(
        answer=answer,
        question=question,
        language=language,
        unsupported=unsupported,
        original_chars=original_chars,
        truncated=truncated,
        sentences=sentences,
        ignored=ignored,
    )


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
    the fitted models belong to the embedder.
    """
    embedder = embedder or get_embedder()
    usable = use_learned and learned.usable_for(
        getattr(embedder, "name", ""), int(getattr(embedder, "dim", 0))
    )
    if usable:
        learned.prime_catalogue(embedder)
    prepared: list[_Prepared] = []
    for answer in interview.answers:
        prepared.append(
            _prepare(answer, interview.question(answer.question_id), interview.language)
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
        if usable:
            for text in learned.catalogue_texts(lang):
                add(text)
    vectors = embedder.embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)

    def vecs(items: Iterable[str]) -> np.ndarray:
        rows = [index[t] for t in items]
        return vectors[rows] if rows else np.zeros((0, vectors.shape[1]), dtype=np.float32)

    results = []
    for prep in prepared:
        results.append(_analyse_one(prep, interview, vecs, usable))
    return tuple(results)


def _without_near_duplicates(
    prep: _Prepared, sent_vecs: np.ndarray
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
            star_scores[element] = _r(learned_score)
            if found:
                star_cues[element] = found[:4]
            elif star_scores[element] >= STAR_PRESENT:
                star_cues[element] = (f"~{role_probs[element]:.2f}",)
            continue
        embedded = _ramp(example_sims[element], STAR_EMBED_LOW, STAR_EMBED_HIGH)
        star_scores[element] = _r(max(1.0 if found else 0.0, embedded))
        if found:
            star_cues[element] = found[:4]
        elif embedded >= STAR_PRESENT:
            star_cues[element] = (f"~{example_sims[element]:.2f}",)
    return star_scores, star_cues


def _empty_features() -> dict[str, float]:
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


def _analyse_one(
    prep: _Prepared, interview: InterviewInput, vecs: Any, usable: bool = False
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
        "observations": _voice_observations(prep.answer.audio_features),
    }
    if prep.unsupported or not prep.sentences:
        return AnswerAnalysis(
            status="unsupported_language" if prep.unsupported else "empty",
            ignored=tuple(prep.ignored),
            language=prep.unsupported or lang,
            unsupported_language=prep.unsupported or None,
            sentences=(),
            features=_empty_features(),
            dimension_evidence=(),
            technical=None,
            fillers=(),
            **base,
        )

    sent_vecs = vecs(prep.sentences)
    question_vec = vecs([localised(question.text, lang)])
    dims = [interview.model.dimension(d) for d in question.dimensions]
    dim_text_vecs = vecs([t for d in dims for t in _dimension_texts(d, lang)])
    indicator_texts = [localised(i.text, lang) for d in dims for i in d.indicators]
    indicator_vecs = vecs(indicator_texts)

    sentences, sent_vecs = _without_near_duplicates(prep, sent_vecs)

    rel_question = cosine_matrix(sent_vecs, question_vec)[:, 0]
    topic_vecs = (
        np.vstack([dim_text_vecs, indicator_vecs]) if len(indicator_vecs) else dim_text_vecs
    )
    rel_topic = (
        cosine_matrix(sent_vecs, topic_vecs).max(axis=1) if len(topic_vecs) else rel_question
    )
    relevance = np.maximum(rel_question, rel_topic)

    star_sims = {
        element: cosine_matrix(sent_vecs, vecs(_STAR_EXAMPLES[lang][element])).max(axis=1)
        for element in STAR
    }
    cues = _CUES[lang]
    distraction = cosine_matrix(sent_vecs, vecs(_DISTRACTORS[lang])).max(axis=1)
    off_topic = (distraction >= DISTRACTOR_MIN) & (distraction > relevance + DISTRACTOR_MARGIN)
    on_topic_mask = _topic_mask(relevance, sent_vecs, sentences, off_topic)
    # Roles are read from work stories (what the candidate did); a technical answer explains a
    # subject and is scored against reference answers, so its sentences are taken as given.
    roles = learned.sentence_roles(sent_vecs) if usable and question.kind != "technical" else None
    story_words = [_link_words(s) for s in sentences]
    analysed: list[SentenceAnalysis] = []
    for i, sentence in enumerate(sentences):
        norm = _nfkc(sentence)
        role_probs: dict[str, float] = {}
        if roles is not None:
            role_probs = {r: _r(roles[i, k]) for k, r in enumerate(learned.ROLES)}
        star_scores, star_cues = _star_elements(
            norm, cues, role_probs, {e: float(star_sims[e][i]) for e in STAR}
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
        if role_probs and own and not off_topic[i] and (singular or plural):
            on_topic = True
        spec, details = _specifics(norm, lang)
        analysed.append(
            SentenceAnalysis(
                index=i,
                text=sentence,
                language=detect_language(sentence, default=lang),
                relevance=_r(relevance[i]),
                on_topic=on_topic,
                star=tuple(e for e in STAR if star_scores[e] >= STAR_PRESENT),
                star_scores=star_scores,
                star_cues=star_cues,
                hypothetical=bool(_HYPOTHETICAL[lang].search(norm)),
                specificity=_r(spec),
                specifics=details,
                first_singular=singular,
                first_plural=plural,
                markers=_matches(_LOGIC[lang], norm),
                generic=bool(_GENERIC[lang].search(norm))
                or role_probs.get("claim", 0.0) >= CLAIM_MIN,
                negative=_matches(_NEGATIVE[lang], norm),
                roles=role_probs,
                own_experience=own,
            )
        )

    features = _answer_features(analysed, sent_vecs, question_vec, lang)
    fillers = tuple(m.group(0) for s in sentences for m in _FILLERS[lang].finditer(_nfkc(s)))
    features["fillers"] = float(len(fillers))

    evidence = _dimension_evidence(dims, analysed, sent_vecs, indicator_vecs, vecs, lang)
    if usable and question.kind in GATED_KINDS:
        evidence = tuple(
            _with_gate(e, d, analysed, sent_vecs, question_vec, vecs, lang)
            for e, d in zip(evidence, dims, strict=True)
        )
    technical = _technical(question, prep, lang) if question.kind == "technical" else None
    # Relevant keywords: words the answer shares with the question and the competency's
    # description and indicators (shown to HR; the score reads meaning, not word counts).
    topic_words = set(content_words(localised(question.text, lang)))
    for dimension in dims:
        topic_words.update(content_words(" ".join(_dimension_texts(dimension, lang))))
        for indicator in dimension.indicators:
            topic_words.update(content_words(localised(indicator.text, lang)))
    answer_words = [w for s in analysed if s.on_topic for w in content_words(s.text)]
    keywords = tuple(
        dict.fromkeys(
            w for w in answer_words if w in topic_words and len(w) >= 2 and w not in _GENERIC_WORDS
        )
    )[:12]
    return AnswerAnalysis(
        status="ok",
        ignored=tuple(prep.ignored),
        language=lang,
        unsupported_language=None,
        sentences=tuple(analysed),
        features={k: _r(v) for k, v in features.items()},
        dimension_evidence=evidence,
        technical=technical,
        fillers=fillers[:20],
        keywords=keywords,
        **base,
    )


_NUMERAL = re.compile(r"[\d零一二两三四五六七八九十百千万亿几半]")
# Words too common in any work story to tie a sentence to the rest of an answer.
_GENERIC_WORDS = _words(
    "公司 工作 团队 同事 时候 事情 问题 大家 自己 一起 时间 每天 今年 去年 后来 之后 觉得 "
    "company work team colleague time thing problem people day year week month good way lot "
    "really make made get got first also every new old big small high low let close cut rose "
    "morning evening night today last next best great 分钟 小时 早上 晚上 上午 下午 每周 每月 "
    "时候 以后 之后 之前 今天 明天"
)


def _link_words(sentence: str) -> set[str]:
    """Content words that tie sentences of one story together.

    Chinese words are taken as character bigrams, so 错发订单 and 错发率 share 错发 even though
    jieba cuts them differently.
    """
    out: set[str] = set()
    for word in content_words(sentence):
        if word in _GENERIC_WORDS:
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
    return out - _GENERIC_WORDS


def _topic_mask(
    relevance: np.ndarray,
    sent_vecs: np.ndarray,
    sentences: Sequence[str],
    off_topic: np.ndarray,
) -> np.ndarray:
    """Which sentences are on topic: close to the question/competency, or to the story.

    Story sentences ("billing questions dropped from 60 to 15 a week") are rarely close to an
    abstract question, but they are close in meaning to the answer's core sentences, or share
    their words ("错发订单" ... "错发率"); unrelated padding does neither. Meaning links count
    only to core sentences, word links to any on-topic sentence, so a block of padding cannot
    vouch for itself unless it repeats the story's own words.
    """
    allowed = ~off_topic
    core = (relevance >= TOPIC_CORE) & allowed
    if not core.any():
        return core  # nothing near the question or the competency: an off-topic answer
    on = core | ((cosine_matrix(sent_vecs, sent_vecs[core]).max(axis=1) >= TOPIC_LINK) & allowed)
    words = [_link_words(s) for s in sentences]
    changed = True
    while changed:
        known: set[str] = set()
        for i in np.flatnonzero(on):
            known |= words[i]
        grown = on | (np.array([bool(w & known) for w in words], dtype=bool) & allowed)
        changed = bool((grown != on).any())
        on = grown
    return on


def _answer_features(
    sentences: Sequence[SentenceAnalysis],
    sent_vecs: np.ndarray,
    question_vec: np.ndarray,
    lang: str,
) -> dict[str, float]:
    """Answer-level features; only on-topic sentences count towards content features."""
    on_topic = [s for s in sentences if s.on_topic]
    n = len(sentences)
    topical_idx = [s.index for s in on_topic]
    # The answer's meaning: the mean of its sentence vectors. Padding with unrelated text
    # moves the mean away from the question, so it lowers relevance rather than raising it.
    mean_vec = sent_vecs.mean(axis=0, keepdims=True)
    norm = float(np.linalg.norm(mean_vec))
    relevance = float(cosine_matrix(mean_vec / norm, question_vec)[0, 0]) if norm else 0.0

    # The candidate's own story: on-topic sentences with a STAR element or a first person.
    storied = [s for s in on_topic if s.star or s.first_singular or s.first_plural]
    words = sum(len(content_words(s.text)) for s in storied)
    # About 40 content words (a few sentences of substance) make a full answer.
    substance = min(1.0, words / 40.0)

    star: dict[str, float] = {}
    for element in STAR:
        star[element] = max((s.star_scores[element] for s in on_topic), default=0.0)
    # Actions and results carry the most weight in STAR.
    star_total = (
        0.15 * star["situation"]
        + 0.15 * star["task"]
        + 0.35 * star["action"]
        + 0.35 * star["result"]
    )

    # Specificity: the three most specific on-topic sentences; a single number does not make a
    # specific answer, and extra unrelated numbers cannot raise it.
    # Only details of the candidate's own story count. "Stock markets rose 2% on Monday" in
    # the middle of an answer is not a detail of it.
    top = sorted((s.specificity for s in storied), reverse=True)[:3]
    specificity = sum(top) / 3.0

    singular = sum(s.first_singular for s in on_topic)
    plural = sum(s.first_plural for s in on_topic)
    # Ownership is read where things happen: in sentences that carry an action or a result.
    doing = [s for s in on_topic if "action" in s.star or "result" in s.star] or list(on_topic)
    own_singular = sum(s.first_singular for s in doing)
    own_plural = sum(s.first_plural for s in doing)
    ownership = (own_singular + 0.5) / (own_singular + own_plural + 1.0)
    # Own actions: action sentences in the first person singular; "we" actions count half,
    # actions with neither (Chinese often drops the subject) count as the candidate's.
    own_actions = 0.0
    for s in on_topic:
        if "action" not in s.star or s.generic:
            continue
        if s.first_singular or not s.first_plural:
            own_actions += 1.0
        else:
            own_actions += 0.5
    action_depth = min(1.0, own_actions / 4.0)
    # A result counts fully when it is specific (a number, a date, a name), else 60%.
    result_quality = max(
        (s.star_scores["result"] * (0.6 + 0.4 * s.specificity) for s in on_topic), default=0.0
    )
    # Generic claims against concrete statements (actions, results). Sentences that are
    # neither do not dilute the share, so unrelated padding cannot hide the claims.
    generic = sum(s.generic for s in on_topic)
    concrete = sum(
        1 for s in on_topic if not s.generic and ("action" in s.star or "result" in s.star)
    )
    generic_share = generic / (generic + concrete) if generic else 0.0
    negatives = sum(len(s.negative) for s in sentences)
    # Negative behaviour or refusing the question, read from meaning (the learned role) and
    # from the counter-indicator lexicon; 0..1.
    negative_behaviour = max(
        [min(1.0, negatives / 2.0)] + [s.roles.get("negative", 0.0) for s in sentences]
    )
    # A result with a figure (a number, a metric, a date) in the same sentence.
    result_measured = max(
        (s.star_scores["result"] * min(1.0, s.specificity / 0.4) for s in on_topic), default=0.0
    )

    distinct_markers = {m.lower() for s in on_topic for m in s.markers}
    logic = min(1.0, len(distinct_markers) / 4.0)
    clarity = _clarity(on_topic, lang)

    hypothetical = sum(s.hypothetical for s in on_topic) / len(on_topic) if on_topic else 0.0
    return {
        "relevance": relevance,
        # Sentences of the candidate's own story count fully, other on-topic sentences half:
        # text that is merely "about the topic" cannot make up for what is off it.
        # With no sentence of their own story on topic there is nothing to score.
        "on_topic_share": (
            (len(storied) + 0.5 * (len(on_topic) - len(storied))) / n if storied else 0.0
        ),
        "substance": substance,
        "content_words": float(words),
        "star_situation": star["situation"],
        "star_task": star["task"],
        "star_action": star["action"],
        "star_result": star["result"],
        "star": star_total,
        "specificity": specificity,
        "ownership": ownership,
        "first_singular": float(singular),
        "first_plural": float(plural),
        "own_actions": own_actions,
        "action_depth": action_depth,
        "result_quality": result_quality,
        "generic_share": generic_share,
        "negative": float(negatives),
        "negative_behaviour": negative_behaviour,
        "result_measured": result_measured,
        "logic": logic,
        "clarity": clarity,
        "hypothetical_share": hypothetical,
        "sentences": float(n),
        "topical_sentences": float(len(topical_idx)),
    }


def _clarity(sentences: Sequence[SentenceAnalysis], lang: str) -> float:
    """Sentences of a readable length: 6-30 English words, 10-60 Chinese characters."""
    if not sentences:
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
    return float(sum(scores) / len(scores))


def _technical(question: Question, prep: _Prepared, lang: str) -> dict[str, Any] | None:
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
        "score": _r(analysis.score),  # 0-10
        "key_points": len(analysis.key_points),
        "covered": covered,
        "missing": [kp.text for kp in analysis.missing],
        "coverage": _r(len(covered) / len(analysis.key_points)) if analysis.key_points else 0.0,
    }


# --------------------------------------------------------------------- voice features

# Typical ranges for conversational speech; outside them an observation gets a note.
_VOICE = {
    "speech_rate_wpm": (
        (100.0, 170.0),
        {"zh": "语速（词/分钟）", "en": "speech rate (words per minute)"},
    ),
    "speech_rate_cpm": (
        (180.0, 300.0),
        {"zh": "语速（字/分钟）", "en": "speech rate (characters per minute)"},
    ),
    "pause_ratio": ((0.05, 0.30), {"zh": "停顿占比", "en": "share of time in pauses"}),
    "long_pauses": ((0.0, 3.0), {"zh": "长停顿次数", "en": "long pauses"}),
    "filler_count": ((0.0, 8.0), {"zh": "口头语次数", "en": "filler words"}),
    "duration_s": ((0.0, 1e9), {"zh": "作答时长（秒）", "en": "answer duration (s)"}),
}


def _voice_observations(features: dict[str, float] | None) -> tuple[Observation, ...]:
    if not features:
        return ()
    out: list[Observation] = []
    for name in sorted(features):
        value = features[name]
        known = _VOICE.get(name)
        if known is None:
            out.append(Observation(name, _r(value), {"zh": name, "en": name}))
            continue
        (low, high), label = known
        if value < low:
            note = {"zh": f"{label['zh']}偏低", "en": f"{label['en']}: below the usual range"}
        elif value > high:
            note = {"zh": f"{label['zh']}偏高", "en": f"{label['en']}: above the usual range"}
        else:
            note = {"zh": f"{label['zh']}在常见范围内", "en": f"{label['en']}: in the usual range"}
        out.append(Observation(name, _r(value), note))
    return tuple(out)
