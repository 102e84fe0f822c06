"""The mechanics of a person's timeline: chaining, encrypting, indexing, deriving state.

``service.py`` decides who may do what; this module only knows how an entry is stored (what
an entry holds and how its payload is encrypted: ``payloads.py``; its search words:
``terms.py``):

- the entry's position in the person's chain (``person:<id>``) is reserved through the
  chain-head row, locked until commit (``hireflow.core.audit.advance_chain``);
- the personal part (``data``) becomes canonical JSON encrypted with AES-256-GCM under its
  own data key (wrapped by the master key, like a file), with a context naming tenant,
  person and seq, so a payload copied to another row fails; a key rotation rewraps the
  data key and never touches the ciphertext the chain vouches for;
- what the hash covers (``entry_content``) includes the payload's SHA-256, never the
  payload itself, so an erasure can drop the payload and the chain still verifies;
- words of the payload are indexed as keyed HMACs (``RecordTerm``), dimension scores as
  numbers (``RecordScore``: only those in effect, an interview result restated by a later
  entry with ``supersedes`` leaves it), and the record's cached state is updated.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import pii
from hireflow.core.audit import append_chained
from hireflow.core.crypto import Keyring
from hireflow.core.db import insert_or_find, utcnow
from hireflow.core.errors import NotFound
from hireflow.core.permissions import Principal, require_visible
from hireflow.core.rows import value_map
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant, User
from hireflow.records import outbox
from hireflow.records.chain import canonical_json
from hireflow.records.models import (
    ENTRY_TYPES,
    PersonRecord,
    RecordEntry,
    RecordScore,
    RecordTerm,
)
from hireflow.records.payloads import (
    MAX_PAYLOAD_BYTES,
    EntryError,
    as_number,
    encrypt_payload,
    entry_content,
    payload_context,
    payload_digest,
    plain_data,
    plain_facts,
)
from hireflow.records.terms import entry_terms

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SystemActor:
    """A process acting on its own authority: a Celery task, the importer, retention.

    ``tenant_id`` (optional) confines it to one tenant. Entries it writes carry the label
    ``system:<name>``; audit rows name it the same way.
    """

    name: str
    tenant_id: int | None = None

    @property
    def label(self) -> str:
        return f"system:{self.name}"


Actor = Principal | SystemActor
ModelT = TypeVar("ModelT")


def visible_to(
    session: Session, actor: Actor, model: type[ModelT], object_id: int, capability: str
) -> ModelT:
    """The object if ``actor`` may use it for ``capability``, else ``NotFound`` (also for
    another tenant's objects): a user through their role and scope, a system actor (trusted)
    within its tenant when it is confined to one."""
    if isinstance(actor, SystemActor):
        found = session.get(model, object_id)
        if found is None or (
            actor.tenant_id is not None and found.tenant_id != actor.tenant_id  # type: ignore[attr-defined]
        ):
            raise NotFound()
        return found
    return require_visible(session, model, object_id, actor, capability)


def person_chain_id(person_id: int) -> str:
    """The chain holding one person's entries."""
    return f"person:{person_id}"


def actor_names(session: Session, entries: Iterable[RecordEntry]) -> dict[int, str]:
    """The names of the users who wrote ``entries``, by user id."""
    return value_map(session, User.id, User.name, (e.actor_id for e in entries if e.actor_id))


# --------------------------------------------------------------------------- records


def default_region(session: Session, candidate: Candidate) -> str:
    """Where a new record lives: the region of the opening the person most recently
    applied to, else the tenant's region."""
    region = session.scalars(
        select(Opening.region)
        .join(Application, Application.opening_id == Opening.id)
        .where(Application.candidate_id == candidate.id)
        .order_by(Application.created_at.desc(), Application.id.desc())
        .limit(1)
    ).first()
    if region:
        return region
    tenant = session.get(Tenant, candidate.tenant_id)
    return tenant.region if tenant is not None else "cn"


def find_record(session: Session, person_id: int) -> PersonRecord | None:
    return session.scalars(select(PersonRecord).where(PersonRecord.person_id == person_id)).first()


def ensure_record(
    session: Session, candidate: Candidate, region: str | None = None
) -> PersonRecord:
    """The person's record row, created on first use (safe against a concurrent creator)."""
    record = find_record(session, candidate.id)
    if record is not None:
        return record
    return insert_or_find(
        session,
        PersonRecord,
        lambda: find_record(session, candidate.id),  # a concurrent creator's
        tenant_id=candidate.tenant_id,
        person_id=candidate.id,
        region=(region or default_region(session, candidate)).lower(),
        status="",
        entry_count=0,
        legal_hold=False,
    )[0]


@dataclass
class NewEntry:
    """An entry to append (see ``append_entries``)."""

    type: str
    source: str
    data: dict[str, Any] | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    occurred_at: datetime | None = None
    actor_id: int | None = None
    actor_label: str = ""
    opening_id: int | None = None
    attachment_id: int | None = None
    import_key: str | None = None
    source_checksum: str | None = None


def check_entry(item: NewEntry) -> None:
    """Refuse an entry the record cannot hold, before anything is written."""
    if item.type not in ENTRY_TYPES:
        raise EntryError(f"unknown entry type {item.type!r}; use one of {', '.join(ENTRY_TYPES)}")
    if not isinstance(item.source, str) or not re.fullmatch(r"[\w.:/-]{1,60}", item.source):
        raise EntryError("source must be 1-60 letters, digits or . : / - _")
    if item.occurred_at is not None and item.occurred_at.tzinfo is None:
        raise EntryError("occurred_at must be timezone-aware")
    if item.data is not None and not isinstance(item.data, dict):
        raise EntryError("data must be a mapping")


def append_entries(
    session: Session,
    record: PersonRecord,
    items: Sequence[NewEntry],
    *,
    ring: Keyring | None = None,
    index_terms: bool = True,
) -> list[RecordEntry]:
    """Append entries to a person's chain in the session's transaction (no commit); the
    person's deferred entries (``records.outbox``) go first, so the chain keeps the order in
    which the entries were written. Returns the entries of ``items``.

    The chain head stays locked until the caller commits or rolls back.
    """
    _settle(session, record.person_id, record, ring)
    if not items:
        return []
    return _append_now(session, record, items, ring, index_terms)


def settle_pending(session: Session, person_id: int) -> int:
    """Append the person's deferred entries to their chain now (no commit): before the chain
    is read. Returns how many were appended (quarantined rows are not counted)."""
    return _settle(session, person_id, None, None)


def _transient(exc: Exception) -> bool:
    """An error of the database rather than of the row (a lock, a lost connection): the
    row is tried again later, never quarantined for it."""
    return isinstance(exc, OperationalError | InterfaceError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )


def _settle(
    session: Session, person_id: int, record: PersonRecord | None, ring: Keyring | None
) -> int:
    """Append the person's outbox rows in the order written: all at once when they can be,
    else each on its own (a savepoint), so that a row that cannot be appended is quarantined
    (marked, kept, noted in the chain at the place it would have taken) and the rows after it
    go on. A row marked and noted is skipped; a mark the chain does not note is not trusted,
    the row is tried again."""
    rows = outbox.pending(session, person_id)
    if not rows:
        return 0
    open_notes = outbox.notes(session, person_id=person_id)
    if all(found.fields is not None and found.row_id not in open_notes for found in rows):
        record = record or _record_of(session, person_id)
        done = _append_all(session, record, rows, ring)
        if done is not None:
            return done
    appended = 0
    for found in rows:
        note = outbox.noted(open_notes, found)
        if note is not None and found.marked_at is not None:
            continue  # quarantined: IT retries or discards it (``records.quarantine``)
        record = record or _record_of(session, person_id)
        if found.fields is None:
            _quarantine(session, record, found, str(found.reason), None, note, ring)
            continue
        try:
            with session.begin_nested():
                if not outbox.claim(session, [found.row_id]):
                    continue  # another settler appended it
                (entry,) = _append_now(session, record, [NewEntry(**found.fields)], ring, True)
        except Exception as exc:  # the row's own fault: quarantined, the rows after it go on
            if _transient(exc):
                raise
            if outbox.copied(session, found):
                continue  # a racing settler appended a copy: this row is a replay
            reason = "entry_refused" if isinstance(exc, EntryError) else "append_failed"
            _quarantine(session, record, found, reason, type(exc).__name__, note, ring)
            continue
        appended += 1
        if found.row_id in open_notes:  # it was quarantined before: the chain says it is back
            facts = outbox.note_facts(found, "appended", entry_seq=entry.seq)
            append_note(session, record, facts, ring)
    return appended


def _record_of(session: Session, person_id: int) -> PersonRecord:
    candidate = session.get(Candidate, person_id)
    if candidate is None:
        raise NotFound()
    return ensure_record(session, candidate)


def _append_all(
    session: Session, record: PersonRecord, rows: Sequence[outbox.Pending], ring: Keyring | None
) -> int | None:
    """The usual case in one append (one savepoint, one advance of the chain): how many were
    appended, or None when one of them fails (the caller then goes row by row)."""
    try:
        with session.begin_nested():
            taken = set(outbox.claim(session, [found.row_id for found in rows]))
            items = [NewEntry(**(found.fields or {})) for found in rows if found.row_id in taken]
            if items:
                _append_now(session, record, items, ring, True)
    except Exception as exc:  # a bad row among them: the caller finds it
        if _transient(exc):
            raise
        return None
    return len(items)


def append_note(
    session: Session, record: PersonRecord, facts: dict[str, Any], ring: Keyring | None = None
) -> RecordEntry:
    """Append a chain note on an outbox row (``records.outbox``: quarantined, appended after
    all, discarded) in the session's transaction."""
    note = NewEntry(
        type=outbox.QUARANTINE,
        source=outbox.NOTE_SOURCE,
        actor_label=outbox.NOTE_ACTOR,
        facts=facts,
    )
    (entry,) = _append_now(session, record, [note], ring, False)
    return entry


def _quarantine(
    session: Session,
    record: PersonRecord,
    found: outbox.Pending,
    reason: str,
    error: str | None,
    note: outbox.Note | None,
    ring: Keyring | None,
) -> None:
    """Mark the row and note it in the person's chain where its entry would have gone (once:
    a row already noted as it is only gets its mark back)."""
    if not outbox.mark(session, found, reason) or note is not None:
        return
    append_note(
        session, record, outbox.note_facts(found, "quarantined", reason=reason, error=error), ring
    )
    # Ids and codes only: the row's fields are never logged.
    log.warning(
        "deferred record entry quarantined",
        extra={
            "event": "records.outbox_quarantined",
            "person_id": found.person_id,
            "row_id": found.row_id,
            "reason": reason,
            "error": error,
        },
    )


@dataclass
class Settled:
    """What a sweep of the outbox did, ids only: how many entries it appended for how many
    people, the people whose entries could not be appended (person id -> error class: their
    rows stay in the outbox for the next sweep) and how many it left for the next sweep when
    its time ran out."""

    appended: int = 0
    people: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    left: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The sweep task's result (JSON)."""
        return {
            "appended": self.appended,
            "people": self.people,
            "failed": {str(person): error for person, error in self.failed.items()},
            "left": self.left,
        }


def settle_all(
    session: Session, tenant_id: int | None = None, *, budget: float | None = None
) -> Settled:
    """Append every deferred entry (of one tenant, or of all), person by person, each in a
    transaction of its own: the worker's sweep and ``hireflow verify``. A person whose entries
    fail is rolled back, logged (ids and the error's class only) and reported, and the sweep
    goes on with the others. With ``budget`` (seconds) the sweep stops starting people after
    that long (the next sweep takes the rest), so periodic sweeps do not pile up."""
    settled = Settled()
    waiting = outbox.waiting(session, tenant_id)
    stop = None if budget is None else time.monotonic() + budget
    for done, person_id in enumerate(waiting):
        if stop is not None and time.monotonic() >= stop:
            settled.left = len(waiting) - done
            break
        try:
            appended = settle_pending(session, person_id)
            session.commit()
        except Exception as exc:  # one person's bad row must not stop everyone after it
            session.rollback()
            if isinstance(exc, DBAPIError) and exc.connection_invalidated:
                raise  # the database is gone: no other person would fare better
            # The class only: a message (a database error's parameters) may hold personal data.
            settled.failed[person_id] = type(exc).__name__
            log.error(
                "deferred record entries not appended",
                extra={
                    "event": "records.settle_failed",
                    "person_id": person_id,
                    "error": type(exc).__name__,
                },
            )
            continue
        settled.appended += appended
        settled.people += 1 if appended else 0
    return settled


def _append_now(
    session: Session,
    record: PersonRecord,
    items: Sequence[NewEntry],
    ring: Keyring | None,
    index_terms: bool,
) -> list[RecordEntry]:
    ring = ring or pii.keyring()
    now = utcnow()
    prepared: list[tuple[RecordEntry, str | None, Any]] = []
    for item in items:
        check_entry(item)
        data_text = None
        data = None
        if item.data is not None:
            data = plain_data(item.data, "data")
            data_text = canonical_json(data).decode("utf-8")
            if len(data_text) > MAX_PAYLOAD_BYTES:
                raise EntryError(f"data is larger than {MAX_PAYLOAD_BYTES} bytes")
        entry = RecordEntry(
            tenant_id=record.tenant_id,
            person_id=record.person_id,
            type=item.type,
            source=item.source,
            actor_id=item.actor_id,
            actor_label=item.actor_label,
            occurred_at=item.occurred_at or now,
            recorded_at=now,
            opening_id=item.opening_id,
            attachment_id=item.attachment_id,
            facts=plain_facts(item.facts),
            import_key=item.import_key,
            source_checksum=item.source_checksum,
        )
        prepared.append((entry, data_text, data))

    texts = {id(entry): text for entry, text, _ in prepared}

    def content(entry: RecordEntry, seq: int) -> dict[str, Any]:
        text = texts[id(entry)]
        if text is not None:
            entry.payload, entry.payload_key = encrypt_payload(
                text, payload_context(entry.tenant_id, entry.person_id, seq), ring
            )
            entry.payload_digest = payload_digest(entry.payload)
        return entry_content(entry, seq)

    def assign(entry: RecordEntry, seq: int, prev: str, digest: str) -> None:
        entry.seq, entry.prev_hash, entry.hash = seq, prev, digest

    entries = [entry for entry, _, _ in prepared]
    append_chained(
        session.connection(), person_chain_id(record.person_id), entries, content, assign
    )
    session.add_all(entries)
    session.flush()
    _index(session, record, prepared, ring, index_terms)
    _update_state(record, entries)
    return entries


def index_rows(
    entry: Any, entry_id: int, data: Any, ring: Keyring, *, index_terms: bool = True
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(search-term rows, score rows) derived from one stored entry."""
    term_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    if index_terms and data is not None:
        for term in entry_terms(data, ring, entry.tenant_id):
            term_rows.append(
                {
                    "entry_id": entry_id,
                    "term": term,
                    "tenant_id": entry.tenant_id,
                    "person_id": entry.person_id,
                }
            )
    scores = entry.facts.get("scores") if entry.type == "interview_result" else None
    if isinstance(scores, dict):
        for dimension, raw in scores.items():
            number = as_number(raw)
            if number is not None and len(dimension) <= 60:
                score_rows.append(
                    {
                        "entry_id": entry_id,
                        "dimension": dimension,
                        "tenant_id": entry.tenant_id,
                        "person_id": entry.person_id,
                        "opening_id": entry.opening_id,
                        "score": number,
                        "occurred_at": entry.occurred_at,
                    }
                )
    return term_rows, score_rows


def _index(
    session: Session,
    record: PersonRecord,
    prepared: Sequence[tuple[RecordEntry, str | None, Any]],
    ring: Keyring,
    index_terms: bool,
) -> None:
    term_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for entry, _text, data in prepared:
        terms, scores = index_rows(entry, entry.id, data, ring, index_terms=index_terms)
        term_rows += terms
        score_rows += scores
    if term_rows:
        session.execute(insert(RecordTerm), term_rows)
    superseded = [
        entry.facts["supersedes"]
        for entry, _text, _data in prepared
        if entry.type == "interview_result" and isinstance(entry.facts.get("supersedes"), int)
    ]
    if superseded:
        # An interview result restated (an HR override) leaves filters and rankings: they
        # read the scores in effect. The superseded entry itself stays in the chain.
        session.execute(
            delete(RecordScore).where(
                RecordScore.entry_id.in_(superseded), RecordScore.person_id == record.person_id
            )
        )
    if score_rows:
        session.execute(insert(RecordScore), score_rows)


@dataclass(frozen=True)
class DerivedState:
    """What the timeline says the record's cached fields must be."""

    status: str
    status_at: datetime | None
    entry_count: int
    last_entry_at: datetime | None


def derive_state(entries: Iterable[RecordEntry]) -> DerivedState:
    """Current status and counts from entries in chain order."""
    status, status_at, count, last = "", None, 0, None
    for entry in entries:
        count += 1
        last = entry.recorded_at
        if entry.type == "status_change" and isinstance(entry.facts.get("status"), str):
            status, status_at = entry.facts["status"], entry.occurred_at
    return DerivedState(status, status_at, count, last)


def _update_state(record: PersonRecord, entries: Sequence[RecordEntry]) -> None:
    record.entry_count = (record.entry_count or 0) + len(entries)
    record.last_entry_at = entries[-1].recorded_at
    for entry in entries:
        if entry.type == "status_change" and isinstance(entry.facts.get("status"), str):
            record.status, record.status_at = entry.facts["status"], entry.occurred_at
