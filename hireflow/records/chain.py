"""Tamper evidence for the HR record: a hash chain plus signed checkpoints (SPEC G3).

Each entry of a chain (e.g. one person's record, or a tenant's audit trail) is stored
as a row ``(seq, prev_hash, hash, content)`` where::

    hash = SHA-256( b"hireflow/chain/v1\\x00" | prev_hash (32 raw bytes) | canonical_json(content) )

and ``prev_hash`` is the previous row's ``hash`` (``GENESIS_HASH`` for ``seq`` 1). Changing,
deleting, inserting or reordering a row breaks either its own hash or the link of the row
after it, which ``verify_chain`` reports with the position and kind of the first problem.

A chain alone cannot stop someone with write access to the database (a rogue DBA) from
rewriting the whole tail consistently, or from cutting off the newest rows. Signed
checkpoints close that gap: from time to time the application signs
``(chain_id, seq, head_hash, time)`` with an Ed25519 key the database never sees and
keeps the small JSON document somewhere the DBA cannot rewrite (a write-once bucket,
the audit mailbox, an external timestamping service). ``verify_against_checkpoints``
then catches any history that disagrees with what was signed earlier.

Row hashes and canonical JSON (what is hashed, and the exact encoding rules) live in
``hireflow.core.hashchain``: the audit trail hashes its rows with them too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from hireflow.core.hashchain import (
    _HASH_RE,
    FIRST_SEQ,
    GENESIS_HASH,
    CanonicalJSONError,
    _check_hash,
    _prepare,
    _row_hash_checked,
    canonical_json,
    row_hash,
    row_hash_matches,
)

__all__ = [
    "FIRST_SEQ",
    "GENESIS_HASH",
    "CanonicalJSONError",
    "ChainProblem",
    "ChainReport",
    "ChainRow",
    "Checkpoint",
    "CheckpointError",
    "ProblemKind",
    "append_row",
    "build_chain",
    "canonical_json",
    "generate_signing_key",
    "load_public_key",
    "load_signing_key",
    "public_key_id",
    "public_key_to_str",
    "row_hash",
    "sign_checkpoint",
    "sign_checkpoint_batch",
    "verify_against_checkpoints",
    "verify_chain",
    "verify_checkpoint",
    "verify_checkpoint_batch",
]

_CHECKPOINT_DOMAIN = b"hireflow/checkpoint/v1\x00"
_CHECKPOINT_TYPE = "hireflow.chain-checkpoint"
_BATCH_DOMAIN = b"hireflow/checkpoint-batch/v1\x00"
_BATCH_TYPE = "hireflow.chain-checkpoint-batch"


class CheckpointError(ValueError):
    """A checkpoint document is malformed, unsigned by a trusted key, or for another chain."""


@dataclass(frozen=True)
class ChainRow:
    """One row of a chain as stored: position, link, own hash and the hashed content."""

    seq: int
    prev_hash: str
    hash: str
    content: Any


def append_row(head: ChainRow | None, content: Any) -> ChainRow:
    """The row that follows ``head`` (or starts a chain when ``head`` is None)."""
    if head is None:
        seq, prev = FIRST_SEQ, GENESIS_HASH
    else:
        seq, prev = head.seq + 1, head.hash
    return ChainRow(seq=seq, prev_hash=prev, hash=row_hash(prev, content), content=content)


def build_chain(contents: Iterable[Any]) -> list[ChainRow]:
    """A whole chain from contents in order (tests, imports, benchmarks)."""
    rows: list[ChainRow] = []
    head: ChainRow | None = None
    for content in contents:
        head = append_row(head, content)
        rows.append(head)
    return rows


def _fields(row: Any) -> tuple[Any, Any, Any, Any]:
    """(seq, prev_hash, hash, content) from a ChainRow, an ORM object or a mapping."""
    if isinstance(row, Mapping):
        return row["seq"], row["prev_hash"], row["hash"], row["content"]
    return row.seq, row.prev_hash, row.hash, row.content


def _parsed_rows(rows: Iterable[Any]) -> Iterator[tuple[Any, Any, Any, Any] | Exception]:
    """Each row's well-formed fields, or the reason it is malformed."""
    for row in rows:
        try:
            seq, prev_hash, stored_hash, content = _fields(row)
            if type(seq) is not int:
                if not isinstance(seq, int) or isinstance(seq, bool):
                    raise ValueError(f"seq must be an int, got {seq!r}")
                seq = int(seq)
            _check_hash(prev_hash, "prev_hash")
            _check_hash(stored_hash, "hash")
        except (KeyError, AttributeError, TypeError, ValueError) as exc:
            yield exc
        else:
            yield seq, prev_hash, stored_hash, content


