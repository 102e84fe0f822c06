"""Timeline entries a request commits now and the person's chain appends later (SPEC G3, K1).

Appending to a person's chain locks its head, reads the record, registers the key and hashes
in the request. A request that only needs the fact kept (the candidate's consent to the AI
interview) writes one ``record_outbox`` row per entry instead, in its own transaction, so the
entry is as durable as the request's other writes: a crash after the commit loses nothing, a
rollback leaves nothing behind.

The rows are appended to the chain, in id order (the order their requests wrote them), by
``timeline.append_entries`` before anything else it appends to that person's chain (so a later
entry can never come before an earlier deferred one), by ``timeline.settle_pending`` before
the chain is read (the record page, the export, an erasure, ``hireflow verify``), and by the
worker (``records.settle_pending``, every minute). Each row is taken by a ``DELETE`` of its id
(:func:`claim`) in a savepoint of the transaction that appends it: two settlers cannot append
one row twice, and a failed append rolls the delete back with it.

Only entries without personal data (type, source, facts, actor, time, opening) are deferred; the
fields are sealed with the field encryption (AES-256-GCM under the master key, bound to the
tenant and person), so a row inserted or moved outside the application does not authenticate
and is never appended. A key rotation reseals every row under the new key with the same binding
(:func:`reseal`), so a row written before the old key was retired is still appended.

A row that cannot be appended (it does not authenticate, its key is gone, its entry is refused,
its append raises) is quarantined rather than blocking the person: marked (:func:`mark`), kept,
and noted in the person's chain where its entry would have gone (a ``quarantine`` entry, see
:func:`notes`); the rows after it go on. A settler skips a row only when it is marked and an
open note names it, so a mark set outside the application hides nothing; a note whose row is
gone or changed is reported (``quarantine_broken``). ``hireflow verify`` reports every row
that is not appended (:func:`forged`); ``records.quarantine`` retries or discards one.

The seal binds tenant and person, not the row: a sealed entry copied into a second row of the
same person (replayed by someone with access to the database) authenticates too. So each entry
seals an id of its own, and the chain entry it becomes carries it as its ``import_key``
(``outbox/<id>``: unique per tenant in the database, covered by the entry's hash). A row whose
id is already in the chain, or in an earlier row, is a copy: never appended, left in the outbox
and reported by ``hireflow verify`` as ``replayed``. Rows sealed before entries had an id take
the seal's key id and random nonce as theirs (the same for every copy of one encryption).
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import (
    CryptoError,
    KeyNotFoundError,
    Keyring,
    decrypt_field,
    default_suite,
    encrypt_field,
    field_token_key_id,
    field_token_nonce,
)
from hireflow.core.db import utcnow
from hireflow.records.models import OUTBOX_CONTEXT, PendingEntry, RecordEntry

# The fields of a deferred entry (``timeline.NewEntry``'s without personal data or files).
FIELDS = ("type", "source", "facts", "occurred_at", "actor_id", "actor_label", "opening_id")
# The ``import_key`` of an appended deferred entry: its sealed id after this prefix (no ":",
# so never a migration's ``<system>:...`` key).
KEY_PREFIX = "outbox/"
_ID = re.compile(r"[0-9a-f]{32,40}")  # 32: a sealed id; 40: key id and nonce (older rows)


def _context(tenant_id: int, person_id: int) -> str:
    return pii.row_context(OUTBOX_CONTEXT, {"tenant_id": tenant_id, "person_id": person_id})


def defer(
    session: Session, tenant_id: int, person_id: int, entries: Iterable[Mapping[str, Any]]
) -> None:
    """Add the entries (``FIELDS`` each, ``occurred_at`` timezone-aware) to the outbox in the
    session's transaction; they reach the chain after it commits."""
    ring = pii.keyring()
    rows = []
    for fields in entries:
        unknown = set(fields) - set(FIELDS)
        if unknown:
            raise ValueError(f"not deferrable: {sorted(unknown)}")
        occurred = fields["occurred_at"]
        if not isinstance(occurred, datetime) or occurred.tzinfo is None:
            raise ValueError("occurred_at must be a timezone-aware time")
        entry_id = secrets.token_hex(16)  # what tells a copy of this row from another entry
        text = json.dumps(
            {**fields, "occurred_at": occurred.isoformat(), "id": entry_id}, sort_keys=True
        )
        sealed = encrypt_field(text, ring, _context(tenant_id, person_id))
        rows.append({"tenant_id": tenant_id, "person_id": person_id, "entry": sealed})
    if rows:  # one statement, in the order given (ids ascending)
        now = utcnow()
        session.execute(insert(PendingEntry), [row | {"created_at": now} for row in rows])


