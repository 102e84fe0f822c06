"""HR's side of an interview: live pushes, score adjustments (calibration corrections),
conclusions, retrying scoring, and reading the report and recordings (audited)."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.storage import ResidencyError
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews import ai_gate, overrides, schemas, state
from hireflow.interviews.engine_adapter import report_of
from hireflow.interviews.errors import (
    DeadlinePassed,
    InterviewClosed,
    ScorecardFirst,
    ScoringInProgress,
)
from hireflow.interviews.models import (
    InterviewAnswer,
    InterviewReport,
    InterviewSession,
    ScoreAdjustment,
)
from hireflow.interviews.overrides import final_scores
from hireflow.interviews.progress import waiting_for_report
from hireflow.interviews.recordings import read_media
from hireflow.interviews.sessions import (
    add_event,
    apply_transition,
    audit_interview,
    questions_of,
    refuse_if_erased,
)
from hireflow.records import service as records
from hireflow.records.models import PersonRecord
from hireflow.scoring.calibration import CalibrationError, corrections_from_report
from hireflow.scoring.models import ModelError, load_model, question_from_dict
from hireflow.scoring.report import Report

MAX_PUSHED_QUESTIONS = 5


def _staff_interview(
    session: Session, principal: Principal, interview_id: int, capability: str
) -> InterviewSession:
    return require_visible(session, InterviewSession, interview_id, principal, capability)


def push_question(
    session: Session,
    principal: Principal,
    interview_id: int,
    data: schemas.PushQuestionIn,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Add a supplementary question to a running interview; the candidate's page shows it
    without a reload (live event)."""
    now = now or utcnow()
    interview = _staff_interview(session, principal, interview_id, "interviews.live")
    if interview.status != state.State.IN_PROGRESS:
        raise Conflict(N_("Questions can only be added while the candidate is answering."))
    if now > interview.deadline:
        raise DeadlinePassed()
    existing = questions_of(interview)
    pushed = [q for q in existing if str(q.get("id", "")).startswith("hr-")]
    if len(pushed) >= MAX_PUSHED_QUESTIONS:
        raise Conflict(N_("At most five questions can be added to one interview."))
    model = load_model(interview.model)
    dimension = (data.dimension_id or "").strip()
    if dimension and dimension not in model.dimension_ids:
        raise ValidationFailed(N_("Unknown competency."), fields={"dimension_id": "unknown"})
    text = data.text.strip()
    question_id = f"hr-{len(pushed) + 1}"
    raw = {
        "id": question_id,
        "kind": "behavioural" if dimension else "motivation",
        "text": {"zh": text, "en": text},
        "dimensions": [dimension] if dimension else [],
        "time_limit_s": data.time_limit_s,
        "reference_answers": {},
        "key_points": {},
        "rationale": {"zh": "HR 在面试中追加的问题。", "en": "Added by HR during the interview."},
    }
    try:
        question_from_dict(raw, known_dimensions=model.dimension_ids)
    except ModelError as exc:
        raise ValidationFailed(N_("The question is not valid.")) from exc
    interview.questions = [*existing, raw]
    add_event(
        session,
        interview,
        "question_added",
        question_id=question_id,
        data={"index": len(existing), "total": len(existing) + 1, "text": text},
        now=now,
    )
    audit_interview(
        session,
        "interview.question_pushed",
        interview,
        actor=principal,
        new={"question_id": question_id, "dimension": dimension or None},
    )
    session.commit()
    return raw


def adjust_score(
    session: Session,
    principal: Principal,
    interview_id: int,
    data: schemas.AdjustIn,
    now: datetime | None = None,
) -> ScoreAdjustment:
    """HR re-scores a dimension with a reason.

    Stored as a calibration correction for the company and dimension; the report is
    re-derived with the final scores (job match, strengths, gaps, summary) and restated in
    the HR record as a new entry with the AI's scores beside HR's (``overrides.restate``).
    The AI's report itself is never changed."""
    now = now or utcnow()
    interview = _staff_interview(session, principal, interview_id, "scores.adjust")
    refuse_if_erased(session, interview)
    row = _report_row(session, interview)
    if row is None:
        raise Conflict(N_("The interview has no report yet."))
    report = report_of(session, interview)
    if report is None:
        raise Conflict(
            N_("This report was erased on request; there is nothing to adjust."),
            code="report_erased",
        )
    try:
        (correction,) = corrections_from_report(
            report,
            str(interview.tenant_id),
            {data.dimension_id: (round(data.score, 2), data.reason.strip())},
            interview_ref=f"interview-{interview.id}",
        )
    except KeyError as exc:
        raise ValidationFailed(
            N_("Unknown competency."), fields={"dimension_id": "unknown"}
        ) from exc
    except CalibrationError as exc:
        raise ValidationFailed(
            N_("The AI did not assess this competency, so there is nothing to adjust."),
            fields={"dimension_id": "not_assessed"},
        ) from exc
    previous = effective_scores(session, interview, report).get(data.dimension_id)
    adjustment = ScoreAdjustment(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        dimension_id=data.dimension_id,
        ai_score=correction.ai_score,
        hr_score=correction.hr_score,
        reason=correction.reason,
        features=dict(correction.features),
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(adjustment)
    session.flush()
    final = overrides.restate(session, principal, interview, row, report, correction.reason, now)
    audit_interview(
        session,
        "interview.score_adjusted",
        interview,
        actor=principal,
        old={
            "dimension": data.dimension_id,
            "score": previous,
            "ai": report.dimension(data.dimension_id).score,
        },
        new={
            "dimension": data.dimension_id,
            "score": correction.hr_score,
            "job_match": final.job_match,
            "ai_job_match": report.job_match,
            "entry": row.final_entry_id,
        },
    )
    session.commit()
    return adjustment


def _report_row(session: Session, interview: InterviewSession) -> InterviewReport | None:
    return session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).first()


