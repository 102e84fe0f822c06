"""Encryption of small secrets in columns (channel credentials, calendar addresses)."""

from __future__ import annotations

from hireflow.core.crypto import Keyring, decrypt_field, encrypt_field
from hireflow.core.settings import Settings


def keyring(settings: Settings) -> Keyring:
    """Field-encryption keys from the master key (the development key only outside production)."""
    return Keyring.from_settings(
        settings.master_key, allow_development_key=not settings.is_production
    )


def encrypt_value(value: str, settings: Settings, context: str) -> str:
    """Encrypt a small secret for a column (AES-256-GCM field token bound to ``context``)."""
    return encrypt_field(value, keyring(settings), context)


def decrypt_value(token: str, settings: Settings, context: str) -> str:
    return decrypt_field(token, keyring(settings), context)


def secret_context(tenant_id: int, channel: str) -> str:
    return f"notification_channels.secrets:{tenant_id}:{channel}"
