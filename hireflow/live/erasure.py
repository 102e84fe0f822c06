"""The live domain's part of an erasure request (SPEC G7; called by the record).

The record erases its entries (the live result and the transcript entry among them); this
removes the copies the rooms keep: every utterance's text, audio still queued, the hints
(they may quote the answers), HR's notes and any signalling left. The rooms stay, with their
scores and times, so statistics and the audit trail keep their shape.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.live.models import LiveChunk, LiveHint, LiveRoom, LiveSignal, LiveUtterance

ERASED = "[erased]"


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Remove what this candidate's live rooms hold of what was said (no commit)."""
    ids = list(session.scalars(select(LiveRoom.id).where(LiveRoom.candidate_id == candidate.id)))
    if not ids:
        return ""
    for utterance in session.scalars(select(LiveUtterance).where(LiveUtterance.room_id.in_(ids))):
        utterance.text = ERASED
        utterance.speech = {}
    session.execute(delete(LiveHint).where(LiveHint.room_id.in_(ids)))
    session.execute(delete(LiveSignal).where(LiveSignal.room_id.in_(ids)))
    session.execute(delete(LiveChunk).where(LiveChunk.room_id.in_(ids)))  # audio not yet heard
    session.execute(update(LiveRoom).where(LiveRoom.id.in_(ids)).values(notes=""))
    return f"{len(ids)} live rooms"
