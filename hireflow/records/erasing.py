"""What erasing a person does to the stored data (PIPL Art. 47, GDPR Art. 17).

Each step removes one kind of personal data inside the caller's transaction; the checks, the
erasure entry, the audit row and the commit are :func:`hireflow.records.service.erase_person`'s.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate, CandidateResume
from hireflow.core import audit
from hireflow.core.db import on_commit
from hireflow.org.models import AccessToken, Tenant, User
from hireflow.records.ledger import LedgerEntry, append_erasure, stamp
from hireflow.records.models import Attachment, DownloadCode, PersonRecord, RecordEntry, RecordTerm
from hireflow.records.storage import regional_storage

ERASURE_REASONS = ("subject_request", "consent_withdrawn", "retention", "other")


@dataclass
class ErasureReport:
    """What an erasure removed (counts and ids only)."""

    person_id: int
    attachments_shredded: int = 0
    entries_erased: int = 0
    audit_rows_redacted: int = 0
    user_anonymised: bool = False
    hooks: list[str] = field(default_factory=list)


def known_values(session: Session, candidate: Candidate, user: User | None) -> list[str]:
    """Every value that identifies the person: the row's, and the contacts each resume gave
    (a second address or number on an older resume names them as much)."""

    values = [
        candidate.name,
        candidate.email,
        candidate.phone,
        candidate.id_number,
        candidate.birth_date,
        candidate.location,
    ]
    documents = [candidate.profile or {}, candidate.profile_parsed or {}]
    documents += [
        parsed or {}
        for parsed in session.scalars(
            select(CandidateResume.parsed).where(CandidateResume.candidate_id == candidate.id)
        )
    ]
    for document in documents:
        if isinstance(document, dict):
            values += [document.get(key) for key in ("name", "email", "phone", "id_number")]
    if candidate.phone and candidate.phone.startswith("+86"):
        values.append(candidate.phone[3:])  # the national number as people write it
    if user is not None:
        values += [user.email, user.name]
    # Chinese names are two or three characters: they count; other values need four.
    names = {candidate.name, user.name if user is not None else None}
    kept = [
        v.strip()
        for v in values
        if isinstance(v, str) and len(v.strip()) >= (2 if v in names else 4)
    ]
    return list(dict.fromkeys(v for v in kept if not v.startswith("#")))


def shred_attachments(session: Session, person_id: int, now: datetime) -> list[Attachment]:
    """Destroy the wrapped data key of every file still readable (crypto-shredding) and the
    one-time codes that would open them; the objects go after the commit."""
    attachments = list(
        session.scalars(
            select(Attachment).where(
                Attachment.person_id == person_id, Attachment.shredded_at.is_(None)
            )
        )
    )
    for attachment in attachments:
        attachment.wrapped_key = None
        attachment.filename = ""
        attachment.shredded_at = now
    if attachments:
        session.execute(
            delete(DownloadCode).where(DownloadCode.attachment_id.in_([a.id for a in attachments]))
        )
    return attachments


def delete_objects_after_commit(session: Session, attachments: list[Attachment]) -> None:
    keys = [(attachment.region, attachment.storage_key) for attachment in attachments]
    storage = regional_storage()

    def _delete_objects() -> None:
        for region, key in keys:
            try:
                storage.delete(region, key)
            except Exception:  # noqa: S112 - the key is destroyed; a stray object is unreadable
                continue

    on_commit(session, _delete_objects)


def erase_payloads(session: Session, person_id: int, now: datetime) -> int:
    """Delete the entries' personal payloads and search terms; returns how many entries had
    one. The entries, their facts and the hash chain stay."""
    erased = 0
    entries = list(session.scalars(select(RecordEntry).where(RecordEntry.person_id == person_id)))
    for entry in entries:
        if entry.payload is not None:
            erased += 1
        entry.payload = None
        entry.payload_key = None
        entry.erased_at = now
    session.execute(delete(RecordTerm).where(RecordTerm.person_id == person_id))
    return erased


def anonymise(session: Session, candidate: Candidate, user: User | None) -> bool:
    """Blank the candidate row and disable the person's account; True when there was one."""
    candidate.name = f"#{candidate.id}"
    candidate.email = ""
    candidate.phone = ""
    candidate.id_number = None
    candidate.birth_date = None
    candidate.location = ""
    candidate.profile = {}
    if user is None:
        return False
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = f"#{user.id}"
    user.password_hash = "!erased"  # noqa: S105 - no password verifies against it
    user.is_active = False
    session.execute(delete(AccessToken).where(AccessToken.user_id == user.id))
    return True


def _mentions(values: dict[str, Any] | None, known: list[str]) -> bool:
    if not values:
        return False
    text = repr(values)
    return any(value in text for value in known)


def redact_audit_rows(
    session: Session,
    candidate: Candidate,
    user: User | None,
    shredded: list[Attachment],
    known: list[str],
) -> list[int]:
    """Redact the company's audit rows about the person or mentioning one of ``known``;
    returns their ids."""
    person_id = candidate.id
    attachment_ids = {str(a.id) for a in shredded} | {
        str(a_id)
        for a_id in session.scalars(select(Attachment.id).where(Attachment.person_id == person_id))
    }
    redacted: list[int] = []
    rows = session.scalars(
        select(audit.AuditEntry).where(
            audit.AuditEntry.tenant_id == candidate.tenant_id,
            audit.AuditEntry.redacted_at.is_(None),
        )
    )
    for row in rows:
        about_person = (
            (row.target_type in ("candidate", "record") and row.target_id == str(person_id))
            or (row.target_type == "attachment" and row.target_id in attachment_ids)
            or (user is not None and row.target_type == "user" and row.target_id == str(user.id))
            or (user is not None and row.actor_id == user.id)
        )
        mentions = _mentions(row.old_values, known) or _mentions(row.new_values, known)
        personal = row.old_values or row.new_values or row.ip or row.actor_label
        if (about_person or mentions) and personal:
            audit.redact(row)
            redacted.append(row.id)
    return redacted


def append_to_ledger(
    session: Session, record: PersonRecord, candidate: Candidate, now: datetime, reason: str
) -> None:
    """Durable before the commit: a backup restored later must not bring the person back
    (``records.erasures`` replays the ledger). A ledger that cannot be written refuses the
    erasure rather than leave it unrecorded."""
    tenant = session.get(Tenant, record.tenant_id)
    append_erasure(
        LedgerEntry(
            tenant_id=record.tenant_id,
            tenant=tenant.slug if tenant is not None else "",
            person_id=record.person_id,
            created_at=stamp(candidate.created_at),
            erased_at=stamp(now),
            reason=reason,
        )
    )
