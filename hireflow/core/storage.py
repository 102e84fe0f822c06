"""Object storage for recordings, resumes and other attachments (SPEC G1, G2, G7).

``Storage`` is the small protocol every backend follows: keys are opaque, relative,
``/``-separated paths chosen by the application (``tenant/3/recordings/<uuid>``), values
are byte streams of any size.

- ``LocalStorage``: a directory; writes are atomic (temporary file, fsync, ``os.replace``)
  and keys can never reach outside the root.
- ``S3Storage``: any S3-compatible service (AWS, MinIO, Ceph, OSS/COS S3 endpoints) through
  boto3, multipart for large objects.
- ``RegionalStorage``: one backend per data-residency region; refuses to put a record's
  data anywhere but in that record's region (PIPL, GDPR).
- ``EncryptedStorage``: envelope encryption in front of any backend; only ciphertext is
  written, and the caller keeps the returned ``WrappedKey`` with the record.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

from hireflow.core.crypto import (
    Keyring,
    MasterKey,
    WrappedKey,
    generate_data_key,
    unwrap_key,
    wrap_key,
)
from hireflow.core.file_crypto import (
    DEFAULT_CHUNK_SIZE,
    DecryptingReader,
    EncryptingReader,
    plaintext_size,
    read_stream_chunk_size,
)

__all__ = [
    "EncryptedStorage",
    "InvalidKeyError",
    "LocalStorage",
    "ObjectNotFoundError",
    "RegionalStorage",
    "ResidencyError",
    "S3Storage",
    "Storage",
    "StorageError",
    "validate_key",
]

_MAX_KEY_LENGTH = 1024
_COPY_BUFFER = 1024 * 1024


class StorageError(Exception):
    """Base class of storage errors."""


class InvalidKeyError(StorageError, ValueError):
    """A key that is empty, absolute, escapes the root, or holds forbidden characters."""


class ObjectNotFoundError(StorageError, KeyError):
    """No object is stored under the key."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "object not found"


class ResidencyError(StorageError):
    """A write would place personal data outside the region the record must stay in."""


_SEGMENT_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\]")


def validate_key(key: str) -> str:
    """Check that ``key`` is a safe opaque relative key and return it unchanged.

    Rules: a non-empty ``str`` of at most 1024 characters; ``/`` separates segments; no
    leading or trailing ``/``, no empty segment, no ``.`` or ``..``, no segment starting
    with ``.`` (reserved for the backend's own temporary files), no backslash, no
    control characters. The same key is valid on every backend, so data can move
    between them.
    """
    if not isinstance(key, str) or not key:
        raise InvalidKeyError("storage key must be a non-empty string")
    if len(key) > _MAX_KEY_LENGTH:
        raise InvalidKeyError(f"storage key is longer than {_MAX_KEY_LENGTH} characters")
    if _SEGMENT_FORBIDDEN.search(key):
        raise InvalidKeyError(f"storage key {key!r} holds a control character or backslash")
    for segment in key.split("/"):
        if not segment:
            raise InvalidKeyError(f"storage key {key!r} is absolute or has an empty segment")
        if segment.startswith("."):
            raise InvalidKeyError(f"storage key {key!r} has a segment starting with '.'")
    return key


def _validate_prefix(prefix: str) -> str:
    if prefix == "":
        return prefix
    # A prefix is a key with an optional trailing '/' (S3 semantics: a string prefix).
    validate_key(prefix[:-1] if prefix.endswith("/") else prefix)
    return prefix


