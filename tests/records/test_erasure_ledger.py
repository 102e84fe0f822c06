"""A backup taken before an erasure does not bring the person back: the erasure ledger lives
outside the database and the backups, and a restore replays it (issue 12)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core import pii
from hireflow.core.settings import get_settings
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.backup import create_backup, restore_backup, wipe
from hireflow.records.erasures import replay_erasures
from hireflow.records.integrity import verify
from hireflow.records.ledger import LedgerError, ledger_path, read_ledger
from hireflow.records.models import Attachment, PersonRecord, RecordEntry
from hireflow.records.storage import override_storage
from tests.conftest import make_org
from tests.records.conftest import make_person

NOTE = "身份证 110101199003071234，住址 上海市徐汇区"


@pytest.fixture
def own_data_dir(tmp_path, monkeypatch):
    """This installation's data directory (and so its ledger), not the shared test one."""
    monkeypatch.setenv("HIREFLOW_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def _files(regional, region: str) -> set[str]:
    return set(regional.list_keys(region))


def test_restoring_an_older_backup_erases_the_person_again(
    fresh_db, regional, tmp_path, own_data_dir
):
    from hireflow.core.db import set_database

    set_database(fresh_db)
    try:
        with fresh_db.session() as session, override_storage(regional):
            org = make_org(session)
            hr = principal_for(org.users["hr_admin"])
            gone = make_person(session, org, name="王芳芳", email="wff@example.com")
            kept = make_person(session, org, name="李娜娜", email="lnn@example.com")
            for person in (gone, kept):
                service.append_entry(session, hr, person.id, "note", {"text": NOTE})
                service.attach_file(
                    session, hr, person.id, io.BytesIO(b"%PDF cv"), "cv.pdf", "application/pdf"
                )
            service.set_legal_hold(session, hr, gone.id, "dispute")
            gone_id, kept_id, tenant_id = gone.id, kept.id, org.tenant.id
        create_backup(fresh_db.engine, tmp_path / "backup", regional, ring=pii.keyring())

        with fresh_db.session() as session, override_storage(regional):
            service.set_legal_hold(session, hr, gone_id, None)
            service.erase_person(session, hr, gone_id)
        entries, unreadable = read_ledger()
        assert [(e.tenant_id, e.person_id, e.reason) for e in entries] == [
            (tenant_id, gone_id, "subject_request")
        ] and unreadable == 0
        line = ledger_path().read_text()
        assert "王芳芳" not in line and "wff@" not in line  # ids and times only

        # the older backup holds the person, under a legal hold, with files and notes
        wipe(fresh_db.engine, regional)
        restored = restore_backup(fresh_db.engine, tmp_path / "backup", regional)
        assert restored.checksums_match
        with fresh_db.session() as session:
            assert session.get(Candidate, gone_id).name == "王芳芳"

        with fresh_db.session() as session, override_storage(regional):
            report = replay_erasures(session)
            assert report.erased == [gone_id] and report.already_erased == 0
            person = session.get(Candidate, gone_id)
            assert person.name == f"#{gone_id}" and person.email == ""
            record = session.scalars(
                select(PersonRecord).where(PersonRecord.person_id == gone_id)
            ).one()
            assert record.erased_at is not None and not record.legal_hold
            assert all(
                e.payload is None
                for e in session.scalars(
                    select(RecordEntry).where(RecordEntry.person_id == gone_id)
                )
            )
            files = session.scalars(select(Attachment).where(Attachment.person_id == gone_id))
            shredded = list(files)
            assert shredded and all(a.wrapped_key is None for a in shredded)
            stored = _files(regional, shredded[0].region)
            assert not any(a.storage_key in stored for a in shredded)
            # the other person is untouched
            other = session.get(Candidate, kept_id)
            assert other.name == "李娜娜"
            result = verify(session, files=True)
            assert result.ok, result.problems
            # replaying again changes nothing
            again = replay_erasures(session)
            assert again.erased == [] and again.already_erased == 1
        # the replay does not add lines of its own
        assert len(read_ledger()[0]) == 1
    finally:
        set_database(None)


def test_a_ledger_line_of_another_installation_erases_nobody(session, org, own_data_dir):
    person = make_person(session, org)
    path = ledger_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    other = {
        "v": 1,
        "tenant_id": org.tenant.id,
        "tenant": "another-company",
        "person_id": person.id,
        "created_at": "2020-01-01T00:00:00.000000Z",
        "erased_at": "2026-01-01T00:00:00.000000Z",
        "reason": "subject_request",
    }
    path.write_text(json.dumps(other) + "\nnot json\n")
    report = replay_erasures(session)
    assert report.erased == [] and report.not_in_database == 1 and report.unreadable_lines == 1
    assert session.get(Candidate, person.id).name != f"#{person.id}"


def test_an_erasure_the_ledger_cannot_record_is_refused(session, org, own_data_dir):
    person = make_person(session, org)
    own_data_dir.mkdir(parents=True, exist_ok=True)
    ledger_path().mkdir()  # a directory where the file should be: not writable as a file
    with pytest.raises(LedgerError):
        service.erase_person(session, principal_for(org.users["hr_admin"]), person.id)
    session.rollback()
    assert session.get(Candidate, person.id).name != f"#{person.id}"
