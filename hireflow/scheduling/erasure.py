"""The scheduling domain's part of an erasure request (SPEC G7; called by the record).

Invitations and bookings stay (their times and states are statistics), but what could identify
the person goes: free-text notes HR wrote, the identity-check code, and the availability the
candidate stated.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.scheduling.models import CandidateAvailability, Invitation

ERASED = "[erased]"


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Anonymise this candidate's scheduling data (same transaction, no commit)."""
    invitations = list(
        session.scalars(select(Invitation).where(Invitation.candidate_id == candidate.id))
    )
    for invitation in invitations:
        invitation.notes = ERASED if invitation.notes else ""
        invitation.code_hash = ""
        invitation.send_error = ""
    removed = session.execute(
        delete(CandidateAvailability).where(CandidateAvailability.candidate_id == candidate.id)
    ).rowcount
    if not invitations and not removed:
        return ""
    return f"{len(invitations)} invitations anonymised, {removed or 0} availability rows removed"