@runtime_checkable
class Storage(Protocol):
    """What every storage backend offers. Keys follow ``validate_key``."""

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        """Store everything ``stream`` yields under ``key`` (replacing it); returns bytes."""
        ...

    def put_bytes(self, key: str, data: bytes) -> int:
        """Store ``data`` under ``key`` (replacing it); returns bytes written."""
        ...

    def open_read(self, key: str) -> BinaryIO:
        """A readable binary stream of the object; close it (use ``with``)."""
        ...

    def get_bytes(self, key: str) -> bytes:
        """The whole object in memory (small objects only)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the object; deleting a missing key is not an error."""
        ...

    def exists(self, key: str) -> bool:
        """Whether an object is stored under ``key``."""
        ...

    def size(self, key: str) -> int:
        """The object's size in bytes (``ObjectNotFoundError`` if missing)."""
        ...

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys that start with ``prefix`` (a plain string prefix), in sorted order."""
        ...


# --------------------------------------------------------------------------- local


class LocalStorage:
    """Objects as files under a root directory.

    Writes go to a temporary file under ``<root>/.incoming``, are fsynced and then
    renamed into place with ``os.replace``, so a reader sees either the old object or the
    new one, never a partial file, even after a crash. Files are created mode 0600.
    Unlike S3, a key cannot also be the prefix of other keys (``a`` and ``a/b``): such
    a write is refused with ``InvalidKeyError``, so use keys that end in an id.
    """

    _INCOMING = ".incoming"

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (self.root / self._INCOMING).mkdir(exist_ok=True, mode=0o700)

    def __repr__(self) -> str:
        return f"LocalStorage({str(self.root)!r})"

    def _path(self, key: str) -> Path:
        validate_key(key)
        path = self.root.joinpath(*key.split("/"))
        # Defence in depth: a symlink planted inside the root must not lead outside it.
        resolved = path.resolve()
        if resolved != self.root and self.root not in resolved.parents:
            raise InvalidKeyError(f"storage key {key!r} resolves outside the storage root")
        return path

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        path = self._path(key)
        if path.is_dir():
            raise InvalidKeyError(f"storage key {key!r} is a prefix of other objects")
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except (FileExistsError, NotADirectoryError):
            # A file cannot also be a directory: S3 allows "a" and "a/b" side by side,
            # a file system does not, so keys must not nest under other objects.
            raise InvalidKeyError(f"storage key {key!r} nests under an existing object") from None
        fd, tmp_name = tempfile.mkstemp(dir=self.root / self._INCOMING, prefix="put-")
        written = 0
        try:
            with os.fdopen(fd, "wb") as tmp:
                while True:
                    piece = stream.read(_COPY_BUFFER)
                    if not piece:
                        break
                    tmp.write(piece)
                    written += len(piece)
                tmp.flush()
                os.fsync(tmp.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
        self._fsync_dir(path.parent)
        return written

    def put_bytes(self, key: str, data: bytes) -> int:
        return self.put_stream(key, io.BytesIO(data))

    @staticmethod
    def _fsync_dir(directory: Path) -> None:
        # The rename is durable only once the directory entry is on disk.
        try:
            fd = os.open(directory, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(fd)
        except OSError:
            pass
        finally:
            os.close(fd)

    def open_read(self, key: str) -> BinaryIO:
        path = self._path(key)
        try:
            return path.open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFoundError(f"no object {key!r}") from None

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as stream:
            return stream.read()

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, NotADirectoryError):
            return
        except IsADirectoryError:
            raise ObjectNotFoundError(f"{key!r} is a prefix, not an object") from None
        # Tidy empty parent directories so listing stays fast; stop at the first non-empty.
        parent = path.parent
        while parent != self.root:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def size(self, key: str) -> int:
        path = self._path(key)
        if not path.is_file():
            raise ObjectNotFoundError(f"no object {key!r}")
        return path.stat().st_size

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        _validate_prefix(prefix)
        # Walk only the deepest directory the prefix pins down.
        base_parts = prefix.split("/")[:-1]
        base = self.root.joinpath(*base_parts) if base_parts else self.root
        if not base.is_dir():
            return iter(())
        keys: list[str] = []
        for dirpath, dirnames, filenames in os.walk(base):
            rel_dir = Path(dirpath).relative_to(self.root).as_posix()
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            for name in filenames:
                if name.startswith("."):
                    continue
                key = name if rel_dir == "." else f"{rel_dir}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return iter(sorted(keys))


# --------------------------------------------------------------------------- S3


class CountingReader(io.RawIOBase):
    """Counts bytes read through it (boto3 and the ciphers do not report a stream's size)."""

    def __init__(self, inner: BinaryIO) -> None:
        super().__init__()
        self._inner = inner
        self.count = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._inner.read(-1 if size is None else size)
        self.count += len(data)
        return data

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(target))
        memoryview(target).cast("B")[: len(data)] = data
        return len(data)


