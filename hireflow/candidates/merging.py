"""Whether two resumes are one person, and merges HR can see, decide and undo (SPEC C1).

Merging two different people is data corruption (one person's record, contacts and
interviews shown under another's name), so the intake merges on its own only when the
identity evidence agrees: the key that matched (e-mail, phone, name with birth date or
school) and the other identity values present on both sides (name, e-mail, phone, birth
date) do not contradict each other, or, where one does (a new phone number), at least two
independent keys agree and the names never contradict. When a key matched but the rest
contradicts it (the same phone with a different name and e-mail: a recycled number, a shared
family phone, a typo), the resume becomes a new person and the merge is *proposed* to HR with
both sides shown.

Every merge, automatic or decided by HR, is a ``CandidateMerge`` row with what an undo needs
(the rows that moved, the surviving person's profile before), and every decision is audited.
The HR record keeps its entries under the person they were written for: a hash-chained
timeline cannot move entries between people, so an undo adds nothing to it and removes
nothing from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hireflow.candidates.identity import email_key, name_key
from hireflow.candidates.indexing import apply_profile, index_candidate
from hireflow.candidates.models import (
    Application,
    Candidate,
    CandidateMerge,
    CandidateResume,
    CandidateSearch,
)
from hireflow.core import audit
from hireflow.core.crypto import normalise_phone
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound
from hireflow.core.permissions import Principal, get_visible, require, require_visible, restrict
from hireflow.openings.models import Opening

UNKNOWN_NAMES = {"", "?"}


@dataclass
class Evidence:
    """Which identity values agree and which contradict (names of keys, never values)."""

    matched_by: str
    agree: list[str] = field(default_factory=list)
    conflict: list[str] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        """Same person: the names do not contradict each other, and either nothing
        contradicts or two independent keys agree (a changed phone number with the same
        name and address is one person; the same phone with another name is not)."""
        if "name" in self.conflict:
            return False
        return not self.conflict or len(set(self.agree)) >= 2

    def to_dict(self) -> dict[str, Any]:
        return {"agree": self.agree, "conflict": self.conflict}


def _phone(value: str | None) -> str:
    if not value:
        return ""
    try:
        return normalise_phone(value)
    except ValueError:
        return "".join(ch for ch in value if ch.isdigit())


def compare(
    existing: Candidate,
    *,
    name: str | None,
    email: str | None,
    phone: str | None,
    birth_date: str | None,
    matched_by: str,
) -> Evidence:
    """Compare a new resume's identity values with a person on file."""
    evidence = Evidence(matched_by)
    pairs = {
        "name": (
            name_key(existing.name) if existing.name not in UNKNOWN_NAMES else "",
            name_key(name) if (name or "") not in UNKNOWN_NAMES else "",
        ),
        "email": (email_key(existing.email), email_key(email)),
        "phone": (_phone(existing.phone), _phone(phone)),
        "birth_date": ((existing.birth_date or "")[:10], (birth_date or "")[:10]),
    }
    # the key that matched counts as agreeing (a school is compared only by that key)
    evidence.agree += {"name_school": ["school"], "same_file": ["file"]}.get(matched_by, [])
    for key, (theirs, ours) in pairs.items():
        if not theirs or not ours:
            continue
        if key == "birth_date" and (len(theirs) < 10 or len(ours) < 10):
            # a month alone ("1990-05") agrees with any day of that month
            (evidence.agree if theirs[:7] == ours[:7] else evidence.conflict).append(key)
            continue
        (evidence.agree if theirs == ours else evidence.conflict).append(key)
    return evidence


def record_automatic(
    session: Session,
    survivor: Candidate,
    evidence: Evidence,
    *,
    resume_id: int | None,
    application_id: int | None,
    profile_before: dict[str, Any],
    birth_date_before: str | None,
) -> CandidateMerge:
    """Keep what undoing an automatic merge at intake needs."""
    merge = CandidateMerge(
        tenant_id=survivor.tenant_id,
        survivor_id=survivor.id,
        other_id=None,
        status="merged",
        automatic=True,
        matched_by=evidence.matched_by,
        evidence=evidence.to_dict(),
        snapshot={
            "resumes": [resume_id] if resume_id else [],
            "applications": [application_id] if application_id else [],
            "profile_before": profile_before,
            "birth_date_before": birth_date_before,
        },
        decided_at=utcnow(),
    )
    session.add(merge)
    return merge


