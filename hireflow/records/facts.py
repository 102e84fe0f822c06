"""What may stay in an entry's plaintext ``facts``, and moving the rest into the encrypted
payload: for entries being written (``split_facts``) and for entries older versions wrote
with free text in their facts (``encrypt_legacy_facts``, run by ``0013_record_facts``).

Facts stay in clear for statistics and are covered by the record's hash chain, so an
erasure cannot remove them: an ID number or a name posted as a fact would outlive the
person. Whatever is not a code (letters outside ASCII, spaces, an ``@``, six digits or
more in a row) is personal until shown otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from hireflow.core.audit import ChainHead
from hireflow.core.crypto import Keyring
from hireflow.core.db import utcnow
from hireflow.records.chain import canonical_json, row_hash
from hireflow.records.models import Rechain, RecordEntry, RecordTerm
from hireflow.records.payloads import (
    decrypt_payload,
    encrypt_payload,
    entry_content,
    payload_context,
    payload_digest,
)
from hireflow.records.terms import entry_terms
from hireflow.records.timeline import person_chain_id

_CODE = re.compile(r"[A-Za-z0-9_.:/+\-]{1,64}")
_IDENTIFYING = re.compile(r"\d{6,}|@")


def is_code(value: Any) -> bool:
    """Whether a fact value is non-identifying: a number, a boolean or a short code."""
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return bool(_CODE.fullmatch(value)) and not _IDENTIFYING.search(value)
    if isinstance(value, list):
        return all(is_code(item) for item in value)
    if isinstance(value, dict):
        return all(is_code(item) for item in value.values())
    return False


def split_facts(
    facts: dict[str, Any] | None, data: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Keep in ``facts`` only non-identifying values and move any free text into the
    encrypted, erasable ``data`` (a key already in ``data`` becomes ``fact_<key>``)."""
    kept: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    for key, value in (facts or {}).items():
        (kept if is_code(value) else moved)[key] = value
    if not moved:
        return kept, data
    merged = dict(data or {})
    for key, value in moved.items():
        merged[key if key not in merged else f"fact_{key}"] = value
    return kept, merged


# --------------------------------------------------------------------------- older entries

_COLUMNS = (
    RecordEntry.id,
    RecordEntry.tenant_id,
    RecordEntry.person_id,
    RecordEntry.seq,
    RecordEntry.prev_hash,
    RecordEntry.hash,
    RecordEntry.type,
    RecordEntry.source,
    RecordEntry.actor_id,
    RecordEntry.actor_label,
    RecordEntry.occurred_at,
    RecordEntry.recorded_at,
    RecordEntry.opening_id,
    RecordEntry.attachment_id,
    RecordEntry.facts,
    RecordEntry.payload,
    RecordEntry.payload_key,
    RecordEntry.payload_digest,
    RecordEntry.import_key,
    RecordEntry.source_checksum,
    RecordEntry.erased_at,
)


@dataclass
class LegacyFactsReport:
    """What ``encrypt_legacy_facts`` changed."""

    entries: int = 0  # entries whose free-text facts moved into the payload (or were dropped)
    chains: int = 0  # person chains re-hashed from the first such entry on


def has_free_text_facts(connection: Connection) -> bool:
    """Whether any entry keeps free text in its facts."""
    return bool(_people_with_free_text(connection))


def _people_with_free_text(connection: Connection) -> list[int]:
    people: set[int] = set()
    rows = connection.execute(select(RecordEntry.person_id, RecordEntry.facts))
    for person_id, facts in rows:
        if facts and not all(is_code(value) for value in facts.values()):
            people.add(person_id)
    return sorted(people)


def _moved_payload(row: SimpleNamespace, moved: dict[str, Any], ring: Keyring) -> dict[str, Any]:
    """The new payload columns of an entry whose free-text facts move into its data."""
    if row.erased_at is not None:
        # The person was erased: their free text goes with the rest of their data.
        return {}
    data = decrypt_payload(row, ring) if row.payload is not None else None
    _kept, merged = split_facts(moved, data if isinstance(data, dict) else None)
    if data is not None and not isinstance(data, dict):
        merged = {"data": data, **(merged or {})}
    text = canonical_json(merged).decode("utf-8")
    context = payload_context(row.tenant_id, row.person_id, row.seq)
    token, wrapped = encrypt_payload(text, context, ring)
    return {
        "payload": token,
        "payload_key": wrapped,
        "payload_digest": payload_digest(token),
        "_terms": entry_terms(merged, ring, row.tenant_id),
    }


def _rechain_person(connection: Connection, person_id: int, ring: Keyring, now: datetime) -> int:
    """Move one person's free-text facts and re-hash their chain; entries changed."""
    rows = [
        SimpleNamespace(**row._mapping)
        for row in connection.execute(
            select(*_COLUMNS).where(RecordEntry.person_id == person_id).order_by(RecordEntry.seq)
        )
    ]
    chain_id = person_chain_id(person_id)
    changed = 0
    prev: str | None = None  # the re-hashed predecessor, once the chain has been rewritten
    for row in rows:
        values: dict[str, Any] = {}
        kept, moved = split_facts(row.facts or {}, None)
        if moved:
            changed += 1
            values = _moved_payload(row, moved or {}, ring)
            terms = values.pop("_terms", [])
            values["facts"] = kept
            if row.erased_at is None:
                connection.execute(delete(RecordTerm).where(RecordTerm.entry_id == row.id))
                if terms:
                    connection.execute(
                        insert(RecordTerm),
                        [
                            {
                                "entry_id": row.id,
                                "term": term,
                                "tenant_id": row.tenant_id,
                                "person_id": row.person_id,
                            }
                            for term in terms
                        ],
                    )
        if not values and prev is None:
            continue
        for name, value in values.items():
            setattr(row, name, value)
        if prev is not None:
            row.prev_hash = values["prev_hash"] = prev
        # The row was read through Core with every column the hash covers.
        new_hash = row_hash(row.prev_hash, entry_content(cast(RecordEntry, row)))
        connection.execute(
            insert(Rechain).values(
                chain_id=chain_id, seq=row.seq, old_hash=row.hash, new_hash=new_hash, created_at=now
            )
        )
        values["hash"] = row.hash = prev = new_hash
        connection.execute(update(RecordEntry).where(RecordEntry.id == row.id).values(**values))
    if prev is not None:
        # The head moved without a new seq: mark it for the next checkpoint.
        connection.execute(
            update(ChainHead)
            .where(ChainHead.chain_id == chain_id)
            .values(hash=prev, checkpointed_seq=0, updated_at=now)
        )
    return changed


def encrypt_legacy_facts(connection: Connection, ring: Keyring) -> LegacyFactsReport:
    """Move the free text of existing entries' facts into their encrypted payload, as new
    entries are written, and re-hash each affected chain from its first such entry.

    Entries of erased people lose the free text instead. Every re-hashed row is recorded
    in ``record_rechains`` (old and new hash) so that checkpoints signed before stay
    meaningful once a checkpoint of the new heads is signed.
    """
    report = LegacyFactsReport()
    now = utcnow()
    for person_id in _people_with_free_text(connection):
        report.entries += _rechain_person(connection, person_id, ring, now)
        report.chains += 1
    return report
