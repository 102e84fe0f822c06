"""Audio chunks in, utterances and hints out, and the room's state for the assistant page.

A browser posts one chunk per utterance (its own microphone; in capture mode HR's browser
also posts the other product's call audio as the candidate's side). The request only checks
the chunk (consent, size, container), stores it encrypted and queues
``live.transcribe_chunk`` on the ``speech`` queue: it answers in milliseconds whatever the
load, and the web process never runs the model. A speech worker (the model loaded once,
at its start) decodes and transcribes the chunk with the opening's vocabulary, commits the
line of transcript (HR's page shows it at once: server-sent events, ``live/push.py``), then
places it against the plan and commits the assistant's hints in a second transaction.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hireflow.candidates.vectors import platform_embedder
from hireflow.core.audit import record as audit_record
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.process_value import ProcessValue
from hireflow.core.settings import Settings, get_settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.interviews.media import (
    DecodedAudio,
    MediaError,
    MediaLimits,
    check_upload,
    decode_audio,
)
from hireflow.interviews.speech import Transcriber, WhisperTranscriber, configured_whisper
from hireflow.interviews.speech_features import speech_features
from hireflow.interviews.speech_window import WindowedWhisperTranscriber
from hireflow.interviews.transcript import Transcript, join_segments
from hireflow.interviews.vocabulary import job_terms
from hireflow.live import assistant, notices
from hireflow.live.errors import ChunkRefused, ChunkTooLarge, ChunkWrongType, RoomEnded
from hireflow.live.models import LiveChunk, LiveHint, LiveParticipant, LiveRoom, LiveUtterance
from hireflow.live.service import (
    check_recording_allowed,
    elapsed_seconds,
    everyone_consented,
    participants,
    visible_room,
)
from hireflow.openings.models import Opening
from hireflow.scoring.models import localised

log = logging.getLogger(__name__)


def live_transcriber(settings: Settings | None = None) -> Transcriber:
    """The AI interview's embedded Whisper base model (int8 on CPU unless
    ``HIREFLOW_ASR_DEVICE`` says otherwise; the same loaded instance: the model cache is keyed
    by directory, type and threads) decoding greedily: a live line is wanted within seconds,
    and beam search of 5 costs about twice the time for little gain on short utterances.
    The encoder sees a window fitted to the utterance rather than 30 s
    (``interviews/speech_window.py``; ``HIREFLOW_LIVE_ASR_WINDOW=30s`` for the full one):
    about a third of the CPU per utterance for the same word error rate
    (bench/live_transcription.py). Language detection per utterance stays on."""
    settings = settings or get_settings()
    fitted = settings.live_asr_window == "fitted"
    kind = WindowedWhisperTranscriber if fitted else WhisperTranscriber
    return configured_whisper(settings, kind, beam_size=1)


#: The process's live transcriber; tests override it with one whose model cache they control.
TRANSCRIBER: ProcessValue[Transcriber] = ProcessValue(live_transcriber)
CHUNK_CONTAINERS = ("webm", "ogg", "wav")
SOURCES = ("microphone", "call")  # "call": the other product's audio, captured by HR
TASK = "live.transcribe_chunk"


@dataclass(frozen=True)
class ChunkResult:
    """What the speech worker made of one chunk (``utterance`` None: silence or refused)."""

    utterance: LiveUtterance | None
    hints: list[LiveHint]
    transcribed_ms: int
    total_ms: int
    outcome: str = "transcribed"


def _limits(settings: Settings) -> MediaLimits:
    return MediaLimits(
        max_bytes=settings.live_chunk_max_bytes, max_seconds=settings.live_chunk_max_seconds
    )


def _check_chunk(data: bytes, content_type: str | None, limits: MediaLimits) -> None:
    if len(data) > limits.max_bytes:
        raise ChunkTooLarge(params={"limit": f"{limits.max_bytes // 1024} KiB"})
    try:
        container = check_upload(data, content_type, limits)
    except MediaError as exc:
        if exc.code in ("not_media", "type_mismatch"):
            raise ChunkWrongType() from exc
        raise ChunkRefused(params={"reason": exc.code}) from exc
    if container not in CHUNK_CONTAINERS:
        raise ChunkWrongType()


def _speaker(room: LiveRoom, participant: LiveParticipant, source: str) -> str:
    if source not in SOURCES:
        raise ValidationFailed(fields={"source": " | ".join(SOURCES)})
    if source == "call":
        if room.mode != "capture" or participant.role != "interviewer":
            raise ValidationFailed(fields={"source": "capture mode, interviewer only"})
        return "candidate"
    return participant.role


def receive_chunk(
    session: Session,
    settings: Settings,
    room: LiveRoom,
    participant: LiveParticipant,
    actor: Principal | None,
    data: bytes,
    content_type: str | None,
    source: str = "microphone",
) -> LiveChunk:
    """Check one utterance's audio, store it and queue its transcription on the speech
    queue; refused before everyone consented. The time of arrival is the utterance's end."""
    check_recording_allowed(session, room, participant, actor)
    speaker = _speaker(room, participant, source)
    _check_chunk(data, content_type, _limits(settings))
    chunk = LiveChunk(
        tenant_id=room.tenant_id,
        room_id=room.id,
        participant_id=participant.id,
        speaker=speaker,
        content_type=(content_type or "")[:100],
        audio=base64.b64encode(data).decode("ascii"),
        received_at=utcnow(),
    )
    session.add(chunk)
    session.flush()
    enqueue_on_commit(session, TASK, chunk.id)
    notices.expect_on_commit(session, room.id)
    session.commit()
    return chunk


