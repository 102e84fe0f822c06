"""Worker side (SPEC E9, F1), reached only through ``interviews/tasks.py``.

:func:`process_answer` transcribes a recording and observes a video as soon as it is uploaded;
:func:`score` (on submission) processes what is left, scores with ``hireflow.scoring``, stores
the report (once: a unique index), moves the candidate's record (results, labelled
recordings, status) and tells the owner recruiter, in one transaction. :func:`recover` re-runs
scoring whose worker died and submits interviews left open past their deadline.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hireflow.core import events
from hireflow.core.db import Database, changed_one, utcnow
from hireflow.core.errors import N_, AppError
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews import coding, state
from hireflow.interviews.candidate import submit
from hireflow.interviews.engine_adapter import compute_report
from hireflow.interviews.media import DecoderUnavailable, MediaError, MediaProcessingError
from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession
from hireflow.interviews.overrides import record_report, report_scores
from hireflow.interviews.owners import notify_owners
from hireflow.interviews.recordings import RECORDING_LIMITS, delete_media, read_media
from hireflow.interviews.sessions import (
    add_event,
    answers_of,
    application_id_of,
    apply_transition,
    questions_of,
)
from hireflow.interviews.speech import (
    SpeechUnavailable,
    Transcriber,
    analyse_answer,
    configured_whisper,
)
from hireflow.interviews.vision import (
    ProctoringFlag,
    VisionUnavailable,
    analyse_video,
    vision_available,
)
from hireflow.interviews.vocabulary import job_terms
from hireflow.openings.models import Opening
from hireflow.records import service as records
from hireflow.records.service import SystemActor
from hireflow.scheduling.models import DEVELOPMENT, Invitation
from hireflow.scoring.models import localised
from hireflow.scoring.report import Report

log = logging.getLogger(__name__)

# Scoring leases: a run renews its lease between steps; a lease that expired means the
# worker died, and the recovery sweep starts the run again.
SCORING_LEASE = timedelta(minutes=5)
RECOVER_SUBMITTED_AFTER = timedelta(seconds=30)
# A message still unseen when the queue took one sent this much later was lost (workers
# with several slots take neighbouring messages in any order).
FIFO_SLACK = timedelta(seconds=5)
# With nothing scored at all since it was queued, a message is presumed lost after this
# (the broker lost the whole queue, e.g. a Redis restart without persistence).
RECOVER_IDLE_AFTER = timedelta(minutes=10)
SPEECH_RETRY_AFTER = timedelta(minutes=10)
CODE_RETRY_AFTER = timedelta(minutes=1)


class AnswerOutcome(StrEnum):
    """What :func:`process_answer` did with one recording (the task's result on the wire)."""

    PROCESSED = "processed"
    SPEECH_PENDING = "speech_pending"  # the speech extra is missing: kept, HR told
    FAILED = "failed"  # the file cannot be read
    SKIPPED = "skipped"  # nothing to do, or re-recorded meanwhile


class ScoreOutcome(StrEnum):
    """What :func:`score` did with one interview (the task's result on the wire)."""

    SCORED = "scored"
    DONE = "done"  # already scored: re-running changes nothing
    BUSY = "busy"  # another run holds a live lease
    SPEECH_PENDING = "speech_pending"
    CODE_PENDING = "code_pending"  # a coding submission waits for a sandbox worker
    NOT_SUBMITTED = "not_submitted"


_transcriber: Transcriber | None = None
_transcriber_lock = threading.Lock()


def default_transcriber() -> Transcriber:
    """The process's transcriber: the embedded Whisper model (loaded once)."""
    global _transcriber
    with _transcriber_lock:
        if _transcriber is None:
            _transcriber = configured_whisper()
        return _transcriber


def opening_vocabulary(session: Session, interview: InterviewSession) -> list[str]:
    """The opening's skills and product names, to bias speech recognition toward them."""
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


def _vision_events(
    session: Session,
    interview: InterviewSession,
    answer: InterviewAnswer,
    flags: Iterable[ProctoringFlag | dict[str, Any]],
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


# --------------------------------------------------------------------------- one answer


@dataclass(frozen=True)
class _Recording:
    """What the analysis of one answer needs, read before the connection is released."""

    key: str
    language: str
    mode: str
    content_type: str
    vocabulary: list[str]
    data: bytes


@dataclass
class _Analysis:
    outcome: AnswerOutcome = AnswerOutcome.PROCESSED
    updates: dict[str, Any] = field(default_factory=dict)
    vision_flags: list[ProctoringFlag] = field(default_factory=list)


def _read_recording(database: Database, answer_id: int) -> _Recording | None:
    with database.session() as session:
        answer = session.get(InterviewAnswer, answer_id)
        if answer is None or answer.media_status not in ("stored", "speech_pending"):
            return None
        interview = session.get(InterviewSession, answer.interview_id)
        assert interview is not None
        recording = _Recording(
            key=answer.media_key,
            language=interview.language,
            mode=answer.mode,
            content_type=answer.media_type,
            vocabulary=opening_vocabulary(session, interview),
            data=read_media(answer),
        )
        session.rollback()  # release the connection while the model runs
    return recording


def _transcribe(recording: _Recording, transcriber: Transcriber) -> _Analysis:
    try:
        transcript, features = analyse_answer(
            recording.data,
            transcriber,
            language=recording.language,
            limits=RECORDING_LIMITS,
            vocabulary=recording.vocabulary,
        )
    except (SpeechUnavailable, DecoderUnavailable):
        return _Analysis(AnswerOutcome.SPEECH_PENDING, {"media_status": "speech_pending"})
    except MediaError as exc:
        return _Analysis(
            AnswerOutcome.FAILED, {"media_status": "failed", "media_error": exc.code[:40]}
        )
    segments = [
        {"start": round(s.start, 2), "end": round(s.end, 2), "text": s.text}
        for s in transcript.segments
    ]
    return _Analysis(
        updates={
            "transcript": transcript.text,
            "segments": json.dumps(segments, ensure_ascii=False),
            "transcript_language": (transcript.language or recording.language)[:10],
            "speech": features.to_dict(),
            "media_status": "processed",
        }
    )


def _observe_video(recording: _Recording, analysis: _Analysis) -> None:
    if not vision_available():
        analysis.updates["vision"] = {"error": "vision_unavailable"}
        return
    try:
        observations = analyse_video(
            recording.data, content_type=recording.content_type, limits=RECORDING_LIMITS
        )
    except (VisionUnavailable, MediaProcessingError) as exc:
        analysis.updates["vision"] = {"error": getattr(exc, "code", "vision_failed")}
        return
    analysis.updates["vision"] = observations.to_dict()
    analysis.vision_flags = list(observations.flags)


def _save_analysis(
    database: Database, answer_id: int, recording: _Recording, analysis: _Analysis
) -> AnswerOutcome:
    with database.session() as session:
        answer = session.get(InterviewAnswer, answer_id)
        if answer is None or answer.media_key != recording.key:
            # re-recorded meanwhile: the newer recording has its own run
            return AnswerOutcome.SKIPPED
        interview = session.get(InterviewSession, answer.interview_id)
        assert interview is not None
        for name, value in analysis.updates.items():
            setattr(answer, name, value)
        if analysis.outcome == AnswerOutcome.SPEECH_PENDING and not interview.speech_pending:
            interview.speech_pending = True
            add_event(session, interview, "speech_pending", question_id=answer.question_id)
        if analysis.vision_flags:
            _vision_events(session, interview, answer, analysis.vision_flags)
        session.commit()
    return analysis.outcome


def process_answer(
    database: Database,
    answer_id: int,
    *,
    transcriber: Transcriber | None = None,
    observe_video: bool = True,
) -> AnswerOutcome:
    """Transcribe one recorded answer and observe its video (idempotent)."""
    recording = _read_recording(database, answer_id)
    if recording is None:
        return AnswerOutcome.SKIPPED
    analysis = _transcribe(recording, transcriber or default_transcriber())
    if analysis.outcome == AnswerOutcome.PROCESSED and recording.mode == "video" and observe_video:
        _observe_video(recording, analysis)
    return _save_analysis(database, answer_id, recording, analysis)


# --------------------------------------------------------------------------- scoring


def _renew_lease(database: Database, interview_id: int) -> None:
    with database.session() as session:
        session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
            .values(scoring_lease_until=utcnow() + SCORING_LEASE)
        )
        session.commit()


def _take_lease(database: Database, interview_id: int, now: datetime) -> ScoreOutcome | list[int]:
    """Take the scoring lease; the ids of the recorded answers to process, or why not."""
    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        if interview is None:
            return ScoreOutcome.NOT_SUBMITTED
        if interview.status in (state.State.SCORED, state.State.REVIEWED):
            return ScoreOutcome.DONE
        if interview.status != state.State.SUBMITTED:
            return ScoreOutcome.NOT_SUBMITTED
        if not changed_one(
            session,
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
            ),
        ):
            return ScoreOutcome.BUSY
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
    return media_ids


