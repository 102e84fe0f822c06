"""Self-service's part of an erasure request (SPEC G7; called by the record): the person's
requests lose their texts (the rows stay as the trace that they asked and were answered, the
erasure request among them); enrolments and re-assessment rows are deleted (the completion
entries are in the record, which the record's own erasure handles)."""

from __future__ import annotations

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.selfservice.models import Enrolment, Reassessment, SelfServiceRequest


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Remove ``candidate``'s self-service data (same transaction, no commit)."""
    texts = session.execute(
        update(SelfServiceRequest)
        .where(SelfServiceRequest.person_id == candidate.id)
        .values(message=None, answer=None)
    )
    enrolments = session.execute(delete(Enrolment).where(Enrolment.person_id == candidate.id))
    reassessments = session.execute(
        delete(Reassessment).where(Reassessment.person_id == candidate.id)
    )
    removed = [
        name
        for name, result in (
            ("self-service requests", texts),
            ("enrolments", enrolments),
            ("re-assessments", reassessments),
        )
        if result.rowcount  # type: ignore[attr-defined]
    ]
    return ", ".join(removed)