# --------------------------------------------------------------------------- the speech worker

#: room id -> the opening's terms (read once per room and worker process, not per chunk)
_VOCABULARY: dict[int, list[str]] = {}


def room_vocabulary(session: Session, room: LiveRoom) -> list[str]:
    """The opening's skills and product names and the plan's questions' terms, to bias
    recognition toward them (as the AI interview does, ``interviews/vocabulary.py``)."""
    cached = _VOCABULARY.get(room.id)
    if cached is not None:
        return cached
    opening = session.get(Opening, room.opening_id)
    terms: list[str] = []
    if opening is not None:
        skills = (opening.requirements or {}).get("skills") or []
        questions = " ".join(
            localised(q.get("text"), room.language) for q in (room.plan or {}).get("questions", [])
        )
        terms = job_terms(
            opening.title,
            f"{opening.description or ''}\n{questions}",
            [s for s in skills if isinstance(s, str)],
        )
    if len(_VOCABULARY) > 256:
        _VOCABULARY.clear()
    _VOCABULARY[room.id] = terms
    return terms


@dataclass(frozen=True)
class _Job:
    chunk_id: int
    room_id: int
    participant_id: int
    speaker: str
    language: str
    vocabulary: list[str]
    received_at: Any
    data: bytes
    content_type: str | None


def _take_job(session: Session, chunk_id: int) -> _Job | str:
    """The queued chunk's audio and what transcribing it needs, or why there is nothing to do."""
    chunk = session.get(LiveChunk, chunk_id)
    if chunk is None or chunk.status != "queued":
        return "gone"  # done already (a redelivered task), erased, or refused before
    room = session.get(LiveRoom, chunk.room_id)
    if room is None or room.status == "ended":
        session.delete(chunk)
        session.commit()
        return "ended"
    return _Job(
        chunk.id,
        room.id,
        chunk.participant_id,
        chunk.speaker,
        room.language,
        room_vocabulary(session, room),
        chunk.received_at,
        base64.b64decode(chunk.audio),
        chunk.content_type or None,
    )


def _refuse(database: Database, chunk_id: int, reason: str) -> None:
    """A chunk the speech worker cannot use: the audio is dropped, the reason kept."""
    with database.session() as session:
        chunk = session.get(LiveChunk, chunk_id)
        if chunk is not None:
            chunk.status, chunk.error, chunk.audio = "refused", reason[:40], ""
            session.commit()


