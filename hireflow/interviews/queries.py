"""Reads of the interview domain, always narrowed by the caller's scope (``restrict``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.core.rows import shaped
from hireflow.interviews import ai_gate, engine_adapter, hr, overrides, schemas, sessions
from hireflow.interviews.models import (
    CandidateQuestion,
    CompanyCalibration,
    CompanyFaq,
    InterviewAnswer,
    InterviewEvent,
    InterviewReport,
    InterviewSession,
    ScoreAdjustment,
)
from hireflow.interviews.progress import waiting_for_report
from hireflow.openings.models import Opening
from hireflow.records.models import RetentionRule
from hireflow.scheduling.models import DEVELOPMENT, Invitation
from hireflow.scoring.models import localised

ONLINE_WITHIN = timedelta(seconds=45)
STATUSES = ("invited", "verified", "in_progress", "submitted", "scored", "reviewed")


def _row(
    interview: InterviewSession,
    name: str,
    title: str,
    match: float | None,
    ai_match: float | None = None,
):
    waiting = waiting_for_report(interview, utcnow())
    return shaped(
        schemas.InterviewOut,
        interview,
        candidate_name=name,
        opening_title=title,
        job_match=match,
        ai_job_match=ai_match,
        human_review_requested=interview.human_review_requested_at is not None,
        waiting=waiting.state if waiting else None,
    )


def interviews(
    session: Session,
    principal: Principal,
    *,
    opening_id: int | None = None,
    status: str | None = None,
    sort: str = "activity",
    limit: int = 100,
    offset: int = 0,
) -> list[schemas.InterviewOut]:
    """The interviews the caller may see, newest activity first, or ranked by the job match
    in effect (``sort="match"``: HR's overrides count, the AI's figure is shown beside)."""
    require(principal, "interviews.read")
    effective = func.coalesce(InterviewReport.final_job_match, InterviewReport.job_match)
    stmt = (
        select(
            InterviewSession, Candidate.name, Opening.title, effective, InterviewReport.job_match
        )
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(Opening, Opening.id == InterviewSession.opening_id)
        .outerjoin(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
    )
    stmt = restrict(stmt, principal, "interviews.read", InterviewSession)
    if opening_id is not None:
        stmt = stmt.where(InterviewSession.opening_id == opening_id)
    if status in STATUSES:
        stmt = stmt.where(InterviewSession.status == status)
    if sort == "match" and not _may_rank(session, principal, stmt):
        sort = "activity"
    if sort == "match":
        stmt = stmt.order_by(effective.is_(None), effective.desc(), InterviewSession.id.desc())
    else:
        stmt = stmt.order_by(InterviewSession.updated_at.desc(), InterviewSession.id.desc())
    rows = session.execute(stmt.limit(limit).offset(offset)).all()
    scored = {(row[0].opening_id, row[0].candidate_id) for row in rows if row[4] is not None}
    hidden = ai_gate.withheld(session, principal, scored)
    return [
        _row(i, name, title, None, None)
        if (i.opening_id, i.candidate_id) in hidden
        else _row(i, name, title, match, ai)
        for i, name, title, match, ai in rows
    ]


def _may_rank(session: Session, principal: Principal, stmt: Any) -> bool:
    """Whether the caller may see the interviews ranked by job match: not while the scores of
    any of them are withheld, since the order alone, on any page, would rank those."""
    scored = stmt.with_only_columns(
        InterviewSession.opening_id, InterviewSession.candidate_id
    ).where(InterviewReport.job_match.is_not(None))
    pairs = {(int(o), int(c)) for o, c in session.execute(scored.distinct())}
    return not ai_gate.withheld(session, principal, pairs)


def live(
    session: Session, principal: Principal, now: datetime | None = None
) -> list[schemas.LiveOut]:
    """Interviews in progress: which question, time on it, answers so far, flags (E5)."""
    require(principal, "interviews.live")
    now = now or utcnow()
    stmt = (
        select(InterviewSession, Candidate.name, Opening.title)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(Opening, Opening.id == InterviewSession.opening_id)
        .where(InterviewSession.status == "in_progress")
    )
    stmt = restrict(stmt, principal, "interviews.live", InterviewSession)
    rows = session.execute(stmt.order_by(InterviewSession.started_at.desc()).limit(500)).all()
    ids = [interview.id for interview, _n, _t in rows]
    answers: dict[int, dict[str, InterviewAnswer]] = {i: {} for i in ids}
    if ids:
        for answer in session.scalars(
            select(InterviewAnswer).where(InterviewAnswer.interview_id.in_(ids))
        ):
            answers[answer.interview_id][answer.question_id] = answer
    out = []
    for interview, name, title in rows:
        questions = sessions.questions_of(interview)
        index = next(
            (i for i, q in enumerate(questions) if q.get("id") == interview.current_question),
            None,
        )
        current = answers[interview.id].get(interview.current_question)
        seconds = None
        if current is not None and current.started_at is not None:
            seconds = round((now - current.started_at).total_seconds(), 0)
        out.append(
            schemas.LiveOut(
                id=interview.id,
                candidate_name=name,
                opening_title=title,
                question_index=index,
                total=len(questions),
                question_text=localised(questions[index].get("text"), interview.language)
                if index is not None
                else "",
                seconds_on_question=seconds,
                answered=sum(1 for a in answers[interview.id].values() if a.status == "answered"),
                flag_count=interview.flag_count,
                last_seen_at=interview.last_seen_at,
                online=interview.last_seen_at is not None
                and now - interview.last_seen_at <= ONLINE_WITHIN,
            )
        )
    return out


@dataclass
class AnswerView:
    """One answer on the report page: its question, text or transcript, media and flags.

    ``segments`` carry ``hl`` when they hold a sentence the report quotes as evidence: the
    marked highlights of the playback (SPEC E9). ``quotes`` are those sentences.
    """

    answer: InterviewAnswer | None
    question: dict[str, Any]
    text: str
    segments: list[dict[str, Any]]
    flags: list[InterviewEvent]
    quotes: list[str]


def _squash(text: str) -> str:
    return "".join(ch.lower() for ch in text if ch.isalnum())


def _overlaps(segment: str, quote: str) -> bool:
    """Whether a transcript segment holds a good part of a quoted sentence (or vice versa)."""
    a, b = _squash(segment), _squash(quote)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return match.size >= max(6, int(0.5 * min(len(a), len(b))))


def evidence_quotes(report: Any) -> dict[str, list[str]]:
    """Quoted sentences of a report by question (key examples and each dimension's)."""
    quotes: dict[str, list[str]] = {}
    if report is None:
        return quotes
    items = list(report.key_examples)
    for dimension in report.dimensions:
        items.extend(dimension.evidence)
    for item in items:
        bucket = quotes.setdefault(item.question_id, [])
        if item.quote not in bucket:
            bucket.append(item.quote)
    return quotes


@dataclass
class Detail:
    interview: InterviewSession
    candidate: Candidate
    opening: Opening
    report: Any  # the AI's report, as scored
    report_row: InterviewReport | None
    answers: list[AnswerView]
    adjustments: list[ScoreAdjustment]
    effective: dict[str, float | None]
    flags: list[InterviewEvent]
    asked: list[CandidateQuestion]
    final: Any = None  # the report in effect: re-derived after HR overrides, else the AI's

    @property
    def adjusted(self) -> bool:
        return self.report_row is not None and self.report_row.adjusted_at is not None

    @property
    def ai_scores(self) -> dict[str, float | None]:
        """The AI's score of each dimension as its report states it (after calibration);
        an adjustment row keeps the uncalibrated one, which calibrations are fitted on."""
        if self.report is None:
            return {}
        return {d.id: d.score for d in self.report.dimensions}

    @property
    def calibrated_dimensions(self) -> list[str]:
        """Dimensions whose AI score an active company calibration actually changed."""
        if self.report is None:
            return []
        return [
            d.id
            for d in self.report.dimensions
            if d.calibrated and d.score is not None and d.score != d.raw_score
        ]


def detail(session: Session, interview: InterviewSession) -> Detail:
    """Everything the report page shows of one interview the caller was allowed to open."""
    candidate = session.get(Candidate, interview.candidate_id)
    opening = session.get(Opening, interview.opening_id)
    assert candidate is not None and opening is not None
    report_row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).first()
    report = engine_adapter.report_of(session, interview) if report_row is not None else None
    answers = {
        a.question_id: a
        for a in session.scalars(
            select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
        )
    }
    events = list(
        session.scalars(
            select(InterviewEvent)
            .where(InterviewEvent.interview_id == interview.id)
            .order_by(InterviewEvent.id)
        )
    )
    flags = [e for e in events if e.is_flag]
    quotes = evidence_quotes(report)
    views = []
    for question in sessions.questions_of(interview):
        qid = str(question.get("id"))
        answer = answers.get(qid)
        text = ""
        segments: list[dict[str, Any]] = []
        mine = quotes.get(qid, [])
        if answer is not None:
            text = answer.text if answer.mode == "text" else (answer.transcript or "")
            if answer.segments:
                segments = json.loads(answer.segments)
                for segment in segments:
                    segment["hl"] = any(_overlaps(segment.get("text", ""), q) for q in mine)
        views.append(
            AnswerView(
                answer, question, text, segments, [f for f in flags if f.question_id == qid], mine
            )
        )
    adjustments = list(
        session.scalars(
            select(ScoreAdjustment)
            .where(ScoreAdjustment.interview_id == interview.id)
            .order_by(ScoreAdjustment.id)
        )
    )
    asked = list(
        session.scalars(
            select(CandidateQuestion)
            .where(CandidateQuestion.interview_id == interview.id)
            .order_by(CandidateQuestion.id)
        )
    )
    return Detail(
        interview=interview,
        candidate=candidate,
        opening=opening,
        report=report,
        report_row=report_row,
        answers=views,
        adjustments=adjustments,
        effective=hr.effective_scores(session, interview, report),
        flags=flags,
        asked=asked,
        final=overrides.final_report(report_row) if report_row is not None else None,
    )


