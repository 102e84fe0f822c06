"""Master-key rotation: rewrap data keys, re-encrypt columns, re-key indexes (SPEC G2).

Run after configuring the new key as ``HIREFLOW_MASTER_KEY`` and the old one in
``HIREFLOW_PREVIOUS_MASTER_KEYS``:

1. every wrapped data key (every column marked ``pii.wrapped_key()``: attachments, entry
   payloads, interview recordings; and ``pii.wrapped_keys_listed``: the chunks of uploads in
   progress) is rewrapped under the new key; file and payload
   ciphertext is never touched, so a 500 MB recording costs ~100 bytes of writes and the
   hash chains, which cover the ciphertext, stay valid;
2. every ``EncryptedText`` / ``EncryptedJSON`` column of every table, and every column of
   row-bound tokens (marked ``pii.row_token(context)``: the record outbox, one-time codes,
   channel credentials, calendar addresses) is re-encrypted with each row's own context
   (tokens carry their key id, so only stale ones are rewritten);
3. blind indexes and search terms are recomputed under the new key (lookups try every key
   in the ring meanwhile, so search keeps working during the run);
4. when nothing failed, the old keys are marked retired in ``key_registry``: from then on
   a start-up without them is accepted, and the old key can be destroyed. Record outbox rows
   no key can read (forged, or under a key that is gone) are quarantined and listed instead
   of failing; an old key one of them is sealed under is retired only when the caller says so
   (``retire_unreadable``), since those rows then become unreadable for good; that choice
   is written to the audit log of each company whose rows it makes unreadable (the key ids
   and the number of rows, nothing of the rows themselves).

Each step commits in batches and skips rows already done, so an interrupted run is
simply started again.
"""

from __future__ import annotations

import string
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Text, column, delete, insert, select, table, update
from sqlalchemy.orm import Session

from hireflow.core import audit, pii
from hireflow.core.crypto import (
    FIELD_TOKEN_PREFIX,
    CryptoError,
    Keyring,
    WrappedKey,
    field_token_key_id,
    reencrypt_field,
    rewrap,
)
from hireflow.core.db import Base, JSONText
from hireflow.records import outbox
from hireflow.records.keys import register_current_key, retire_key
from hireflow.records.models import KeyRegistryEntry, PendingEntry, RecordEntry, RecordTerm
from hireflow.records.payloads import decrypt_payload
from hireflow.records.seals import rekey
from hireflow.records.terms import entry_terms
from hireflow.records.timeline import settle_pending

BATCH = 500

Step = Callable[[str, int], Callable[[int], None]]
"""``step(description, total)`` returns ``advance(n)``: how the CLI draws progress bars."""


def _no_progress(_description: str, _total: int) -> Callable[[int], None]:
    return lambda _n: None


@dataclass
class RotationReport:
    """Counts of what a rotation changed, and what it could not."""

    new_key_id: str
    wrapped_keys: int = 0
    field_tokens: int = 0
    blind_indexes: int = 0
    terms_entries: int = 0
    seals: int = 0
    failures: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)
    held_for_unreadable: list[str] = field(default_factory=list)

    def losses(self) -> list[Unreadable]:
        """The quarantined outbox rows sealed under a key this run retires (or would retire):
        retiring it makes them unreadable for good."""
        return [
            row
            for row in self.unreadable
            if row.key_id in (self.retired or self.held_for_unreadable)
        ]


@dataclass(frozen=True)
class Unreadable:
    """An outbox row no configured key can read (it does not authenticate, or its key is
    gone): it cannot be resealed. It is quarantined and noted in its person's chain; ids,
    the reason code and the key id it names only."""

    row_id: int
    person_id: int
    reason: str
    key_id: str | None
    tenant_id: int | None = None


# Columns whose tokens are re-encrypted by a function of their own (same signature as
# ``reencrypt_field``): an outbox row keeps its entry id (see ``outbox.reseal``).
OUTBOX_COLUMN = ("record_outbox", "entry")
_RESEAL: dict[tuple[str, str], Callable[[str, Keyring, str], str]] = {
    OUTBOX_COLUMN: outbox.reseal,
}


