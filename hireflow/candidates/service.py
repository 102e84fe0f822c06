"""Resume intake, duplicates, corrections, screening, saved searches, ratings (SPEC C1-C6).

Every write checks the caller, writes, audits and commits. The intake handles one file per
transaction: a corrupt, encrypted, oversized or foreign-language file gets its own error in
the result and never stops the batch (an unexpected failure in one file is rolled back,
logged with a reference and reported the same way).

Where things go:

* the original file → the person's HR record, encrypted in their region
  (``hireflow.records.service.attach_file``); the extracted text → ``candidate_resumes``
  (encrypted column); the parsed profile → ``candidate_resumes.parsed`` and the candidate;
* "applied to …" and profile changes → entries of the person's record timeline
  (``append_entry``), besides the audit trail;
* the search document → ``candidate_search`` (and the database's full-text index).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hireflow.candidates import files, language_zone, merging, search
from hireflow.candidates.identity import email_key, find_birth_date, name_key, school_keys
from hireflow.candidates.models import (
    Application,
    Candidate,
    CandidateResume,
    CandidateVector,
    PerformanceRating,
    SavedSearch,
)
from hireflow.candidates.parsing import (
    ResumeProfile,
    degree_rank,
    experience_years,
    normalise_degree,
    normalise_phone,
    parse_resume,
)
from hireflow.core import audit, pii
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, Role, get_visible, require, restrict
from hireflow.openings.models import Opening
from hireflow.org.models import RoleAssignment, Tenant, User

log = logging.getLogger(__name__)

MAX_FILES_PER_BATCH = 500
BUSY_ATTEMPTS = 4
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


# --------------------------------------------------------------------------- callers


@dataclass(frozen=True)
class Importer:
    """A trusted process importing resumes (the command line): no user, one tenant."""

    label: str
    tenant_id: int


Caller = Principal | Importer


def _records_actor(caller: Caller) -> Any:
    from hireflow.records.service import SystemActor

    if isinstance(caller, Importer):
        return SystemActor(caller.label, tenant_id=caller.tenant_id)
    return caller


def _audit(
    session: Session, caller: Caller, action: str, target_type: str, target_id: Any, **kw: Any
) -> None:
    if isinstance(caller, Importer):
        audit.record(
            session,
            action,
            actor=None,
            tenant_id=caller.tenant_id,
            target_type=target_type,
            target_id=target_id,
            actor_label=f"system:{caller.label}",
            **kw,
        )
    else:
        audit.record(
            session, action, actor=caller, target_type=target_type, target_id=target_id, **kw
        )


# --------------------------------------------------------------------------- intake results


@dataclass
class IntakeResult:
    """What happened to one uploaded file (one row of the upload result table)."""

    filename: str
    ok: bool
    code: str | None = None
    message: dict[str, str] = field(default_factory=dict)
    candidate_id: int | None = None
    application_id: int | None = None
    name: str | None = None
    merged: bool = False
    merged_by: str | None = None
    same_file: bool = False
    new_application: bool = False
    screening_status: str | None = None
    screening_score: float | None = None
    size: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refused(filename: str, size: int, code: str, message: dict[str, str]) -> IntakeResult:
    return IntakeResult(filename=filename, ok=False, code=code, message=dict(message), size=size)


def oversize_result(filename: str, size: int, limit: int) -> IntakeResult:
    """The refusal of a file over the upload limit (never read past the limit)."""
    error = files.UploadError(
        "file_too_large", size_mb=files.megabytes(size), limit_mb=files.megabytes(limit)
    )
    return _refused(filename, size, error.code, error.message)


def today() -> date:
    """The date resumes are parsed against ("至今" ends today, in UTC)."""
    return utcnow().date()


# --------------------------------------------------------------------------- intake


def intake_opening(session: Session, caller: Caller, opening_id: int) -> Opening:
    """The opening resumes are uploaded to: managed by the caller, not closed."""
    if isinstance(caller, Importer):
        opening = session.get(Opening, opening_id)
        if opening is None or opening.tenant_id != caller.tenant_id:
            raise NotFound()
    else:
        require(caller, "candidates.create")
        require(caller, "openings.manage")
        opening = get_visible(session, Opening, opening_id, caller, "openings.manage")
    if opening.status == "closed":
        raise Conflict(
            N_("This opening is closed; reopen it before adding resumes."),
            fields={"opening_id": "closed"},
        )
    return opening


def expand_uploads(
    uploads: Iterable[tuple[str, bytes]], max_bytes: int
) -> Iterator[tuple[str, bytes | None, IntakeResult | None]]:
    """Upload items as (name, data, None), with zip archives opened member by member.

    A refused archive or member is yielded as (name, None, refusal).
    """
    for filename, data in uploads:
        is_zip = data[:4] == b"PK\x03\x04" and files.sniff(data) == "zip"
        if not is_zip and not filename.lower().endswith(".zip"):
            yield filename, data, None
            continue
        if not is_zip:
            yield filename, data, None  # a .zip that is not one: check_upload explains
            continue
        try:
            for member in files.iter_zip(
                data,
                max_files=MAX_FILES_PER_BATCH,
                max_total_bytes=200 * 1024 * 1024,
                max_member_bytes=max_bytes,
            ):
                name = f"{filename}/{member.name}"
                if member.data is None:
                    yield (
                        name,
                        None,
                        _refused(name, 0, member.code or "zip_corrupt", member.message),
                    )
                else:
                    yield name, member.data, None
        except files.UploadError as error:
            yield filename, None, _refused(filename, len(data), error.code, error.message)


def intake_files(
    session: Session,
    caller: Caller,
    opening_id: int,
    uploads: Iterable[tuple[str, bytes]],
    *,
    source: str = "upload",
    max_bytes: int | None = None,
) -> list[IntakeResult]:
    """Take in resumes for an opening: one result per file (zip members count as files)."""
    from hireflow.core.settings import get_settings

    opening = intake_opening(session, caller, opening_id)
    opening_id = opening.id
    limit = max_bytes or get_settings().max_upload_bytes
    results: list[IntakeResult] = []
    for filename, data, refusal in expand_uploads(uploads, limit):
        if len(results) >= MAX_FILES_PER_BATCH:
            results.append(
                _refused(
                    filename,
                    0,
                    "zip_too_many_files",
                    files.UploadError(
                        "zip_too_many_files", count=len(results) + 1, limit=MAX_FILES_PER_BATCH
                    ).message,
                )
            )
            break
        if refusal is not None or data is None:
            results.append(refusal or _refused(filename, 0, "file_empty", {}))
            continue
        results.append(intake_file(session, caller, opening_id, filename, data, source, limit))
    return results


def intake_file(
    session: Session,
    caller: Caller,
    opening_id: int,
    filename: str,
    data: bytes,
    source: str = "upload",
    max_bytes: int = 20 * 1024 * 1024,
) -> IntakeResult:
    """Check, parse, de-duplicate, store and screen one resume (its own transaction)."""
    check = files.check_upload(data, filename, max_bytes)
    if not check.ok:
        return _refused(filename, check.size, check.code or "file_type_unsupported", check.message)
    try:
        profile = parse_resume(check.text or "", today=today())
        if not (profile.name or profile.email or profile.phone):
            error = files.UploadError("resume_unrecognised")
            return _refused(filename, check.size, error.code, error.message)
        for attempt in range(BUSY_ATTEMPTS):
            try:
                result = _store_resume(
                    session, caller, opening_id, filename, data, check, profile, source
                )
                session.commit()
                return result
            except OperationalError as exc:
                # SQLite refuses a write whose snapshot a concurrent commit (the worker's)
                # made stale, at once; the transaction was rolled back whole, so storing the
                # file again from a fresh snapshot is safe. PostgreSQL never gets here.
                if attempt == BUSY_ATTEMPTS - 1 or "locked" not in str(exc.orig):
                    raise
                session.rollback()
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover
    except Exception as exc:
        session.rollback()
        reference = secrets.token_hex(4)
        log.exception(
            "resume intake failed",
            extra={
                "event": "candidates.intake_failed",
                "ref": reference,
                "opening": opening_id,
                "error": type(exc).__name__,
            },
        )
        error = files.UploadError("internal_error", ref=reference)
        return _refused(filename, check.size, error.code, error.message)


def find_duplicate(
    session: Session, tenant_id: int, profile: ResumeProfile, birth_date: str | None
) -> tuple[Candidate | None, str | None]:
    """The existing candidate this profile belongs to, and which key matched."""
    email = email_key(profile.email)
    if email:
        found = session.scalars(
            select(Candidate)
            .where(
                Candidate.tenant_id == tenant_id,
                Candidate.merged_into_id.is_(None),
                Candidate.email_index.in_(
                    pii.blind_index_values(email, "email", tenant_id=tenant_id)
                ),
            )
            .order_by(Candidate.id)
        ).first()
        if found is not None:
            return found, "email"
    if profile.phone:
        found = session.scalars(
            select(Candidate)
            .where(
                Candidate.tenant_id == tenant_id,
                Candidate.merged_into_id.is_(None),
                Candidate.phone_index.in_(
                    pii.blind_index_values(profile.phone, "phone", tenant_id=tenant_id)
                ),
            )
            .order_by(Candidate.id)
        ).first()
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


def _employee_user(session: Session, tenant_id: int, email: str) -> User | None:
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


def _store_resume(
    session: Session,
    caller: Caller,
    opening_id: int,
    filename: str,
    data: bytes,
    check: files.FileCheck,
    profile: ResumeProfile,
    source: str,
) -> IntakeResult:
    from hireflow.records import service as records

    opening = session.get(Opening, opening_id)
    assert opening is not None
    tenant_id = opening.tenant_id
    text = check.text or ""
    digest = hashlib.sha256(data).hexdigest()
    birth_date = find_birth_date(text, today=today())
    same_file = session.scalars(
        select(CandidateResume).where(
            CandidateResume.tenant_id == tenant_id, CandidateResume.sha256 == digest
        )
    ).first()
    if same_file is not None:
        candidate: Candidate | None = session.get(Candidate, same_file.candidate_id)
        matched_by: str | None = "same_file"
    else:
        candidate, matched_by = find_duplicate(session, tenant_id, profile, birth_date)
    # A key matched: merge only when every other identity value agrees; otherwise this is
    # a new person and HR is asked (a shared or recycled phone is not the same person).
    evidence = None
    proposal_for: Candidate | None = None
    if candidate is not None and same_file is None:
        evidence = merging.compare(
            candidate,
            name=profile.name,
            email=profile.email,
            phone=profile.phone,
            birth_date=birth_date,
            matched_by=matched_by or "",
        )
        if not evidence.agrees:
            proposal_for, candidate, matched_by = candidate, None, None
    profile_before = dict(candidate.profile_parsed or {}) if candidate is not None else {}
    birth_date_before = candidate.birth_date if candidate is not None else None
    merged = candidate is not None
    parsed = profile.to_dict()
    tenant = session.get(Tenant, tenant_id)
    locale = language_zone.guess(
        text=text,
        location=profile.location or "",
        phone=profile.phone or "",
        opening_language=opening.language,
        default_zone=tenant.default_timezone if tenant else "Asia/Shanghai",
    )
    if candidate is None:
        email = email_key(profile.email)
        employee = _employee_user(session, tenant_id, email)
        candidate = Candidate(
            tenant_id=tenant_id,
            # No name found: "?" until HR corrects it or a later resume names the person;
            # an e-mail address is never a name.
            name=(profile.name or "?")[:200],
            email=email,
            phone=profile.phone or "",
            birth_date=birth_date,
            location=(profile.location or "")[:200],
            language=locale.language,
            timezone=locale.timezone,
            source=source[:40],
            profile={},
            profile_parsed=parsed,
            corrections={},
            is_internal=employee is not None,
            # an employee applying internally sees the application on their own page
            user_id=employee.id if employee is not None else None,
        )
        session.add(candidate)
        apply_profile(candidate)
        session.flush()
        _audit(
            session,
            caller,
            "candidate.created",
            "candidate",
            candidate.id,
            new={"source": source, "opening_id": opening_id, "internal": candidate.is_internal},
        )
        if proposal_for is not None and evidence is not None:
            proposal = merging.propose(session, proposal_for, candidate, evidence)
            session.flush()
            _audit(
                session,
                caller,
                "candidate.merge_proposed",
                "candidate",
                proposal_for.id,
                new={"merge": proposal.id, "other": candidate.id, **evidence.to_dict()},
            )
    elif same_file is None:
        candidate.profile_parsed = parsed
        if birth_date and not candidate.birth_date:
            candidate.birth_date = birth_date
        apply_profile(candidate)
        _audit(
            session,
            caller,
            "candidate.merged",
            "candidate",
            candidate.id,
            new={"matched_by": matched_by, "opening_id": opening_id},
        )
    assert candidate is not None
    application = session.scalars(
        select(Application).where(
            Application.candidate_id == candidate.id, Application.opening_id == opening_id
        )
    ).first()
    new_application = application is None
    if application is None:
        application = Application(
            tenant_id=tenant_id,
            candidate_id=candidate.id,
            opening_id=opening_id,
            stage="applied",
            source=source[:40],
            language=locale.language,
            timezone=locale.timezone,
            locale_source=locale.source,
            locale_reasons=locale.reasons,
        )
        session.add(application)
        session.flush()
        _audit(
            session,
            caller,
            "application.created",
            "application",
            application.id,
            new={"candidate_id": candidate.id, "opening_id": opening_id, "source": source},
        )
    actor = _records_actor(caller)
    if same_file is None:
        import io

        attachment = records.attach_file(
            session,
            actor,
            candidate.id,
            io.BytesIO(data),
            filename.rsplit("/", 1)[-1][:200] or "resume",
            {"pdf": "application/pdf", "txt": "text/plain"}.get(
                check.kind or "",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            {"opening_id": opening_id},
            kind="resume",
            source=f"candidates:{source}"[:60],
            commit=False,
        )
        resume_row = CandidateResume(
            tenant_id=tenant_id,
            candidate_id=candidate.id,
            opening_id=opening_id,
            attachment_id=attachment.id,
            filename=filename[:255],
            kind=check.kind or "",
            size=check.size,
            sha256=digest,
            text=text,
            parsed=parsed,
            source=source[:40],
            created_by_id=caller.user_id if isinstance(caller, Principal) else None,
            created_at=utcnow(),
        )
        session.add(resume_row)
        if merged and evidence is not None:
            session.flush()
            merging.record_automatic(
                session,
                candidate,
                evidence,
                resume_id=resume_row.id,
                application_id=application.id if new_application else None,
                profile_before=profile_before,
                birth_date_before=birth_date_before,
            )
        records.append_entry(
            session,
            actor,
            candidate.id,
            "profile_change",
            data={"source": "resume", "fields": _profile_summary(candidate.profile)},
            source=f"candidates:{source}"[:60],
            facts={"merged": merged, "matched_by": matched_by or ""},
            opening_id=opening_id,
            commit=False,
        )
    if new_application:
        records.append_entry(
            session,
            actor,
            candidate.id,
            "application",
            data={"opening": opening.title},
            source=f"candidates:{source}"[:60],
            facts={"opening_id": opening_id, "application_id": application.id},
            opening_id=opening_id,
            commit=False,
        )
    index_candidate(session, candidate, text if same_file is None else None)
    screen_applications(session, [application])
    _enqueue_vectors(session, [candidate.id])
    return IntakeResult(
        filename=filename,
        ok=True,
        candidate_id=candidate.id,
        application_id=application.id,
        name=candidate.name,
        merged=merged,
        merged_by=matched_by,
        same_file=same_file is not None,
        new_application=new_application,
        screening_status=application.screening_status or None,
        screening_score=application.screening_score,
        size=check.size,
    )


def _profile_summary(profile: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": profile.get("name"),
        "location": profile.get("location"),
        "highest_degree": profile.get("highest_degree"),
        "years_experience": profile.get("years_experience"),
        "schools": [e.get("school") for e in profile.get("education", []) if isinstance(e, dict)],
        "companies": [w.get("company") for w in profile.get("work", []) if isinstance(w, dict)],
        "skills": list(profile.get("skills", []))[:30],
    }


# --------------------------------------------------------------------------- profiles


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
    from hireflow.records import service as records

    require(principal, "candidates.manage")
    candidate = get_visible(session, Candidate, candidate_id, principal, "candidates.manage")
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
    _enqueue_vectors(session, [candidate.id])
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
    audit.record(
        session,
        "candidate.rating_recorded",
        actor=principal,
        target_type="candidate",
        target_id=candidate.id,
        new={"period": period, "rating": float(rating)},
    )
    session.commit()
    return row


# --------------------------------------------------------------------------- screening


def _rules_of(opening: Opening) -> list[Any]:
    from hireflow.candidates.screening import compile_rules

    return compile_rules(list(opening.screening_rules or [])) if opening.screening_rules else []


def interview_results(
    session: Session, candidate_ids: Sequence[int], opening_id: int, with_answers: bool
) -> dict[int, Any]:
    """Interview results per candidate from the HR record: the newest score per dimension
    (scores for this opening preferred), and the report texts ``mentions()`` counts in."""
    from hireflow.candidates.screening import InterviewResults
    from hireflow.records.models import RecordEntry, RecordScore
    from hireflow.records.timeline import decrypt_payload

    if not candidate_ids:
        return {}
    scores: dict[int, dict[str, tuple[int, Any, float]]] = {}
    rows = session.execute(
        select(
            RecordScore.person_id,
            RecordScore.dimension,
            RecordScore.score,
            RecordScore.opening_id,
            RecordScore.occurred_at,
        ).where(RecordScore.person_id.in_(list(candidate_ids)))
    ).all()
    for person_id, dimension, score, row_opening, occurred in rows:
        rank = (1 if row_opening == opening_id else 0, occurred)
        current = scores.setdefault(person_id, {}).get(dimension)
        if current is None or rank > current[:2]:
            scores[person_id][dimension] = (*rank, float(score))
    answers: dict[int, list[str]] = {}
    if with_answers:
        entries = session.scalars(
            select(RecordEntry).where(
                RecordEntry.person_id.in_(list(candidate_ids)),
                RecordEntry.type == "interview_result",
                RecordEntry.erased_at.is_(None),
            )
        )
        entries = list(entries)
        # An interview result restated after an HR override counts once, as restated.
        superseded = {e.facts.get("supersedes") for e in entries}
        for entry in entries:
            if entry.id in superseded:
                continue
            try:
                data = decrypt_payload(entry) or {}
            except Exception:  # an unreadable payload is reported by the record's own checks
                log.warning(
                    "interview report unreadable",
                    extra={"event": "candidates.report_unreadable", "entry": entry.id},
                )
                continue
            texts = [data.get("summary", ""), *data.get("strengths", []), *data.get("gaps", [])]
            texts += [e.get("quote", "") for e in data.get("evidence", []) if isinstance(e, dict)]
            answers.setdefault(entry.person_id, []).extend(str(t) for t in texts if t)
    results = {}
    for person_id in set(scores) | set(answers):
        results[person_id] = InterviewResults(
            scores={d: v[2] for d, v in scores.get(person_id, {}).items()},
            answers=tuple(answers.get(person_id, [])),
        )
    return results


def screen_applications(session: Session, applications: Sequence[Application]) -> None:
    """Screen applications against their openings' rules and store each verdict (no commit)."""
    from hireflow.candidates.screening import screen

    by_opening: dict[int, list[Application]] = {}
    for application in applications:
        by_opening.setdefault(application.opening_id, []).append(application)
    for opening_id, group in by_opening.items():
        opening = session.get(Opening, opening_id)
        if opening is None:
            continue
        compiled = _rules_of(opening)
        now = utcnow()
        if not compiled:
            for application in group:
                application.screening_status, application.screening_score = "", None
                application.screening, application.screened_at = None, now
            continue
        symbols = set().union(*(c.symbols for c in compiled))
        needs_interview = any(c.uses_interview for c in compiled)
        candidate_ids = [a.candidate_id for a in group]
        results = (
            interview_results(session, candidate_ids, opening_id, "mentions" in symbols)
            if needs_interview
            else {}
        )
        texts: dict[int, str] = {}
        if "keyword" in symbols:
            for resume in session.scalars(
                select(CandidateResume)
                .where(CandidateResume.candidate_id.in_(candidate_ids))
                .order_by(CandidateResume.id)
            ):
                texts[resume.candidate_id] = resume.text
        candidates = {
            c.id: c
            for c in session.scalars(select(Candidate).where(Candidate.id.in_(candidate_ids)))
        }
        for application in group:
            candidate = candidates[application.candidate_id]
            profile = ResumeProfile.from_dict(
                {k: v for k, v in (candidate.profile or {}).items() if k in ResumeProfile.__slots__}
            )
            verdict = screen(profile, compiled, results.get(candidate.id), texts.get(candidate.id))
            application.screening = verdict.to_dict()
            application.screening_status = verdict.status
            application.screening_score = verdict.score
            application.screened_at = now
    session.flush()


