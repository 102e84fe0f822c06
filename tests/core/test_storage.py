"""Tests for hireflow.core.storage against a real directory and a real local S3 server."""

from __future__ import annotations

import io
import os
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from hireflow.core.crypto import (
    IntegrityError,
    KeyNotFoundError,
    Keyring,
    MasterKey,
    WrappedKey,
    rewrap,
)
from hireflow.core.storage import (
    EncryptedStorage,
    InvalidKeyError,
    LocalStorage,
    ObjectNotFoundError,
    RegionalStorage,
    ResidencyError,
    S3Storage,
    Storage,
    validate_key,
)

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

ACCESS_KEY, SECRET_KEY = "hireflow-test", "hireflow-test-secret"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """moto's S3-compatible HTTP server on a free loopback port."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def _new_bucket(endpoint: str) -> str:
    name = f"hireflow-{uuid.uuid4().hex[:12]}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=name)
    return name


@pytest.fixture(params=["local", "s3", "s3-prefixed"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    if request.param == "local":
        return LocalStorage(tmp_path / "objects")
    endpoint = request.getfixturevalue("s3_endpoint")
    prefix = "tenant-9/" if request.param == "s3-prefixed" else ""
    return S3Storage(endpoint, _new_bucket(endpoint), ACCESS_KEY, SECRET_KEY, prefix=prefix)


class ExplodingReader(io.RawIOBase):
    """Yields some bytes, then fails like a dropped upload connection."""

    def __init__(self, good: bytes) -> None:
        self._good = good
        self._sent = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._sent:
            self._sent = True
            return self._good
        raise ConnectionResetError("client went away")


class NonSeekable(io.RawIOBase):
    """A pipe-like stream: no seek, no tell, no len."""

    def __init__(self, data: bytes) -> None:
        self._inner = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._inner.read(size)


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/etc/passwd",
        "../outside",
        "a/../../b",
        "a/./b",
        "a//b",
        "a/",
        ".hidden",
        "a/.incoming/x",
        "a\\b",
        "a\x00b",
        "a\nb",
        "x" * 1025,
    ],
)
def test_unsafe_keys_refused(key: str) -> None:
    with pytest.raises(InvalidKeyError):
        validate_key(key)


def test_ordinary_keys_accepted() -> None:
    for key in ["a", "tenant/3/recordings/1f0e.webm.enc", "简历/张三.pdf", "a b/c-d_e.f"]:
        assert validate_key(key) == key
    with pytest.raises(InvalidKeyError):
        validate_key(123)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- all backends


def test_put_get_overwrite_delete(storage: Storage) -> None:
    assert storage.put_bytes("tenant/1/resume.pdf", b"%PDF-1.7 one") == 12
    assert storage.exists("tenant/1/resume.pdf")
    assert storage.get_bytes("tenant/1/resume.pdf") == b"%PDF-1.7 one"
    assert storage.size("tenant/1/resume.pdf") == 12
    storage.put_bytes("tenant/1/resume.pdf", b"v2")
    assert storage.get_bytes("tenant/1/resume.pdf") == b"v2"
    storage.delete("tenant/1/resume.pdf")
    assert not storage.exists("tenant/1/resume.pdf")
    storage.delete("tenant/1/resume.pdf")  # idempotent
    with pytest.raises(ObjectNotFoundError):
        storage.get_bytes("tenant/1/resume.pdf")
    with pytest.raises(ObjectNotFoundError):
        storage.size("tenant/1/resume.pdf")
    with pytest.raises(ObjectNotFoundError):
        storage.open_read("never/written")


def test_stream_of_unknown_length(storage: Storage) -> None:
    # Larger than boto3's 8 MiB multipart threshold, from a stream that cannot seek.
    data = os.urandom(9 * 1024 * 1024 + 123)
    assert storage.put_stream("rec/big.webm", NonSeekable(data)) == len(data)
    assert storage.size("rec/big.webm") == len(data)
    with storage.open_read("rec/big.webm") as stream:
        first = stream.read(1000)
        rest = stream.read()
    assert first + rest == data


def test_list_keys_by_prefix(storage: Storage) -> None:
    for key in ["t/1/rec/b", "t/1/rec/a", "t/1/resume", "t/2/rec/a", "top"]:
        storage.put_bytes(key, b"x")
    assert list(storage.list_keys("t/1/")) == ["t/1/rec/a", "t/1/rec/b", "t/1/resume"]
    assert list(storage.list_keys("t/1/re")) == ["t/1/rec/a", "t/1/rec/b", "t/1/resume"]
    assert list(storage.list_keys("t/1/rec")) == ["t/1/rec/a", "t/1/rec/b"]
    assert list(storage.list_keys("t/3/")) == []
    assert list(storage.list_keys()) == ["t/1/rec/a", "t/1/rec/b", "t/1/resume", "t/2/rec/a", "top"]
    with pytest.raises(InvalidKeyError):
        list(storage.list_keys("../"))


def test_invalid_keys_refused_by_every_operation(storage: Storage) -> None:
    for call in [
        lambda: storage.put_bytes("../x", b"x"),
        lambda: storage.put_stream("/abs", io.BytesIO(b"x")),
        lambda: storage.open_read("a/../b"),
        lambda: storage.delete(".."),
        lambda: storage.exists("a//b"),
        lambda: storage.size(""),
    ]:
        with pytest.raises(InvalidKeyError):
            call()


def test_backends_follow_the_protocol(storage: Storage) -> None:
    assert isinstance(storage, Storage)


# --------------------------------------------------------------------------- local only


def test_local_write_is_atomic_and_cleans_up(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put_bytes("doc", b"old content")
    with pytest.raises(ConnectionResetError):
        store.put_stream("doc", ExplodingReader(b"new partial"))
    assert store.get_bytes("doc") == b"old content"
    with pytest.raises(ConnectionResetError):
        store.put_stream("fresh/doc", ExplodingReader(b"partial"))
    assert not store.exists("fresh/doc")
    assert os.listdir(tmp_path / ".incoming") == []
    assert list(store.list_keys()) == ["doc"]


def test_local_files_are_private_and_dirs_tidied(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path / "s")
    store.put_bytes("a/b/c/file", b"x")
    mode = stat.S_IMODE((tmp_path / "s" / "a" / "b" / "c" / "file").stat().st_mode)
    assert mode == 0o600
    store.put_bytes("a/keep", b"y")
    store.delete("a/b/c/file")
    assert not (tmp_path / "s" / "a" / "b").exists()
    assert (tmp_path / "s" / "a" / "keep").exists()
    with pytest.raises(ObjectNotFoundError):
        store.delete("a")  # a prefix is not an object


def test_local_keys_cannot_nest_under_objects(tmp_path: Path) -> None:
    store = LocalStorage(tmp_path)
    store.put_bytes("a/b", b"x")
    with pytest.raises(InvalidKeyError, match="nests"):
        store.put_bytes("a/b/c", b"y")
    with pytest.raises(InvalidKeyError, match="prefix"):
        store.put_bytes("a", b"z")
    assert list(store.list_keys()) == ["a/b"]


def test_local_symlink_escape_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_bytes(b"host file")
    store = LocalStorage(tmp_path / "root")
    (tmp_path / "root" / "link").symlink_to(outside)
    with pytest.raises(InvalidKeyError, match="outside"):
        store.get_bytes("link/secret")
    with pytest.raises(InvalidKeyError):
        store.put_bytes("link/new", b"x")
    assert not (outside / "new").exists()


# --------------------------------------------------------------------------- residency


@pytest.fixture
def regional(tmp_path: Path) -> RegionalStorage:
    return RegionalStorage(
        {"cn": LocalStorage(tmp_path / "cn"), "EU": LocalStorage(tmp_path / "eu")}
    )


def test_residency_routes_and_refuses(regional: RegionalStorage) -> None:
    assert regional.regions == frozenset({"cn", "eu"})
    regional.put_bytes("eu", "cand/7/cv.pdf", b"cv", record_region="EU")
    assert regional.locate("cand/7/cv.pdf") == ["eu"]
    assert regional.get_bytes("eu", "cand/7/cv.pdf") == b"cv"
    with pytest.raises(ResidencyError, match="resident in 'eu'"):
        regional.put_bytes("cn", "cand/7/rec.webm", b"rec", record_region="eu")
    with pytest.raises(ResidencyError, match="not configured"):
        regional.put_bytes("us", "cand/8/cv.pdf", b"cv", record_region="us")
    with pytest.raises(ResidencyError, match="invalid region"):
        regional.put_bytes("../cn", "cand/8/cv.pdf", b"cv", record_region="../cn")
    with pytest.raises(ResidencyError):
        regional.put_stream("cn", "cand/9", io.BytesIO(b"x"), record_region="eu")
    # Nothing leaked anywhere by the refused writes.
    assert regional.locate("cand/7/rec.webm") == []
    assert list(regional.list_keys("cn")) == []
    assert regional.exists("eu", "cand/7/cv.pdf") and regional.size("eu", "cand/7/cv.pdf") == 2
    regional.delete("eu", "cand/7/cv.pdf")
    assert regional.locate("cand/7/cv.pdf") == []
    with pytest.raises(ValueError):
        RegionalStorage({})


def test_region_bound_view_is_a_storage(regional: RegionalStorage) -> None:
    view = regional.for_record("cn")
    assert isinstance(view, Storage)
    view.put_bytes("emp/1/contract.pdf", b"contract")
    assert regional.locate("emp/1/contract.pdf") == ["cn"]
    assert view.get_bytes("emp/1/contract.pdf") == b"contract"
    assert list(view.list_keys("emp/")) == ["emp/1/contract.pdf"]
    assert view.exists("emp/1/contract.pdf") and view.size("emp/1/contract.pdf") == 8
    with view.open_read("emp/1/contract.pdf") as stream:
        assert stream.read() == b"contract"
    view.delete("emp/1/contract.pdf")
    assert not view.exists("emp/1/contract.pdf")
    with pytest.raises(ResidencyError):
        regional.for_record("us")


# --------------------------------------------------------------------------- encrypted


@pytest.fixture
def keyring() -> Keyring:
    return Keyring(MasterKey.generate())


def test_encrypted_storage_writes_only_ciphertext(storage: Storage, keyring: Keyring) -> None:
    store = EncryptedStorage(storage, keyring, chunk_size=4096)
    plaintext = b"candidate 42 says: my ID is 110101199003074578. " * 2000
    wrapped = store.put_bytes("rec/42.webm", plaintext)
    assert isinstance(wrapped, WrappedKey) and wrapped.key_id == keyring.current.key_id
    stored = storage.get_bytes("rec/42.webm")
    assert b"110101199003074578" not in stored and b"candidate" not in stored
    assert store.get_bytes("rec/42.webm", wrapped) == plaintext
    assert store.size("rec/42.webm") == len(plaintext)
    assert store.stored_size("rec/42.webm") == len(stored) > len(plaintext)
    assert store.exists("rec/42.webm") and list(store.list_keys("rec/")) == ["rec/42.webm"]
    token = wrapped.to_token()
    assert store.get_bytes("rec/42.webm", WrappedKey.from_token(token)) == plaintext


def test_encrypted_large_stream_constant_memory(storage: Storage, keyring: Keyring) -> None:
    store = EncryptedStorage(storage, keyring)
    data = os.urandom(9 * 1024 * 1024 + 5)
    wrapped = store.put_stream("rec/big", NonSeekable(data))
    with store.open_read("rec/big", wrapped) as stream:
        assert stream.read(10) == data[:10]
        assert stream.read() == data[10:]


def test_encrypted_objects_bound_to_their_key(tmp_path: Path, keyring: Keyring) -> None:
    inner = LocalStorage(tmp_path)
    store = EncryptedStorage(inner, keyring, chunk_size=64)
    key_a = store.put_bytes("a", b"A" * 500)
    key_b = store.put_bytes("b", b"B" * 500)
    with pytest.raises(IntegrityError):
        store.get_bytes("a", key_b)  # someone swapped the key rows
    inner.put_bytes("c", inner.get_bytes("a"))
    with pytest.raises(IntegrityError):
        store.get_bytes("c", key_a)  # ciphertext copied to another object
    assert store.get_bytes("c", key_a, file_id="a") == b"A" * 500  # an explicit move
    blob = bytearray(inner.get_bytes("b"))
    blob[200] ^= 1
    inner.put_bytes("b", bytes(blob))
    with pytest.raises(IntegrityError):
        store.get_bytes("b", key_b)


def test_crypto_shredding_through_storage(tmp_path: Path, keyring: Keyring) -> None:
    inner = LocalStorage(tmp_path / "live")
    backup = LocalStorage(tmp_path / "backup")
    store = EncryptedStorage(inner, keyring)
    wrapped = store.put_bytes("rec/7", b"recording of a withdrawn candidate")
    backup.put_bytes("rec/7", inner.get_bytes("rec/7"))  # last night's backup
    # Erasure request: delete the key row (the wrapped key) and the object.
    del wrapped
    store.delete("rec/7")
    # The backup copy stays unreadable: a fresh wrapped key for it cannot exist, and
    # no other key opens it.
    restored = EncryptedStorage(backup, keyring)
    other = restored.put_bytes("rec/8", b"another file")
    with pytest.raises(IntegrityError):
        restored.get_bytes("rec/7", other)
    assert b"withdrawn" not in backup.get_bytes("rec/7")


def test_rotation_through_storage(tmp_path: Path) -> None:
    old = MasterKey.generate()
    store = EncryptedStorage(LocalStorage(tmp_path), old)
    wrapped = store.put_bytes("doc", b"offer letter")
    before = (tmp_path / "doc").read_bytes()
    new = MasterKey.generate()
    rotated = rewrap(wrapped, Keyring(new, [old]), new)
    after_store = EncryptedStorage(LocalStorage(tmp_path), Keyring(new))
    assert after_store.get_bytes("doc", rotated) == b"offer letter"
    assert (tmp_path / "doc").read_bytes() == before  # ciphertext untouched
    with pytest.raises(KeyNotFoundError):
        after_store.get_bytes("doc", wrapped)
    # New writes use the current key.
    assert after_store.put_bytes("doc2", b"x").key_id == new.key_id


def test_encrypted_regional_composition(regional: RegionalStorage, keyring: Keyring) -> None:
    store = EncryptedStorage(regional.for_record("eu"), keyring)
    wrapped = store.put_bytes("cand/1/rec", b"eu data")
    assert regional.locate("cand/1/rec") == ["eu"]
    assert b"eu data" not in regional.get_bytes("eu", "cand/1/rec")
    assert store.get_bytes("cand/1/rec", wrapped) == b"eu data"


def test_s3_errors_other_than_missing_propagate(s3_endpoint: str) -> None:
    store = S3Storage(s3_endpoint, "no-such-bucket-hireflow", ACCESS_KEY, SECRET_KEY)
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError):
        store.put_bytes("x", b"y")
    with pytest.raises(ValueError):
        S3Storage(s3_endpoint, "", ACCESS_KEY, SECRET_KEY)
