"""The candidate's side: the page state, consent (or a person instead), opening and answering
questions by text, proctoring events, and submission (SPEC E1, E3, E5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import retry_when_busy, utcnow
from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.rows import shaped
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews import coding, schemas, state
from hireflow.interviews.errors import (
    DeadlinePassed,
    InterviewClosed,
    UploadsPending,
    transition_error,
)
from hireflow.interviews.models import (
    CandidateQuestion,
    InterviewAnswer,
    InterviewEvent,
    InterviewSession,
    InterviewUpload,
)
from hireflow.interviews.owners import notify_owners
from hireflow.interviews.recordings import clear_media, delete_media, media_ref
from hireflow.interviews.sessions import (
    add_event,
    answer_with_statuses,
    answers_for_view,
    answers_up_to,
    apply_transition,
    audit_interview,
    create_answer_row,
    hold_tab,
    question_at,
    questions_of,
    refuse_finished,
    require_writable,
    run_clock,
    time_limit,
    write_changed,
)
from hireflow.records import service as records
from hireflow.records.service import SystemActor
from hireflow.scheduling.models import Invitation
from hireflow.scoring.models import localised

# The version of the notice the candidate consents to (stored with the consent, PIPL Art. 14).
NOTICE_VERSION = "ai-interview-2026-1"


def _lock_earlier(answers: dict[str, InterviewAnswer], position: int, now: datetime) -> None:
    """Moving to a question closes the ones before it: drafts become answers, nothing
    saved means skipped (structured interviews go forward only)."""
    for answer in answers.values():
        if answer.position >= position:
            continue
        if answer.status == "draft":
            answer.status = "answered"
            answer.answered_at = answer.answered_at or now
        elif answer.status == "open" and answer.media_status in ("", "uploading"):
            answer.status = "skipped"


def shown_language(session: Session, interview: InterviewSession) -> str:
    """The language questions are shown in: the invitation's when it is Japanese (the engine
    scores in Chinese or English only, so ``interview.language`` stays one of those), else the
    interview's own."""
    invitation = (
        session.get(Invitation, interview.invitation_id) if interview.invitation_id else None
    )
    if invitation is not None and (invitation.language or "").lower().startswith("ja"):
        return "ja"
    return interview.language


def question_view(
    session: Session,
    interview: InterviewSession,
    index: int,
    question: dict[str, Any],
    answer: InterviewAnswer | None,
    now: datetime,
    language: str | None = None,
) -> schemas.QuestionView:
    """One question as the candidate page shows it, with its clock and saved answer;
    ``language``: the shown language, when the caller knows it already."""
    qid = str(question.get("id"))
    window = state.question_window(time_limit(question), answer.started_at if answer else None, now)
    attempts = answer.attempts if answer else 0
    return schemas.QuestionView(
        id=qid,
        index=index,
        kind=str(question.get("kind", "")),
        text=localised(question.get("text"), language or shown_language(session, interview)),
        time_limit_s=time_limit(question),
        status=answer.status if answer else "open",
        mode=answer.mode if answer else "text",
        draft=(answer.text or "") if answer and answer.mode == "text" else "",
        started=bool(answer and answer.started_at),
        remaining_s=window.remaining_s,
        accepting=window.accepting,
        attempts=attempts,
        rerecords_left=max(0, 1 + interview.max_rerecords - attempts),
        media_status=answer.media_status if answer else "",
        media_error=answer.media_error if answer else "",
        added_by_hr=qid.startswith("hr-"),
        coding=coding.question_payload(session, interview, question, now),
    )


