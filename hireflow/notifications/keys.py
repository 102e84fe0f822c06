"""Encryption of small secrets in columns (channel credentials, calendar addresses)."""

from __future__ import annotations

from hireflow.core import pii
from hireflow.core.crypto import Keyring, decrypt_field, encrypt_field
from hireflow.core.settings import Settings
from hireflow.notifications.models import SECRETS_CONTEXT


def keyring(settings: Settings) -> Keyring:
    """Field-encryption keys from the master key and, during a rotation, the previous ones
    (tokens ``rotate-keys`` has not reached yet still read); the development key only
    outside production."""
    return pii.keyring_from_settings(settings, set_suite=False)


def encrypt_value(value: str, settings: Settings, context: str) -> str:
    """Encrypt a small secret for a column (AES-256-GCM field token bound to ``context``)."""
    return encrypt_field(value, keyring(settings), context)


def decrypt_value(token: str, settings: Settings, context: str) -> str:
    return decrypt_field(token, keyring(settings), context)


def secret_context(tenant_id: int, channel: str) -> str:
    return pii.row_context(SECRETS_CONTEXT, {"tenant_id": tenant_id, "channel": channel})
