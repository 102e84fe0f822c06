"""Rooms: opening one for an application, joining (staff by role and scope, the candidate by
the link), consent, signalling between browsers, HR's notes and the question being asked.

Every function checks the caller, writes, audits in the same transaction and commits.
Audio, transcripts and hints are in :mod:`hireflow.live.audio`; ending a room in
:mod:`hireflow.live.ending`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import NotFound, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, require_visible, restrict
from hireflow.core.rows import company_row
from hireflow.core.settings import Settings
from hireflow.interviews.plans import plan_for
from hireflow.live import notices
from hireflow.live.errors import ConsentRequired, RoomEnded
from hireflow.live.links import read_token
from hireflow.live.models import LiveParticipant, LiveRoom, LiveSettings, LiveSignal
from hireflow.openings.models import Opening
from hireflow.scheduling.models import Invitation
from hireflow.scoring.text import engine_language

LIVE_INVITATION_KINDS = ("live", "next_round")
SIGNAL_KINDS = ("offer", "answer", "ice", "bye")
MAX_SIGNAL_CHARS = 16_000  # an SDP offer with video is 3-6 kB
PEER_SEEN_SECONDS = 30  # a participant not heard from this long has left the call


def audit_room(
    session: Session, actor: Principal | None, action: str, room: LiveRoom, **new: Any
) -> None:
    audit.record(
        session,
        action,
        actor=actor,
        target_type="live_room",
        target_id=room.id,
        tenant_id=room.tenant_id,
        new=new or None,
        actor_label="" if actor else "candidate",
    )


# --------------------------------------------------------------------------- settings


def company_settings(session: Session, tenant_id: int) -> LiveSettings:
    row = session.scalars(select(LiveSettings).where(LiveSettings.tenant_id == tenant_id)).first()
    return row or LiveSettings(tenant_id=tenant_id, voice_observations=True)


def set_voice_observations(session: Session, principal: Principal, enabled: bool) -> LiveSettings:
    require(principal, "live.configure")
    row = company_row(session, LiveSettings, principal.tenant_id)[0]
    old = row.voice_observations
    row.voice_observations = enabled
    audit.commit_recorded(
        session,
        "live.settings_changed",
        actor=principal,
        target_type="live_settings",
        target_id=principal.tenant_id,
        old={"voice_observations": old},
        new={"voice_observations": enabled},
    )
    return row


# --------------------------------------------------------------------------- rooms


def rooms(session: Session, principal: Principal, limit: int = 50) -> list[LiveRoom]:
    require(principal, "live.join")
    stmt = select(LiveRoom).order_by(LiveRoom.id.desc()).limit(limit)
    return list(session.scalars(restrict(stmt, principal, "live.join", LiveRoom)))


def booked_rounds(session: Session, principal: Principal, limit: int = 50) -> list[Invitation]:
    """Live rounds booked through scheduling whose application has no open room yet."""
    require(principal, "live.manage")
    stmt = (
        select(Invitation)
        .where(
            Invitation.kind.in_(LIVE_INVITATION_KINDS),
            Invitation.status.in_(("booked", "verified", "sent", "opened")),
        )
        .order_by(Invitation.id.desc())
        .limit(limit)
    )
    return list(session.scalars(restrict(stmt, principal, "invitations.send", Invitation)))


def visible_room(
    session: Session, principal: Principal, room_id: int, capability: str = "live.join"
) -> LiveRoom:
    return require_visible(session, LiveRoom, room_id, principal, capability)


def _application(session: Session, principal: Principal, application_id: int) -> Application:
    application = session.get(Application, application_id)
    if application is None or application.tenant_id != principal.tenant_id:
        raise NotFound()
    # The opening decides: a recruiter opens rooms only for openings they own.
    get_visible(session, Opening, application.opening_id, principal, "live.manage")
    return application


def open_room(
    session: Session,
    principal: Principal,
    application_id: int,
    *,
    mode: str = "webrtc",
    planned_minutes: int | None = None,
) -> LiveRoom:
    """A room for the application's live round, with the opening's interview plan; the
    booked live invitation (if any) gives its duration and language."""
    require(principal, "live.manage")
    if mode not in ("webrtc", "capture"):
        raise ValidationFailed(fields={"mode": "webrtc | capture"})
    application = _application(session, principal, application_id)
    invitation = session.scalars(
        select(Invitation)
        .where(
            Invitation.candidate_id == application.candidate_id,
            Invitation.opening_id == application.opening_id,
            Invitation.kind.in_(LIVE_INVITATION_KINDS),
            Invitation.status != "cancelled",
        )
        .order_by(Invitation.id.desc())
    ).first()
    room = new_room(
        session,
        application,
        invitation,
        mode=mode,
        planned_minutes=planned_minutes,
        language_hint=principal.language,
        created_by_id=principal.user_id,
    )
    audit_room(session, principal, "live.room_opened", room, application=application.id, mode=mode)
    session.commit()
    return room


def new_room(
    session: Session,
    application: Application,
    invitation: Invitation | None,
    *,
    mode: str = "webrtc",
    planned_minutes: int | None = None,
    language_hint: str = "",
    created_by_id: int | None = None,
) -> LiveRoom:
    """Add (flush, not commit) a room for ``application`` with the opening's plan; the
    caller checked who may and audits it."""
    opening = session.get(Opening, application.opening_id)
    assert opening is not None
    candidate = session.get(Candidate, application.candidate_id)
    language = engine_language(
        application.language
        or (candidate.language if candidate else "")
        or (invitation.language if invitation else "")
        or language_hint
    )
    minutes = planned_minutes or (invitation.duration_minutes if invitation else 45)
    if not 5 <= minutes <= 240:
        raise ValidationFailed(fields={"planned_minutes": "5-240"})
    questions, model, source = plan_for(opening, language, minutes)
    room = LiveRoom(
        tenant_id=application.tenant_id,
        application_id=application.id,
        opening_id=application.opening_id,
        candidate_id=application.candidate_id,
        invitation_id=invitation.id if invitation else None,
        created_by_id=created_by_id,
        mode=mode,
        language=language,
        planned_minutes=minutes,
        plan={"questions": questions, "model": model, "source": source},
        voice_observations=company_settings(session, application.tenant_id).voice_observations,
    )
    session.add(room)
    session.flush()
    return room


# --------------------------------------------------------------------------- joining


def _new_peer() -> str:
    return secrets.token_hex(12)


def join_staff(session: Session, principal: Principal, room_id: int) -> LiveParticipant:
    room = visible_room(session, principal, room_id)
    if room.status == "ended":
        raise RoomEnded()
    participant = _own_participant(session, principal, room)
    return _joined(session, principal, room, participant, "interviewer", principal.user_id)


def _joined(
    session: Session,
    actor: Principal | None,
    room: LiveRoom,
    participant: LiveParticipant | None,
    role: str,
    user_id: int | None = None,
) -> LiveParticipant:
    """The participant seen now: a first join adds the row, audited and pushed to the room."""
    if participant is None:
        participant = LiveParticipant(
            tenant_id=room.tenant_id, room_id=room.id, role=role, user_id=user_id, peer=_new_peer()
        )
        session.add(participant)
        session.flush()
        audit_room(session, actor, "live.joined", room, role=role)
        notices.changed_on_commit(session, room.id)
    participant.seen_at = utcnow()
    session.commit()
    return participant


def room_by_link(session: Session, settings: Settings, token: str) -> LiveRoom:
    """The room a candidate's link names; 404 for a bad, old or foreign link."""
    claims = read_token(settings, token)
    if claims is None:
        raise NotFound()
    room_id, person_id, generation = claims
    room = session.get(LiveRoom, room_id)
    if room is None or room.candidate_id != person_id or room.link_generation != generation:
        raise NotFound()
    return room


