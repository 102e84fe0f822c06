"""Encrypted columns and blind indexes for personal data (SPEC G2).

Any domain that stores a sensitive value (ID number, phone, birth date, ...) declares the
column with :class:`EncryptedText` and, where equality lookup is needed, a blind-index
column kept in sync by :func:`keep_blind_index`::

    from hireflow.core import pii

    class Candidate(Base):
        phone: Mapped[str] = mapped_column(pii.EncryptedText("candidates.phone"), default="")
        phone_index: Mapped[str | None] = mapped_column(pii.BlindIndexType(), index=True)

    pii.keep_blind_index(Candidate, "phone", "phone_index", kind="phone")

    # lookup (works during a key rotation too):
    stmt = select(Candidate).where(
        Candidate.phone_index.in_(pii.blind_index_values(typed, "phone", tenant_id=tenant.id))
    )

Values are encrypted with AES-256-GCM field encryption (``hireflow.core.crypto``) under
the process keyring built from ``settings.master_key`` (plus
``settings.previous_master_keys`` during a rotation). There is no plaintext fallback:
without a usable key, writing or reading an encrypted column raises
``CryptoConfigError``; a stored value that is not a token raises ``IntegrityError``.

The column context (``"candidates.phone"``) is authenticated with every value, so a token
copied into another column does not decrypt. A TypeDecorator does not know the row it is
writing, so tokens are bound to the column, not the row: moving a token between two rows of
the same column is not detected by the cipher (row-bound tokens are used where the code
controls the write, e.g. record entries, with :func:`encrypt_value`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, Text, event
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from hireflow.core import settings as settings_module
from hireflow.core.crypto import (
    FIELD_TOKEN_PREFIX,
    CryptoConfigError,
    IntegrityError,
    Keyring,
    decrypt_field,
    default_suite,
    encrypt_field,
    normalise_date,
    normalise_email,
    normalise_id_number,
    normalise_phone,
    normalise_text,
    use_suite,
)
from hireflow.core.crypto import blind_index as _hmac_index
from hireflow.core.process_value import ProcessValue

__all__ = [
    "BLIND_INDEX_LENGTH",
    "KINDS",
    "OWN_KEY",
    "ROW_TOKEN",
    "WRAPPED_KEY",
    "WRAPPED_KEYS_LISTED",
    "BlindIndexSpec",
    "BlindIndexType",
    "EncryptedJSON",
    "EncryptedText",
    "blind_index",
    "blind_index_values",
    "blind_indexes",
    "decrypt_document",
    "decrypt_value",
    "encrypt_document",
    "encrypt_value",
    "keep_blind_index",
    "keyring",
    "normalise",
    "override_keyring",
    "own_key",
    "reset_keyring",
    "row_context",
    "row_token",
    "wrapped_key",
    "wrapped_keys_listed",
]

BLIND_INDEX_BYTES = 16
BLIND_INDEX_LENGTH = BLIND_INDEX_BYTES * 2
"""Characters in a blind-index value (hex of 16 bytes)."""


# --------------------------------------------------------------------------- keyring


def _split_keys(value: str) -> list[str]:
    return [part.strip() for part in value.replace("\n", ",").split(",") if part.strip()]


def keyring_from_settings(settings: Any = None, *, set_suite: bool = True) -> Keyring:
    """Build the keyring from settings, refusing a missing, malformed or unsafe key.

    The published development key is accepted only outside production. Raises
    ``CryptoConfigError`` whose message names the setting to fix. ``set_suite=False`` leaves
    the process's suite alone (a ring built for one value, not for the process).
    """
    if settings is None:
        settings = settings_module.get_settings()
    allow_dev = not settings.is_production
    try:
        ring = Keyring.from_settings(
            settings.master_key,
            _split_keys(getattr(settings, "previous_master_keys", "") or ""),
            allow_development_key=allow_dev,
        )
        # The current key's suite (intl, or sm for "sm:<key>") is the deployment's: hash
        # chains, seals, blind indexes and new files use its algorithms.
        if set_suite:
            use_suite(ring.current.suite)
        return ring
    except CryptoConfigError as exc:
        raise CryptoConfigError(
            f"HIREFLOW_MASTER_KEY / HIREFLOW_PREVIOUS_MASTER_KEYS: {exc}"
        ) from exc


_KEYRING: ProcessValue[Keyring] = ProcessValue(keyring_from_settings)


def keyring() -> Keyring:
    """The process keyring (built once from settings; an override wins, for tools and tests)."""
    return _KEYRING.get()


def reset_keyring() -> None:
    """Forget the cached keyring (after the settings changed)."""
    _KEYRING.reset()


@contextmanager
def override_keyring(ring: Keyring) -> Iterator[Keyring]:
    """Use ``ring`` instead of the settings' keyring inside the block (rotation, tests)."""
    before = default_suite()
    with _KEYRING.override(ring):
        use_suite(ring.current.suite)
        try:
            yield ring
        finally:
            use_suite(before)