class _Steps:
    """Wall and CPU time of each step of one chunk (CPU: the worker process's, which the
    machine's load stretches far less than wall time), logged without any content."""

    def __init__(self) -> None:
        self.began = self.wall = time.perf_counter()
        self.cpu = time.process_time()
        self.took: list[str] = []

    def done(self, step: str) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        self.took.append(f"{step}={(wall - self.wall) * 1000:.0f}/{(cpu - self.cpu) * 1000:.0f}")
        self.wall, self.cpu = wall, cpu

    def ms(self) -> int:
        return round((time.perf_counter() - self.began) * 1000)

    def log(self, chunk_id: int) -> None:
        log.info("live chunk %s steps wall/cpu ms: %s", chunk_id, " ".join(self.took))


def transcribe_chunk(database: Database, chunk_id: int) -> ChunkResult:
    """The speech queue's task: transcribe one queued chunk, commit its line of transcript,
    then the assistant's hints. No database connection is held while the model runs."""
    steps = _Steps()
    with database.session() as session:
        job = _take_job(session, chunk_id)
    if isinstance(job, str):
        return ChunkResult(None, [], 0, 0, job)
    limits = _limits(get_settings())
    try:
        decoded = decode_audio(job.data, job.content_type, limits)
    except MediaError as exc:
        _refuse(database, chunk_id, exc.code)
        return ChunkResult(None, [], 0, 0, "refused")
    steps.done("decode")
    transcript = TRANSCRIBER.get().transcribe(decoded, job.language, job.vocabulary)
    steps.done("model")
    transcribed_ms = steps.ms()
    with database.session() as session:
        utterance = _store_utterance(session, job, decoded, transcript, transcribed_ms)
        steps.done("line")
        if utterance is None:
            steps.log(chunk_id)
            return ChunkResult(None, [], transcribed_ms, transcribed_ms, "silent")
        room = session.get(LiveRoom, job.room_id)
        hints = update_assistant(session, get_settings(), room, utterance)  # type: ignore[arg-type]
        notices.changed_on_commit(session, job.room_id, from_worker=True)
        session.commit()
        steps.done("hints")
    steps.log(chunk_id)
    return ChunkResult(utterance, hints, transcribed_ms, steps.ms())


def _store_utterance(
    session: Session, job: _Job, decoded: DecodedAudio, transcript: Transcript, took_ms: int
) -> LiveUtterance | None:
    """Commit the line (it reaches HR's page before the hints are worked out) and drop the
    queued audio in the same transaction; None when the chunk held no words."""
    room = session.get(LiveRoom, job.room_id)
    session.execute(delete(LiveChunk).where(LiveChunk.id == job.chunk_id))
    text = transcript.text.strip()
    if room is None or room.status == "ended" or not text:
        session.commit()  # the words of an ended room are not kept
        return None
    features = speech_features(transcript, decoded.samples, decoded.sample_rate)
    offset = (job.received_at - room.started_at).total_seconds() if room.started_at else 0.0
    utterance = LiveUtterance(
        tenant_id=room.tenant_id,
        room_id=room.id,
        participant_id=job.participant_id,
        speaker=job.speaker,
        start_s=round(max(0.0, offset - decoded.duration), 2),
        end_s=round(max(0.0, offset), 2),
        text=text,
        language=transcript.language,
        speech={
            "speech_rate": features.speech_rate,
            "rate_unit": features.rate_unit,
            "speaking_time": features.speaking_time,
        },
        received_at=job.received_at,
        transcribed_ms=took_ms,
        question_id=room.current_question,
    )
    session.add(utterance)
    notices.changed_on_commit(session, room.id, from_worker=True)
    session.commit()
    return utterance


# --------------------------------------------------------------------------- the assistant


def spoken_of(session: Session, room: LiveRoom) -> list[assistant.Spoken]:
    """Every utterance of the room with its text (the end of the call, the record)."""
    rows = session.scalars(
        select(LiveUtterance).where(LiveUtterance.room_id == room.id).order_by(LiveUtterance.id)
    )
    return [
        assistant.Spoken(u.id, u.speaker, u.text, u.question_id, u.start_s, u.end_s, u.speech)
        for u in rows
    ]


