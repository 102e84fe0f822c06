"""Whom an incoming resume belongs to: the same file uploaded before, a person with the same
e-mail, phone, name and birth date or name and school, and whether the identity values that
did not match agree (else HR is asked). An applicant who is an employee applies internally."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates import merging
from hireflow.candidates.identity import email_key, name_key, school_keys
from hireflow.candidates.models import (
    Candidate,
    CandidateResume,
)
from hireflow.candidates.resume_model import ResumeProfile
from hireflow.core import pii
from hireflow.core.permissions import Role
from hireflow.org.models import RoleAssignment, User


def _first_by_index(
    session: Session, tenant_id: int, column: Any, value: str, kind: str
) -> Candidate | None:
    """The oldest person of the company (not merged away) whose blind index of ``kind``
    matches ``value``."""
    return session.scalars(
        select(Candidate)
        .where(
            Candidate.tenant_id == tenant_id,
            Candidate.merged_into_id.is_(None),
            column.in_(pii.blind_index_values(value, kind, tenant_id=tenant_id)),
        )
        .order_by(Candidate.id)
    ).first()


def find_duplicate(
    session: Session, tenant_id: int, profile: ResumeProfile, birth_date: str | None
) -> tuple[Candidate | None, str | None]:
    """The existing candidate this profile belongs to, and which key matched."""
    email = email_key(profile.email)
    if email:
        found = _first_by_index(session, tenant_id, Candidate.email_index, email, "email")
        if found is not None:
            return found, "email"
    if profile.phone:
        found = _first_by_index(session, tenant_id, Candidate.phone_index, profile.phone, "phone")
        if found is not None:
            return found, "phone"
    key = name_key(profile.name)
    if not key:
        return None, None
    namesakes = list(
        session.scalars(
            select(Candidate)
            .where(
                Candidate.tenant_id == tenant_id,
                Candidate.merged_into_id.is_(None),
                Candidate.name_key == key,
            )
            .order_by(Candidate.id)
            .limit(50)
        )
    )
    if birth_date:
        wanted = set(pii.blind_index_values(birth_date, "birth_date", tenant_id=tenant_id))
        for candidate in namesakes:
            if candidate.birth_date_index in wanted:
                return candidate, "name_birth_date"
    schools = school_keys(e.school for e in profile.education)
    if schools:
        for candidate in namesakes:
            theirs = school_keys(
                e.get("school")
                for e in (candidate.profile or {}).get("education", [])
                if isinstance(e, dict)
            )
            if schools & theirs:
                return candidate, "name_school"
    return None, None


def employee_user(session: Session, tenant_id: int, email: str) -> User | None:
    """A signed-up employee of the company with this address: the candidate is internal."""
    if not email:
        return None
    return session.scalars(
        select(User).where(
            User.tenant_id == tenant_id,
            func.lower(User.email) == email,
            User.id.in_(
                select(RoleAssignment.user_id).where(RoleAssignment.role == Role.EMPLOYEE.value)
            ),
        )
    ).first()


@dataclass
class Match:
    """Whom a resume belongs to: the person it matched (None: a new person) and how, the
    earlier upload of the very same file, and the person HR is asked about when a key matched
    but another identity value disagrees."""

    candidate: Candidate | None
    matched_by: str | None
    same_file: CandidateResume | None
    evidence: merging.Evidence | None = None
    proposal_for: Candidate | None = None


def match_person(
    session: Session, tenant_id: int, digest: str, profile: ResumeProfile, birth_date: str | None
) -> Match:
    same_file = session.scalars(
        select(CandidateResume).where(
            CandidateResume.tenant_id == tenant_id, CandidateResume.sha256 == digest
        )
    ).first()
    if same_file is not None:
        return Match(session.get(Candidate, same_file.candidate_id), "same_file", same_file)
    candidate, matched_by = find_duplicate(session, tenant_id, profile, birth_date)
    if candidate is None:
        return Match(None, matched_by, None)
    # A key matched: merge only when every other identity value agrees; otherwise this is
    # a new person and HR is asked (a shared or recycled phone is not the same person).
    evidence = merging.compare(
        candidate,
        name=profile.name,
        email=profile.email,
        phone=profile.phone,
        birth_date=birth_date,
        matched_by=matched_by or "",
    )
    if not evidence.agrees:
        return Match(None, None, None, evidence, proposal_for=candidate)
    return Match(candidate, matched_by, None, evidence)
