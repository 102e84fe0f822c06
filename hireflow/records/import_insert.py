"""Bulk insert of newly imported people (``hireflow migrate-in``, records.migration).

New people have new chains, so their whole history is hashed here and written with a few
Core statements per batch instead of one ORM flush per entry; the blind indexes and search
rows the ORM would keep in sync are filled in by hand.
"""

from __future__ import annotations

import json
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.core.audit import ChainHead
from hireflow.core.crypto import Keyring
from hireflow.core.db import utcnow
from hireflow.org.models import Tenant
from hireflow.records.chain import GENESIS_HASH, canonical_json, row_hash
from hireflow.records.import_source import Mapping, PersonRecordIn
from hireflow.records.models import (
    ImportedRecord,
    PersonRecord,
    RecordEntry,
    RecordScore,
    RecordTerm,
)
from hireflow.records.payloads import (
    encrypt_payload,
    entry_content,
    payload_context,
    payload_digest,
    plain_facts,
)
from hireflow.records.timeline import NewEntry, index_rows, person_chain_id


def person_import_key(system: str, key: str) -> str:
    """The import key of a person's opening entry: one per source system and key."""
    return f"{system}:person:{key}"


def insert_people(
    session: Session,
    tenant: Tenant,
    mapping: Mapping,
    batch: list[PersonRecordIn],
    history: dict[str, list[NewEntry]],
    batch_id: str,
    ring: Keyring,
    actor_label: str,
) -> dict[str, int]:
    """Insert a batch of new people with their whole history in a few statements.

    New people have new chains, so no chain head needs locking: each chain is built here
    and its head inserted with the rows it points to.
    """
    now = utcnow()
    system = mapping.source_system
    source = f"import:{system}"[:60]
    ids = _insert_candidates(session, tenant, batch, system, ring, now)
    region = mapping.region or tenant.region
    record_rows = []
    entry_rows: list[tuple[RecordEntry, Any]] = []
    head_rows = []
    import_rows = []
    for person, person_id in zip(batch, ids, strict=True):
        items = _person_entries(person, system, source, actor_label, now)
        items += history.get(person.key, [])
        chained, head_hash = _chained_entries(tenant, person_id, items, ring, now)
        entry_rows += chained
        head_rows.append(
            {
                "chain_id": person_chain_id(person_id),
                "seq": len(items),
                "hash": head_hash,
                "checkpointed_seq": 0,
                "updated_at": now,
            }
        )
        record_rows.append(
            {
                "tenant_id": tenant.id,
                "person_id": person_id,
                "region": region,
                "status": person.status or "",
                "status_at": now if person.status else None,
                "entry_count": len(items),
                "last_entry_at": now,
                "legal_hold": False,
                "created_at": now,
                "updated_at": now,
            }
        )
        import_rows.append(
            {
                "tenant_id": tenant.id,
                "source_system": system,
                "source_key": person.key,
                "person_id": person_id,
                "checksum": person.checksum,
                "batch_id": batch_id,
                "imported_at": now,
            }
        )
    connection = session.connection()
    connection.execute(insert(ChainHead.__table__), head_rows)
    connection.execute(insert(PersonRecord.__table__), record_rows)
    columns = [c.key for c in RecordEntry.__table__.columns if c.key != "id"]
    connection.execute(
        insert(RecordEntry.__table__),
        [{c: getattr(e, c) for c in columns} for e, _ in entry_rows],
    )
    _insert_index_rows(session, ids, entry_rows, ring)
    connection.execute(insert(ImportedRecord.__table__), import_rows)
    return {person.key: person_id for person, person_id in zip(batch, ids, strict=True)}


