"""Signed checkpoints of chain heads: anchoring history outside the database (SPEC G3).

Periodically (a Celery beat task, and ``hireflow verify --checkpoint``) the heads of every
chain that moved since the last checkpoint are signed together with an Ed25519 key the
database never sees, and written as one small JSON file into ``checkpoint_dir``. Point
that directory at storage the database administrator cannot rewrite (a write-once
bucket mounted read-append, a separate host, the audit mailbox); ``hireflow verify``
then detects any history that disagrees with what was signed, including a consistent
rewrite of a whole chain and deleted newest rows.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireflow.core import settings as core_settings
from hireflow.core.audit import ChainHead
from hireflow.core.crypto import default_suite
from hireflow.core.db import utcnow
from hireflow.records.signing import (
    Checkpoint,
    CheckpointError,
    SM2PrivateKey,
    generate_signing_key,
    load_public_key,
    load_signing_key,
    sign_checkpoint_batch,
    verify_checkpoint_batch,
)


class CheckpointConfigError(RuntimeError):
    """No signing key is configured (production must provide one)."""


def _settings(settings: Any) -> Any:
    if settings is None:
        return core_settings.get_settings()
    return settings


def key_path(settings: Any = None) -> Path:
    settings = _settings(settings)
    return Path(settings.checkpoint_key_path or Path(settings.data_dir) / "checkpoint_key")


def checkpoint_dir(settings: Any = None) -> Path:
    settings = _settings(settings)
    return Path(settings.checkpoint_dir or Path(settings.data_dir) / "checkpoints")


def signing_key(settings: Any = None, *, create: bool = True) -> Ed25519PrivateKey:
    """The checkpoint signing key: read from ``checkpoint_key_path``; in development a key
    is generated there on first use (mode 0600). Production must configure one."""
    settings = _settings(settings)
    path = key_path(settings)
    if path.exists():
        return load_signing_key(path.read_text())
    if not create or settings.is_production:
        raise CheckpointConfigError(
            f"no checkpoint signing key at {path}: set HIREFLOW_CHECKPOINT_KEY_PATH to an "
            "Ed25519 private key (PEM) that the database administrator cannot read"
        )

    # The deployment's suite picks the algorithm: Ed25519, or SM2 under the sm suite.
    key = generate_signing_key(default_suite().name)
    if isinstance(key, SM2PrivateKey):
        pem = key.to_text().encode("ascii")
    else:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_signing_key(path.read_text())
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def public_keys(settings: Any = None) -> list[Ed25519PublicKey]:
    """Keys trusted to have signed checkpoints: the signing key's public half (if the key
    is present) and every key in ``checkpoint_public_keys`` (auditors, key rollovers)."""
    settings = _settings(settings)
    keys: list[Ed25519PublicKey] = []
    if key_path(settings).exists():
        keys.append(signing_key(settings, create=False).public_key())
    for part in str(settings.checkpoint_public_keys or "").split(","):
        if part.strip():
            keys.append(load_public_key(part.strip()))
    return keys


@dataclass(frozen=True)
class CheckpointWritten:
    """A checkpoint file and how many chain heads it vouches for."""

    path: Path | None
    chains: int


def write_checkpoint(
    session: Session,
    *,
    settings: Any = None,
    everything: bool = False,
    now: datetime | None = None,
) -> CheckpointWritten:
    """Sign the heads of chains that moved since their last checkpoint (all with
    ``everything``) into a new file; nothing is written when no chain moved."""
    settings = _settings(settings)
    key = signing_key(settings)
    stmt = select(ChainHead.chain_id, ChainHead.seq, ChainHead.hash).where(ChainHead.seq > 0)
    if not everything:
        stmt = stmt.where(ChainHead.seq > ChainHead.checkpointed_seq)
    heads = {row.chain_id: (int(row.seq), row.hash) for row in session.execute(stmt)}
    if not heads:
        return CheckpointWritten(None, 0)
    when = now or utcnow()
    document = sign_checkpoint_batch(heads, when, key)
    directory = checkpoint_dir(settings)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{when.strftime('%Y%m%dT%H%M%S%fZ')}-{len(heads)}.json"
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(document)
        handle.flush()
        os.fsync(handle.fileno())
    target = directory / name
    os.replace(tmp, target)
    for chain_id, (seq, _hash) in heads.items():
        session.execute(
            update(ChainHead)
            .where(ChainHead.chain_id == chain_id, ChainHead.checkpointed_seq < seq)
            .values(checkpointed_seq=seq)
        )
    session.commit()
    _cache.clear()
    return CheckpointWritten(target, len(heads))


@dataclass
class CheckpointIndex:
    """Verified checkpoints by chain id, plus files that failed verification."""

    by_chain: dict[str, list[Checkpoint]] = field(default_factory=dict)
    files: int = 0
    errors: list[str] = field(default_factory=list)

    def for_chain(self, chain_id: str) -> list[Checkpoint]:
        return self.by_chain.get(chain_id, [])

    def latest(self, chain_id: str) -> Checkpoint | None:
        found = self.by_chain.get(chain_id)
        return max(found, key=lambda c: (c.seq, c.time)) if found else None


def load_checkpoints(directory: Path, keys: Iterable[Ed25519PublicKey]) -> CheckpointIndex:
    """Read and verify every checkpoint file of a directory."""
    keys = list(keys)
    index = CheckpointIndex()
    if not directory.is_dir():
        return index
    for path in sorted(directory.glob("*.json")):
        index.files += 1
        try:
            checkpoints = verify_checkpoint_batch(path.read_bytes(), keys)
        except (CheckpointError, OSError) as exc:
            index.errors.append(f"{path.name}: {exc}")
            continue
        for checkpoint in checkpoints:
            index.by_chain.setdefault(checkpoint.chain_id, []).append(checkpoint)
    return index


_cache: dict[tuple[Any, ...], CheckpointIndex] = {}
_cache_lock = threading.Lock()


def cached_checkpoints(settings: Any = None) -> CheckpointIndex:
    """``load_checkpoints`` for the configured directory, re-read when files change."""
    settings = _settings(settings)
    directory = checkpoint_dir(settings)
    try:
        stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(directory.glob("*.json")))
    except OSError:
        stamp = ()
    marker = (str(directory), stamp, settings.checkpoint_public_keys)
    with _cache_lock:
        found = _cache.get(marker)
    if found is not None:
        return found
    index = load_checkpoints(directory, public_keys(settings))
    with _cache_lock:
        _cache.clear()
        _cache[marker] = index
    return index
