"""Files encrypted in authenticated chunks under their own data key (SPEC G2, K3).

Streaming file format (version 1)::

    header  = b"HFSE" | version:u8 (=1) | chunk_size:u32 | nonce_prefix:7 bytes   (16 bytes)
    chunk i = AES-256-GCM(data_key, nonce_prefix | i:u32 | final:u8, plaintext_i, aad_i)
    aad_i   = domain | header | len(file_id):u16 | file_id | i:u64 | final:u8

Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last one is
flagged final (it may be empty). This is the STREAM construction (Hoang, Reyhanitabar,
Rogaway, Vizár 2015), as used by Tink's streaming AEAD and age: reordering, dropping,
duplicating or swapping chunks between files, truncating at a chunk boundary and
appending data are all detected.
"""

from __future__ import annotations

import io
import os
import struct
from collections.abc import Iterator
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hireflow.core.crypto import KEY_SIZE, SM4GCM, CryptoError, IntegrityError, default_suite

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "DecryptingReader",
    "EncryptingReader",
    "ciphertext_size",
    "decrypt_bytes",
    "decrypt_stream",
    "encrypt_bytes",
    "encrypt_stream",
    "plaintext_size",
    "read_stream_chunk_size",
]

_TAG_SIZE = 16


_STREAM_MAGIC = b"HFSE"
_STREAM_VERSION = 1  # AES-256-GCM chunks
_STREAM_VERSION_SM4 = 2  # SM4-GCM chunks (the ``sm`` suite); same framing
_STREAM_VERSIONS = (_STREAM_VERSION, _STREAM_VERSION_SM4)
_HEADER = struct.Struct(">4sBI7s")
_HEADER_SIZE = _HEADER.size
_STREAM_DOMAIN = b"hireflow/stream/v1\x00"
_MAX_CHUNKS = 2**32
DEFAULT_CHUNK_SIZE = 256 * 1024
"""Plaintext bytes per chunk. 256 KiB: 16 bytes of tag per chunk is 0.006 % overhead, a
stream holds about 1 MiB of buffers (many uploads run at once), and
bench/crypto_throughput.py finds 64 KiB to 1 MiB chunks within measurement noise of each
other, with 4 MiB slower (the chunk no longer fits the CPU caches)."""
_MIN_CHUNK_SIZE = 16
_MAX_CHUNK_SIZE = 16 * 1024 * 1024  # bounds the memory a forged header can demand


def _check_data_key(data_key: bytes, version: int = _STREAM_VERSION) -> AESGCM | SM4GCM:
    if not isinstance(data_key, bytes | bytearray) or len(data_key) != KEY_SIZE:
        raise ValueError(f"data key must be {KEY_SIZE} bytes")
    if version == _STREAM_VERSION_SM4:
        return SM4GCM(bytes(data_key))
    return AESGCM(bytes(data_key))


def _file_id_bytes(file_id: str) -> bytes:
    if not isinstance(file_id, str) or not file_id:
        raise ValueError("file_id must be a non-empty string")
    encoded = file_id.encode("utf-8")
    if len(encoded) > 0xFFFF:
        raise ValueError("file_id is too long")
    return encoded


def _check_chunk_size(chunk_size: int) -> None:
    if not isinstance(chunk_size, int) or not _MIN_CHUNK_SIZE <= chunk_size <= _MAX_CHUNK_SIZE:
        raise ValueError(f"chunk_size must be between {_MIN_CHUNK_SIZE} and {_MAX_CHUNK_SIZE}")


