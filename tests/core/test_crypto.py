"""Tests for hireflow.core.crypto: keys, envelope and streaming encryption, fields, indexes."""

from __future__ import annotations

import base64
import io
import os
import pickle
import struct
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hireflow.core import crypto
from hireflow.core.crypto import (
    DEVELOPMENT_MASTER_KEY,
    CryptoConfigError,
    IntegrityError,
    KeyNotFoundError,
    Keyring,
    MasterKey,
    WrappedKey,
    blind_index,
    decrypt_field,
    encrypt_field,
    field_token_key_id,
    field_token_nonce,
    generate_data_key,
    normalise_date,
    normalise_email,
    normalise_id_number,
    normalise_phone,
    normalise_text,
    reencrypt_field,
    rewrap,
    unwrap_key,
    wrap_key,
)
from hireflow.core.file_crypto import (
    DecryptingReader,
    EncryptingReader,
    ciphertext_size,
    decrypt_bytes,
    decrypt_stream,
    encrypt_bytes,
    encrypt_stream,
    plaintext_size,
    read_stream_chunk_size,
)

HEADER = 16
TAG = 16


@pytest.fixture
def master() -> MasterKey:
    return MasterKey.generate()


# --------------------------------------------------------------------------- master key


def test_from_setting_accepts_hex_base64_and_base64url() -> None:
    raw = os.urandom(32)
    forms = [
        raw.hex(),
        raw.hex().upper(),
        "hex:" + raw.hex(),
        base64.b64encode(raw).decode(),
        "base64:" + base64.b64encode(raw).decode(),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "  " + base64.b64encode(raw).decode() + "\n",
    ]
    ids = {MasterKey.from_setting(form).key_id for form in forms}
    assert ids == {MasterKey(raw).key_id}


@pytest.mark.parametrize("value", [None, "", "   ", b""])
def test_from_setting_refuses_missing_key(value: str | bytes | None) -> None:
    with pytest.raises(CryptoConfigError, match="not configured"):
        MasterKey.from_setting(value)


@pytest.mark.parametrize(
    "value",
    [
        os.urandom(16).hex(),  # AES-128 sized
        base64.b64encode(os.urandom(31)).decode(),
        base64.b64encode(os.urandom(33)).decode(),
        base64.b64encode(os.urandom(64)).decode(),
    ],
    # fixed ids: pytest-xdist workers must collect the same test names
    ids=["hex-16-bytes", "base64-31-bytes", "base64-33-bytes", "base64-64-bytes"],
)
def test_from_setting_refuses_wrong_length(value: str) -> None:
    with pytest.raises(CryptoConfigError, match="32 bytes"):
        MasterKey.from_setting(value)


@pytest.mark.parametrize(
    "value", ["not a key!", "hex:zz" + "0" * 62, "changeme", "\u5bc6\u94a5" * 22, b"\xff" * 44]
)
def test_from_setting_refuses_garbage(value: str | bytes) -> None:
    with pytest.raises(CryptoConfigError):
        MasterKey.from_setting(value)


def test_development_key_refused_unless_explicitly_allowed() -> None:
    with pytest.raises(CryptoConfigError, match="development key"):
        MasterKey.from_setting(DEVELOPMENT_MASTER_KEY)
    # The same bytes in another encoding are the same published key.
    as_hex = base64.b64decode(DEVELOPMENT_MASTER_KEY).hex()
    with pytest.raises(CryptoConfigError, match="development key"):
        MasterKey.from_setting(as_hex)
    key = MasterKey.from_setting(DEVELOPMENT_MASTER_KEY, allow_development_key=True)
    assert len(key.key_id) == 16


@pytest.mark.parametrize("raw", [bytes(32), b"\xff" * 32, bytes(range(32)), b"ab" * 16])
def test_trivially_guessable_keys_refused(raw: bytes) -> None:
    with pytest.raises(CryptoConfigError, match="guessable"):
        MasterKey.from_setting(raw.hex())


def test_key_material_never_shown_or_pickled(master: MasterKey) -> None:
    secret = master.to_setting()
    assert secret not in repr(master)
    assert master.key_id in repr(master)
    assert secret not in repr(Keyring(master))
    with pytest.raises(TypeError):
        pickle.dumps(master)


def test_key_id_is_stable_and_distinguishes_keys(master: MasterKey) -> None:
    again = MasterKey.from_setting(master.to_setting())
    assert again.key_id == master.key_id
    assert again == master
    assert MasterKey.generate().key_id != master.key_id
    # The id is a one-way fingerprint, not a prefix of the key.
    assert master.key_id not in base64.b64decode(master.to_setting()).hex()


