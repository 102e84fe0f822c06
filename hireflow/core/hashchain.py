"""The row hash of every hash chain (the audit trail, the HR record; SPEC G3).

``hireflow.records.chain`` builds chains, verifies them and signs checkpoints on top of
these primitives; the audit trail (``hireflow.core.audit``) hashes its rows with them.

    hash = SHA-256( b"hireflow/chain/v1\\x00" | prev_hash (32 raw bytes) | canonical_json(content) )

(SM3 instead of SHA-256 under the ``sm`` crypto suite.)

Canonical JSON (what ``canonical_json`` hashes):

- objects with ``str`` keys sorted by Unicode code point, no whitespace
  (``separators=(",", ":")``), UTF-8 without ``\\u`` escapes for non-ASCII text;
  strings are hashed exactly as given (no Unicode normalisation, so a change of
  normal form is a change);
- ``None``, ``bool`` and ``int`` as JSON literals (``True`` is never ``1``);
- ``float`` is refused: binary floats invite "is 0.1 the same as 0.1000000000000000055?"
  disputes; pass an ``int`` (e.g. score x 100), a ``Decimal`` or a ``str`` instead;
- ``Decimal`` becomes a JSON string in plain notation without trailing zeros
  (``Decimal("8.20")`` → ``"8.2"``, ``Decimal("1E+2")`` → ``"100"``), so a value read
  back from a NUMERIC column or a JSON text column hashes as it did when written;
- timezone-aware ``datetime`` becomes a string in UTC with microseconds,
  ``"2024-05-01T08:30:00.000000Z"``; naive datetimes are refused; ``date`` becomes
  ``"YYYY-MM-DD"``; ``UUID`` becomes its lower-case hyphenated string;
- lists and tuples become arrays; bytes, sets, times and other types are refused.

Because Decimal, datetime and UUID become strings, content that went through a JSON
column and came back as strings still verifies.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from hireflow.core.crypto import SUITES, CryptoSuite, default_suite

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first row of every chain."""

FIRST_SEQ = 1
"""Sequence number of the first row of every chain."""

_ROW_DOMAIN = b"hireflow/chain/v1\x00"
HASH_RE = re.compile(r"[0-9a-f]{64}")


class CanonicalJSONError(ValueError):
    """Content holds a value that has no single canonical encoding (float, naive datetime...)."""


# --------------------------------------------------------------------------- canonical JSON


class _PathError(Exception):
    """Internal: a refused value and the path to it, built up while unwinding."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.path: list[str] = []


_PLAIN = frozenset({str, int, bool, type(None)})


def _canonical_value(value: Any) -> Any:
    """Plain JSON data (str, int, bool, None, dict, list) with the same canonical meaning."""
    kind = type(value)
    # Fast path for the exact built-in types that make up nearly all content.
    if kind in _PLAIN:
        return value
    if kind is dict:
        result = {}
        for key, item in value.items():
            if type(key) is not str:
                if not isinstance(key, str):
                    raise _PathError(f"object key {key!r} is not a str")
                key = str.__str__(key)  # a str subclass (StrEnum) becomes a plain str
            if type(item) in _PLAIN:
                result[key] = item
                continue
            try:
                result[key] = _canonical_value(item)
            except _PathError as exc:
                exc.path.append(f".{key}")
                raise
        return result
    if kind is list or kind is tuple:
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_canonical_value(item))
            except _PathError as exc:
                exc.path.append(f"[{index}]")
                raise
        return items
    return _canonical_other(value)


def _canonical_other(value: Any) -> Any:
    # Order matters: bool is an int, datetime is a date, StrEnum is a str.
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, float):
        raise _PathError(f"float {value!r} has no canonical form; use int, Decimal or str")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _PathError(f"Decimal {value} is not finite")
        text = format(value.normalize(), "f")
        return "0" if text in {"-0", "0"} else text
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise _PathError(f"naive datetime {value!r}; attach a time zone")
        utc = value.astimezone(UTC).replace(tzinfo=None)
        return utc.isoformat(timespec="microseconds") + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return _canonical_value(dict(value))
    if isinstance(value, list | tuple):
        return _canonical_value(list(value))
    raise _PathError(f"{type(value).__name__} has no canonical JSON form")


def prepare(value: Any) -> Any:
    try:
        return _canonical_value(value)
    except _PathError as exc:
        path = "$" + "".join(reversed(exc.path))
        raise CanonicalJSONError(f"{path}: {exc.message}") from None


_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON encoding of ``value`` (rules in the module docstring)."""
    prepared = prepare(value)
    try:
        return _ENCODER.encode(prepared).encode("utf-8")
    except (UnicodeEncodeError, ValueError) as exc:
        # Lone surrogates cannot be UTF-8; ints beyond Python's digit limit cannot print.
        raise CanonicalJSONError(f"content cannot be encoded canonically: {exc}") from exc


# --------------------------------------------------------------------------- rows


def check_hash(value: Any, what: str) -> str:
    if not isinstance(value, str) or not HASH_RE.fullmatch(value):
        raise ValueError(f"{what} must be 64 lower-case hex digits, got {value!r}")
    return value


def row_hash(prev_hash: str, content: Any) -> str:
    """Hex SHA-256 of a row: domain tag, the previous row's hash (raw) and canonical content.

    Put everything that must be tamper-evident into ``content`` (entry type, subject,
    actor, timestamp, payload). The domain tag keeps these hashes from being confused
    with any other SHA-256 in the system.
    """
    return _row_hash_checked(check_hash(prev_hash, "prev_hash"), content)


def _row_hash_checked(prev_hash: str, content: Any, suite: CryptoSuite | None = None) -> str:
    """``row_hash`` for a prev_hash already known to be well-formed, with the deployment's
    hash (SHA-256, or SM3 under the ``sm`` suite)."""
    return (suite or default_suite()).hexdigest(
        _ROW_DOMAIN + bytes.fromhex(prev_hash) + canonical_json(content)
    )


def row_hash_matches(prev_hash: str, content: Any, stored: str) -> bool:
    """Whether ``stored`` is the row's hash under any suite: a chain keeps the rows hashed
    before a change of suite (SHA-256) beside the newer ones (SM3); both are collision
    resistant, so accepting either adds no way to forge a row."""
    body = _ROW_DOMAIN + bytes.fromhex(prev_hash) + canonical_json(content)
    current = default_suite()
    if hmac.compare_digest(current.hexdigest(body), stored):
        return True
    return any(
        hmac.compare_digest(other.hexdigest(body), stored)
        for other in SUITES.values()
        if other.name != current.name
    )