def candidate_state(
    session: Session, interview: InterviewSession, now: datetime | None = None
) -> schemas.CandidateStateOut:
    """The candidate page's whole state: questions with clocks and saved answers."""
    now = now or utcnow()
    answers = answers_for_view(session, interview)
    # once, not per question: the invitation it reads is usually no longer in the session
    # (nothing holds it after the link was checked), so each read was a query
    language = shown_language(session, interview)
    views = []
    statuses: dict[str, str] = {}
    for index, question in enumerate(questions_of(interview)):
        answer = answers.get(str(question.get("id")))
        view = question_view(session, interview, index, question, answer, now, language)
        statuses[view.id] = view.status
        views.append(view)
    ids = [v.id for v in views]
    last_event = session.scalar(
        select(func.max(InterviewEvent.id)).where(InterviewEvent.interview_id == interview.id)
    )
    asked = session.scalars(
        select(CandidateQuestion)
        .where(CandidateQuestion.interview_id == interview.id)
        .order_by(CandidateQuestion.id)
    )
    return shaped(
        schemas.CandidateStateOut,
        interview,
        interview_id=interview.id,
        now=now,
        notice_version=NOTICE_VERSION,
        consent_needed=interview.consent_at is None,
        human_review_requested=interview.human_review_requested_at is not None,
        questions=views,
        current_question_id=state.next_question(ids, statuses),
        answered=sum(1 for s in statuses.values() if s == "answered"),
        total=len(views),
        last_event_id=int(last_event or 0),
        asked=[schemas.AskedView.model_validate(q) for q in asked],
    )


@retry_when_busy
def give_consent(
    session: Session,
    interview: InterviewSession,
    data: schemas.ConsentIn,
    now: datetime | None = None,
) -> InterviewSession:
    """The candidate agreed to the notice: record the consent in the HR record, start."""
    _consent(session, interview, data, now or utcnow())
    session.commit()
    return interview


@retry_when_busy
def consent_and_state(
    session: Session, interview: InterviewSession, data: schemas.ConsentIn
) -> schemas.CandidateStateOut:
    """:func:`give_consent` answered with the page state, read in the consent's own
    transaction (its writes flushed) instead of a second one after the commit."""
    now = utcnow()
    _consent(session, interview, data, now)
    return state_then_commit(session, interview, now)


def state_then_commit(
    session: Session, interview: InterviewSession, now: datetime | None = None
) -> schemas.CandidateStateOut:
    """The page state as this transaction wrote it, then the commit: the same state a read
    after the commit finds (nothing is decided between the two), one transaction less."""
    session.flush()
    out = candidate_state(session, interview, now or utcnow())
    session.commit()
    return out


def _consent(
    session: Session, interview: InterviewSession, data: schemas.ConsentIn, now: datetime
) -> None:
    """The consent's checks and writes, without the commit."""
    if interview.status != state.State.VERIFIED:
        if interview.status == state.State.IN_PROGRESS and interview.consent_at is not None:
            return  # a double click, or a second tab
        raise transition_error(state.InvalidTransition(interview.status, state.Event.START))
    if now > interview.deadline:
        raise DeadlinePassed()
    if not (data.recording and data.ai_assessment):
        raise ValidationFailed(
            N_("Please agree to both points, or ask for a review by a person instead."),
            fields={"consent": "required"},
        )
    if data.notice_version != NOTICE_VERSION:
        raise Conflict(N_("The notice has changed. Please reload the page and read it again."))
    hold_tab(session, interview, data.tab, now, claim=True)
    actor = SystemActor("candidate-link", tenant_id=interview.tenant_id)
    records.record_consents(
        session,
        actor,
        interview.candidate_id,
        ("recording", "ai_assessment"),
        NOTICE_VERSION,
        True,
        method="web",
        source="ai_interview",
        commit=False,
        defer=True,  # appended to the chain after this commit (records.outbox)
    )
    interview.consent_at = now
    interview.consent_version = NOTICE_VERSION
    apply_transition(session, interview, state.Event.START, now, details={"notice": NOTICE_VERSION})


@retry_when_busy
def request_human_review(
    session: Session, interview: InterviewSession, now: datetime | None = None
) -> InterviewSession:
    """The candidate prefers a person to the AI assessment (PIPL Art. 24, NYC LL 144): the
    refusal is recorded and the owner recruiters are told; nothing is held against them."""

    now = now or utcnow()
    if interview.human_review_requested_at is not None:
        return interview
    if interview.status not in (state.State.INVITED, state.State.VERIFIED):
        raise InterviewClosed(
            N_("The interview has already started; please contact the recruiter.")
        )
    interview.human_review_requested_at = now
    records.record_consent(
        session,
        SystemActor("candidate-link", tenant_id=interview.tenant_id),
        interview.candidate_id,
        "ai_assessment",
        NOTICE_VERSION,
        False,
        method="web",
        source="ai_interview",
        commit=False,
    )
    audit_interview(session, "interview.human_review_requested", interview)
    notify_owners(
        session,
        interview,
        f"interview-human-review:{interview.id}",
        N_("A candidate asked for a review by a person"),
        N_(
            "%(candidate)s asked to be assessed by a person instead of the AI interview for "
            "%(opening)s. Please contact them to arrange it."
        ),
    )
    session.commit()
    return interview


