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
and is never appended: ``hireflow verify`` reports it (:func:`forged`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import CryptoError, decrypt_field, encrypt_field
from hireflow.core.db import utcnow
from hireflow.records.models import PendingEntry

# The fields of a deferred entry (``timeline.NewEntry``'s without personal data or files).
FIELDS = ("type", "source", "facts", "occurred_at", "actor_id", "actor_label", "opening_id")


def _context(tenant_id: int, person_id: int) -> str:
    return f"record_outbox.entry:{tenant_id}:{person_id}"


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
        text = json.dumps({**fields, "occurred_at": occurred.isoformat()}, sort_keys=True)
        sealed = encrypt_field(text, ring, _context(tenant_id, person_id))
        rows.append({"tenant_id": tenant_id, "person_id": person_id, "entry": sealed})
    if rows:  # one statement, in the order given (ids ascending)
        now = utcnow()
        session.execute(insert(PendingEntry), [row | {"created_at": now} for row in rows])


def _unseal(row: Any) -> dict[str, Any] | None:
    """The row's fields, or None when it does not authenticate for its tenant and person."""
    try:
        text = decrypt_field(row.entry, pii.keyring(), _context(row.tenant_id, row.person_id))
        fields = json.loads(text)
        fields["occurred_at"] = datetime.fromisoformat(fields["occurred_at"])
    except (CryptoError, ValueError, KeyError, TypeError):
        return None
    if set(fields) - set(FIELDS):
        return None
    return fields


def take(session: Session, person_id: int) -> list[dict[str, Any]]:
    """The person's deferred entries in the order they were written, removed from the outbox
    in the session's transaction (the caller appends them in the same one)."""
    rows = session.execute(
        select(PendingEntry.id, PendingEntry.tenant_id, PendingEntry.person_id, PendingEntry.entry)
        .where(PendingEntry.person_id == person_id)
        .order_by(PendingEntry.id)
    ).all()
    if not rows:
        return []
    sealed = {row.id: fields for row in rows if (fields := _unseal(row)) is not None}
    if not sealed:
        return []
    taken = session.scalars(
        delete(PendingEntry)
        .where(PendingEntry.id.in_(sealed))
        .returning(PendingEntry.id)
        .execution_options(synchronize_session=False)
    ).all()
    return [sealed[row_id] for row_id in sorted(taken)]


def waiting(session: Session, tenant_id: int | None = None) -> list[int]:
    """The people with deferred entries (of one tenant, or of all)."""
    stmt = select(PendingEntry.person_id).distinct()
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    return sorted(int(person_id) for person_id in session.scalars(stmt))


def forged(session: Session, tenant_id: int | None = None) -> list[tuple[int, int]]:
    """(row id, person id) of outbox rows that do not authenticate: written outside the
    application, altered, or moved to another person; never appended."""
    stmt = select(
        PendingEntry.id, PendingEntry.tenant_id, PendingEntry.person_id, PendingEntry.entry
    ).order_by(PendingEntry.id)
    if tenant_id is not None:
        stmt = stmt.where(PendingEntry.tenant_id == tenant_id)
    return [(row.id, row.person_id) for row in session.execute(stmt) if _unseal(row) is None]
