"""Encryption primitives for the HR record (SPEC G2, K3).

Everything here is built from audited primitives of the ``cryptography`` package
(AES-256-GCM, HKDF-SHA256, HMAC-SHA256; under the sm suite SM4-GCM, HKDF-SM3, HMAC-SM3,
see ``CryptoSuite``); nothing is home-made below the level of "which bytes go into the
AEAD". The module has no database, settings or I/O of its own:
keys and streams come in as parameters, so the same code serves the web app, the worker,
the key-rotation command and the tests.

Key hierarchy::

    master key (32 bytes, from settings or a KMS)            key id = HMAC fingerprint
      ├─ HKDF "wrap"          → key-encryption key: wraps per-file data keys
      ├─ HKDF "field"         → encrypts sensitive columns (ID number, phone, birth date)
      └─ HKDF "blind-index"   → per column (and tenant) HMAC keys for equality lookups

    data key (32 random bytes per file) → encrypts one file in authenticated chunks;
    stored only wrapped (``WrappedKey``); deleting the wrapped key crypto-shreds the file.

Files are encrypted in authenticated chunks by ``hireflow.core.file_crypto``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hireflow.core.i18n import named_list
from hireflow.core.normalise import (
    normalise_date,
    normalise_email,
    normalise_id_number,
    normalise_phone,
    normalise_text,
)

__all__ = [
    "DEVELOPMENT_MASTER_KEY",
    "FIELD_TOKEN_PREFIX",
    "KEY_SIZE",
    "SM4GCM",
    "SUITES",
    "CryptoConfigError",
    "CryptoError",
    "CryptoSuite",
    "DigestSet",
    "IntegrityError",
    "KeyNotFoundError",
    "Keyring",
    "MasterKey",
    "WrappedKey",
    "blind_index",
    "decrypt_field",
    "default_suite",
    "digest_matches",
    "encrypt_field",
    "field_token_key_id",
    "field_token_nonce",
    "generate_data_key",
    "get_suite",
    "mac_matches",
    "normalise_date",
    "normalise_email",
    "normalise_id_number",
    "normalise_phone",
    "normalise_text",
    "reencrypt_field",
    "rewrap",
    "unwrap_key",
    "use_suite",
    "wrap_key",
]

KEY_SIZE = 32
"""Bytes in a master key and in a data key (AES-256)."""

_NONCE_SIZE = 12
_TAG_SIZE = 16
_KEY_ID_BYTES = 8

DEVELOPMENT_MASTER_KEY = "aGlyZWZsb3ctZGV2ZWxvcG1lbnQta2V5LW5vdC1zZWM="
"""The published development master key (base64 of ``b"hireflow-development-key-not-sec"``).