def rescreen_opening(session: Session, opening_id: int, batch: int = 500) -> int:
    """Screen every application of an opening again (after its rules changed); commits."""
    count = 0
    last_id = 0
    while True:
        group = list(
            session.scalars(
                select(Application)
                .where(Application.opening_id == opening_id, Application.id > last_id)
                .order_by(Application.id)
                .limit(batch)
            )
        )
        if not group:
            break
        screen_applications(session, group)
        session.commit()
        count += len(group)
        last_id = group[-1].id
    return count


# --------------------------------------------------------------------------- vectors


def experience_text(candidate: Candidate) -> str:
    """What a person has done, as one text for the embedder (titles, companies, work, skills)."""
    profile = candidate.profile or {}
    parts: list[str] = []
    for entry in profile.get("work", []) or []:
        if isinstance(entry, dict):
            parts.append(" ".join(str(entry.get(k) or "") for k in ("title", "company")).strip())
            if entry.get("description"):
                parts.append(str(entry["description"])[:400])
    for entry in profile.get("education", []) or []:
        if isinstance(entry, dict) and entry.get("major"):
            parts.append(str(entry["major"]))
    skills = [str(s) for s in profile.get("skills", []) or []]
    if skills:
        parts.append(", ".join(skills[:30]))
    return "\n".join(p for p in parts if p)[:2000]