def reseal(token: str, ring: Keyring, context: str) -> str:
    """A row's seal under the ring's current key, bound to the same tenant and person
    (``hireflow rotate-keys``). A row sealed before entries had an id gets the old seal's key
    id and nonce as its id, inside the seal: its chain key stays what it was, so a copy of it,
    or the entry it already became, is still recognised. Raises ``CryptoError`` for a row
    that does not authenticate (it is never appended; ``hireflow verify`` reports it)."""
    text = decrypt_field(token, ring, context)
    if field_token_key_id(token) == ring.current.key_id:
        return token
    try:
        fields = json.loads(text)
    except ValueError:
        fields = None  # resealed as it was: still never appended
    if isinstance(fields, dict) and "id" not in fields:
        text = json.dumps({**fields, "id": field_token_nonce(token)}, sort_keys=True)
    return encrypt_field(text, ring, context)


# --------------------------------------------------------------------------- reading rows

# Why a row is quarantined (reason codes: what IT and auditors see, never the row's data).
REASONS = {
    "seal_invalid": "does not authenticate for its company and person: written outside the "
    "application, altered or moved",
    "key_unavailable": "is sealed under a master key this installation does not hold",
    "malformed": "authenticates but does not hold a deferred entry this version can read",
    "entry_refused": "holds an entry the record refuses (type, source, facts or time)",
    "append_failed": "raised an error each time it was appended",
}
QUARANTINE = "quarantine"  # the entry type of the chain's notes on quarantined rows
NOTE_SOURCE = "outbox"
NOTE_ACTOR = "system:outbox"


class Pending(NamedTuple):
    """An outbox row as a settler sees it: its fields when it can be appended, else why not."""

    row_id: int
    tenant_id: int
    person_id: int
    identity: str  # what the chain's note names the row by (see ``_identity``)
    token_identity: str  # the row's name from its token alone (a note made while unreadable)
    marked_at: datetime | None  # the row's quarantine mark (trusted only with a chain note)
    fields: dict[str, Any] | None
    reason: str | None  # set when ``fields`` is None


def _digest(text: str) -> str:
    return default_suite().hexdigest(text.encode("utf-8"))


def _open(row: Any) -> tuple[str | None, str]:
    """(the row's plaintext or None, the reason it cannot be read)."""
    try:
        return decrypt_field(row.entry, pii.keyring(), _context(row.tenant_id, row.person_id)), ""
    except KeyNotFoundError:
        return None, "key_unavailable"
    except (CryptoError, ValueError, TypeError, AttributeError):
        return None, "seal_invalid"


def _identity(token: str, text: str | None) -> str:
    """The row's name in the chain's notes: the digest of what ``reseal`` keeps as it is
    (the entry with its id; the plaintext of a malformed one; the token of an unreadable one,
    which no rotation can reseal), so a key rotation does not make a note stale. A note made
    while the row was unreadable still names it when its key is back (``token_identity``)."""
    if text is None:
        return "token:" + _digest(str(token))
    try:
        fields = json.loads(text)
    except ValueError:
        fields = None
    if isinstance(fields, dict):
        fields = {**fields, "id": fields["id"] if "id" in fields else field_token_nonce(token)}
        return "entry:" + _digest(json.dumps(fields, sort_keys=True))
    return "text:" + _digest(text)


def _unseal(row: Any) -> Pending:
    """The row with its fields and ``import_key``, or with the reason it cannot be appended."""
    text, reason = _open(row)
    identity, by_token = _identity(row.entry, text), _identity(row.entry, None)
    found = Pending(
        row.id, row.tenant_id, row.person_id, identity, by_token, row.quarantined_at, None, None
    )
    if text is None:
        return found._replace(reason=reason)
    try:
        fields = json.loads(text)
        fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
        # Rows sealed before entries had an id: the seal's nonce is the same in every copy.
        entry_id = fields.pop("id", None) or field_token_nonce(row.entry)
    except (CryptoError, ValueError, KeyError, TypeError, AttributeError):
        return found._replace(reason="malformed")
    if set(fields) - set(FIELDS) or not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        return found._replace(reason="malformed")
    return found._replace(fields=fields | {"import_key": KEY_PREFIX + entry_id})