# --------------------------------------------------------------------------- values


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        raise TypeError("encrypted columns take str or date values, not datetimes")
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"encrypted columns take str values, got {type(value).__name__}")


def encrypt_value(value: str, context: str, ring: Keyring | None = None) -> str:
    """Encrypt one value bound to ``context`` (e.g. ``"record_entries.payload:3:41:7"``)."""
    return encrypt_field(_as_text(value), ring or keyring(), context)


def decrypt_value(token: str, context: str, ring: Keyring | None = None) -> str:
    """Decrypt a token made by :func:`encrypt_value` with the same context."""
    if not isinstance(token, str) or not token.startswith(FIELD_TOKEN_PREFIX):
        raise IntegrityError(
            f"{context}: the stored value is not encrypted; unencrypted personal data is "
            "never returned (run the column's encryption migration)"
        )
    return decrypt_field(token, ring or keyring(), context)


# Column ``info`` marks for master-key material in plain TEXT columns, which the types above
# cannot describe: key rotation finds every marked column in the models (``records.rotation``),
# and a column holding such values unmarked would be left under a key that is then retired.
ROW_TOKEN = "hireflow.row_token"  # noqa: S105 - an info key, not a secret
WRAPPED_KEY = "hireflow.wrapped_key"
WRAPPED_KEYS_LISTED = "hireflow.wrapped_keys_listed"
OWN_KEY = "hireflow.own_key"


def row_token(context: str) -> dict[str, str]:
    """``info=`` of a TEXT column of field tokens bound to their row: ``context`` is the
    template of each row's context over its columns (``"record_outbox.entry:{tenant_id}:
    {person_id}"``, see :func:`row_context`). Rotation re-encrypts each row with its own."""
    if "{" not in context:
        raise ValueError("a row-bound context names the row's columns, e.g. '{id}'")
    return {ROW_TOKEN: context}


def row_context(template: str, row: Any) -> str:
    """A row's context from its ``row_token`` template and its column values (a mapping)."""
    return template.format_map(row)


def wrapped_key() -> dict[str, bool]:
    """``info=`` of a TEXT column of data keys wrapped by the master key (``WrappedKey``
    tokens): rotation rewraps them, the data they protect is never touched."""
    return {WRAPPED_KEY: True}


def wrapped_keys_listed(position: int) -> dict[str, int]:
    """``info=`` of a JSON column holding a list of lists whose item ``position`` is a wrapped
    data key (an upload's chunks: ``[storage key, wrapped key, size]``): rotation rewraps
    each."""
    return {WRAPPED_KEYS_LISTED: position}


def own_key() -> dict[str, bool]:
    """``info=`` of a TEXT column of tokens each made under the key its row names (the key
    registry's check values): rotation adds a row for the new key and leaves these alone."""
    return {OWN_KEY: True}