It lets a developer start the app with no configuration; ``MasterKey.from_setting``
refuses it unless the caller explicitly allows it (development mode only).
"""


class CryptoError(Exception):
    """Base class of every error raised by this module."""


class CryptoConfigError(CryptoError):
    """A key setting is missing, malformed, too weak or the published development key."""


class KeyNotFoundError(CryptoError):
    """Data was protected under a master key that the keyring does not hold."""


class IntegrityError(CryptoError):
    """Ciphertext failed authentication: it was altered, truncated, reordered or the key is wrong.

    No plaintext from the failing unit is ever returned.
    """


# --------------------------------------------------------------------------- keys


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _decode_key_setting(value: str) -> bytes:
    """Decode a key given as hex (64 digits) or base64 / base64url, optionally prefixed.

    Accepted prefixes: ``hex:`` and ``base64:``. Without one, 64 hex digits are read as
    hex (a 64-character base64 string would be 48 bytes, the wrong length anyway).
    """
    text = value.strip()
    if text.startswith("hex:"):
        try:
            return bytes.fromhex(text[4:])
        except ValueError as exc:
            raise CryptoConfigError("master key: the hex: value is not valid hex") from exc
    if text.startswith("base64:"):
        text = text[7:]
    elif re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    normalised = text.replace("-", "+").replace("_", "/")
    normalised += "=" * (-len(normalised) % 4)
    try:
        return base64.b64decode(normalised, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CryptoConfigError(
            "master key: expected 32 bytes as 64 hex digits or base64 "
            "(generate one with: python -c 'import os,base64;"
            "print(base64.b64encode(os.urandom(32)).decode())')"
        ) from exc


def _is_weak(key: bytes) -> bool:
    """Keys a person types by hand: one repeated byte or a simple counting sequence."""
    if len(set(key)) <= 2:
        return True
    steps = {(key[i + 1] - key[i]) % 256 for i in range(len(key) - 1)}
    return len(steps) == 1


# --------------------------------------------------------------------------- suites


class SM4GCM:
    """SM4 in GCM mode (GB/T 32907, GB/T 15852 framing as in RFC 8998) with ``AESGCM``'s
    interface: ``encrypt(nonce, data, aad)`` returns ciphertext plus the 16-byte tag. The
    128-bit SM4 key is the first half of an HKDF-SM3 expansion of the 32-byte key given."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_SIZE:
            raise ValueError(f"key must be {KEY_SIZE} bytes")
        self._key = HKDF(
            algorithm=hashes.SM3(), length=16, salt=b"hireflow/sm4/v1", info=b"sm4-gcm"
        ).derive(bytes(key))

    def encrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        encryptor = Cipher(algorithms.SM4(self._key), modes.GCM(nonce)).encryptor()
        if associated_data:
            encryptor.authenticate_additional_data(associated_data)
        return encryptor.update(data) + encryptor.finalize() + encryptor.tag

    def decrypt(self, nonce: bytes, data: bytes, associated_data: bytes | None) -> bytes:
        if len(data) < _TAG_SIZE:
            raise InvalidTag()
        decryptor = Cipher(
            algorithms.SM4(self._key), modes.GCM(nonce, data[-_TAG_SIZE:])
        ).decryptor()
        if associated_data:
            decryptor.authenticate_additional_data(associated_data)
        return decryptor.update(data[:-_TAG_SIZE]) + decryptor.finalize()


@dataclass(frozen=True)
class CryptoSuite:
    """The algorithms of one deployment (SPEC K3; GB/T 39786 for ``sm``).

    ``intl``: AES-256-GCM, SHA-256, HMAC-SHA256, HKDF-SHA256, Ed25519 signatures.
    ``sm``: SM4-GCM, SM3, HMAC-SM3, HKDF-SM3, SM2 signatures (GB/T 32918, via GmSSL).
    A master key belongs to one suite (its id says which, see ``MasterKey``); every hash,
    MAC, key derivation and encryption under it uses that suite's algorithm.
    """

    name: str
    hash_name: str
    aead_name: str
    signature: str

    def algorithm(self) -> hashes.HashAlgorithm:
        return hashes.SM3() if self.name == "sm" else hashes.SHA256()

    def digest(self, data: bytes) -> bytes:
        """The suite's hash of ``data`` (32 bytes)."""
        if self.name != "sm":
            return hashlib.sha256(data).digest()
        hasher = hashes.Hash(hashes.SM3())
        hasher.update(data)
        return hasher.finalize()

    def hexdigest(self, data: bytes) -> str:
        return self.digest(data).hex()

    def hasher(self) -> Any:
        """An incremental hash object (``update`` / ``hexdigest``) of the suite."""
        return _Hasher(self)

    def mac(self, key: bytes, data: bytes) -> bytes:
        """HMAC with the suite's hash (HMAC-SHA256 or HMAC-SM3)."""
        if self.name != "sm":
            return hmac.new(bytes(key), data, hashlib.sha256).digest()
        signer = crypto_hmac.HMAC(bytes(key), hashes.SM3())
        signer.update(data)
        return signer.finalize()

    def aead(self, key: bytes) -> AESGCM | SM4GCM:
        return SM4GCM(key) if self.name == "sm" else AESGCM(key)

    @property
    def digest_label(self) -> str:
        """The hash's short name in manifests and checksum files (``sha256`` or ``sm3``)."""
        return "sm3" if self.name == "sm" else "sha256"


