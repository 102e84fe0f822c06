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
worker (``records.settle_pending``, every minute). Each row is taken by a ``DELETE`` of its id in
the transaction that appends it: two settlers cannot append one row twice, and a failed append
rolls the delete back with it.

Only entries without personal data (type, source, facts, actor, time, opening) are deferred; the
fields are sealed with the field encryption (AES-256-GCM under the master key, bound to the
tenant and person), so a row inserted or moved outside the application does not authenticate
and is never appended: ``hireflow verify`` reports it (:func:`forged`). A key rotation reseals
every row under the new key with the same binding (:func:`reseal`), so a row written before
the old key was retired is still appended.

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

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import (
    CryptoError,
    Keyring,
    decrypt_field,
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


class Finding(NamedTuple):
    """An outbox row that is never appended: ``forged`` (does not authenticate for its tenant
    and person: written outside the application, altered or moved) or ``replayed`` (a copy of
    an entry already appended, or of an earlier row)."""

    row_id: int
    person_id: int
    kind: str


def _unseal(row: Any) -> dict[str, Any] | None:
    """The row's fields and ``import_key``, or None when it does not authenticate for its
    tenant and person."""
    try:
        text = decrypt_field(row.entry, pii.keyring(), _context(row.tenant_id, row.person_id))
        fields = json.loads(text)
        fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
        # Rows sealed before entries had an id: the seal's nonce is the same in every copy.
        entry_id = fields.pop("id", None) or field_token_nonce(row.entry)
    except (CryptoError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if set(fields) - set(FIELDS) or not isinstance(entry_id, str) or not _ID.fullmatch(entry_id):
        return None
    return fields | {"import_key": KEY_PREFIX + entry_id}


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


def _sort(session: Session, rows: Sequence[Any]) -> tuple[dict[int, dict[str, Any]], list[Finding]]:
    """Of outbox rows in id order: the fields of those that may be appended, by row id, and
    the findings on the others."""
    findings: list[Finding] = []
    sealed: list[tuple[Any, dict[str, Any]]] = []
    for row in rows:
        fields = _unseal(row)
        if fields is None:
            findings.append(Finding(row.id, row.person_id, "forged"))
        else:
            sealed.append((row, fields))
    seen = _appended(session, {(row.tenant_id, fields["import_key"]) for row, fields in sealed})
    fresh: dict[int, dict[str, Any]] = {}
    for row, fields in sealed:
        key = (row.tenant_id, fields["import_key"])
        if key in seen:
            findings.append(Finding(row.id, row.person_id, "replayed"))
        else:
            fresh[row.id] = fields
            seen.add(key)
    return fresh, findings


def _rows() -> Any:
    return select(
        PendingEntry.id, PendingEntry.tenant_id, PendingEntry.person_id, PendingEntry.entry
    ).order_by(PendingEntry.id)


def take(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The person's deferred entries in the order they were written, removed from the outbox
    in the session's transaction (the caller appends them in the same one). Rows that do not
    authenticate or copy an entry already taken stay (``hireflow verify`` reports them)."""
    rows = session.execute(_rows().where(PendingEntry.person_id == person_id)).all()
    if not rows:
        return []
    fresh, _findings = _sort(session, rows)
    if not fresh:
        return []
    taken = session.scalars(
        delete(PendingEntry)
        .where(PendingEntry.id.in_(fresh))
        .returning(PendingEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    return [fresh[row_id] for row_id in sorted(taken)]


def waiting(session: Session, tenant_id: int | None = None) -> list[int]:
    """The people with deferred entries (of one tenant, or of all)."""
    stmt = select(PendingEntry.person_id).distinct()
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    return sorted(int(person_id) for person_id in session.scalars(stmt))


def forged(session: Session, tenant_id: int | None = None) -> list[Finding]:
    """Outbox rows that are never appended (of one tenant, or of all): not written by the
    application, altered, moved to another person, or copies of an appended entry."""
    stmt = _rows()
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    return _sort(session, session.execute(stmt).all())[1]
