"""Questions about the job (SPEC E6): the candidate asks, the opening's text and the company
FAQ answer with a quoted passage or the question goes to HR, who answer it; HR keeps the FAQ."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.vectors import platform_embedder
from hireflow.core import audit
from hireflow.core.db import retry_when_busy, utcnow
from hireflow.core.errors import N_, Conflict
from hireflow.core.permissions import Principal, get_visible, require, require_visible
from hireflow.core.rows import shaped
from hireflow.interviews import qa, qa_passages, schemas, state
from hireflow.interviews.errors import InterviewNotStarted
from hireflow.interviews.models import CandidateQuestion, CompanyFaq, InterviewSession
from hireflow.interviews.owners import notify_owners
from hireflow.interviews.sessions import add_event, audit_interview
from hireflow.openings.models import Opening
from hireflow.scoring.embedding import Embedder

MAX_CANDIDATE_QUESTIONS = 20


@retry_when_busy
def ask(
    session: Session,
    interview: InterviewSession,
    data: schemas.AskIn,
    now: datetime | None = None,
    embedder: Embedder | None = None,
) -> schemas.AskOut:
    """Answer the candidate's question from the opening's text and the company FAQ, quoting
    the passage, or forward it to HR honestly."""
    now = now or utcnow()
    if interview.status in (state.State.INVITED,):
        raise InterviewNotStarted()
    count = session.scalar(
        select(func.count())
        .select_from(CandidateQuestion)
        .where(CandidateQuestion.interview_id == interview.id)
    )
    if int(count or 0) >= MAX_CANDIDATE_QUESTIONS:
        raise Conflict(
            N_("You have asked many questions; the recruiter will gladly answer the rest."),
            code="too_many_questions",
        )
    opening = session.get(Opening, interview.opening_id)
    assert opening is not None
    faqs = session.execute(
        select(CompanyFaq.id, CompanyFaq.question, CompanyFaq.answer)
        .where(CompanyFaq.tenant_id == interview.tenant_id)
        .order_by(CompanyFaq.id)
        .limit(300)
    ).all()
    passages = qa_passages.passages_for(
        opening.description or "",
        [(faq_id, question, answer) for faq_id, question, answer in faqs],
        location=opening.location or "",
        title=opening.title or "",
    )
    result = qa.answer_question(data.question, passages, embedder or platform_embedder())
    row = CandidateQuestion(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        opening_id=interview.opening_id,
        question=data.question.strip(),
        status=result.status,
        source=result.passage.source if result.passage else "",
        faq_id=result.passage.faq_id if result.passage else None,
        quote=result.passage.quote if result.passage else "",
        similarity=result.score,
        created_at=now,
    )
    session.add(row)
    session.flush()
    add_event(
        session,
        interview,
        "candidate_question",
        data={"question": row.id, "status": row.status},
        now=now,
    )
    if result.status == "forwarded":
        notify_owners(
            session,
            interview,
            f"interview-question:{row.id}",
            N_("A candidate asked a question"),
            N_(
                "%(candidate)s asked a question about %(opening)s that the job description "
                "and the FAQ do not answer. Please reply on the interview page."
            ),
        )
    session.commit()
    return shaped(schemas.AskOut, row)


def save_faq(
    session: Session,
    principal: Principal,
    data: schemas.FaqIn,
    faq_id: int | None = None,
) -> CompanyFaq:
    require(principal, "interviews.faq")
    if faq_id is None:
        faq = CompanyFaq(tenant_id=principal.tenant_id, created_by_id=principal.user_id)
        session.add(faq)
        action = "interview_faq.created"
    else:
        faq = get_visible(session, CompanyFaq, faq_id, principal, "interviews.faq")
        action = "interview_faq.updated"
    faq.question = data.question.strip()
    faq.answer = data.answer.strip()
    faq.language = data.language
    session.flush()
    audit.commit_recorded(
        session,
        action,
        actor=principal,
        target_type="interview_faq",
        target_id=faq.id,
        new={"question": faq.question},
    )
    return faq


def delete_faq(session: Session, principal: Principal, faq_id: int) -> None:
    faq = require_visible(session, CompanyFaq, faq_id, principal, "interviews.faq")
    audit.commit_deleted(
        session, faq, "interview_faq.deleted", actor=principal, target_type="interview_faq"
    )


def answer_forwarded(
    session: Session,
    principal: Principal,
    question_id: int,
    data: schemas.HrAnswerIn,
    now: datetime | None = None,
) -> CandidateQuestion:
    """HR replies to a question the candidate asked; a page still open shows it at once."""
    now = now or utcnow()
    row = require_visible(session, CandidateQuestion, question_id, principal, "interviews.respond")
    row.hr_answer = data.answer.strip()
    row.status = "answered_by_hr"
    row.answered_by_id = principal.user_id
    row.answered_at = now
    interview = session.get(InterviewSession, row.interview_id)
    assert interview is not None
    add_event(session, interview, "hr_answer", data={"question": row.id}, now=now)
    audit_interview(
        session,
        "interview.question_answered",
        interview,
        actor=principal,
        new={"question": row.id},
    )
    session.commit()
    return row