def _insert_candidates(
    session: Session,
    tenant: Tenant,
    batch: list[PersonRecordIn],
    system: str,
    ring: Keyring,
    now: datetime,
) -> list[int]:
    """The batch's candidate rows, blind indexes filled in; their ids in batch order."""
    rows = [
        {
            "tenant_id": tenant.id,
            "name": person.values.get("name", ""),
            "email": person.values.get("email", ""),
            "phone": person.values.get("phone", ""),
            "id_number": person.values.get("id_number") or None,
            "birth_date": person.values.get("birth_date") or None,
            "location": person.values.get("location", ""),
            "language": tenant.default_language,
            "timezone": tenant.default_timezone,
            "source": f"import:{system}"[:40],
            "profile": {},
            "created_at": now,
            "updated_at": now,
        }
        for person in batch
    ]
    # One statement per person: SQLite cannot return the ids of a multi-row insert in
    # parameter order without falling back to row-at-a-time anyway.
    # Bulk inserts skip ORM events: fill the blind indexes the model keeps in sync itself.
    for spec in pii.blind_indexes():
        if spec.model is not Candidate:
            continue
        for row in rows:
            value = row.get(spec.source)
            row[spec.index] = (
                pii.blind_index(value, spec.kind, tenant_id=row.get(spec.tenant or ""), ring=ring)
                if value
                else None
            )
    table = Candidate.__table__
    candidate_insert = insert(table).returning(table.c.id)
    connection = session.connection()
    return [connection.execute(candidate_insert, row).scalar_one() for row in rows]


def _person_entries(
    person: PersonRecordIn, system: str, source: str, actor_label: str, now: datetime
) -> list[NewEntry]:
    """The entries that open an imported person's record: the source row, then its status."""
    items = [
        NewEntry(
            type="import",
            source=source,
            data={
                "source_row": {"values": person.values, "status": person.status},
                **person.values,
            },
            facts={"source_system": system, "source_key": person.key[:200]},
            occurred_at=now,
            actor_label=actor_label,
            import_key=person_import_key(system, person.key),
            source_checksum=person.checksum,
        )
    ]
    if person.status:
        items.append(
            NewEntry(
                type="status_change",
                source=source,
                facts={"status": person.status, "previous": None},
                occurred_at=now,
                actor_label=actor_label,
                import_key=f"{system}:person-status:{person.key}",
            )
        )
    return items


def _chained_entries(
    tenant: Tenant, person_id: int, items: list[NewEntry], ring: Keyring, now: datetime
) -> tuple[list[tuple[Any, Any]], str]:
    """A new person's chain, from seq 1: (entry row, plain data) pairs and the head hash."""
    chained: list[tuple[Any, Any]] = []
    prev = GENESIS_HASH
    for seq, item in enumerate(items, 1):
        # A plain namespace, not an ORM object: rows go in with one Core statement.
        entry = SimpleNamespace(
            tenant_id=tenant.id,
            person_id=person_id,
            seq=seq,
            type=item.type,
            source=item.source,
            actor_id=None,
            actor_label=item.actor_label,
            occurred_at=item.occurred_at or now,
            recorded_at=now,
            opening_id=None,
            attachment_id=None,
            facts=plain_facts(item.facts),
            payload=None,
            payload_key=None,
            payload_digest=None,
            import_key=item.import_key,
            source_checksum=item.source_checksum,
            erased_at=None,
        )
        data = None
        if item.data is not None:
            data = json.loads(canonical_json(item.data))
            entry.payload, entry.payload_key = encrypt_payload(
                canonical_json(data).decode("utf-8"),
                payload_context(tenant.id, person_id, seq),
                ring,
            )
            entry.payload_digest = payload_digest(entry.payload)
        entry.prev_hash = prev
        entry.hash = row_hash(prev, entry_content(entry, seq))
        prev = entry.hash
        chained.append((entry, data))
    return chained, prev


def _insert_index_rows(
    session: Session, ids: list[int], entry_rows: list[tuple[Any, Any]], ring: Keyring
) -> None:
    """Search terms and scores of the inserted entries, which need the entries' new ids."""
    entry_ids = {
        (row.person_id, row.seq): row.id
        for row in session.execute(
            select(RecordEntry.id, RecordEntry.person_id, RecordEntry.seq).where(
                RecordEntry.person_id.in_(ids)
            )
        )
    }
    term_rows: list[dict[str, Any]] = []
    score_rows: list[dict[str, Any]] = []
    for entry, data in entry_rows:
        entry_id = entry_ids[(entry.person_id, entry.seq)]
        terms, scores = index_rows(entry, entry_id, data, ring)
        term_rows += terms
        score_rows += scores
    connection = session.connection()
    if term_rows:
        connection.execute(insert(RecordTerm.__table__), term_rows)
    if score_rows:
        connection.execute(insert(RecordScore.__table__), score_rows)