class _Hasher:
    def __init__(self, suite: CryptoSuite) -> None:
        self.suite = suite
        self._hash = (
            hashes.Hash(hashes.SM3()) if suite.name == "sm" else hashlib.sha256()  # type: ignore[assignment]
        )

    def update(self, data: bytes) -> None:
        self._hash.update(data)

    def hexdigest(self) -> str:
        if isinstance(self._hash, hashes.Hash):
            return self._hash.finalize().hex()
        return self._hash.hexdigest()


class DigestSet:
    """One pass over data under every suite's hash, to check a stored digest.

    A stored checksum carries no algorithm tag (the columns and chains predate the SM
    suite): it was made by the suite in effect when it was written, so an installation
    rotated from one suite to the other keeps both kinds. Accepting a match under any
    suite is as strong as the weaker hash, and both are collision resistant; which suite
    matched is reported (``matched``) so a verifier can say how a digest was made.
    """

    def __init__(self) -> None:
        self._hashers = {name: _Hasher(suite) for name, suite in SUITES.items()}
        self._digests: dict[str, str] | None = None

    def update(self, data: bytes) -> None:
        if self._digests is not None:
            raise ValueError("the digests are already final")
        for hasher in self._hashers.values():
            hasher.update(data)

    def hexdigest(self, suite: CryptoSuite) -> str:
        if self._digests is None:
            self._digests = {name: hasher.hexdigest() for name, hasher in self._hashers.items()}
        return self._digests[suite.name]

    def matched(self, stored: str) -> CryptoSuite | None:
        """The suite whose digest of the data is ``stored`` (the process suite first)."""
        digests = {name: self.hexdigest(suite) for name, suite in SUITES.items()}
        order = [_default_suite.name] + [name for name in digests if name != _default_suite.name]
        for name in order:
            if hmac.compare_digest(digests[name], stored or ""):
                return SUITES[name]
        return None

    def matches(self, stored: str) -> bool:
        return self.matched(stored) is not None


def digest_matches(data: bytes, stored: str) -> bool:
    """Whether ``stored`` is the digest of ``data`` under any suite (see ``DigestSet``)."""
    digests = DigestSet()
    digests.update(data)
    return digests.matches(stored)


def mac_matches(key: bytes, data: bytes, stored_hex: str) -> bool:
    """Whether ``stored_hex`` is (a prefix of at least 16 hex digits of) the HMAC of
    ``data`` under any suite: keyed digests stored before a change of suite stay valid."""
    if len(stored_hex or "") < 16:
        return False
    return any(
        hmac.compare_digest(suite.mac(key, data).hex()[: len(stored_hex)], stored_hex)
        for suite in SUITES.values()
    )


SUITES: dict[str, CryptoSuite] = {
    "intl": CryptoSuite("intl", "SHA-256", "AES-256-GCM", "Ed25519"),
    "sm": CryptoSuite("sm", "SM3", "SM4-GCM", "SM2"),
}
_SUITE_PREFIX = "sm:"  # a master-key setting "sm:<key>" is a key of the SM suite
_default_suite = SUITES["intl"]


def get_suite(name: str) -> CryptoSuite:
    """The suite called ``name`` (``intl`` or ``sm``); ``CryptoConfigError`` otherwise."""
    try:
        return SUITES[name]
    except KeyError:
        raise CryptoConfigError(f"unknown crypto suite {name!r}: use intl or sm") from None


def default_suite() -> CryptoSuite:
    """The suite of the process keyring's current key (hash chains, seals, search terms)."""
    return _default_suite


def use_suite(suite: str | CryptoSuite) -> CryptoSuite:
    """Make ``suite`` the process default (the keyring's builder calls it)."""
    global _default_suite
    _default_suite = get_suite(suite) if isinstance(suite, str) else suite
    return _default_suite


