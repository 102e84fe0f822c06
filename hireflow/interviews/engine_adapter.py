"""The scoring engine's view of an interview: its input, the company's active calibration,
the report it computes and the report stored."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.vectors import platform_embedder
from hireflow.core.settings import get_settings
from hireflow.interviews import coding
from hireflow.interviews.models import (
    CompanyCalibration,
    InterviewAnswer,
    InterviewCodeRun,
    InterviewReport,
    InterviewSession,
)
from hireflow.interviews.overrides import stored_report
from hireflow.interviews.sessions import answers_of, questions_of
from hireflow.scoring.calibration import CompanyCalibration as EngineCalibration
from hireflow.scoring.coding import outcome_to_dict
from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import InterviewInput, interview_from_dict
from hireflow.scoring.judge import judge_from_env
from hireflow.scoring.models import load_model
from hireflow.scoring.report import Report


def _audio_features(speech: dict[str, Any] | None) -> dict[str, float] | None:
    """The speech features the engine shows as observations (never scored)."""
    if not speech or speech.get("silent"):
        return None
    out: dict[str, float] = {}
    rate = speech.get("speech_rate")
    if isinstance(rate, int | float):
        unit = str(speech.get("rate_unit", ""))
        out["speech_rate_cpm" if unit.startswith("chars") else "speech_rate_wpm"] = float(rate)
    speaking = speech.get("speaking_time") or 0
    pauses = speech.get("pauses") or {}
    if speaking and isinstance(pauses.get("total"), int | float):
        out["pause_ratio"] = round(float(pauses["total"]) / float(speaking), 4)
    long_pauses = [p for p in pauses.get("pauses", []) or [] if _pause_length(p) >= 2.0]
    out["long_pauses"] = float(len(long_pauses))
    if isinstance(speech.get("filler_count"), int | float):
        out["filler_count"] = float(speech["filler_count"])
    if isinstance(speech.get("duration"), int | float):
        out["duration_s"] = float(speech["duration"])
    return out or None


def _pause_length(pause: Any) -> float:
    if isinstance(pause, dict):
        value = pause.get("length", pause.get("duration", 0))
        return float(value) if isinstance(value, int | float) else 0.0
    if isinstance(pause, list | tuple) and len(pause) == 2:
        return float(pause[1]) - float(pause[0])
    return 0.0


def interview_input(
    interview: InterviewSession,
    answers: dict[str, InterviewAnswer],
    code_runs: dict[str, InterviewCodeRun] | None = None,
) -> InterviewInput:
    """The engine's input: the interview's questions and each answer's text or transcript;
    a coding answer is its grading's result line and its code (``code_runs``: the
    submission of each coding question), with the grading itself, from which the engine
    takes its level and evidence."""
    model = load_model(interview.model)
    rows = []
    for question in questions_of(interview):
        answer = answers.get(str(question.get("id")))
        if answer is None or answer.status != "answered":
            continue
        outcome = None
        if answer.mode == "code":
            run = (code_runs or {}).get(answer.question_id)
            text = coding.answer_text(run, interview.language)
            outcome = coding.outcome_of(run) if run is not None else None
        else:
            text = answer.text if answer.mode == "text" else (answer.transcript or "")
        item: dict[str, Any] = {"question_id": answer.question_id, "text": text or ""}
        if outcome is not None:  # its level comes from the grading (scoring.coding)
            item["coding"] = outcome_to_dict(outcome)
        features = _audio_features(answer.speech) if answer.mode != "text" else None
        if features:
            item["audio_features"] = features
        rows.append(item)
    data = {
        "language": interview.language,
        "candidate_ref": f"interview-{interview.id}",
        "questions": questions_of(interview),
        "answers": rows,
    }
    return interview_from_dict(data, model)


def active_calibration(session: Session, tenant_id: int) -> EngineCalibration | None:
    """The company's calibration in use, as the engine applies it (None: none is on)."""
    row = session.scalars(
        select(CompanyCalibration)
        .where(CompanyCalibration.tenant_id == tenant_id, CompanyCalibration.active.is_(True))
        .order_by(CompanyCalibration.version.desc())
    ).first()
    if row is None:
        return None
    return EngineCalibration.from_dict(row.data).activate()


def compute_report(session: Session, interview: InterviewSession) -> Report:
    """Score the interview (deterministic: the same answers give the same report)."""
    answers = answers_of(session, interview)
    calibration = active_calibration(session, interview.tenant_id)
    settings = get_settings()
    return score_interview(
        interview_input(interview, answers, coding.submissions(session, interview.id)),
        judge=judge_from_env(settings),
        calibration=calibration,
        embedder=platform_embedder(settings),
        engine="1.1" if settings.scoring_learned else "1.0",
    )


def report_of(session: Session, interview: InterviewSession) -> Report | None:
    """The stored report as a ``Report`` (None before scoring, or once erased on request)."""
    row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).first()
    return stored_report(row.body) if row is not None else None
