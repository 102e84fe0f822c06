"""Master keys: a wrong key is refused at start-up; rotation rewraps without touching files."""

from __future__ import annotations

import io
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import String, Text, cast, column, or_, select, table, text

from hireflow.core import pii
from hireflow.core.crypto import (
    CryptoConfigError,
    Keyring,
    MasterKey,
    WrappedKey,
    decrypt_field,
    encrypt_field,
    unwrap_key,
    wrap_key,
)
from hireflow.core.db import Base
from hireflow.notifications.keys import secret_context
from hireflow.notifications.models import ChannelSetting
from hireflow.org.auth import principal_for
from hireflow.records import outbox, service, timeline
from hireflow.records.download_codes import code_context
from hireflow.records.integrity import verify, verify_person
from hireflow.records.keys import check_keyring
from hireflow.records.models import (
    Attachment,
    DownloadCode,
    KeyRegistryEntry,
    PendingEntry,
    PersonRecord,
    RecordEntry,
)
from hireflow.records.payloads import decrypt_payload
from hireflow.records.queries import SearchFilters, search
from hireflow.records.rotation import (
    encrypted_columns,
    listed_key_columns,
    rotate_keys,
    wrapped_key_columns,
)
from hireflow.records.service import SystemActor
from hireflow.scheduling.models import AvailabilityProfile
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
    with pytest.raises(CryptoConfigError, match="does not match this database") as refused:
        check_keyring(session, wrong)
    # keys named as a sentence names them ("master key 3f…", "keys 3f… and 9a…")
    message = str(refused.value)
    assert f"which the configured key {wrong.current.key_id} does not include" in message
    assert "master key ids" not in message and "[" not in message
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
    # every column the models mark as encrypted, whatever its kind, is in the rotation's plan
    wrapped = {(table, column) for table, _key, column in wrapped_key_columns()}
    marked = set()
    for tbl in Base.metadata.sorted_tables:
        for col in tbl.columns:
            encrypted_type = isinstance(col.type, pii.EncryptedText | pii.EncryptedJSON)
            if encrypted_type or pii.ROW_TOKEN in col.info or pii.WRAPPED_KEY in col.info:
                marked.add((tbl.name, col.name))
    assert marked == columns | wrapped
    # the row-bound and wrapped-key columns that live in plain TEXT columns
    assert {
        ("record_outbox", "entry"),
        ("record_download_codes", "code_token"),
        ("notification_channels", "secret_token"),
        ("interviewer_availability", "calendar_url_token"),
    } <= columns
    assert wrapped == {
        ("record_attachments", "wrapped_key"),
        ("record_entries", "payload_key"),
        ("interview_answers", "media_wrapped_key"),
    }
    assert listed_key_columns() == [("interview_uploads", "id", "chunks", 1)]
    # each row is re-encrypted with the context its code seals it with
    contexts = {(table, column): ctx for table, _keys, column, ctx in encrypted_columns()}
    assert pii.row_context(
        contexts["record_outbox", "entry"], {"tenant_id": 3, "person_id": 41}
    ) == (outbox._context(3, 41))
    assert pii.row_context(contexts["record_download_codes", "code_token"], {"id": 9}) == (
        code_context(9)
    )
    assert pii.row_context(
        contexts["notification_channels", "secret_token"], {"tenant_id": 3, "channel": "sms"}
    ) == secret_context(3, "sms")


def _token_columns(session) -> set[tuple[str, str]]:
    """(table, column) of every text column holding a master-key token (a field token or a
    wrapped key), anywhere in the value (a JSON document too)."""
    found = set()
    for tbl in Base.metadata.sorted_tables:
        for col in tbl.columns:
            if not isinstance(col.type, String | Text | pii.EncryptedText | pii.EncryptedJSON):
                continue
            # as text: a column the models call a string may be another type in the database
            value = cast(table(tbl.name, column(col.name)).c[col.name], Text)
            hit = session.execute(
                select(value).where(or_(value.contains("hf1."), value.contains("hfk1."))).limit(1)
            ).first()
            if hit is not None:
                found.add((tbl.name, col.name))
    return found


def _planned() -> set[tuple[str, str]]:
    """(table, column) of everything the rotation re-encrypts or rewraps."""
    planned = {(t, c) for t, _k, c, _x in encrypted_columns()}
    planned |= {(t, c) for t, _k, c in wrapped_key_columns()}
    return planned | {(t, c) for t, _k, c, _p in listed_key_columns()}