def encrypted_columns() -> list[tuple[str, list[str], str, str]]:
    """(table, primary-key columns, column, context) of every column of field tokens: the
    encrypted types (context ``table.column``) and the columns marked ``pii.row_token``
    (context a template over the row's columns, e.g. ``record_outbox.entry:{tenant_id}:
    {person_id}``)."""
    found = []
    for tbl in Base.metadata.sorted_tables:
        keys = [c.name for c in tbl.primary_key]
        for col in tbl.columns:
            if isinstance(col.type, pii.EncryptedText | pii.EncryptedJSON):
                found.append((tbl.name, keys, col.name, col.type.context))
            elif pii.ROW_TOKEN in col.info:
                found.append((tbl.name, keys, col.name, col.info[pii.ROW_TOKEN]))
    return found


def wrapped_key_columns() -> list[tuple[str, str, str]]:
    """(table, primary-key column, column) of every column marked ``pii.wrapped_key()``."""
    found = []
    for tbl in Base.metadata.sorted_tables:
        for col in tbl.columns:
            if col.info.get(pii.WRAPPED_KEY):
                [key] = [c.name for c in tbl.primary_key]  # batches walk one integer key
                found.append((tbl.name, key, col.name))
    return found


def listed_key_columns() -> list[tuple[str, str, str, int]]:
    """(table, primary-key column, column, position) of every column marked
    ``pii.wrapped_keys_listed(position)``."""
    found = []
    for tbl in Base.metadata.sorted_tables:
        for col in tbl.columns:
            if pii.WRAPPED_KEYS_LISTED in col.info:
                [key] = [c.name for c in tbl.primary_key]
                found.append((tbl.name, key, col.name, col.info[pii.WRAPPED_KEYS_LISTED]))
    return found


def _rewrap_listed(
    session: Session, ring: Keyring, spec: tuple[str, str, str, int], report: RotationReport
) -> None:
    name, key, col, position = spec
    raw = table(name, column(key), column(col, JSONText()))
    current = ring.current.key_id
    # Lists of in-progress work (an upload's chunks): few rows, read at once.
    for row_id, items in session.execute(select(raw.c[key], raw.c[col])).all():
        fresh, moved = [], 0
        for item in items or []:
            item = list(item)
            try:
                wrapped = WrappedKey.from_token(item[position])
                if wrapped.key_id != current:
                    item[position] = rewrap(wrapped, ring, ring.current).to_token()
                    moved += 1
            except (CryptoError, IndexError, TypeError) as exc:
                report.failures.append(f"{name}.{col} {row_id}: {type(exc).__name__}")
            fresh.append(item)
        if moved:
            session.execute(update(raw).where(raw.c[key] == row_id).values({col: fresh}))
            report.wrapped_keys += moved
    session.commit()


