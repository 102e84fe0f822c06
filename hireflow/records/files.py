"""A record's files on their way into storage: labels checked, the stream encrypted under a
fresh data key and hashed as ciphertext. Who may store what, the timeline entry and the
audit row are :func:`hireflow.records.service.attach_file`'s."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from hireflow.core import pii
from hireflow.core.crypto import default_suite
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.storage import CountingReader, EncryptedStorage
from hireflow.records.models import PersonRecord
from hireflow.records.payloads import EntryError, plain_facts


class _Hashing:
    """A storage view that hashes the ciphertext on its way to the backend (with the
    deployment suite's hash: SHA-256, or SM3 under the sm suite)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.digest = default_suite().hasher()

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        outer = self

        class _Tap(io.RawIOBase):
            def readable(self) -> bool:
                return True

            def read(self, size: int | None = -1) -> bytes:
                data = stream.read(-1 if size is None else size)
                outer.digest.update(data)
                return data

            def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
                data = self.read(len(target))
                memoryview(target).cast("B")[: len(data)] = data
                return len(data)

        return self.inner.put_stream(key, _Tap())

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def clean_labels(labels: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return plain_facts(labels or {})
    except EntryError as exc:
        raise ValidationFailed(
            N_("The labels cannot be stored: %(problem)s"), params={"problem": str(exc)}
        ) from exc


def clean_time(value: Any) -> datetime | None:
    """A label's time (ISO string from ``plain_facts``) as an aware datetime, if valid."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


@dataclass(frozen=True)
class StoredFile:
    """Where a file's ciphertext went and what identifies it."""

    key: str
    wrapped_key: str
    size: int
    ciphertext_sha256: str


def store_encrypted(regional: Any, record: PersonRecord, stream: BinaryIO) -> StoredFile:
    """Encrypt ``stream`` into ``regional`` (the record's region's storage) under a new key."""
    key = f"t{record.tenant_id}/p{record.person_id}/{uuid.uuid4().hex}"
    backend = _Hashing(regional)
    counting = CountingReader(stream)
    wrapped = EncryptedStorage(backend, pii.keyring()).put_stream(key, counting, file_id=key)  # type: ignore[arg-type]
    return StoredFile(key, wrapped.to_token(), counting.count, backend.digest.hexdigest())
