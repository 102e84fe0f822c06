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
import io
import logging
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hireflow.candidates import documents, files, language_zone, merging
from hireflow.candidates.identity import email_key, find_birth_date
from hireflow.candidates.indexing import apply_profile, index_candidate, today
from hireflow.candidates.models import (
    Application,
    Candidate,
    CandidateResume,
)
from hireflow.candidates.parsing import parse_resume
from hireflow.candidates.person_match import Match, employee_user, match_person
from hireflow.candidates.resume_model import ResumeProfile
from hireflow.candidates.schemas import IntakeResult
from hireflow.candidates.screening import InterviewResults, screen
from hireflow.candidates.screening_rules import compile_rules
from hireflow.candidates.vectors import enqueue_vectors
from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict, NotFound
from hireflow.core.logging import log_error
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant
from hireflow.records import service as records
from hireflow.records.models import RecordEntry, RecordScore
from hireflow.records.payloads import decrypt_payload
from hireflow.records.service import SystemActor

log = logging.getLogger(__name__)

MAX_FILES_PER_BATCH = 500
BUSY_ATTEMPTS = 4


# --------------------------------------------------------------------------- callers


@dataclass(frozen=True)
class Importer:
    """A trusted process importing resumes (the command line): no user, one tenant."""

    label: str
    tenant_id: int


Caller = Principal | Importer


def _records_actor(caller: Caller) -> Principal | SystemActor:
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


def _refused(filename: str, size: int, code: str, message: dict[str, str]) -> IntakeResult:
    return IntakeResult(filename=filename, ok=False, code=code, message=dict(message), size=size)


def oversize_result(filename: str, size: int, limit: int) -> IntakeResult:
    """The refusal of a file over the upload limit (never read past the limit)."""
    error = files.UploadError(
        "file_too_large", size_mb=files.megabytes(size), limit_mb=files.megabytes(limit)
    )
    return _refused(filename, size, error.code, error.message)


# --------------------------------------------------------------------------- intake


def intake_opening(session: Session, caller: Caller, opening_id: int) -> Opening:
    """The opening resumes are uploaded to: managed by the caller, not closed."""
    if isinstance(caller, Importer):
        opening = session.get(Opening, opening_id)
        if opening is None or opening.tenant_id != caller.tenant_id:
            raise NotFound()
    else:
        require(caller, "candidates.create")
        opening = require_visible(session, Opening, opening_id, caller, "openings.manage")
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
    check = documents.check_upload(data, filename, max_bytes)
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
        log_error(
            log,
            "resume intake failed",
            exc,
            event="candidates.intake_failed",
            ref=reference,
            opening_id=opening_id,
        )
        error = files.UploadError("internal_error", ref=reference)
        return _refused(filename, check.size, error.code, error.message)


def _new_candidate(
    session: Session,
    caller: Caller,
    opening: Opening,
    profile: ResumeProfile,
    birth_date: str | None,
    locale: language_zone.LocaleGuess,
    source: str,
    match: Match,
) -> Candidate:
    tenant_id, opening_id = opening.tenant_id, opening.id
    email = email_key(profile.email)
    employee = employee_user(session, tenant_id, email)
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
        profile_parsed=profile.to_dict(),
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
    events.publish(
        session,
        "candidate.created",
        tenant_id,
        f"candidate:{candidate.id}",
        {"candidate_id": candidate.id, "opening_id": opening_id, "source": source[:40]},
    )
    if match.proposal_for is not None and match.evidence is not None:
        proposal = merging.propose(session, match.proposal_for, candidate, match.evidence)
        session.flush()
        _audit(
            session,
            caller,
            "candidate.merge_proposed",
            "candidate",
            match.proposal_for.id,
            new={"merge": proposal.id, "other": candidate.id, **match.evidence.to_dict()},
        )
    return candidate