class S3Storage:
    """Objects in an S3-compatible bucket, optionally under a key prefix.

    Uses path-style addressing and SigV4, which every S3-compatible server accepts.
    Uploads go through boto3's managed transfer (multipart above 8 MiB), so a stream of
    any length is stored without buffering it whole.
    """

    def __init__(
        self,
        endpoint_url: str | None,
        bucket: str,
        access_key: str | None,
        secret_key: str | None,
        region: str = "us-east-1",
        *,
        prefix: str = "",
        client: Any | None = None,
    ) -> None:
        if not bucket:
            raise ValueError("bucket must be named")
        if prefix:
            validate_key(prefix.rstrip("/"))
            prefix = prefix.rstrip("/") + "/"
        self.bucket = bucket
        self.prefix = prefix
        self.endpoint_url = endpoint_url
        if client is None:
            import boto3  # imported lazily: botocore is heavy and only S3 deployments need it
            from botocore.config import Config

            client = boto3.client(
                "s3",
                endpoint_url=endpoint_url,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                region_name=region,
                config=Config(
                    signature_version="s3v4",
                    s3={"addressing_style": "path"},
                    retries={"max_attempts": 5, "mode": "standard"},
                ),
            )
        self._client: Any = client

    def __repr__(self) -> str:
        return f"S3Storage({self.endpoint_url!r}, bucket={self.bucket!r}, prefix={self.prefix!r})"

    def _object_key(self, key: str) -> str:
        return self.prefix + validate_key(key)

    @staticmethod
    def _is_not_found(exc: Exception) -> bool:
        response = getattr(exc, "response", None) or {}
        code = str(response.get("Error", {}).get("Code", ""))
        return code in {"404", "NoSuchKey", "NotFound"}

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        counting = CountingReader(stream)
        self._client.upload_fileobj(counting, self.bucket, self._object_key(key))
        return counting.count

    def put_bytes(self, key: str, data: bytes) -> int:
        self._client.put_object(Bucket=self.bucket, Key=self._object_key(key), Body=data)
        return len(data)

    def open_read(self, key: str) -> BinaryIO:
        from botocore.exceptions import ClientError

        try:
            response = self._client.get_object(Bucket=self.bucket, Key=self._object_key(key))
        except ClientError as exc:
            if self._is_not_found(exc):
                raise ObjectNotFoundError(f"no object {key!r}") from None
            raise
        return response["Body"]  # type: ignore[return-value]

    def get_bytes(self, key: str) -> bytes:
        with self.open_read(key) as stream:
            return stream.read()

    def delete(self, key: str) -> None:
        self._client.delete_object(Bucket=self.bucket, Key=self._object_key(key))

    def _head(self, key: str) -> dict[str, Any] | None:
        from botocore.exceptions import ClientError

        try:
            return dict(self._client.head_object(Bucket=self.bucket, Key=self._object_key(key)))
        except ClientError as exc:
            if self._is_not_found(exc):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise ObjectNotFoundError(f"no object {key!r}")
        return int(head["ContentLength"])

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        _validate_prefix(prefix)
        paginator = self._client.get_paginator("list_objects_v2")
        keys: list[str] = []
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix + prefix):
            for item in page.get("Contents", []):
                keys.append(item["Key"][len(self.prefix) :])
        return iter(sorted(keys))


# --------------------------------------------------------------------------- residency


def _region_code(region: str) -> str:
    if not isinstance(region, str) or not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", region.lower()):
        raise ResidencyError(f"invalid region code {region!r}")
    return region.lower()


