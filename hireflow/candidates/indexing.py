"""A person's profile in effect (the parsed resume with HR's corrections on top), the columns
copied out of it, and their search document."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates import search
from hireflow.candidates.identity import email_key, name_key
from hireflow.candidates.models import (
    Candidate,
    CandidateResume,
    CandidateSearch,
)
from hireflow.candidates.resume_model import ResumeProfile, degree_rank, experience_years
from hireflow.core.db import utcnow

CORRECTABLE = (
    "name",
    "email",
    "phone",
    "location",
    "education",
    "work",
    "skills",
    "languages",
    "years_experience",
)


def today() -> date:
    """The date resumes are parsed against ("至今" ends today, in UTC)."""
    return utcnow().date()


def effective_profile(parsed: dict[str, Any], corrections: dict[str, Any]) -> dict[str, Any]:
    """The parsed profile with HR's corrections on top; derived numbers recomputed."""
    profile = dict(parsed or {})
    for key, correction in (corrections or {}).items():
        if key in CORRECTABLE and isinstance(correction, dict) and "value" in correction:
            profile[key] = correction["value"]
    typed = ResumeProfile.from_dict(
        {k: v for k, v in profile.items() if k in ResumeProfile.__slots__}
    )
    if "work" in (corrections or {}) and "years_experience" not in (corrections or {}):
        as_of = date.fromisoformat(typed.as_of) if typed.as_of else today()
        typed.years_experience, typed.years_by_industry = experience_years(typed.work, as_of)
    data = typed.to_dict()
    return data


def apply_profile(candidate: Candidate) -> None:
    """Recompute the candidate's profile and the columns copied out of it."""
    profile = effective_profile(candidate.profile_parsed or {}, candidate.corrections or {})
    candidate.profile = profile
    corrected = candidate.corrections or {}
    if profile.get("name") and ("name" in corrected or not candidate.name or candidate.name == "?"):
        candidate.name = str(profile["name"])[:200]
    if "email" in corrected or not candidate.email:
        candidate.email = email_key(profile.get("email"))
    if "phone" in corrected or not candidate.phone:
        candidate.phone = profile.get("phone") or ""
    if "location" in corrected or not candidate.location:
        candidate.location = str(profile.get("location") or "")[:200]
    candidate.name_key = name_key(candidate.name)
    candidate.highest_degree_rank = degree_rank(profile.get("highest_degree"))
    candidate.years_experience = float(profile.get("years_experience") or 0.0)


def index_candidate(session: Session, candidate: Candidate, resume_text: str | None = None) -> None:
    """(Re)build the candidate's search document; ``None`` keeps the newest resume's text."""
    if resume_text is None:
        latest = session.scalars(
            select(CandidateResume)
            .where(CandidateResume.candidate_id == candidate.id)
            .order_by(CandidateResume.id.desc())
        ).first()
        resume_text = latest.text if latest is not None else ""
    document = search.build_document(
        candidate.profile or {},
        name=candidate.name,
        location=candidate.location,
        resume_text=resume_text or "",
    )
    session.flush()
    search.store_document(session, candidate, document)


def index_missing(session: Session, tenant_id: int | None = None, batch: int = 500) -> int:
    """Build profiles' derived columns and search documents for candidates that lack them
    (rows created by other means than the intake: demo data, imports); commits."""
    done = 0
    # Pool rows whose words are not in the full-text index (a restore copies the tables, not
    # SQLite's FTS5 table) are rebuilt too.
    while True:
        unindexed = search.missing_text_rows(session, tenant_id)[:batch]
        stmt = (
            select(Candidate)
            .where(
                ~Candidate.id.in_(select(CandidateSearch.candidate_id))
                | Candidate.id.in_(unindexed)
            )
            .order_by(Candidate.id)
            .limit(batch)
        )
        if tenant_id is not None:
            stmt = stmt.where(Candidate.tenant_id == tenant_id)
        group = list(session.scalars(stmt))
        if not group:
            return done
        for candidate in group:
            if not candidate.profile_parsed and candidate.profile:
                candidate.profile_parsed = dict(candidate.profile)
            candidate.name_key = name_key(candidate.name)
            if candidate.profile_parsed:
                apply_profile(candidate)
            index_candidate(session, candidate)
        session.commit()
        done += len(group)