def join_candidate(session: Session, settings: Settings, token: str) -> LiveParticipant:
    room = room_by_link(session, settings, token)
    if room.status == "ended":
        raise RoomEnded()
    return _joined(session, None, room, candidate_participant(session, room), "candidate")


def candidate_participant(session: Session, room: LiveRoom) -> LiveParticipant | None:
    return session.scalars(
        select(LiveParticipant).where(
            LiveParticipant.room_id == room.id, LiveParticipant.role == "candidate"
        )
    ).first()


def _own_participant(
    session: Session, principal: Principal, room: LiveRoom
) -> LiveParticipant | None:
    return session.scalars(
        select(LiveParticipant).where(
            LiveParticipant.room_id == room.id,
            LiveParticipant.user_id == principal.user_id,
            LiveParticipant.role == "interviewer",
        )
    ).first()


def staff_participant(session: Session, principal: Principal, room: LiveRoom) -> LiveParticipant:
    """The caller's place in the room (404 before they joined)."""
    participant = _own_participant(session, principal, room)
    if participant is None:
        raise NotFound()
    return participant


def participants(session: Session, room: LiveRoom) -> list[LiveParticipant]:
    return list(
        session.scalars(
            select(LiveParticipant)
            .where(LiveParticipant.room_id == room.id)
            .order_by(LiveParticipant.id)
        )
    )


# --------------------------------------------------------------------------- consent


def give_consent(
    session: Session,
    room: LiveRoom,
    participant: LiveParticipant,
    actor: Principal | None,
    *,
    for_others: bool = False,
) -> LiveParticipant:
    """The participant agreed on screen to recording and transcription. In capture mode HR
    also confirms that the people on the other product's call agreed (``for_others``)."""
    if room.status == "ended":
        raise RoomEnded()
    if for_others and (room.mode != "capture" or participant.role != "interviewer"):
        raise ValidationFailed(fields={"for_others": "capture mode, interviewer only"})
    if participant.consented_at is None:
        participant.consented_at = utcnow()
    participant.consented_for_others = participant.consented_for_others or for_others
    audit_room(
        session, actor, "live.consent_given", room, role=participant.role, for_others=for_others
    )
    if room.started_at is None and everyone_consented(session, room):
        room.started_at = utcnow()
    notices.changed_on_commit(session, room.id)
    session.commit()
    return participant


