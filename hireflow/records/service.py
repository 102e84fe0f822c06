"""The record's service API: how every domain writes into a person's HR record (SPEC G1-G7).

Each function checks the caller, writes, adds an audit row in the same transaction and
commits (pass ``commit=False`` to make the write part of your own transaction; you then
commit). The caller (``actor``) is a signed-in :class:`~hireflow.core.permissions.Principal`,
whose role and scope are checked, or a :class:`SystemActor` for background work (a Celery
task, the importer), which is trusted but may be confined to one tenant::

    from hireflow.records import service as records
    from hireflow.records.service import SystemActor

    scorer = SystemActor("interview-scoring", tenant_id=interview.tenant_id)
    records.record_interview_report(
        session, scorer, candidate.id,
        opening_id=opening.id, interview_id=interview.id,
        scores={"communication": 8.2, "problem_solving": 7.5}, match_percent=80,
        summary="...", strengths=[...], gaps=[...],
        recordings=[RecordingIn(stream, "answer-1.webm", "video/webm", captured_at)],
    )

Writes:

- :func:`append_entry` adds a timeline entry: ``data`` (personal, encrypted, erasable)
  and ``facts`` (non-identifying numbers and codes, kept for statistics).
- :func:`attach_file` stores a file encrypted in the person's region and adds a
  ``document`` entry pointing at it; labels say which opening, interview and time.
- :func:`set_status` appends a ``status_change``; the record's current status follows.
- :func:`record_interview_report`, :func:`record_consent`: the two common compositions.
- :func:`set_legal_hold`, :func:`erase_person`, :func:`update_policy`, retention rules.

Reads that show personal data are audited: :func:`open_attachment` (optionally behind a
one-time code e-mailed to the viewer, per company policy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import audit, pii
from hireflow.core.crypto import CryptoError, WrappedKey
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, Conflict, NotFound, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.storage import EncryptedStorage, ResidencyError
from hireflow.org.models import User
from hireflow.records import erasing, files, outbox
from hireflow.records.download_codes import consume_code, visible_attachment
from hireflow.records.erasing import ErasureReport
from hireflow.records.errors import (
    LegalHold,
    RecordErased,
    RegionUnavailable,
    RegionUnreachable,
    ResidencyRefused,
    region_unavailable,
    region_unreachable,
)
from hireflow.records.hooks import run_erasure_hooks
from hireflow.records.keys import register_current_key
from hireflow.records.models import (
    ATTACHMENT_KINDS,
    CONSENT_PURPOSES,
    STATUSES,
    Attachment,
    PersonRecord,
    RecordEntry,
)
from hireflow.records.payloads import EntryError
from hireflow.records.policy import get_policy
from hireflow.records.seals import forget_person
from hireflow.records.storage import regional_storage
from hireflow.records.timeline import (
    Actor,
    NewEntry,
    SystemActor,
    append_entries,
    check_entry,
    ensure_record,
    find_record,
    visible_to,
)

__all__ = [
    "Actor",
    "OpenedAttachment",
    "RecordingIn",
    "RegionUnavailable",
    "RegionUnreachable",
    "ResidencyRefused",
    "SystemActor",
    "append_entry",
    "attach_file",
    "erase_person",
    "open_attachment",
    "record_consent",
    "record_consents",
    "record_interview_report",
    "set_legal_hold",
    "set_status",
]


# --------------------------------------------------------------------------- helpers


def _person(session: Session, actor: Actor, person_id: int, capability: str) -> Candidate:
    """The person the actor may act on, or NotFound (also for another tenant's people)."""
    return visible_to(session, actor, Candidate, person_id, capability)


def _actor_fields(actor: Actor) -> tuple[int | None, str]:
    """(actor id, label) for an entry: users by id (names are shown from the users table,
    so they never sit in hashed content), processes by their system label."""
    if isinstance(actor, SystemActor):
        return None, actor.label
    return actor.user_id, ""


def _audit(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: Any,
    tenant_id: int,
    new: dict[str, Any] | None = None,
) -> None:
    principal = actor if isinstance(actor, Principal) else None
    label = actor.label if isinstance(actor, SystemActor) else ""
    audit.record(
        session,
        action,
        actor=principal,
        target_type=target_type,
        target_id=target_id,
        tenant_id=tenant_id,
        new=new,
        actor_label=label,
    )


def _writable(record: PersonRecord) -> None:
    if record.erased_at is not None:
        raise RecordErased()


def _entry_error(exc: EntryError) -> ValidationFailed:
    return ValidationFailed(
        N_("The entry cannot be stored: %(problem)s"), params={"problem": str(exc)}
    )


def _append(session: Session, record: PersonRecord, items: Sequence[NewEntry]) -> list[RecordEntry]:
    ring = pii.keyring()
    register_current_key(session, ring)
    try:
        return append_entries(session, record, items, ring=ring)
    except EntryError as exc:
        raise _entry_error(exc) from exc


def _append_one(session: Session, actor: Actor, record: PersonRecord, **fields: Any) -> RecordEntry:
    """Append one entry written by ``actor`` (``fields`` of ``NewEntry``)."""
    actor_id, label = _actor_fields(actor)
    (entry,) = _append(session, record, [NewEntry(actor_id=actor_id, actor_label=label, **fields)])
    return entry


# --------------------------------------------------------------------------- entries


def append_entry(
    session: Session,
    actor: Actor,
    person_id: int,
    type: str,
    data: dict[str, Any] | None = None,
    source: str = "hireflow",
    *,
    facts: dict[str, Any] | None = None,
    occurred_at: datetime | None = None,
    opening_id: int | None = None,
    commit: bool = True,
) -> RecordEntry:
    """Add one entry to a person's timeline.

    ``type`` is one of ``ENTRY_TYPES`` (reviews and notes need ``records.review``, other
    types ``records.write``); ``data`` is the personal part (encrypted, erased on request);
    ``facts`` are non-identifying values (numbers, codes, ids) that statistics keep.
    """
    capability = "records.review" if type in ("review", "note") else "records.write"
    if type in ("status_change", "consent", "legal_hold", "erasure", "quarantine"):
        raise ValidationFailed(
            N_("Use the dedicated function for this kind of entry."), fields={"type": "reserved"}
        )
    candidate = _person(session, actor, person_id, capability)
    record = ensure_record(session, candidate)
    _writable(record)
    entry = _append_one(
        session,
        actor,
        record,
        type=type,
        source=source,
        data=data,
        facts=facts or {},
        occurred_at=occurred_at,
        opening_id=opening_id,
    )
    _audit(
        session,
        actor,
        "record.entry_added",
        "record",
        person_id,
        record.tenant_id,
        {"entry": entry.id, "type": type, "seq": entry.seq},
    )
    if commit:
        session.commit()
    return entry


def set_status(
    session: Session,
    actor: Actor,
    person_id: int,
    status: str,
    *,
    source: str = "hireflow",
    reason: str | None = None,
    occurred_at: datetime | None = None,
    opening_id: int | None = None,
    commit: bool = True,
) -> RecordEntry:
    """Change the person's current status (one of ``STATUSES``) through a timeline entry."""
    if status not in STATUSES:
        raise ValidationFailed(N_("Unknown status."), fields={"status": "unknown"})
    candidate = _person(session, actor, person_id, "records.write")
    record = ensure_record(session, candidate)
    _writable(record)
    previous = record.status
    entry = _append_one(
        session,
        actor,
        record,
        type="status_change",
        source=source,
        data={"reason": reason} if reason else None,
        facts={"status": status, "previous": previous or None},
        occurred_at=occurred_at,
        opening_id=opening_id,
    )
    _audit(
        session,
        actor,
        "record.status_changed",
        "record",
        person_id,
        record.tenant_id,
        {"status": status, "previous": previous, "entry": entry.id},
    )
    if commit:
        session.commit()
    return entry


def attach_file(
    session: Session,
    actor: Actor,
    person_id: int,
    stream: BinaryIO,
    filename: str,
    content_type: str,
    labels: dict[str, Any] | None = None,
    *,
    kind: str = "document",
    region: str | None = None,
    source: str = "hireflow",
    commit: bool = True,
) -> Attachment:
    """Store a file encrypted in the person's region and add it to the timeline.

    ``labels`` are non-identifying (``opening_id``, ``interview_id``, ``captured_at``,
    ``question``...). ``region``, when given, must be the record's region: a request to
    store the file anywhere else is refused (``ResidencyRefused``) and audited.
    """
    if kind not in ATTACHMENT_KINDS:
        raise ValidationFailed(N_("Unknown kind of file."), fields={"kind": "unknown"})
    name = (filename or "").strip().replace("/", "_").replace("\\", "_")[:255] or "file"
    clean = files.clean_labels(labels)
    candidate = _person(session, actor, person_id, "records.write")
    record = ensure_record(session, candidate)
    _writable(record)
    target = (region or record.region).lower()
    if target != record.region:
        _audit(
            session,
            actor,
            "attachment.residency_refused",
            "record",
            person_id,
            record.tenant_id,
            {"region": record.region, "target": target},
        )
        session.commit()
        raise ResidencyRefused(params={"region": record.region, "target": target})
    try:
        regional = regional_storage().for_record(record.region)
    except ResidencyError as exc:
        raise region_unavailable(record.region) from exc
    stored = files.store_encrypted(regional, record, stream)
    try:
        attachment = _add_attachment(
            session, actor, record, stored, name, content_type, kind, clean, source
        )
        if commit:
            session.commit()
    except BaseException:
        # No row points at the ciphertext: remove it (it is unreadable without the key).
        regional_storage().delete(record.region, stored.key)
        raise
    return attachment


def _add_attachment(
    session: Session,
    actor: Actor,
    record: PersonRecord,
    stored: files.StoredFile,
    name: str,
    content_type: str,
    kind: str,
    labels: dict[str, Any],
    source: str,
) -> Attachment:
    """The stored file's row, its ``document`` entry and the audit row."""
    opening_id = labels.get("opening_id") if isinstance(labels.get("opening_id"), int) else None
    attachment = Attachment(
        tenant_id=record.tenant_id,
        person_id=record.person_id,
        region=record.region,
        storage_key=stored.key,
        wrapped_key=stored.wrapped_key,
        filename=name,
        content_type=(content_type or "application/octet-stream")[:120],
        kind=kind,
        labels=labels,
        opening_id=opening_id,
        size=stored.size,
        ciphertext_sha256=stored.ciphertext_sha256,
        created_by_id=actor.user_id if isinstance(actor, Principal) else None,
        created_at=utcnow(),
    )
    session.add(attachment)
    session.flush()
    _append_one(
        session,
        actor,
        record,
        type="document",
        source=source,
        data={"filename": name},
        facts={
            "kind": kind,
            "size": stored.size,
            "content_type": attachment.content_type,
            "labels": labels,
            "ciphertext_sha256": attachment.ciphertext_sha256,
        },
        occurred_at=files.clean_time(labels.get("captured_at")),
        opening_id=opening_id,
        attachment_id=attachment.id,
    )
    _audit(
        session,
        actor,
        "attachment.added",
        "attachment",
        attachment.id,
        record.tenant_id,
        {"person": record.person_id, "kind": kind, "size": stored.size, "region": record.region},
    )
    return attachment


@dataclass
class RecordingIn:
    """A recording to store with an interview report."""

    stream: BinaryIO
    filename: str
    content_type: str
    captured_at: datetime | None = None
    question: str | None = None


def record_interview_report(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    opening_id: int | None,
    interview_id: int | None,
    scores: dict[str, float | int],
    match_percent: float | int | None = None,
    summary: str = "",
    strengths: Sequence[str] = (),
    gaps: Sequence[str] = (),
    evidence: Sequence[dict[str, Any]] = (),
    follow_ups: Sequence[str] = (),
    localised: Mapping[str, Any] | None = None,
    recordings: Sequence[RecordingIn] = (),
    status: str | None = "ai_interview_done",
    source: str = "ai_interview",
    scale: int = 10,
    ai_scores: dict[str, float | int] | None = None,
    ai_match_percent: float | int | None = None,
    supersedes: int | None = None,
    reason: str = "",
    commit: bool = True,
) -> RecordEntry:
    """An AI interview report lands in the record (SPEC G1) in one transaction: ``scores``
    (dimension codes to numbers) as facts for statistics; the summary, strengths, gaps, quoted
    evidence and follow-up questions as personal data (encrypted), with ``localised`` that
    prose in each language the report has, for readers of another; recordings; the status.

    An override by HR restates an earlier result as a new entry, never an edit:
    ``supersedes`` is that entry's id, ``scores`` / ``match_percent`` the final values,
    ``ai_scores`` / ``ai_match_percent`` the AI's beside them and ``reason`` HR's words. The
    superseded entry stays in the chain; searches and rankings read the new one.
    """
    candidate = _person(session, actor, person_id, "records.write")
    record = ensure_record(session, candidate)
    _writable(record)
    if supersedes is not None:
        _check_restated(session, person_id, interview_id, supersedes)
    for recording in recordings:
        _attach_recording(session, actor, person_id, recording, opening_id, interview_id, source)
    facts = _result_facts(
        scores, scale, interview_id, match_percent, ai_scores, ai_match_percent, supersedes
    )
    data: dict[str, Any] = {
        "summary": summary,
        "strengths": list(strengths),
        "gaps": list(gaps),
        "evidence": list(evidence),
        "follow_ups": list(follow_ups),
        **({"localised": dict(localised)} if localised else {}),
        **({"reason": reason} if reason else {}),
    }
    entry = _append_one(
        session,
        actor,
        record,
        type="interview_result",
        source=source,
        data=data,
        facts=facts,
        opening_id=opening_id,
    )
    info = {"entry": entry.id, "interview": interview_id, "recordings": len(recordings)}
    if supersedes is not None:
        info["supersedes"] = supersedes
    _audit(session, actor, "record.interview_result", "record", person_id, record.tenant_id, info)
    if status:
        set_status(
            session, actor, person_id, status, source=source, opening_id=opening_id, commit=False
        )
    if commit:
        session.commit()
    return entry


def _check_restated(
    session: Session, person_id: int, interview_id: int | None, supersedes: int
) -> None:
    """An override restates an interview result of the same person and interview."""
    earlier = session.get(RecordEntry, supersedes)
    if (
        earlier is None
        or earlier.person_id != person_id
        or earlier.type != "interview_result"
        or (interview_id is not None and earlier.facts.get("interview_id") != interview_id)
    ):
        raise ValidationFailed(
            N_("Only an interview result of the same interview can be restated."),
            fields={"supersedes": "invalid"},
        )


def _result_facts(
    scores: dict[str, float | int],
    scale: int,
    interview_id: int | None,
    match_percent: float | int | None,
    ai_scores: dict[str, float | int] | None,
    ai_match_percent: float | int | None,
    supersedes: int | None,
) -> dict[str, Any]:
    """An interview result's facts; an override keeps the AI's values and which it changed."""
    facts: dict[str, Any] = {
        "scores": dict(scores),
        "scale": scale,
        "interview_id": interview_id,
    }
    if match_percent is not None:
        facts["match_percent"] = match_percent
    if ai_scores is not None:
        facts["ai_scores"] = dict(ai_scores)
        facts["adjusted"] = sorted(d for d in scores if ai_scores.get(d, scores[d]) != scores[d])
    if ai_match_percent is not None:
        facts["ai_match_percent"] = ai_match_percent
    if supersedes is not None:
        facts["supersedes"] = supersedes
    return facts


def _attach_recording(
    session: Session,
    actor: Actor,
    person_id: int,
    recording: RecordingIn,
    opening_id: int | None,
    interview_id: int | None,
    source: str,
) -> None:
    labels: dict[str, Any] = {"opening_id": opening_id, "interview_id": interview_id}
    if recording.captured_at is not None:
        labels["captured_at"] = recording.captured_at
    if recording.question:
        labels["question"] = recording.question[:200]
    attach_file(
        session,
        actor,
        person_id,
        recording.stream,
        recording.filename,
        recording.content_type,
        {k: v for k, v in labels.items() if v is not None},
        kind="recording",
        source=source,
        commit=False,
    )


def record_consent(
    session: Session,
    actor: Actor,
    person_id: int,
    purpose: str,
    notice_version: str,
    granted: bool,
    *,
    method: str = "web",
    source: str = "hireflow",
    commit: bool = True,
) -> RecordEntry:
    """Record that the person gave (or withdrew) consent for ``purpose`` under a notice
    version (PIPL Art. 14, GDPR Art. 7: what, when, which notice)."""
    args = (session, actor, person_id, (purpose,), notice_version, granted)
    return record_consents(*args, method=method, source=source, commit=commit)[0]


def record_consents(
    session: Session,
    actor: Actor,
    person_id: int,
    purposes: Sequence[str],
    notice_version: str,
    granted: bool,
    *,
    method: str = "web",
    source: str = "hireflow",
    commit: bool = True,
    defer: bool = False,
) -> list[RecordEntry]:
    """:func:`record_consent` for several purposes given at once (one notice, one click).

    The entries are appended together, one after the other in the person's chain: each still
    hashes the one before it, exactly as separate appends would, so the chain proves the same.
    ``defer``: written to the outbox in this transaction and appended after it (``outbox``;
    returns no entries), so the request neither locks the chain head nor hashes."""
    if not purposes or any(purpose not in CONSENT_PURPOSES for purpose in purposes):
        raise ValidationFailed(N_("Unknown consent purpose."), fields={"purpose": "unknown"})
    version = (notice_version or "").strip()
    if not version or len(version) > 40:
        raise ValidationFailed(
            N_("Give the version of the privacy notice (at most 40 characters)."),
            fields={"notice_version": "required"},
        )
    if method not in ("web", "paper", "email", "import", "api"):
        raise ValidationFailed(N_("Unknown consent method."), fields={"method": "unknown"})
    candidate = _person(session, actor, person_id, "records.consent")
    record = find_record(session, person_id) if defer else ensure_record(session, candidate)
    if record is not None:
        _writable(record)
    actor_id, label = _actor_fields(actor)
    if isinstance(actor, Principal) and candidate.user_id == actor.user_id:
        label = "subject"  # the person themselves; their name never enters hashed content
    facts = {"notice_version": version, "granted": bool(granted), "method": method}
    entry: dict[str, Any] = {"type": "consent", "source": source, "actor_id": actor_id}
    entry["actor_label"] = label
    items = [entry | {"facts": {"purpose": purpose, **facts}} for purpose in purposes]
    try:
        check_entry(NewEntry(**items[0]))  # refused now, deferred or not
    except EntryError as exc:
        raise _entry_error(exc) from exc
    entries: list[RecordEntry] = []
    if record is None or defer:
        at = {"occurred_at": utcnow()}
        outbox.defer(session, candidate.tenant_id, person_id, [item | at for item in items])
    else:
        entries = _append(session, record, [NewEntry(**item) for item in items])
    for purpose in purposes:
        new = {"purpose": purpose, "granted": bool(granted), "notice_version": version}
        _audit(session, actor, "record.consent", "record", person_id, candidate.tenant_id, new)
    if commit:
        session.commit()
    return entries


def set_legal_hold(
    session: Session, actor: Actor, person_id: int, reason: str | None
) -> PersonRecord:
    """Place (``reason`` given) or lift (``None``) a legal hold: a held record is not
    erased, neither on request nor by retention rules."""
    candidate = _person(session, actor, person_id, "records.manage")
    record = ensure_record(session, candidate)
    _writable(record)
    text = (reason or "").strip()
    if reason is not None and not text:
        raise ValidationFailed(N_("Give the reason for the hold."), fields={"reason": "required"})
    if len(text) > 500:
        raise ValidationFailed(N_("The reason is too long."), fields={"reason": "too_long"})
    hold = reason is not None
    _append_one(
        session,
        actor,
        record,
        type="legal_hold",
        source="hireflow",
        data={"reason": text} if hold else None,
        facts={"hold": hold},
    )
    record.legal_hold = hold
    record.legal_hold_reason = text if hold else None
    record.legal_hold_at = utcnow() if hold else None
    _audit(
        session,
        actor,
        "record.legal_hold" if hold else "record.legal_hold_lifted",
        "record",
        person_id,
        record.tenant_id,
        {"hold": hold},
    )
    session.commit()
    return record


# --------------------------------------------------------------------------- files


@dataclass
class OpenedAttachment:
    """An attachment opened for reading: stream the plaintext, then close it."""

    attachment: Attachment
    stream: BinaryIO
    filename: str


def open_attachment(
    session: Session, actor: Actor, attachment_id: int, *, code: str | None = None
) -> OpenedAttachment:
    """Open a file for reading: role and scope checked, one-time code if the company
    requires it, and the view audited (who, what, when) before a byte is served."""
    attachment = visible_attachment(session, actor, attachment_id, "records.files")
    if attachment.wrapped_key is None:
        raise NotFound(N_("This file was erased."))
    policy = get_policy(session, attachment.tenant_id)
    with_code = bool(policy.require_download_code and isinstance(actor, Principal))
    if with_code:
        consume_code(session, actor, attachment, code)  # type: ignore[arg-type]
    try:
        regional = regional_storage().for_record(attachment.region)
    except ResidencyError as exc:
        raise region_unreachable(attachment.region) from exc
    storage = EncryptedStorage(regional, pii.keyring())
    try:
        stream = storage.open_read(
            attachment.storage_key,
            WrappedKey.from_token(attachment.wrapped_key),
            file_id=attachment.storage_key,
        )
    except CryptoError as exc:
        raise AppError(N_("This file cannot be decrypted: it was damaged.")) from exc
    _audit(
        session,
        actor,
        "attachment.viewed",
        "attachment",
        attachment.id,
        attachment.tenant_id,
        {"person": attachment.person_id, "kind": attachment.kind, "with_code": with_code},
    )
    session.commit()
    return OpenedAttachment(attachment, stream, attachment.filename)


# --------------------------------------------------------------------------- erasure


def erase_person(
    session: Session,
    actor: Actor,
    person_id: int,
    *,
    reason: str = "subject_request",
    request_ref: str = "",
    ledger: bool = True,
) -> ErasureReport:
    """Erase a person on request or by retention (PIPL Art. 47, GDPR Art. 17).

    Refused under legal hold (``LegalHold`` names the reason). Otherwise: attachments are
    crypto-shredded (wrapped data key destroyed, object deleted after commit), entry
    payloads and search terms deleted, the candidate row and its user account anonymised,
    audit rows about the person redacted. Facts (scores, statuses, dates), applications
    and the hash chains survive, so statistics and verification still work. The erasure is
    appended to the erasure ledger (``records.ledger``; ``ledger=False`` only when
    replaying it), which restores replay.
    """

    if reason not in erasing.ERASURE_REASONS:
        raise ValidationFailed(N_("Unknown erasure reason."), fields={"reason": "unknown"})
    if len(request_ref) > 60:
        raise ValidationFailed(N_("The request reference is too long."), fields={"ref": "long"})
    candidate = _person(session, actor, person_id, "records.manage")
    record = ensure_record(session, candidate)
    if record.legal_hold:
        raise LegalHold(params={"reason": record.legal_hold_reason or ""})
    if record.erased_at is not None:
        raise Conflict(N_("This record was erased already."))
    now = utcnow()
    user = session.get(User, candidate.user_id) if candidate.user_id else None
    known = erasing.known_values(session, candidate, user)
    attachments = erasing.shred_attachments(session, person_id, now)
    report = ErasureReport(
        person_id=person_id,
        attachments_shredded=len(attachments),
        entries_erased=erasing.erase_payloads(session, person_id, now),
        user_anonymised=erasing.anonymise(session, candidate, user),
    )
    redacted = erasing.redact_audit_rows(session, candidate, user, attachments, known)
    report.audit_rows_redacted = len(redacted)
    report.hooks = run_erasure_hooks(session, candidate, known)
    # The blanked values were sealed: the seals forget them (salt and personal MACs); the
    # erasure entry appended below is what lets verify accept their absence.
    forget_person(session, person_id, now)
    _append_one(
        session,
        actor,
        record,
        type="erasure",
        source="hireflow",
        facts={
            "reason": reason,
            "request_ref": request_ref or None,
            "attachments": report.attachments_shredded,
            "entries": report.entries_erased,
        },
    )
    record.erased_at = now
    record.legal_hold_reason = None
    _audit(
        session,
        actor,
        "record.erased",
        "record",
        person_id,
        record.tenant_id,
        {
            "reason": reason,
            "attachments": report.attachments_shredded,
            "entries": report.entries_erased,
            "redacted_audit_ids": redacted,
        },
    )
    erasing.delete_objects_after_commit(session, attachments)
    if ledger:
        erasing.append_to_ledger(session, record, candidate, now, reason)
    session.commit()
    return report
