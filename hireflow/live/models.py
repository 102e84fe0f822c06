"""Live rooms, their participants, signalling messages, transcribed utterances and hints.

Transcribed speech and HR's notes are personal data: encrypted columns. Signalling messages
(SDP offers and ICE candidates carry network addresses) are deleted when the room ends.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.core.db import Base, JSONText, TenantRow, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope
from hireflow.core.pii import EncryptedText
from hireflow.openings.models import scope_via_opening

ROOM_STATUSES = ("open", "ended")
ROOM_MODES = ("webrtc", "capture")  # in-product call, or audio captured from another product
SPEAKERS = ("interviewer", "candidate")


class LiveSettings(Base):
    """A company's choices for live interviews (one row per tenant; absent: the defaults)."""

    __tablename__ = "live_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), unique=True)
    # Factual voice observations (speech rate against the candidate's own baseline). Never
    # scored, never an emotion; a company (or one in a region that forbids it) turns it off.
    voice_observations: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class LiveRoom(TenantRow, Base):
    """One live round of one application: its plan, its state and, once ended, its result."""

    __tablename__ = "live_rooms"
    __table_args__ = (Index("ix_live_rooms_tenant_status", "tenant_id", "status"),)

    application_id: Mapped[int] = mapped_column(
        ForeignKey("applications.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(ForeignKey("openings.id"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"))
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), nullable=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    mode: Mapped[str] = mapped_column(String(10), default="webrtc")
    status: Mapped[str] = mapped_column(String(10), default="open")
    language: Mapped[str] = mapped_column(String(10), default="zh")
    planned_minutes: Mapped[int] = mapped_column(default=45)
    # {"questions": [question_to_dict...], "model": model_to_dict, "source": "opening"|"preset"}
    plan: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    # The question HR marked as being asked now (None: taken from the transcript).
    current_question: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # What the assistant knows so far: {"asked": [question ids], "answers": {question id:
    # {"status", "evidence": [competency ids], "follow_ups": [...]}}} (no quotes: no PII).
    assistant: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    link_generation: Mapped[int] = mapped_column(default=1)
    voice_observations: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(EncryptedText("live_rooms.notes"), default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The engine's scores of the live answers (dimension -> 0-10) and job match, once ended.
    scores: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    job_match: Mapped[float | None] = mapped_column(nullable=True)
    # The record entries the ended room wrote (the scored result; transcript, hints, notes).
    result_entry_id: Mapped[int | None] = mapped_column(nullable=True)
    transcript_entry_id: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveParticipant(TenantRow, Base):
    """A person in a room: a staff user, or the candidate (by the link). ``peer`` is the
    random name signalling messages are addressed to."""

    __tablename__ = "live_participants"
    __table_args__ = (UniqueConstraint("room_id", "user_id", "role"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12))  # interviewer | candidate
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    peer: Mapped[str] = mapped_column(String(32), unique=True)
    consented_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # In capture mode HR confirms the other side's spoken consent; recorded as such.
    consented_for_others: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveSignal(Base):
    """One WebRTC signalling message (offer, answer, ICE candidate) from one peer to another."""

    __tablename__ = "live_signals"
    __table_args__ = (Index("ix_live_signals_room_recipient", "room_id", "recipient", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    sender: Mapped[str] = mapped_column(String(32))
    recipient: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(12))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class _Spoken:
    """Who spoke, in which room (an utterance, and its audio while it waits for the queue)."""

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("live_participants.id", ondelete="CASCADE")
    )
    speaker: Mapped[str] = mapped_column(String(12))


class LiveUtterance(_Spoken, Base):
    """One transcribed stretch of speech; ``start_s``/``end_s`` count from the room's start."""

    __tablename__ = "live_utterances"
    __table_args__ = (Index("ix_live_utterances_room", "room_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    start_s: Mapped[float] = mapped_column(default=0.0)
    end_s: Mapped[float] = mapped_column(default=0.0)
    text: Mapped[str] = mapped_column(EncryptedText("live_utterances.text"), default="")
    language: Mapped[str] = mapped_column(String(10), default="")
    question_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # Speech rate and its unit, speaking time: shown as observations, never scored.
    speech: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    transcribed_ms: Mapped[int] = mapped_column(default=0)


class LiveChunk(_Spoken, Base):
    """One posted utterance waiting for the speech queue: the audio (encrypted, base64) is
    kept only until a speech worker transcribed it, then the row is deleted."""

    __tablename__ = "live_chunks"
    __table_args__ = (Index("ix_live_chunks_room", "room_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100), default="")
    audio: Mapped[str] = mapped_column(EncryptedText("live_chunks.audio"), default="")
    # queued -> refused (bad audio, too long) | failed (the model gave up); done rows are gone
    status: Mapped[str] = mapped_column(String(12), default="queued")
    error: Mapped[str] = mapped_column(String(40), default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LiveHint(TenantRow, Base):
    """A hint the assistant showed HR (kept: it goes into the record with the transcript)."""

    __tablename__ = "live_hints"
    __table_args__ = (Index("ix_live_hints_room", "room_id", "id"),)

    room_id: Mapped[int] = mapped_column(ForeignKey("live_rooms.id", ondelete="CASCADE"))
    utterance_id: Mapped[int | None] = mapped_column(
        ForeignKey("live_utterances.id", ondelete="SET NULL"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(24))
    key: Mapped[str] = mapped_column(String(120))  # one hint per key and room
    question_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # JSON {"zh": ..., "en": ...}; may quote the candidate's words, hence encrypted.
    text: Mapped[str] = mapped_column(EncryptedText("live_hints.text"), default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


register_scope(LiveSettings, Scope(tenant=LiveSettings.tenant_id))
register_scope(LiveRoom, scope_via_opening(LiveRoom.opening_id, LiveRoom.tenant_id))