def _rotate_and_retire(database, old_ring: Keyring) -> Keyring:
    """Check that every column holding a token is one the rotation covers (the key registry's
    aside), rotate to a new key and retire the old one; the new key alone, for reading."""
    with pii.override_keyring(old_ring), database.session() as session:
        check_keyring(session, old_ring)
        assert _token_columns(session) - _planned() == {("key_registry", "check_token")}
    new_ring = Keyring(MasterKey.generate(), [old_ring.current])
    with pii.override_keyring(new_ring), database.session() as session:
        report = rotate_keys(session, new_ring)
        assert not report.failures, report.failures
        assert report.retired == [old_ring.current.key_id]
        again = rotate_keys(session, new_ring)  # all moved, once
        assert (again.wrapped_keys, again.field_tokens) == (0, 0)
    return Keyring(new_ring.current)


def test_rotation_reseals_the_record_outbox_and_every_row_bound_token(
    fresh_db, regional, storage_root
):
    """Deferred entries, one-time codes, channel credentials and calendar addresses survive a
    rotation and the old key's destruction: the deferred entries are appended, not reported
    as forged, and an entry appended before stays recognised in its copies."""
    from tests.conftest import make_org

    old_ring = Keyring(MasterKey.generate())
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        hr = principal_for(org.users["hr_admin"])
        waiting, legacy = make_person(session, org), make_person(session, org)
        link = SystemActor("candidate-link", tenant_id=org.tenant.id)
        service.record_consents(
            session,
            link,
            waiting.id,
            ("recording", "ai_assessment"),
            "v1",
            True,
            source="ai_interview",
            defer=True,
        )
        # a row sealed before entries had an id, appended once; its copy waits as a replay
        plain = json.dumps(
            {
                "type": "consent",
                "source": "ai_interview",
                "facts": {"purpose": "recording"},
                "occurred_at": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),
                "actor_label": "system:candidate-link",
            },
            sort_keys=True,
        )
        older = encrypt_field(plain, old_ring, outbox._context(org.tenant.id, legacy.id))
        for _ in range(2):
            session.add(PendingEntry(tenant_id=org.tenant.id, person_id=legacy.id, entry=older))
        session.commit()
        assert timeline.settle_pending(session, legacy.id) == 1
        session.commit()
        assert [f.kind for f in outbox.forged(session)] == ["replayed"]
        # (a file for the person whose entries were appended: appending settles first)
        attachment = service.attach_file(session, hr, legacy.id, io.BytesIO(b"cv"), "cv.pdf", "a/b")
        code = DownloadCode(
            tenant_id=org.tenant.id,
            user_id=hr.user_id,
            attachment_id=attachment.id,
            code_hash="0" * 64,
            expires_at=datetime(2099, 1, 1, tzinfo=UTC),
        )
        session.add(code)
        session.flush()
        code.code_token = pii.encrypt_value("123456", code_context(code.id))
        channel = ChannelSetting(tenant_id=org.tenant.id, channel="sms", config={})
        session.add(channel)
        session.flush()
        channel.secret_token = encrypt_field(
            '{"key": "s3cret"}', old_ring, secret_context(org.tenant.id, "sms")
        )
        interviewer = org.users["interviewer"]
        calendar_context = f"interviewer_availability.calendar_url:{interviewer.id}"
        session.add(
            AvailabilityProfile(
                tenant_id=org.tenant.id,
                user_id=interviewer.id,
                timezone="Asia/Shanghai",
                working_hours=[],
                holidays=[],
                calendar_url_token=encrypt_field(
                    "https://cal.example.com/private/abc.ics", old_ring, calendar_context
                ),
            )
        )
        session.commit()

    alone = _rotate_and_retire(fresh_db, old_ring)
    with pii.override_keyring(alone), fresh_db.session() as session:
        check_keyring(session, alone)
        # the copy of the entry appended before is still a copy; nothing is forged
        assert [(f.person_id, f.kind) for f in outbox.forged(session)] == [(legacy.id, "replayed")]
        assert timeline.settle_all(session).appended == 2  # the deferred consents
        purposes = session.scalars(
            select(RecordEntry.facts).where(RecordEntry.person_id == waiting.id)
        ).all()
        assert sorted(f.get("purpose", "") for f in purposes if f.get("purpose")) == [
            "ai_assessment",
            "recording",
        ]
        assert verify_person(session, waiting.id).ok
        legacy_entries = session.scalars(
            select(RecordEntry).where(RecordEntry.person_id == legacy.id)
        ).all()
        assert len([e for e in legacy_entries if e.type == "consent"]) == 1
        code = session.get(DownloadCode, code.id)
        assert pii.decrypt_value(code.code_token, code_context(code.id), alone) == "123456"
        channel = session.get(ChannelSetting, channel.id)
        assert (
            decrypt_field(channel.secret_token, alone, secret_context(org.tenant.id, "sms"))
            == '{"key": "s3cret"}'
        )
        token = session.scalars(select(AvailabilityProfile.calendar_url_token)).one()
        assert decrypt_field(token, alone, calendar_context).endswith("abc.ics")


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


