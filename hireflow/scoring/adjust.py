"""The interview-level report derivation, and the report re-read with HR's final scores
(SPEC F1, F2, F4).

:func:`finalise_report` is the last step of scoring (``engine.score_interview`` calls it):
it makes the report agree with itself. Each scored dimension quotes at least one sentence
from the answers or says it has none (its score is then capped at ``NO_EVIDENCE_CAP`` and its
confidence halved); answers repeated across questions are credited once and flagged
(:mod:`hireflow.scoring.copies`); the calibration note names only the dimensions a company
calibration actually changed; and job match (:func:`hireflow.scoring.interview.job_match`,
with its shortfall penalty), strengths, gaps and the summary are derived from those final
dimension scores.

When HR overrides the AI's score of a competency, everything in the report that follows from
the scores must follow the final score too: job match, strengths, gaps and the summary. This
is a thin layer over the engine's own functions for those parts, so the report after an
override is exactly what the engine would have written had it scored that way; the answers,
evidence, key examples and follow-up questions (which come from the answers, not from the
scores) are kept as they are.

The AI's own score of each overridden dimension stays in the report beside the final one
(``extra["hr_adjusted"]``) and a note says which dimensions HR changed. Pure and
deterministic: the same report and final scores give the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from hireflow.scoring.copies import Copy, copy_note_text, describe
from hireflow.scoring.followups import MAX_FOLLOW_UPS, copy_follow_up
from hireflow.scoring.interview import job_match
from hireflow.scoring.models import CompetencyModel, localised
from hireflow.scoring.report import (
    DimensionScore,
    Evidence,
    FollowUp,
    Note,
    Report,
    rounded,
)

__all__ = ["NO_EVIDENCE_CAP", "AdjustError", "finalise_report", "rederive_report"]

# A dimension no sentence of the answers gives evidence for cannot score above level 2.
NO_EVIDENCE_CAP = 4.0
NO_EVIDENCE_CONFIDENCE = 0.5


class AdjustError(ValueError):
    """Final scores that cannot apply to the report (unknown or unassessed dimension, range)."""


def _final(dimension: DimensionScore, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AdjustError(f"{dimension.id}: the final score must be a number")
    if not 0 <= value <= 10:
        raise AdjustError(f"{dimension.id}: the final score must be between 0 and 10")
    if not dimension.assessed or dimension.score is None:
        raise AdjustError(f"{dimension.id}: the AI did not assess this dimension")
    return rounded(value)


def rederive_report(
    report: Report, final_scores: Mapping[str, float], model: CompetencyModel
) -> Report:
    """``report`` as it reads with ``final_scores`` (dimension id -> 0-10) in effect.

    Dimensions not named keep the AI's score. ``model`` is the competency model the report
    was scored against (job match needs its weights and required levels). Raises
    :class:`AdjustError` for a dimension the report does not have or did not assess.
    """
    known = {d.id: d for d in report.dimensions}
    for dim_id in final_scores:
        if dim_id not in known:
            raise AdjustError(f"{dim_id}: not a dimension of this report")
    changed: dict[str, dict[str, float]] = {}
    dimensions = []
    for d in report.dimensions:
        if d.id not in final_scores:
            dimensions.append(d)
            continue
        final = _final(d, final_scores[d.id])
        assert d.score is not None
        if final != d.score:
            changed[d.id] = {"ai": d.score, "final": final}
        dimensions.append(replace(d, score=final, level=rounded(final / 2.0)))
    if not changed:
        return report
    names_zh = "、".join(
        f"{localised(known[i].name, 'zh')}（AI {v['ai']:.1f} → {v['final']:.1f}）"
        for i, v in changed.items()
    )
    names_en = ", ".join(
        f"{localised(known[i].name, 'en')} (AI {v['ai']:.1f} → {v['final']:.1f})"
        for i, v in changed.items()
    )
    names_ja = "、".join(
        f"{localised(known[i].name, 'ja')}（AI {v['ai']:.1f} → {v['final']:.1f}）"
        for i, v in changed.items()
    )
    note = Note(
        "hr_adjusted",
        {
            "zh": f"HR 调整了以下维度的分数：{names_zh}；"
            "岗位匹配度、优势、差距和总结按调整后的分数重新得出，AI 的原始分数保留在旁。",
            "en": f"HR adjusted the score of {names_en}; job match, strengths, gaps and the "
            "summary follow the final scores, with the AI's original scores kept beside them.",
            "ja": f"HR が次の項目の得点を調整しました：{names_ja}。職務適合度、強み、課題、"
            "総括は調整後の得点から導き直し、AI の元の得点も併記しています。",
        },
    )
    extra = dict(report.extra)
    extra["hr_adjusted"] = changed
    extra["ai_job_match"] = report.job_match
    return replace(
        _derived(report, dimensions, model),
        notes=(*(n for n in report.notes if n.code != "hr_adjusted"), note),
        extra=extra,
    )


# ------------------------------------------------------------------- the report's own rules


def _derived(report: Report, dimensions: list[DimensionScore], model: CompetencyModel) -> Report:
    """``report`` with ``dimensions`` and the job match, strengths, gaps and summary derived
    from their final scores."""
    from hireflow.scoring.findings import _findings, _summary

    match, coverage = job_match(model, {d.id: d.score for d in dimensions})
    # Introductions, motivation and closing questions are not about one past situation, so
    # they are never reported as off the question's topic.
    answers = [
        replace(a, features={**a.features, "on_topic_share": 1.0})
        if a.kind == "motivation" and a.status == "ok"
        else a
        for a in report.answers
    ]
    strengths, gaps = _findings(dimensions, answers, report.language)
    unproven = {d.id for d in dimensions if d.components.get("no_evidence")}
    gaps = tuple(
        replace(
            g,
            text={
                "zh": g.text["zh"] + "；回答中没有能证明该能力的句子",
                "en": g.text["en"] + "; no sentence in the answers shows it",
                "ja": g.text.get("ja", g.text["en"]) + "。回答にこの能力を示す文がありません",
            },
        )
        if g.dimension_id in unproven
        else g
        for g in gaps
    )
    return replace(
        report,
        job_match=match,
        match_coverage=coverage,
        dimensions=tuple(dimensions),
        strengths=strengths,
        gaps=gaps,
        summary=_summary(dimensions, match, coverage, answers, report.language),
    )


def _fallback_quote(dimension: DimensionScore, report: Report) -> Evidence | None:
    """For a technical answer (scored against reference answers, not indicators): its
    on-topic sentence closest to the question."""
    best: tuple[float, int, Evidence] | None = None
    for n, answer in enumerate(report.answers):
        if answer.question_id not in dimension.questions or answer.kind != "technical":
            continue
        if answer.status != "ok" or not answer.dimension_scores.get(dimension.id):
            continue
        for sentence in answer.sentences:
            if not sentence.get("on_topic"):
                continue
            relevance = float(sentence.get("relevance", 0.0))
            if best is None or (relevance, -n) > (best[0], -best[1]):
                item = Evidence(
                    str(sentence["text"]),
                    answer.question_id,
                    dimension.id,
                    "reference_answer",
                    rounded(relevance),
                    tuple(sentence.get("star", ())),
                )
                best = (relevance, n, item)
    return best[2] if best else None


def _with_evidence_rule(dimension: DimensionScore, report: Report) -> DimensionScore:
    if not dimension.assessed or dimension.score is None or dimension.evidence:
        return dimension
    quote = _fallback_quote(dimension, report)
    if quote is not None:
        return replace(dimension, evidence=(quote,))
    score = min(dimension.score, NO_EVIDENCE_CAP)
    components = {**dimension.components, "no_evidence": 1.0}
    return replace(
        dimension,
        score=rounded(score),
        level=rounded(score / 2.0),
        confidence=rounded(dimension.confidence * NO_EVIDENCE_CONFIDENCE),
        components=components,
    )


def _calibrated_note(version: object, calibrated: Sequence[DimensionScore]) -> Note:
    """Which dimensions the company's calibration changed, from what to what."""
    return Note(
        "calibrated",
        {
            "zh": f"公司校准（版本 {version}）调整了以下维度的 AI 分数："
            + "、".join(
                f"{localised(d.name, 'zh')}（{d.raw_score:.1f} → {d.score:.1f}）"
                for d in calibrated
            )
            + "。",
            "en": f"Company calibration (version {version}) changed the AI score of "
            + ", ".join(
                f"{localised(d.name, 'en')} ({d.raw_score:.1f} → {d.score:.1f})" for d in calibrated
            )
            + ".",
            "ja": f"会社の校正（バージョン {version}）により、次の項目の AI 得点が変わりました："
            + "、".join(
                f"{localised(d.name, 'ja')}（{d.raw_score:.1f} → {d.score:.1f}）"
                for d in calibrated
            )
            + "。",
        },
    )