# --------------------------------------------------------------------------- verification


class ProblemKind(StrEnum):
    """What a verification found wrong at a row."""

    MALFORMED = "malformed"
    """The row lacks a field, or its seq or hashes are not well-formed."""
    ALTERED = "altered"
    """The content (or prev_hash) no longer matches the row's stored hash."""
    MISSING = "missing"
    """A gap in sequence numbers: rows were deleted."""
    DUPLICATE = "duplicate"
    """A sequence number appears twice: a row was inserted or copied."""
    REORDERED = "reordered"
    """Rows are not in chain order."""
    INSERTED = "inserted"
    """The row is not part of the chain: its successor links to its predecessor."""
    BROKEN_LINK = "broken_link"
    """The row does not link to its predecessor (predecessor re-hashed, or rows removed)."""
    BAD_START = "bad_start"
    """The first row does not continue from the genesis hash or the trusted anchor."""
    CHECKPOINT_MISMATCH = "checkpoint_mismatch"
    """History differs from a signed checkpoint: consistently rewritten."""
    TRUNCATED = "truncated"
    """The chain ends before a row that a signed checkpoint vouches for."""


@dataclass(frozen=True)
class ChainProblem:
    """One finding: where (0-based position in the rows given, and seq) and what."""

    position: int
    seq: int | None
    kind: ProblemKind
    message: str


