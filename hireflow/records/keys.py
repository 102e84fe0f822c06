"""Which master keys protect this database, and refusing a wrong one (SPEC G2).

Every master key that has protected data here is listed in ``key_registry`` with a check
value encrypted under it. :func:`check_keyring` runs when the web app starts and before
every record command: a key id still in use that the configured keyring lacks, or a check
value that does not decrypt, stops the process with a message naming the setting to fix,
before anything is written under the wrong key.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError as DBIntegrityError
from sqlalchemy.orm import Session

from hireflow.core import pii
from hireflow.core.crypto import CryptoConfigError, CryptoError, Keyring
from hireflow.core.db import utcnow
from hireflow.core.i18n import named_list
from hireflow.records.models import KeyRegistryEntry

KEY_CHECK = "hireflow key check v1"


def _check_context(key_id: str) -> str:
    return f"key_registry.check:{key_id}"


def check_keyring(session: Session, ring: Keyring | None = None) -> Keyring:
    """Refuse a keyring that cannot read this database; register its current key.

    Raises ``CryptoConfigError`` (missing, malformed or wrong key). Commits the
    registration of a new current key.
    """
    ring = ring or pii.keyring()
    rows = list(session.scalars(select(KeyRegistryEntry).order_by(KeyRegistryEntry.first_used_at)))
    in_use = [row for row in rows if row.retired_at is None]
    missing = [row.key_id for row in in_use if row.key_id not in ring]
    if missing:
        raise CryptoConfigError(
            "HIREFLOW_MASTER_KEY does not match this database: its data is protected under "
            f"{named_list('master key', missing)}, which the configured "
            f"{named_list('key', ring.key_ids)} {'does' if len(ring.key_ids) == 1 else 'do'} "
            "not include. Configure the right key (during a rotation, list the old one in "
            "HIREFLOW_PREVIOUS_MASTER_KEYS). Nothing was written."
        )
    for row in in_use:
        try:
            value = pii.decrypt_value(row.check_token, _check_context(row.key_id), ring)
        except CryptoError as exc:
            raise CryptoConfigError(
                f"master key {row.key_id}: the key check value does not decrypt ({exc}); the "
                "configured key is not the one that protected this data"
            ) from exc
        if value != KEY_CHECK:
            raise CryptoConfigError(f"master key {row.key_id}: the key check value is wrong")
    register_current_key(session, ring, commit=True)
    return ring


def register_current_key(session: Session, ring: Keyring, *, commit: bool = False) -> None:
    """Make sure the ring's current key is listed (a primary-key lookup per transaction)."""
    key_id = ring.current.key_id
    row = session.get(KeyRegistryEntry, key_id)
    if row is None:
        row = KeyRegistryEntry(
            key_id=key_id,
            check_token=pii.encrypt_value(KEY_CHECK, _check_context(key_id), ring),
            first_used_at=utcnow(),
        )
        try:
            with session.begin_nested():
                session.add(row)
        except DBIntegrityError:
            pass  # another process registered it at the same moment
    elif row.retired_at is not None:
        row.retired_at = None
    if commit:
        session.commit()


def retire_key(session: Session, key_id: str) -> None:
    """Mark a key as no longer protecting anything (after a completed rotation)."""
    row = session.get(KeyRegistryEntry, key_id)
    if row is not None and row.retired_at is None:
        row.retired_at = utcnow()
