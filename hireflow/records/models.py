"""Tables of the HR record (SPEC G1-G7).

A person is a row of ``candidates`` (``person_id``); the record is an append-only timeline
of ``RecordEntry`` rows, hash-chained per person (chain ``person:<id>``, head in
``chain_heads``), plus encrypted ``Attachment`` files. ``PersonRecord`` caches what is
derived from the timeline (current status, counts) and holds the residency region and the
legal hold. Every model a person's data lives in is scoped like the candidate it belongs
to, so ``restrict`` gives a viewer exactly the records of the candidates they may read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.core.db import Base, JSONText, TimestampMixin, UTCDateTime, utcnow
from hireflow.core.permissions import Scope, register_scope, scope_of
from hireflow.core.pii import EncryptedText

ENTRY_TYPES = (
    "profile_change",
    "application",
    "interview_result",
    "review",
    "note",
    "status_change",
    "document",
    "consent",
    "legal_hold",
    "import",
    "erasure",
    "outcome",
    "quarantine",
)
"""Kinds of timeline entries; each has a translated label on the record page. A
``quarantine`` entry is the chain's note on an outbox row that could not be appended (and on
its resolution); only ``records.outbox`` writes them."""

STATUSES = (
    "applied",
    "screening",
    "ai_interview_invited",
    "ai_interview_done",
    "waiting_second_round",
    "interviewing",
    "offer",
    "hired",
    "employed",
    "rejected",
    "withdrawn",
    "left",
)
"""Values of the current-status field; other domains set them through ``set_status``."""

ATTACHMENT_KINDS = ("resume", "recording", "offer_letter", "certificate", "document")

CONSENT_PURPOSES = ("processing", "recording", "talent_pool", "cross_border", "ai_assessment")


class PersonRecord(TimestampMixin, Base):
    """One person's record: residency region, derived status, legal hold, erasure state."""

    __tablename__ = "records"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), unique=True)
    region: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(40), default="", index=True)
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    entry_count: Mapped[int] = mapped_column(default=0)
    last_entry_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    legal_hold: Mapped[bool] = mapped_column(default=False)
    legal_hold_reason: Mapped[str | None] = mapped_column(
        EncryptedText("records.legal_hold_reason"), nullable=True
    )
    legal_hold_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RecordEntry(Base):
    """One timeline entry. Append-only and hash-chained per person.

    ``facts`` are non-identifying values kept after an erasure for statistics (scores,
    status codes, opening ids); ``payload`` is the personal part, JSON encrypted under its
    own data key (``payload_key``, wrapped by the master key) and bound to this row, removed
    by an erasure. The chain covers ``payload_digest`` (SHA-256 of the ciphertext), so
    removing the payload leaves the chain intact, a key rotation only rewraps
    ``payload_key``, and any change to the ciphertext is detected.
    """

    __tablename__ = "record_entries"
    __table_args__ = (
        UniqueConstraint("person_id", "seq"),
        Index("ix_record_entries_tenant_type", "tenant_id", "type"),
        Index("ix_record_entries_tenant_time", "tenant_id", "occurred_at"),
        UniqueConstraint("tenant_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(60))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("openings.id"), nullable=True, index=True
    )
    attachment_id: Mapped[int | None] = mapped_column(
        ForeignKey("record_attachments.id"), nullable=True
    )
    facts: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    payload: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload_key: Mapped[str | None] = mapped_column(Text, nullable=True, info=pii.wrapped_key())
    payload_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    import_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source_checksum: Mapped[str | None] = mapped_column(String(64), nullable=True)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


# The seal of an outbox row binds its tenant and person (``records.outbox``).
OUTBOX_CONTEXT = "record_outbox.entry:{tenant_id}:{person_id}"


class PendingEntry(Base):
    """A timeline entry its request committed but did not yet append to the person's chain
    (``records.outbox``): durable from that commit, appended in id order before anything
    else is appended to or read from the chain. ``entry`` is the entry's fields sealed
    (AES-256-GCM) to the row's tenant and person, so a row written outside the application
    is never appended (``hireflow verify`` reports it).

    ``quarantined_at`` / ``quarantine_reason`` mark a row that could not be appended (a
    reason code, never data). The mark alone is not trusted: a settler skips the row only when
    the person's chain also notes it (a ``quarantine`` entry naming the row), so setting the
    mark outside the application cannot hide an entry."""

    __tablename__ = "record_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    entry: Mapped[str] = mapped_column(Text, info=pii.row_token(OUTBOX_CONTEXT))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    quarantined_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    quarantine_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)


class Attachment(Base):
    """An encrypted file of a record (resume, recording, offer letter...).

    The file lives in the storage of the record's region as AES-256-GCM ciphertext under
    its own data key; ``wrapped_key`` is that key wrapped by the master key. Erasing sets
    ``wrapped_key`` to NULL and deletes the object: copies of the ciphertext left in
    backups can no longer be decrypted (crypto-shredding).
    """

    __tablename__ = "record_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    region: Mapped[str] = mapped_column(String(10))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    wrapped_key: Mapped[str | None] = mapped_column(Text, nullable=True, info=pii.wrapped_key())
    filename: Mapped[str] = mapped_column(EncryptedText("record_attachments.filename"))
    content_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(30), default="document")
    labels: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    ciphertext_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    shredded_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class RecordTerm(Base):
    """Keyword index of encrypted entry text: keyed HMACs of words, never the words.

    Terms are 8-byte HMAC-SHA256 values under a per-tenant key derived from the master
    key, so the table shows which entries share a word, not the word.
    """

    __tablename__ = "record_terms"
    __table_args__ = (Index("ix_record_terms_lookup", "tenant_id", "term"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("record_entries.id", ondelete="CASCADE"), primary_key=True
    )
    term: Mapped[str] = mapped_column(String(16), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)


class RecordScore(Base):
    """A dimension score from an interview result, for filters ("communication >= 8").

    Derived from the entry's facts (which the chain covers); kept after an erasure
    because scores are aggregate data, not identifying on their own.
    """

    __tablename__ = "record_scores"
    __table_args__ = (Index("ix_record_scores_lookup", "tenant_id", "dimension", "score"),)

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("record_entries.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(60), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    opening_id: Mapped[int | None] = mapped_column(ForeignKey("openings.id"), nullable=True)
    score: Mapped[float] = mapped_column()
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecordPolicy(Base):
    """Per-company settings of the record (one row per tenant, created on first change)."""

    __tablename__ = "record_policies"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    require_download_code: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class RetentionRule(Base):
    """Erase records in ``status`` (optionally only in ``region``) after ``months``."""

    __tablename__ = "retention_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(10), nullable=True)
    status: Mapped[str] = mapped_column(String(40))
    months: Mapped[int] = mapped_column()
    enabled: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# A one-time code is encrypted bound to its row (``records.download_codes``).
CODE_CONTEXT = "record_download_codes.code:{id}"


class DownloadCode(Base):
    """A one-time code e-mailed to a viewer before an attachment opens (company policy).

    Only an HMAC of the code is kept for checking; ``code_token`` holds it encrypted until
    the e-mail task has sent it, then it is cleared.
    """

    __tablename__ = "record_download_codes"
    __table_args__ = (Index("ix_record_download_codes_lookup", "user_id", "attachment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    attachment_id: Mapped[int] = mapped_column(
        ForeignKey("record_attachments.id", ondelete="CASCADE")
    )
    code_hash: Mapped[str] = mapped_column(String(64))
    code_token: Mapped[str | None] = mapped_column(
        Text, nullable=True, info=pii.row_token(CODE_CONTEXT)
    )
    attempts: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ImportedRecord(Base):
    """A person imported from an old HR system, by source key (makes imports idempotent)."""

    __tablename__ = "record_imports"
    __table_args__ = (UniqueConstraint("tenant_id", "source_system", "source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    source_system: Mapped[str] = mapped_column(String(60))
    source_key: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int] = mapped_column(ForeignKey("candidates.id"), index=True)
    checksum: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(String(36))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KeyRegistryEntry(Base):
    """A master key id that protects data here, with a check value encrypted under it.

    At start-up every key id still in use must be in the configured keyring and decrypt
    its check value: a wrong master key is refused before anything is written with it.
    """

    __tablename__ = "key_registry"

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    check_token: Mapped[str] = mapped_column(Text, info=pii.own_key())
    first_used_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class IntegrityRun(Base):
    """The outcome of one verification (chains, checkpoints, files): no personal data."""

    __tablename__ = "record_integrity_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    chains: Mapped[int] = mapped_column(default=0)
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    ok: Mapped[bool] = mapped_column(default=True)
    problems: Mapped[list[dict[str, Any]]] = mapped_column(JSONText(), default=list)
    trigger: Mapped[str] = mapped_column(String(20), default="cli")


class RecordSeal(Base):
    """A keyed seal over the values of one row that decisions rest on (``records.seals``).

    ``macs`` holds one MAC per sealed field (personal fields salted with ``salt``) and a
    binding MAC over the row's identity and the set of fields, under a key derived from the
    master key ``key_id``. An erasure destroys the salt and the personal fields' MACs. No
    foreign keys: a seal must not keep a merged or deleted row alive.
    """

    __tablename__ = "record_seals"
    __table_args__ = (
        UniqueConstraint("subject", "subject_id"),
        Index("ix_record_seals_tenant_subject", "tenant_id", "subject"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column()
    person_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    subject: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    key_id: Mapped[str] = mapped_column(String(40))
    salt: Mapped[str | None] = mapped_column(String(64), nullable=True)
    macs: Mapped[dict[str, Any]] = mapped_column(JSONText(), default=dict)
    sealed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Rechain(Base):
    """One chain row re-hashed by an upgrade (``0013_record_facts`` moved free text that
    older versions kept in plaintext facts into the encrypted payload): the hash a signed
    checkpoint may still name, and the hash the row has now. ``hireflow verify`` accepts an
    older checkpoint's ``old_hash`` only once a checkpoint signed after ``created_at``
    vouches for the re-hashed chain (see ``records.integrity``)."""

    __tablename__ = "record_rechains"
    __table_args__ = (UniqueConstraint("chain_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain_id: Mapped[str] = mapped_column(String(80))
    seq: Mapped[int] = mapped_column(BigInteger)
    old_hash: Mapped[str] = mapped_column(String(64))
    new_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- permission scopes: a person's data is visible exactly like the candidate -------------


def _person_scope(person_column: Any, tenant_column: Any) -> Scope:
    candidate = scope_of(Candidate)

    def via(condition: Any) -> Any:
        return person_column.in_(select(Candidate.id).where(condition))

    return Scope(
        tenant=tenant_column,
        in_subsidiaries=lambda ids: via(candidate.in_subsidiaries(ids)),  # type: ignore[misc]
        in_departments=lambda ids: via(candidate.in_departments(ids)),  # type: ignore[misc]
        member_of=lambda user_id: via(candidate.member_of(user_id)),  # type: ignore[misc]
        is_self=lambda user_id: via(candidate.is_self(user_id)),  # type: ignore[misc]
    )


for _model in (PersonRecord, RecordEntry, Attachment):
    register_scope(_model, _person_scope(_model.person_id, _model.tenant_id))  # type: ignore[attr-defined]

# Company-wide settings and verification results: tenant-wide facts (no unit narrows them).
register_scope(RecordPolicy, Scope(tenant=RecordPolicy.tenant_id))
register_scope(RetentionRule, Scope(tenant=RetentionRule.tenant_id))
register_scope(IntegrityRun, Scope(tenant=IntegrityRun.tenant_id))

# Sealing hooks into every session's flush once the tables are known.
from hireflow.records import seals as _seals  # noqa: E402, F401