def test_derive_separates_purposes_and_scopes(master: MasterKey) -> None:
    a = master.derive("field")
    assert a == master.derive("field")
    assert len(a) == 32
    others = {
        master.derive("wrap"),
        master.derive("field", "tenant-1"),
        master.derive("field", "tenant-2"),
        MasterKey.generate().derive("field"),
    }
    assert a not in others
    assert len(others) == 4
    with pytest.raises(ValueError):
        master.derive("")
    with pytest.raises(ValueError):
        master.derive("field", "a\x00b")
    assert master.blind_index_key("phone", "t1") != master.blind_index_key("phone", "t2")
    assert master.blind_index_key("phone") != master.blind_index_key("id_number")


def test_keyring_lookup_and_settings(master: MasterKey) -> None:
    old = MasterKey.generate()
    ring = Keyring.from_settings(master.to_setting(), [old.to_setting(), "", "  "])
    assert ring.current.key_id == master.key_id
    assert ring.key_ids == (master.key_id, old.key_id)
    assert old.key_id in ring
    assert ring.get(old.key_id) == old
    with pytest.raises(KeyNotFoundError, match="no master key"):
        ring.get("0123456789abcdef")
    with pytest.raises(CryptoConfigError):
        Keyring.from_settings(master.to_setting(), ["short"])
    with pytest.raises(CryptoConfigError):
        Keyring.from_settings(None)


# --------------------------------------------------------------------------- wrapping


def test_wrap_unwrap_roundtrip_and_token(master: MasterKey) -> None:
    data_key = generate_data_key()
    wrapped = wrap_key(data_key, master)
    assert wrapped.key_id == master.key_id
    assert data_key not in wrapped.ciphertext
    assert unwrap_key(wrapped, master) == data_key
    token = wrapped.to_token()
    assert token.startswith("hfk1.")
    assert WrappedKey.from_token(token) == wrapped
    assert master.to_setting() not in repr(wrapped) and data_key.hex() not in repr(wrapped)
    # Fresh nonce each time: wrapping the same key twice gives different ciphertexts.
    assert wrap_key(data_key, master).ciphertext != wrapped.ciphertext


def test_unwrap_detects_tampering(master: MasterKey) -> None:
    wrapped = wrap_key(generate_data_key(), master)
    flipped = bytearray(wrapped.ciphertext)
    flipped[5] ^= 1
    with pytest.raises(IntegrityError):
        unwrap_key(WrappedKey(wrapped.key_id, wrapped.nonce, bytes(flipped)), master)
    with pytest.raises(IntegrityError):
        unwrap_key(WrappedKey(wrapped.key_id, os.urandom(12), wrapped.ciphertext), master)
    with pytest.raises(KeyNotFoundError):
        unwrap_key(wrapped, MasterKey.generate())


@pytest.mark.parametrize(
    "token",
    [
        "",
        "hfk1",
        "hfk2.0123456789abcdef.AAAA.AAAA",
        "hfk1.XYZ.AAAA.AAAA",
        "hfk1.0123456789abcdef.!!.??",
    ],
)
def test_malformed_wrapped_key_tokens(token: str) -> None:
    with pytest.raises(IntegrityError):
        WrappedKey.from_token(token)


def test_rewrap_rotates_without_touching_ciphertext(master: MasterKey) -> None:
    data_key = generate_data_key()
    blob = encrypt_bytes(b"recording bytes " * 1000, data_key, "rec/1", chunk_size=1024)
    wrapped = wrap_key(data_key, master)

    new = MasterKey.generate()
    old_ring = Keyring(new, [master])
    rewrapped = rewrap(wrapped, old_ring, new)
    assert rewrapped.key_id == new.key_id
    # After retiring the old key only the new one is needed, and the file is unchanged.
    new_only = Keyring(new)
    assert (
        decrypt_bytes(blob, unwrap_key(rewrapped, new_only), "rec/1") == b"recording bytes " * 1000
    )
    with pytest.raises(KeyNotFoundError):
        unwrap_key(wrapped, new_only)
    # Idempotent: a key already under the new master comes back unchanged.
    assert rewrap(rewrapped, new_only, new) is rewrapped
    # Retired too early: the rotation cannot proceed, and says why.
    with pytest.raises(KeyNotFoundError, match="retired"):
        rewrap(wrapped, new_only, new)


