"""Live rooms ready for the tests: an English-speaking application and a room for it."""

from __future__ import annotations

from hireflow.core.settings import get_settings
from hireflow.live import service
from hireflow.live.links import link_token
from hireflow.live.models import LiveRoom
from hireflow.org.auth import principal_for
from tests.conftest import Org
from tests.workflow.factories import apply, make_opening


def make_room(session, org: Org, *, mode: str = "webrtc", language: str = "en") -> LiveRoom:
    opening = make_opening(session, org)
    opening.description = "Backend engineer building Python services and leading projects."
    application = apply(session, org, opening)
    application.language = language
    session.commit()
    hr = principal_for(org.users["hr_admin"])
    return service.open_room(session, hr, application.id, mode=mode, planned_minutes=30)


def token_of(room: LiveRoom) -> str:
    return link_token(get_settings(), room)


def everyone_in(session, org: Org, room: LiveRoom):
    """HR and the candidate joined and agreed; (HR principal, HR's participant, candidate's)."""
    hr = principal_for(org.users["hr_admin"])
    staff = service.join_staff(session, hr, room.id)
    candidate = service.join_candidate(session, get_settings(), token_of(room))
    service.give_consent(session, room, staff, hr)
    service.give_consent(session, room, candidate, None)
    return hr, staff, candidate


def say(session, participant, actor, wav: bytes, source: str = "microphone", room=None):
    """Post one utterance as a page does, then run the speech queue's task on it here (what a
    speech worker does with the queued message); the task's ChunkResult."""
    from hireflow.core.db import get_database
    from hireflow.live import audio

    room = room or session.get(LiveRoom, participant.room_id)
    chunk = audio.receive_chunk(
        session, get_settings(), room, participant, actor, wav, "audio/wav", source
    )
    result = audio.transcribe_chunk(get_database(), chunk.id)
    session.expire_all()
    return result