@dataclass(frozen=True)
class ChainReport:
    """Result of a verification; ``ok`` only when no problem was found."""

    rows_checked: int
    head_seq: int | None
    head_hash: str | None
    problems: tuple[ChainProblem, ...] = ()
    more_problems: bool = False
    checkpoints_checked: int = 0

    @property
    def ok(self) -> bool:
        """True when every row and every checkpoint verified."""
        return not self.problems

    @property
    def first_problem(self) -> ChainProblem | None:
        """The earliest problem in chain order, the one to investigate first."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """One line for logs and the CLI."""
        if self.ok:
            return (
                f"chain intact: {self.rows_checked} rows, head seq {self.head_seq}, "
                f"{self.checkpoints_checked} checkpoints"
            )
        first = self.problems[0]
        more = "+" if self.more_problems else ""
        return (
            f"chain NOT intact: {len(self.problems)}{more} problems; first at position "
            f"{first.position} (seq {first.seq}): {first.kind.value}: {first.message}"
        )


_SENTINEL: Any = object()


def _verify(
    rows: Iterable[Any],
    anchor: tuple[int, str] | None,
    checkpoints: Mapping[int, Checkpoint],
    max_problems: int,
) -> ChainReport:
    """Single pass, constant memory (one row of look-ahead), over rows in stored order."""
    start_seq, start_hash = anchor if anchor is not None else (FIRST_SEQ - 1, GENESIS_HASH)
    _check_hash(start_hash, "anchor hash")
    expected_seq = start_seq + 1
    expected_prev: str | None = start_hash
    before_prev: str | None = None  # hash of the row before the previous one
    previous_seq: int | None = None
    # Hashes of the last few rows by seq: after a local reordering the rows that follow
    # still link correctly to their true predecessor, and are not reported again.
    recent: dict[int, str] = {start_seq: start_hash}
    previous_suspect = False
    problems: list[ChainProblem] = []
    more = False
    seen_checkpoints: set[int] = set()
    head_seq: int | None = None
    head_hash: str | None = None
    count = 0

    def report(position: int, seq: int | None, kind: ProblemKind, message: str) -> None:
        nonlocal more
        if len(problems) < max_problems:
            problems.append(ChainProblem(position, seq, kind, message))
        else:
            more = True

    iterator = _parsed_rows(rows)
    current = next(iterator, _SENTINEL)
    position = 0
    while current is not _SENTINEL:
        following = next(iterator, _SENTINEL)
        count += 1
        if isinstance(current, Exception):
            report(position, None, ProblemKind.MALFORMED, f"row cannot be read: {current}")
            previous_suspect = True
            before_prev, expected_prev, expected_seq = expected_prev, None, expected_seq + 1
            position += 1
            current = following
            continue

        seq, prev_hash, stored_hash, content = current
        next_seq = next_hash = None
        if following is not _SENTINEL and not isinstance(following, Exception):
            next_seq, _, next_hash, _ = following

        problem: tuple[ProblemKind, str] | None = None
        problem_echo = False
        if seq != expected_seq:
            if seq in recent and seq != start_seq:
                problem = (ProblemKind.DUPLICATE, f"seq {seq} appears twice")
            elif seq < expected_seq or next_seq == expected_seq:
                problem = (
                    ProblemKind.REORDERED,
                    f"expected seq {expected_seq}, found {seq}: rows are out of order",
                )
            elif position == 0 and anchor is None:
                problem = (
                    ProblemKind.BAD_START,
                    f"chain starts at seq {seq}, not {expected_seq}: first rows deleted",
                )
            else:
                problem = (
                    ProblemKind.MISSING,
                    f"expected seq {expected_seq}, found {seq}: "
                    f"{seq - expected_seq} row(s) deleted",
                )
        if problem is None:
            try:
                recomputed = _row_hash_checked(prev_hash, content)
            except CanonicalJSONError as exc:
                problem = (ProblemKind.MALFORMED, f"content cannot be hashed: {exc}")
            else:
                if recomputed != stored_hash and not row_hash_matches(
                    prev_hash, content, stored_hash
                ):
                    problem = (
                        ProblemKind.ALTERED,
                        "content or prev_hash does not match the stored hash "
                        f"(stored {stored_hash[:12]}…, computed {recomputed[:12]}…)",
                    )
        link_target = recent.get(seq - 1, expected_prev)
        link_broken = link_target is not None and prev_hash != link_target
        if problem is None and link_broken and previous_suspect:
            # The predecessor was already reported; this broken link is its echo.
            problem_echo = True
        elif problem is None and link_broken:
            if position == 0:
                problem = (
                    ProblemKind.BAD_START,
                    f"first row links to {prev_hash[:12]}…, expected {link_target[:12]}…",
                )
            elif prev_hash == before_prev:
                # This row skips its predecessor, so the predecessor was slipped in.
                report(
                    position - 1,
                    previous_seq,
                    ProblemKind.INSERTED,
                    f"row seq {previous_seq} is not part of the chain: row seq {seq} links "
                    "past it to the row before",
                )
            elif next_hash is not None and prev_hash == next_hash:
                problem = (
                    ProblemKind.REORDERED,
                    f"row seq {seq} links to the row after it: rows were swapped",
                )
            else:
                problem = (
                    ProblemKind.BROKEN_LINK,
                    f"row seq {seq} does not link to the row before it: that row was "
                    "altered and re-hashed, or rows between them were deleted",
                )
        if problem is not None:
            report(position, seq, *problem)
        previous_suspect = problem is not None or problem_echo

        checkpoint = checkpoints.get(seq)
        if checkpoint is not None:
            seen_checkpoints.add(seq)
            if stored_hash != checkpoint.head_hash:
                report(
                    position,
                    seq,
                    ProblemKind.CHECKPOINT_MISMATCH,
                    f"row seq {seq} has hash {stored_hash[:12]}…, but a checkpoint signed "
                    f"{checkpoint.time.isoformat()} by key {checkpoint.key_id} says "
                    f"{checkpoint.head_hash[:12]}…: history was rewritten",
                )

        before_prev, expected_prev = expected_prev, stored_hash
        previous_seq, expected_seq = seq, max(expected_seq, seq + 1)
        recent[seq] = stored_hash
        if len(recent) > 8:
            del recent[next(iter(recent))]
        head_seq, head_hash = seq, stored_hash
        position += 1
        current = following

    for seq in sorted(set(checkpoints) - seen_checkpoints):
        checkpoint = checkpoints[seq]
        if seq == start_seq and checkpoint.head_hash == start_hash:
            continue  # a checkpoint of the empty chain (or of the anchor itself)
        if head_seq is None or seq > head_seq:
            report(
                count,
                seq,
                ProblemKind.TRUNCATED,
                f"chain ends at seq {head_seq}, but a checkpoint signed "
                f"{checkpoint.time.isoformat()} vouches for seq {seq}: newest rows deleted",
            )
        elif seq > start_seq:
            report(
                count,
                seq,
                ProblemKind.CHECKPOINT_MISMATCH,
                f"row seq {seq}, vouched for by a signed checkpoint, is missing",
            )
    problems.sort(key=lambda problem: problem.position)
    return ChainReport(
        rows_checked=count,
        head_seq=head_seq,
        head_hash=head_hash,
        problems=tuple(problems),
        more_problems=more,
        checkpoints_checked=len(seen_checkpoints),
    )


def verify_chain(
    rows: Iterable[Any],
    *,
    anchor: tuple[int, str] | None = None,
    max_problems: int = 100,
) -> ChainReport:
    """Check a chain's rows in stored order (``ORDER BY seq``) and report every problem.

    ``rows`` may be ``ChainRow`` objects, ORM objects with ``seq``, ``prev_hash``, ``hash``
    and ``content`` attributes, or mappings with those keys; any iterable works, including
    a streaming query, in constant memory. ``anchor=(seq, hash)`` starts verification after
    a trusted row (e.g. from a verified checkpoint) instead of at the genesis.

    What the chain alone cannot see: the newest rows cut off, or the whole chain rewritten
    consistently from some row on. ``verify_against_checkpoints`` catches both.
    """
    return _verify(rows, anchor, {}, max_problems)


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
    if "-----BEGIN" in text:
        key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CheckpointError("signing key PEM is not an Ed25519 key")
        return key
    raw = _decode_raw32(text)
    if raw is None:
        raise CheckpointError("signing key must be PEM or a 32-byte seed in hex or base64")
    return Ed25519PrivateKey.from_private_bytes(raw)


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
    if "-----BEGIN" in text:
        key = serialization.load_pem_public_key(text.encode("ascii"))
        if not isinstance(key, Ed25519PublicKey):
            raise CheckpointError("public key PEM is not an Ed25519 key")
        return key
    raw = _decode_raw32(text)
    if raw is None:
        raise CheckpointError("public key must be PEM or 32 bytes in hex or base64")
    return Ed25519PublicKey.from_public_bytes(raw)


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
    """A 16-hex-digit fingerprint of a signing key's public half."""
    raw = _raw_public(_public(key))
    return hashlib.sha256(b"hireflow/signing-key-id/v1\x00" + raw).hexdigest()[:16]


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
    _check_hash(head_hash, "head_hash")
    if not isinstance(time, datetime) or time.tzinfo is None or time.utcoffset() is None:
        raise ValueError("time must be a timezone-aware datetime")
    body = _checkpoint_body(chain_id, seq, head_hash, _prepare(time), public_key_id(signing_key))
    signature = signing_key.sign(_CHECKPOINT_DOMAIN + canonical_json(body))
    body["sig"] = base64.urlsafe_b64encode(signature).rstrip(b"=").decode("ascii")
    return canonical_json(body).decode("utf-8")