@retry_when_busy
def claim_tab(
    session: Session, interview: InterviewSession, tab: str, now: datetime | None = None
) -> None:
    """A tab loaded the interview (or the candidate pressed "continue here"): it writes now."""
    now = now or utcnow()
    hold_tab(session, interview, tab, now, claim=True)
    session.commit()


@retry_when_busy
def open_question(
    session: Session,
    interview: InterviewSession,
    question_id: str,
    tab: str,
    now: datetime | None = None,
) -> schemas.QuestionView:
    """Show a question: its clock starts (or continues, or restarts after an absence)."""
    now = now or utcnow()
    require_writable(interview, now)
    hold_tab(session, interview, tab, now)
    position, question = question_at(interview, question_id)
    # the interview's one UPDATE, where the first query would have flushed it
    interview.current_question = question_id
    write_changed(session, interview)
    # Only the rows this can change: the question's own and those before it (it closes them).
    answers = answers_up_to(session, interview, position)
    answer = answers.get(question_id)
    if answer is None:
        # Shown for the first time: its row is created with its clock running (what the
        # decision below would do to a fresh row), one INSERT and no UPDATE after it.
        answer = create_answer_row(session, interview, question_id, position, started_at=now)
    _lock_earlier(answers, position, now)
    decision = state.on_open_question(
        answer.status, answer.started_at, time_limit(question), answer.restarts, now
    )
    if decision.action == "start":
        answer.started_at = now
    elif decision.action == "restart":
        answer.started_at = now
        answer.restarts += 1
        add_event(
            session,
            interview,
            "question_restarted",
            question_id=question_id,
            flag=True,
            data={"restarts": answer.restarts},
            now=now,
        )
    elif decision.action == "skip":
        answer.status = "skipped"
        add_event(session, interview, "question_timed_out", question_id=question_id, now=now)
    elif decision.action == "done" and answer.status == "draft":
        answer.status = "answered"
        answer.answered_at = answer.answered_at or now
    session.commit()
    return question_view(session, interview, position, question, answer, now)


@retry_when_busy
def save_text(
    session: Session,
    interview: InterviewSession,
    question_id: str,
    data: schemas.TextAnswerIn,
    now: datetime | None = None,
) -> schemas.AnswerOut:
    """Save a typed answer: a draft (autosave) or final; blank and final skips the question."""
    now = now or utcnow()
    with session.no_autoflush:  # the interview's changes go out in one UPDATE, below
        answer, question, statuses = answer_with_statuses(
            session, interview, question_id, data.tab, now
        )
    refuse_finished(answer)
    run_clock(answer, question, now)
    text = data.text.strip()
    old_media = media_ref(answer) if answer.media_key and data.final and text else None
    answer.text = text
    answer.mode = "text" if (text or not answer.media_key) else answer.mode
    if data.final:
        if text:
            answer.status = "answered"
            if old_media is not None:
                clear_media(answer)
        elif answer.media_key:
            answer.status = "answered"  # a recording was saved; keep it
        else:
            answer.status = "skipped"
        answer.answered_at = now
    else:
        answer.status = "draft" if text else answer.status
    interview.current_question = question_id
    # from the statuses read with the answer (this one's as just written): no second read
    ids = [str(q.get("id")) for q in questions_of(interview)]
    following = (
        state.next_question(ids, {**statuses, question_id: answer.status}) if data.final else None
    )
    write_changed(session, interview)  # the same two UPDATEs a flush sends, without it
    write_changed(session, answer)
    session.commit()
    if old_media is not None:
        delete_media(*old_media)
    return schemas.AnswerOut(
        question_id=question_id,
        status=answer.status,
        mode=answer.mode,
        media_status=answer.media_status,
        next_question_id=following,
    )