def _appended(session: Session, keys: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """The (tenant id, import key) pairs among ``keys`` that are already in a chain."""
    found: set[tuple[int, str]] = set()
    wanted = sorted(keys)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = session.execute(
            select(RecordEntry.tenant_id, RecordEntry.import_key).where(
                RecordEntry.tenant_id.in_({tenant for tenant, _ in chunk}),
                RecordEntry.import_key.in_({key for _, key in chunk}),
            )
        )
        found.update((tenant, str(key)) for tenant, key in rows if (tenant, key) in keys)
    return found


def _sort(session: Session, rows: Sequence[Any]) -> tuple[list[Pending], list[Pending]]:
    """Of outbox rows in id order: those a settler works on (appends, or quarantines when
    they cannot be appended) and the copies of an entry already appended or waiting in an
    earlier row (``replayed``: never appended, never quarantined, reported)."""
    unsealed = [_unseal(row) for row in rows]
    keyed = [p for p in unsealed if p.fields is not None]
    seen = _appended(session, {(p.tenant_id, p.fields["import_key"]) for p in keyed if p.fields})
    work: list[Pending] = []
    copies: list[Pending] = []
    for found in unsealed:
        if found.fields is None:
            work.append(found)
            continue
        key = (found.tenant_id, found.fields["import_key"])
        (copies if key in seen else work).append(found)
        seen.add(key)
    return work, copies


def _rows() -> Any:
    return select(
        PendingEntry.id,
        PendingEntry.tenant_id,
        PendingEntry.person_id,
        PendingEntry.entry,
        PendingEntry.quarantined_at,
    ).order_by(PendingEntry.id)


def pending(session: Session, person_id: int) -> list[Pending]:
    """The person's outbox rows a settler works on, in the order they were written (copies
    of an entry already appended left out: they stay, and verify reports them)."""
    rows = session.execute(_rows().where(PendingEntry.person_id == person_id)).all()
    return _sort(session, rows)[0] if rows else []


def claim(session: Session, row_ids: Sequence[int]) -> list[int]:
    """Take the rows out of the outbox in the session's transaction (the caller appends their
    entries in the same one): the ids taken, without those another settler took first."""
    taken = session.scalars(
        delete(PendingEntry)
        .where(PendingEntry.id.in_(row_ids))
        .returning(PendingEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    return sorted(taken)


def copied(session: Session, found: Pending) -> bool:
    """Whether the row's entry reached the chain meanwhile (a racing settler appended a copy
    of it): then the row is a copy, not a row to quarantine."""
    if found.fields is None:
        return False
    key = (found.tenant_id, str(found.fields["import_key"]))
    return key in _appended(session, {key})


def waiting(session: Session, tenant_id: int | None = None) -> list[int]:
    """The people with outbox rows (of one tenant, or of all). Quarantined rows count too: a
    mark is trusted only with its chain note, which the settler checks, so a mark set outside
    the application does not keep a row from the sweep."""
    stmt = select(PendingEntry.person_id).distinct()
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    return sorted(int(person_id) for person_id in session.scalars(stmt))


# --------------------------------------------------------------------------- quarantine


class Note(NamedTuple):
    """A chain note on a quarantined row that no later note resolves."""

    person_id: int
    seq: int
    row_id: int
    identity: str
    reason: str


def notes(
    session: Session, *, person_id: int | None = None, tenant_id: int | None = None
) -> dict[int, list[Note]]:
    """The open quarantine notes in the chains (of one person, one tenant or all), by row id:
    a ``quarantined`` note stays open until a later note of the same row says it was
    appended or discarded. Only the application writes these entries (their type is
    reserved), and the chain's hashes and checkpoints make them tamper-evident."""
    stmt = select(RecordEntry.person_id, RecordEntry.seq, RecordEntry.facts).where(
        RecordEntry.type == QUARANTINE,
        RecordEntry.source == NOTE_SOURCE,
        RecordEntry.actor_label == NOTE_ACTOR,
    )
    if person_id is not None:
        stmt = stmt.where(RecordEntry.person_id == person_id)
    if tenant_id is not None:
        stmt = stmt.where(RecordEntry.tenant_id == tenant_id)
    found: dict[int, list[Note]] = {}
    for person, seq, facts in session.execute(
        stmt.order_by(RecordEntry.person_id, RecordEntry.seq)
    ):
        row_id = facts.get("outbox_row")
        if not isinstance(row_id, int):
            continue
        if facts.get("action") == "quarantined":
            note = Note(person, seq, row_id, str(facts.get("row")), str(facts.get("reason")))
            found.setdefault(row_id, []).append(note)
        else:  # appended or discarded: every earlier note of the row is resolved
            found.pop(row_id, None)
    return found


def noted(open_notes: Mapping[int, list[Note]], found: Pending) -> Note | None:
    """The open note that names this row as it is now, if any."""
    for note in open_notes.get(found.row_id, []):
        if names(note, found):
            return note
    return None


def names(note: Note, found: Pending) -> bool:
    """Whether a chain note names this row as it is now (same person, same content)."""
    identities = (found.identity, found.token_identity)
    return note.person_id == found.person_id and note.identity in identities


def mark(session: Session, found: Pending, reason: str) -> bool:
    """Mark the row quarantined, unless another settler changed its mark since it was read
    (then that settler notes it): a compare-and-set, so two settlers note a row once."""
    done = session.execute(
        update(PendingEntry)
        .where(
            PendingEntry.id == found.row_id,
            PendingEntry.quarantined_at.is_not_distinct_from(found.marked_at),
        )
        .values(quarantined_at=utcnow(), quarantine_reason=reason)
        .returning(PendingEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    return bool(done)


def note_facts(found: Pending, action: str, **more: Any) -> dict[str, Any]:
    """The facts of a chain note on a row (ids, codes and a digest only)."""
    return {"action": action, "outbox_row": found.row_id, "row": found.identity} | {
        key: value for key, value in more.items() if value is not None
    }


# --------------------------------------------------------------------------- findings


class Finding(NamedTuple):
    """An outbox row that is not appended, or a chain note whose row is gone:

    - ``replayed``: a copy of an entry already appended, or of an earlier row;
    - ``quarantined``: could not be appended (``reason``), kept and noted in the chain at ``seq``;
    - ``forged``: does not authenticate and is not quarantined yet (its settling failed);
    - ``quarantine_broken``: the chain notes the row as quarantined at ``seq`` but the row is
      missing or was changed since (deleted or altered outside the application)."""

    row_id: int
    person_id: int
    kind: str
    reason: str | None = None
    seq: int | None = None


def forged(
    session: Session, tenant_id: int | None = None, *, person_id: int | None = None
) -> list[Finding]:
    """Every outbox row that is not appended and every broken quarantine note (of one tenant,
    one person or all), for ``hireflow verify``: replayed, quarantined, forged (not yet
    quarantined), quarantine_broken."""
    stmt = _rows()
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    if person_id is not None:
        stmt = stmt.where(PendingEntry.person_id == person_id)
    work, copies = _sort(session, session.execute(stmt).all())
    open_notes = notes(session, tenant_id=tenant_id, person_id=person_id)
    findings = [Finding(c.row_id, c.person_id, "replayed") for c in copies]
    kept: dict[int, Pending] = {c.row_id: c for c in copies}
    for found in work:
        kept[found.row_id] = found
        note = noted(open_notes, found)
        if note is not None and found.marked_at is not None:
            findings.append(
                Finding(found.row_id, found.person_id, "quarantined", note.reason, note.seq)
            )
        elif found.fields is None:
            findings.append(Finding(found.row_id, found.person_id, "forged", found.reason))
    for row_id, row_notes in open_notes.items():
        row = kept.get(row_id)
        for note in row_notes:
            if row is None or not names(note, row):
                findings.append(
                    Finding(row_id, note.person_id, "quarantine_broken", note.reason, note.seq)
                )
    return sorted(findings, key=lambda f: (f.row_id, f.seq or 0))