def _reject_float(text: str) -> Any:
    raise CheckpointError(f"checkpoint holds a float ({text}); not a Hireflow checkpoint")


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
    keys = (
        [public_keys]
        if isinstance(public_keys, Ed25519PublicKey | SM2PublicKey)
        else list(public_keys)
    )
    by_id = {public_key_id(key): key for key in keys}
    try:
        parsed = json.loads(document, parse_float=_reject_float, parse_constant=_reject_float)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"checkpoint is not valid JSON: {exc}") from None
    expected_fields = {"v", "type", "chain_id", "seq", "head_hash", "time", "key_id", "sig"}
    if not isinstance(parsed, dict) or set(parsed) != expected_fields:
        raise CheckpointError("checkpoint does not have exactly the expected fields")
    if parsed["v"] != 1 or parsed["type"] != _CHECKPOINT_TYPE:
        raise CheckpointError("unsupported checkpoint type or version")
    cp_chain, seq, head_hash = parsed["chain_id"], parsed["seq"], parsed["head_hash"]
    time_text, key_id, signature_text = parsed["time"], parsed["key_id"], parsed["sig"]
    if not isinstance(cp_chain, str) or not cp_chain:
        raise CheckpointError("checkpoint chain_id is invalid")
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise CheckpointError("checkpoint seq is invalid")
    if not isinstance(head_hash, str) or not _HASH_RE.fullmatch(head_hash):
        raise CheckpointError("checkpoint head_hash is invalid")
    if not isinstance(time_text, str) or not isinstance(signature_text, str):
        raise CheckpointError("checkpoint time or signature is invalid")
    key = by_id.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        raise CheckpointError(f"checkpoint signed by untrusted or unknown key {key_id!r}")
    try:
        signature = base64.urlsafe_b64decode(signature_text + "=" * (-len(signature_text) % 4))
        body = _checkpoint_body(cp_chain, seq, head_hash, time_text, key_id)
        key.verify(signature, _CHECKPOINT_DOMAIN + canonical_json(body))
    except (InvalidSignature, ValueError):
        raise CheckpointError("checkpoint signature is invalid: the document was altered") from None
    try:
        when = datetime.strptime(time_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointError("checkpoint time is not in the canonical UTC form") from None
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
    return _verify(rows, None, by_seq, max_problems)


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
        _check_hash(head_hash, f"head hash of {chain_id!r}")
        entries.append([chain_id, seq, head_hash])
    body = {
        "v": 1,
        "type": _BATCH_TYPE,
        "time": _prepare(time),
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
    keys = (
        [public_keys]
        if isinstance(public_keys, Ed25519PublicKey | SM2PublicKey)
        else list(public_keys)
    )
    by_id = {public_key_id(key): key for key in keys}
    try:
        parsed = json.loads(document, parse_float=_reject_float, parse_constant=_reject_float)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"checkpoint batch is not valid JSON: {exc}") from None
    expected = {"v", "type", "time", "key_id", "heads", "sig"}
    if not isinstance(parsed, dict) or set(parsed) != expected:
        raise CheckpointError("checkpoint batch does not have exactly the expected fields")
    if parsed["v"] != 1 or parsed["type"] != _BATCH_TYPE:
        raise CheckpointError("unsupported checkpoint batch type or version")
    key_id, heads, time_text = parsed["key_id"], parsed["heads"], parsed["time"]
    key = by_id.get(key_id) if isinstance(key_id, str) else None
    if key is None:
        raise CheckpointError(f"checkpoint batch signed by untrusted or unknown key {key_id!r}")
    if not isinstance(heads, list) or not isinstance(time_text, str):
        raise CheckpointError("checkpoint batch heads or time are invalid")
    signature_text = parsed["sig"]
    if not isinstance(signature_text, str):
        raise CheckpointError("checkpoint batch signature is invalid")
    try:
        signature = base64.urlsafe_b64decode(signature_text + "=" * (-len(signature_text) % 4))
        body = {k: v for k, v in parsed.items() if k != "sig"}
        key.verify(signature, _BATCH_DOMAIN + canonical_json(body))
    except (InvalidSignature, ValueError):
        raise CheckpointError("checkpoint batch signature is invalid: it was altered") from None
    try:
        when = datetime.strptime(time_text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    except ValueError:
        raise CheckpointError("checkpoint batch time is not in the canonical UTC form") from None
    result = []
    for item in heads:
        if (
            not isinstance(item, list)
            or len(item) != 3
            or not isinstance(item[0], str)
            or not isinstance(item[1], int)
            or isinstance(item[1], bool)
            or not isinstance(item[2], str)
            or not _HASH_RE.fullmatch(item[2])
        ):
            raise CheckpointError("checkpoint batch holds a malformed head")
        result.append(
            Checkpoint(chain_id=item[0], seq=item[1], head_hash=item[2], time=when, key_id=key_id)
        )
    return result
