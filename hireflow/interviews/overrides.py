"""HR overrides of AI scores, carried everywhere scores are read (SPEC F1, F4, G1).

The AI's report (``InterviewReport.body``, with its SHA-256) is never edited. An override is
an adjustment row (a calibration correction) plus:

- the report as it reads with the final scores, re-derived by the engine's own rules
  (:func:`hireflow.scoring.adjust.rederive_report`: job match, strengths, gaps, summary), kept
  as ``final_body`` with ``final_scores`` / ``final_job_match`` for lists and rankings;
- a new ``interview_result`` entry in the HR record stating the final scores with the AI's
  beside them and HR's reason, which ``supersedes`` the entry it restates. The chain keeps
  both; record search, talent-pool filters, screening and matching read the entry in effect.

The same transaction holds the audit row of the caller's adjustment (``hr.adjust_score``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal
from hireflow.interviews.models import InterviewReport, InterviewSession, ScoreAdjustment
from hireflow.records import service as records
from hireflow.records.models import RecordEntry
from hireflow.records.service import RecordErased
from hireflow.records.timeline import Actor
from hireflow.scoring.adjust import rederive_report
from hireflow.scoring.models import load_model, localised
from hireflow.scoring.report import Report

__all__ = [
    "final_report",
    "final_scores",
    "record_report",
    "record_texts",
    "report_scores",
    "restate",
    "stored_report",
]


def final_scores(session: Session, interview_id: int) -> dict[str, float]:
    """HR's newest score per dimension of one interview."""
    latest: dict[str, float] = {}
    for row in session.scalars(
        select(ScoreAdjustment)
        .where(ScoreAdjustment.interview_id == interview_id)
        .order_by(ScoreAdjustment.id)
    ):
        latest[row.dimension_id] = row.hr_score
    return latest


def stored_report(body: str | None) -> Report | None:
    """A stored report body as a ``Report``; None when there is none or it was erased (an
    erasure leaves ``{}``)."""
    if body is None or body.strip() in ("", "{}"):
        return None
    return Report.from_json(body)


def final_report(row: InterviewReport | None) -> Report | None:
    """The report in effect: re-derived after an HR override, else the AI's (None before
    scoring or after an erasure)."""
    if row is None:
        return None
    return stored_report(row.final_body if row.final_body is not None else row.body)


def record_texts(report: Report, lang: str) -> dict[str, Any]:
    """The personal part of an interview result in the record: summary, strengths, gaps,
    quoted evidence and follow-up questions in the report's language, and the same prose in
    every language the report has (``localised``), so each reader of the record gets theirs.
    The quotes stay as the candidate said them."""
    return {
        "summary": report.summary.get(lang) or report.summary.get("en", ""),
        "strengths": [localised(f.text, lang) for f in report.strengths],
        "gaps": [localised(f.text, lang) for f in report.gaps],
        "evidence": [
            {"quote": e.quote, "question_id": e.question_id, "dimension_id": e.dimension_id}
            for e in report.key_examples
        ],
        "follow_ups": [localised(f.text, lang) for f in report.follow_ups],
        "localised": {
            "summary": _languages(report.summary),
            "strengths": [_languages(f.text) for f in report.strengths],
            "gaps": [_languages(f.text) for f in report.gaps],
            "follow_ups": [_languages(f.text) for f in report.follow_ups],
        },
    }


def report_scores(report: Report) -> dict[str, float]:
    """A report's scores by dimension (a dimension it could not score left out)."""
    return {d.id: d.score for d in report.dimensions if d.score is not None}


def record_report(
    session: Session,
    actor: Actor,
    person_id: int,
    report: Report,
    *,
    opening_id: int | None,
    interview_id: int | None,
    **more: Any,
) -> RecordEntry:
    """``report`` into the person's HR record: its scores, job match and texts (the AI
    interview's, HR's restatement of it, a live interview's); ``more`` is the rest of
    ``records.record_interview_report``'s arguments (status, source, what it restates)."""
    return records.record_interview_report(
        session,
        actor,
        person_id,
        opening_id=opening_id,
        interview_id=interview_id,
        scores=report_scores(report),
        match_percent=report.job_match,
        **more,
        **record_texts(report, report.language),
    )


def _languages(text: Mapping[str, str] | None) -> dict[str, str]:
    """A report text's non-empty versions in the product's languages."""
    return {lang: text[lang] for lang in ("zh", "en", "ja") if text and text.get(lang)}


def restate(
    session: Session,
    principal: Principal,
    interview: InterviewSession,
    row: InterviewReport,
    ai_report: Report,
    reason: str,
    now: datetime,
) -> Report:
    """Re-derive the report from every adjustment so far and restate it in the HR record
    (no commit). Returns the report in effect."""
    final = rederive_report(
        ai_report, final_scores(session, interview.id), load_model(interview.model)
    )
    row.final_body = final.to_json()
    row.final_scores = report_scores(final)
    row.final_job_match = final.job_match
    row.adjusted_at = now
    restated = row.final_entry_id or row.record_entry_id
    if restated is None:
        return final  # the record refused the AI's result (erased): nothing to restate
    try:
        entry = record_report(
            session,
            principal,
            interview.candidate_id,
            final,
            opening_id=interview.opening_id,
            interview_id=interview.id,
            ai_scores=report_scores(ai_report),
            ai_match_percent=ai_report.job_match,
            supersedes=restated,
            reason=reason,
            status=None,
            source="hr_adjustment",
            commit=False,
        )
    except RecordErased:
        return final
    row.final_entry_id = entry.id
    return final