def propose(
    session: Session, survivor: Candidate, other: Candidate, evidence: Evidence
) -> CandidateMerge:
    """Ask HR whether ``other`` (just created) is the same person as ``survivor``."""
    merge = CandidateMerge(
        tenant_id=survivor.tenant_id,
        survivor_id=survivor.id,
        other_id=other.id,
        status="proposed",
        automatic=False,
        matched_by=evidence.matched_by,
        evidence=evidence.to_dict(),
        snapshot={},
    )
    session.add(merge)
    return merge


# --------------------------------------------------------------------------- HR decisions


def visible_merges(
    session: Session, principal: Principal, status: str | None = None
) -> list[CandidateMerge]:
    require(principal, "candidates.manage")
    stmt = restrict(select(CandidateMerge), principal, "candidates.manage", CandidateMerge)
    if status:
        stmt = stmt.where(CandidateMerge.status == status)
    return list(session.scalars(stmt.order_by(CandidateMerge.id.desc()).limit(200)))


def _merge(session: Session, principal: Principal, merge_id: int) -> CandidateMerge:
    merge = require_visible(session, CandidateMerge, merge_id, principal, "candidates.manage")
    # both people must be within the caller's reach, not only the survivor
    if merge.other_id is not None:
        get_visible(session, Candidate, merge.other_id, principal, "candidates.manage")
    return merge


def _proposed_merge(session: Session, principal: Principal, merge_id: int) -> CandidateMerge:
    """A merge still waiting for HR's decision (409 once decided)."""
    merge = _merge(session, principal, merge_id)
    if merge.status != "proposed":
        raise Conflict(N_("This merge was decided already."), code="merge_decided")
    return merge


def _reindex(session: Session, *people: Candidate) -> None:
    for person in people:
        if person.merged_into_id is not None:
            gone = delete(CandidateSearch).where(CandidateSearch.candidate_id == person.id)
            session.execute(gone)
            continue
        latest = session.scalars(
            select(CandidateResume)
            .where(CandidateResume.candidate_id == person.id)
            .order_by(CandidateResume.id.desc())
        ).first()
        if latest is not None and latest.parsed:
            person.profile_parsed = dict(latest.parsed)
        apply_profile(person)
        index_candidate(session, person)


def _audit(
    session: Session, principal: Principal, action: str, merge: CandidateMerge, **new: Any
) -> None:
    audit.record(
        session,
        action,
        actor=principal,
        target_type="candidate",
        target_id=merge.survivor_id,
        new={"merge": merge.id, "other": merge.other_id, **new},
    )


def accept(session: Session, principal: Principal, merge_id: int) -> CandidateMerge:
    """HR confirms a proposal: the other person's applications and resumes move over."""
    merge = _proposed_merge(session, principal, merge_id)
    survivor = session.get(Candidate, merge.survivor_id)
    other = session.get(Candidate, merge.other_id) if merge.other_id else None
    if survivor is None or other is None:
        raise NotFound()
    taken = set(
        session.scalars(
            select(Application.opening_id).where(Application.candidate_id == survivor.id)
        )
    )
    moved_applications = [
        a.id
        for a in session.scalars(select(Application).where(Application.candidate_id == other.id))
        if a.opening_id not in taken
    ]
    moved_resumes = list(
        session.scalars(select(CandidateResume.id).where(CandidateResume.candidate_id == other.id))
    )
    merge.snapshot = {
        "applications": moved_applications,
        "resumes": moved_resumes,
        "profile_before": dict(survivor.profile_parsed or {}),
        "birth_date_before": survivor.birth_date,
    }
    if moved_applications:
        session.execute(
            update(Application)
            .where(Application.id.in_(moved_applications))
            .values(candidate_id=survivor.id)
        )
    if moved_resumes:
        session.execute(
            update(CandidateResume)
            .where(CandidateResume.id.in_(moved_resumes))
            .values(candidate_id=survivor.id)
        )
    other.merged_into_id = survivor.id
    merge.status = "merged"
    merge.decided_at = utcnow()
    merge.decided_by_id = principal.user_id
    session.flush()
    session.expire_all()
    _reindex(session, session.get(Candidate, survivor.id), session.get(Candidate, other.id))
    _audit(
        session,
        principal,
        "candidate.merge_accepted",
        merge,
        applications=len(moved_applications),
        resumes=len(moved_resumes),
    )
    session.commit()
    return merge


def reject(session: Session, principal: Principal, merge_id: int) -> CandidateMerge:
    """HR says these are two people: both stay as they are."""
    merge = _proposed_merge(session, principal, merge_id)
    merge.status = "rejected"
    merge.decided_at = utcnow()
    merge.decided_by_id = principal.user_id
    _audit(session, principal, "candidate.merge_rejected", merge)
    session.commit()
    return merge