def score(database: Database, interview_id: int, now: datetime | None = None) -> ScoreOutcome:
    """The scoring pipeline of one submitted interview (the Celery task calls this).

    1. Take the scoring lease (a run already holding a live lease: ``busy``).
    2. Transcribe and observe recordings not processed yet (each result commits).
    3. Score with the engine.
    4. In one transaction: the submitted → scored transition (a conditional UPDATE, so two
       runs cannot both pass), the report row (unique per interview), the recordings, results
       and status in the HR record, the owner recruiters' notification, the audit rows.

    A worker killed anywhere before the commit leaves no trace but its lease, which expires;
    :func:`recover` then runs it again.
    """
    now = now or utcnow()
    media_ids = _take_lease(database, interview_id, now)
    if isinstance(media_ids, ScoreOutcome):
        return media_ids
    try:
        pending = False
        for answer_id in media_ids:
            outcome = process_answer(database, answer_id)
            pending = pending or outcome == AnswerOutcome.SPEECH_PENDING
            _renew_lease(database, interview_id)
        if pending:
            _hold_for_speech(database, interview_id)
            return ScoreOutcome.SPEECH_PENDING
        if _hold_for_code(database, interview_id, now):
            return ScoreOutcome.CODE_PENDING

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


def _hold_for_code(database: Database, interview_id: int, now: datetime) -> bool:
    """Collect the coding submissions' results; while one is still waiting for a sandbox
    worker the interview stays submitted and the recovery sweep looks again after
    ``CODE_RETRY_AFTER`` (nothing is scored without the code's result)."""
    with database.session() as session:
        waiting = coding.pending_submissions(session, interview_id, now)
        if waiting:
            interview = session.get(InterviewSession, interview_id)
            assert interview is not None
            interview.scoring_lease_until = now + CODE_RETRY_AFTER
            interview.scoring_error = "code_pending"
        session.commit()
    return bool(waiting)


