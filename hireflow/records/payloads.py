"""What an HR record entry stores, and how: its facts and data made JSON-plain, what its hash
covers (``entry_content``), and its personal data (``data``) as a payload encrypted under its
own data key, bound to its row (``payload_context``). Used by ``records.timeline`` when an
entry is appended, and by whatever reads, verifies or rewrites stored entries.
"""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from hireflow.core import pii
from hireflow.core.crypto import (
    SUITES,
    Keyring,
    WrappedKey,
    default_suite,
    generate_data_key,
    unwrap_key,
    wrap_key,
)
from hireflow.core.crypto import IntegrityError as CryptoIntegrityError
from hireflow.core.file_crypto import decrypt_bytes, encrypt_bytes
from hireflow.records.chain import canonical_json
from hireflow.records.models import RecordEntry

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_FACTS_BYTES = 8 * 1024


class EntryError(ValueError):
    """An entry's type, facts or data cannot be stored (the message says which and why)."""


def payload_context(tenant_id: int, person_id: int, seq: int) -> str:
    """The AES-GCM context of an entry's payload: bound to its row."""
    return f"record_entries.payload:{tenant_id}:{person_id}:{seq}"


# --------------------------------------------------------------------------- values


def plain_data(value: Any, where: str, depth: int = 0) -> Any:
    """JSON-plain data whose canonical form survives a JSON column unchanged.

    Floats become canonical decimal strings ("8.2"), Decimals likewise; datetimes must be
    aware and become UTC strings; nesting is bounded.
    """
    if depth > 6:
        raise EntryError(f"{where}: nested too deeply")
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise EntryError(f"{where}: {value!r} is not a finite number")
        return _decimal_text(Decimal(repr(value)))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise EntryError(f"{where}: {value} is not a finite number")
        return _decimal_text(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise EntryError(f"{where}: naive datetime; use timezone-aware datetimes")
        return json.loads(canonical_json(value))
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EntryError(f"{where}: keys must be strings")
            result[str(key)] = plain_data(item, f"{where}.{key}", depth + 1)
        return result
    if isinstance(value, list | tuple):
        return [plain_data(item, f"{where}[{i}]", depth + 1) for i, item in enumerate(value)]
    try:
        return json.loads(canonical_json(value))
    except ValueError:
        raise EntryError(f"{where}: {type(value).__name__} cannot be stored") from None


def _decimal_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def plain_facts(facts: dict[str, Any] | None) -> dict[str, Any]:
    """Validate and normalise an entry's facts (non-identifying, small, JSON-plain)."""
    if facts is None:
        return {}
    if not isinstance(facts, dict):
        raise EntryError("facts must be a mapping")
    plain = plain_data(facts, "facts")
    for key in plain:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,59}", key):
            raise EntryError(f"facts key {key!r} must be a lower-case identifier")
    if len(canonical_json(plain)) > MAX_FACTS_BYTES:
        raise EntryError(f"facts are larger than {MAX_FACTS_BYTES} bytes; put text in data")
    return plain


def as_number(value: Any) -> float | None:
    """A score or count from facts (stored as int or decimal string), or None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return float(value)
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return float(number) if number.is_finite() else None


# --------------------------------------------------------------------------- content


def entry_content(entry: RecordEntry, seq: int | None = None) -> dict[str, Any]:
    """What an entry's hash covers. Personal data only through ``payload_digest``."""
    return {
        "v": 1,
        "tenant": entry.tenant_id,
        "person": entry.person_id,
        "seq": entry.seq if seq is None else seq,
        "type": entry.type,
        "source": entry.source,
        "actor": entry.actor_id,
        "actor_label": entry.actor_label,
        "at": entry.occurred_at,
        "recorded_at": entry.recorded_at,
        "opening": entry.opening_id,
        "attachment": entry.attachment_id,
        "facts": entry.facts,
        "payload": entry.payload_digest,
        "import_key": entry.import_key,
        "checksum": entry.source_checksum,
    }


PAYLOAD_PREFIX = "hfp1."


def payload_digest(token: str) -> str:
    """Hash of the stored (encrypted) payload token (SHA-256, or SM3 under the sm suite)."""
    return default_suite().hexdigest(token.encode("ascii"))


def payload_digest_matches(token: str, stored: str | None) -> bool:
    """Whether ``stored`` is the token's digest under any suite (rows written before a
    change of suite keep theirs)."""
    body = token.encode("ascii")
    return stored is not None and any(s.hexdigest(body) == stored for s in SUITES.values())


def encrypt_payload(text: str, context: str, ring: Keyring) -> tuple[str, str]:
    """(payload token, wrapped data key) for one entry's canonical JSON."""
    data_key = generate_data_key()
    sealed = encrypt_bytes(text.encode("utf-8"), data_key, context)
    token = PAYLOAD_PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")
    return token, wrap_key(data_key, ring).to_token()


def decrypt_payload(entry: Any, ring: Keyring | None = None) -> dict[str, Any] | None:
    """The entry's personal data, or None when it has none or it was erased.

    Raises ``IntegrityError`` when the payload or its key was altered.
    """
    if entry.payload is None or entry.payload_key is None:
        return None
    ring = ring or pii.keyring()
    if not entry.payload.startswith(PAYLOAD_PREFIX):
        raise CryptoIntegrityError("entry payload is not an encrypted payload token")
    body = entry.payload[len(PAYLOAD_PREFIX) :]
    try:
        sealed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except ValueError:
        raise CryptoIntegrityError("entry payload is not valid base64url") from None
    data_key = unwrap_key(WrappedKey.from_token(entry.payload_key), ring)
    context = payload_context(entry.tenant_id, entry.person_id, entry.seq)
    data = json.loads(decrypt_bytes(sealed, data_key, context).decode("utf-8"))
    return data if isinstance(data, dict) else {"value": data}
