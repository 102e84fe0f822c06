"""Live rooms under ``/api/v1`` (SPEC E2): staff by role and scope, the candidate by link.

Signalling is plain HTTP: each browser posts its offers, answers and ICE candidates to a
peer and polls for the ones addressed to it, so the call needs no WebSocket through proxies
and works with any number of web processes (the messages are rows). Audio chunks are
accepted (202) and transcribed by the speech queue; HR's page receives the lines and hints
by server-sent events (``GET …/stream``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, UploadFile
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from hireflow.core.db import get_database
from hireflow.core.permissions import Principal, require
from hireflow.core.rows import shaped
from hireflow.core.settings import Settings, get_settings
from hireflow.live import audio, ending, push, schemas, service
from hireflow.live.links import candidate_path
from hireflow.live.models import LiveChunk, LiveParticipant, LiveRoom
from hireflow.web.deps import ApiUser, DbSession, Id, run_in_thread

router = APIRouter(tags=["live"])
After = Annotated[int, Query(ge=0, le=2**31 - 1)]
# Optional for the parser so that a caller outside the room's scope gets 404 before a
# missing file is reported; a missing file is then an empty chunk (refused, 422).
ChunkFile = Annotated[UploadFile | None, File(description="one utterance: WebM/Opus, Ogg or WAV")]
Source = Annotated[str, Form(max_length=20)]


def room_out(settings: Settings, room: LiveRoom) -> schemas.RoomOut:
    path = candidate_path(settings, room) if room.mode == "webrtc" else ""
    return shaped(schemas.RoomOut, room, candidate_path=path)


def joined(
    session: Session, settings: Settings, room: LiveRoom, me: LiveParticipant
) -> dict[str, Any]:
    return {
        "room": room.id,
        "role": me.role,
        "peer": me.peer,
        "consented": me.consented_at is not None,
        "mode": room.mode,
        "ice_servers": service.ice_servers(settings, me.peer),
        "peers": _peers(session, room, me),
    }


def _peers(session: Session, room: LiveRoom, me: LiveParticipant) -> list[dict[str, str]]:
    """The others in the room now, by peer id and role."""
    return [{"peer": p.peer, "role": p.role} for p in service.present_peers(session, room, me)]


def signals_out(
    session: Session, room: LiveRoom, me: LiveParticipant, after: int
) -> dict[str, Any]:
    found = service.pending_signals(session, room, me, after)
    return {
        "signals": [
            {"id": s.id, "from": s.sender, "kind": s.kind, "payload": s.payload} for s in found
        ],
        "peers": _peers(session, room, me),
        "recording": service.everyone_consented(session, room),
        "status": room.status,
    }


def chunk_out(chunk: LiveChunk) -> dict[str, Any]:
    """A stored chunk: its line and hints reach HR's page by the room's stream."""
    return {"chunk": chunk.id, "queued": True}


def _read(file: UploadFile | None, settings: Settings) -> tuple[bytes, str | None]:
    if file is None:
        return b"", None
    # One byte over the limit is enough to refuse; the rest is never read.
    return file.file.read(settings.live_chunk_max_bytes + 1), file.content_type


# --------------------------------------------------------------------------- staff


@router.get("/live/rooms", response_model=list[schemas.RoomOut])
def list_rooms(session: DbSession, principal: ApiUser) -> Any:
    settings = get_settings()
    return [room_out(settings, r) for r in service.rooms(session, principal)]


@router.post("/live/rooms", response_model=schemas.RoomOut, status_code=201)
def create_room(data: schemas.RoomIn, session: DbSession, principal: ApiUser) -> Any:
    room = service.open_room(
        session,
        principal,
        data.application_id,
        mode=data.mode,
        planned_minutes=data.planned_minutes,
    )
    return room_out(get_settings(), room)


@router.get("/live/rooms/{live_room_id}")
def room_state(
    live_room_id: Id,
    session: DbSession,
    principal: ApiUser,
    after_utterance: After = 0,
    after_hint: After = 0,
) -> dict[str, Any]:
    room = service.visible_room(session, principal, live_room_id)
    return audio.room_state(session, room, after_utterance, after_hint)


@router.get(
    "/live/rooms/{live_room_id}/stream",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "Server-sent events (`id`, `event: state`, JSON `data`)",
            "content": {"text/event-stream": {}},
        }
    },
)
def room_stream(
    live_room_id: Id,
    session: DbSession,
    principal: ApiUser,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    last_event_id: Annotated[str, Header(max_length=20)] = "",
) -> StreamingResponse:
    """Server-sent events for HR's assistant page: ``state`` events with what is new."""
    room = service.visible_room(session, principal, live_room_id)
    start = int(last_event_id) if last_event_id.isdigit() else after
    room_id = room.id
    # The stream needs no connection of the request's: a page open for an hour holds none.
    session.close()
    return StreamingResponse(
        push.room_stream(get_database(), room_id, min(start, 2**62), run_in_thread),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


@router.post("/live/rooms/{live_room_id}/join")
def join_room(live_room_id: Id, session: DbSession, principal: ApiUser) -> dict[str, Any]:
    me = service.join_staff(session, principal, live_room_id)
    room = service.visible_room(session, principal, live_room_id)
    return joined(session, get_settings(), room, me)


def _staff(session: Session, principal: Principal, room_id: int) -> tuple[LiveRoom, Any]:
    room = service.visible_room(session, principal, room_id)
    return room, service.staff_participant(session, principal, room)


@router.post("/live/rooms/{live_room_id}/consent")
def staff_consent(
    live_room_id: Id, data: schemas.ConsentIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    room, me = _staff(session, principal, live_room_id)
    service.give_consent(session, room, me, principal, for_others=data.for_others)
    return {"consented": True, "recording": service.everyone_consented(session, room)}


@router.post("/live/rooms/{live_room_id}/signals", status_code=201)
def staff_signal(
    live_room_id: Id, data: schemas.SignalIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    room, me = _staff(session, principal, live_room_id)
    signal = service.send_signal(session, room, me, data.to, data.kind, data.payload)
    return {"id": signal.id}


@router.get("/live/rooms/{live_room_id}/signals")
def staff_signals(
    live_room_id: Id, session: DbSession, principal: ApiUser, after: After = 0
) -> dict[str, Any]:
    room, me = _staff(session, principal, live_room_id)
    return signals_out(session, room, me, after)


@router.post("/live/rooms/{live_room_id}/audio", status_code=202)
def staff_audio(
    live_room_id: Id,
    session: DbSession,
    principal: ApiUser,
    file: ChunkFile = None,
    source: Source = "microphone",
) -> dict[str, Any]:
    settings = get_settings()
    room, me = _staff(session, principal, live_room_id)
    data, kind = _read(file, settings)
    chunk = audio.receive_chunk(session, settings, room, me, principal, data, kind, source)
    return chunk_out(chunk)


@router.put("/live/rooms/{live_room_id}/question")
def mark_question(
    live_room_id: Id, data: schemas.QuestionIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    hints = audio.set_current_question(session, principal, live_room_id, data.question_id)
    return {"current": data.question_id, "hints": [audio.hint_out(h) for h in hints]}


@router.put("/live/rooms/{live_room_id}/notes")
def save_notes(
    live_room_id: Id, data: schemas.NotesIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    service.save_notes(session, principal, live_room_id, data.notes)
    return {"saved": True}


@router.post("/live/rooms/{live_room_id}/end", response_model=schemas.RoomOut)
def end_room(live_room_id: Id, session: DbSession, principal: ApiUser) -> Any:
    settings = get_settings()
    return room_out(settings, ending.end_room(session, settings, principal, live_room_id))


@router.get("/live/settings")
def get_live_settings(session: DbSession, principal: ApiUser) -> dict[str, Any]:
    require(principal, "live.configure")
    row = service.company_settings(session, principal.tenant_id)
    return {"voice_observations": row.voice_observations}


@router.put("/live/settings")
def put_live_settings(
    data: schemas.SettingsIn, session: DbSession, principal: ApiUser
) -> dict[str, Any]:
    row = service.set_voice_observations(session, principal, data.voice_observations)
    return {"voice_observations": row.voice_observations}


# --------------------------------------------------------------------------- the candidate


def _candidate(session: Session, link_token: str) -> tuple[LiveRoom, LiveParticipant]:
    room = service.room_by_link(session, get_settings(), link_token)
    me = service.candidate_participant(session, room)
    if me is None:
        me = service.join_candidate(session, get_settings(), link_token)
    return room, me


@router.post("/live-links/{link_token}/join")
def candidate_join(link_token: str, session: DbSession) -> dict[str, Any]:
    settings = get_settings()
    me = service.join_candidate(session, settings, link_token)
    room = service.room_by_link(session, settings, link_token)
    return joined(session, settings, room, me)


@router.post("/live-links/{link_token}/consent")
def candidate_consent(
    link_token: str, data: schemas.ConsentIn, session: DbSession
) -> dict[str, Any]:
    room, me = _candidate(session, link_token)
    if data.for_others:
        service.give_consent(session, room, me, None, for_others=True)  # refused: not HR
    service.give_consent(session, room, me, None)
    return {"consented": True, "recording": service.everyone_consented(session, room)}


@router.post("/live-links/{link_token}/signals", status_code=201)
def candidate_signal(link_token: str, data: schemas.SignalIn, session: DbSession) -> dict[str, Any]:
    room, me = _candidate(session, link_token)
    signal = service.send_signal(session, room, me, data.to, data.kind, data.payload)
    return {"id": signal.id}


@router.get("/live-links/{link_token}/signals")
def candidate_signals(link_token: str, session: DbSession, after: After = 0) -> dict[str, Any]:
    room, me = _candidate(session, link_token)
    return signals_out(session, room, me, after)


@router.post("/live-links/{link_token}/audio", status_code=202)
def candidate_audio(
    link_token: str, session: DbSession, file: ChunkFile = None, source: Source = "microphone"
) -> dict[str, Any]:
    settings = get_settings()
    room, me = _candidate(session, link_token)
    data, kind = _read(file, settings)
    audio.receive_chunk(session, settings, room, me, None, data, kind, source)
    # The candidate sees that their words arrived, never the transcript or the hints.
    return {"received": True}