def _hold_for_speech(database: Database, interview_id: int) -> None:
    """Keep the interview submitted until speech recognition is available; tell HR once."""
    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        assert interview is not None
        interview.speech_pending = True
        interview.scoring_lease_until = utcnow() + SPEECH_RETRY_AFTER
        interview.scoring_error = "speech_unavailable"
        notify_owners(
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


# --------------------------------------------------------------------------- storing


def _insert_report(
    session: Session, interview_id: int, report: Report, now: datetime
) -> InterviewSession | None:
    """The scored transition and the report row; None when another run stored it first."""
    body = report.to_json()
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    # The first write of the transaction: it locks the row (PostgreSQL) or the database
    # (SQLite) and re-reads the status, so of two runs only one gets past it.
    if not changed_one(
        session,
        update(InterviewSession)
        .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
        .values(updated_at=now),
    ):
        return None
    interview = session.get(InterviewSession, interview_id)
    assert interview is not None
    session.refresh(interview)
    row = InterviewReport(
        tenant_id=interview.tenant_id,
        interview_id=interview.id,
        body=body,
        sha256=digest,
        engine_version=report.engine_version,
        scores=report_scores(report),
        job_match=report.job_match,
        created_at=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        session.rollback()
        return None
    apply_transition(
        session,
        interview,
        state.Event.SCORE,
        now,
        actor_label="system",
        details={"sha256": digest, "job_match": report.job_match},
    )
    return interview


def _announce(
    session: Session,
    interview: InterviewSession,
    report: Report,
    now: datetime,
    record_refused: str,
) -> None:
    interview.scoring_lease_until = None
    interview.speech_pending = False
    interview.scoring_error = f"record:{record_refused}"[:200] if record_refused else ""
    add_event(session, interview, "scored", data={"job_match": report.job_match}, now=now)
    _publish_report(session, interview, report)
    notify_owners(
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


def _purpose(session: Session, interview: InterviewSession) -> str | None:
    return session.scalar(
        select(Invitation.purpose).where(Invitation.id == interview.invitation_id)
    )


def _publish_report(session: Session, interview: InterviewSession, report: Report) -> None:
    """``report.ready`` for the other domains (ids and numbers only, no personal data).

    A development re-assessment names no application: the rules and webhooks of the opening
    the person was hired through must not act on it."""
    application_id = (
        None
        if _purpose(session, interview) == DEVELOPMENT
        else application_id_of(session, interview)
    )
    events.publish(
        session,
        "report.ready",
        interview.tenant_id,
        f"application:{application_id}" if application_id else f"interview:{interview.id}",
        {
            "interview_id": interview.id,
            "application_id": application_id,
            "opening_id": interview.opening_id,
            "job_match": report.job_match,
            "scores": report_scores(report),
        },
    )


def _store(
    database: Database,
    interview_id: int,
    report: Report,
    now: datetime,
    *,
    record_refused: str = "",
) -> ScoreOutcome:
    with database.session() as session:
        interview = _insert_report(session, interview_id, report, now)
        if interview is None:
            return ScoreOutcome.DONE
        _announce(session, interview, report, now, record_refused)
        if record_refused:
            session.commit()
            return ScoreOutcome.SCORED
        delete_after: list[tuple[str, str]] = []
        try:
            entry_id = _into_record(session, interview, report, delete_after)
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
        row.record_entry_id = entry_id
        session.commit()
    for region, key in delete_after:
        delete_media(region, key)
    return ScoreOutcome.SCORED


def _into_record(
    session: Session,
    interview: InterviewSession,
    report: Report,
    delete_after: list[tuple[str, str]],
) -> int:
    """The recordings and the result into the HR record; the result entry's id.

    Commits everything written so far with the record's entries: exactly once, or nothing."""
    scorer = SystemActor("interview-scoring", tenant_id=interview.tenant_id)
    _land_recordings(session, scorer, interview, answers_of(session, interview), delete_after)
    # An employee's development re-assessment is a result on their record, not a step of a
    # hiring process: their status (hired, in probation, …) stays what it is.
    development = _purpose(session, interview) == DEVELOPMENT
    entry = record_report(
        session,
        scorer,
        interview.candidate_id,
        report,
        opening_id=interview.opening_id,
        interview_id=interview.id,
        status=None if development else "ai_interview_done",
        source="ai_interview",
    )
    return entry.id


def _land_recordings(
    session: Session,
    scorer: SystemActor,
    interview: InterviewSession,
    answers: dict[str, InterviewAnswer],
    delete_after: list[tuple[str, str]],
) -> None:
    """Each recording goes into the HR record, labelled with opening, interview, question
    and capture time; this domain's copy is deleted once the record holds it."""
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
            io.BytesIO(read_media(answer)),
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


# --------------------------------------------------------------------------- recovery


def _queued_at(interview: InterviewSession) -> datetime:
    """When the interview's scoring was last queued: its last write while no run holds it
    (the submission, a requeue by the sweep, HR's retry, a failed run's release)."""
    return max(interview.updated_at, interview.submitted_at or interview.updated_at)


def _stalled(session: Session, now: datetime) -> list[InterviewSession]:
    """Submitted interviews whose scoring message is gone, not merely waiting in a long queue.

    - A run's lease expired: its worker died (or the run asked to be tried again later).
    - No run ever took it (or it was queued again): its message is lost when the queue has
      moved past it (an interview queued after it was taken: messages are taken in the order
      they were sent) or nothing was scored at all for ``RECOVER_IDLE_AFTER`` since it was
      queued. An interview still queued behind a long backlog is neither, so it is not queued
      a second time; once requeued, it counts as queued then, so it is requeued once per stall.
    """
    waiting = list(
        session.scalars(
            select(InterviewSession).where(
                InterviewSession.status == "submitted",
                or_(
                    InterviewSession.scoring_lease_until < now,
                    (InterviewSession.scoring_lease_until.is_(None))
                    & (InterviewSession.updated_at < now - RECOVER_SUBMITTED_AFTER),
                ),
            )
        )
    )
    expired = [i for i in waiting if i.scoring_lease_until is not None]
    unleased = [i for i in waiting if i.scoring_lease_until is None]
    if not unleased:
        return expired
    oldest = min(_queued_at(i) for i in unleased)
    # the newest interview a run took (scored, or taken at least once) among those queued later
    passed_at = session.scalar(
        select(func.max(InterviewSession.submitted_at)).where(
            InterviewSession.submitted_at > oldest, InterviewSession.scoring_attempts > 0
        )
    )
    live_run = session.scalar(
        select(func.count())
        .select_from(InterviewSession)
        .where(InterviewSession.status == "submitted", InterviewSession.scoring_lease_until >= now)
    )
    last_scored = session.scalar(select(func.max(InterviewSession.scored_at)))
    lost = []
    for interview in unleased:
        queued = _queued_at(interview)
        passed = passed_at is not None and passed_at > queued + FIFO_SLACK
        idle = (
            not live_run
            and (last_scored is None or last_scored < queued)
            and queued < now - RECOVER_IDLE_AFTER
        )
        if passed or idle:
            lost.append(interview)
    return expired + lost


def _requeue(database: Database, now: datetime) -> int:
    """Queue the stalled interviews' scoring again, noting the moment (see :func:`_stalled`)."""
    requeued = 0
    with database.session() as session:
        stalled = [(i.id, i.scoring_lease_until) for i in _stalled(session, now)]
        for interview_id, lease in stalled:
            # conditional on what was read: a run that took it meanwhile is left alone
            if changed_one(
                session,
                update(InterviewSession)
                .where(
                    InterviewSession.id == interview_id,
                    InterviewSession.status == "submitted",
                    InterviewSession.scoring_lease_until.is_(None)
                    if lease is None
                    else InterviewSession.scoring_lease_until == lease,
                )
                .values(scoring_lease_until=None, updated_at=now),
                rollback=False,
            ):
                requeued += 1
                enqueue_on_commit(session, "interviews.score_interview", interview_id)
        session.commit()
    return requeued


def _overdue(database: Database, now: datetime) -> list[int]:
    with database.session() as session:
        return list(
            session.scalars(
                select(InterviewSession.id).where(
                    InterviewSession.status == "in_progress",
                    InterviewSession.deadline < now - state.UPLOAD_GRACE,
                )
            )
        )


def _submit_overdue(database: Database, interview_id: int, now: datetime) -> bool:
    with database.session() as session:
        interview = session.get(InterviewSession, interview_id)
        if interview is None or interview.status != state.State.IN_PROGRESS:
            return False
        answered = session.scalar(
            select(func.count())
            .select_from(InterviewAnswer)
            .where(
                InterviewAnswer.interview_id == interview_id,
                InterviewAnswer.status.in_(("answered", "draft")),
            )
        )
        if not answered:
            return False
        submit(session, interview, None, now, automatic=True)
        return True


def recover(database: Database, now: datetime | None = None) -> dict[str, int]:
    """The safety net behind late acks (run every minute by beat).

    - Submitted interviews without a report whose run died (its lease expired) or whose
      message was lost (see :func:`_stalled`): scoring is queued again, once per stall, never
      for an interview that is only waiting its turn behind a backlog.
    - Interviews still in progress a while after their deadline with at least one answer:
      submitted automatically, so what the candidate gave is scored, never voided.
    """
    now = now or utcnow()
    counts = {"requeued": _requeue(database, now), "auto_submitted": 0}
    for interview_id in _overdue(database, now):
        if _submit_overdue(database, interview_id, now):
            counts["auto_submitted"] += 1
    return counts