def report_out(detail: Detail) -> schemas.ReportOut:
    row = detail.report_row
    return schemas.ReportOut(
        interview=_row(
            detail.interview,
            detail.candidate.name,
            detail.opening.title,
            row.effective_job_match if row else None,
            row.job_match if row else None,
        ),
        report=detail.report.to_dict() if detail.report is not None else None,
        final_report=detail.final.to_dict() if detail.adjusted and detail.final else None,
        report_sha256=row.sha256 if row else None,
        calibrated_dimensions=detail.calibrated_dimensions,
        final_entry_id=row.final_entry_id if row else None,
        adjustments=[
            schemas.AdjustmentOut.model_validate(a).model_copy(
                update={"ai_report_score": detail.ai_scores.get(a.dimension_id)}
            )
            for a in detail.adjustments
        ],
        effective_scores=detail.effective,
        flags=[
            {
                "id": f.id,
                "kind": f.kind,
                "question_id": f.question_id,
                "data": f.data,
                "at": f.created_at.isoformat(),
            }
            for f in detail.flags
        ],
        conclusion=detail.interview.conclusion,
        decision=detail.interview.decision,
        record_entry_id=row.record_entry_id if row else None,
    )


def forwarded_questions(
    session: Session, principal: Principal, *, status: str | None = "forwarded", limit: int = 200
) -> list[schemas.CandidateQuestionOut]:
    """Questions candidates asked that need (or got) HR's reply."""
    require(principal, "interviews.respond")
    stmt = restrict(select(CandidateQuestion), principal, "interviews.respond", CandidateQuestion)
    if status:
        stmt = stmt.where(CandidateQuestion.status == status)
    rows = session.scalars(stmt.order_by(CandidateQuestion.id.desc()).limit(limit))
    return [schemas.CandidateQuestionOut.model_validate(r) for r in rows]