def ensure_vectors(
    session: Session, candidate_ids: Sequence[int], *, limit: int = 400
) -> dict[int, Any]:
    """Embeddings of the candidates' experience, computed (batched) where missing or stale."""
    import numpy as np

    from hireflow.scoring.embedding import get_embedder

    ids = list(dict.fromkeys(candidate_ids))
    if not ids:
        return {}
    embedder = get_embedder()
    stored = {
        v.candidate_id: v
        for v in session.scalars(
            select(CandidateVector).where(CandidateVector.candidate_id.in_(ids))
        )
    }
    candidates = {c.id: c for c in session.scalars(select(Candidate).where(Candidate.id.in_(ids)))}
    out: dict[int, Any] = {}
    stale: list[tuple[Candidate, str, str]] = []
    for candidate_id in ids:
        candidate = candidates.get(candidate_id)
        if candidate is None:
            continue
        text = experience_text(candidate)
        if not text:
            continue
        digest = hashlib.sha256(text.encode()).hexdigest()
        row = stored.get(candidate_id)
        if row is not None and row.text_sha256 == digest and row.model == embedder.name:
            out[candidate_id] = np.frombuffer(row.vector, dtype=np.float32)
        elif len(stale) < limit:
            stale.append((candidate, text, digest))
    if stale:
        matrix = embedder.embed([text for _c, text, _d in stale])
        for (candidate, _text, digest), vector in zip(stale, matrix, strict=True):
            row = stored.get(candidate.id)
            if row is None:
                row = CandidateVector(candidate_id=candidate.id, tenant_id=candidate.tenant_id)
                session.add(row)
            row.model, row.text_sha256 = embedder.name[:60], digest
            row.vector, row.updated_at = np.asarray(vector, dtype=np.float32).tobytes(), utcnow()
            out[candidate.id] = np.asarray(vector, dtype=np.float32)
        session.flush()
    return out