# --------------------------------------------------------------------------- streaming


class TrickleReader(io.RawIOBase):
    """A source that returns at most a few bytes per read, like a slow pipe."""

    def __init__(self, data: bytes, step: int = 3) -> None:
        self._data = data
        self._pos = 0
        self._step = step

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        size = self._step if size < 0 else min(size, self._step)
        piece = self._data[self._pos : self._pos + size]
        self._pos += len(piece)
        return piece


@pytest.mark.parametrize("length", [0, 1, 15, 16, 17, 63, 64, 65, 1000])
def test_stream_roundtrip_at_chunk_boundaries(length: int) -> None:
    data_key = generate_data_key()
    data = os.urandom(length)
    out = io.BytesIO()
    written = encrypt_stream(io.BytesIO(data), out, data_key, "f/1", chunk_size=16)
    blob = out.getvalue()
    assert written == len(blob) == ciphertext_size(length, 16)
    assert plaintext_size(len(blob), 16) == length
    assert read_stream_chunk_size(blob) == 16
    back = io.BytesIO()
    assert decrypt_stream(io.BytesIO(blob), back, data_key, "f/1") == length
    assert back.getvalue() == data


def test_stream_with_short_reads_on_both_sides() -> None:
    data_key = generate_data_key()
    data = os.urandom(5000)
    out = io.BytesIO()
    encrypt_stream(TrickleReader(data, 7), out, data_key, "f", chunk_size=256)
    assert decrypt_bytes(out.getvalue(), data_key, "f") == data
    back = io.BytesIO()
    decrypt_stream(TrickleReader(out.getvalue(), 5), back, data_key, "f")
    assert back.getvalue() == data


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=3000), chunk_size=st.integers(16, 700), read_size=st.integers(1, 999)
)
def test_readers_roundtrip_any_data(data: bytes, chunk_size: int, read_size: int) -> None:
    data_key = generate_data_key()
    enc = EncryptingReader(io.BytesIO(data), data_key, "file-x", chunk_size)
    blob = b"".join(iter(lambda: enc.read(read_size), b""))
    assert len(blob) == ciphertext_size(len(data), chunk_size)
    dec = DecryptingReader(io.BytesIO(blob), data_key, "file-x")
    assert b"".join(iter(lambda: dec.read(read_size), b"")) == data
    # readinto path (used by io.BufferedReader and shutil)
    buffered = io.BufferedReader(DecryptingReader(io.BytesIO(blob), data_key, "file-x"))
    assert buffered.read() == data


def test_same_plaintext_encrypts_differently() -> None:
    data_key = generate_data_key()
    a = encrypt_bytes(b"same", data_key, "f")
    b = encrypt_bytes(b"same", data_key, "f")
    assert a != b  # random nonce prefix per stream, even under a reused data key
    assert decrypt_bytes(a, data_key, "f") == decrypt_bytes(b, data_key, "f") == b"same"


def test_ciphertext_does_not_contain_plaintext() -> None:
    marker = b"ID 110101199003074578 phone 13800138000"
    blob = encrypt_bytes(marker * 50, generate_data_key(), "f", chunk_size=64)
    assert marker not in blob
    assert b"110101199003074578" not in blob


@pytest.fixture(scope="module")
def sample() -> tuple[bytes, bytes, bytes]:
    data_key = generate_data_key()
    data = os.urandom(300)
    return data_key, data, encrypt_bytes(data, data_key, "f/1", chunk_size=64)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(position=st.integers(0, 10_000), bit=st.integers(0, 7))
def test_any_flipped_bit_is_detected(
    sample: tuple[bytes, bytes, bytes], position: int, bit: int
) -> None:
    data_key, _, blob = sample
    tampered = bytearray(blob)
    tampered[position % len(blob)] ^= 1 << bit
    with pytest.raises(IntegrityError):
        decrypt_bytes(bytes(tampered), data_key, "f/1")


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(0, 10_000))
def test_any_truncation_is_detected(sample: tuple[bytes, bytes, bytes], cut: int) -> None:
    data_key, _, blob = sample
    with pytest.raises(IntegrityError):
        decrypt_bytes(blob[: cut % len(blob)], data_key, "f/1")