@retry_when_busy
def client_event(
    session: Session,
    interview: InterviewSession,
    data: schemas.ClientEventIn,
    now: datetime | None = None,
) -> None:
    """Proctoring observations from the page: leaving it is a flag for HR, never a score."""
    now = now or utcnow()
    if interview.status != state.State.IN_PROGRESS:
        return
    if interview.active_tab and data.tab != interview.active_tab:
        return  # a superseded tab's visibility says nothing about the interview
    flag = data.kind in ("tab_hidden", "window_blur")
    details: dict[str, Any] = {}
    if data.seconds is not None:
        details["seconds"] = round(data.seconds, 1)
    add_event(
        session,
        interview,
        data.kind,
        question_id=data.question_id[:80],
        flag=flag,
        data=details,
        now=now,
    )
    interview.last_seen_at = now
    session.commit()


@retry_when_busy
def heartbeat(
    session: Session,
    interview: InterviewSession,
    data: schemas.HeartbeatIn,
    now: datetime | None = None,
) -> None:
    """The page is alive on a question (HR's live view shows it; stale tabs are detected)."""
    now = now or utcnow()
    if interview.status != state.State.IN_PROGRESS:
        return
    hold_tab(session, interview, data.tab, now)
    if data.question_id:
        interview.current_question = data.question_id[:80]
    session.commit()


@retry_when_busy
def submit(
    session: Session,
    interview: InterviewSession,
    tab: str | None,
    now: datetime | None = None,
    *,
    automatic: bool = False,
) -> InterviewSession:
    """Hand in: unanswered questions count as skipped, scoring is queued after the commit,
    and the invitation is completed. Submitting twice is harmless."""
    if _submit(session, interview, tab, now or utcnow(), automatic):
        session.commit()
    return interview


@retry_when_busy
def submit_and_state(
    session: Session, interview: InterviewSession, tab: str | None
) -> schemas.CandidateStateOut:
    """:func:`submit` (by the candidate) answered with the page state, read in the
    submission's own transaction (see :func:`state_then_commit`)."""
    now = utcnow()
    _submit(session, interview, tab, now, False)
    return state_then_commit(session, interview, now)


def _submit(
    session: Session, interview: InterviewSession, tab: str | None, now: datetime, automatic: bool
) -> bool:
    """The submission's checks and writes, without the commit; False when it was handed in
    already (nothing written)."""
    if interview.status in (state.State.SUBMITTED, state.State.SCORED, state.State.REVIEWED):
        return False
    if not automatic:
        last_answer = session.scalar(
            select(func.max(InterviewAnswer.answered_at)).where(
                InterviewAnswer.interview_id == interview.id
            )
        )
        require_writable(interview, now, upload_started=last_answer)
        hold_tab(session, interview, tab or "", now)
        pending = session.scalar(
            select(func.count())
            .select_from(InterviewUpload)
            .where(
                InterviewUpload.interview_id == interview.id,
                InterviewUpload.status == "open",
                InterviewUpload.received > 0,
            )
        )
        if pending:
            raise UploadsPending()
    answers = answers_for_view(session, interview)  # the page state reads these rows again
    for position, question in enumerate(questions_of(interview)):
        answer = answers.get(str(question.get("id")))
        if answer is None:
            answer = create_answer_row(session, interview, str(question.get("id")), position)
        if answer.status == "draft":
            answer.status = "answered"
            answer.answered_at = answer.answered_at or now
        elif answer.status == "open":
            answer.status = "answered" if answer.media_key else "skipped"
    apply_transition(
        session,
        interview,
        state.Event.SUBMIT,
        now,
        actor_label="system" if automatic else "candidate",
        details={"automatic": automatic},
    )
    invitation = session.get(Invitation, interview.invitation_id)
    if invitation is not None and invitation.status not in ("cancelled", "completed"):
        invitation.status = "completed"
        invitation.completed_at = now
        audit.record(
            session,
            "invitation.completed",
            actor=None,
            tenant_id=invitation.tenant_id,
            actor_label="system" if automatic else "candidate",
            target_type="invitation",
            target_id=invitation.id,
        )
    add_event(session, interview, "submitted", data={"automatic": automatic}, now=now)
    enqueue_on_commit(session, "interviews.score_interview", interview.id)
    return True