def effective_scores(
    session: Session, interview: InterviewSession, report: Report | None
) -> dict[str, float | None]:
    """Each dimension's score in effect: HR's newest adjustment, else the AI's."""
    scores: dict[str, float | None] = {d.id: d.score for d in report.dimensions} if report else {}
    scores.update(final_scores(session, interview.id))
    return scores


def conclude(
    session: Session,
    principal: Principal,
    interview_id: int,
    data: schemas.ConclusionIn,
    now: datetime | None = None,
) -> InterviewSession:
    """HR's conclusion (scored → reviewed; a later one replaces it), noted in the record with
    the scores and job match in effect."""
    now = now or utcnow()
    interview = _staff_interview(session, principal, interview_id, "interviews.review")
    refuse_if_erased(session, interview)
    apply_transition(
        session,
        interview,
        state.Event.REVIEW,
        now,
        actor=principal,
        details={"decision": data.decision},
    )
    interview.conclusion = data.conclusion.strip()
    interview.decision = data.decision
    interview.reviewed_by_id = principal.user_id
    adjusted = final_scores(session, interview.id)
    row = _report_row(session, interview)
    records.append_entry(
        session,
        principal,
        interview.candidate_id,
        "review",
        data={"text": interview.conclusion, "conclusion": interview.conclusion},
        source="ai_interview",
        facts={
            "interview_id": interview.id,
            "decision": data.decision,
            "adjusted": adjusted,
            "job_match": row.effective_job_match if row is not None else None,
        },
        opening_id=interview.opening_id,
        commit=False,
    )
    _status_after_decision(session, principal, interview, data.decision)
    session.commit()
    return interview


# Where a decision leaves the person: "advance" waits for the next round, "reject" ends the
# application, "hold" keeps the AI interview's own status until someone decides.
DECISION_STATUS = {
    "advance": "waiting_second_round",
    "reject": "rejected",
    "hold": "ai_interview_done",
}


def _status_after_decision(
    session: Session, principal: Principal, interview: InterviewSession, decision: str
) -> None:
    status = DECISION_STATUS[decision]
    current = session.scalars(
        select(PersonRecord.status).where(PersonRecord.person_id == interview.candidate_id)
    ).first()
    if current != status:
        records.set_status(
            session,
            principal,
            interview.candidate_id,
            status,
            source="ai_interview",
            opening_id=interview.opening_id,
            commit=False,
        )


def retry_scoring(
    session: Session, principal: Principal, interview_id: int, now: datetime | None = None
) -> InterviewSession:
    """HR's "Retry now" on a submitted interview waiting for its report: queue it at once
    (after the worker was started or speech recognition installed). Never over a live run."""
    now = now or utcnow()
    interview = _staff_interview(session, principal, interview_id, "interviews.review")
    waiting = waiting_for_report(interview, now)
    if waiting is None:
        raise InterviewClosed(N_("This interview is not waiting for its report."))
    if not waiting.can_retry:
        raise ScoringInProgress()
    error = interview.scoring_error
    interview.scoring_lease_until = None
    interview.speech_pending = False
    interview.scoring_error = ""
    audit_interview(
        session,
        "interview.scoring_retried",
        interview,
        actor=principal,
        old={"waiting": waiting.state, "error": error},
    )
    enqueue_on_commit(session, "interviews.score_interview", interview.id)
    session.commit()
    return interview


def view_report(session: Session, principal: Principal, interview_id: int) -> InterviewSession:
    """Open an interview's answers and report: role and scope checked, the read audited."""
    interview = _staff_interview(session, principal, interview_id, "interviews.read")
    require(principal, "scores.read")
    if ai_gate.withheld(session, principal, [(interview.opening_id, interview.candidate_id)]):
        raise ScorecardFirst()
    audit_interview(session, "interview.viewed", interview, actor=principal)
    session.commit()
    return interview


def open_answer_media(
    session: Session, principal: Principal, interview_id: int, answer_id: int
) -> tuple[io.BufferedIOBase | Any, str, int]:
    """A recorded answer for playback: from the HR record once it landed there (that read is
    audited by the record, with its one-time code when the company requires one), else this
    domain's encrypted copy (audited here)."""

    interview = _staff_interview(session, principal, interview_id, "interviews.read")
    require(principal, "scores.read")
    answer = session.get(InterviewAnswer, answer_id)
    if answer is None or answer.interview_id != interview.id:
        raise NotFound()
    if answer.attachment_id is not None:
        opened = records.open_attachment(session, principal, answer.attachment_id)
        return opened.stream, opened.attachment.content_type, opened.attachment.size
    if not answer.media_key:
        raise NotFound()
    audit_interview(
        session,
        "interview.recording_viewed",
        interview,
        actor=principal,
        new={"answer": answer.id},
    )
    try:
        data = read_media(answer)
    except ResidencyError as exc:
        raise records.region_unreachable(answer.media_region) from exc
    session.commit()
    return io.BytesIO(data), answer.media_type, answer.media_size