def _no_evidence_note(d: DimensionScore) -> Note:
    return Note(
        "no_evidence",
        {
            "zh": f"“{localised(d.name, 'zh')}”在回答中找不到能证明它的句子："
            f"分数上限为 {NO_EVIDENCE_CAP:.1f}，置信度减半。",
            "en": f"No sentence in the answers shows “{localised(d.name, 'en')}”: "
            f"its score is capped at {NO_EVIDENCE_CAP:.1f} and its confidence "
            "halved.",
            "ja": f"回答に「{localised(d.name, 'ja')}」を示す文が見つかりません："
            f"得点の上限は {NO_EVIDENCE_CAP:.1f}、信頼度は半分にしました。",
        },
    )


def _with_copy_follow_ups(
    report: Report,
    copies: tuple[Copy, ...],
    questions: Mapping[str, dict[str, str]],
    numbers: Mapping[str, int],
) -> tuple[FollowUp, ...]:
    """A follow-up question on each copied answer first, then the other follow-ups."""
    copied = {c.question_id for c in copies}
    asked = [
        copy_follow_up(
            c.question_id,
            next((a.dimensions for a in report.answers if a.question_id == c.question_id), ()),
            questions.get(c.question_id, {}),
            numbers.get(c.original_id, c.original_id),
        )
        for c in copies
    ]
    kept = tuple(f for f in report.follow_ups if f.question_id not in copied)
    return (*asked, *kept)[: max(MAX_FOLLOW_UPS, len(asked))]


