"""Competency scoring: from answer features to the report (SPEC F1, F2, F5).

The formula, in full (docs/scoring.md explains each part and how it was measured):

For each answer and each dimension its question assesses, the *quality* ``q`` is::

    base = Σ_k w[kind][k] · c_k            (weights below; components c_k in 0..1)
    q    = base · (0.4 + 0.6·substance) · (1 − 0.5·generic_share)
                · (1 − 0.6·min(1, negative/2)) · on_topic_share

    level = clip(1 + 5.1·q, 1, 5) (situational answers: at most 4; a plan shows no result)
    level = min(level, 1.5) + w · max(0, level − 1.5)   (behavioural answers, when the
            embedder has a fitted gate: w = the two-key relevance gate's weight,
            :func:`hireflow.scoring.evidence.two_key_weight`)
    score = 2 · level             (0–10; an unanswered question scores 0)

Technical questions use the reference-answer score (0–10) of
:func:`hireflow.scoring.reference.score_reference_answer` instead.
A dimension's score is the mean of its answers' scores; unsupported-language answers are
left out and reported; a question asked but not answered scores 0. Job match, with its
shortfall penalty, is :func:`hireflow.scoring.interview.job_match`; the report-level rules
(evidence per dimension, copies, findings) are :func:`hireflow.scoring.adjust.finalise_report`.

Everything is deterministic: no randomness, no clock, fixed rounding, sorted output.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hireflow.scoring import learned
from hireflow.scoring.analysis import AnswerAnalysis, analyse_interview
from hireflow.scoring.answer_text import ANALYSIS_LIMITS
from hireflow.scoring.coding import CODING_SOURCE, coding_verdict
from hireflow.scoring.copies import Copy, credit_copies
from hireflow.scoring.embedding import Embedder, get_embedder
from hireflow.scoring.evidence import GATE_TWO_KEY
from hireflow.scoring.findings import (
    _findings,
    _key_examples,
    _notes,
    _summary,
)
from hireflow.scoring.followups import suggest_follow_ups
from hireflow.scoring.interview import InterviewInput, job_match, with_unanswered
from hireflow.scoring.judge import EmbeddedJudge, Judge, JudgeRequest, JudgeVerdict, level_to_score
from hireflow.scoring.models import CompetencyModel, Dimension, localised
from hireflow.scoring.report import (
    SCHEMA_VERSION,
    AnswerReport,
    DimensionScore,
    Evidence,
    Note,
    Report,
    rounded,
)

__all__ = [
    "ENGINE_VERSION",
    "LEVEL_SLOPE",
    "WEIGHTS",
    "AnswerDimensionScore",
    "answer_quality",
    "score_interview",
]

# The level decision: "1.0" is the feature formula of section 2 in docs/scoring.md, "1.1" the
# learned roles, relevance gate and level model (learned.py). Reports name the one used.
ENGINES = ("1.0", "1.1")
DEFAULT_ENGINE = "1.0"
ENGINE_VERSION = f"hireflow-scoring/{DEFAULT_ENGINE}"


def engine_version(engine: str) -> str:
    """The ``engine_version`` a report scored by ``engine`` states."""
    return f"hireflow-scoring/{engine}"


# Component weights per question kind; each row sums to 1. Set a priori from the rubric
# (actions and results matter most in STAR; plans are judged on their steps and logic), then
# checked on the dev split of the evaluation set (docs/scoring.md).
WEIGHTS: dict[str, dict[str, float]] = {
    "behavioural": {
        "situation": 0.10,
        "task": 0.05,
        "action_depth": 0.25,
        "result_quality": 0.20,
        "specificity": 0.15,
        "logic": 0.10,
        "ownership": 0.05,
        "evidence": 0.10,
    },
    "situational": {
        "situation": 0.05,
        "task": 0.05,
        "action_depth": 0.40,
        "result_quality": 0.00,
        "specificity": 0.15,
        "logic": 0.20,
        "ownership": 0.05,
        "evidence": 0.10,
    },
    "motivation": {
        "situation": 0.10,
        "task": 0.00,
        "action_depth": 0.10,
        "result_quality": 0.00,
        "specificity": 0.25,
        "logic": 0.20,
        "ownership": 0.05,
        "evidence": 0.30,
    },
}
# Level per unit of quality: least squares on the dev split of the evaluation set with the
# intercept fixed at level 1 (5.14 for the final feature set; bench/scoring_quality.py prints it).
LEVEL_SLOPE = 5.1
SITUATIONAL_MAX_LEVEL = 4.0
MAX_EVIDENCE = 3


@dataclass(frozen=True)
class AnswerDimensionScore:
    """One answer's score on one dimension, with the components it came from."""

    question_id: str
    dimension_id: str
    score: float
    level: float
    quality: float
    components: dict[str, float]
    verdict: JudgeVerdict


