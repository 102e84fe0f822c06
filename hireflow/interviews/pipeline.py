"""Worker side (SPEC E9, F1): :func:`process_answer` transcribes a recording and observes a
video as soon as it is uploaded; :func:`score` (on submission) processes what is left, scores
with ``hireflow.scoring``, stores the report (once: a unique index), moves the candidate's
record (results, labelled recordings, status) and tells the owner recruiter, in one
transaction. :func:`recover` re-runs scoring whose worker died and submits interviews left
open past their deadline. Reached only through ``interviews/tasks.py``."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from hireflow.core.db import Database, utcnow
from hireflow.core.errors import N_, AppError
from hireflow.core.tasks import send_by_name
from hireflow.interviews import state
from hireflow.interviews.candidate import submit
from hireflow.interviews.engine_adapter import compute_report
from hireflow.interviews.media import (
    DecoderUnavailable,
    MediaError,
    MediaProcessingError,
)
from hireflow.interviews.models import (
    InterviewAnswer,
    InterviewReport,
    InterviewSession,
)
from hireflow.interviews.overrides import record_texts
from hireflow.interviews.owners import notify_owners
from hireflow.interviews.recordings import RECORDING_LIMITS, delete_media, read_media
from hireflow.interviews.sessions import add_event, answers_of, apply_transition, questions_of
from hireflow.interviews.speech import SpeechUnavailable, WhisperTranscriber, analyse_answer
from hireflow.interviews.vision import VisionUnavailable, analyse_video, vision_available
from hireflow.interviews.vocabulary import job_terms
from hireflow.openings.models import Opening
from hireflow.records import service as records
from hireflow.records.service import SystemActor
from hireflow.scoring.models import localised

log = logging.getLogger(__name__)


# Scoring leases: a run renews its lease between steps; a lease that expired means the
# worker died, and the recovery sweep starts the run again.
SCORING_LEASE = timedelta(minutes=5)


RECOVER_SUBMITTED_AFTER = timedelta(seconds=30)


SPEECH_RETRY_AFTER = timedelta(minutes=10)


_transcriber: Any = None


_transcriber_lock = threading.Lock()


def default_transcriber() -> Any:
    """The process's transcriber: the embedded Whisper model (loaded once)."""
    global _transcriber
    with _transcriber_lock:
        if _transcriber is None:
            _transcriber = WhisperTranscriber()
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
        data = read_media(answer)
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


def _renew_lease(database: Database, interview_id: int) -> None:
    with database.session() as session:
        session.execute(
            update(InterviewSession)
            .where(InterviewSession.id == interview_id, InterviewSession.status == "submitted")
            .values(scoring_lease_until=utcnow() + SCORING_LEASE)
        )
        session.commit()


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


def _store(
    database: Database,
    interview_id: int,
    report: Any,
    now: datetime,
    *,
    record_refused: str = "",
) -> str:

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
        if record_refused:
            session.commit()
            return "scored"
        scorer = SystemActor("interview-scoring", tenant_id=interview.tenant_id)
        answers = answers_of(session, interview)
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
        delete_media(region, key)
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