def everyone_consented(session: Session, room: LiveRoom) -> bool:
    """Every participant agreed, and the candidate is among them (in person in a WebRTC room;
    confirmed by HR in capture mode)."""
    people = participants(session, room)
    if not people or any(p.consented_at is None for p in people):
        return False
    if room.mode == "capture":
        return any(p.consented_for_others for p in people)
    return any(p.role == "candidate" for p in people)


def check_recording_allowed(
    session: Session, room: LiveRoom, participant: LiveParticipant, actor: Principal | None
) -> None:
    """Refuse (and audit the refusal) audio from a room not everyone consented to."""
    if room.status == "ended":
        raise RoomEnded()
    if participant.consented_at is None or not everyone_consented(session, room):
        audit_room(
            session, actor, "live.audio_refused", room, reason="consent", role=participant.role
        )
        session.commit()
        raise ConsentRequired()


# --------------------------------------------------------------------------- signalling


def send_signal(
    session: Session,
    room: LiveRoom,
    sender: LiveParticipant,
    recipient: str,
    kind: str,
    payload: dict[str, Any],
) -> LiveSignal:
    if room.status == "ended":
        raise RoomEnded()
    if kind not in SIGNAL_KINDS:
        raise ValidationFailed(fields={"kind": " | ".join(SIGNAL_KINDS)})
    target = session.scalars(
        select(LiveParticipant).where(
            LiveParticipant.room_id == room.id, LiveParticipant.peer == recipient
        )
    ).first()
    if target is None or target.id == sender.id:
        raise NotFound()
    if len(json.dumps(payload)) > MAX_SIGNAL_CHARS:
        raise ValidationFailed(fields={"payload": f"at most {MAX_SIGNAL_CHARS} characters"})
    signal = LiveSignal(
        room_id=room.id, sender=sender.peer, recipient=recipient, kind=kind, payload=payload
    )
    session.add(signal)
    sender.seen_at = utcnow()
    session.commit()
    return signal


def pending_signals(
    session: Session, room: LiveRoom, participant: LiveParticipant, after: int
) -> list[LiveSignal]:
    found = list(
        session.scalars(
            select(LiveSignal)
            .where(
                LiveSignal.room_id == room.id,
                LiveSignal.recipient == participant.peer,
                LiveSignal.id > after,
            )
            .order_by(LiveSignal.id)
            .limit(200)
        )
    )
    participant.seen_at = utcnow()
    session.commit()
    return found


def present_peers(session: Session, room: LiveRoom, me: LiveParticipant) -> list[LiveParticipant]:
    now = utcnow()
    return [
        p
        for p in participants(session, room)
        if p.id != me.id and (now - p.seen_at).total_seconds() < PEER_SEEN_SECONDS
    ]


def ice_servers(settings: Settings, peer: str, now: float | None = None) -> list[dict[str, Any]]:
    """STUN servers, and a TURN server with credentials valid ``live_turn_hours`` (coturn's
    ``use-auth-secret``: the user name is the expiry time, the password its HMAC-SHA1)."""
    servers: list[dict[str, Any]] = []
    stun = [u.strip() for u in settings.live_stun_urls.split(",") if u.strip()]
    if stun:
        servers.append({"urls": stun})
    turn = [u.strip() for u in settings.live_turn_urls.split(",") if u.strip()]
    if turn and settings.live_turn_secret:
        expires = int((now or time.time()) + settings.live_turn_hours * 3600)
        username = f"{expires}:{peer}"
        digest = hmac.new(
            settings.live_turn_secret.encode(), username.encode(), hashlib.sha1
        ).digest()
        servers.append(
            {
                "urls": turn,
                "username": username,
                "credential": base64.b64encode(digest).decode(),
            }
        )
    return servers


# --------------------------------------------------------------------------- HR's actions


def save_notes(session: Session, principal: Principal, room_id: int, notes: str) -> LiveRoom:
    room = visible_room(session, principal, room_id)
    if room.status == "ended":
        raise RoomEnded()
    if len(notes) > 20_000:
        raise ValidationFailed(fields={"notes": "at most 20000 characters"})
    room.notes = notes
    audit_room(session, principal, "live.notes_saved", room, chars=len(notes))
    session.commit()
    return room


def forget_signals(session: Session, room: LiveRoom) -> None:
    session.execute(delete(LiveSignal).where(LiveSignal.room_id == room.id))


def elapsed_seconds(room: LiveRoom, now: datetime | None = None) -> float:
    if room.started_at is None:
        return 0.0
    end = room.ended_at or now or utcnow()
    return max(0.0, (end - room.started_at).total_seconds())