def answer_quality(analysis: AnswerAnalysis, dimension_id: str) -> tuple[float, dict[str, float]]:
    """The quality ``q`` (0..1) of one answer on one dimension and its components."""
    f = analysis.features
    evidence = analysis.evidence_for(dimension_id)
    components = {
        "situation": f["star_situation"],
        "task": f["star_task"],
        "action_depth": f["action_depth"],
        "result_quality": f["result_quality"],
        "specificity": f["specificity"],
        "logic": f["logic"],
        "ownership": f["ownership"],
        "evidence": evidence.coverage if evidence else 0.0,
    }
    weights = WEIGHTS.get(analysis.kind, WEIGHTS["behavioural"])
    base = math.fsum(weights[k] * components[k] for k in weights)
    factors = {
        "substance_factor": 0.4 + 0.6 * f["substance"],
        "generic_factor": 1.0 - 0.5 * f["generic_share"],
        "negative_factor": 1.0 - 0.6 * min(1.0, f["negative"] / 2.0),
        "topic_factor": f["on_topic_share"],
    }
    quality = base
    for value in factors.values():
        quality *= value
    components.update(factors)
    components["anchor_level"] = evidence.anchor_level if evidence else 1.0
    components["base"] = base
    return quality, {k: rounded(v) for k, v in components.items()}


def level_features(analysis: AnswerAnalysis, dimension_id: str) -> dict[str, float]:
    """The features of the learned level model (``learned.LEVEL_FEATURES``), each 0..1."""
    f = analysis.features
    evidence = analysis.evidence_for(dimension_id)
    anchor = (evidence.anchor_level - 1.0) / 4.0 if evidence else 0.0
    return {
        "situation": f["star_situation"],
        "action_depth": f["action_depth"],
        "result_quality": f["result_quality"],
        "result_measured": f.get("result_measured", 0.0),
        "specificity": f["specificity"],
        "ownership": f["ownership"],
        "evidence": evidence.coverage if evidence else 0.0,
        "anchor": max(0.0, min(1.0, anchor)),
        "substance": f["substance"],
        "generic_share": f["generic_share"],
        "negative_behaviour": f.get("negative_behaviour", 0.0),
        "plan_actions": f["action_depth"] if analysis.kind == "situational" else 0.0,
        "plan_logic": f["logic"] if analysis.kind == "situational" else 0.0,
    }