def _read_exact(src: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes unless the stream ends first (pipes and sockets return short reads)."""
    first = src.read(size)
    if not first or len(first) == size:
        return first or b""
    parts = [first]
    got = len(first)
    while got < size:
        more = src.read(size - got)
        if not more:
            break
        parts.append(more)
        got += len(more)
    return b"".join(parts)


class _StreamCipher:
    """Nonce and AAD bookkeeping shared by encryption and decryption of one stream."""

    def __init__(self, data_key: bytes, file_id: str, header: bytes) -> None:
        self.aead = _check_data_key(data_key, header[4])
        self.nonce_prefix = header[9:16]
        fid = _file_id_bytes(file_id)
        self.aad_prefix = _STREAM_DOMAIN + header + struct.pack(">H", len(fid)) + fid

    def nonce_and_aad(self, index: int, final: bool) -> tuple[bytes, bytes]:
        if index >= _MAX_CHUNKS:
            raise IntegrityError("stream has more chunks than the format allows")
        flag = b"\x01" if final else b"\x00"
        nonce = self.nonce_prefix + struct.pack(">I", index) + flag
        aad = self.aad_prefix + struct.pack(">Q", index) + flag
        return nonce, aad


def _encrypt_chunks(
    src: BinaryIO, data_key: bytes, file_id: str, chunk_size: int
) -> Iterator[bytes]:
    _check_chunk_size(chunk_size)
    version = _STREAM_VERSION_SM4 if default_suite().name == "sm" else _STREAM_VERSION
    header = _HEADER.pack(_STREAM_MAGIC, version, chunk_size, os.urandom(7))
    cipher = _StreamCipher(data_key, file_id, header)
    yield header
    index = 0
    current = _read_exact(src, chunk_size)
    while True:
        # Look one chunk ahead: only then do we know whether this chunk is the final one.
        following = _read_exact(src, chunk_size) if len(current) == chunk_size else b""
        final = not following
        nonce, aad = cipher.nonce_and_aad(index, final)
        yield cipher.aead.encrypt(nonce, current, aad)
        if final:
            return
        current = following
        index += 1


def _decrypt_chunks(src: BinaryIO, data_key: bytes, file_id: str) -> Iterator[bytes]:
    header = _read_exact(src, _HEADER_SIZE)
    if len(header) != _HEADER_SIZE:
        raise IntegrityError("encrypted file is truncated: incomplete header")
    magic, version, chunk_size, _prefix = _HEADER.unpack(header)
    if magic != _STREAM_MAGIC:
        raise IntegrityError("not a Hireflow encrypted file (bad magic bytes)")
    if version not in _STREAM_VERSIONS:
        raise IntegrityError(f"unsupported encrypted file version {version}")
    if not _MIN_CHUNK_SIZE <= chunk_size <= _MAX_CHUNK_SIZE:
        raise IntegrityError(f"encrypted file header has an invalid chunk size {chunk_size}")
    cipher = _StreamCipher(data_key, file_id, header)
    sealed = chunk_size + _TAG_SIZE
    index = 0
    current = _read_exact(src, sealed)
    if not current:
        raise IntegrityError("encrypted file is truncated: no chunks after the header")
    while True:
        following = _read_exact(src, sealed) if len(current) == sealed else b""
        final = not following
        if len(current) < _TAG_SIZE:
            raise IntegrityError(f"encrypted file is truncated inside chunk {index}")
        nonce, aad = cipher.nonce_and_aad(index, final)
        try:
            plaintext = cipher.aead.decrypt(nonce, current, aad)
        except InvalidTag:
            if final:
                raise IntegrityError(
                    f"chunk {index} (last present) failed authentication: the file was "
                    "truncated, extended, altered, or the key or file id is wrong"
                ) from None
            raise IntegrityError(
                f"chunk {index} failed authentication: the file was altered or reordered, "
                "or the key or file id is wrong"
            ) from None
        yield plaintext
        if final:
            return
        current = following
        index += 1


class _IteratorReader(io.RawIOBase):
    """A read-only binary stream over an iterator of byte strings.

    An error raised by the iterator (``IntegrityError``) is raised again by every later
    read: a consumer that swallows the first one still cannot mistake the damage for a
    clean end of file.
    """

    def __init__(self, pieces: Iterator[bytes]) -> None:
        super().__init__()
        self._pieces = pieces
        self._buffer = memoryview(b"")
        self._done = False
        self._error: BaseException | None = None

    def readable(self) -> bool:
        return True

    def _fill(self) -> bool:
        """Make the buffer non-empty; False at the (authentic) end of the stream."""
        if self._error is not None:
            raise self._error
        while not self._buffer and not self._done:
            try:
                self._buffer = memoryview(next(self._pieces))
            except StopIteration:
                self._done = True
            except CryptoError as exc:
                self._error = exc
                raise
        return bool(self._buffer)

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(target).cast("B")
        if not view or not self._fill():
            return 0
        count = min(len(view), len(self._buffer))
        view[:count] = self._buffer[:count]
        self._buffer = self._buffer[count:]
        return count

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if size == 0 or not self._fill():
            return b""
        piece = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return piece.tobytes()

    def readall(self) -> bytes:
        parts = []
        while self._fill():
            parts.append(self._buffer.tobytes())
            self._buffer = memoryview(b"")
        return b"".join(parts)

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()
        super().close()


class EncryptingReader(_IteratorReader):
    """Read ciphertext as it is produced from a plaintext stream (constant memory).

    Hand it to ``Storage.put_stream`` or boto3's ``upload_fileobj`` to store a large
    recording encrypted without a temporary plaintext copy.
    """

    def __init__(
        self,
        src: BinaryIO,
        data_key: bytes,
        file_id: str,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
    ) -> None:
        _check_data_key(data_key)
        _file_id_bytes(file_id)
        _check_chunk_size(chunk_size)
        super().__init__(_encrypt_chunks(src, data_key, file_id, chunk_size))


class DecryptingReader(_IteratorReader):
    """Read plaintext from an encrypted stream, chunk by authenticated chunk.

    Each byte returned has been authenticated as part of its chunk, at its position, in
    this file. A read that reaches a bad or missing chunk raises ``IntegrityError``: a
    consumer that streams the output (e.g. an HTTP response) must abort on it, and one that
    buffers must discard what it has.
    """

    def __init__(self, src: BinaryIO, data_key: bytes, file_id: str) -> None:
        _check_data_key(data_key)
        _file_id_bytes(file_id)
        super().__init__(_decrypt_chunks(src, data_key, file_id))


def encrypt_stream(
    src: BinaryIO,
    dst: BinaryIO,
    data_key: bytes,
    file_id: str,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> int:
    """Encrypt ``src`` into ``dst`` in authenticated chunks; returns ciphertext bytes written.

    ``file_id`` (e.g. the storage key or attachment id) is bound into every chunk, so a
    file cannot be passed off as another one even under the same data key.
    """
    written = 0
    for piece in _encrypt_chunks(src, data_key, file_id, chunk_size):
        dst.write(piece)
        written += len(piece)
    return written


def decrypt_stream(src: BinaryIO, dst: BinaryIO, data_key: bytes, file_id: str) -> int:
    """Decrypt ``src`` into ``dst``; returns plaintext bytes written.

    Raises ``IntegrityError`` at the first chunk that fails. Chunks before it were
    authentic and are already in ``dst``; the caller must treat ``dst`` as incomplete and
    discard it (``EncryptedStorage`` and ``decrypt_bytes`` do so for you).
    """
    written = 0
    for piece in _decrypt_chunks(src, data_key, file_id):
        dst.write(piece)
        written += len(piece)
    return written


def encrypt_bytes(
    data: bytes, data_key: bytes, file_id: str, *, chunk_size: int = DEFAULT_CHUNK_SIZE
) -> bytes:
    """In-memory form of ``encrypt_stream`` for small files."""
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, data_key, file_id, chunk_size=chunk_size)
    return out.getvalue()


def decrypt_bytes(blob: bytes, data_key: bytes, file_id: str) -> bytes:
    """In-memory form of ``decrypt_stream``: all plaintext or ``IntegrityError``, never a part."""
    return b"".join(_decrypt_chunks(io.BytesIO(blob), data_key, file_id))


def ciphertext_size(plaintext_bytes: int, chunk_size: int = DEFAULT_CHUNK_SIZE) -> int:
    """Stored size of an encrypted file: header plus a 16-byte tag per chunk."""
    if plaintext_bytes < 0:
        raise ValueError("size must not be negative")
    chunks = max(1, -(-plaintext_bytes // chunk_size))
    return _HEADER_SIZE + plaintext_bytes + chunks * _TAG_SIZE


def plaintext_size(ciphertext_bytes: int, chunk_size: int) -> int:
    """Inverse of ``ciphertext_size``; ``IntegrityError`` if no valid file has that size."""
    body = ciphertext_bytes - _HEADER_SIZE
    if body < _TAG_SIZE:
        raise IntegrityError("encrypted file is too short")
    sealed = chunk_size + _TAG_SIZE
    full, rest = divmod(body, sealed)
    if rest == 0:
        return full * chunk_size
    if rest < _TAG_SIZE:
        raise IntegrityError("encrypted file size is impossible for its chunk size")
    return full * chunk_size + rest - _TAG_SIZE


def read_stream_chunk_size(header: bytes) -> int:
    """The chunk size recorded in an encrypted file's first 16 bytes."""
    if len(header) < _HEADER_SIZE:
        raise IntegrityError("encrypted file is truncated: incomplete header")
    magic, version, chunk_size, _ = _HEADER.unpack(header[:_HEADER_SIZE])
    if magic != _STREAM_MAGIC or version not in _STREAM_VERSIONS:
        raise IntegrityError("not a Hireflow encrypted file of a known version")
    return int(chunk_size)
