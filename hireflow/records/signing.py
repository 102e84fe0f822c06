"""Signed checkpoints of hash-chain heads (SPEC G3): Ed25519 or SM2 signing keys, single
and batch checkpoint documents, and verifying a chain against them.

A chain alone (``records.chain``) cannot stop someone with write access to the database
from rewriting a whole tail consistently or cutting off the newest rows. From time to time
the application signs ``(chain_id, seq, head_hash, time)`` with a key the database never
sees and keeps the document where the database administrator cannot rewrite it;
``verify_against_checkpoints`` then catches any history that disagrees with what was
signed earlier.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hireflow.core.crypto import SUITES
from hireflow.records.chain import (
    FIRST_SEQ,
    HASH_RE,
    ChainReport,
    canonical_json,
    check_hash,
    prepare,
    verify_rows,
)

_CHECKPOINT_DOMAIN = b"hireflow/checkpoint/v1\x00"
_CHECKPOINT_TYPE = "hireflow.chain-checkpoint"
_BATCH_DOMAIN = b"hireflow/checkpoint-batch/v1\x00"
_BATCH_TYPE = "hireflow.chain-checkpoint-batch"


class CheckpointError(ValueError):
    """A checkpoint document is malformed, unsigned by a trusted key, or for another chain."""


# --------------------------------------------------------------------------- checkpoints


@dataclass(frozen=True)
class Checkpoint:
    """A verified checkpoint: at ``time`` the chain ``chain_id`` had ``head_hash`` at ``seq``.

    Instances come from ``verify_checkpoint``: the signature was checked against a
    trusted public key.
    """

    chain_id: str
    seq: int
    head_hash: str
    time: datetime
    key_id: str


class SM2PublicKey:
    """An SM2 verification key (GB/T 32918; 64 raw bytes x ‖ y), signatures via GmSSL."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 64:
            raise CheckpointError("an SM2 public key is 64 bytes (x and y)")
        self.raw = bytes(raw)

    def verify(self, signature: bytes, data: bytes) -> None:
        import gmssl_pyx

        try:
            ok = gmssl_pyx.sm2_verify(self.raw, data, signature)
        except Exception:  # GmSSL refuses malformed signatures with its own error
            ok = False
        if not ok:
            raise InvalidSignature()


class SM2PrivateKey:
    """An SM2 signing key (the ``sm`` suite's checkpoint key): SM2 with SM3 and the Z value
    of the default signer id, as GmSSL computes it."""

    def __init__(self, private: bytes, public: bytes) -> None:
        if len(private) != 32:
            raise CheckpointError("an SM2 private key is 32 bytes")
        self._private = bytes(private)
        self._public = SM2PublicKey(public)

    @classmethod
    def generate(cls) -> SM2PrivateKey:
        import gmssl_pyx

        public, private = gmssl_pyx.sm2_key_generate()
        return cls(private, public)

    def sign(self, data: bytes) -> bytes:
        import gmssl_pyx

        return gmssl_pyx.sm2_sign(self._private, self._public.raw, data)

    def public_key(self) -> SM2PublicKey:
        return self._public

    def to_text(self) -> str:
        """``sm2:<base64 private>:<base64 public>`` (what the key file holds)."""
        return ":".join(
            (
                "sm2",
                base64.b64encode(self._private).decode(),
                base64.b64encode(self._public.raw).decode(),
            )
        )

    def __repr__(self) -> str:
        return "SM2PrivateKey(...)"


SigningKey = Ed25519PrivateKey | SM2PrivateKey
PublicKey = Ed25519PublicKey | SM2PublicKey
EdKey = TypeVar("EdKey", Ed25519PrivateKey, Ed25519PublicKey)


def generate_signing_key(suite: str = "intl") -> SigningKey:
    """A new checkpoint-signing key: Ed25519, or SM2 for the ``sm`` suite."""
    if suite == "sm":
        return SM2PrivateKey.generate()
    return Ed25519PrivateKey.generate()


def _decode_raw32(value: str) -> bytes | None:
    text = value.strip()
    if re.fullmatch(r"[0-9a-fA-F]{64}", text):
        return bytes.fromhex(text)
    try:
        raw = base64.b64decode(
            text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4), validate=True
        )
    except ValueError:
        return None
    return raw if len(raw) == 32 else None


def _ed25519(
    text: str,
    load_pem: Callable[[bytes], object],
    kind: type[object],
    from_raw: Callable[[bytes], EdKey],
    name: str,
    raw_form: str,
) -> EdKey:
    """An Ed25519 key of ``kind`` from PEM, or from 32 raw bytes in hex or base64."""
    if "-----BEGIN" in text:
        key = load_pem(text.encode("ascii"))
        if not isinstance(key, kind):
            raise CheckpointError(f"{name} PEM is not an Ed25519 key")
        return cast(EdKey, key)
    raw = _decode_raw32(text)
    if raw is None:
        raise CheckpointError(f"{name} must be PEM or {raw_form} in hex or base64")
    return from_raw(raw)