def test_rotation_rewraps_the_chunks_of_an_upload_in_progress(fresh_db, regional):
    """A recording still uploading when the key changes is assembled after the old key is
    gone: its chunks' data keys are rewrapped like every other."""
    from hireflow.interviews.models import InterviewAnswer, InterviewUpload
    from hireflow.interviews.sessions import ensure_session
    from tests.conftest import make_org
    from tests.interviews.factories import make_setup

    old_ring = Keyring(MasterKey.generate())
    data_keys = [os.urandom(32), os.urandom(32)]
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        interview = ensure_session(session, make_setup(session, org).invitation)
        answer = InterviewAnswer(
            tenant_id=org.tenant.id,
            interview_id=interview.id,
            question_id=interview.questions[0]["id"],
            status="open",
        )
        session.add(answer)
        session.flush()
        chunks = [
            [f"up/{i}", wrap_key(k, old_ring).to_token(), 10] for i, k in enumerate(data_keys)
        ]
        upload = InterviewUpload(
            tenant_id=org.tenant.id,
            interview_id=interview.id,
            answer_id=answer.id,
            token="upload-in-progress",
            mode="voice",
            content_type="audio/webm",
            region="cn",
            chunks=chunks,
        )
        session.add(upload)
        session.commit()

    alone = _rotate_and_retire(fresh_db, old_ring)
    with pii.override_keyring(alone), fresh_db.session() as session:
        stored = session.get(InterviewUpload, upload.id).chunks
        assert [(c[0], c[2]) for c in stored] == [("up/0", 10), ("up/1", 10)]
        assert [unwrap_key(WrappedKey.from_token(c[1]), alone) for c in stored] == data_keys


def _with_a_moved_outbox_row(session, org) -> tuple[int, int, int]:
    """A genuine deferred consent, and a copy of its seal moved to another person (which
    authenticates nowhere else): (the genuine person, the other person, the moved row)."""
    person, other = make_person(session, org), make_person(session, org)
    link = SystemActor("candidate-link", tenant_id=org.tenant.id)
    service.record_consents(
        session, link, person.id, ("recording",), "v1", True, source="ai_interview", defer=True
    )
    sealed = session.scalars(
        select(PendingEntry.entry).where(PendingEntry.person_id == person.id)
    ).one()
    moved = PendingEntry(tenant_id=org.tenant.id, person_id=other.id, entry=sealed)
    session.add(moved)
    session.commit()
    return person.id, other.id, moved.id


