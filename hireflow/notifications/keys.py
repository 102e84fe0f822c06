"""Encryption of small secrets in columns (channel credentials, calendar addresses)."""

from __future__ import annotations

from hireflow.core import pii
from hireflow.core.crypto import Keyring
from hireflow.core.settings import Settings
from hireflow.notifications.models import SECRETS_CONTEXT


def keyring(settings: Settings) -> Keyring:
    """Field-encryption keys from the master key and, during a rotation, the previous ones
    (tokens ``rotate-keys`` has not reached yet still read); the development key only
    outside production."""
    return pii.keyring_from_settings(settings, set_suite=False)


def encrypt_value(value: str, settings: Settings, context: str) -> str:
    """Encrypt a small secret for a column (a field token bound to ``context``):
    ``pii.encrypt_value`` with the settings' keys."""
    return pii.encrypt_value(value, context, keyring(settings))


def decrypt_value(token: str, settings: Settings, context: str) -> str:
    """Decrypt a token made by :func:`encrypt_value`: ``pii.decrypt_value`` with the settings'
    keys, so a stored value that is not a token, or one no key reads, fails as every
    encrypted column does (``IntegrityError`` naming the context, never the value)."""
    return pii.decrypt_value(token, context, keyring(settings))


def secret_context(tenant_id: int, channel: str) -> str:
    return pii.row_context(SECRETS_CONTEXT, {"tenant_id": tenant_id, "channel": channel})