def finalise_report(
    report: Report,
    model: CompetencyModel,
    copies: tuple[Copy, ...] = (),
    questions: Mapping[str, dict[str, str]] | None = None,
) -> Report:
    """The report as it must read: evidence or an honest "none" for every scored dimension,
    copies credited once and flagged, calibration named where it changed a score, and job
    match, strengths, gaps and summary derived from the final dimension scores."""
    copied = {c.question_id for c in copies}
    originals = {c.question_id: c.original_id for c in copies}
    texts = {
        a.question_id: {str(sentence.get("text", "")) for sentence in a.sentences}
        for a in report.answers
    }

    def credited(items: tuple[Evidence, ...], questions: tuple[str, ...] | None) -> tuple:
        # A quote the engine took from a copy belongs to the answer it copies when that
        # answer holds the same sentence and its question assesses the dimension.
        out: list[Evidence] = []
        for e in items:
            if e.question_id in copied:
                original = originals[e.question_id]
                if e.quote not in texts.get(original, set()) or (
                    questions is not None and original not in questions
                ):
                    continue
                e = replace(e, question_id=original)
            if e not in out:
                out.append(e)
        return tuple(out)

    calibrated: list[DimensionScore] = []
    dimensions: list[DimensionScore] = []
    for d in report.dimensions:
        changed = d.calibrated and d.score is not None and d.score != d.raw_score
        d = replace(d, evidence=credited(d.evidence, d.questions), calibrated=changed)
        if changed:
            calibrated.append(d)
        dimensions.append(_with_evidence_rule(d, report))
    numbers = {a.question_id: i for i, a in enumerate(report.answers, 1)}
    notes = [n for n in report.notes if n.code != "calibrated"]
    if calibrated and report.calibration is not None:
        notes.append(_calibrated_note(report.calibration.get("version", ""), calibrated))
    notes.extend(
        _no_evidence_note(d) for d in dimensions if d.components.get("no_evidence") and d.score
    )
    for c in copies:
        notes.append(Note("copied_answer", copy_note_text(c, numbers), c.question_id))
    derived = _derived(report, dimensions, model)
    summary = derived.summary
    if copies:
        summary = {
            "zh": summary["zh"] + f"注意：{len(copies)} 道题的回答是其他回答的复制，只计一次。",
            "en": summary["en"]
            + (
                " Note: 1 answer repeats another answer and was credited once."
                if len(copies) == 1
                else f" Note: {len(copies)} answers repeat another answer and were credited once."
            ),
            "ja": summary.get("ja", "")
            + f"注意：{len(copies)} 問の回答は他の回答の繰り返しのため、一度だけ採点しました。",
        }
    extra = dict(report.extra)
    follow_ups = report.follow_ups
    if copies:
        extra["copies"] = describe(copies)
        follow_ups = _with_copy_follow_ups(report, copies, questions or {}, numbers)
    return replace(
        derived,
        key_examples=tuple(
            e
            for e in credited(report.key_examples, None)
            if any(
                e.dimension_id == d.id and e.quote in {x.quote for x in d.evidence}
                for d in dimensions
            )
        ),
        follow_ups=follow_ups,
        summary=summary,
        notes=tuple(notes),
        calibration=report.calibration if calibrated else None,
        extra=extra,
    )