class RegionalStorage:
    """One backend per residency region (e.g. ``{"cn": ..., "eu": ..., "us": ...}``).

    Every call names the region. Writes also name the record's own region and are refused
    unless the two agree and the region is configured: there is no fallback region, so a
    misconfiguration stops the upload instead of moving personal data abroad.
    """

    def __init__(self, backends: Mapping[str, Storage]) -> None:
        if not backends:
            raise ValueError("configure at least one region")
        self._backends = {_region_code(region): backend for region, backend in backends.items()}

    @property
    def regions(self) -> frozenset[str]:
        """The configured region codes."""
        return frozenset(self._backends)

    def backend(self, region: str) -> Storage:
        """The storage of one region; ``ResidencyError`` if it is not configured."""
        code = _region_code(region)
        try:
            return self._backends[code]
        except KeyError:
            raise ResidencyError(
                f"region {code!r} is not configured (configured: {sorted(self._backends)}); "
                "data is never written to another region instead"
            ) from None

    def _for_write(self, region: str, record_region: str) -> Storage:
        code, record_code = _region_code(region), _region_code(record_region)
        if code != record_code:
            raise ResidencyError(
                f"refusing to store data of a record resident in {record_code!r} in region {code!r}"
            )
        return self.backend(code)

    def put_stream(self, region: str, key: str, stream: BinaryIO, *, record_region: str) -> int:
        """Store into ``region`` after checking it is ``record_region`` and configured."""
        return self._for_write(region, record_region).put_stream(key, stream)

    def put_bytes(self, region: str, key: str, data: bytes, *, record_region: str) -> int:
        """Store bytes into ``region`` after the same residency checks as ``put_stream``."""
        return self._for_write(region, record_region).put_bytes(key, data)

    def open_read(self, region: str, key: str) -> BinaryIO:
        """Read an object from its region."""
        return self.backend(region).open_read(key)

    def get_bytes(self, region: str, key: str) -> bytes:
        """Read a whole object from its region."""
        return self.backend(region).get_bytes(key)

    def delete(self, region: str, key: str) -> None:
        """Delete an object from its region."""
        self.backend(region).delete(key)

    def exists(self, region: str, key: str) -> bool:
        """Whether the region holds the key."""
        return self.backend(region).exists(key)

    def size(self, region: str, key: str) -> int:
        """Size of an object in its region."""
        return self.backend(region).size(key)

    def list_keys(self, region: str, prefix: str = "") -> Iterator[str]:
        """Keys under a prefix in one region."""
        return self.backend(region).list_keys(prefix)

    def locate(self, key: str) -> list[str]:
        """Every region that holds ``key`` (a residency audit expects exactly one)."""
        validate_key(key)
        return sorted(code for code, backend in self._backends.items() if backend.exists(key))

    def for_record(self, record_region: str) -> Storage:
        """A ``Storage`` view bound to one record's region (compose with ``EncryptedStorage``)."""
        self.backend(record_region)
        return _RegionBound(self, _region_code(record_region))


class _RegionBound:
    """``RegionalStorage`` seen through one record's region: a plain ``Storage``."""

    def __init__(self, regional: RegionalStorage, region: str) -> None:
        self._regional = regional
        self.region = region

    def __repr__(self) -> str:
        return f"RegionalStorage.for_record({self.region!r})"

    def put_stream(self, key: str, stream: BinaryIO) -> int:
        return self._regional.put_stream(self.region, key, stream, record_region=self.region)

    def put_bytes(self, key: str, data: bytes) -> int:
        return self._regional.put_bytes(self.region, key, data, record_region=self.region)

    def open_read(self, key: str) -> BinaryIO:
        return self._regional.open_read(self.region, key)

    def get_bytes(self, key: str) -> bytes:
        return self._regional.get_bytes(self.region, key)

    def delete(self, key: str) -> None:
        self._regional.delete(self.region, key)

    def exists(self, key: str) -> bool:
        return self._regional.exists(self.region, key)

    def size(self, key: str) -> int:
        return self._regional.size(self.region, key)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        return self._regional.list_keys(self.region, prefix)


