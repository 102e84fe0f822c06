"""Recorded answers sent in resumable, encrypted chunks: start, chunk, status, complete."""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import CryptoError, WrappedKey
from hireflow.core.db import changed_one, retry_when_busy, utcnow
from hireflow.core.errors import N_, Conflict, NotFound, TooLarge, ValidationFailed
from hireflow.core.storage import ResidencyError
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews import schemas, state
from hireflow.interviews.errors import MediaRefused, NoRerecords, QuestionDone, UploadOffset
from hireflow.interviews.media import (
    MediaError,
    MediaProcessingError,
    check_upload,
    decode_audio,
    decoder_available,
    probe,
    with_duration,
)
from hireflow.interviews.models import InterviewAnswer, InterviewSession, InterviewUpload
from hireflow.interviews.recordings import (
    CHUNK_MAX_BYTES,
    EXTENSIONS,
    RECORDING_LIMITS,
    RECORDING_MAX_BYTES,
    clear_media,
    delete_media,
    media_ref,
    recording_region,
)
from hireflow.interviews.sessions import (
    add_event,
    answer_for_writing,
    next_question_id,
    require_writable,
    run_clock,
)
from hireflow.interviews.speech_features import is_silent
from hireflow.records import service as records
from hireflow.records.storage import encrypted_for_region, regional_storage

log = logging.getLogger(__name__)


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
    answer, question = answer_for_writing(session, interview, question_id, data.tab, now)
    if answer.status == "skipped" or (
        answer.status == "answered" and interview.current_question != question_id
    ):
        raise QuestionDone()
    if answer.status == "answered" and answer.mode == "text":
        raise QuestionDone()
    run_clock(answer, question, now)
    if not state.can_rerecord(answer.attempts, interview.max_rerecords):
        raise NoRerecords()
    region = recording_region(session, interview)
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
    require_writable(interview, now, upload_started=upload.created_at)
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
    if not changed_one(
        session,
        update(InterviewUpload)
        .where(
            InterviewUpload.id == upload.id,
            InterviewUpload.received == offset,
            InterviewUpload.status == "open",
        )
        .values(received=offset + len(chunk), chunks=chunks, updated_at=now),
    ):
        # The same chunk arrived twice at once (a client retry): the other copy won.
        delete_media(upload.region, key)
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
        delete_media(upload.region, key)


def _assemble(upload: InterviewUpload) -> bytes:
    storage = encrypted_for_region(upload.region, pii.keyring())
    parts = []
    for key, wrapped, _size in upload.chunks or []:
        parts.append(storage.get_bytes(key, WrappedKey.from_token(wrapped), file_id=key))
    return b"".join(parts)


@dataclass(frozen=True)
class CheckedRecording:
    container: str
    duration: float | None
    warning: str


def check_recording(data: bytes, content_type: str, mode: str) -> CheckedRecording:
    """Refuse what cannot be an answer; warn about silence and a cut-off end.

    Without the decoder (PyAV, part of the speech extra) only the container is checked:
    the recording is kept and examined once the extra is installed.
    """
    container = check_upload(data, content_type, RECORDING_LIMITS)
    if not decoder_available():
        return CheckedRecording(container, None, "")
    info = probe(data, content_type, RECORDING_LIMITS)
    if mode == "video" and info.video is None:
        raise MediaError("no_video")
    decoded = decode_audio(data, content_type, RECORDING_LIMITS)
    warning = ""
    if decoded.truncated:
        warning = "truncated"
    elif is_silent(decoded.samples, decoded.sample_rate):
        warning = "silent"
    return CheckedRecording(container, round(decoded.duration, 2), warning)


def _answer_out(
    session: Session, interview: InterviewSession, answer: InterviewAnswer, warning: str = ""
) -> schemas.AnswerOut:
    return schemas.AnswerOut(
        question_id=answer.question_id,
        status=answer.status,
        mode=answer.mode,
        media_status=answer.media_status,
        warning=warning,
        next_question_id=next_question_id(session, interview),
    )


def _checked_recording(
    session: Session, upload: InterviewUpload, now: datetime
) -> tuple[bytes, CheckedRecording]:
    """The assembled recording, checked (a refusal fails the upload), with its duration
    written into a browser's WebM."""
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
        checked = CheckedRecording(upload.content_type, None, "")
    if checked.container == "webm" and decoder_available():
        # Browsers record WebM without a duration: HR's player would show "Infinity" and
        # could not seek. Rewrite it with its duration now (same packets, milliseconds);
        # if that fails it is kept as recorded: it plays, only without a known length.
        with contextlib.suppress(MediaProcessingError):
            data = with_duration(data, upload.content_type, RECORDING_LIMITS) or data
    return data, checked


def _keep_as_answer(
    interview: InterviewSession,
    upload: InterviewUpload,
    answer: InterviewAnswer,
    data: bytes,
    checked: CheckedRecording,
    now: datetime,
) -> None:
    """Store the recording (encrypted, in the candidate's region) as the question's answer."""
    extension = EXTENSIONS.get(checked.container, "bin")
    key = f"interviews/t{interview.tenant_id}/i{interview.id}/a{answer.id}/{uuid.uuid4().hex}"
    key = f"{key}.{extension}"
    storage = encrypted_for_region(upload.region, pii.keyring())
    wrapped = storage.put_bytes(key, data, file_id=key)
    clear_media(answer)
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
        return _answer_out(session, interview, answer)
    if upload.status != "open":
        raise Conflict(N_("This upload was replaced by a newer recording."), code="upload_closed")
    require_writable(interview, now, upload_started=upload.created_at)
    if not upload.chunks:
        raise UploadOffset(0)
    if upload.declared_size is not None and upload.received != upload.declared_size:
        raise UploadOffset(upload.received)
    data, checked = _checked_recording(session, upload, now)
    old_media = media_ref(answer)
    _keep_as_answer(interview, upload, answer, data, checked, now)
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
        delete_media(region, chunk_key)
    if old_media is not None:
        delete_media(*old_media)
    return _answer_out(session, interview, answer, checked.warning)
