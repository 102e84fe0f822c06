"""Passwords (Argon2id), opaque tokens stored as hashes, and signed cookie values."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from hireflow.core.errors import N_

_hasher = PasswordHasher()
# A real hash of a random password, verified against when the user does not exist, so a
# failed login takes the same time whether or not the account exists.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password in constant-ish time; ``None`` means "no such user"."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> str | None:
    """A reason to refuse a new password, or None. Messages are gettext msgids."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return N_("The password must have at least 10 characters.")
    if password.isdigit() or password.isalpha():
        return N_("The password must mix letters with digits or symbols.")
    return None


def new_token(prefix: str = "hf") -> str:
    """A random bearer secret with a readable prefix (helps secret scanners and people)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_hash(token: str) -> str:
    """SHA-256 is right here: tokens are long random strings, not guessable passwords."""
    return hashlib.sha256(token.encode()).hexdigest()


def constant_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Signer:
    """Signs small values (session ids, CSRF tokens) with the secret key and a purpose."""

    def __init__(self, secret_key: str, salt: str) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt=salt)

    def sign(self, value: str) -> str:
        return self._serializer.dumps(value)

    def unsign(self, signed: str, max_age: int | None = None) -> str | None:
        try:
            value = self._serializer.loads(signed, max_age=max_age)
        except (BadSignature, SignatureExpired):
            return None
        return value if isinstance(value, str) else None

    def unsign_timed(self, signed: str) -> tuple[str, datetime] | None:
        """The value and when it was signed (no age limit: the caller applies its own)."""
        try:
            value, signed_at = self._serializer.loads(signed, return_timestamp=True)
        except BadSignature:
            return None
        return (value, signed_at) if isinstance(value, str) else None