class MasterKey:
    """A 32-byte master key with a public fingerprint (``key_id``).

    The master key never encrypts data directly: it is only HKDF input for the purpose
    keys (wrapping, field encryption, blind indexes). ``repr`` never shows key material.
    """

    __slots__ = ("_aead_cache", "_derived", "_key", "_lock", "key_id", "legacy_key_ids", "suite")

    def __init__(self, key: bytes, suite: str = "intl") -> None:
        if not isinstance(key, bytes | bytearray):
            raise CryptoConfigError("master key must be bytes")
        if len(key) != KEY_SIZE:
            raise CryptoConfigError(
                f"master key must be exactly {KEY_SIZE} bytes (256 bits), got {len(key)}"
            )
        if _is_weak(bytes(key)):
            raise CryptoConfigError("master key is trivially guessable (repeated or sequential)")
        self._key = bytes(key)
        self.suite: CryptoSuite = get_suite(suite)
        # The suite is part of the id: the same bytes used as an SM key are another key.
        tag = b"hireflow/key-id/v1" + (b"/sm" if self.suite.name == "sm" else b"")
        # HMAC with the suite's hash (HMAC-SM3 for an sm key). An sm key was named by its
        # HMAC-SHA256 fingerprint before ids followed the suite: data protected then carries
        # that id, which the keyring still resolves to this key (``legacy_key_ids``).
        self.key_id: str = self.suite.mac(self._key, tag)[:_KEY_ID_BYTES].hex()
        self.legacy_key_ids: tuple[str, ...] = ()
        if self.suite.name == "sm":
            legacy = hmac.new(self._key, tag, hashlib.sha256).digest()[:_KEY_ID_BYTES]
            self.legacy_key_ids = (legacy.hex(),)
        self._derived: dict[tuple[str, str], bytes] = {}
        self._aead_cache: dict[str, AESGCM | SM4GCM] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_setting(
        cls, value: str | bytes | None, *, allow_development_key: bool = False
    ) -> MasterKey:
        """Build the key from a setting string (hex or base64), refusing unsafe values.

        Raises ``CryptoConfigError`` when the value is missing or empty, does not decode to
        32 bytes, is trivially guessable, or is the published ``DEVELOPMENT_MASTER_KEY``
        (unless ``allow_development_key`` is true, which only development mode may pass).
        There is no fallback: without a usable key nothing sensitive can be stored.
        """
        if value is None or (isinstance(value, str | bytes) and not value.strip()):
            raise CryptoConfigError(
                "master key is not configured: set a 32-byte key (hex or base64); "
                "sensitive data is never stored unencrypted"
            )
        if isinstance(value, bytes):
            try:
                value = value.decode("ascii")
            except UnicodeDecodeError:
                raise CryptoConfigError("master key must be ASCII hex or base64") from None
        suite = "intl"
        if value.strip().startswith(_SUITE_PREFIX):
            suite, value = "sm", value.strip()[len(_SUITE_PREFIX) :]
        raw = _decode_key_setting(value)
        if len(raw) != KEY_SIZE:
            raise CryptoConfigError(
                f"master key must decode to exactly {KEY_SIZE} bytes, got {len(raw)}"
            )
        if not allow_development_key and hmac.compare_digest(
            raw, _decode_key_setting(DEVELOPMENT_MASTER_KEY)
        ):
            raise CryptoConfigError(
                "master key is the published development key; generate a secret key for "
                "any deployment that holds real data"
            )
        return cls(raw, suite)

    @classmethod
    def generate(cls, suite: str = "intl") -> MasterKey:
        """A fresh random key (for the key-generation command and tests)."""
        return cls(os.urandom(KEY_SIZE), suite)

    def to_setting(self) -> str:
        """The key as a string that ``from_setting`` reads back (``sm:`` + base64 for SM)."""
        encoded = base64.b64encode(self._key).decode("ascii")
        return _SUITE_PREFIX + encoded if self.suite.name == "sm" else encoded

    def derive(self, purpose: str, scope: str = "") -> bytes:
        """A 32-byte subkey for ``purpose`` (and an optional scope such as a tenant id).

        HKDF-SHA256 (RFC 5869) with the purpose and scope in ``info``: subkeys for different
        purposes or scopes are independent, and none reveals the master key.
        """
        if not purpose or "\x00" in purpose or "\x00" in scope:
            raise ValueError("purpose must be non-empty and neither purpose nor scope may hold NUL")
        cache_key = (purpose, scope)
        with self._lock:
            cached = self._derived.get(cache_key)
        if cached is not None:
            return cached
        hkdf = HKDF(
            algorithm=self.suite.algorithm(),
            length=KEY_SIZE,
            salt=b"hireflow/kdf/v1",
            info=b"hireflow/v1\x00" + purpose.encode() + b"\x00" + scope.encode(),
        )
        subkey = hkdf.derive(self._key)
        with self._lock:
            if len(self._derived) > 4096:
                self._derived.clear()
            self._derived[cache_key] = subkey
        return subkey

    def blind_index_key(self, column: str, tenant: str = "") -> bytes:
        """The HMAC key for one column's blind index, optionally scoped to a tenant.

        Scoping by tenant means the same phone number gives unrelated index values in two
        group companies, so index columns cannot be joined across tenants.
        """
        if not column:
            raise ValueError("column must be named")
        return self.derive("blind-index", f"{tenant}\x1f{column}")

    def _aead(self, purpose: str) -> AESGCM | SM4GCM:
        with self._lock:
            cipher = self._aead_cache.get(purpose)
        if cipher is None:
            cipher = self.suite.aead(self.derive(purpose))
            with self._lock:
                self._aead_cache[purpose] = cipher
        return cipher

    def __repr__(self) -> str:
        return f"MasterKey(key_id={self.key_id!r}, suite={self.suite.name!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, MasterKey):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(self.key_id)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("MasterKey is not picklable: keys must not leave the process")