def undo(session: Session, principal: Principal, merge_id: int) -> CandidateMerge:
    """Separate two people a merge joined (automatic or HR's), as they were before."""
    merge = _merge(session, principal, merge_id)
    if merge.status != "merged":
        raise Conflict(N_("Only a merge that was carried out can be undone."), code="not_merged")
    survivor = session.get(Candidate, merge.survivor_id)
    if survivor is None:
        raise NotFound()
    snapshot = dict(merge.snapshot or {})
    resumes = [int(i) for i in snapshot.get("resumes") or []]
    applications = [int(i) for i in snapshot.get("applications") or []]
    other = session.get(Candidate, merge.other_id) if merge.other_id else None
    if other is None:
        # an automatic merge: the resume becomes the person it described
        first = session.get(CandidateResume, resumes[0]) if resumes else None
        parsed = dict(first.parsed or {}) if first is not None else {}
        other = Candidate(
            tenant_id=survivor.tenant_id,
            name=(parsed.get("name") or "?")[:200],
            email=email_key(parsed.get("email")),
            phone=parsed.get("phone") or "",
            location=(parsed.get("location") or "")[:200],
            language=survivor.language,
            timezone=survivor.timezone,
            source=first.source if first is not None else "upload",
            profile={},
            profile_parsed=parsed,
            corrections={},
        )
        session.add(other)
        session.flush()
        merge.other_id = other.id
    if applications:
        session.execute(
            update(Application)
            .where(Application.id.in_(applications), Application.candidate_id == survivor.id)
            .values(candidate_id=other.id)
        )
    if resumes:
        session.execute(
            update(CandidateResume)
            .where(CandidateResume.id.in_(resumes), CandidateResume.candidate_id == survivor.id)
            .values(candidate_id=other.id)
        )
    other.merged_into_id = None
    if "birth_date_before" in snapshot and not snapshot.get("birth_date_before"):
        survivor.birth_date = None
    merge.status = "undone"
    merge.undone_at = utcnow()
    merge.undone_by_id = principal.user_id
    session.flush()
    session.expire_all()
    survivor = session.get(Candidate, merge.survivor_id)
    other = session.get(Candidate, merge.other_id)
    _reindex(session, survivor, other)
    if not session.scalars(
        select(CandidateResume.id).where(CandidateResume.candidate_id == survivor.id)
    ).first():
        survivor.profile_parsed = dict(snapshot.get("profile_before") or {})
        _reindex(session, survivor)
    _audit(
        session,
        principal,
        "candidate.merge_undone",
        merge,
        applications=len(applications),
        resumes=len(resumes),
    )
    session.commit()
    return merge


# --------------------------------------------------------------------------- views


def _side(session: Session, person: Candidate | None) -> dict[str, Any] | None:
    if person is None:
        return None
    profile = person.profile or {}
    work = [w for w in profile.get("work", []) or [] if isinstance(w, dict)]
    education = [e for e in profile.get("education", []) or [] if isinstance(e, dict)]
    openings = list(
        session.scalars(
            select(Opening.title)
            .join(Application, Application.opening_id == Opening.id)
            .where(Application.candidate_id == person.id)
            .order_by(Application.id)
        )
    )
    return {
        "id": person.id,
        "name": person.name,
        "email": person.email,
        "phone": person.phone,
        "location": person.location,
        "birth_date": person.birth_date,
        "work": [f"{w.get('title') or ''} · {w.get('company') or ''}".strip(" ·") for w in work][
            :3
        ],
        "schools": [e.get("school") for e in education if e.get("school")][:3],
        "openings": openings,
        "merged_into_id": person.merged_into_id,
    }


def view(session: Session, merge: CandidateMerge) -> dict[str, Any]:
    """A merge with both people side by side (what HR needs to decide)."""
    survivor = session.get(Candidate, merge.survivor_id)
    other = session.get(Candidate, merge.other_id) if merge.other_id else None
    evidence = merge.evidence or {}
    return {
        "id": merge.id,
        "status": merge.status,
        "automatic": merge.automatic,
        "matched_by": merge.matched_by,
        "agree": list(evidence.get("agree") or []),
        "conflict": list(evidence.get("conflict") or []),
        "created_at": merge.created_at,
        "decided_at": merge.decided_at,
        "undone_at": merge.undone_at,
        "survivor": _side(session, survivor),
        "other": _side(session, other),
    }