def _voices(session: Session, room_id: int) -> list[assistant.Spoken]:
    """The room's utterances without their words (nothing decrypted): what the time and voice
    rules need, a speaker and a speech rate each."""
    rows = session.execute(
        select(
            LiveUtterance.id,
            LiveUtterance.speaker,
            LiveUtterance.question_id,
            LiveUtterance.start_s,
            LiveUtterance.end_s,
            LiveUtterance.speech,
        )
        .where(LiveUtterance.room_id == room_id)
        .order_by(LiveUtterance.id)
    )
    return [assistant.Spoken(r[0], r[1], "", r[2], r[3], r[4], r[5] or {}) for r in rows]


def answer_so_far(session: Session, room_id: int, question_id: str) -> str:
    """The candidate's words on one question (only that answer's lines are decrypted)."""
    rows = session.scalars(
        select(LiveUtterance)
        .where(
            LiveUtterance.room_id == room_id,
            LiveUtterance.question_id == question_id,
            LiveUtterance.speaker == "candidate",
        )
        .order_by(LiveUtterance.id)
    )
    return join_segments(u.text for u in rows)


def _store_hints(
    session: Session, room: LiveRoom, hints: list[assistant.Hint], utterance_id: int | None
) -> list[LiveHint]:
    if not hints:
        return []
    shown = set(session.scalars(select(LiveHint.key).where(LiveHint.room_id == room.id)))
    stored = []
    for hint in hints:
        if hint.key in shown:
            continue
        shown.add(hint.key)
        row = LiveHint(
            tenant_id=room.tenant_id,
            room_id=room.id,
            utterance_id=utterance_id,
            kind=hint.kind,
            key=hint.key[:120],
            question_id=hint.question_id,
            text=hint.to_json(),
        )
        session.add(row)
        stored.append(row)
    session.flush()
    return stored


def _moved(
    plan: assistant.Plan, room: LiveRoom, state: dict[str, Any], question_id: str | None
) -> list[assistant.Hint]:
    """HR asks ``question_id`` now; a hint if the question left was not answered."""
    previous = room.current_question
    asked = list(state.get("asked", []))
    if question_id and question_id not in asked:
        asked.append(question_id)
    state["asked"] = asked
    room.current_question = question_id
    if not previous or previous == question_id:
        return []
    situation = assistant.Situation(plan, [], dict(state.get("answers", {})), asked, 0, 0, False)
    return assistant.not_answered_hints(situation, previous)


def update_assistant(
    session: Session, settings: Settings, room: LiveRoom, utterance: LiveUtterance
) -> list[LiveHint]:
    plan = assistant.Plan.from_room(room.plan, room.language)
    state = dict(room.assistant or {})
    answers = dict(state.get("answers", {}))
    hints: list[assistant.Hint] = []
    if utterance.speaker == "interviewer":
        asked = assistant.match_question(plan, utterance.text)
        if asked is not None:
            hints.extend(_moved(plan, room, state, asked))
    utterance.question_id = room.current_question
    session.flush()
    spoken = _voices(session, room.id)
    if utterance.speaker == "candidate" and utterance.question_id:
        # Only the answer this line belongs to is analysed again, never the transcript.
        text = answer_so_far(session, room.id, utterance.question_id)
        analysis = assistant.analyse_answer(
            plan,
            utterance.question_id,
            text,
            platform_embedder(settings),
            settings.scoring_learned,
        )
        answers[utterance.question_id], follow_ups = assistant.answer_state(plan, analysis)
        hints.extend(follow_ups)
    state["answers"] = answers
    situation = assistant.Situation(
        plan,
        spoken,
        answers,
        list(state.get("asked", [])),
        elapsed_seconds(room),
        room.planned_minutes * 60.0,
        room.voice_observations,
    )
    hints.extend(assistant.time_hints(situation))
    hints.extend(assistant.evidence_hints(situation))
    latest = next((s for s in spoken if s.id == utterance.id), None)
    if latest is not None:
        hints.extend(assistant.voice_hints(situation, latest))
    room.assistant = state
    return _store_hints(session, room, hints, utterance.id)