def _application_for(
    session: Session,
    caller: Caller,
    candidate: Candidate,
    opening_id: int,
    locale: language_zone.LocaleGuess,
    source: str,
) -> tuple[Application, bool]:
    """The person's application to the opening, and whether it is new."""
    application = session.scalars(
        select(Application).where(
            Application.candidate_id == candidate.id, Application.opening_id == opening_id
        )
    ).first()
    if application is not None:
        return application, False
    application = Application(
        tenant_id=candidate.tenant_id,
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
    return application, True


@dataclass(frozen=True)
class _Upload:
    """One accepted resume file on its way into the pool."""

    filename: str
    data: bytes
    check: files.FileCheck
    digest: str
    parsed: dict[str, Any]
    source: str


def _keep_file(
    session: Session,
    caller: Caller,
    candidate: Candidate,
    opening_id: int,
    upload: _Upload,
) -> CandidateResume:
    """The original into the person's HR record, its text and parse into ``candidate_resumes``."""
    attachment = records.attach_file(
        session,
        _records_actor(caller),
        candidate.id,
        io.BytesIO(upload.data),
        upload.filename.rsplit("/", 1)[-1][:200] or "resume",
        {"pdf": "application/pdf", "txt": "text/plain"}.get(
            upload.check.kind or "",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        {"opening_id": opening_id},
        kind="resume",
        source=f"candidates:{upload.source}"[:60],
        commit=False,
    )
    resume_row = CandidateResume(
        tenant_id=candidate.tenant_id,
        candidate_id=candidate.id,
        opening_id=opening_id,
        attachment_id=attachment.id,
        filename=upload.filename[:255],
        kind=upload.check.kind or "",
        size=upload.check.size,
        sha256=upload.digest,
        text=upload.check.text or "",
        parsed=upload.parsed,
        source=upload.source[:40],
        created_by_id=caller.user_id if isinstance(caller, Principal) else None,
        created_at=utcnow(),
    )
    session.add(resume_row)
    return resume_row


def _merge_resume(
    session: Session,
    caller: Caller,
    candidate: Candidate,
    upload: _Upload,
    birth_date: str | None,
    opening_id: int,
    matched_by: str | None,
) -> None:
    """A new resume of a person already in the pool: its parse becomes theirs."""
    candidate.profile_parsed = upload.parsed
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


def _on_record(
    session: Session,
    actor: Principal | SystemActor,
    candidate: Candidate,
    opening_id: int,
    source: str,
    entry_type: str,
    data: dict[str, Any],
    facts: dict[str, Any],
) -> None:
    """An entry of the person's record timeline, committed with the intake."""
    records.append_entry(
        session,
        actor,
        candidate.id,
        entry_type,
        data=data,
        source=f"candidates:{source}"[:60],
        facts=facts,
        opening_id=opening_id,
        commit=False,
    )


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
    opening = session.get(Opening, opening_id)
    assert opening is not None
    tenant_id = opening.tenant_id
    text = check.text or ""
    upload = _Upload(
        filename, data, check, hashlib.sha256(data).hexdigest(), profile.to_dict(), source
    )
    birth_date = find_birth_date(text, today=today())
    match = match_person(session, tenant_id, upload.digest, profile, birth_date)
    candidate, matched_by, same_file = match.candidate, match.matched_by, match.same_file
    profile_before = dict(candidate.profile_parsed or {}) if candidate is not None else {}
    birth_date_before = candidate.birth_date if candidate is not None else None
    merged = candidate is not None
    tenant = session.get(Tenant, tenant_id)
    locale = language_zone.guess(
        text=text,
        location=profile.location or "",
        phone=profile.phone or "",
        opening_language=opening.language,
        default_zone=tenant.default_timezone if tenant else "Asia/Shanghai",
    )
    if candidate is None:
        candidate = _new_candidate(
            session, caller, opening, profile, birth_date, locale, source, match
        )
    elif same_file is None:
        _merge_resume(session, caller, candidate, upload, birth_date, opening_id, matched_by)
    application, new_application = _application_for(
        session, caller, candidate, opening_id, locale, source
    )
    actor = _records_actor(caller)
    if same_file is None:
        resume_row = _keep_file(session, caller, candidate, opening_id, upload)
        if merged and match.evidence is not None:
            session.flush()
            merging.record_automatic(
                session,
                candidate,
                match.evidence,
                resume_id=resume_row.id,
                application_id=application.id if new_application else None,
                profile_before=profile_before,
                birth_date_before=birth_date_before,
            )
        entry = {"source": "resume", "fields": _profile_summary(candidate.profile)}
        facts = {"merged": merged, "matched_by": matched_by or ""}
        _on_record(session, actor, candidate, opening_id, source, "profile_change", entry, facts)
    if new_application:
        entry = {"opening": opening.title}
        facts = {"opening_id": opening_id, "application_id": application.id}
        _on_record(session, actor, candidate, opening_id, source, "application", entry, facts)
    index_candidate(session, candidate, text if same_file is None else None)
    screen_applications(session, [application])
    enqueue_vectors(session, [candidate.id])
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


# --------------------------------------------------------------------------- screening


def _rules_of(opening: Opening) -> list[Any]:
    return compile_rules(list(opening.screening_rules or [])) if opening.screening_rules else []


def interview_results(
    session: Session, candidate_ids: Sequence[int], opening_id: int, with_answers: bool
) -> dict[int, Any]:
    """Interview results per candidate from the HR record: the newest score per dimension
    (scores for this opening preferred), and the report texts ``mentions()`` counts in."""
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
            application.screening_status = verdict.status.value
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


# --------------------------------------------------------------------------- saved searches
