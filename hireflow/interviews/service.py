"""The one-way AI interview's rules and writes (SPEC E1, E3, E5, E6, E9, F1, F4, G1).

Candidate side (reached through the personal link after the identity check, which the
scheduling domain owns): the session is created lazily on the first verified access (or by
:func:`create_for_invitation`, for callers that want it at invitation time), the candidate
reads the notice and consents, opens each question (its clock starts), answers by text or by
a recording sent in resumable chunks, asks questions about the job, and submits. Every write
is checked against the pure rules of :mod:`hireflow.interviews.state` (state, deadline,
question clock, re-records, tabs) and commits at once: progress is saved after every answer.

Worker side: :func:`process_answer` transcribes a recording and observes a video as soon as
it is uploaded; :func:`score` (on submission) processes what is left, scores with
``hireflow.scoring``, stores the report (once: a unique index), moves the candidate's record
(results, labelled recordings, status) and tells the owner recruiter, in one transaction.
:func:`recover` re-runs scoring whose worker died and submits interviews left open past
their deadline.

HR side: live view pushes, score adjustments (calibration corrections), conclusions, the
company FAQ and answers to forwarded questions. Every state change writes an audit row in the
transaction that makes it.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hireflow.core import audit, pii
from hireflow.core.crypto import CryptoError, WrappedKey
from hireflow.core.db import Database, on_commit, utcnow
from hireflow.core.errors import N_, AppError, Conflict, NotFound, TooLarge, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.permissions import Principal, get_visible, require
from hireflow.core.settings import get_settings
from hireflow.core.storage import ResidencyError
from hireflow.core.tasks import enqueue_on_commit, send_by_name
from hireflow.interviews import live, qa, schemas, state
from hireflow.interviews.media import (
    MediaError,
    MediaLimits,
    MediaProcessingError,
    check_upload,
    decode_audio,
    decoder_available,
    probe,
    with_duration,
)
from hireflow.interviews.models import (
    CandidateQuestion,
    CompanyCalibration,
    CompanyFaq,
    InterviewAnswer,
    InterviewEvent,
    InterviewReport,
    InterviewSession,
    InterviewUpload,
    ScoreAdjustment,
)
from hireflow.notifications import service as notify
from hireflow.notifications.templates import TemplateKind
from hireflow.openings.models import Opening
from hireflow.records import service as records
from hireflow.records.service import SystemActor
from hireflow.records.storage import encrypted_for_region, regional_storage
from hireflow.scheduling import messages
from hireflow.scheduling.models import Invitation

log = logging.getLogger(__name__)

# The version of the notice the candidate consents to (stored with the consent, PIPL Art. 14).
NOTICE_VERSION = "ai-interview-2026-1"
RECORDING_MAX_BYTES = 100 * 1024 * 1024
CHUNK_MAX_BYTES = 4 * 1024 * 1024
RECORDING_LIMITS = MediaLimits(max_bytes=RECORDING_MAX_BYTES, max_seconds=15 * 60.0)
MAX_PUSHED_QUESTIONS = 5
MAX_CANDIDATE_QUESTIONS = 20
DEFAULT_MAX_RERECORDS = 1
PLAN_BUDGET_MINUTES = (10, 30)  # a generated plan's budget: the invitation's, within these
# Scoring leases: a run renews its lease between steps; a lease that expired means the
# worker died, and the recovery sweep starts the run again.
SCORING_LEASE = timedelta(minutes=5)
RECOVER_SUBMITTED_AFTER = timedelta(seconds=30)
SPEECH_RETRY_AFTER = timedelta(minutes=10)
EXTENSIONS = {"webm": "webm", "ogg": "ogg", "mp4": "mp4", "wav": "wav"}


# --------------------------------------------------------------------------- errors


class InterviewClosed(AppError):
    status = 409
    code = "interview_closed"
    message = N_("This interview was submitted. Answers can no longer be changed.")


class InterviewNotStarted(AppError):
    status = 409
    code = "not_started"
    message = N_("Please read the notice and give your consent before the first question.")


class DeadlinePassed(AppError):
    status = 410
    code = "deadline_passed"
    message = N_(
        "The deadline for this interview has passed, so answers are no longer accepted. "
        "Please contact the recruiter if you need more time."
    )


class TabSuperseded(AppError):
    status = 409
    code = "tab_superseded"
    message = N_(
        "This interview is open in another tab or window, which continues it. "
        "Use that one, or press “Continue here”."
    )


class TimeUp(AppError):
    status = 409
    code = "time_up"
    message = N_("The time for this question is over.")


class QuestionDone(AppError):
    status = 409
    code = "question_done"
    message = N_("This question is already answered.")


class NoRerecords(AppError):
    status = 409
    code = "no_rerecords"
    message = N_("You have used all re-recordings for this question.")


class UploadOffset(AppError):
    """A chunk at the wrong offset: the client resumes from ``received``."""

    status = 409
    code = "upload_offset"
    message = N_("Part of the recording is missing; the upload resumes from where it stopped.")

    def __init__(self, received: int) -> None:
        super().__init__(fields={"received": str(received)})
        self.received = received


class UploadsPending(AppError):
    status = 409
    code = "uploads_pending"
    message = N_("A recording is still being uploaded. Please wait until it is complete.")


class ReportErased(AppError):
    """The interview's report went with the person's personal data (an erasure request):
    gone for good, and said so with the date, never as a server error."""

    status = 410
    code = "erased"
    message = N_("This report was erased on request on %(date)s.")

    def __init__(self, erased_at: datetime) -> None:
        super().__init__(params={"date": erased_at.date().isoformat()})
        self.erased_at = erased_at


def erased_at(session: Session, interview: InterviewSession) -> datetime | None:
    """When the interviewed person's record was erased (None while it was not)."""
    from hireflow.records.models import PersonRecord

    return session.scalar(
        select(PersonRecord.erased_at).where(PersonRecord.person_id == interview.candidate_id)
    )


def refuse_if_erased(session: Session, interview: InterviewSession) -> None:
    """Raise ``ReportErased`` (410) for an interview whose person was erased."""
    when = erased_at(session, interview)
    if when is not None:
        raise ReportErased(when)


# Media refusals in the candidate's language (the media library's codes).
MEDIA_MESSAGES = {
    "empty": N_("The recording is empty. Please record again."),
    "too_large": N_("The recording is too large. Please record a shorter answer."),
    "not_media": N_("This file is not an audio or video recording."),
    "type_mismatch": N_("The recording's type does not match its content. Please record again."),
    "truncated": N_("The recording was cut off before anything could be played. Record again."),
    "damaged": N_("The recording is damaged. Please record again."),
    "no_audio": N_("The recording has no sound. Check your microphone and record again."),
    "no_video": N_("The recording has no picture. Check your camera and record again."),
    "too_long": N_("The recording is longer than allowed. Please record a shorter answer."),
}
WARNINGS = {
    "silent": N_(
        "We could not hear anything in this recording. Check your microphone and record "
        "again if you can, or continue."
    ),
    "truncated": N_(
        "The end of the recording was cut off; what was received is saved. Record again if you can."
    ),
}


class MediaRefused(AppError):
    status = 422
    code = "media_refused"

    def __init__(self, media_code: str) -> None:
        message = MEDIA_MESSAGES.get(media_code, MEDIA_MESSAGES["damaged"])
        super().__init__(message, code=f"media_{media_code}")
        self.media_code = media_code


def transition_error(exc: state.InvalidTransition) -> AppError:
    if exc.state in (state.State.INVITED, state.State.VERIFIED):
        return InterviewNotStarted()
    if exc.state in (state.State.SUBMITTED, state.State.SCORED, state.State.REVIEWED):
        return InterviewClosed()
    return Conflict(N_("This interview is not in a state that allows this."))


# --------------------------------------------------------------------------- SQLite contention

P = ParamSpec("P")
R = TypeVar("R")
BUSY_ATTEMPTS = 4