def _chunks(blob: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    sealed = chunk_size + TAG
    body = blob[HEADER:]
    return blob[:HEADER], [body[i : i + sealed] for i in range(0, len(body), sealed)]


def test_truncation_at_chunk_boundary_is_detected(sample: tuple[bytes, bytes, bytes]) -> None:
    data_key, _, blob = sample
    header, chunks = _chunks(blob, 64)
    assert len(chunks) == 5
    for keep in range(len(chunks)):
        with pytest.raises(IntegrityError, match=r"truncated|last present"):
            decrypt_bytes(header + b"".join(chunks[:keep]), data_key, "f/1")


def test_appended_and_reordered_chunks_are_detected(sample: tuple[bytes, bytes, bytes]) -> None:
    data_key, _, blob = sample
    header, chunks = _chunks(blob, 64)
    with pytest.raises(IntegrityError):
        decrypt_bytes(blob + chunks[0], data_key, "f/1")
    swapped = [chunks[1], chunks[0], *chunks[2:]]
    with pytest.raises(IntegrityError, match="chunk 0"):
        decrypt_bytes(header + b"".join(swapped), data_key, "f/1")
    duplicated = [chunks[0], chunks[0], *chunks[2:]]
    with pytest.raises(IntegrityError, match="chunk 1"):
        decrypt_bytes(header + b"".join(duplicated), data_key, "f/1")


def test_chunks_cannot_move_between_files_under_one_key() -> None:
    data_key = generate_data_key()
    a = encrypt_bytes(b"A" * 200, data_key, "file-a", chunk_size=64)
    b = encrypt_bytes(b"B" * 200, data_key, "file-b", chunk_size=64)
    header_a, chunks_a = _chunks(a, 64)
    _, chunks_b = _chunks(b, 64)
    mixed = header_a + chunks_a[0] + chunks_b[1] + b"".join(chunks_a[2:])
    with pytest.raises(IntegrityError, match="chunk 1"):
        decrypt_bytes(mixed, data_key, "file-a")
    with pytest.raises(IntegrityError):
        decrypt_bytes(a, data_key, "file-b")  # a file passed off as another
    with pytest.raises(IntegrityError):
        decrypt_bytes(a, generate_data_key(), "file-a")


def test_header_is_authenticated_and_checked(sample: tuple[bytes, bytes, bytes]) -> None:
    data_key, _, blob = sample
    with pytest.raises(IntegrityError, match="magic"):
        decrypt_bytes(b"XXXX" + blob[4:], data_key, "f/1")
    with pytest.raises(IntegrityError, match="version"):
        decrypt_bytes(blob[:4] + b"\x09" + blob[5:], data_key, "f/1")
    with pytest.raises(IntegrityError, match="chunk size"):
        decrypt_bytes(blob[:5] + struct.pack(">I", 1) + blob[9:], data_key, "f/1")
    # A plausible chunk size that is not the real one fails authentication.
    with pytest.raises(IntegrityError):
        decrypt_bytes(blob[:5] + struct.pack(">I", 48) + blob[9:], data_key, "f/1")
    with pytest.raises(IntegrityError, match="header"):
        decrypt_bytes(blob[:10], data_key, "f/1")
    with pytest.raises(IntegrityError, match="no chunks"):
        decrypt_bytes(blob[:HEADER], data_key, "f/1")


def test_reader_never_releases_plaintext_of_a_bad_chunk(sample: tuple[bytes, bytes, bytes]) -> None:
    data_key, data, blob = sample
    tampered = bytearray(blob)
    tampered[HEADER + 2 * (64 + TAG) + 3] ^= 0x40  # inside chunk 2
    reader = DecryptingReader(io.BytesIO(bytes(tampered)), data_key, "f/1")
    released = b""
    with pytest.raises(IntegrityError, match="chunk 2"):
        while piece := reader.read(10):
            released += piece
    # Only the two authentic chunks before the damage came out.
    assert released == data[:128]


def test_reader_keeps_failing_after_damage(sample: tuple[bytes, bytes, bytes]) -> None:
    data_key, _, blob = sample
    reader = DecryptingReader(io.BytesIO(blob[:-1]), data_key, "f/1")
    with pytest.raises(IntegrityError):
        reader.read()
    # A consumer that swallowed the error must not see a clean end of file next.
    for attempt in (lambda: reader.read(10), reader.readall, lambda: reader.readinto(bytearray(8))):
        with pytest.raises(IntegrityError):
            attempt()
    reader.close()
    assert reader.closed


def test_stream_parameter_validation() -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        EncryptingReader(io.BytesIO(b"x"), generate_data_key(), "f", chunk_size=32 * 1024 * 1024)
    with pytest.raises(ValueError, match="data key"):
        encrypt_bytes(b"x", b"short", "f")
    with pytest.raises(ValueError, match="file_id"):
        encrypt_bytes(b"x", generate_data_key(), "")
    with pytest.raises(ValueError, match="chunk_size"):
        encrypt_bytes(b"x", generate_data_key(), "f", chunk_size=8)
    with pytest.raises(ValueError):
        ciphertext_size(-1)
    with pytest.raises(IntegrityError):
        plaintext_size(20, 64)


# --------------------------------------------------------------------------- shredding


def test_crypto_shredding_leaves_nothing_recoverable(master: MasterKey) -> None:
    """With the wrapped data key destroyed, master key + ciphertext recover nothing."""
    secret = b"interview recording of candidate 42 " * 100
    data_key = generate_data_key()
    blob = encrypt_bytes(secret, data_key, "rec/42", chunk_size=256)
    wrapped = wrap_key(data_key, master)
    del data_key, wrapped  # what deleting the key row amounts to

    assert b"candidate 42" not in blob
    # Nothing derivable from the master key opens the file: data keys are random,
    # not derived, so the master key alone is useless without the wrapped key.
    candidates = [
        base64.b64decode(master.to_setting()),
        master.derive("wrap"),
        master.derive("field"),
        master.derive("data", "rec/42"),
        generate_data_key(),
    ]
    for guess in candidates:
        with pytest.raises(IntegrityError):
            decrypt_bytes(blob, guess, "rec/42")
    # Two files never share a data key.
    assert generate_data_key() != generate_data_key()


# --------------------------------------------------------------------------- fields


@pytest.mark.parametrize(
    "value", ["", "13800138000", "110101199003074578", "张三 · 北京市海淀区", "😀" * 50]
)
def test_field_roundtrip(master: MasterKey, value: str) -> None:
    token = encrypt_field(value, master, "candidate.id_number:7")
    assert token.startswith("hf1.")
    assert set(token[4:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert value == "" or value not in token
    assert decrypt_field(token, master, "candidate.id_number:7") == value
    assert encrypt_field(value, master, "candidate.id_number:7") != token


def test_field_token_is_compact(master: MasterKey) -> None:
    token = encrypt_field("13800138000", master, "candidate.phone:1")
    assert len(token) <= 70


def test_field_bound_to_context(master: MasterKey) -> None:
    token = encrypt_field("13800138000", master, "candidate.phone:1")
    for other in ["candidate.phone:2", "candidate.id_number:1", "candidate.phone:1 "]:
        with pytest.raises(IntegrityError, match="failed authentication"):
            decrypt_field(token, master, other)
    with pytest.raises(ValueError, match="context"):
        encrypt_field("x", master, "")


def test_field_tampering_and_malformed_tokens(master: MasterKey) -> None:
    token = encrypt_field("1990-03-07", master, "employee.birth_date:3")
    raw = bytearray(base64.urlsafe_b64decode(token[4:] + "=" * (-len(token[4:]) % 4)))
    raw[-1] ^= 1
    bad = "hf1." + base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(IntegrityError):
        decrypt_field(bad, master, "employee.birth_date:3")
    for garbage in ["1990-03-07", "hf1.", "hf1.%%%", "hf1.AAAA", "hf2." + token[4:]]:
        with pytest.raises(IntegrityError):
            decrypt_field(garbage, master, "employee.birth_date:3")
    with pytest.raises(TypeError):
        encrypt_field(date(1990, 3, 7), master, "employee.birth_date:3")  # type: ignore[arg-type]


def test_a_field_token_nonce_names_one_encryption(master: MasterKey) -> None:
    token = encrypt_field("consent", master, "record_outbox.entry:1:2")
    again = encrypt_field("consent", master, "record_outbox.entry:1:2")
    assert field_token_nonce(token) != field_token_nonce(again)  # random nonces
    assert (
        field_token_nonce(token).startswith(master.key_id) and len(field_token_nonce(token)) == 40
    )
    for garbage in ["consent", "hf1.", "hf1.AAAA"]:
        with pytest.raises(IntegrityError):
            field_token_nonce(garbage)


def test_field_rotation(master: MasterKey) -> None:
    token = encrypt_field("13800138000", master, "c.phone:1")
    assert field_token_key_id(token) == master.key_id
    new = MasterKey.generate()
    ring = Keyring(new, [master])
    assert decrypt_field(token, ring, "c.phone:1") == "13800138000"
    fresh = reencrypt_field(token, ring, "c.phone:1")
    assert field_token_key_id(fresh) == new.key_id
    assert decrypt_field(fresh, Keyring(new), "c.phone:1") == "13800138000"
    assert reencrypt_field(fresh, ring, "c.phone:1") is fresh
    with pytest.raises(KeyNotFoundError):
        decrypt_field(token, Keyring(new), "c.phone:1")


def test_field_and_wrap_keys_are_separate(master: MasterKey) -> None:
    """A field token is not a wrapped key and vice versa (different derived keys)."""
    data_key = generate_data_key()
    wrapped = wrap_key(data_key, master)
    forged = "hf1." + base64.urlsafe_b64encode(
        bytes.fromhex(master.key_id) + wrapped.nonce + wrapped.ciphertext
    ).decode().rstrip("=")
    with pytest.raises(IntegrityError):
        decrypt_field(forged, master, "x")


# --------------------------------------------------------------------------- blind index


def test_blind_index_matches_normalised_equals(master: MasterKey) -> None:
    key = master.blind_index_key("candidate.phone", tenant="t1")
    variants = [
        "13800138000",
        "138-0013-8000",
        "+86 138 0013 8000",
        "0086 13800138000",
        "(+86) 138.0013.8000",
        "１３８００１３８０００",
    ]
    indexes = {blind_index(v, key, normalise_phone) for v in variants}
    assert len(indexes) == 1
    (index,) = indexes
    assert len(index) == 32 and int(index, 16) >= 0
    assert blind_index("13800138001", key, normalise_phone) != index
    # Another tenant or column: unrelated values, so indexes cannot be joined across them.
    assert (
        blind_index("13800138000", master.blind_index_key("candidate.phone", "t2"), normalise_phone)
        != index
    )
    assert (
        blind_index("13800138000", master.blind_index_key("employee.phone", "t1"), normalise_phone)
        != index
    )
    # Not a plain hash of the value: without the key the index cannot be computed.
    import hashlib

    assert index not in hashlib.sha256(b"+8613800138000").hexdigest()


def test_blind_index_id_numbers_and_lengths(master: MasterKey) -> None:
    key = master.blind_index_key("candidate.id_number")
    a = blind_index("11010119900307457x", key, normalise_id_number)
    assert a == blind_index(" 110101 19900307 457X ", key, normalise_id_number)
    assert blind_index("11010119900307457X", key) != blind_index("11010119900307457x", key)
    assert len(blind_index("a", key, length=4)) == 8
    assert len(blind_index("a", key, length=32)) == 64
    for bad_length in (3, 33):
        with pytest.raises(ValueError):
            blind_index("a", key, length=bad_length)
    with pytest.raises(ValueError, match="index_key"):
        blind_index("a", b"short")
    with pytest.raises(TypeError):
        blind_index(12345, key)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "+8613800138000"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("0044 20 7946 0958", "+442079460958"),
        ("010-8888 6666", "+861088886666"),
        ("+49 30 123456", "+4930123456"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


def test_normalise_phone_other_default_country() -> None:
    assert normalise_phone("030 123456", default_country_code="49") == "+4930123456"
    with pytest.raises(ValueError):
        normalise_phone("123", default_country_code="0")


@pytest.mark.parametrize(
    "raw", ["", "abc", "+0123456789", "12", "+1234567890123456", "138 0013 80OO"]
)
def test_normalise_phone_refuses_non_numbers(raw: str) -> None:
    with pytest.raises(ValueError):
        normalise_phone(raw)


def test_other_normalisers() -> None:
    assert normalise_id_number("g1234567(8)".replace("(", "").replace(")", "")) == "G12345678"
    with pytest.raises(ValueError):
        normalise_id_number("  ")
    with pytest.raises(ValueError):
        normalise_id_number("12/34")
    assert normalise_email("  Zhang.San@Example.COM ") == "zhang.san@example.com"
    with pytest.raises(ValueError):
        normalise_email("no-at-sign")
    assert normalise_text("  Hello\tWORLD  ") == "hello world"
    assert normalise_date("1990-3-7") == "1990-03-07"
    assert normalise_date("1990年3月7日") == "1990-03-07"
    assert normalise_date("19900307") == "1990-03-07"
    assert normalise_date("1990/03/07") == "1990-03-07"
    assert normalise_date(date(1990, 3, 7)) == "1990-03-07"
    for bad in ["07.03.1990", "1990-02-30", "yesterday"]:
        with pytest.raises(ValueError):
            normalise_date(bad)


def test_public_names_exist() -> None:
    for name in crypto.__all__:
        assert hasattr(crypto, name), name