def faqs(session: Session, principal: Principal) -> list[CompanyFaq]:
    require(principal, "interviews.faq")
    stmt = restrict(select(CompanyFaq), principal, "interviews.faq", CompanyFaq)
    return list(session.scalars(stmt.order_by(CompanyFaq.id)))


def calibrations(session: Session, principal: Principal) -> list[CompanyCalibration]:
    require(principal, "interviews.calibrate")
    stmt = restrict(
        select(CompanyCalibration), principal, "interviews.calibrate", CompanyCalibration
    )
    return list(session.scalars(stmt.order_by(CompanyCalibration.version.desc()).limit(50)))


def calibration(session: Session, principal: Principal, calibration_id: int) -> CompanyCalibration:
    return require_visible(
        session, CompanyCalibration, calibration_id, principal, "interviews.calibrate"
    )


def adjustment_count(session: Session, principal: Principal) -> int:
    require(principal, "interviews.calibrate")
    return int(
        session.scalar(
            select(func.count())
            .select_from(ScoreAdjustment)
            .where(ScoreAdjustment.tenant_id == principal.tenant_id)
        )
        or 0
    )


def retention_months(session: Session, tenant_id: int) -> int | None:
    """How long the company keeps an unsuccessful candidate's record (for the notice)."""
    rows = session.execute(
        select(RetentionRule.status, RetentionRule.months).where(
            RetentionRule.tenant_id == tenant_id, RetentionRule.enabled.is_(True)
        )
    ).all()
    if not rows:
        return None
    for status, months in rows:
        if status == "rejected":
            return int(months)
    return max(int(months) for _status, months in rows)


def for_hiring() -> ColumnElement[bool]:
    """Interviews of a hiring process, not a hired employee's development re-assessment (whose
    report must not count as, or act on, the application they were hired through)."""
    development = select(Invitation.id).where(Invitation.purpose == DEVELOPMENT)
    return InterviewSession.invitation_id.not_in(development)