def _is_busy(exc: OperationalError) -> bool:
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def retry_when_busy(func: Callable[P, R]) -> Callable[P, R]:
    """Run a write again when SQLite refused it for a concurrent writer.

    In WAL mode a write transaction that read first cannot commit over another process's
    newer commit (``SQLITE_BUSY_SNAPSHOT``); SQLite answers at once rather than waiting,
    so the busy timeout does not help. The web process and the worker do write the same
    tables, so a candidate's save could fail for no reason of theirs. The failed
    transaction was rolled back entirely; running the function again from a fresh snapshot
    is safe. PostgreSQL never takes this path.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        session = args[0] if args else kwargs.get("session")
        for attempt in range(BUSY_ATTEMPTS):
            try:
                return func(*args, **kwargs)
            except OperationalError as exc:
                if attempt == BUSY_ATTEMPTS - 1 or not _is_busy(exc):
                    raise
                if isinstance(session, Session):
                    session.rollback()
                time.sleep(0.02 * (attempt + 1) + secrets.randbelow(20) / 1000)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


# --------------------------------------------------------------------------- plans


_plan_lock = threading.Lock()
_plan_cache: dict[tuple[Any, ...], tuple[list[dict[str, Any]], dict[str, Any], str]] = {}


def _engine_language(language: str) -> str:
    from hireflow.scoring.text import engine_language

    return engine_language(language)


def plan_for(
    opening: Opening, language: str, budget_minutes: int
) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    """(questions, model dict, source) for an interview of ``opening`` in ``language``.

    The opening's own plan and competency model when it has them (``source="opening"``);
    otherwise the engine's preset model for the job type and a plan generated from the
    opening's title and description (``source="preset"``). Generated plans are cached per
    process (the embedder pass takes seconds; every candidate of an opening gets the same).
    """
    from hireflow.scoring.interview import InterviewError, interview_from_dict
    from hireflow.scoring.models import (
        ModelError,
        load_model,
        load_preset,
        model_to_dict,
        question_to_dict,
    )
    from hireflow.scoring.plan import InterviewPlan, JobSpec, PlanError, generate_plan

    lang = _engine_language(language)
    model = None
    if opening.competency_model:
        try:
            model = load_model(opening.competency_model)
        except (ModelError, ValueError):
            log.warning(
                "opening model unreadable; preset used",
                extra={"event": "interviews.model_fallback", "opening": opening.id},
            )
    if model is None:
        model = load_preset(job_type=opening.job_type or "other")
    if opening.interview_plan:
        try:
            plan = InterviewPlan.from_dict(opening.interview_plan)
            questions = [question_to_dict(q) for q in plan.questions]
            interview_from_dict({"language": lang, "questions": questions, "answers": []}, model)
            return questions, model_to_dict(model), "opening"
        except (PlanError, InterviewError, ModelError, ValueError):
            log.warning(
                "opening plan unusable; generated",
                extra={"event": "interviews.plan_fallback", "opening": opening.id},
            )
    budget = min(max(int(budget_minutes), PLAN_BUDGET_MINUTES[0]), PLAN_BUDGET_MINUTES[1])
    key = (
        opening.id,
        opening.updated_at.isoformat() if opening.updated_at else "",
        lang,
        budget,
        json.dumps(model_to_dict(model), sort_keys=True, ensure_ascii=False),
    )
    with _plan_lock:
        cached = _plan_cache.get(key)
        if cached is None:
            skills = tuple(str(s) for s in (opening.requirements or {}).get("skills", []) or [])
            job = JobSpec(
                title=opening.title,
                description=opening.description or "",
                job_type=opening.job_type or "other",
                skills=skills,
                language=lang,
            )
            plan = generate_plan(job, model, budget_minutes=budget, lang=lang)
            cached = ([question_to_dict(q) for q in plan.questions], model_to_dict(model), "preset")
            if len(_plan_cache) > 256:
                _plan_cache.clear()
            _plan_cache[key] = cached
    return cached


# --------------------------------------------------------------------------- sessions


def _audit(
    session: Session,
    action: str,
    interview: InterviewSession,
    *,
    actor: Principal | None = None,
    actor_label: str = "candidate",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        tenant_id=interview.tenant_id,
        actor_label="" if actor is not None else actor_label,
        target_type="interview",
        target_id=interview.id,
        old=old,
        new=new,
    )


def apply_transition(
    session: Session,
    interview: InterviewSession,
    event: state.Event,
    now: datetime,
    *,
    actor: Principal | None = None,
    actor_label: str = "candidate",
    details: dict[str, Any] | None = None,
) -> None:
    """Move the interview through the state machine and audit it (same transaction)."""
    before = interview.status
    try:
        after = state.transition(before, event)
    except state.InvalidTransition as exc:
        raise transition_error(exc) from exc
    interview.status = after.value
    stamp = {
        state.Event.VERIFY: "verified_at",
        state.Event.START: "started_at",
        state.Event.SUBMIT: "submitted_at",
        state.Event.SCORE: "scored_at",
        state.Event.REVIEW: "reviewed_at",
    }[event]
    setattr(interview, stamp, now)
    _audit(
        session,
        f"interview.{event.value}",
        interview,
        actor=actor,
        actor_label=actor_label,
        old={"status": before},
        new={"status": after.value, **(details or {})},
    )


def add_event(
    session: Session,
    interview: InterviewSession,
    kind: str,
    *,
    question_id: str = "",
    flag: bool = False,
    data: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> InterviewEvent:
    """Append to the interview's event log; live streams are woken after the commit."""
    event = InterviewEvent(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        kind=kind,
        question_id=question_id,
        is_flag=flag,
        data=data or {},
        created_at=now or utcnow(),
    )
    session.add(event)
    if flag:
        interview.flag_count = (interview.flag_count or 0) + 1
    interview_id = interview.id
    on_commit(session, lambda: live.publish(interview_id))
    return event


def _find(session: Session, invitation_id: int) -> InterviewSession | None:
    return session.scalars(
        select(InterviewSession).where(InterviewSession.invitation_id == invitation_id)
    ).first()


@retry_when_busy
def ensure_session(
    session: Session, invitation: Invitation, now: datetime | None = None
) -> InterviewSession:
    """The interview of an AI invitation, created on first use (safe against a concurrent
    creator: the invitation is unique), and marked verified once the identity check passed."""
    now = now or utcnow()
    if invitation.kind != "ai":
        raise NotFound()
    interview = prepare_for_invitation(session, invitation, now)
    changed = bool(session.new or session.dirty)
    if invitation.verified_at is not None and interview.status == state.State.INVITED:
        apply_transition(session, interview, state.Event.VERIFY, now)
        changed = True
    if interview.deadline != invitation.deadline:
        # HR extended (or shortened) the invitation: the interview follows.
        interview.deadline = invitation.deadline
        changed = True
    if changed:
        session.commit()
    return interview