def _embedded_verdict(
    analysis: AnswerAnalysis, dimension_id: str
) -> tuple[JudgeVerdict, float, dict[str, float]]:
    if analysis.status == "empty":
        return JudgeVerdict(0.0, 0.0, (), "no answer", "embedded"), 0.0, {}
    technical = analysis.technical
    if analysis.kind == "technical" and technical is not None:
        # The reference scorer already speaks the report's 0-10 scale.
        score = max(0.0, min(10.0, float(technical["score"])))
        level = max(1.0, score / 2.0)
        return (
            JudgeVerdict(rounded(score), rounded(level), (), "reference answers", "embedded"),
            score / 10.0,
            {
                "reference": rounded(score),
                "key_point_coverage": rounded(float(technical["coverage"])),
            },
        )
    quality, components = answer_quality(analysis, dimension_id)
    level = min(5.0, max(1.0, 1.0 + LEVEL_SLOPE * quality))
    evidence = analysis.evidence_for(dimension_id)
    if evidence is not None and evidence.gate and evidence.gate_kind == GATE_TWO_KEY:
        # Engine 1.0: the formula's level, then the two-key relevance gate's ramp.
        components.update(evidence.gate)
        level = learned.gated_level(level, evidence.gate["gate_weight"])
        components = {k: rounded(v) for k, v in components.items()}
    elif evidence is not None and evidence.gate:
        # The fitted level model over interpretable features, then the relevance gate.
        features = level_features(analysis, dimension_id)
        raw, contributions = learned.level_contributions(features)
        level = min(5.0, max(1.0, raw))
        quality = (level - 1.0) / 4.0
        components.update({f"feature_{k}": v for k, v in features.items()})
        components.update({f"contribution_{k}": v for k, v in contributions.items()})
        components.update(evidence.gate)
        # A ramp, not a step: the level above the cap counts by the gate's weight.
        level = learned.gated_level(level, evidence.gate["gate_weight"])
        components = {k: rounded(v) for k, v in components.items()}
    if analysis.kind == "situational":
        level = min(level, SITUATIONAL_MAX_LEVEL)
    quotes = (
        tuple(
            i.quote for i in sorted(evidence.indicators, key=lambda i: -i.similarity) if i.quoted
        )[:MAX_EVIDENCE]
        if evidence
        else ()
    )
    verdict = JudgeVerdict(
        score=rounded(level_to_score(level)),
        level=rounded(level),
        evidence=quotes,
        rationale="feature formula",
        source="embedded",
    )
    return verdict, quality, components


def score_interview(
    interview: InterviewInput,
    *,
    judge: Judge | None = None,
    calibration: Any = None,
    embedder: Embedder | None = None,
    engine: str | None = None,
) -> Report:
    """Score one interview and build its report.

    ``judge`` defaults to :class:`EmbeddedJudge`; ``calibration`` is an active
    :class:`hireflow.scoring.calibration.CompanyCalibration` (inactive ones are ignored);
    ``engine`` is one of :data:`ENGINES` (default :data:`DEFAULT_ENGINE`). The caller chooses
    it (the platform from its settings); the library reads no configuration of its own.
    """
    engine = engine or DEFAULT_ENGINE
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    judge = judge or EmbeddedJudge()
    embedder = embedder or get_embedder()
    interview = with_unanswered(interview)
    analyses = analyse_interview(interview, embedder, use_learned=engine == "1.1")
    model = interview.model
    lang = interview.language
    notes: list[Note] = [
        Note("input_warning", {"zh": str(w), "en": str(w), "ja": str(w)})
        for w in interview.warnings
    ]

    per_answer, fallbacks = _answer_scores(interview, analyses, judge)

    copies = _copies(interview, analyses, per_answer)
    dimensions = [
        _dimension_score(d, analyses, per_answer, model, calibration, judge)
        for d in model.dimensions
    ]
    scores = {d.id: d.score for d in dimensions}
    match, coverage = job_match(model, scores)

    strengths, gaps = _findings(dimensions, analyses, lang)
    key_examples = _key_examples(dimensions, analyses)
    follow_ups = suggest_follow_ups(
        analyses, {q.id: q.text for q in interview.questions}, model, scores
    )
    notes.extend(_notes(analyses, dimensions, fallbacks, lang))
    active = calibration is not None and getattr(calibration, "active", False)
    if active:
        notes.append(_calibrated_note(calibration.version))
    summary = _summary(dimensions, match, coverage, analyses, lang)
    report = Report(
        schema_version=SCHEMA_VERSION,
        engine_version=engine_version(engine),
        language=lang,
        candidate_ref=interview.candidate_ref,
        model={"id": model.id, "version": model.version, "name": localised(model.name, lang)},
        embedder=getattr(embedder, "name", type(embedder).__name__),
        judge=judge.name,
        job_match=match,
        match_coverage=coverage,
        dimensions=tuple(dimensions),
        strengths=strengths,
        gaps=gaps,
        key_examples=key_examples,
        follow_ups=follow_ups,
        summary=summary,
        answers=tuple(_answer_report(a, per_answer[a.question_id]) for a in analyses),
        notes=tuple(notes),
        calibration=(
            {"company_id": calibration.company_id, "version": calibration.version}
            if active
            else None
        ),
        extra={"limits": dict(ANALYSIS_LIMITS)},
    )
    # Report-level rules (evidence or "none" per dimension, copies, calibration note, job
    # match and findings from the final scores): hireflow.scoring.adjust.
    from hireflow.scoring.adjust import finalise_report

    return finalise_report(report, model, copies, {q.id: q.text for q in interview.questions})


