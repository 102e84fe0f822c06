"""The audit trail (SPEC A3) and the technical log of client-side problems.

Audit rows are written by service functions in the same transaction as the change they
describe, so a change without its audit row cannot exist (and vice versa). Reads of personal
data are audited too. The request id and client address come from a context variable set by
the web middleware, so services need no request object.

Tamper evidence (SPEC G3): the rows of each tenant form a hash chain
(``hireflow.records.chain``). When a flush inserts audit rows, the tenant's chain-head row
(``chain_heads``) is advanced in the same transaction; the rows get consecutive ``seq``
numbers, the previous row's hash and their own. Personal values (old and new values, the
actor's name and address) enter the chain only through a salted digest, so an erasure
request can redact them without breaking the chain (``redact``).

Concurrent writers cannot fork a chain:

- PostgreSQL: the head is advanced with ``UPDATE chain_heads ... RETURNING``, which takes a
  row lock held until the transaction ends; a second writer of the same tenant waits for
  the first to commit and then continues from the new head.
- SQLite: the same UPDATE is a write, and SQLite allows one writing transaction per
  database at a time (the write lock is held until commit; other writers wait up to the
  busy timeout). The head is read by that UPDATE itself, after the lock is taken, so no
  other transaction can move it in between.

A unique index on ``(tenant_id, seq)`` turns any fork the locking missed into an error
rather than a silent branch.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from collections.abc import Callable, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, event, insert, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Session, mapped_column

from hireflow.core.crypto import default_suite, digest_matches
from hireflow.core.db import Base, JSONText, UTCDateTime, utcnow
from hireflow.core.hashchain import GENESIS_HASH, canonical_json, row_hash
from hireflow.core.permissions import Principal, Role, Scope, register_scope
from hireflow.core.pii import EncryptedJSON


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str = ""


request_context: ContextVar[RequestContext] = ContextVar(
    "hireflow_request_context",
    default=RequestContext(),  # noqa: B039 - a frozen dataclass is immutable
)

# Keys whose values are personal data: shown to HR, masked for IT/auditors (SPEC A2, A3).
PERSONAL_KEYS = frozenset(
    {
        "name",
        "email",
        "phone",
        "id_number",
        "birth_date",
        "address",
        "password",
        "resume",
        "answer",
        "transcript",
        "location",
    }
)
MASK = "•••"


class AuditEntry(Base):
    """One thing that happened: who did what to which object, when, from where."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_tenant_time", "tenant_id", "created_at"),
        Index("ix_audit_log_target", "target_type", "target_id"),
        Index("ix_audit_log_chain", "tenant_id", "seq", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(80), index=True)
    target_type: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[str] = mapped_column(String(64), default="")
    # Old and new values name people (an account's address, a corrected phone): encrypted at
    # rest; the chain covers them through a salted digest of the clear values.
    old_values: Mapped[dict[str, Any] | None] = mapped_column(
        EncryptedJSON("audit_log.old_values"), nullable=True
    )
    new_values: Mapped[dict[str, Any] | None] = mapped_column(
        EncryptedJSON("audit_log.new_values"), nullable=True
    )
    request_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Hash chain per tenant (see the module docstring); filled in when the row is flushed.
    seq: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    values_salt: Mapped[str | None] = mapped_column(String(32), nullable=True)
    values_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    redacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ChainHead(Base):
    """The newest row of one hash chain: locked and advanced by every append (see above).

    Chains: ``audit:<tenant id>`` (``audit:-`` for rows without a tenant) and the record
    domain's ``person:<candidate id>``. ``checkpointed_seq`` is the seq covered by the
    newest signed checkpoint.
    """

    __tablename__ = "chain_heads"

    chain_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
    checkpointed_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ClientEvent(Base):
    """A technical problem seen in a browser (SPEC A3): no personal data by construction.

    Only the fields below are kept; messages are scrubbed of anything that looks like an
    email address, a phone or ID number, and URLs lose their query strings.
    """

    __tablename__ = "client_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    page: Mapped[str] = mapped_column(String(300), default="")
    browser: Mapped[str] = mapped_column(String(80), default="")
    os: Mapped[str] = mapped_column(String(80), default="")
    device: Mapped[str] = mapped_column(String(20), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSONText(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


# Audit rows are tenant-wide facts; a role narrowed to a unit sees none (fail closed).
register_scope(AuditEntry, Scope(tenant=AuditEntry.tenant_id))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


# --------------------------------------------------------------------------- hash chains


def audit_chain_id(tenant_id: int | None) -> str:
    """The chain an audit row of this tenant belongs to."""
    return f"audit:{tenant_id if tenant_id is not None else '-'}"


def _insert_head_if_missing(connection: Connection, chain_id: str) -> None:
    table = ChainHead.__table__
    values = {"chain_id": chain_id, "seq": 0, "hash": GENESIS_HASH, "checkpointed_seq": 0}
    values["updated_at"] = utcnow()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        connection.execute(pg_insert(table).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        connection.execute(sqlite_insert(table).values(**values).on_conflict_do_nothing())
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        exists = connection.execute(table.select().where(table.c.chain_id == chain_id)).first()
        if exists is None:
            connection.execute(insert(table).values(**values))


def advance_chain(connection: Connection, chain_id: str, count: int) -> tuple[int, str]:
    """Reserve ``count`` positions at the end of a chain: (first new seq, hash before it).

    The head row stays locked until the transaction ends (module docstring); the caller
    must store its rows and then call :func:`set_chain_head` in the same transaction.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    table = ChainHead.__table__
    advance = (
        update(table)
        .where(table.c.chain_id == chain_id)
        .values(seq=table.c.seq + count, updated_at=utcnow())
        .returning(table.c.seq, table.c.hash)
    )
    row = connection.execute(advance).first()
    if row is None:  # a chain's first row: create its head (racing creators are harmless)
        _insert_head_if_missing(connection, chain_id)
        row = connection.execute(advance).one()
    return int(row.seq) - count + 1, row.hash


def set_chain_head(connection: Connection, chain_id: str, seq: int, head_hash: str) -> None:
    """Record the hash of the newest row after :func:`advance_chain`."""
    table = ChainHead.__table__
    connection.execute(
        update(table).where(table.c.chain_id == chain_id, table.c.seq == seq).values(hash=head_hash)
    )


def append_chained(
    connection: Connection,
    chain_id: str,
    items: Sequence[Any],
    content: Callable[[Any, int], Any],
    assign: Callable[[Any, int, str, str], None],
) -> None:
    """Give ``items`` consecutive positions in ``chain_id``.

    ``content(item, seq)`` returns what is hashed; ``assign(item, seq, prev_hash, hash)``
    stores the position on the item. Everything happens in the caller's transaction.
    """
    if not items:
        return
    seq, prev = advance_chain(connection, chain_id, len(items))
    for item in items:
        digest = row_hash(prev, content(item, seq))
        assign(item, seq, prev, digest)
        prev = digest
        seq += 1
    set_chain_head(connection, chain_id, seq - 1, prev)


def _hashable(value: Any) -> Any:
    """JSON-column values in a form ``canonical_json`` accepts, identical after a round trip.

    Floats become Decimals of their shortest repr (JSON stores exactly that text), other
    non-finite numbers strings.
    """
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else repr(value)
    if isinstance(value, dict):
        return {str(k): _hashable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_hashable(v) for v in value]
    return value


def values_digest(
    salt: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    ip: str,
    actor_label: str,
) -> str:
    """Salted hash of an audit row's redactable part (values, actor name, address), with
    the deployment suite's hash (SHA-256, or SM3 under the sm suite).

    The random salt (deleted on redaction) keeps the digest from confirming guesses of
    small values such as phone numbers once the values are gone.
    """
    return default_suite().hexdigest(_values_body(salt, old, new, ip, actor_label))


def values_digest_matches(
    stored: str | None,
    salt: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    ip: str,
    actor_label: str,
) -> bool:
    """Whether ``stored`` is the values digest under any suite: rows written before a
    change of suite keep the digest of the suite they were written under."""
    if stored is None:
        return False
    return digest_matches(_values_body(salt, old, new, ip, actor_label), stored)


def _values_body(
    salt: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    ip: str,
    actor_label: str,
) -> bytes:
    body = canonical_json(
        {"old": _hashable(old), "new": _hashable(new), "ip": ip, "actor_label": actor_label}
    )
    return b"hireflow/audit-values/v1\x00" + bytes.fromhex(salt) + body


def audit_chain_content(entry: AuditEntry, seq: int | None = None) -> dict[str, Any]:
    """What an audit row's hash covers (personal values only through ``values_digest``)."""
    return {
        "v": 1,
        "tenant": entry.tenant_id,
        "seq": entry.seq if seq is None else seq,
        "actor": entry.actor_id,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "request_id": entry.request_id,
        "at": entry.created_at,
        "values": entry.values_digest,
    }


def _seal_values(entry: AuditEntry) -> None:
    if entry.values_digest is None:
        entry.values_salt = entry.values_salt or os.urandom(16).hex()
        entry.values_digest = values_digest(
            entry.values_salt,
            entry.old_values,
            entry.new_values,
            entry.ip or "",
            entry.actor_label or "",
        )


def _assign(entry: AuditEntry, seq: int, prev: str, digest: str) -> None:
    entry.seq, entry.prev_hash, entry.hash = seq, prev, digest


_ORDER = itertools.count()


@event.listens_for(Session, "before_flush")
def _chain_new_audit_rows(session: Session, _context: Any, _instances: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, AuditEntry) and obj.hash is None]
    if not new:
        return
    new.sort(key=lambda entry: getattr(entry, "_chain_order", -1))
    chains: dict[int | None, list[AuditEntry]] = {}
    for entry in new:
        if entry.created_at is None:
            entry.created_at = utcnow()
        entry.request_id = entry.request_id or ""
        entry.target_type = entry.target_type or ""
        entry.target_id = entry.target_id or ""
        _seal_values(entry)
        chains.setdefault(entry.tenant_id, []).append(entry)
    connection = session.connection()
    for tenant_id in sorted(chains, key=lambda t: -1 if t is None else t):
        append_chained(
            connection,
            audit_chain_id(tenant_id),
            chains[tenant_id],
            lambda entry, seq: audit_chain_content(entry, seq),
            _assign,
        )


def _record_row(
    session: Session,
    row: Any,
    action: str,
    actor: Principal | None,
    target_type: str,
    target_id: Any,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> None:
    target = row.id if target_id is None else target_id
    record_on(session, action, actor, (target_type, target), old=old, new=new)


def commit_created(
    session: Session,
    row: Any,
    action: str,
    *,
    actor: Principal | None,
    target_type: str,
    new: dict[str, Any],
    target_id: Any = None,
) -> None:
    """Add ``row``, audit its creation (``target_id`` defaults to the row's new id) and
    commit: the last step of a service that creates one thing."""
    session.add(row)
    session.flush()
    _record_row(session, row, action, actor, target_type, target_id, new=new)
    session.commit()


def commit_deleted(
    session: Session,
    row: Any,
    action: str,
    *,
    actor: Principal | None,
    target_type: str,
    old: dict[str, Any] | None = None,
    target_id: Any = None,
) -> None:
    """Audit what ``row`` was (``target_id`` defaults to its id), delete it and commit: the
    last step of a service that deletes one thing."""
    _record_row(session, row, action, actor, target_type, target_id, old=old)
    session.delete(row)
    session.commit()


def commit_changed(
    session: Session,
    action: str,
    *,
    actor: Principal | None,
    target_type: str,
    target_id: Any,
    before: dict[str, Any],
    after: dict[str, Any],
) -> bool:
    """Audit what differs between ``before`` and ``after`` (nothing differs: no row) and
    commit: the last step of a service that edits one thing. True when something changed."""
    old, new = diff(before, after)
    if new:
        record_on(session, action, actor, (target_type, target_id), old=old, new=new)
    session.commit()
    return bool(new)


def commit_recorded(session: Session, action: str, **row: Any) -> None:
    """:func:`record` an audit row (``row``: its keyword arguments) and commit it with the
    change it describes: the last step of a service whose audit row is not a plain creation,
    deletion or edit (:func:`commit_created`, :func:`commit_deleted`, :func:`commit_changed`)."""
    record(session, action, **row)
    session.commit()


def record_on(
    session: Session,
    action: str,
    actor: Principal | None,
    target: tuple[str, Any],
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditEntry:
    """:func:`record` with who acts and on what in order, ``target`` being (type, id): a row in
    one line, ``audit.record_on(session, "x.done", principal, ("x", x.id), new={...})``."""
    target_type, target_id = target
    return record(
        session, action, actor=actor, target_type=target_type, target_id=target_id, old=old, new=new
    )


def commit_on(
    session: Session, action: str, actor: Principal | None, target: tuple[str, Any], **values: Any
) -> None:
    """:func:`record_on` (``values``: its ``old`` and ``new``) and commit: :func:`commit_recorded`
    in one line."""
    record_on(session, action, actor, target, **values)
    session.commit()


def record_row(
    session: Session,
    action: str,
    actor: Principal | None,
    target_type: str,
    row: Any,
    fields: Mapping[str, str | Callable[[Any], Any]],
) -> AuditEntry:
    """:func:`record` ``action`` on ``row`` (the target is its id), its ``new`` values read from
    the row: ``fields`` maps each key to the attribute it is read from, or to a function of the
    row for a value worked out (a snapshot of what the row now holds)."""
    new = {
        key: getattr(row, source) if isinstance(source, str) else source(row)
        for key, source in fields.items()
    }
    return record(session, action, actor=actor, target_type=target_type, target_id=row.id, new=new)


def redact(entry: AuditEntry) -> None:
    """Remove an audit row's personal values, keeping its digest so the chain still verifies."""
    entry.old_values = None
    entry.new_values = None
    entry.ip = ""
    entry.actor_label = ""
    entry.values_salt = None
    entry.redacted_at = utcnow()


def _actor_label(actor: Principal | None) -> str:
    """Staff are named in their audit rows; a candidate or employee acting on their own data is
    labelled by role (the row's ``actor_id`` still says who), so no data subject's name sits in
    the log in plain text."""
    if actor is None:
        return "system"
    if actor.is_staff:
        return actor.name
    return "employee" if Role.EMPLOYEE in actor.roles else "candidate"


def record(
    session: Session,
    action: str,
    *,
    actor: Principal | None,
    target_type: str = "",
    target_id: Any = "",
    tenant_id: int | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Add an audit row to the session's transaction (it commits or rolls back with it)."""
    context = request_context.get()
    entry = AuditEntry(
        tenant_id=tenant_id if tenant_id is not None else (actor.tenant_id if actor else None),
        actor_id=actor.user_id if actor else None,
        actor_label=actor_label or _actor_label(actor),
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id != "" else "",
        old_values=_jsonable(old) if old is not None else None,
        new_values=_jsonable(new) if new is not None else None,
        request_id=context.request_id,
        ip=context.ip,
        created_at=utcnow(),
    )
    entry._chain_order = next(_ORDER)  # type: ignore[attr-defined]
    session.add(entry)
    return entry


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the keys that changed, as (old values, new values)."""
    changed = [key for key in new if old.get(key) != new.get(key)]
    return {k: old.get(k) for k in changed}, {k: new.get(k) for k in changed}


def mask_personal(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Hide personal values from viewers who may audit but not see people (IT, auditors)."""
    if values is None:
        return None
    return {
        k: (MASK if k in PERSONAL_KEYS and v not in (None, "") else v) for k, v in values.items()
    }


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_LONG_DIGITS = re.compile(r"\+?\d[\d\s-]{6,}\d")
_ID_NUMBER = re.compile(r"\b\d{17}[\dXx]\b")


def scrub(text: str) -> str:
    """Remove what looks like personal data from free text bound for logs."""
    text = _EMAIL.sub("[email]", text)
    text = _ID_NUMBER.sub("[id]", text)
    return _LONG_DIGITS.sub("[number]", text)