# --------------------------------------------------------------------------- encrypted


class EncryptedStorage:
    """Envelope encryption in front of any ``Storage``: the backend only ever sees ciphertext.

    ``put_*`` draws a fresh data key per object, streams the object through AES-256-GCM
    chunk encryption bound to the object's key (or an explicit ``file_id``), and returns
    the data key wrapped under the keyring's current master key. The caller stores that
    ``WrappedKey`` with the record; reading needs it back. Deleting it (and the object)
    is crypto-shredding: copies of the ciphertext in backups become unreadable too.
    """

    def __init__(
        self,
        inner: Storage,
        keyring: Keyring | MasterKey,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        self.inner = inner
        self.keyring = keyring if isinstance(keyring, Keyring) else Keyring(keyring)
        self.chunk_size = chunk_size

    def __repr__(self) -> str:
        return f"EncryptedStorage({self.inner!r}, key={self.keyring.current.key_id!r})"

    def put_stream(self, key: str, stream: BinaryIO, *, file_id: str | None = None) -> WrappedKey:
        """Encrypt and store a stream of any size in constant memory."""
        validate_key(key)
        data_key = generate_data_key()
        wrapped = wrap_key(data_key, self.keyring)
        reader = EncryptingReader(stream, data_key, file_id or key, self.chunk_size)
        self.inner.put_stream(key, reader)  # type: ignore[arg-type]
        return wrapped

    def put_bytes(self, key: str, data: bytes, *, file_id: str | None = None) -> WrappedKey:
        """Encrypt and store bytes."""
        return self.put_stream(key, io.BytesIO(data), file_id=file_id)

    def open_read(
        self, key: str, wrapped_key: WrappedKey, *, file_id: str | None = None
    ) -> BinaryIO:
        """A stream of authenticated plaintext; a bad chunk raises ``IntegrityError`` on read."""
        data_key = unwrap_key(wrapped_key, self.keyring)
        inner = self.inner.open_read(key)
        try:
            reader = DecryptingReader(inner, data_key, file_id or key)
        except BaseException:
            inner.close()
            raise
        return _ClosingReader(reader, inner)  # type: ignore[return-value]

    def get_bytes(self, key: str, wrapped_key: WrappedKey, *, file_id: str | None = None) -> bytes:
        """The whole plaintext, or ``IntegrityError`` and nothing."""
        with self.open_read(key, wrapped_key, file_id=file_id) as stream:
            return stream.read()

    def delete(self, key: str) -> None:
        """Delete the ciphertext (the caller deletes the wrapped key to shred backups too)."""
        self.inner.delete(key)

    def exists(self, key: str) -> bool:
        """Whether ciphertext is stored under ``key``."""
        return self.inner.exists(key)

    def stored_size(self, key: str) -> int:
        """Bytes the ciphertext occupies in the backend."""
        return self.inner.size(key)

    def size(self, key: str) -> int:
        """Plaintext size, computed from the stored size and the file's chunk size."""
        with self.inner.open_read(key) as stream:
            chunk_size = read_stream_chunk_size(stream.read(16))
        return plaintext_size(self.inner.size(key), chunk_size)

    def list_keys(self, prefix: str = "") -> Iterator[str]:
        """Keys under a prefix."""
        return self.inner.list_keys(prefix)


class _ClosingReader(io.RawIOBase):
    """A decrypting reader that also closes the backend stream it reads from."""

    def __init__(self, reader: DecryptingReader, inner: BinaryIO) -> None:
        super().__init__()
        self._reader = reader
        self._inner = inner

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._reader.read(size)

    def readall(self) -> bytes:
        return self._reader.readall()

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        return self._reader.readinto(target)

    def close(self) -> None:
        if not self.closed:
            try:
                self._reader.close()
            finally:
                self._inner.close()
        super().close()