def test_rotation_names_unreadable_outbox_rows_and_retires_only_when_told(fresh_db, regional):
    """A forged outbox row cannot be resealed: the rotation moves everything else, quarantines
    the row (noted in its person's chain), names it, and keeps the old key until IT says that
    the row may become unreadable for good."""
    from tests.conftest import make_org

    old_ring = Keyring(MasterKey.generate())
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        person_id, other_id, moved = _with_a_moved_outbox_row(session, org)
        check_keyring(session, old_ring)
    old_id = old_ring.current.key_id
    new_ring = Keyring(MasterKey.generate(), [old_ring.current])
    with pii.override_keyring(new_ring), fresh_db.session() as session:
        report = rotate_keys(session, new_ring)
        assert report.failures == []  # everything readable was moved
        assert [(u.row_id, u.person_id, u.reason, u.key_id) for u in report.unreadable] == [
            (moved, other_id, "seal_invalid", old_id)
        ]
        assert (report.retired, report.held_for_unreadable) == ([], [old_id])
        assert report.losses() == report.unreadable
        row = session.get(PendingEntry, moved)
        assert row.quarantine_reason == "seal_invalid"
        notes = session.scalars(
            select(RecordEntry.facts).where(
                RecordEntry.person_id == other_id, RecordEntry.type == "quarantine"
            )
        ).all()
        assert [(n["outbox_row"], n["reason"]) for n in notes] == [(moved, "seal_invalid")]
        # told: the old key is retired, and the report says what became unreadable
        told = rotate_keys(session, new_ring, retire_unreadable=True)
        assert told.retired == [old_id] and told.failures == []
        assert [u.row_id for u in told.losses()] == [moved]
    alone = Keyring(new_ring.current)
    with pii.override_keyring(alone), fresh_db.session() as session:
        check_keyring(session, alone)  # the old key is no longer needed to start
        assert timeline.settle_all(session).appended == 1  # the genuine consent, resealed
        assert [(f.row_id, f.kind, f.reason) for f in outbox.forged(session)] == [
            (moved, "quarantined", "seal_invalid")
        ]
        assert verify_person(session, person_id).ok


def test_rotation_without_unreadable_rows_retires_as_before(fresh_db, regional):
    from tests.conftest import make_org

    old_ring = Keyring(MasterKey.generate())
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        _person_id, other_id, moved = _with_a_moved_outbox_row(session, org)
        # a row forged under a key this installation never had does not hold the old key back
        stranger = Keyring(MasterKey.generate())
        session.get(PendingEntry, moved).entry = encrypt_field(
            "{}", stranger, outbox._context(org.tenant.id, other_id)
        )
        session.commit()
        check_keyring(session, old_ring)
    new_ring = Keyring(MasterKey.generate(), [old_ring.current])
    with pii.override_keyring(new_ring), fresh_db.session() as session:
        report = rotate_keys(session, new_ring)
        assert [(u.reason, u.key_id) for u in report.unreadable] == [
            ("key_unavailable", stranger.current.key_id)
        ]
        assert report.retired == [old_ring.current.key_id] and report.losses() == []


def _retirement_audits(session, tenant_id: int) -> list:
    from hireflow.core.audit import AuditEntry

    return list(
        session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.tenant_id == tenant_id,
                AuditEntry.action == "record.keys_retired_unreadable",
            )
            .order_by(AuditEntry.id)
        )
    )


def test_retiring_a_key_that_unreadable_outbox_rows_need_is_audited(fresh_db, regional):
    """Retiring anyway (``retire_unreadable``) is a destructive choice: the company whose rows
    become unreadable finds it in its audit log, with the key and how many rows were lost,
    and nothing of the rows or their people."""
    from hireflow.core.i18n import translations
    from hireflow.org import audit_words
    from tests.conftest import make_org

    old_ring = Keyring(MasterKey.generate())
    with pii.override_keyring(old_ring), fresh_db.session() as session:
        org = make_org(session)
        tenant_id = org.tenant.id
        _with_a_moved_outbox_row(session, org)
        check_keyring(session, old_ring)
    old_id = old_ring.current.key_id
    new_ring = Keyring(MasterKey.generate(), [old_ring.current])
    with pii.override_keyring(new_ring), fresh_db.session() as session:
        assert rotate_keys(session, new_ring).held_for_unreadable == [old_id]
        assert _retirement_audits(session, tenant_id) == []  # kept: nothing lost yet
        assert rotate_keys(session, new_ring, retire_unreadable=True).retired == [old_id]
        (entry,) = _retirement_audits(session, tenant_id)
        assert entry.new_values == {"rows_lost": 1, "keys": [old_id]}
        assert (entry.target_type, entry.target_id, entry.actor_id) == (
            "tenant",
            str(tenant_id),
            None,
        )
        action, values = entry.action, entry.new_values
        # nothing left to retire: a second run writes nothing more
        rotate_keys(session, new_ring, retire_unreadable=True)
        assert len(_retirement_audits(session, tenant_id)) == 1
    zh = translations("zh-CN")
    assert audit_words.action_label(action, zh.gettext) != action
    lines = audit_words.summary(None, values, zh.gettext, zh.ngettext)
    assert [line.code for line in lines] == [False, False]
