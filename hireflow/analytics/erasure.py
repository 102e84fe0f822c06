"""The bias audit's part of an erasure request (SPEC G7; called by the record): the person's
self-identification is deleted outright (the audit's past exports keep only group counts)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from hireflow.analytics.models import SelfIdentification
from hireflow.candidates.models import Candidate


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Delete ``candidate``'s answers (same transaction, no commit)."""
    result = session.execute(
        delete(SelfIdentification).where(SelfIdentification.candidate_id == candidate.id)
    )
    return "self-identification" if result.rowcount else ""  # type: ignore[attr-defined]