def set_current_question(
    session: Session, principal: Principal, room_id: int, question_id: str | None
) -> list[LiveHint]:
    """HR marks the question being asked (when the transcript did not recognise it)."""
    room = visible_room(session, principal, room_id)
    if room.status == "ended":
        raise RoomEnded()
    plan = assistant.Plan.from_room(room.plan, room.language)
    if question_id is not None and plan.question(question_id) is None:
        raise ValidationFailed(fields={"question_id": "not in this room's plan"})
    state = dict(room.assistant or {})
    hints = _moved(plan, room, state, question_id)
    room.assistant = state
    stored = _store_hints(session, room, hints, None)
    audit_record(
        session,
        "live.question_marked",
        actor=principal,
        target_type="live_room",
        target_id=room.id,
        new={"question": question_id},
    )
    notices.changed_on_commit(session, room.id)
    session.commit()
    return stored


# --------------------------------------------------------------------------- the page's state


def hint_out(row: LiveHint) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "question_id": row.question_id,
        "utterance_id": row.utterance_id,
        "text": json.loads(row.text or "{}"),
        "at": row.created_at.isoformat(),
    }


def utterance_out(row: LiveUtterance) -> dict[str, Any]:
    return {
        "id": row.id,
        "speaker": row.speaker,
        "text": row.text,
        "start_s": row.start_s,
        "end_s": row.end_s,
        "question_id": row.question_id,
        "transcribed_ms": row.transcribed_ms,
    }


def checklist(room: LiveRoom) -> dict[str, Any]:
    """The plan as a checklist: each question (required or not, asked, answer status, reasons
    to follow up) and each competency (evidence yet or not)."""
    plan = assistant.Plan.from_room(room.plan, room.language)
    state = room.assistant or {}
    answers = state.get("answers", {})
    asked = state.get("asked", [])
    found = {d for a in answers.values() for d in a.get("evidence", [])}
    planned = {d for q in plan.questions for d in q.dimensions}
    return {
        "current": room.current_question,
        "questions": [
            {
                "id": q.id,
                "text": dict(q.text),
                "kind": q.kind,
                "required": plan.required(q),
                "asked": q.id in asked,
                "status": (answers.get(q.id) or {}).get("status"),
                "follow_ups": (answers.get(q.id) or {}).get("follow_ups", []),
                "dimensions": list(q.dimensions),
                "minutes": round((q.time_limit_s + assistant.PER_QUESTION_OVERHEAD_S) / 60, 1),
            }
            for q in plan.questions
        ],
        "competencies": [
            {"id": d.id, "name": dict(d.name), "evidence": d.id in found}
            for d in plan.model.dimensions
            if d.id in planned
        ],
    }


def room_state(
    session: Session, room: LiveRoom, after_utterance: int = 0, after_hint: int = 0
) -> dict[str, Any]:
    """What HR's assistant page shows (pushed by ``live/push.py``; also ``GET`` for API
    clients): only the lines and hints newer than the ids given."""
    utterances = session.scalars(
        select(LiveUtterance)
        .where(LiveUtterance.room_id == room.id, LiveUtterance.id > after_utterance)
        .order_by(LiveUtterance.id)
        .limit(200)
    )
    hints = session.scalars(
        select(LiveHint)
        .where(LiveHint.room_id == room.id, LiveHint.id > after_hint)
        .order_by(LiveHint.id)
        .limit(100)
    )
    elapsed = elapsed_seconds(room)
    return {
        "status": room.status,
        "mode": room.mode,
        "recording": everyone_consented(session, room),
        "participants": [
            {"role": p.role, "peer": p.peer, "consented": p.consented_at is not None}
            for p in participants(session, room)
        ],
        "time": {
            "elapsed_s": round(elapsed),
            "planned_s": room.planned_minutes * 60,
            "left_s": round(room.planned_minutes * 60 - elapsed),
        },
        "checklist": checklist(room),
        "utterances": [utterance_out(u) for u in utterances],
        "hints": [hint_out(h) for h in hints],
    }
