"""Where a recorded answer lives: its region, its encrypted copy, and clearing it."""

from __future__ import annotations

import logging

from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import WrappedKey
from hireflow.interviews.media import MediaLimits
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.records.storage import encrypted_for_region, regional_storage
from hireflow.records.timeline import default_region, find_record

log = logging.getLogger(__name__)

RECORDING_MAX_BYTES = 100 * 1024 * 1024
CHUNK_MAX_BYTES = 4 * 1024 * 1024
RECORDING_LIMITS = MediaLimits(max_bytes=RECORDING_MAX_BYTES, max_seconds=15 * 60.0)
EXTENSIONS = {"webm": "webm", "ogg": "ogg", "mp4": "mp4", "wav": "wav"}


def recording_region(session: Session, interview: InterviewSession) -> str:
    """Where the candidate's data must live: their record's region (or the default for a
    new record), so a recording never leaves it, even before it lands in the record."""
    record = find_record(session, interview.candidate_id)
    if record is not None:
        return record.region
    return default_region(session, interview.candidate).lower()


def media_ref(answer: InterviewAnswer) -> tuple[str, str] | None:
    if not answer.media_key:
        return None
    return answer.media_region, answer.media_key


def clear_media(answer: InterviewAnswer) -> None:
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


def delete_media(region: str, key: str) -> None:
    try:
        regional_storage().delete(region, key)
    except Exception as exc:  # an orphan ciphertext is unreadable without its key
        log.warning(
            "recording not deleted",
            extra={"event": "interviews.media_delete_failed", "error": type(exc).__name__},
        )


def read_media(answer: InterviewAnswer) -> bytes:
    storage = encrypted_for_region(answer.media_region, pii.keyring())
    assert answer.media_wrapped_key is not None
    return storage.get_bytes(
        answer.media_key, WrappedKey.from_token(answer.media_wrapped_key), file_id=answer.media_key
    )
