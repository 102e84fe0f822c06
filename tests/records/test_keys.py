"""Master keys: a wrong key is refused at start-up; rotation rewraps without touching files."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from sqlalchemy import select, text

from hireflow.core import pii
from hireflow.core.crypto import CryptoConfigError, Keyring, MasterKey, WrappedKey
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.integrity import verify
from hireflow.records.keys import check_keyring
from hireflow.records.models import Attachment, KeyRegistryEntry, PersonRecord, RecordEntry
from hireflow.records.queries import SearchFilters, search
from hireflow.records.rotation import encrypted_columns, rotate_keys
from hireflow.records.timeline import decrypt_payload
from tests.records.conftest import make_person


@pytest.fixture
def old_ring():
    # The process key may protect other tests' data in the shared database: keep it readable.
    ring = Keyring(MasterKey.generate(), [pii.keyring().current])
    with pii.override_keyring(ring):
        yield ring


def test_start_up_refuses_a_key_that_does_not_match_the_data(session, org, regional, old_ring):
    check_keyring(session, old_ring)  # first start: registers the key
    assert session.get(KeyRegistryEntry, old_ring.current.key_id) is not None
    check_keyring(session, old_ring)  # same key: fine
    wrong = Keyring(MasterKey.generate())
    with pytest.raises(CryptoConfigError, match="does not match this database"):
        check_keyring(session, wrong)
    with pytest.raises(CryptoConfigError, match="does not match this database"):
        others = [k for k in old_ring._keys.values() if k.key_id != old_ring.current.key_id]
        check_keyring(session, Keyring(MasterKey.generate(), others))
    # the old key listed as previous during a rotation is accepted
    check_keyring(session, Keyring(MasterKey.generate(), list(old_ring._keys.values())))


def test_tampered_key_check_value_is_refused(session, old_ring):
    check_keyring(session, old_ring)
    session.execute(
        text("UPDATE key_registry SET check_token = 'hf1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'")
    )
    session.expire_all()
    with pytest.raises(CryptoConfigError, match="check value"):
        check_keyring(session, old_ring)


def test_app_start_is_refused_with_a_wrong_key(db, settings, regional):
    from fastapi.testclient import TestClient

    from hireflow.app import create_app

    ring = Keyring(MasterKey.generate(), [pii.keyring().current])
    with db.session() as session:
        check_keyring(session, ring)
    app = create_app(settings, db)
    with (
        pii.override_keyring(Keyring(MasterKey.generate())),
        pytest.raises(CryptoConfigError, match="does not match"),
        TestClient(app),
    ):
        pass


def test_every_sensitive_column_is_known_to_rotation():
    columns = {(table, column) for table, _keys, column, _ctx in encrypted_columns()}
    assert ("records", "legal_hold_reason") in columns
    assert ("record_attachments", "filename") in columns


def test_rotation_rewraps_keys_and_leaves_files_and_chains_alone(fresh_db, regional, storage_root):
    """On its own database: a rotation moves everything in the database it runs on."""
    from tests.conftest import make_org

    old_ring = Keyring(MasterKey.generate())
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        person = make_person(session, org)
        person.id_number = "11010119900307451X"
        session.commit()
        hr = principal_for(org.users["hr_admin"])
        data = os.urandom(300_000)
        attachment = service.attach_file(session, hr, person.id, io.BytesIO(data), "cv.pdf", "a/b")
        service.append_entry(session, hr, person.id, "note", {"text": "客户投诉处理得很好"})
        service.set_legal_hold(session, hr, person.id, "Case 7")
        check_keyring(session, old_ring)
        stored_path = storage_root / "cn" / Path(*attachment.storage_key.split("/"))
        ciphertext_before = stored_path.read_bytes()
        hashes_before = session.scalars(select(RecordEntry.hash).order_by(RecordEntry.id)).all()
        phone_index_before = session.execute(
            text("SELECT phone_index FROM candidates WHERE id = :i"), {"i": person.id}
        ).scalar()

    new_ring = Keyring(MasterKey.generate(), [old_ring.current])
    with pii.override_keyring(new_ring), fresh_db.session() as session:
        # search works during the rotation (terms under either key)
        hits, _ = search(session, hr, SearchFilters(q="客户投诉"))
        assert [h.person.id for h in hits] == [person.id]
        report = rotate_keys(session, new_ring)
        assert not report.failures, report.failures
        assert report.wrapped_keys >= 2 and report.field_tokens >= 3 and report.terms_entries >= 2
        assert report.retired == [old_ring.current.key_id]
        attachment = session.get(Attachment, attachment.id)
        assert WrappedKey.from_token(attachment.wrapped_key).key_id == new_ring.current.key_id
        # file ciphertext and the hash chains were not touched
        assert stored_path.read_bytes() == ciphertext_before
        assert (
            session.scalars(select(RecordEntry.hash).order_by(RecordEntry.id)).all()
            == hashes_before
        )
        assert verify(session, tenant_id=org.tenant.id, files=True).ok
        if phone_index_before is not None:  # blind indexes follow the new key
            after = session.execute(
                text("SELECT phone_index FROM candidates WHERE id = :i"), {"i": person.id}
            ).scalar()
            assert after != phone_index_before and report.blind_indexes >= 1
        # running it again changes nothing (an interrupted run is just started again)
        again = rotate_keys(session, new_ring)
        assert (again.wrapped_keys, again.field_tokens) == (0, 0)

    # the old key can now be destroyed: everything reads with the new key alone
    alone = Keyring(new_ring.current)
    with pii.override_keyring(alone), fresh_db.session() as session:
        check_keyring(session, alone)
        assert service.open_attachment(session, hr, attachment.id).stream.read() == data
        record = session.scalars(
            select(PersonRecord).where(PersonRecord.person_id == person.id)
        ).one()
        assert record.legal_hold_reason == "Case 7"
        note = session.scalars(
            select(RecordEntry).where(
                RecordEntry.person_id == person.id, RecordEntry.type == "note"
            )
        ).one()
        assert decrypt_payload(note, alone) == {"text": "客户投诉处理得很好"}
        hits, _ = search(session, hr, SearchFilters(q="客户投诉"))
        assert [h.person.id for h in hits] == [person.id]
        assert session.get(type(person), person.id).id_number == "11010119900307451X"


def test_app_start_is_refused_with_a_malformed_key(db, settings, monkeypatch):
    from fastapi.testclient import TestClient

    from hireflow.app import create_app
    from hireflow.core import settings as settings_module

    broken = settings.model_copy(update={"master_key": "not-a-key"})
    monkeypatch.setattr(settings_module, "get_settings", lambda: broken)
    pii.reset_keyring()
    try:
        app = create_app(settings, db)
        with pytest.raises(CryptoConfigError, match="HIREFLOW_MASTER_KEY"), TestClient(app):
            pass
    finally:
        monkeypatch.undo()
        pii.reset_keyring()
