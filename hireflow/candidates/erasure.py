"""The candidates domain's part of an erasure request and of a migration from an old system.

Called by ``hireflow.records.hooks``: :func:`erase_person` inside the erasure's transaction
(the record has already blanked the candidate row), :func:`after_import` after a bulk import
wrote candidates without ORM events.
"""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hireflow.candidates.models import (
    Application,
    Candidate,
    CandidateResume,
    CandidateSearch,
    CandidateSkill,
    CandidateVector,
    PerformanceRating,
)


def erase_person(session: Session, candidate: Candidate, known_values: list[str]) -> str:
    """Remove what this domain keeps about the person: resume texts and parses, the search
    document, skills, the embedding, performance ratings, screening explanations."""
    resumes = session.execute(
        update(CandidateResume)
        .where(CandidateResume.candidate_id == candidate.id)
        .values(text="", parsed={}, filename="erased")
    ).rowcount
    for model in (CandidateSearch, CandidateSkill, CandidateVector, PerformanceRating):
        session.execute(delete(model).where(model.candidate_id == candidate.id))
    session.execute(
        update(Application).where(Application.candidate_id == candidate.id).values(screening=None)
    )
    candidate.profile_parsed = {}
    candidate.corrections = {}
    candidate.name_key = ""
    candidate.phone_index = None
    candidate.birth_date_index = None
    candidate.highest_degree_rank = 0
    candidate.years_experience = 0.0
    return f"{resumes or 0} resumes"


def after_import(session: Session, person_ids: list[int]) -> None:
    """Derive what bulk inserts skipped: blind indexes, name keys, search documents."""
    from hireflow.candidates.identity import name_key
    from hireflow.candidates.service import apply_profile, index_candidate
    from hireflow.records import pii

    for candidate in session.scalars(select(Candidate).where(Candidate.id.in_(person_ids))):
        for spec in pii.blind_indexes():
            if spec.model is Candidate:
                setattr(candidate, spec.index, spec.compute(candidate))
        candidate.name_key = name_key(candidate.name)
        if candidate.profile and not candidate.profile_parsed:
            candidate.profile_parsed = dict(candidate.profile)
            apply_profile(candidate)
        index_candidate(session, candidate)
    session.flush()
