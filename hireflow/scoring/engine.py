"""Competency scoring: from answer features to the report (SPEC F1, F2, F5).

The formula, in full (docs/scoring.md explains each part and how it was measured):

For each answer and each dimension its question assesses, the *quality* ``q`` is::

    base = Σ_k w[kind][k] · c_k            (weights below; components c_k in 0..1)
    q    = base · (0.4 + 0.6·substance) · (1 − 0.5·generic_share)
                · (1 − 0.6·min(1, negative/2)) · on_topic_share

    level = clip(1 + 5.1·q, 1, 5) (situational answers: at most 4; a plan shows no result)
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
from hireflow.scoring.analysis import (
    ANALYSIS_LIMITS,
    EVIDENCE_QUOTE,
    AnswerAnalysis,
    analyse_interview,
)
from hireflow.scoring.copies import credit_copies
from hireflow.scoring.embedding import Embedder, get_embedder
from hireflow.scoring.followups import suggest_follow_ups
from hireflow.scoring.interview import InterviewInput, job_match, with_unanswered
from hireflow.scoring.judge import EmbeddedJudge, Judge, JudgeRequest, JudgeVerdict, level_to_score
from hireflow.scoring.models import CompetencyModel, Dimension, localised
from hireflow.scoring.report import (
    SCHEMA_VERSION,
    AnswerReport,
    DimensionScore,
    Evidence,
    Finding,
    Note,
    Report,
)

__all__ = [
    "ENGINE_VERSION",
    "LEVEL_SLOPE",
    "WEIGHTS",
    "AnswerDimensionScore",
    "answer_quality",
    "job_match",
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
STRENGTH_MIN_SCORE = 6.0
MAX_EVIDENCE = 3
MAX_KEY_EXAMPLES = 5


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


def _r(value: float) -> float:
    return round(float(value), 4) + 0.0


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
    return quality, {k: _r(v) for k, v in components.items()}


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
            JudgeVerdict(_r(score), _r(level), (), "reference answers", "embedded"),
            score / 10.0,
            {"reference": _r(score), "key_point_coverage": _r(float(technical["coverage"]))},
        )
    quality, components = answer_quality(analysis, dimension_id)
    level = min(5.0, max(1.0, 1.0 + LEVEL_SLOPE * quality))
    evidence = analysis.evidence_for(dimension_id)
    if evidence is not None and evidence.gate:
        # The fitted level model over interpretable features, then the relevance gate.
        features = level_features(analysis, dimension_id)
        raw, contributions = learned.level_contributions(features)
        level = min(5.0, max(1.0, raw))
        quality = (level - 1.0) / 4.0
        components.update({f"feature_{k}": v for k, v in features.items()})
        components.update({f"contribution_{k}": v for k, v in contributions.items()})
        components.update(evidence.gate)
        if not evidence.addresses:
            level = min(level, learned.GATE_CAP_LEVEL)
        components = {k: _r(v) for k, v in components.items()}
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
        score=_r(level_to_score(level)),
        level=_r(level),
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
        Note("input_warning", {"zh": str(w), "en": str(w)}) for w in interview.warnings
    ]

    per_answer: dict[str, dict[str, AnswerDimensionScore]] = {}
    fallbacks: list[tuple[str, str, str]] = []
    for analysis in analyses:
        per_answer[analysis.question_id] = {}
        if analysis.status == "unsupported_language":
            continue
        question = interview.question(analysis.question_id)
        for dim_id in analysis.dimensions:
            dimension = model.dimension(dim_id)
            embedded, quality, components = _embedded_verdict(analysis, dim_id)
            verdict = embedded
            if analysis.status == "ok" and not isinstance(judge, EmbeddedJudge):
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
                score=_r(verdict.score),
                level=_r(verdict.level),
                quality=_r(quality),
                components=components,
                verdict=verdict,
            )

    copies = credit_copies(
        {a.question_id: a.text for a in interview.answers},
        {a.question_id: a.status for a in analyses},
        per_answer,
        {
            a.question_id: math.fsum(s.relevance for s in a.sentences) / len(a.sentences)
            for a in analyses
            if a.sentences
        },
    )
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
    if calibration is not None and getattr(calibration, "active", False):
        notes.append(
            Note(
                "calibrated",
                {
                    "zh": f"已应用公司校准（版本 {calibration.version}）。",
                    "en": f"Company calibration applied (version {calibration.version}).",
                },
            )
        )
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
            if calibration is not None and getattr(calibration, "active", False)
            else None
        ),
        extra={"limits": dict(ANALYSIS_LIMITS)},
    )
    # Report-level rules (evidence or "none" per dimension, copies, calibration note, job
    # match and findings from the final scores): hireflow.scoring.adjust.
    from hireflow.scoring.adjust import finalise_report

    return finalise_report(report, model, copies, {q.id: q.text for q in interview.questions})


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
                    _r(sentence.relevance),
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
            weight=_r(weight),
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
        components[key] = _r(math.fsum(values) / len(values))
    components["answers"] = float(len(items))

    # Confidence: how much evidence there is (answers, substance, indicator coverage) and how
    # much the answers agree with each other.
    amount = 1.0 - 0.5 ** len(items)
    substance = math.fsum(a.features["substance"] for a, _ in items) / len(items)
    coverage = components.get("evidence", 0.0)
    spread = _stdev(scores)
    agreement = 1.0 - min(1.0, spread / 5.0)
    confidence = amount * (0.4 + 0.3 * substance + 0.3 * coverage) * agreement
    if any(a.language != a.interview_language for a, _ in items):
        confidence *= 0.9

    score = raw
    calibrated = False
    if calibration is not None and getattr(calibration, "active", False):
        adjusted = calibration.apply(dimension.id, raw, components)
        if adjusted is not None:
            score = adjusted
            calibrated = True
    score = max(0.0, min(10.0, score))

    evidence: list[Evidence] = []
    seen: set[str] = set()
    for analysis, item in items:
        if item.verdict.source != "embedded":
            for quote in item.verdict.evidence:
                if quote not in seen:
                    seen.add(quote)
                    evidence.append(
                        Evidence(quote, analysis.question_id, dimension.id, "judge", 1.0)
                    )
    candidates = []
    for analysis, _ in items:
        found = analysis.evidence_for(dimension.id)
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
                dimension.id,
                indicator.indicator_id,
                indicator.similarity,
                star,
            )
        )
    if not evidence:
        story = _story_quote(dimension.id, items)
        if story is not None:
            evidence.append(story)
    return DimensionScore(
        id=dimension.id,
        name=dict(dimension.name),
        weight=_r(weight),
        required_level=dimension.required_level,
        score=_r(score),
        raw_score=_r(raw),
        level=_r(score / 2.0),
        confidence=_r(confidence),
        assessed=True,
        questions=questions,
        evidence=tuple(evidence[:MAX_EVIDENCE]),
        components=components,
        calibrated=calibrated,
        judge=judge.name,
    )


def _stdev(values: Sequence[float]) -> float:
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / len(values))


# ------------------------------------------------------------------------- findings

_REASONS = {
    "no_result": {"zh": "缺少可衡量的结果", "en": "no measurable result"},
    "we_only": {"zh": "多用“我们”，个人作用不清楚", "en": "told as “we”; own part unclear"},
    "vague": {
        "zh": "多为笼统表述，缺少具体事例",
        "en": "general claims rather than a concrete example",
    },
    "off_topic": {"zh": "回答偏离问题", "en": "the answer did not address the question"},
    "few_actions": {"zh": "本人行动描述较少", "en": "few concrete actions of the candidate's own"},
    "no_answer": {"zh": "有题目未作答", "en": "a question was not answered"},
}


def _weaknesses(analysis: AnswerAnalysis) -> list[str]:
    if analysis.status == "empty":
        return ["no_answer"]
    if analysis.status != "ok":
        return []
    f = analysis.features
    out = []
    if f["on_topic_share"] < 0.5:
        out.append("off_topic")
    if f["first_plural"] >= 2 and f["ownership"] < 0.35:
        out.append("we_only")
    if f["generic_share"] >= 0.3:
        out.append("vague")
    if analysis.kind == "behavioural" and f["result_quality"] < 0.4:
        out.append("no_result")
    if f["action_depth"] < 0.5:
        out.append("few_actions")
    return out


def _findings(
    dimensions: Sequence[DimensionScore], analyses: Sequence[AnswerAnalysis], lang: str
) -> tuple[tuple[Finding, ...], tuple[Finding, ...]]:
    strengths: list[tuple[float, Finding]] = []
    gaps: list[tuple[float, Finding]] = []
    by_question = {a.question_id: a for a in analyses}
    for d in dimensions:
        if d.score is None:
            continue
        name_zh, name_en = localised(d.name, "zh"), localised(d.name, "en")
        quote = d.evidence[0].quote if d.evidence else ""
        if d.score >= d.required_level and d.score >= STRENGTH_MIN_SCORE:
            example_zh = f"，例如：“{_short(quote)}”" if quote else ""
            example_en = f", e.g. “{_short(quote)}”" if quote else ""
            text = {
                "zh": f"{name_zh}：{d.score:.1f} 分（要求 {d.required_level:.1f}）{example_zh}",
                "en": f"{name_en}: {d.score:.1f} (required {d.required_level:.1f}){example_en}",
            }
            strengths.append(
                (d.score - d.required_level, Finding(d.id, d.score, d.required_level, text))
            )
        elif d.score < d.required_level:
            reasons: list[str] = []
            for qid in d.questions:
                for reason in _weaknesses(by_question[qid]):
                    if reason not in reasons:
                        reasons.append(reason)
            why_zh = "；".join(_REASONS[r]["zh"] for r in reasons[:3])
            why_en = "; ".join(_REASONS[r]["en"] for r in reasons[:3])
            text = {
                "zh": f"{name_zh}：{d.score:.1f} 分，低于要求 {d.required_level:.1f}"
                + (f"（{why_zh}）" if why_zh else ""),
                "en": f"{name_en}: {d.score:.1f}, below the required {d.required_level:.1f}"
                + (f" ({why_en})" if why_en else ""),
            }
            gaps.append(
                (d.required_level - d.score, Finding(d.id, d.score, d.required_level, text))
            )
    strengths.sort(key=lambda x: (-x[0], x[1].dimension_id))
    gaps.sort(key=lambda x: (-x[0], x[1].dimension_id))
    return tuple(f for _, f in strengths[:4]), tuple(f for _, f in gaps[:4])


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key_examples(
    dimensions: Sequence[DimensionScore], analyses: Sequence[AnswerAnalysis]
) -> tuple[Evidence, ...]:
    """The best quote per assessed dimension, preferring sentences with actions or results."""
    picks: list[Evidence] = []
    seen: set[str] = set()
    for d in dimensions:
        ranked = sorted(
            d.evidence,
            key=lambda e: (-(("action" in e.star) or ("result" in e.star)), -e.similarity),
        )
        for item in ranked:
            if item.quote not in seen and item.similarity >= EVIDENCE_QUOTE:
                seen.add(item.quote)
                picks.append(item)
                break
    picks.sort(key=lambda e: (-e.similarity, e.dimension_id))
    return tuple(picks[:MAX_KEY_EXAMPLES])


# ---------------------------------------------------------------------------- notes

_LANG_NAMES = {
    "zh": ("中文", "Chinese"),
    "en": ("英文", "English"),
    "ja": ("日文", "Japanese"),
    "ko": ("韩文", "Korean"),
    "ru": ("俄文", "Russian"),
    "ar": ("阿拉伯文", "Arabic"),
    "hi": ("印地文", "Hindi"),
    "th": ("泰文", "Thai"),
    "el": ("希腊文", "Greek"),
    "he": ("希伯来文", "Hebrew"),
    "es": ("西班牙文", "Spanish"),
    "fr": ("法文", "French"),
    "de": ("德文", "German"),
    "pt": ("葡萄牙文", "Portuguese"),
    "it": ("意大利文", "Italian"),
    "nl": ("荷兰文", "Dutch"),
}


def _lang_name(code: str) -> tuple[str, str]:
    return _LANG_NAMES.get(code, (code, code))


def _notes(
    analyses: Sequence[AnswerAnalysis],
    dimensions: Sequence[DimensionScore],
    fallbacks: Sequence[tuple[str, str, str]],
    lang: str,
) -> list[Note]:
    notes: list[Note] = []
    for a in analyses:
        qid = a.question_id
        if a.status == "empty":
            notes.append(
                Note(
                    "empty_answer",
                    {
                        "zh": f"第 {qid} 题未作答，计 0 分。",
                        "en": f"Question {qid} was not answered and scores 0.",
                    },
                    qid,
                )
            )
        if a.status == "unsupported_language":
            zh, en = _lang_name(a.language)
            notes.append(
                Note(
                    "unsupported_language",
                    {
                        "zh": f"第 {qid} 题的回答使用{zh}，引擎暂不支持，"
                        "未评分（没有按低分处理）。",
                        "en": f"The answer to question {qid} is in {en}, which the engine does not "
                        "support; it was not scored (not treated as a poor answer).",
                    },
                    qid,
                )
            )
        elif a.status == "ok" and a.language != a.interview_language:
            zh, en = _lang_name(a.language)
            notes.append(
                Note(
                    "other_language",
                    {
                        "zh": f"第 {qid} 题用{zh}作答，已按{zh}分析。",
                        "en": f"Question {qid} was answered in {en} and analysed in {en}.",
                    },
                    qid,
                )
            )
        for evidence in a.dimension_evidence if a.status == "ok" else ():
            if evidence.addresses or not evidence.gate:
                continue
            dim_name = next((d.name for d in dimensions if d.id == evidence.dimension_id), {})
            zh_dim = dim_name.get("zh", evidence.dimension_id)
            en_dim = dim_name.get("en", evidence.dimension_id)
            nearest = evidence.nearest_other
            zh_near = f"更像是{learned.preset_label(nearest, 'zh')}方面的经历，" if nearest else ""
            en_near = (
                f" it reads as evidence of {learned.preset_label(nearest, 'en').lower()};"
                if nearest
                else ""
            )
            notes.append(
                Note(
                    "not_the_question_asked",
                    {
                        "zh": f"第 {qid} 题的回答没有回应所问的问题（{zh_dim}）：{zh_near}"
                        f"与该题的相关度 {evidence.gate['gate_probability']:.0%}。"
                        f"该题在{zh_dim}上的得分上限为 {learned.GATE_CAP_LEVEL} 级。",
                        "en": f"The answer to question {qid} does not address what was asked "
                        f"({en_dim}):{en_near} relevance to the question "
                        f"{evidence.gate['gate_probability']:.0%}. Its {en_dim} score is capped "
                        f"at level {learned.GATE_CAP_LEVEL}.",
                    },
                    qid,
                )
            )
        injected = [i for i in a.ignored if i.reason == "instruction_to_grader"]
        if injected:
            notes.append(
                Note(
                    "instruction_removed",
                    {
                        "zh": f"第 {qid} 题中有 {len(injected)} 句话是对评分系统的指令"
                        f"（如“{_short(injected[0].text, 30)}”），"
                        "已忽略，不影响评分。",
                        "en": f"{len(injected)} sentence(s) in answer {qid} addressed the grader "
                        f"(e.g. “{_short(injected[0].text, 30)}”); they were ignored and do not "
                        "affect the score.",
                    },
                    qid,
                )
            )
        repeated = [i for i in a.ignored if i.reason == "repeated"]
        if repeated:
            notes.append(
                Note(
                    "repeated_removed",
                    {
                        "zh": f"第 {qid} 题中有 {len(repeated)} 句重复内容，只计一次。",
                        "en": f"{len(repeated)} repeated sentence(s) in answer {qid} were "
                        "counted once.",
                    },
                    qid,
                )
            )
        if a.truncated:
            chars = ANALYSIS_LIMITS["max_answer_chars"]
            sentences = ANALYSIS_LIMITS["max_sentences"]
            notes.append(
                Note(
                    "truncated",
                    {
                        "zh": f"第 {qid} 题回答过长（{a.original_chars} 字符），"
                        f"只分析了前 {chars} 字符以内、最多 {sentences} 句。",
                        "en": f"Answer {qid} was very long ({a.original_chars} characters); "
                        f"only the first {chars} characters (at most {sentences} sentences) "
                        "were analysed.",
                    },
                    qid,
                )
            )
    for d in dimensions:
        if not d.assessed:
            notes.append(
                Note(
                    "not_assessed",
                    {
                        "zh": f"“{localised(d.name, 'zh')}”没有可评分的回答，未计入岗位匹配度。",
                        "en": f"“{localised(d.name, 'en')}” had no scorable answer and is left out "
                        "of the job match.",
                    },
                )
            )
    for qid, dim_id, reason in fallbacks:
        notes.append(
            Note(
                "judge_fallback",
                {
                    "zh": f"第 {qid} 题（{dim_id}）的大模型评分不可用（{reason}），"
                    "已使用内置评分。",
                    "en": f"The LLM judge was not usable for {qid} / {dim_id} ({reason}); the "
                    "embedded scorer was used.",
                },
                qid,
            )
        )
    return notes


def _summary(
    dimensions: Sequence[DimensionScore],
    match: float | None,
    coverage: float,
    analyses: Sequence[AnswerAnalysis],
    lang: str,
) -> dict[str, str]:
    assessed = [d for d in dimensions if d.score is not None]
    answered = sum(a.status == "ok" for a in analyses)
    if not assessed:
        return {
            "zh": f"共 {len(analyses)} 道题，没有可评分的回答，无法给出评估。",
            "en": f"{len(analyses)} question(s), no scorable answer: no assessment is possible.",
        }
    above = sorted(
        (d for d in assessed if d.score >= d.required_level),  # type: ignore[operator]
        key=lambda d: (-(d.score or 0), d.id),
    )
    below = sorted(
        (d for d in assessed if d.score < d.required_level),  # type: ignore[operator]
        key=lambda d: (d.score - d.required_level, d.id),  # type: ignore[operator]
    )
    zh_parts = [f"岗位匹配度 {match:.0f}%"]
    en_parts = [f"Job match {match:.0f}%"]
    if coverage < 0.999:
        zh_parts[0] += f"（覆盖 {coverage * 100:.0f}% 的权重）"
        en_parts[0] += f" (covering {coverage * 100:.0f}% of the weight)"
    if above:
        zh_parts.append(
            "达到要求的维度："
            + "、".join(f"{localised(d.name, 'zh')} {d.score:.1f}" for d in above[:3])
        )
        en_parts.append(
            "meets the requirement in "
            + ", ".join(f"{localised(d.name, 'en')} {d.score:.1f}" for d in above[:3])
        )
    if below:
        zh_parts.append(
            "低于要求："
            + "、".join(
                f"{localised(d.name, 'zh')} {d.score:.1f}（要求 {d.required_level:.1f}）"
                for d in below[:3]
            )
        )
        en_parts.append(
            "below the requirement in "
            + ", ".join(
                f"{localised(d.name, 'en')} {d.score:.1f} (required {d.required_level:.1f})"
                for d in below[:3]
            )
        )
    zh_parts.append(f"共分析 {answered}/{len(analyses)} 道题的回答")
    en_parts.append(f"{answered} of {len(analyses)} answers analysed")
    return {"zh": "；".join(zh_parts) + "。", "en": "; ".join(en_parts) + "."}


# -------------------------------------------------------------------- answer report


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