class Keyring:
    """The current master key plus older ones kept only to unwrap and decrypt.

    New data is always protected under ``current``; data carries the key id it was
    protected under, so after a rotation both old and new data stay readable until the
    rotation command has rewrapped everything and the old key is retired.
    """

    def __init__(self, current: MasterKey, previous: Iterable[MasterKey] = ()) -> None:
        self.current = current
        self._keys: dict[str, MasterKey] = {current.key_id: current}
        for key in previous:
            self._keys.setdefault(key.key_id, key)
        self._aliases = {
            old: key.key_id for key in self._keys.values() for old in key.legacy_key_ids
        }

    @classmethod
    def from_settings(
        cls,
        current: str | None,
        previous: Iterable[str] = (),
        *,
        allow_development_key: bool = False,
    ) -> Keyring:
        """Build a keyring from setting strings; every key is checked like ``from_setting``."""
        return cls(
            MasterKey.from_setting(current, allow_development_key=allow_development_key),
            [
                MasterKey.from_setting(value, allow_development_key=allow_development_key)
                for value in previous
                if value and value.strip()
            ],
        )

    @property
    def key_ids(self) -> tuple[str, ...]:
        """Key ids in the ring, current first."""
        return tuple(self._keys)

    def get(self, key_id: str) -> MasterKey:
        """The master key with this id (or an id it had before, see ``MasterKey``), or
        ``KeyNotFoundError``."""
        try:
            return self._keys[self._aliases.get(key_id, key_id)]
        except KeyError:
            raise KeyNotFoundError(
                f"no master key {key_id} in the keyring (it holds "
                f"{named_list('key', list(self._keys))}); was an old key retired before all "
                "data was rewrapped?"
            ) from None

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys or key_id in self._aliases

    def __repr__(self) -> str:
        return f"Keyring(current={self.current.key_id!r}, keys={list(self._keys)!r})"


def _as_keyring(key: MasterKey | Keyring) -> Keyring:
    if isinstance(key, Keyring):
        return key
    if isinstance(key, MasterKey):
        return Keyring(key)
    raise TypeError(f"expected MasterKey or Keyring, got {type(key).__name__}")


# --------------------------------------------------------------------------- wrapping


_WRAP_DOMAIN = b"hireflow/wrap/v1\x00"