def _enqueue_vectors(session: Session, candidate_ids: Sequence[int]) -> None:
    from hireflow.core.tasks import enqueue_on_commit

    enqueue_on_commit(session, "candidates.embed_candidates", list(candidate_ids))


# --------------------------------------------------------------------------- saved searches


def save_search(
    session: Session, principal: Principal, name: str, params: dict[str, Any]
) -> SavedSearch:
    require(principal, "candidates.search")
    name = name.strip()[:120]
    if not name:
        raise ValidationFailed(N_("Give the search a name."), fields={"name": "required"})
    count = session.scalar(
        select(func.count())
        .select_from(SavedSearch)
        .where(SavedSearch.user_id == principal.user_id)
    )
    if (count or 0) >= 100:
        raise Conflict(
            N_("You have 100 saved searches; delete some first."), fields={"name": "limit"}
        )
    row = SavedSearch(
        tenant_id=principal.tenant_id, user_id=principal.user_id, name=name, params=params
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        "saved_search.created",
        actor=principal,
        target_type="saved_search",
        target_id=row.id,
        new={"name": name},
    )
    session.commit()
    return row


def own_saved_search(session: Session, principal: Principal, search_id: int) -> SavedSearch:
    require(principal, "candidates.search")
    row = session.scalars(
        restrict(
            select(SavedSearch).where(
                SavedSearch.id == search_id, SavedSearch.user_id == principal.user_id
            ),
            principal,
            "candidates.search",
            SavedSearch,
        )
    ).first()
    if row is None:
        raise NotFound()
    return row


def delete_search(session: Session, principal: Principal, search_id: int) -> None:
    row = own_saved_search(session, principal, search_id)
    session.delete(row)
    audit.record(
        session,
        "saved_search.deleted",
        actor=principal,
        target_type="saved_search",
        target_id=search_id,
    )
    session.commit()


__all__ = [
    "Importer",
    "IntakeResult",
    "apply_profile",
    "correct_profile",
    "effective_profile",
    "ensure_vectors",
    "find_duplicate",
    "index_candidate",
    "intake_file",
    "intake_files",
    "record_rating",
    "rescreen_opening",
    "save_search",
    "screen_applications",
    "set_internal",
]


def index_missing(session: Session, tenant_id: int | None = None, batch: int = 500) -> int:
    """Build profiles' derived columns and search documents for candidates that lack them
    (rows created by other means than the intake: demo data, imports); commits."""
    from hireflow.candidates.models import CandidateSearch

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
