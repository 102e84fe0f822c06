"""The scheduling domain's part of an erasure request (SPEC G7; called by the record).

Invitations and bookings stay (their times and states are statistics), but what could identify
the person goes: free-text notes HR wrote, the identity-check code, and the availability the
candidate stated.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, case, delete, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.scheduling.models import CandidateAvailability, Invitation

ERASED = "[erased]"


def _count(session: Session, statement: Executable) -> int:
    """Rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], session.execute(statement)).rowcount or 0


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Anonymise this candidate's scheduling data (same transaction, no commit)."""
    # One UPDATE of the three columns: no invitation is loaded whole (an erasure must also run
    # on a schema older than today's models, as the record migrations' tests do).
    anonymised = _count(
        session,
        update(Invitation)
        .where(Invitation.candidate_id == candidate.id)
        .values(
            notes=case((Invitation.notes != "", ERASED), else_=""),
            code_hash="",
            send_error="",
        ),
    )
    removed = _count(
        session,
        delete(CandidateAvailability).where(CandidateAvailability.candidate_id == candidate.id),
    )
    if not anonymised and not removed:
        return ""
    return f"{anonymised} invitations anonymised, {removed} availability rows removed"