@dataclass(frozen=True)
class WrappedKey:
    """A data key encrypted under a master key (AES-256-GCM with the derived wrap key).

    Store it next to the file's row (``to_token`` gives one compact string). Deleting
    every copy of it makes the file unrecoverable: that is crypto-shredding.
    """

    key_id: str
    nonce: bytes
    ciphertext: bytes

    _TOKEN_PREFIX = "hfk1"  # noqa: S105 - a format tag, not a secret

    def to_token(self) -> str:
        """``hfk1.<key id>.<nonce>.<ciphertext>`` with base64url parts, ~90 characters."""
        return ".".join(
            (self._TOKEN_PREFIX, self.key_id, _b64url(self.nonce), _b64url(self.ciphertext))
        )

    @classmethod
    def from_token(cls, token: str) -> WrappedKey:
        """Parse ``to_token`` output; malformed input raises ``IntegrityError``."""
        parts = token.split(".") if isinstance(token, str) else []
        try:
            if len(parts) != 4 or parts[0] != cls._TOKEN_PREFIX:
                raise ValueError("shape")
            if not re.fullmatch(r"[0-9a-f]{16}", parts[1]):
                raise ValueError("key id")
            nonce, ciphertext = _b64url_decode(parts[2]), _b64url_decode(parts[3])
        except ValueError as exc:
            raise IntegrityError("wrapped key token is malformed") from exc
        if len(nonce) != _NONCE_SIZE or len(ciphertext) != KEY_SIZE + _TAG_SIZE:
            raise IntegrityError("wrapped key token has wrong sizes")
        return cls(parts[1], nonce, ciphertext)

    def __repr__(self) -> str:
        return f"WrappedKey(key_id={self.key_id!r})"


def generate_data_key() -> bytes:
    """32 fresh random bytes from the OS CSPRNG, one per file."""
    return os.urandom(KEY_SIZE)


def wrap_key(data_key: bytes, master: MasterKey | Keyring) -> WrappedKey:
    """Encrypt a data key under the master key (the keyring's current one)."""
    if len(data_key) != KEY_SIZE:
        raise ValueError(f"data key must be {KEY_SIZE} bytes")
    master_key = _as_keyring(master).current
    nonce = os.urandom(_NONCE_SIZE)
    aad = _WRAP_DOMAIN + master_key.key_id.encode()
    ciphertext = master_key._aead("wrap").encrypt(nonce, bytes(data_key), aad)
    return WrappedKey(master_key.key_id, nonce, ciphertext)


def unwrap_key(wrapped: WrappedKey, keyring: MasterKey | Keyring) -> bytes:
    """Recover a data key; ``KeyNotFoundError`` for an unknown key id, else ``IntegrityError``."""
    master_key = _as_keyring(keyring).get(wrapped.key_id)
    aad = _WRAP_DOMAIN + wrapped.key_id.encode()  # the id it was wrapped under
    try:
        return master_key._aead("wrap").decrypt(wrapped.nonce, wrapped.ciphertext, aad)
    except InvalidTag:
        raise IntegrityError(
            f"wrapped data key under master key {wrapped.key_id} failed authentication "
            "(altered, or wrapped by a different key with the same id)"
        ) from None


def rewrap(
    wrapped: WrappedKey, old_keyring: MasterKey | Keyring, new_master: MasterKey
) -> WrappedKey:
    """Re-encrypt a data key under ``new_master`` without touching the file's ciphertext.

    Idempotent, so an interrupted rotation can simply run again: a key already under
    ``new_master`` is checked (unwrapped) and returned unchanged.
    """
    if wrapped.key_id == new_master.key_id:
        unwrap_key(wrapped, new_master)
        return wrapped
    data_key = unwrap_key(wrapped, old_keyring)
    return wrap_key(data_key, new_master)


# --------------------------------------------------------------------------- fields

FIELD_TOKEN_PREFIX = "hf1."  # noqa: S105 - a format tag, not a secret
_FIELD_DOMAIN = b"hireflow/field/v1\x00"


def _field_aad(key_id: bytes, context: str) -> bytes:
    if not isinstance(context, str) or not context:
        raise ValueError("context must name where the value lives, e.g. 'candidate.phone:42'")
    return _FIELD_DOMAIN + key_id + context.encode("utf-8")


def encrypt_field(value: str, key: MasterKey | Keyring, context: str) -> str:
    """Encrypt one sensitive column value into a compact token.

    Token: ``hf1.`` + base64url(key id (8) | nonce (12) | AES-256-GCM ciphertext+tag),
    about 50 characters plus 4/3 of the value's UTF-8 length. ``context`` (table, column
    and row, e.g. ``"candidate.id_number:42"``) is authenticated but not stored: a token
    copied into another row or column does not decrypt. Random nonces make equal values
    encrypt differently; use ``blind_index`` for equality lookups.
    """
    if not isinstance(value, str):
        raise TypeError("encrypt_field takes a str; format dates and numbers first")
    master = _as_keyring(key).current
    key_id = bytes.fromhex(master.key_id)
    nonce = os.urandom(_NONCE_SIZE)
    sealed = master._aead("field").encrypt(
        nonce, value.encode("utf-8"), _field_aad(key_id, context)
    )
    return FIELD_TOKEN_PREFIX + _b64url(key_id + nonce + sealed)