def load_signing_key(value: str | bytes) -> SigningKey:
    """An Ed25519 private key from PEM (PKCS#8, unencrypted) or a 32-byte seed (hex/base64),
    or an SM2 key ``sm2:<base64 private>:<base64 public>``."""
    text = value.decode("ascii") if isinstance(value, bytes) else value
    if text.strip().startswith("sm2:"):
        try:
            _tag, private, public = text.strip().split(":")
            return SM2PrivateKey(base64.b64decode(private), base64.b64decode(public))
        except ValueError as exc:
            raise CheckpointError("SM2 signing key must be sm2:<private>:<public>") from exc
    return _ed25519(
        text,
        lambda pem: serialization.load_pem_private_key(pem, password=None),
        Ed25519PrivateKey,
        Ed25519PrivateKey.from_private_bytes,
        "signing key",
        "a 32-byte seed",
    )


def load_public_key(value: str | bytes | PublicKey) -> PublicKey:
    """An Ed25519 public key from PEM or 32 raw bytes in hex/base64, or an SM2 public key
    ``sm2:<base64 of 64 bytes>``."""
    if isinstance(value, Ed25519PublicKey | SM2PublicKey):
        return value
    text = value.decode("ascii") if isinstance(value, bytes) else value
    if text.strip().startswith("sm2:"):
        try:
            return SM2PublicKey(base64.b64decode(text.strip()[4:]))
        except ValueError as exc:
            raise CheckpointError("SM2 public key must be sm2:<base64 of 64 bytes>") from exc
    return _ed25519(
        text,
        serialization.load_pem_public_key,
        Ed25519PublicKey,
        Ed25519PublicKey.from_public_bytes,
        "public key",
        "32 bytes",
    )


def _raw_public(key: PublicKey) -> bytes:
    if isinstance(key, SM2PublicKey):
        return b"sm2\x00" + key.raw
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _public(key: PublicKey | SigningKey) -> PublicKey:
    return key.public_key() if isinstance(key, Ed25519PrivateKey | SM2PrivateKey) else key


def public_key_to_str(key: PublicKey | SigningKey) -> str:
    """The public key as base64 of its 32 raw bytes (``sm2:`` + base64 of 64 bytes for SM2)
    (what auditors are given)."""
    public = _public(key)
    if isinstance(public, SM2PublicKey):
        return "sm2:" + base64.b64encode(public.raw).decode("ascii")
    return base64.b64encode(_raw_public(public)).decode("ascii")


def public_key_id(key: PublicKey | SigningKey) -> str:
    """A 16-hex-digit fingerprint of a signing key's public half: SHA-256 for Ed25519, SM3
    for SM2 (so an sm deployment uses no hash outside its suite)."""
    public = _public(key)
    suite = SUITES["sm"] if isinstance(public, SM2PublicKey) else SUITES["intl"]
    return suite.hexdigest(_KEY_ID_DOMAIN + _raw_public(public))[:16]


def _key_ids(key: PublicKey) -> list[str]:
    """Every id a checkpoint may name ``key`` by: SM2 checkpoints signed before key ids
    were SM3 name the key by its SHA-256 fingerprint (an id selects the key to try, the
    signature is what is checked)."""
    ids = [public_key_id(key)]
    if isinstance(key, SM2PublicKey):
        ids.append(SUITES["intl"].hexdigest(_KEY_ID_DOMAIN + _raw_public(key))[:16])
    return ids


_KEY_ID_DOMAIN = b"hireflow/signing-key-id/v1\x00"


def _checkpoint_body(
    chain_id: str, seq: int, head_hash: str, time: str, key_id: str
) -> dict[str, Any]:
    return {
        "v": 1,
        "type": _CHECKPOINT_TYPE,
        "chain_id": chain_id,
        "seq": seq,
        "head_hash": head_hash,
        "time": time,
        "key_id": key_id,
    }