def _rewrap_tokens(
    session: Session,
    ring: Keyring,
    name: str,
    key: str,
    col: str,
    report: RotationReport,
    advance: Callable[[int], None],
) -> None:
    raw = table(name, column(key), column(col, Text))
    current = ring.current.key_id
    last_id = 0
    while True:
        rows = session.execute(
            select(raw.c[key], raw.c[col])
            .where(raw.c[key] > last_id, raw.c[col].is_not(None))
            .order_by(raw.c[key])
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row_id, token in rows:
            last_id = row_id
            try:
                wrapped = WrappedKey.from_token(token)
                if wrapped.key_id == current:
                    continue
                fresh = rewrap(wrapped, ring, ring.current)
            except CryptoError as exc:
                report.failures.append(f"{name} {row_id}: {exc}")
                continue
            session.execute(update(raw).where(raw.c[key] == row_id).values({col: fresh.to_token()}))
            report.wrapped_keys += 1
        session.commit()
        advance(len(rows))


def _template_columns(context: str) -> list[str]:
    """The row columns a context template names (none for ``table.column``)."""
    return [name for _text, name, _spec, _conv in string.Formatter().parse(context) if name]


def _reencrypt_column(
    session: Session,
    ring: Keyring,
    name: str,
    keys: list[str],
    col: str,
    context: str,
    report: RotationReport,
    advance: Callable[[int], None],
) -> None:
    # A plain-text view of the table: tokens are read and written as stored.
    named = [c for c in _template_columns(context) if c not in keys]
    raw = table(name, *(column(k) for k in [*keys, *named]), column(col, Text))
    reencrypt = _RESEAL.get((name, col), reencrypt_field)
    current = ring.current.key_id
    rows = session.execute(
        select(*(raw.c[k] for k in [*keys, *named]), raw.c[col]).where(
            raw.c[col].startswith(FIELD_TOKEN_PREFIX)
        )
    ).all()
    for count, row in enumerate(rows, 1):
        token = row[-1]
        ids = {k: row[i] for i, k in enumerate(keys)}
        try:
            if field_token_key_id(token) == current:
                continue
            fresh = reencrypt(token, ring, pii.row_context(context, row._mapping))
        except CryptoError as exc:
            if (name, col) == OUTBOX_COLUMN:  # quarantined and decided on after the pass
                report.unreadable.append(Unreadable(ids["id"], 0, "", None))
            else:
                report.failures.append(f"{name}.{col} {ids}: {exc}")
            continue
        condition = [raw.c[k] == value for k, value in ids.items()]
        session.execute(update(raw).where(*condition).values({col: fresh}))
        report.field_tokens += 1
        if count % BATCH == 0:
            session.commit()
            advance(BATCH)
    session.commit()
    advance(len(rows) % BATCH)


def _reindex(session: Session, ring: Keyring, report: RotationReport, step: Step) -> None:
    for spec in pii.blind_indexes():
        mapped_table = getattr(spec.model, "__table__", None)
        if mapped_table is None or mapped_table.name not in Base.metadata.tables:
            continue
        ids = list(session.scalars(select(spec.model.id).order_by(spec.model.id)))
        advance = step(f"{mapped_table.name}.{spec.index}", len(ids))
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            try:
                objects = list(session.scalars(select(spec.model).where(spec.model.id.in_(chunk))))
            except CryptoError:
                # A row that cannot be read: find it one by one, move the others.
                session.rollback()
                objects = []
                for row_id in chunk:
                    try:
                        objects.append(session.get_one(spec.model, row_id))
                    except CryptoError as exc:
                        session.rollback()
                        report.failures.append(f"{mapped_table.name} {row_id}: {exc}")
            for obj in objects:
                value = spec.compute(obj, ring)
                if getattr(obj, spec.index) != value:
                    setattr(obj, spec.index, value)
                    report.blind_indexes += 1
            session.commit()
            advance(len(chunk))


def _reterm(session: Session, ring: Keyring, report: RotationReport, step: Step) -> None:
    ids = list(
        session.scalars(
            select(RecordEntry.id).where(RecordEntry.payload.is_not(None)).order_by(RecordEntry.id)
        )
    )
    advance = step("search terms", len(ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        entries = list(session.scalars(select(RecordEntry).where(RecordEntry.id.in_(chunk))))
        session.execute(delete(RecordTerm).where(RecordTerm.entry_id.in_(chunk)))
        rows = []
        for entry in entries:
            try:
                data = decrypt_payload(entry, ring)
            except CryptoError as exc:
                report.failures.append(f"record_entries {entry.id}: {exc}")
                continue
            for term in entry_terms(data, ring, entry.tenant_id):
                rows.append(
                    {
                        "entry_id": entry.id,
                        "term": term,
                        "tenant_id": entry.tenant_id,
                        "person_id": entry.person_id,
                    }
                )
            report.terms_entries += 1
        if rows:
            session.execute(insert(RecordTerm), rows)
        session.commit()
        advance(len(chunk))


def _quarantine_unreadable(session: Session, report: RotationReport) -> None:
    """Settle the people of the outbox rows no key could reseal, so each is quarantined and
    noted in its chain before a key is retired; then name them (reason, key id). A row that
    could not be quarantined (its person's settling failed) is a failure: the old keys stay."""
    wanted = {row.row_id for row in report.unreadable}
    report.unreadable = []
    rows = session.execute(
        select(PendingEntry.id, PendingEntry.tenant_id, PendingEntry.person_id, PendingEntry.entry)
        .where(PendingEntry.id.in_(wanted))
        .order_by(PendingEntry.id)
    ).all()
    for person_id in sorted({row.person_id for row in rows}):
        try:
            settle_pending(session, person_id)
            session.commit()
        except Exception as exc:  # reported; that person's rows keep the old key in use
            session.rollback()
            report.failures.append(f"record_outbox person {person_id}: {type(exc).__name__}")
    for row in rows:
        found = {
            f.row_id: f
            for f in outbox.forged(session, person_id=row.person_id)
            if f.kind == "quarantined"
        }.get(row.id)
        if found is None:
            report.failures.append(f"record_outbox.entry {row.id}: not quarantined")
            continue
        try:
            key_id: str | None = field_token_key_id(row.entry)
        except CryptoError:
            key_id = None
        report.unreadable.append(
            Unreadable(row.id, row.person_id, str(found.reason), key_id, row.tenant_id)
        )


def _retire(
    session: Session, ring: Keyring, report: RotationReport, retire_unreadable: bool
) -> None:
    """Retire the old keys when nothing failed; when quarantined outbox rows are sealed under
    one of them, only if told to (``retire_unreadable``): they become unreadable for good."""
    if report.failures:
        return
    retiring = [
        row.key_id
        for row in session.scalars(select(KeyRegistryEntry).order_by(KeyRegistryEntry.key_id))
        if row.key_id != ring.current.key_id and row.retired_at is None
    ]
    if not retire_unreadable and any(row.key_id in retiring for row in report.unreadable):
        report.held_for_unreadable = retiring
        return
    for key_id in retiring:
        retire_key(session, key_id)
        report.retired.append(key_id)
    _audit_losses(session, [row for row in report.unreadable if row.key_id in retiring])
    session.commit()


def _audit_losses(session: Session, lost: list[Unreadable]) -> None:
    """Write the retirement of keys that quarantined outbox rows are sealed under to the audit
    log of each company those rows belong to, in the transaction that retires the keys: the
    key ids and how many of the company's rows became unreadable for good (no row ids, no
    person)."""
    by_tenant: dict[int, list[Unreadable]] = {}
    for row in lost:
        if row.tenant_id is not None:
            by_tenant.setdefault(row.tenant_id, []).append(row)
    for tenant_id, rows in sorted(by_tenant.items()):
        audit.record(
            session,
            "record.keys_retired_unreadable",
            actor=None,
            actor_label="hireflow rotate-keys --retire-unreadable-outbox",
            target_type="tenant",
            target_id=tenant_id,
            tenant_id=tenant_id,
            new={"rows_lost": len(rows), "keys": sorted({str(r.key_id) for r in rows})},
        )


def rotate_keys(
    session: Session,
    ring: Keyring | None = None,
    *,
    step: Step | None = None,
    retire_unreadable: bool = False,
) -> RotationReport:
    """Move everything under the ring's current key (see the module docstring). Outbox rows
    no key can read are quarantined and listed (``report.unreadable``); when one is sealed
    under an old key, that key is retired only with ``retire_unreadable``."""
    ring = ring or pii.keyring()
    step = step or _no_progress
    report = RotationReport(new_key_id=ring.current.key_id)
    register_current_key(session, ring, commit=True)
    for name, key, col in wrapped_key_columns():
        raw = table(name, column(col, Text))
        total = session.query(raw).filter(raw.c[col].is_not(None)).count()
        advance = step(f"{name}.{col}", total)
        _rewrap_tokens(session, ring, name, key, col, report, advance)
    for spec in listed_key_columns():
        advance = step(f"{spec[0]}.{spec[2]}", 1)
        _rewrap_listed(session, ring, spec, report)
        advance(1)
    for name, keys, col, context in encrypted_columns():
        raw = table(name, column(col, Text))
        total = session.query(raw).filter(raw.c[col].startswith(FIELD_TOKEN_PREFIX)).count()
        advance = step(f"{name}.{col}", total)
        _reencrypt_column(session, ring, name, keys, col, context, report, advance)
    _quarantine_unreadable(session, report)
    _reindex(session, ring, report, step)
    _reterm(session, ring, report, step)

    advance = step("seals", 1)
    report.seals, seal_failures = rekey(session, ring)
    report.failures += seal_failures
    session.commit()
    advance(1)
    _retire(session, ring, report, retire_unreadable)
    return report