def _calibrated_note(version: object) -> Note:
    return Note(
        "calibrated",
        {
            "zh": f"已应用公司校准（版本 {version}）。",
            "en": f"Company calibration applied (version {version}).",
            "ja": f"会社の校正を適用しました（バージョン {version}）。",
        },
    )


def _answer_scores(
    interview: InterviewInput, analyses: Sequence[AnswerAnalysis], judge: Judge
) -> tuple[dict[str, dict[str, AnswerDimensionScore]], list[tuple[str, str, str]]]:
    """Each answer's score on each dimension its question assesses (the embedded verdict,
    or the judge's for a scored answer), and the judge's fallbacks (question, dimension,
    reason)."""
    per_answer: dict[str, dict[str, AnswerDimensionScore]] = {}
    fallbacks: list[tuple[str, str, str]] = []
    # A graded coding answer's level is its grading's, not its words' (scoring/coding.py).
    graded = {a.question_id: a.coding for a in interview.answers if a.coding is not None}
    for analysis in analyses:
        per_answer[analysis.question_id] = {}
        outcome = graded.get(analysis.question_id)
        if analysis.status == "unsupported_language" and outcome is None:
            continue
        question = interview.question(analysis.question_id)
        for dim_id in analysis.dimensions:
            dimension = interview.model.dimension(dim_id)
            embedded, quality, components = _embedded_verdict(analysis, dim_id)
            verdict = embedded
            if outcome is not None:
                verdict = coding_verdict(outcome, interview.language)
            elif analysis.status == "ok" and not isinstance(judge, EmbeddedJudge):
                request = JudgeRequest(
                    question_id=question.id,
                    question=localised(question.text, analysis.language),
                    kind=question.kind,
                    dimension=dimension,
                    answer="\n".join(s.text for s in analysis.sentences),
                    language=analysis.language,
                    embedded=embedded,
                )
                verdict = judge.judge(request)
                if verdict.fallback_reason:
                    fallbacks.append((question.id, dim_id, verdict.fallback_reason))
            per_answer[analysis.question_id][dim_id] = AnswerDimensionScore(
                question_id=question.id,
                dimension_id=dim_id,
                score=rounded(verdict.score),
                level=rounded(verdict.level),
                quality=rounded(quality),
                components=components,
                verdict=verdict,
            )
    return per_answer, fallbacks


def _copies(
    interview: InterviewInput,
    analyses: Sequence[AnswerAnalysis],
    per_answer: dict[str, dict[str, AnswerDimensionScore]],
) -> tuple[Copy, ...]:
    """Copies across answers, their credit taken away (see :func:`credit_copies`)."""
    return credit_copies(
        {a.question_id: a.text for a in interview.answers},
        {a.question_id: a.status for a in analyses},
        per_answer,
        {
            a.question_id: math.fsum(s.relevance for s in a.sentences) / len(a.sentences)
            for a in analyses
            if a.sentences
        },
    )