def sign_checkpoint(
    chain_id: str,
    seq: int,
    head_hash: str,
    time: datetime,
    signing_key: Ed25519PrivateKey,
) -> str:
    """A signed checkpoint as a compact JSON document (about 330 bytes).

    The signature is Ed25519 over a domain tag and the canonical JSON of every other
    field, so no field can be changed or dropped without detection.
    """
    if not isinstance(chain_id, str) or not chain_id:
        raise ValueError("chain_id must be a non-empty string")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < FIRST_SEQ - 1:
        raise ValueError("seq must be an int >= 0")
    check_hash(head_hash, "head_hash")
    if not isinstance(time, datetime) or time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("time must be a timezone-aware datetime")
    body = _checkpoint_body(chain_id, seq, head_hash, prepare(time), public_key_id(signing_key))
    signature = signing_key.sign(_CHECKPOINT_DOMAIN + canonical_json(body))
    body["sig"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    return canonical_json(body).decode("utf-8")


def _reject_float(text: str) -> Any:
    raise CheckpointError(f"checkpoint holds a float ({text}); not a Hireflow checkpoint")


def _parse_signed(
    document: str | bytes,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
    what: str,
    expected: set[str],
    kind: str,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A signed document's fields (exactly ``expected``, of type ``kind``, version 1) and the
    trusted keys by id; ``what`` names the document in errors."""
    keys = (
        [public_keys]
        if isinstance(public_keys, Ed25519PublicKey | SM2PublicKey)
        else list(public_keys)
    )
    by_id = {key_id: key for key in keys for key_id in _key_ids(key)}
    try:
        parsed = json.loads(document, parse_float=_reject_float, parse_constant=_reject_float)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{what} is not valid JSON: {exc}") from None
    if not isinstance(parsed, dict) or set(parsed) != expected:
        raise CheckpointError(f"{what} does not have exactly the expected fields")
    if parsed["v"] != 1 or parsed["type"] != kind:
        raise CheckpointError(f"unsupported {what} type or version")
    return parsed, by_id


def _check_signature(
    key: Any, signature_text: str, domain: bytes, body: dict[str, Any], refusal: str
) -> None:
    """``CheckpointError(refusal)`` unless ``key`` signed ``body`` (canonical JSON) in
    ``domain``; a body that cannot be encoded canonically was not signed either."""
    try:
        signature = base64.urlsafe_b64decode(signature_text + "=" * (-len(signature_text) % 4))
        key.verify(signature, domain + canonical_json(body))
    except (InvalidSignature, ValueError):
        raise CheckpointError(refusal) from None


def _canonical_time(text: str, what: str) -> datetime:
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointError(f"{what} time is not in the canonical UTC form") from None


def verify_checkpoint(
    document: str | bytes,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
    *,
    chain_id: str | None = None,
) -> Checkpoint:
    """Parse and verify a signed checkpoint; ``CheckpointError`` unless it is genuine.

    ``public_keys`` are the trusted verification keys (several during a key rollover).
    With ``chain_id`` the checkpoint must also be for that chain.
    """
    expected = {"v", "type", "chain_id", "seq", "head_hash", "time", "key_id", "sig"}
    parsed, by_id = _parse_signed(document, public_keys, "checkpoint", expected, _CHECKPOINT_TYPE)
    cp_chain, seq, head_hash = parsed["chain_id"], parsed["seq"], parsed["head_hash"]
    time_text, key_id, signature_text = parsed["time"], parsed["key_id"], parsed["sig"]
    if not isinstance(cp_chain, str) or not cp_chain:
        raise CheckpointError("checkpoint chain_id is invalid")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointError("checkpoint seq is invalid")
    if not isinstance(head_hash, str) or not HASH_RE.fullmatch(head_hash):
        raise CheckpointError("checkpoint head_hash is invalid")
    if not isinstance(time_text, str) or not isinstance(signature_text, str):
        raise CheckpointError("checkpoint time or signature is invalid")
    key = by_id.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        raise CheckpointError(f"checkpoint signed by untrusted or unknown key {key_id!r}")
    body = _checkpoint_body(cp_chain, seq, head_hash, time_text, key_id)
    altered = "checkpoint signature is invalid: the document was altered"
    _check_signature(key, signature_text, _CHECKPOINT_DOMAIN, body, altered)
    when = _canonical_time(time_text, "checkpoint")
    if chain_id is not None and cp_chain != chain_id:
        raise CheckpointError(f"checkpoint is for chain {cp_chain!r}, not {chain_id!r}")
    return Checkpoint(chain_id=cp_chain, seq=seq, head_hash=head_hash, time=when, key_id=key_id)


def verify_against_checkpoints(
    rows: Iterable[Any],
    checkpoints: Iterable[Checkpoint | str],
    *,
    public_keys: Ed25519PublicKey | Sequence[Ed25519PublicKey] | None = None,
    chain_id: str | None = None,
    max_problems: int = 100,
) -> ChainReport:
    """``verify_chain`` plus agreement with signed checkpoints written earlier.

    ``checkpoints`` are ``Checkpoint`` objects from ``verify_checkpoint`` or raw documents,
    which are verified here against ``public_keys`` (a document that fails raises
    ``CheckpointError``: a forged or damaged checkpoint is an incident in itself). Every
    checkpoint must be for one chain (``chain_id`` if given). A row whose hash differs
    from a checkpoint's, or a chain that ends before a checkpointed seq, is reported.
    """
    verified: list[Checkpoint] = []
    for item in checkpoints:
        if isinstance(item, Checkpoint):
            verified.append(item)
        else:
            if public_keys is None:
                raise ValueError("raw checkpoint documents need public_keys to verify them")
            verified.append(verify_checkpoint(item, public_keys, chain_id=chain_id))
    chain_ids = {checkpoint.chain_id for checkpoint in verified}
    if chain_id is not None:
        chain_ids.add(chain_id)
    if len(chain_ids) > 1:
        raise CheckpointError(f"checkpoints belong to several chains: {sorted(chain_ids)}")
    by_seq: dict[int, Checkpoint] = {}
    for checkpoint in verified:
        other = by_seq.get(checkpoint.seq)
        if other is not None and other.head_hash != checkpoint.head_hash:
            raise CheckpointError(
                f"two validly signed checkpoints disagree about seq {checkpoint.seq}: "
                "the signing key may be compromised"
            )
        by_seq[checkpoint.seq] = checkpoint
    return verify_rows(rows, None, by_seq, max_problems)


# --------------------------------------------------------------------------- batches


def sign_checkpoint_batch(
    heads: Mapping[str, tuple[int, str]],
    time: datetime,
    signing_key: Ed25519PrivateKey,
) -> str:
    """One signed document vouching for the heads of many chains at ``time``.

    A deployment has a chain per person: signing them one by one would cost a signature
    and ~330 bytes each, a batch costs one signature and ~100 bytes per chain. The
    document is canonical JSON ``{"v", "type", "time", "key_id", "heads", "sig"}`` where
    ``heads`` is a list of ``[chain_id, seq, head_hash]`` sorted by chain id.
    """
    if not isinstance(time, datetime) or time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("time must be a timezone-aware datetime")
    entries = []
    for chain_id, (seq, head_hash) in sorted(heads.items()):
        if not isinstance(chain_id, str) or not chain_id:
            raise ValueError("chain ids must be non-empty strings")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
            raise ValueError(f"seq of {chain_id!r} must be an int >= 0")
        check_hash(head_hash, f"head hash of {chain_id!r}")
        entries.append([chain_id, seq, head_hash])
    body = {
        "v": 1,
        "type": _BATCH_TYPE,
        "time": prepare(time),
        "key_id": public_key_id(signing_key),
        "heads": entries,
    }
    signature = signing_key.sign(_BATCH_DOMAIN + canonical_json(body))
    body["sig"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    return canonical_json(body).decode("utf-8")


def verify_checkpoint_batch(
    document: str | bytes,
    public_keys: Ed25519PublicKey | Iterable[Ed25519PublicKey],
) -> list[Checkpoint]:
    """Verify a ``sign_checkpoint_batch`` document; one ``Checkpoint`` per chain in it.

    Raises ``CheckpointError`` unless the whole document is genuine: a single changed,
    added or dropped head invalidates the signature.
    """
    expected = {"v", "type", "time", "key_id", "heads", "sig"}
    parsed, by_id = _parse_signed(document, public_keys, "checkpoint batch", expected, _BATCH_TYPE)
    key_id, heads, time_text = parsed["key_id"], parsed["heads"], parsed["time"]
    key = by_id.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        raise CheckpointError(f"checkpoint batch signed by untrusted or unknown key {key_id!r}")
    if not isinstance(heads, list) or not isinstance(time_text, str):
        raise CheckpointError("checkpoint batch heads or time are invalid")
    signature_text = parsed["sig"]
    if not isinstance(signature_text, str):
        raise CheckpointError("checkpoint batch signature is invalid")
    body = {k: v for k, v in parsed.items() if k != "sig"}
    altered = "checkpoint batch signature is invalid: it was altered"
    _check_signature(key, signature_text, _BATCH_DOMAIN, body, altered)
    when = _canonical_time(time_text, "checkpoint batch")
    result = []
    for item in heads:
        if (
            not isinstance(item, list)
            or len(item) != 3
            or not isinstance(item[0], str)
            or not isinstance(item[1], int)
            or isinstance(item[1], bool)
            or not isinstance(item[2], str)
            or not HASH_RE.fullmatch(item[2])
        ):
            raise CheckpointError("checkpoint batch holds a malformed head")
        result.append(
            Checkpoint(chain_id=item[0], seq=item[1], head_hash=item[2], time=when, key_id=key_id)
        )
    return result