def _parse_field_token(token: str) -> tuple[str, bytes, bytes]:
    if not isinstance(token, str) or not token.startswith(FIELD_TOKEN_PREFIX):
        raise IntegrityError("not an encrypted field token (missing hf1. prefix)")
    try:
        raw = _b64url_decode(token[len(FIELD_TOKEN_PREFIX) :])
    except ValueError:
        raise IntegrityError("encrypted field token is not valid base64url") from None
    if len(raw) < _KEY_ID_BYTES + _NONCE_SIZE + _TAG_SIZE:
        raise IntegrityError("encrypted field token is truncated")
    key_id = raw[:_KEY_ID_BYTES]
    nonce = raw[_KEY_ID_BYTES : _KEY_ID_BYTES + _NONCE_SIZE]
    return key_id.hex(), nonce, raw[_KEY_ID_BYTES + _NONCE_SIZE :]


def decrypt_field(token: str, key: MasterKey | Keyring, context: str) -> str:
    """Decrypt an ``encrypt_field`` token; the context must be the one used to encrypt."""
    key_id, nonce, sealed = _parse_field_token(token)
    master = _as_keyring(key).get(key_id)
    try:
        plaintext = master._aead("field").decrypt(
            nonce, sealed, _field_aad(bytes.fromhex(key_id), context)
        )
    except InvalidTag:
        raise IntegrityError(
            f"encrypted field failed authentication for context {context!r}: altered, "
            "moved from another row or column, or encrypted under another key"
        ) from None
    return plaintext.decode("utf-8")


def field_token_key_id(token: str) -> str:
    """Which master key a token was made with (the rotation command selects stale rows)."""
    return _parse_field_token(token)[0]


def field_token_nonce(token: str) -> str:
    """The key id and nonce of a token, in hex: the same for every copy of one encryption
    however its base64 is spelt, and (random nonces) different for every other encryption."""
    key_id, nonce, _sealed = _parse_field_token(token)
    return key_id + nonce.hex()


def reencrypt_field(token: str, keyring: Keyring, context: str) -> str:
    """Re-encrypt a token under the keyring's current key (unchanged if already current)."""
    if field_token_key_id(token) == keyring.current.key_id:
        decrypt_field(token, keyring, context)
        return token
    return encrypt_field(decrypt_field(token, keyring, context), keyring, context)


# --------------------------------------------------------------------------- blind index


def blind_index(
    value: str,
    index_key: bytes,
    normaliser: Callable[[str], str] | None = None,
    *,
    length: int = 16,
    suite: CryptoSuite | None = None,
) -> str:
    """Keyed equality-lookup value: hex of HMAC(index_key, normalise(value))[:length], with
    the hash of ``suite`` (default: the process suite; HMAC-SHA256 or HMAC-SM3).

    Store it in an indexed column next to the encrypted token; to search, compute it for
    the query and compare. Without ``index_key`` (from ``MasterKey.blind_index_key``) the
    values cannot be brute-forced, even for small spaces such as phone numbers.
    ``length`` (4-32 bytes) trades lookup precision against what equal prefixes leak; the
    default 16 bytes makes collisions negligible. Equal inputs still give equal outputs:
    the index reveals which rows share a value, never the value.
    """
    if not isinstance(value, str):
        raise TypeError("blind_index takes a str")
    if not isinstance(index_key, bytes | bytearray) or len(index_key) < 16:
        raise ValueError("index_key must be at least 16 bytes (use MasterKey.blind_index_key)")
    if not 4 <= length <= 32:
        raise ValueError("length must be between 4 and 32 bytes")
    normalised = normaliser(value) if normaliser is not None else value
    digest = (suite or _default_suite).mac(bytes(index_key), normalised.encode("utf-8"))
    return digest[:length].hex()