class _Encrypted(TypeDecorator[Any]):
    """A TEXT column whose values are encrypted under ``context`` (``table.column``)."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        if not isinstance(context, str) or not context or ":" in context:
            raise ValueError("context must be 'table.column' (no ':'; rows are not bound)")
        super().__init__()
        self.context = context


class EncryptedText(_Encrypted):
    """A text column stored as an AES-256-GCM token bound to ``context`` (``table.column``).

    ``None`` stays NULL and ``""`` stays empty (neither is secret); anything else is
    encrypted on write and decrypted on read. A ``date`` is stored as ``YYYY-MM-DD``.
    Equal values encrypt differently: compare through a blind index, never with ``==``
    on this column. Reading a value that is not a token raises ``IntegrityError``.
    """

    # SQLAlchemy reads cache_ok from the class's own __dict__, never from a base: without
    # it every statement naming this column misses the compiled-statement cache
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        text = _as_text(value)
        if text == "":
            return ""
        return encrypt_field(text, keyring(), self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_value(value, self.context)

    def __repr__(self) -> str:
        return f"EncryptedText({self.context!r})"


class EncryptedJSON(_Encrypted):
    """A JSON document (a parsed resume, a rendered message's parameters) stored as one
    AES-256-GCM token bound to ``context``.

    The document is serialised (keys as written, non-ASCII kept) and encrypted whole: the
    database can no longer look inside it, which is the point; the code never queries these
    columns, only loads and saves them. Empty documents (``{}``, ``[]``) and ``None`` are
    stored as they are (nothing secret in them), so defaults stay readable. Reading a
    document written before encryption (plain JSON text) still works until the migration
    has encrypted it; nothing ever writes one in clear again.
    """

    cache_ok = True  # see EncryptedText

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return encrypt_document(value, self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return decrypt_document(value, self.context)

    def __repr__(self) -> str:
        return f"EncryptedJSON({self.context!r})"


def encrypt_document(value: Any, context: str, ring: Keyring | None = None) -> str:
    """A JSON-serialisable value as one field token (empty containers stay plain JSON)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    if value in ({}, []):
        return text
    return encrypt_value(text, context, ring)


def decrypt_document(stored: Any, context: str, ring: Keyring | None = None) -> Any:
    """The value :func:`encrypt_document` stored (or a legacy plain JSON document)."""
    if isinstance(stored, dict | list):  # a JSON column not yet converted to text
        return stored
    if not isinstance(stored, str) or stored == "":
        return None if stored in (None, "") else stored
    if stored.startswith(FIELD_TOKEN_PREFIX):
        return json.loads(decrypt_field(stored, ring or keyring(), context))
    return json.loads(stored)


# --------------------------------------------------------------------------- blind index


def _normalise_birth_date(value: str) -> str:
    return normalise_date(value)


KINDS: dict[str, Callable[[str], str]] = {
    "phone": normalise_phone,
    "email": normalise_email,
    "id_number": normalise_id_number,
    "birth_date": _normalise_birth_date,
    "name": normalise_text,
    "text": normalise_text,
}
"""Blind-index kinds and their normalisers (equal after normalisation ⇒ equal index)."""


def normalise(value: str, kind: str) -> str:
    """The strict normal form of ``value`` for ``kind``; ``ValueError`` if it is not one."""
    try:
        normaliser = KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown blind-index kind {kind!r}; use one of {sorted(KINDS)}") from None
    return normaliser(_as_text(value))


def _lenient(value: str, kind: str) -> str:
    """Strict form, or for values the strict normaliser rejects (legacy data such as
    "138-0013 ext. 5") a tagged generic form: lookups of the same odd value still match,
    and storing never fails on messy imports."""
    try:
        return normalise(value, kind)
    except ValueError:
        if kind not in KINDS:
            raise
        return "\x00raw:" + normalise_text(_as_text(value))


def _scope(tenant_id: int | str | None) -> str:
    return "" if tenant_id is None else str(tenant_id)


def blind_index(
    value: str, kind: str, *, tenant_id: int | str | None = None, ring: Keyring | None = None
) -> str:
    """Keyed equality index of ``value`` under the current master key (32 hex digits).

    The key is derived per ``kind`` and tenant: the same phone number gives unrelated
    values in two tenants. Store the result in a ``BlindIndexType`` column.
    """
    master = (ring or keyring()).current
    key = master.blind_index_key(kind, _scope(tenant_id))
    return _hmac_index(_lenient(value, kind), key, length=BLIND_INDEX_BYTES)


def blind_index_values(
    value: str, kind: str, *, tenant_id: int | str | None = None, ring: Keyring | None = None
) -> list[str]:
    """The index of ``value`` under every key in the ring, current first.

    Search with ``column.in_(blind_index_values(...))``: rows not yet re-indexed by a
    running key rotation are still found.
    """
    ring = ring or keyring()
    normalised = _lenient(value, kind)
    values = []
    for key_id in ring.key_ids:
        key = ring.get(key_id).blind_index_key(kind, _scope(tenant_id))
        values.append(_hmac_index(normalised, key, length=BLIND_INDEX_BYTES))
    return values


class BlindIndexType(TypeDecorator[str]):
    """Column type of a blind index: 32 hex digits (indexed, nullable)."""

    impl = String(BLIND_INDEX_LENGTH)
    cache_ok = True


@dataclass(frozen=True)
class BlindIndexSpec:
    """A blind-index column kept in sync with an encrypted source column."""

    model: type
    source: str
    index: str
    kind: str
    tenant: str | None

    def compute(self, obj: Any, ring: Keyring | None = None) -> str | None:
        """The index value for ``obj``'s current source value (None for empty values)."""
        value = getattr(obj, self.source)
        if value is None or value == "":
            return None
        tenant_id = getattr(obj, self.tenant) if self.tenant else None
        return blind_index(value, self.kind, tenant_id=tenant_id, ring=ring)


_SPECS: list[BlindIndexSpec] = []


def blind_indexes() -> tuple[BlindIndexSpec, ...]:
    """Every blind index registered with :func:`keep_blind_index` (key rotation uses them)."""
    return tuple(_SPECS)


def keep_blind_index(
    model: type, source: str, index: str, *, kind: str, tenant: str | None = "tenant_id"
) -> BlindIndexSpec:
    """Keep ``model.<index>`` equal to the blind index of ``model.<source>`` on every flush.

    ``tenant`` names the attribute that scopes the index key (``None`` for a global key).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown blind-index kind {kind!r}")
    spec = BlindIndexSpec(model, source, index, kind, tenant)

    def _sync(_mapper: Any, _connection: Any, target: Any) -> None:
        setattr(target, index, spec.compute(target))

    event.listen(model, "before_insert", _sync)
    event.listen(model, "before_update", _sync)
    _SPECS.append(spec)
    return spec
