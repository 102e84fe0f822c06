"""A report re-read with HR's final scores (SPEC F1, F2, F4).

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
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from hireflow.scoring.engine import _findings, _summary, job_match
from hireflow.scoring.models import CompetencyModel, localised
from hireflow.scoring.report import DimensionScore, Note, Report

__all__ = ["AdjustError", "rederive_report"]


class AdjustError(ValueError):
    """Final scores that cannot apply to the report (unknown or unassessed dimension, range)."""


def _final(dimension: DimensionScore, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AdjustError(f"{dimension.id}: the final score must be a number")
    if not 0 <= value <= 10:
        raise AdjustError(f"{dimension.id}: the final score must be between 0 and 10")
    if not dimension.assessed or dimension.score is None:
        raise AdjustError(f"{dimension.id}: the AI did not assess this dimension")
    return round(float(value), 4) + 0.0


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
        dimensions.append(replace(d, score=final, level=round(final / 2.0, 4) + 0.0))
    if not changed:
        return report
    scores = {d.id: d.score for d in dimensions}
    match, coverage = job_match(model, scores)
    strengths, gaps = _findings(dimensions, report.answers, report.language)
    summary = _summary(dimensions, match, coverage, report.answers, report.language)
    names_zh = "、".join(
        f"{localised(known[i].name, 'zh')}（AI {v['ai']:.1f} → {v['final']:.1f}）"
        for i, v in changed.items()
    )
    names_en = ", ".join(
        f"{localised(known[i].name, 'en')} (AI {v['ai']:.1f} → {v['final']:.1f})"
        for i, v in changed.items()
    )
    note = Note(
        "hr_adjusted",
        {
            "zh": f"HR 调整了以下维度的分数：{names_zh}；"
            "岗位匹配度、优势、差距和总结按调整后的分数重新得出，AI 的原始分数保留在旁。",
            "en": f"HR adjusted the score of {names_en}; job match, strengths, gaps and the "
            "summary follow the final scores, with the AI's original scores kept beside them.",
        },
    )
    extra = dict(report.extra)
    extra["hr_adjusted"] = changed
    extra["ai_job_match"] = report.job_match
    return replace(
        report,
        job_match=match,
        match_coverage=coverage,
        dimensions=tuple(dimensions),
        strengths=strengths,
        gaps=gaps,
        summary=summary,
        notes=(*(n for n in report.notes if n.code != "hr_adjusted"), note),
        extra=extra,
    )
