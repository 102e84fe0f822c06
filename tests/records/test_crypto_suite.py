"""The per-deployment crypto suite: intl (AES-256-GCM / SHA-256 / HMAC-SHA256) or sm
(SM4-GCM / SM3 / HMAC-SM3), chosen by the master key ("sm:<key>"), with rotation from one
to the other and verification working on chains that hold both."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from hireflow.core import crypto, pii
from hireflow.core.crypto import (
    SUITES,
    IntegrityError,
    KeyNotFoundError,
    Keyring,
    MasterKey,
    blind_index,
    decrypt_field,
    encrypt_field,
    unwrap_key,
    wrap_key,
)
from hireflow.core.db import set_database
from hireflow.core.file_crypto import decrypt_bytes, encrypt_bytes
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.chain import GENESIS_HASH, canonical_json
from hireflow.records.integrity import verify
from hireflow.records.keys import check_keyring
from hireflow.records.models import Attachment, RecordEntry
from hireflow.records.payloads import entry_content
from hireflow.records.rotation import rotate_keys
from tests.conftest import make_org
from tests.records.conftest import make_person


def test_sm3_and_hmac_sm3_known_answers():
    # GB/T 32905-2016 appendix A, example 1
    assert SUITES["sm"].hexdigest(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert SUITES["intl"].hexdigest(b"abc").startswith("ba7816bf")
    key = b"k" * 32
    assert SUITES["sm"].mac(key, b"x") != SUITES["intl"].mac(key, b"x")


def test_an_sm_key_encrypts_with_sm4_and_is_another_key():
    raw = MasterKey.generate()
    sm = MasterKey.from_setting("sm:" + raw.to_setting())
    assert sm.suite.name == "sm" and sm.key_id != raw.key_id
    assert MasterKey.from_setting(sm.to_setting()).key_id == sm.key_id
    token = encrypt_field("+86 137 0013 7000", sm, "candidates.phone:1")
    assert decrypt_field(token, sm, "candidates.phone:1") == "+86 137 0013 7000"
    with pytest.raises(KeyNotFoundError):
        decrypt_field(token, raw, "candidates.phone:1")
    with pytest.raises(IntegrityError):
        decrypt_field(token, sm, "candidates.phone:2")
    data_key = crypto.generate_data_key()
    assert unwrap_key(wrap_key(data_key, sm), sm) == data_key
    index = sm.blind_index_key("candidates.phone")
    assert blind_index("x", index, suite=SUITES["sm"]) != blind_index(
        "x", index, suite=SUITES["intl"]
    )


def test_files_under_the_sm_suite_are_sm4_and_both_versions_decrypt():
    data_key = crypto.generate_data_key()
    before = crypto.default_suite()
    try:
        crypto.use_suite("sm")
        sm_blob = encrypt_bytes(b"resume" * 1000, data_key, "file-1")
        crypto.use_suite("intl")
        aes_blob = encrypt_bytes(b"resume" * 1000, data_key, "file-1")
    finally:
        crypto.use_suite(before)
    assert sm_blob[4] == 2 and aes_blob[4] == 1
    assert decrypt_bytes(sm_blob, data_key, "file-1") == decrypt_bytes(aes_blob, data_key, "file-1")
    forged = bytearray(sm_blob)
    forged[4] = 1  # the same bytes read as AES: refused
    with pytest.raises(IntegrityError):
        decrypt_bytes(bytes(forged), data_key, "file-1")


def test_rotation_from_intl_to_sm_and_verify_on_both(fresh_db, regional):
    old = Keyring(MasterKey.generate())
    set_database(fresh_db)
    try:
        with pii.override_keyring(old), fresh_db.session() as session:
            org = make_org(session)
            person = make_person(session, org)
            hr = principal_for(org.users["hr_admin"])
            service.append_entry(session, hr, person.id, "note", {"text": "面试安排 SHA"})
            service.attach_file(
                session, hr, person.id, io.BytesIO(b"old file"), "a.txt", "text/plain"
            )
            check_keyring(session, old)
            assert verify(session, files=True).ok
        sm = Keyring(MasterKey.generate("sm"), [old.current])
        with pii.override_keyring(sm), fresh_db.session() as session:
            report = rotate_keys(session, sm)
            assert not report.failures, report.failures
            assert report.retired == [old.current.key_id] and report.seals > 0
            # after the rotation the old key is not needed any more
        with pii.override_keyring(Keyring(sm.current)), fresh_db.session() as session:
            service.append_entry(session, hr, person.id, "note", {"text": "面试安排 SM3"})
            attachment = service.attach_file(
                session, hr, person.id, io.BytesIO(b"new file"), "b.txt", "text/plain"
            )
            entries = list(
                session.scalars(
                    select(RecordEntry)
                    .where(RecordEntry.person_id == person.id)
                    .order_by(RecordEntry.seq)
                )
            )
            last = entries[-1]
            from hireflow.core import hashchain as chain

            body = chain._ROW_DOMAIN + bytes.fromhex(last.prev_hash)
            body += canonical_json(entry_content(last))
            assert last.hash == SUITES["sm"].hexdigest(body)  # new rows: SM3
            first = entries[0]
            first_body = chain._ROW_DOMAIN + bytes.fromhex(GENESIS_HASH)
            first_body += canonical_json(entry_content(first))
            assert first.hash == SUITES["intl"].hexdigest(first_body)  # old rows: SHA-256
            result = verify(session, files=True)
            assert result.ok, result.problems
            opened = service.open_attachment(
                session, service.SystemActor("t", tenant_id=org.tenant.id), attachment.id
            )
            assert opened.stream.read() == b"new file"
            old_file = session.scalars(
                select(Attachment).where(Attachment.id != attachment.id)
            ).first()
            assert (
                service.open_attachment(
                    session, service.SystemActor("t", tenant_id=org.tenant.id), old_file.id
                ).stream.read()
                == b"old file"
            )
            # a changed row is still found under the sm suite
            last.facts = {"x": 1}
            session.commit()
            assert not verify(session).ok
    finally:
        set_database(None)


def test_sm2_signs_checkpoints_and_detects_forgery(tmp_path):
    from datetime import UTC, datetime

    from hireflow.core.settings import Settings
    from hireflow.records.checkpoints import public_keys, signing_key
    from hireflow.records.signing import (
        CheckpointError,
        SM2PrivateKey,
        load_public_key,
        load_signing_key,
        public_key_to_str,
        sign_checkpoint_batch,
        verify_checkpoint_batch,
    )

    key = SM2PrivateKey.generate()
    heads = {"person:1": (3, "a" * 64), "audit:1": (9, "b" * 64)}
    document = sign_checkpoint_batch(heads, datetime.now(UTC), key)
    public = load_public_key(public_key_to_str(key))
    found = verify_checkpoint_batch(document, [public])
    assert {(c.chain_id, c.seq) for c in found} == {("person:1", 3), ("audit:1", 9)}
    with pytest.raises(CheckpointError):
        verify_checkpoint_batch(document.replace('"a', '"c', 1), [public])
    with pytest.raises(CheckpointError):  # another SM2 key does not vouch for it
        verify_checkpoint_batch(document, [SM2PrivateKey.generate().public_key()])
    assert load_signing_key(key.to_text()).public_key().raw == key.public_key().raw

    # a deployment of the sm suite makes itself an SM2 checkpoint key
    settings = Settings(data_dir=tmp_path)
    before = crypto.default_suite()
    try:
        crypto.use_suite("sm")
        made = signing_key(settings)
    finally:
        crypto.use_suite(before)
    assert isinstance(made, SM2PrivateKey)
    assert (tmp_path / "checkpoint_key").read_text().startswith("sm2:")
    assert [k.raw for k in public_keys(settings)] == [made.public_key().raw]
