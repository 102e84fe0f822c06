"""Under the sm suite every digest and keyed hash is SM3 / HMAC-SM3 (issue 12): audit value
digests, file checksums, backup and export manifests, import checksums, download codes,
key ids. Data written before (SHA-256) stays verifiable, and the default suite is unchanged."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import zipfile
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from hireflow.core import audit, crypto, pii
from hireflow.core.audit import AuditEntry
from hireflow.core.crypto import (
    SUITES,
    DigestSet,
    Keyring,
    MasterKey,
    WrappedKey,
    decrypt_field,
    reencrypt_field,
    unwrap_key,
)
from hireflow.core.db import set_database
from hireflow.org.auth import principal_for
from hireflow.records import download_codes, service, signing
from hireflow.records.backup import BackupError, create_backup, verify_backup
from hireflow.records.export import export_person
from hireflow.records.import_source import checksum, load_mapping
from hireflow.records.integrity import verify
from hireflow.records.migration import run_import
from hireflow.records.models import Attachment, ImportedRecord
from hireflow.records.signing import SM2PrivateKey, sign_checkpoint_batch, verify_checkpoint_batch
from tests.conftest import make_org
from tests.records.conftest import make_person
from tests.records.test_migration import write_source

_TAG = b"hireflow/key-id/v1/sm"


def _stored_bytes(regional, attachment: Attachment) -> bytes:
    with regional.open_read(attachment.region, attachment.storage_key) as stream:
        return stream.read()


def _values_body(entry: AuditEntry) -> bytes:
    return audit._values_body(
        entry.values_salt,
        entry.old_values,
        entry.new_values,
        entry.ip or "",
        entry.actor_label or "",
    )


def test_sm_key_ids_are_hmac_sm3_and_data_under_the_old_ids_still_opens():
    key = MasterKey.generate("sm")
    raw = key._key
    assert key.key_id == SUITES["sm"].mac(raw, _TAG)[:8].hex()
    legacy = hmac.new(raw, _TAG, hashlib.sha256).digest()[:8].hex()
    assert key.legacy_key_ids == (legacy,) and key.key_id != legacy
    assert MasterKey.generate().legacy_key_ids == ()  # the default suite is unchanged
    intl = MasterKey(raw)
    assert intl.key_id == hmac.new(raw, b"hireflow/key-id/v1", hashlib.sha256).digest()[:8].hex()

    # a data key wrapped, and a field encrypted, when sm key ids were HMAC-SHA256
    data_key = os.urandom(32)
    nonce = os.urandom(12)
    sealed = key._aead("wrap").encrypt(nonce, data_key, crypto._WRAP_DOMAIN + legacy.encode())
    old_wrapped = WrappedKey(legacy, nonce, sealed)
    ring = Keyring(key)
    assert legacy in ring and unwrap_key(old_wrapped, ring) == data_key
    old_id = bytes.fromhex(legacy)
    context = "candidates.phone:7"
    token_body = key._aead("field").encrypt(
        nonce, b"+8613700137000", crypto._field_aad(old_id, context)
    )
    old_token = crypto.FIELD_TOKEN_PREFIX + crypto._b64url(old_id + nonce + token_body)
    assert decrypt_field(old_token, ring, context) == "+8613700137000"
    # rotation brings it under the new id
    renewed = reencrypt_field(old_token, ring, context)
    assert crypto.field_token_key_id(renewed) == key.key_id
    assert decrypt_field(renewed, ring, context) == "+8613700137000"


def test_sm2_checkpoint_key_ids_are_sm3_and_old_checkpoints_verify(monkeypatch):
    key = SM2PrivateKey.generate()
    raw = b"hireflow/signing-key-id/v1\x00sm2\x00" + key.public_key().raw
    assert signing.public_key_id(key) == SUITES["sm"].hexdigest(raw)[:16]
    heads = {"person:1": (3, "a" * 64)}
    document = sign_checkpoint_batch(heads, datetime.now(UTC), key)
    assert json.loads(document)["key_id"] == SUITES["sm"].hexdigest(raw)[:16]
    assert verify_checkpoint_batch(document, [key.public_key()])
    # signed when SM2 key ids were SHA-256 fingerprints
    monkeypatch.setattr(signing, "public_key_id", lambda k: hashlib.sha256(raw).hexdigest()[:16])
    old = sign_checkpoint_batch(heads, datetime.now(UTC), key)
    monkeypatch.undo()
    assert json.loads(old)["key_id"] == hashlib.sha256(raw).hexdigest()[:16]
    assert [c.chain_id for c in verify_checkpoint_batch(old, [key.public_key()])] == ["person:1"]


def test_sm_suite_digests_files_audit_backup_and_export_with_sm3(fresh_db, regional, tmp_path):
    intl = Keyring(MasterKey.generate())
    sm = Keyring(MasterKey.generate("sm"), [intl.current])
    set_database(fresh_db)
    try:
        with pii.override_keyring(intl), fresh_db.session() as session:
            org = make_org(session)
            person = make_person(session, org)
            hr = principal_for(org.users["hr_admin"])
            service.append_entry(session, hr, person.id, "note", {"text": "before"})
            before = service.attach_file(
                session, hr, person.id, io.BytesIO(b"old file"), "a.txt", "text/plain"
            )
            stored = _stored_bytes(regional, before)
            assert before.ciphertext_sha256 == hashlib.sha256(stored).hexdigest()
            row = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            assert row.values_digest == hashlib.sha256(_values_body(row)).hexdigest()
        with pii.override_keyring(sm), fresh_db.session() as session:
            service.append_entry(session, hr, person.id, "note", {"text": "after"})
            after = service.attach_file(
                session, hr, person.id, io.BytesIO(b"new file"), "b.txt", "text/plain"
            )
            stored = _stored_bytes(regional, after)
            assert after.ciphertext_sha256 == SUITES["sm"].hexdigest(stored)
            row = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
            assert row.values_digest == SUITES["sm"].hexdigest(_values_body(row))
            # one-time download codes: HMAC-SM3
            code_key = sm.current.derive("download-code")
            assert (
                download_codes.code_hash(5, "123456")
                == SUITES["sm"].mac(code_key, b"5:123456").hex()
            )
            # both generations verify, files included
            report = verify(session, files=True)
            assert report.ok, report.problems

            out = io.BytesIO()
            manifest = export_person(session, hr, person.id, out)
            assert manifest["hash"] == "sm3"
            with zipfile.ZipFile(out) as archive:
                body = archive.read("timeline.json")
            assert manifest["files"]["timeline.json"]["sm3"] == SUITES["sm"].hexdigest(body)

            target = tmp_path / "backup"
            create_backup(fresh_db.engine, target, regional, ring=sm)
            assert (target / "manifest.sm3").exists()
            assert not (target / "manifest.sha256").exists()
            manifest = verify_backup(target)
            assert manifest["hash"] == "sm3"
            for item in manifest["objects"]:
                path = target / "storage" / item["region"] / item["key"]
                assert item["sm3"] == SUITES["sm"].hexdigest(path.read_bytes())
            (target / "db" / "candidates.jsonl.gz").write_bytes(b"\x1f\x8b damaged")
            with pytest.raises(BackupError, match="candidates"):
                verify_backup(target)

            # a changed value or file is still found under either digest
            row.new_values = {"x": 1}
            session.commit()
            problems = verify(session).problems
            assert [p.kind for p in problems] == ["altered"], problems
    finally:
        set_database(None)


def test_changed_files_are_found_whichever_suite_hashed_them(fresh_db, regional, storage_root):
    set_database(fresh_db)
    try:
        for suite in ("intl", "sm"):
            ring = Keyring(MasterKey.generate(suite))
            with pii.override_keyring(ring), fresh_db.session() as session:
                org = make_org(session)
                person = make_person(session, org)
                hr = principal_for(org.users["hr_admin"])
                attachment = service.attach_file(
                    session, hr, person.id, io.BytesIO(b"file"), "a.txt", "text/plain"
                )
                assert verify(session, tenant_id=org.tenant.id, files=True).ok
                path = storage_root.joinpath(attachment.region, *attachment.storage_key.split("/"))
                data = bytearray(path.read_bytes())
                data[-1] ^= 1
                path.write_bytes(bytes(data))
                problems = verify(session, tenant_id=org.tenant.id, files=True).problems
                assert "file_altered" in {p.kind for p in problems}, (suite, problems)
    finally:
        set_database(None)


def test_import_checksums_follow_the_suite_and_older_imports_are_recognised(session, org, tmp_path):
    write_source(tmp_path / "legacy", 12, corrupt=False)
    mapping = load_mapping(tmp_path / "legacy" / "mapping.yaml")
    first = run_import(session, mapping, org.tenant)  # the process suite: intl
    assert first.people_new == 12 and not first.conflicts
    stored = session.scalars(
        select(ImportedRecord.checksum).where(ImportedRecord.tenant_id == org.tenant.id)
    ).first()
    assert len(stored) == 64
    sm = Keyring(MasterKey.generate("sm"), [pii.keyring().current])
    with pii.override_keyring(sm):
        assert checksum("person", "E1", {"a": "b"}) == SUITES["sm"].hexdigest(
            b'hireflow/import/v1\x00{"key":"E1","kind":"person","values":{"a":"b"}}'
        )
        again = run_import(session, mapping, org.tenant)
    assert again.people_new == 0 and again.people_existing == 12
    assert again.history_existing == 24 and not again.conflicts, again.conflicts
    assert again.verification.ok


def test_digest_set_names_the_suite_that_made_a_digest():
    data = b"ciphertext"
    for suite in SUITES.values():
        digests = DigestSet()
        digests.update(data)
        assert digests.matched(suite.hexdigest(data)) is suite
        assert not digests.matches(suite.hexdigest(data + b"x"))
        key = os.urandom(32)
        assert crypto.mac_matches(key, data, suite.mac(key, data).hex())
        assert crypto.mac_matches(key, data, suite.mac(key, data).hex()[:16])
        assert not crypto.mac_matches(key, data + b"x", suite.mac(key, data).hex())
        assert not crypto.mac_matches(key, data, "")
