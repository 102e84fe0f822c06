"""What HR changes on a person (SPEC C3, C6): profile corrections, the internal flag and
performance ratings; each checks the caller, writes, audits and commits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.identity import email_key
from hireflow.candidates.indexing import apply_profile, index_candidate
from hireflow.candidates.models import (
    Candidate,
    PerformanceRating,
)
from hireflow.candidates.parsing import normalise_phone
from hireflow.candidates.resume_model import normalise_degree
from hireflow.candidates.service import screen_applications
from hireflow.candidates.vectors import enqueue_vectors
from hireflow.core import audit, pii
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require, require_visible
from hireflow.records import service as records


def _clean_entries(value: Any, keys: Sequence[str]) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        raise ValidationFailed(N_("A list of entries is expected."), fields={"entries": "type"})
    entries = []
    for item in value[:40]:
        if not isinstance(item, dict):
            raise ValidationFailed(N_("A list of entries is expected."), fields={"entries": "type"})
        entry = {
            k: (str(item[k]).strip()[:300] if item.get(k) not in (None, "") else None) for k in keys
        }
        if any(entry.values()):
            entries.append(entry)
    return entries


def _clean_correction(key: str, value: Any) -> Any:
    """Validate one corrected field; raises ValidationFailed naming the field."""
    if key in ("name", "location"):
        text = str(value or "").strip()[:200]
        if key == "name" and not text:
            raise ValidationFailed(N_("The name cannot be empty."), fields={"name": "required"})
        return text
    if key == "email":
        text = str(value or "").strip()
        if text and not email_key(text):
            raise ValidationFailed(N_("Enter a valid email address."), fields={"email": "invalid"})
        return email_key(text)
    if key == "phone":
        text = str(value or "").strip()
        if not text:
            return ""
        phone = normalise_phone(text)
        if phone is None:
            raise ValidationFailed(N_("Enter a valid phone number."), fields={"phone": "invalid"})
        return phone
    if key == "years_experience":
        try:
            years = float(value)
        except (TypeError, ValueError):
            raise ValidationFailed(N_("Enter a number."), fields={key: "number"}) from None
        if not 0 <= years <= 60:
            raise ValidationFailed(N_("Enter a number."), fields={key: "range"})
        return round(years, 1)
    if key == "skills":
        items = (
            value.replace("，", ",").replace("、", ",").split(",")
            if isinstance(value, str)
            else value
        )
        if not isinstance(items, list):
            raise ValidationFailed(N_("A list of entries is expected."), fields={key: "type"})
        return list(dict.fromkeys(str(s).strip()[:80] for s in items if str(s).strip()))[:100]
    if key == "languages":
        return [
            {"language": e["language"], "level": e.get("level")}
            for e in _clean_entries(value, ("language", "level"))
            if e.get("language")
        ]
    if key == "education":
        entries = _clean_entries(value, ("school", "degree", "major", "start", "end"))
        for entry in entries:
            raw = entry.get("degree")
            entry["degree_raw"] = raw
            entry["degree"] = normalise_degree(raw or "") if raw else None
            entry["is_current"] = False
        return entries
    if key == "work":
        entries = _clean_entries(
            value, ("company", "title", "start", "end", "industry", "description")
        )
        for entry in entries:
            end = (entry.get("end") or "").strip().casefold()
            entry["is_current"] = end in ("至今", "现在", "present", "now", "current")
            if entry["is_current"]:
                entry["end"] = None
            entry["is_internship"] = False
            entry["description"] = entry.get("description") or ""
        return entries
    raise ValidationFailed(N_("This field cannot be corrected."), fields={key: "unknown"})


def correct_profile(
    session: Session, principal: Principal, candidate_id: int, changes: dict[str, Any]
) -> Candidate:
    """Keep HR's corrections of parsed fields; later resumes never undo them."""
    candidate = require_visible(session, Candidate, candidate_id, principal, "candidates.manage")
    cleaned = {key: _clean_correction(key, value) for key, value in changes.items()}
    if not cleaned:
        return candidate
    corrections = dict(candidate.corrections or {})
    stamp = utcnow().isoformat()
    for key, value in cleaned.items():
        corrections[key] = {"value": value, "by": principal.user_id, "at": stamp}
    candidate.corrections = corrections
    before = {k: (candidate.profile or {}).get(k) for k in cleaned}
    apply_profile(candidate)
    if "email" in cleaned:
        taken = session.scalars(
            select(Candidate.id).where(
                Candidate.tenant_id == candidate.tenant_id,
                Candidate.email_index.in_(
                    pii.blind_index_values(
                        candidate.email or "-", "email", tenant_id=candidate.tenant_id
                    )
                ),
                Candidate.id != candidate.id,
            )
        ).first()
        if candidate.email and taken:
            raise Conflict(
                N_("Another candidate has this email address; they may be the same person."),
                fields={"email": "taken"},
            )
    audit.record(
        session,
        "candidate.profile_corrected",
        actor=principal,
        target_type="candidate",
        target_id=candidate.id,
        old={k: before[k] for k in cleaned},
        new=cleaned,
    )
    records.append_entry(
        session,
        principal,
        candidate.id,
        "profile_change",
        data={"source": "correction", "fields": cleaned},
        source="candidates:correction",
        facts={"corrected": sorted(cleaned)},
        commit=False,
    )
    index_candidate(session, candidate)
    screen_applications(session, list(candidate.applications))
    enqueue_vectors(session, [candidate.id])
    session.commit()
    return candidate


def set_internal(
    session: Session, principal: Principal, candidate_id: int, internal: bool
) -> Candidate:
    """Mark a candidate as an internal one (an employee applying for another role)."""
    require(principal, "performance.manage")
    candidate = get_visible(session, Candidate, candidate_id, principal, "candidates.read")
    if candidate.is_internal != internal:
        candidate.is_internal = internal
        index_candidate(session, candidate)
        audit.record(
            session,
            "candidate.internal_set",
            actor=principal,
            target_type="candidate",
            target_id=candidate.id,
            new={"internal": internal},
        )
    session.commit()
    return candidate


def record_rating(
    session: Session,
    principal: Principal,
    candidate_id: int,
    period: str,
    rating: float,
    comment: str = "",
) -> PerformanceRating:
    """Add or replace an internal candidate's rating for a period (SPEC C6)."""
    require(principal, "performance.manage")
    candidate = get_visible(session, Candidate, candidate_id, principal, "candidates.read")
    period = period.strip()[:20]
    if not period:
        raise ValidationFailed(N_("This field is required."), fields={"period": "required"})
    if not 1 <= rating <= 5:
        raise ValidationFailed(N_("A rating is from 1 to 5."), fields={"rating": "range"})
    row = session.scalars(
        select(PerformanceRating).where(
            PerformanceRating.candidate_id == candidate.id, PerformanceRating.period == period
        )
    ).first()
    if row is None:
        row = PerformanceRating(
            tenant_id=candidate.tenant_id, candidate_id=candidate.id, period=period
        )
        session.add(row)
    row.rating, row.comment = float(rating), comment.strip()[:2000]
    row.recorded_by_id, row.created_at = principal.user_id, utcnow()
    if not candidate.is_internal:
        candidate.is_internal = True
        index_candidate(session, candidate)
    session.flush()
    audit.commit_recorded(
        session,
        "candidate.rating_recorded",
        actor=principal,
        target_type="candidate",
        target_id=candidate.id,
        new={"period": period, "rating": float(rating)},
    )
    return row