STORY_EVIDENCE = "story"  # Evidence.indicator_id of a quote that is the story's own sentence


def _story_quote(
    dimension_id: str, items: Sequence[tuple[AnswerAnalysis, AnswerDimensionScore]]
) -> Evidence | None:
    """The candidate's own on-topic action or result sentence closest to the question, for
    a dimension none of whose indicators is close enough to a sentence to be quoted.

    Indicators are abstract ("handles complaints constructively") and a concrete story is
    often far from every one of them in the encoder's space; the story itself is still the
    evidence the score rests on. Only answers that scored, address their question (relevance
    gate) and are not technical (those quote against reference answers) offer a sentence.
    """
    best: tuple[float, str, int] | None = None
    found: Evidence | None = None
    for analysis, item in items:
        evidence = analysis.evidence_for(dimension_id)
        if analysis.status != "ok" or analysis.kind == "technical" or item.score <= 0:
            continue
        if evidence is not None and not evidence.addresses:
            continue
        for sentence in analysis.sentences:
            usable = (
                sentence.on_topic
                and sentence.own_experience
                and not sentence.generic
                and not sentence.negative
                and ("action" in sentence.star or "result" in sentence.star)
            )
            if not usable:
                continue
            key = (-sentence.relevance, analysis.question_id, sentence.index)
            if best is None or key < best:
                best = key
                found = Evidence(
                    sentence.text,
                    analysis.question_id,
                    dimension_id,
                    STORY_EVIDENCE,
                    rounded(sentence.relevance),
                    sentence.star,
                )
    return found


def _dimension_score(
    dimension: Dimension,
    analyses: Sequence[AnswerAnalysis],
    per_answer: Mapping[str, Mapping[str, AnswerDimensionScore]],
    model: CompetencyModel,
    calibration: Any,
    judge: Judge,
) -> DimensionScore:
    weight = model.normalised_weights()[dimension.id]
    items = [
        (a, per_answer[a.question_id][dimension.id])
        for a in analyses
        if dimension.id in per_answer[a.question_id]
    ]
    questions = tuple(a.question_id for a, _ in items)
    if not items:
        return DimensionScore(
            id=dimension.id,
            name=dict(dimension.name),
            weight=rounded(weight),
            required_level=dimension.required_level,
            score=None,
            raw_score=None,
            level=None,
            confidence=0.0,
            assessed=False,
            questions=(),
            evidence=(),
            components={},
            judge=judge.name,
        )
    scores = [s.score for _, s in items]
    raw = math.fsum(scores) / len(scores)
    components: dict[str, float] = {}
    keys = sorted({k for _, s in items for k in s.components})
    for key in keys:
        values = [s.components[key] for _, s in items if key in s.components]
        components[key] = rounded(math.fsum(values) / len(values))
    components["answers"] = float(len(items))

    confidence = _confidence(items, scores, components)

    score = raw
    calibrated = False
    if calibration is not None and getattr(calibration, "active", False):
        adjusted = calibration.apply(dimension.id, raw, components)
        if adjusted is not None:
            score = adjusted
            calibrated = True
    score = max(0.0, min(10.0, score))

    evidence = _dimension_quotes(dimension.id, items)
    return DimensionScore(
        id=dimension.id,
        name=dict(dimension.name),
        weight=rounded(weight),
        required_level=dimension.required_level,
        score=rounded(score),
        raw_score=rounded(raw),
        level=rounded(score / 2.0),
        confidence=rounded(confidence),
        assessed=True,
        questions=questions,
        evidence=tuple(evidence[:MAX_EVIDENCE]),
        components=components,
        calibrated=calibrated,
        judge=judge.name,
    )