def prepare_for_invitation(
    session: Session, invitation: Invitation, now: datetime | None = None
) -> InterviewSession:
    """The interview of an AI invitation, created if needed, without committing.

    The sender calls this in the transaction that sends the invitation, so the plan the
    invitation describes (question count, time limits, length) is the plan the candidate
    answers; it is copied into the session, and later edits of the opening change nothing.
    Safe against a concurrent creator: ``invitation_id`` is unique.
    """
    now = now or utcnow()
    interview = _find(session, invitation.id)
    if interview is not None:
        return interview
    questions, model, source = plan_for(
        invitation.opening, invitation.language, invitation.duration_minutes
    )
    interview = InterviewSession(
        tenant_id=invitation.tenant_id,
        opening_id=invitation.opening_id,
        candidate_id=invitation.candidate_id,
        invitation_id=invitation.id,
        status=state.State.INVITED.value,
        language=_engine_language(invitation.language),
        questions=questions,
        model=model,
        plan_source=source,
        max_rerecords=DEFAULT_MAX_RERECORDS,
        deadline=invitation.deadline,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(interview)
            session.flush()
    except IntegrityError:
        found = _find(session, invitation.id)
        if found is None:  # pragma: no cover - the conflict was something else
            raise
        return found
    _audit(
        session,
        "interview.created",
        interview,
        actor_label="system",
        new={"questions": len(questions), "plan_source": source},
    )
    return interview


def follow_invitation_language(session: Session, invitation: Invitation) -> None:
    """Before consent the interview speaks the invitation's (the candidate's chosen) language;
    once it started, answers are scored in the language they were given in."""
    interview = _find(session, invitation.id)
    if interview is None or interview.consent_at is not None:
        return
    interview.language = _engine_language(invitation.language)


def create_for_invitation(session: Session, invitation_id: int) -> InterviewSession | None:
    """Hook for the scheduling domain: create the interview when an AI invitation is made
    (optional: it is otherwise created on the candidate's first verified visit)."""
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.kind != "ai":
        return None
    return ensure_session(session, invitation)


# --------------------------------------------------------------------------- helpers


def questions_of(interview: InterviewSession) -> list[dict[str, Any]]:
    return list(interview.questions or [])


def _question(interview: InterviewSession, question_id: str) -> tuple[int, dict[str, Any]]:
    for index, question in enumerate(questions_of(interview)):
        if question.get("id") == question_id:
            return index, question
    raise NotFound(N_("This question is not part of the interview."))


def _answers(session: Session, interview: InterviewSession) -> dict[str, InterviewAnswer]:
    rows = session.scalars(
        select(InterviewAnswer).where(InterviewAnswer.interview_id == interview.id)
    )
    return {row.question_id: row for row in rows}


def _answer(
    session: Session, interview: InterviewSession, question_id: str, position: int
) -> InterviewAnswer:
    """The answer row of a question, created on first touch (unique per question)."""
    found = session.scalars(
        select(InterviewAnswer).where(
            InterviewAnswer.interview_id == interview.id,
            InterviewAnswer.question_id == question_id,
        )
    ).first()
    if found is not None:
        return found
    row = InterviewAnswer(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        question_id=question_id,
        position=position,
        status="open",
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        found = session.scalars(
            select(InterviewAnswer).where(
                InterviewAnswer.interview_id == interview.id,
                InterviewAnswer.question_id == question_id,
            )
        ).first()
        if found is None:  # pragma: no cover
            raise
        return found
    return row


def _writable(interview: InterviewSession, now: datetime, upload_started: datetime | None = None):
    refusal = state.answer_refusal(
        interview.status, interview.deadline, now, upload_started=upload_started
    )
    if refusal == "not_started":
        raise InterviewNotStarted()
    if refusal == "closed":
        raise InterviewClosed()
    if refusal == "deadline_passed":
        raise DeadlinePassed()


def _tab(
    session: Session, interview: InterviewSession, tab: str, now: datetime, claim: bool = False
) -> None:
    decision = state.tab_decision(
        interview.active_tab, interview.tab_seen_at, tab, now, claim=claim
    )
    if not decision.allowed:
        raise TabSuperseded()
    if decision.took_over or interview.active_tab != tab:
        previous = interview.active_tab
        interview.active_tab = tab
        if previous:
            add_event(
                session,
                interview,
                "tab_claimed",
                data={"tab": tab, "superseded": previous},
                now=now,
            )
    interview.tab_seen_at = now
    interview.last_seen_at = now


def _limit(question: dict[str, Any]) -> int:
    return int(question.get("time_limit_s") or 180)


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


# --------------------------------------------------------------------------- candidate views


def candidate_state(
    session: Session, interview: InterviewSession, now: datetime | None = None
) -> schemas.CandidateStateOut:
    """The candidate page's whole state: questions with clocks and saved answers."""
    from hireflow.scoring.models import localised

    now = now or utcnow()
    answers = _answers(session, interview)
    views = []
    statuses: dict[str, str] = {}
    for index, question in enumerate(questions_of(interview)):
        qid = str(question.get("id"))
        answer = answers.get(qid)
        status = answer.status if answer else "open"
        statuses[qid] = status
        window = state.question_window(_limit(question), answer.started_at if answer else None, now)
        attempts = answer.attempts if answer else 0
        views.append(
            schemas.QuestionView(
                id=qid,
                index=index,
                kind=str(question.get("kind", "")),
                text=localised(question.get("text"), interview.language),
                time_limit_s=_limit(question),
                status=status,
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
            )
        )
    ids = [v.id for v in views]
    last_event = session.scalar(
        select(func.max(InterviewEvent.id)).where(InterviewEvent.interview_id == interview.id)
    )
    asked = session.scalars(
        select(CandidateQuestion)
        .where(CandidateQuestion.interview_id == interview.id)
        .order_by(CandidateQuestion.id)
    )
    return schemas.CandidateStateOut(
        interview_id=interview.id,
        status=interview.status,
        language=interview.language,
        deadline=interview.deadline,
        now=now,
        notice_version=NOTICE_VERSION,
        consent_needed=interview.consent_at is None,
        human_review_requested=interview.human_review_requested_at is not None,
        max_rerecords=interview.max_rerecords,
        questions=views,
        current_question_id=state.next_question(ids, statuses),
        answered=sum(1 for s in statuses.values() if s == "answered"),
        total=len(views),
        last_event_id=int(last_event or 0),
        asked=[
            schemas.AskedView(
                id=q.id,
                question=q.question,
                status=q.status,
                source=q.source,
                quote=q.quote,
                hr_answer=q.hr_answer,
                created_at=q.created_at,
            )
            for q in asked
        ],
        active_tab=interview.active_tab,
    )


# --------------------------------------------------------------------------- consent


@retry_when_busy
def give_consent(
    session: Session,
    interview: InterviewSession,
    data: schemas.ConsentIn,
    now: datetime | None = None,
) -> InterviewSession:
    """The candidate agreed to the notice: record the consent in the HR record, start."""

    now = now or utcnow()
    if interview.status != state.State.VERIFIED:
        if interview.status == state.State.IN_PROGRESS and interview.consent_at is not None:
            return interview  # a double click, or a second tab
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
    _tab(session, interview, data.tab, now, claim=True)
    actor = SystemActor("candidate-link", tenant_id=interview.tenant_id)
    for purpose in ("recording", "ai_assessment"):
        records.record_consent(
            session,
            actor,
            interview.candidate_id,
            purpose,
            NOTICE_VERSION,
            True,
            method="web",
            source="ai_interview",
            commit=False,
        )
    interview.consent_at = now
    interview.consent_version = NOTICE_VERSION
    apply_transition(session, interview, state.Event.START, now, details={"notice": NOTICE_VERSION})
    session.commit()
    return interview


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
    _audit(session, "interview.human_review_requested", interview)
    _notify_owners(
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


# --------------------------------------------------------------------------- answering


@retry_when_busy
def claim_tab(
    session: Session, interview: InterviewSession, tab: str, now: datetime | None = None
) -> None:
    """A tab loaded the interview (or the candidate pressed "continue here"): it writes now."""
    now = now or utcnow()
    _tab(session, interview, tab, now, claim=True)
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
    _writable(interview, now)
    _tab(session, interview, tab, now)
    position, question = _question(interview, question_id)
    answers = _answers(session, interview)
    answer = answers.get(question_id) or _answer(session, interview, question_id, position)
    _lock_earlier(answers, position, now)
    decision = state.on_open_question(
        answer.status, answer.started_at, _limit(question), answer.restarts, now
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
    interview.current_question = question_id
    session.commit()
    view = candidate_state(session, interview, now).questions[position]
    return view


def _next_id(session: Session, interview: InterviewSession) -> str | None:
    answers = _answers(session, interview)
    ids = [str(q.get("id")) for q in questions_of(interview)]
    return state.next_question(ids, {k: v.status for k, v in answers.items()})


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
    _writable(interview, now)
    _tab(session, interview, data.tab, now)
    position, question = _question(interview, question_id)
    answer = _answer(session, interview, question_id, position)
    if answer.status in ("answered", "skipped"):
        raise QuestionDone()
    window = state.question_window(_limit(question), answer.started_at, now)
    if answer.started_at is None:
        answer.started_at = now
    elif not window.accepting:
        raise TimeUp()
    text = data.text.strip()
    old_media = _media_ref(answer) if answer.media_key and data.final and text else None
    answer.text = text
    answer.mode = "text" if (text or not answer.media_key) else answer.mode
    if data.final:
        if text:
            answer.status = "answered"
            if old_media is not None:
                _clear_media(answer)
        elif answer.media_key:
            answer.status = "answered"  # a recording was saved; keep it
        else:
            answer.status = "skipped"
        answer.answered_at = now
    else:
        answer.status = "draft" if text else answer.status
    interview.current_question = question_id
    session.commit()
    if old_media is not None:
        _delete_media(*old_media)
    return schemas.AnswerOut(
        question_id=question_id,
        status=answer.status,
        mode=answer.mode,
        media_status=answer.media_status,
        next_question_id=_next_id(session, interview) if data.final else None,
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
    _tab(session, interview, data.tab, now)
    if data.question_id:
        interview.current_question = data.question_id[:80]
    session.commit()


# --------------------------------------------------------------------------- recordings


def _region(session: Session, interview: InterviewSession) -> str:
    """Where the candidate's data must live: their record's region (or the default for a
    new record), so a recording never leaves it, even before it lands in the record."""
    from hireflow.records.timeline import default_region, find_record

    record = find_record(session, interview.candidate_id)
    if record is not None:
        return record.region
    return default_region(session, interview.candidate).lower()


def _media_ref(answer: InterviewAnswer) -> tuple[str, str] | None:
    if not answer.media_key:
        return None
    return answer.media_region, answer.media_key


def _clear_media(answer: InterviewAnswer) -> None:
    answer.media_key = ""
    answer.media_wrapped_key = None
    answer.media_status = ""
    answer.media_type = ""
    answer.media_size = 0
    answer.media_duration = None
    answer.media_error = ""
    answer.transcript = None
    answer.segments = None
    answer.speech = None
    answer.vision = None


def _delete_media(region: str, key: str) -> None:
    try:
        regional_storage().delete(region, key)
    except Exception as exc:  # an orphan ciphertext is unreadable without its key
        log.warning(
            "recording not deleted",
            extra={"event": "interviews.media_delete_failed", "error": type(exc).__name__},
        )


@retry_when_busy
def start_upload(
    session: Session,
    interview: InterviewSession,
    question_id: str,
    data: schemas.UploadStartIn,
    now: datetime | None = None,
) -> schemas.UploadOut:
    """Begin a recording's upload; a re-recording uses one of the question's re-records."""
    now = now or utcnow()
    _writable(interview, now)
    _tab(session, interview, data.tab, now)
    position, question = _question(interview, question_id)
    answer = _answer(session, interview, question_id, position)
    if answer.status == "skipped" or (
        answer.status == "answered" and interview.current_question != question_id
    ):
        raise QuestionDone()
    if answer.status == "answered" and answer.mode == "text":
        raise QuestionDone()
    window = state.question_window(_limit(question), answer.started_at, now)
    if answer.started_at is None:
        answer.started_at = now
    elif not window.accepting:
        raise TimeUp()
    if not state.can_rerecord(answer.attempts, interview.max_rerecords):
        raise NoRerecords()
    region = _region(session, interview)
    try:
        regional_storage().backend(region)
    except ResidencyError as exc:
        # Refused before a byte is sent: the recording could only be stored elsewhere.
        raise records.RegionUnavailable(
            params={"region": region, "configured": ", ".join(sorted(regional_storage().regions))}
        ) from exc
    if data.size is not None and data.size > RECORDING_MAX_BYTES:
        raise MediaRefused("too_large")
    session.execute(
        update(InterviewUpload)
        .where(InterviewUpload.answer_id == answer.id, InterviewUpload.status == "open")
        .values(status="replaced", updated_at=now)
    )
    answer.attempts += 1
    if answer.media_status in ("", "failed"):
        answer.media_status = "uploading"
    upload = InterviewUpload(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        answer_id=answer.id,
        token=secrets.token_urlsafe(18),
        mode=data.mode,
        content_type=data.content_type.strip().lower()[:120],
        declared_size=data.size,
        received=0,
        region=region,
        chunks=[],
        status="open",
        captured_at=data.captured_at or now,
        created_at=now,
        updated_at=now,
    )
    session.add(upload)
    interview.current_question = question_id
    session.commit()
    return schemas.UploadOut(
        upload_token=upload.token, received=0, status="open", question_id=question_id
    )


def _upload(session: Session, interview: InterviewSession, token: str) -> InterviewUpload:
    upload = session.scalars(
        select(InterviewUpload).where(
            InterviewUpload.token == token, InterviewUpload.interview_id == interview.id
        )
    ).first()
    if upload is None:
        raise NotFound(N_("This upload does not exist."))
    return upload


def _upload_out(session: Session, upload: InterviewUpload) -> schemas.UploadOut:
    answer = session.get(InterviewAnswer, upload.answer_id)
    return schemas.UploadOut(
        upload_token=upload.token,
        received=upload.received,
        status=upload.status,
        question_id=answer.question_id if answer else "",
    )


def upload_status(session: Session, interview: InterviewSession, token: str) -> schemas.UploadOut:
    """How much of an upload arrived (a reconnecting page resumes from here)."""
    return _upload_out(session, _upload(session, interview, token))


@retry_when_busy
def put_chunk(
    session: Session,
    interview: InterviewSession,
    token: str,
    offset: int,
    chunk: bytes,
    now: datetime | None = None,
) -> schemas.UploadOut:
    """Store one chunk at ``offset`` (encrypted); the wrong offset answers where to resume."""
    now = now or utcnow()
    upload = _upload(session, interview, token)
    if upload.status == "complete":
        return _upload_out(session, upload)
    if upload.status != "open":
        raise Conflict(N_("This upload was replaced by a newer recording."), code="upload_closed")
    _writable(interview, now, upload_started=upload.created_at)
    if offset != upload.received:
        raise UploadOffset(upload.received)
    if not chunk:
        raise ValidationFailed(N_("The chunk is empty."), fields={"chunk": "empty"})
    if len(chunk) > CHUNK_MAX_BYTES:
        raise TooLarge(params={"limit": f"{CHUNK_MAX_BYTES // (1024 * 1024)} MB"})
    if upload.received + len(chunk) > RECORDING_MAX_BYTES:
        _fail_upload(session, upload, "too_large", now)
        raise MediaRefused("too_large")
    if offset == 0:
        try:
            check_upload(chunk, upload.content_type, RECORDING_LIMITS)
        except MediaError as exc:
            _fail_upload(session, upload, exc.code, now)
            raise MediaRefused(exc.code) from exc
    index = len(upload.chunks or [])
    key = f"interviews/t{interview.tenant_id}/i{interview.id}/u{upload.id}/chunk-{index:05d}"
    storage = encrypted_for_region(upload.region, pii.keyring())
    wrapped = storage.put_bytes(key, chunk, file_id=key)
    chunks = [*list(upload.chunks or []), [key, wrapped.to_token(), len(chunk)]]
    claimed = session.execute(
        update(InterviewUpload)
        .where(
            InterviewUpload.id == upload.id,
            InterviewUpload.received == offset,
            InterviewUpload.status == "open",
        )
        .values(received=offset + len(chunk), chunks=chunks, updated_at=now)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        # The same chunk arrived twice at once (a client retry): the other copy won.
        session.rollback()
        _delete_media(upload.region, key)
        session.refresh(upload)
        raise UploadOffset(upload.received)
    session.commit()
    session.refresh(upload)
    return _upload_out(session, upload)


def _fail_upload(session: Session, upload: InterviewUpload, code: str, now: datetime) -> None:
    upload.status = "failed"
    upload.error = code[:40]
    upload.updated_at = now
    answer = session.get(InterviewAnswer, upload.answer_id)
    if answer is not None and answer.media_status == "uploading":
        answer.media_status = "failed"
        answer.media_error = code[:40]
        # A refused file is not the candidate's fault often enough (a broken microphone
        # driver): it does not use up a re-record.
        answer.attempts = max(0, answer.attempts - 1)
    session.commit()
    chunks = [tuple(c) for c in upload.chunks or []]
    for key, _wrapped, _size in chunks:
        _delete_media(upload.region, key)


def _assemble(upload: InterviewUpload) -> bytes:
    storage = encrypted_for_region(upload.region, pii.keyring())
    parts = []
    for key, wrapped, _size in upload.chunks or []:
        parts.append(storage.get_bytes(key, WrappedKey.from_token(wrapped), file_id=key))
    return b"".join(parts)


@dataclass(frozen=True)
class _Checked:
    container: str
    duration: float | None
    warning: str


def check_recording(data: bytes, content_type: str, mode: str) -> _Checked:
    """Refuse what cannot be an answer; warn about silence and a cut-off end.

    Without the decoder (PyAV, part of the speech extra) only the container is checked:
    the recording is kept and examined once the extra is installed.
    """
    from hireflow.interviews.speech import is_silent

    container = check_upload(data, content_type, RECORDING_LIMITS)
    if not decoder_available():
        return _Checked(container, None, "")
    info = probe(data, content_type, RECORDING_LIMITS)
    if mode == "video" and info.video is None:
        raise MediaError("no_video")
    decoded = decode_audio(data, content_type, RECORDING_LIMITS)
    warning = ""
    if decoded.truncated:
        warning = "truncated"
    elif is_silent(decoded.samples, decoded.sample_rate):
        warning = "silent"
    return _Checked(container, round(decoded.duration, 2), warning)


@retry_when_busy
def complete_upload(
    session: Session,
    interview: InterviewSession,
    token: str,
    now: datetime | None = None,
) -> schemas.AnswerOut:
    """The last chunk arrived: check the recording, store it as the answer, queue its
    transcription. Completing twice is harmless (the second call reports the first)."""
    now = now or utcnow()
    upload = _upload(session, interview, token)
    answer = session.get(InterviewAnswer, upload.answer_id)
    assert answer is not None
    if upload.status == "complete":
        return schemas.AnswerOut(
            question_id=answer.question_id,
            status=answer.status,
            mode=answer.mode,
            media_status=answer.media_status,
            next_question_id=_next_id(session, interview),
        )
    if upload.status != "open":
        raise Conflict(N_("This upload was replaced by a newer recording."), code="upload_closed")
    _writable(interview, now, upload_started=upload.created_at)
    if not upload.chunks:
        raise UploadOffset(0)
    if upload.declared_size is not None and upload.received != upload.declared_size:
        raise UploadOffset(upload.received)
    try:
        data = _assemble(upload)
    except CryptoError as exc:
        _fail_upload(session, upload, "damaged", now)
        raise MediaRefused("damaged") from exc
    try:
        checked = check_recording(data, upload.content_type, upload.mode)
    except MediaError as exc:
        _fail_upload(session, upload, exc.code, now)
        raise MediaRefused(exc.code) from exc
    except MediaProcessingError as exc:  # the decoder broke in another way: keep the file
        log.warning(
            "recording kept unchecked",
            extra={"event": "interviews.media_unchecked", "code": exc.code},
        )
        checked = _Checked(upload.content_type, None, "")
    if checked.container == "webm" and decoder_available():
        # Browsers record WebM without a duration: HR's player would show "Infinity" and
        # could not seek. Rewrite it with its duration now (same packets, milliseconds);
        # if that fails it is kept as recorded: it plays, only without a known length.
        with contextlib.suppress(MediaProcessingError):
            data = with_duration(data, upload.content_type, RECORDING_LIMITS) or data
    old_media = _media_ref(answer)
    extension = EXTENSIONS.get(checked.container, "bin")
    key = f"interviews/t{interview.tenant_id}/i{interview.id}/a{answer.id}/{uuid.uuid4().hex}"
    key = f"{key}.{extension}"
    storage = encrypted_for_region(upload.region, pii.keyring())
    wrapped = storage.put_bytes(key, data, file_id=key)
    _clear_media(answer)
    answer.media_key = key
    answer.media_wrapped_key = wrapped.to_token()
    answer.media_region = upload.region
    answer.media_type = upload.content_type
    answer.media_size = len(data)
    answer.media_duration = checked.duration
    answer.media_status = "stored"
    answer.media_error = checked.warning
    answer.media_captured_at = upload.captured_at
    answer.mode = upload.mode
    answer.text = ""
    answer.status = "answered"
    answer.answered_at = now
    upload.status = "complete"
    upload.updated_at = now
    if checked.warning == "silent":
        add_event(
            session,
            interview,
            "silent_recording",
            question_id=answer.question_id,
            data={"attempt": answer.attempts},
            now=now,
        )
    enqueue_on_commit(session, "interviews.process_answer", answer.id)
    chunk_keys = [c[0] for c in upload.chunks or []]
    region = upload.region
    session.commit()
    for chunk_key in chunk_keys:
        _delete_media(region, chunk_key)
    if old_media is not None:
        _delete_media(*old_media)
    return schemas.AnswerOut(
        question_id=answer.question_id,
        status=answer.status,
        mode=answer.mode,
        media_status=answer.media_status,
        warning=checked.warning,
        next_question_id=_next_id(session, interview),
    )


# --------------------------------------------------------------------------- questions (E6)


@retry_when_busy
def ask(
    session: Session,
    interview: InterviewSession,
    data: schemas.AskIn,
    now: datetime | None = None,
    embedder: Any = None,
) -> schemas.AskOut:
    """Answer the candidate's question from the opening's text and the company FAQ, quoting
    the passage, or forward it to HR honestly."""
    from hireflow.scoring.embedding import get_embedder

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
    passages = qa.passages_for(
        opening.description or "", [tuple(r) for r in faqs], location=opening.location or ""
    )
    result = qa.answer_question(data.question, passages, embedder or get_embedder())
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
        _notify_owners(
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
    return schemas.AskOut(
        id=row.id,
        status=row.status,
        source=row.source,
        quote=row.quote,
        similarity=row.similarity,
    )


# --------------------------------------------------------------------------- submission


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
    now = now or utcnow()
    if interview.status in (state.State.SUBMITTED, state.State.SCORED, state.State.REVIEWED):
        return interview
    if not automatic:
        last_answer = session.scalar(
            select(func.max(InterviewAnswer.answered_at)).where(
                InterviewAnswer.interview_id == interview.id
            )
        )
        _writable(interview, now, upload_started=last_answer)
        _tab(session, interview, tab or "", now)
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
    answers = _answers(session, interview)
    for position, question in enumerate(questions_of(interview)):
        answer = answers.get(str(question.get("id")))
        if answer is None:
            answer = _answer(session, interview, str(question.get("id")), position)
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
    session.commit()
    return interview


# --------------------------------------------------------------------------- processing


_transcriber: Any = None
_transcriber_lock = threading.Lock()


def default_transcriber() -> Any:
    """The process's transcriber: the embedded Whisper model (loaded once)."""
    global _transcriber
    with _transcriber_lock:
        if _transcriber is None:
            from hireflow.interviews.speech import WhisperTranscriber

            _transcriber = WhisperTranscriber()
        return _transcriber


def opening_vocabulary(session: Session, interview: InterviewSession) -> list[str]:
    """The opening's skills and product names, to bias speech recognition toward them."""
    from hireflow.interviews.vocabulary import job_terms
    from hireflow.scoring.models import localised

    opening = session.get(Opening, interview.opening_id)
    if opening is None:
        return []
    skills = (opening.requirements or {}).get("skills") or []
    questions = " ".join(
        localised(q.get("text"), interview.language) for q in questions_of(interview)
    )
    return job_terms(
        opening.title,
        f"{opening.description or ''}\n{questions}",
        [s for s in skills if isinstance(s, str)],
    )


def _read_media(answer: InterviewAnswer) -> bytes:
    storage = encrypted_for_region(answer.media_region, pii.keyring())
    assert answer.media_wrapped_key is not None
    return storage.get_bytes(
        answer.media_key, WrappedKey.from_token(answer.media_wrapped_key), file_id=answer.media_key
    )


def _vision_events(
    session: Session, interview: InterviewSession, answer: InterviewAnswer, flags: Iterable[Any]
) -> None:
    for flag in flags:
        item = flag if isinstance(flag, dict) else flag.to_dict()
        add_event(
            session,
            interview,
            str(item.get("kind", "video_flag"))[:40],
            question_id=answer.question_id,
            flag=True,
            data={k: v for k, v in item.items() if k != "kind"},
        )


def process_answer(
    database: Database,
    answer_id: int,
    *,
    transcriber: Any = None,
    observe_video: bool = True,
) -> str:
    """Transcribe one recorded answer and observe its video (idempotent).

    Returns ``processed``, ``speech_pending`` (the speech extra is missing: the answer is
    kept and HR told), ``failed`` (the file cannot be read), or ``skipped`` (nothing to do,
    or the answer was re-recorded meanwhile).
    """
    from hireflow.interviews.media import DecoderUnavailable
    from hireflow.interviews.speech import SpeechUnavailable, analyse_answer

    with database.session() as session:
        answer = session.get(InterviewAnswer, answer_id)
        if answer is None or answer.media_status not in ("stored", "speech_pending"):
            return "skipped"
        interview = session.get(InterviewSession, answer.interview_id)
        assert interview is not None
        key = answer.media_key
        language = interview.language
        mode = answer.mode
        content_type = answer.media_type
        vocabulary = opening_vocabulary(session, interview)
        data = _read_media(answer)
        session.rollback()  # release the connection while the model runs

    outcome = "processed"
    updates: dict[str, Any] = {}
    vision_flags: list[Any] = []
    try:
        transcript, features = analyse_answer(
            data,
            transcriber or default_transcriber(),
            language=language,
            limits=RECORDING_LIMITS,
            vocabulary=vocabulary,
        )
        updates.update(
            transcript=transcript.text,
            segments=json.dumps(
                [
                    {"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text}
                    for s in transcript.segments
                ],
                ensure_ascii=False,
            ),
            transcript_language=(transcript.language or language)[:10],
            speech=features.to_dict(),
            media_status="processed",
        )
    except (SpeechUnavailable, DecoderUnavailable):
        outcome = "speech_pending"
        updates.update(media_status="speech_pending")
    except MediaError as exc:
        outcome = "failed"
        updates.update(media_status="failed", media_error=exc.code[:40])
    if outcome == "processed" and mode == "video" and observe_video:
        from hireflow.interviews.vision import VisionUnavailable, analyse_video, vision_available

        if vision_available():
            try:
                observations = analyse_video(
                    data, content_type=content_type, limits=RECORDING_LIMITS
                )
                updates["vision"] = observations.to_dict()
                vision_flags = list(observations.flags)
            except (VisionUnavailable, MediaProcessingError) as exc:
                updates["vision"] = {"error": getattr(exc, "code", "vision_failed")}
        else:
            updates["vision"] = {"error": "vision_unavailable"}

    with database.session() as session:
        answer = session.get(InterviewAnswer, answer_id)
        if answer is None or answer.media_key != key:
            return "skipped"  # re-recorded meanwhile: the newer recording has its own run
        interview = session.get(InterviewSession, answer.interview_id)
        assert interview is not None
        for name, value in updates.items():
            setattr(answer, name, value)
        if outcome == "speech_pending" and not interview.speech_pending:
            interview.speech_pending = True
            add_event(session, interview, "speech_pending", question_id=answer.question_id)
        if vision_flags:
            _vision_events(session, interview, answer, vision_flags)
        session.commit()
    return outcome


# --------------------------------------------------------------------------- scoring


def _renew_lease(database: Database, interview_id: int) -> None:
    with database.session() as session:
        session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
            .values(scoring_lease_until=utcnow() + SCORING_LEASE)
        )
        session.commit()


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


def interview_input(interview: InterviewSession, answers: dict[str, InterviewAnswer]) -> Any:
    """The engine's input: the interview's questions and each answer's text or transcript."""
    from hireflow.scoring.interview import interview_from_dict
    from hireflow.scoring.models import load_model

    model = load_model(interview.model)
    rows = []
    for question in questions_of(interview):
        answer = answers.get(str(question.get("id")))
        if answer is None or answer.status != "answered":
            continue
        text = answer.text if answer.mode == "text" else (answer.transcript or "")
        item: dict[str, Any] = {"question_id": answer.question_id, "text": text or ""}
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


def active_calibration(session: Session, tenant_id: int) -> Any:
    from hireflow.scoring.calibration import CompanyCalibration as EngineCalibration

    row = session.scalars(
        select(CompanyCalibration)
        .where(CompanyCalibration.tenant_id == tenant_id, CompanyCalibration.active.is_(True))
        .order_by(CompanyCalibration.version.desc())
    ).first()
    if row is None:
        return None
    return EngineCalibration.from_dict(row.data).activate()


def compute_report(session: Session, interview: InterviewSession) -> Any:
    """Score the interview (deterministic: the same answers give the same report)."""
    from hireflow.scoring.engine import score_interview
    from hireflow.scoring.judge import judge_from_env

    answers = _answers(session, interview)
    calibration = active_calibration(session, interview.tenant_id)
    return score_interview(
        interview_input(interview, answers), judge=judge_from_env(), calibration=calibration
    )


def score(database: Database, interview_id: int, now: datetime | None = None) -> str:
    """The scoring pipeline of one submitted interview (the Celery task calls this).

    1. Take the scoring lease (a run already holding a live lease: ``busy``).
    2. Transcribe and observe recordings not processed yet (each result commits).
    3. Score with the engine.
    4. In one transaction: the submitted → scored transition (a conditional UPDATE, so two
       runs cannot both pass), the report row (unique per interview), the recordings, results
       and status in the HR record, the owner recruiters' notification, the audit rows.

    Returns ``scored``, ``done`` (already scored: re-running changes nothing), ``busy``,
    ``speech_pending`` or ``not_submitted``. A worker killed anywhere before the commit
    leaves no trace but its lease, which expires; :func:`recover` then runs it again.
    """
    now = now or utcnow()
    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        if interview is None:
            return "not_submitted"
        if interview.status in (state.State.SCORED, state.State.REVIEWED):
            return "done"
        if interview.status != state.State.SUBMITTED:
            return "not_submitted"
        claimed = session.execute(
            update(InterviewSession)
            .where(
                InterviewSession.id == interview_id,
                InterviewSession.status == "submitted",
                or_(
                    InterviewSession.scoring_lease_until.is_(None),
                    InterviewSession.scoring_lease_until < now,
                ),
            )
            .values(
                scoring_lease_until=now + SCORING_LEASE,
                scoring_attempts=InterviewSession.scoring_attempts + 1,
                scoring_error="",
                # this run tries the transcription again; it says so again if it fails
                speech_pending=False,
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return "busy"
        media_ids = list(
            session.scalars(
                select(InterviewAnswer.id).where(
                    InterviewAnswer.interview_id == interview_id,
                    InterviewAnswer.status == "answered",
                    InterviewAnswer.media_status.in_(("stored", "speech_pending")),
                )
            )
        )
        session.commit()

    try:
        pending = False
        for answer_id in media_ids:
            outcome = process_answer(database, answer_id)
            pending = pending or outcome == "speech_pending"
            _renew_lease(database, interview_id)
        if pending:
            _hold_for_speech(database, interview_id)
            return "speech_pending"

        with database.session() as session:
            interview = session.get(InterviewSession, interview_id)
            assert interview is not None
            report = compute_report(session, interview)
            session.rollback()
        return _store(database, interview_id, report, now)
    except Exception as exc:
        # A failure (not a killed worker: that never gets here) frees the interview at once,
        # so the task's own retry does not find it "busy" until the lease expires. What went
        # wrong is kept (the exception's class only: messages may quote answers) for HR's page.
        _release_lease(database, interview_id, error=f"failed: {type(exc).__name__}")
        raise


def _release_lease(database: Database, interview_id: int, error: str | None = None) -> None:
    values: dict[str, Any] = {"scoring_lease_until": None}
    if error is not None:
        values["scoring_error"] = error[:200]
    try:
        with database.session() as session:
            session.execute(
                update(InterviewSession)
                .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
                .values(**values)
            )
            session.commit()
    except OperationalError:  # the lease expires by itself; the recovery sweep takes over
        log.warning("lease not released", extra={"event": "interviews.lease_release_failed"})


def _hold_for_speech(database: Database, interview_id: int) -> None:
    """Keep the interview submitted until speech recognition is available; tell HR once."""
    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        assert interview is not None
        interview.speech_pending = True
        interview.scoring_lease_until = utcnow() + SPEECH_RETRY_AFTER
        interview.scoring_error = "speech_unavailable"
        _notify_owners(
            session,
            interview,
            f"interview-speech-pending:{interview.id}",
            N_("Voice answers are waiting for speech recognition"),
            N_(
                "%(candidate)s submitted the AI interview for %(opening)s with voice or video "
                "answers, but speech recognition is not installed where the task worker runs. "
                "The answers are kept. Ask IT to reinstall Hireflow on the worker (speech "
                "recognition is part of the standard install) and restart it; the interview "
                "is then scored automatically, or at once with Retry now on its page."
            ),
        )
        session.commit()


def _store(
    database: Database,
    interview_id: int,
    report: Any,
    now: datetime,
    *,
    record_refused: str = "",
) -> str:

    from hireflow.interviews.overrides import record_texts

    body = report.to_json()
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    lang = report.language
    scores = {d.id: d.score for d in report.dimensions if d.score is not None}
    with database.session() as session:
        # The first write of the transaction: it locks the row (PostgreSQL) or the database
        # (SQLite) and re-reads the status, so of two runs only one gets past it.
        claimed = session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
            .values(updated_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return "done"
        interview = session.get(InterviewSession, interview_id)
        assert interview is not None
        session.refresh(interview)
        row = InterviewReport(
            tenant_id=interview.tenant_id,
            interview_id=interview.id,
            body=body,
            sha256=digest,
            engine_version=report.engine_version,
            scores=scores,
            job_match=report.job_match,
            created_at=now,
        )
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            session.rollback()
            return "done"
        apply_transition(
            session,
            interview,
            state.Event.SCORE,
            now,
            actor_label="system",
            details={"sha256": digest, "job_match": report.job_match},
        )
        interview.scoring_lease_until = None
        interview.speech_pending = False
        interview.scoring_error = f"record:{record_refused}"[:200] if record_refused else ""
        add_event(session, interview, "scored", data={"job_match": report.job_match}, now=now)
        _notify_owners(
            session,
            interview,
            f"interview-report:{interview.id}",
            N_("AI interview report ready"),
            N_(
                "%(candidate)s completed the AI interview for %(opening)s. The report is "
                "ready (job match %(match)s)."
            ),
            match=f"{report.job_match:.0f}%" if report.job_match is not None else "–",
        )
        if record_refused:
            session.commit()
            return "scored"
        scorer = SystemActor("interview-scoring", tenant_id=interview.tenant_id)
        answers = _answers(session, interview)
        delete_after: list[tuple[str, str]] = []
        try:
            _land_recordings(session, scorer, interview, answers, delete_after)
            # Commits everything above with the record's entries: exactly once, or nothing.
            entry = records.record_interview_report(
                session,
                scorer,
                interview.candidate_id,
                opening_id=interview.opening_id,
                interview_id=interview.id,
                scores=scores,
                match_percent=report.job_match,
                status="ai_interview_done",
                source="ai_interview",
                **record_texts(report, lang),
            )
        except AppError as exc:
            # The record refused (erased on request, residency): the report still stands and
            # HR sees why the record did not receive it.
            session.rollback()
            log.warning(
                "record sync refused",
                extra={"event": "interviews.record_sync_refused", "code": exc.code},
            )
            return _store(database, interview_id, report, now, record_refused=exc.code)
        row = session.scalars(
            select(InterviewReport).where(InterviewReport.interview_id == interview_id)
        ).one()
        row.record_entry_id = entry.id
        session.commit()
    for region, key in delete_after:
        _delete_media(region, key)
    return "scored"


def _land_recordings(
    session: Session,
    scorer: Any,
    interview: InterviewSession,
    answers: dict[str, InterviewAnswer],
    delete_after: list[tuple[str, str]],
) -> None:
    """Each recording goes into the HR record, labelled with opening, interview, question
    and capture time; this domain's copy is deleted once the record holds it."""
    from hireflow.scoring.models import localised

    texts = {str(q.get("id")): q for q in questions_of(interview)}
    for answer in sorted(answers.values(), key=lambda a: a.position):
        if not answer.media_key or answer.attachment_id is not None:
            continue
        question = texts.get(answer.question_id, {})
        extension = answer.media_key.rsplit(".", 1)[-1] if "." in answer.media_key else "bin"
        labels = {
            "opening_id": interview.opening_id,
            "interview_id": interview.id,
            "question_id": answer.question_id,
            "question": localised(question.get("text"), interview.language)[:200],
            "mode": answer.mode,
        }
        if answer.media_captured_at is not None:
            labels["captured_at"] = answer.media_captured_at
        attachment = records.attach_file(
            session,
            scorer,
            interview.candidate_id,
            io.BytesIO(_read_media(answer)),
            f"interview-{interview.id}-q{answer.position + 1}.{extension}",
            answer.media_type or "application/octet-stream",
            labels,
            kind="recording",
            source="ai_interview",
            commit=False,
        )
        answer.attachment_id = attachment.id
        delete_after.append((answer.media_region, answer.media_key))
        answer.media_key = ""
        answer.media_wrapped_key = None


def recover(database: Database, now: datetime | None = None) -> dict[str, int]:
    """The safety net behind late acks (run every minute by beat).

    - Submitted interviews without a report whose lease expired (the worker died, or the
      broker lost the message) or that never got one: scoring is queued again.
    - Interviews still in progress a while after their deadline with at least one answer:
      submitted automatically, so what the candidate gave is scored, never voided.
    """
    now = now or utcnow()
    counts = {"requeued": 0, "auto_submitted": 0}
    with database.session() as session:
        stalled = list(
            session.scalars(
                select(InterviewSession.id).where(
                    InterviewSession.status == "submitted",
                    or_(
                        InterviewSession.scoring_lease_until < now,
                        (InterviewSession.scoring_lease_until.is_(None))
                        & (InterviewSession.submitted_at < now - RECOVER_SUBMITTED_AFTER),
                    ),
                )
            )
        )
        overdue = list(
            session.scalars(
                select(InterviewSession.id).where(
                    InterviewSession.status == "in_progress",
                    InterviewSession.deadline < now - state.UPLOAD_GRACE,
                )
            )
        )
    for interview_id in stalled:
        send_by_name("interviews.score_interview", interview_id)
        counts["requeued"] += 1
    for interview_id in overdue:
        with database.session() as session:
            interview = session.get(InterviewSession, interview_id)
            if interview is None or interview.status != state.State.IN_PROGRESS:
                continue
            answered = session.scalar(
                select(func.count())
                .select_from(InterviewAnswer)
                .where(
                    InterviewAnswer.interview_id == interview_id,
                    InterviewAnswer.status.in_(("answered", "draft")),
                )
            )
            if not answered:
                continue
            submit(session, interview, None, now, automatic=True)
            counts["auto_submitted"] += 1
    return counts


# --------------------------------------------------------------------------- notifications


def _notify_owners(
    session: Session,
    interview: InterviewSession,
    dedupe_key: str,
    title: str,
    body: str,
    **params: str,
) -> int:
    """E-mail the opening's owner recruiters (in their language), once per ``dedupe_key``."""

    invitation = session.get(Invitation, interview.invitation_id)
    if invitation is None:
        return 0
    parties = messages.parties(session, invitation)
    cache = notify.TemplateCache(session, interview.tenant_id)
    link = f"{get_settings().base_url.rstrip('/')}/interviews/{interview.id}"
    count = 0
    for owner in parties.owners:
        address = messages.valid_email(owner.email)
        if not address:
            continue
        _ = gettext_for(owner.language)
        values = {
            "candidate": parties.candidate.name,
            "opening": parties.opening.title,
            **params,
        }
        rendered = notify.render(
            cache,
            TemplateKind.GENERIC,
            owner.language,
            {**parties.context, "title": _(title), "body": _(body) % values, "link": link},
            parties.zones.get(owner.id, parties.tenant.default_timezone),
        )
        notify.enqueue(
            session,
            interview.tenant_id,
            notify.OutgoingMessage.from_rendered(
                "email",
                TemplateKind.GENERIC.value,
                address,
                rendered,
                recipient_label=owner.name,
            ),
            dedupe_key=f"{dedupe_key}:u{owner.id}",
            opening_id=interview.opening_id,
            related_type="interview",
            related_id=interview.id,
        )
        count += 1
    return count


# --------------------------------------------------------------------------- HR


def _staff_interview(
    session: Session, principal: Principal, interview_id: int, capability: str
) -> InterviewSession:
    require(principal, capability)
    return get_visible(session, InterviewSession, interview_id, principal, capability)


def push_question(
    session: Session,
    principal: Principal,
    interview_id: int,
    data: schemas.PushQuestionIn,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Add a supplementary question to a running interview; the candidate's page shows it
    without a reload (live event)."""
    from hireflow.scoring.models import ModelError, load_model, question_from_dict

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
    raw = {
        "id": f"hr-{len(pushed) + 1}",
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
        question_id=raw["id"],
        data={"index": len(existing), "total": len(existing) + 1, "text": text},
        now=now,
    )
    _audit(
        session,
        "interview.question_pushed",
        interview,
        actor=principal,
        new={"question_id": raw["id"], "dimension": dimension or None},
    )
    session.commit()
    return raw


def report_of(session: Session, interview: InterviewSession) -> Any:
    """The stored report as a ``Report`` (None before scoring, or once erased on request)."""
    from hireflow.interviews.overrides import stored_report

    row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).first()
    return stored_report(row.body) if row is not None else None


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
    from hireflow.interviews import overrides
    from hireflow.scoring.calibration import CalibrationError, corrections_from_report

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
    _audit(
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
    session: Session, interview: InterviewSession, report: Any
) -> dict[str, float | None]:
    """Each dimension's score in effect: HR's newest adjustment, else the AI's."""
    from hireflow.interviews.overrides import final_scores

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
    from hireflow.interviews.overrides import final_scores

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
    from hireflow.records.models import PersonRecord

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


class ScoringInProgress(AppError):
    status = 409
    code = "scoring_in_progress"
    message = N_("The interview is being scored right now; the report appears shortly.")


def retry_scoring(
    session: Session, principal: Principal, interview_id: int, now: datetime | None = None
) -> InterviewSession:
    """HR's "Retry now" on a submitted interview waiting for its report: queue it at once
    (after the worker was started or speech recognition installed). Never over a live run."""
    from hireflow.interviews.progress import waiting_for_report

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
    _audit(
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
    _audit(session, "interview.viewed", interview, actor=principal)
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
    _audit(
        session,
        "interview.recording_viewed",
        interview,
        actor=principal,
        new={"answer": answer.id},
    )
    try:
        data = _read_media(answer)
    except ResidencyError as exc:
        raise records.region_unreachable(answer.media_region) from exc
    session.commit()
    return io.BytesIO(data), answer.media_type, answer.media_size


# --------------------------------------------------------------------------- FAQ and inbox


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
    audit.record(
        session,
        action,
        actor=principal,
        target_type="interview_faq",
        target_id=faq.id,
        new={"question": faq.question},
    )
    session.commit()
    return faq


def delete_faq(session: Session, principal: Principal, faq_id: int) -> None:
    require(principal, "interviews.faq")
    faq = get_visible(session, CompanyFaq, faq_id, principal, "interviews.faq")
    session.delete(faq)
    audit.record(
        session,
        "interview_faq.deleted",
        actor=principal,
        target_type="interview_faq",
        target_id=faq_id,
    )
    session.commit()


def answer_forwarded(
    session: Session,
    principal: Principal,
    question_id: int,
    data: schemas.HrAnswerIn,
    now: datetime | None = None,
) -> CandidateQuestion:
    """HR replies to a question the candidate asked; a page still open shows it at once."""
    now = now or utcnow()
    require(principal, "interviews.respond")
    row = get_visible(session, CandidateQuestion, question_id, principal, "interviews.respond")
    row.hr_answer = data.answer.strip()
    row.status = "answered_by_hr"
    row.answered_by_id = principal.user_id
    row.answered_at = now
    interview = session.get(InterviewSession, row.interview_id)
    assert interview is not None
    add_event(session, interview, "hr_answer", data={"question": row.id}, now=now)
    _audit(
        session,
        "interview.question_answered",
        interview,
        actor=principal,
        new={"question": row.id},
    )
    session.commit()
    return row


# --------------------------------------------------------------------------- calibration


class CalibrationEmpty(AppError):
    status = 409
    code = "calibration_empty"
    message = N_(
        "This calibration version has no fitted competency (each needs at least %(needed)s "
        "adjustments), so switching it on would change no score. Collect more adjustments "
        "and fit a new version."
    )


def fit_company_calibration(
    session: Session, principal: Principal, method: str = "isotonic"
) -> CompanyCalibration:
    """Fit a calibration from the company's adjustments (inactive until switched on)."""
    from hireflow.scoring.calibration import Correction, fit_calibration

    require(principal, "interviews.calibrate")
    latest: dict[tuple[int, str], ScoreAdjustment] = {}
    rows = session.scalars(
        select(ScoreAdjustment)
        .where(ScoreAdjustment.tenant_id == principal.tenant_id)
        .order_by(ScoreAdjustment.id)
    )
    for row in rows:
        latest[(row.interview_id, row.dimension_id)] = row
    corrections = [
        Correction(
            company_id=str(principal.tenant_id),
            dimension_id=row.dimension_id,
            ai_score=row.ai_score,
            hr_score=row.hr_score,
            reason=row.reason or "-",
            features=dict(row.features or {}),
            interview_ref=f"interview-{row.interview_id}",
        )
        for row in latest.values()
    ]
    version = int(
        session.scalar(
            select(func.max(CompanyCalibration.version)).where(
                CompanyCalibration.tenant_id == principal.tenant_id
            )
        )
        or 0
    )
    fitted = fit_calibration(
        corrections, str(principal.tenant_id), method=method, version=str(version + 1)
    )
    row = CompanyCalibration(
        tenant_id=principal.tenant_id,
        version=version + 1,
        data=fitted.to_dict(),
        active=False,
        created_by_id=principal.user_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "interview_calibration.fitted",
        actor=principal,
        target_type="interview_calibration",
        target_id=row.id,
        new={
            "version": row.version,
            "corrections": len(corrections),
            "dimensions": len(fitted.dimensions),
        },
    )
    session.commit()
    return row


def activate_calibration(
    session: Session, principal: Principal, calibration_id: int, active: bool = True
) -> CompanyCalibration:
    """Switch a version on (the company's other versions go off) or off.

    A version without a fitted competency is refused: switching it on would silently switch
    off the calibration in use and change no score."""
    from hireflow.scoring.calibration import DEFAULT_MIN_CORRECTIONS

    require(principal, "interviews.calibrate")
    row = get_visible(
        session, CompanyCalibration, calibration_id, principal, "interviews.calibrate"
    )
    if active and not (row.data or {}).get("dimensions"):
        needed = (row.data or {}).get("min_corrections", DEFAULT_MIN_CORRECTIONS)
        raise CalibrationEmpty(params={"needed": needed})
    if active:
        session.execute(
            update(CompanyCalibration)
            .where(CompanyCalibration.tenant_id == principal.tenant_id)
            .values(active=False)
        )
    row.active = active
    audit.record(
        session,
        "interview_calibration.activated" if active else "interview_calibration.deactivated",
        actor=principal,
        target_type="interview_calibration",
        target_id=row.id,
        new={"version": row.version},
    )
    session.commit()
    return row