def _confidence(
    items: Sequence[tuple[AnswerAnalysis, AnswerDimensionScore]],
    scores: Sequence[float],
    components: Mapping[str, float],
) -> float:
    """How much evidence there is (answers, substance, indicator coverage) and how much the
    answers agree with each other."""
    amount = 1.0 - 0.5 ** len(items)
    substance = math.fsum(a.features["substance"] for a, _ in items) / len(items)
    coverage = components.get("evidence", 0.0)
    spread = _stdev(scores)
    agreement = 1.0 - min(1.0, spread / 5.0)
    confidence = amount * (0.4 + 0.3 * substance + 0.3 * coverage) * agreement
    if any(a.language != a.interview_language for a, _ in items):
        confidence *= 0.9
    return confidence


def _dimension_quotes(
    dimension_id: str, items: Sequence[tuple[AnswerAnalysis, AnswerDimensionScore]]
) -> list[Evidence]:
    """A dimension's evidence: the judge's quotes, then the indicators' quoted sentences,
    closest first; without either, the story's own sentence."""
    evidence: list[Evidence] = []
    seen: set[str] = set()
    for analysis, item in items:
        if item.verdict.source != "embedded":
            for quote in item.verdict.evidence:
                if quote not in seen:
                    seen.add(quote)
                    source = "judge" if item.verdict.source != CODING_SOURCE else CODING_SOURCE
                    evidence.append(
                        Evidence(quote, analysis.question_id, dimension_id, source, 1.0)
                    )
    candidates = []
    for analysis, _ in items:
        found = analysis.evidence_for(dimension_id)
        if not found:
            continue
        for indicator in found.indicators:
            if indicator.quoted:
                star = analysis.sentences[indicator.sentence_index].star
                candidates.append((indicator, analysis.question_id, star))
    candidates.sort(key=lambda c: (-c[0].similarity, c[1], c[0].indicator_id))
    for indicator, qid, star in candidates:
        if indicator.quote in seen:
            continue
        seen.add(indicator.quote)
        evidence.append(
            Evidence(
                indicator.quote,
                qid,
                dimension_id,
                indicator.indicator_id,
                indicator.similarity,
                star,
            )
        )
    if not evidence:
        story = _story_quote(dimension_id, items)
        if story is not None:
            evidence.append(story)
    return evidence


def _stdev(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


# ------------------------------------------------------------------------- findings


def _answer_report(
    analysis: AnswerAnalysis, scores: Mapping[str, AnswerDimensionScore]
) -> AnswerReport:
    star = {
        element: tuple(s.index for s in analysis.sentences if element in s.star and s.on_topic)
        for element in ("situation", "task", "action", "result")
    }
    sentences = tuple(
        {
            "index": s.index,
            "text": s.text,
            "on_topic": s.on_topic,
            "topicality": s.topicality,
            "relevance": s.relevance,
            "star": list(s.star),
            "cues": {k: list(v) for k, v in sorted(s.star_cues.items())},
            "specificity": s.specificity,
            "specifics": list(s.specifics),
            "first_singular": s.first_singular,
            "first_plural": s.first_plural,
            "markers": list(s.markers),
            "generic": s.generic,
            "negative": list(s.negative),
            "hypothetical": s.hypothetical,
        }
        for s in analysis.sentences
    )
    return AnswerReport(
        question_id=analysis.question_id,
        kind=analysis.kind,
        status=analysis.status,
        language=analysis.language,
        dimensions=analysis.dimensions,
        features=dict(analysis.features),
        dimension_scores={k: v.score for k, v in sorted(scores.items())},
        star=star,
        ignored=tuple({"text": i.text, "reason": i.reason} for i in analysis.ignored),
        truncated=analysis.truncated,
        original_chars=analysis.original_chars,
        sentences=sentences,
        technical=analysis.technical,
        observations=tuple(
            {"name": o.name, "value": o.value, "note": dict(o.note)} for o in analysis.observations
        ),
        fillers=analysis.fillers,
        keywords=analysis.keywords,
    )
