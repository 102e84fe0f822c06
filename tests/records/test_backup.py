"""Backup → wipe → restore gives identical records and verifiable chains, on each backend."""

from __future__ import annotations

import gzip
import io
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from hireflow.core import pii
from hireflow.core.i18n import named_list
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.backup import (
    BackupError,
    create_backup,
    restore_backup,
    table_checksums,
    verify_backup,
    wipe,
)
from hireflow.records.integrity import verify
from hireflow.records.models import Attachment
from hireflow.records.storage import override_storage
from tests.conftest import make_org, migrated_url
from tests.records.conftest import make_opening, make_person


def _populate(database, regional):
    contents = {}
    with database.session() as session, override_storage(regional):
        org = make_org(session)
        hr = principal_for(org.users["hr_admin"])
        for dept in (0, 2):  # one cn, one eu person
            person = make_person(session, org, opening=make_opening(session, org, dept))
            service.append_entry(session, hr, person.id, "note", {"text": f"备注 {dept}"})
            service.set_status(session, hr, person.id, "screening")
            data = os.urandom(70_000)
            attachment = service.attach_file(
                session,
                hr,
                person.id,
                io.BytesIO(data),
                f"cv-{dept}.pdf",
                "application/pdf",
                kind="resume",
            )
            contents[attachment.id] = data
        return org.tenant.id, contents


def test_backup_wipe_restore_round_trip(fresh_db, tmp_path):
    regional = RegionalStorage(
        {r: LocalStorage(tmp_path / "storage" / r) for r in ("cn", "eu", "us")}
    )
    tenant_id, contents = _populate(fresh_db, regional)
    with fresh_db.engine.connect() as connection:
        before = table_checksums(connection)
    result = create_backup(fresh_db.engine, tmp_path / "backup", regional, ring=pii.keyring())
    assert result.objects == 2 and result.rows == sum(t["rows"] for t in before.values())
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert pii.keyring().current.key_id in manifest["keys"]["in_use"]
    assert "master_key" not in json.dumps(manifest)
    # what is in the backup is what was stored: ciphertext only
    for path in (tmp_path / "backup" / "storage").rglob("*"):
        if path.is_file():
            assert not any(data[:256] in path.read_bytes() for data in contents.values())

    wipe(fresh_db.engine, regional)
    with fresh_db.engine.connect() as connection:
        assert all(t["rows"] == 0 for t in table_checksums(connection).values())
    assert not any(list(regional.list_keys(r)) for r in ("cn", "eu"))

    restored = restore_backup(fresh_db.engine, tmp_path / "backup", regional, ring=pii.keyring())
    assert restored.checksums_match, restored.mismatched
    with fresh_db.engine.connect() as connection:
        after = table_checksums(connection)
    assert after == before
    with fresh_db.session() as session, override_storage(regional):
        assert verify(session, tenant_id=tenant_id, files=True).ok
        for attachment in session.scalars(select(Attachment)):
            opened = service.open_attachment(
                session, service.SystemActor("test", tenant_id=tenant_id), attachment.id
            )
            assert opened.stream.read() == contents[attachment.id]
        # writing goes on after a restore: new rows get ids after the restored ones
        new = service.append_entry(
            session,
            service.SystemActor("test", tenant_id=tenant_id),
            session.scalars(select(Attachment.person_id)).first(),
            "note",
            {"text": "after restore"},
        )
        assert new.id > max_entry_id(before, manifest)


def max_entry_id(before, manifest):
    return before["record_entries"]["rows"]


def test_damaged_backup_is_refused_before_anything_is_written(fresh_db, tmp_path):
    regional = RegionalStorage({r: LocalStorage(tmp_path / "s" / r) for r in ("cn", "eu")})
    _populate(fresh_db, regional)
    create_backup(fresh_db.engine, tmp_path / "b", regional)
    verify_backup(tmp_path / "b")
    # flip a byte of one stored object
    victim = next(p for p in (tmp_path / "b" / "storage").rglob("*") if p.is_file())
    data = bytearray(victim.read_bytes())
    data[100] ^= 1
    victim.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="checksum differs"):
        verify_backup(tmp_path / "b")
    victim.write_bytes(bytes(data[:100]) + bytes([data[100] ^ 1]) + bytes(data[101:]))
    # rewrite a table file with one changed row (and a recomputed gzip)
    table = tmp_path / "b" / "db" / "records.jsonl.gz"
    lines = gzip.decompress(table.read_bytes()).splitlines()
    row = json.loads(lines[0])
    row["status"] = "hired"
    lines[0] = json.dumps(row).encode()
    table.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))
    with pytest.raises(BackupError, match="records"):
        restore_backup(fresh_db.engine, tmp_path / "b", regional, force=True)
    # the database was not touched
    with fresh_db.session() as session:
        assert session.scalars(select(Attachment)).first() is not None


def test_restore_refuses_a_non_empty_database_and_foreign_keys(fresh_db, tmp_path):
    from hireflow.core.crypto import Keyring, MasterKey

    regional = RegionalStorage({r: LocalStorage(tmp_path / "s" / r) for r in ("cn", "eu")})
    _populate(fresh_db, regional)
    create_backup(fresh_db.engine, tmp_path / "b", regional)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(fresh_db.engine, tmp_path / "b", regional)
    stranger = Keyring(MasterKey.generate())
    with pytest.raises(BackupError, match="master key") as refused:
        restore_backup(fresh_db.engine, tmp_path / "b", regional, ring=stranger, force=True)
    # the keys are named as a sentence names them, never as a program's list
    in_use = sorted(json.loads((tmp_path / "b" / "manifest.json").read_text())["keys"]["in_use"])
    message = str(refused.value)
    assert f"the data needs {named_list('master key', in_use)}, which" in message
    assert f"keyring ({stranger.current.key_id}) does not hold" in message
    assert "[" not in message and "'" not in message
    only_cn = RegionalStorage({"cn": LocalStorage(tmp_path / "s2" / "cn")})
    with pytest.raises(BackupError, match="another region"):
        restore_backup(fresh_db.engine, tmp_path / "b", only_cn, force=True)
    with pytest.raises(BackupError, match="not empty"):
        create_backup(fresh_db.engine, tmp_path / "b", regional)
    (tmp_path / "notabackup").mkdir()
    with pytest.raises(BackupError, match="not a Hireflow backup"):
        verify_backup(Path(tmp_path / "notabackup"))


def test_a_sqlite_backup_restores_into_postgresql(backend, fresh_db, tmp_path):
    """Backups are portable: made on the embedded SQLite, restored on PostgreSQL."""
    if backend != "postgresql":
        pytest.skip("runs once, with PostgreSQL as the target")
    from hireflow.core.db import Database, make_engine

    source_url = migrated_url("sqlite", tmp_path / "source.db")
    source = Database(make_engine(source_url))
    regional = RegionalStorage({r: LocalStorage(tmp_path / "s" / r) for r in ("cn", "eu", "us")})
    tenant_id, contents = _populate(source, regional)
    with source.engine.connect() as connection:
        before = table_checksums(connection)
    create_backup(source.engine, tmp_path / "b", regional, ring=pii.keyring())
    source.engine.dispose()
    target_storage = RegionalStorage(
        {r: LocalStorage(tmp_path / "t" / r) for r in ("cn", "eu", "us")}
    )
    result = restore_backup(fresh_db.engine, tmp_path / "b", target_storage, ring=pii.keyring())
    assert result.checksums_match, result.mismatched
    with fresh_db.engine.connect() as connection:
        assert table_checksums(connection) == before
    with fresh_db.session() as session, override_storage(target_storage):
        assert verify(session, tenant_id=tenant_id, files=True).ok
        for attachment in session.scalars(select(Attachment)):
            opened = service.open_attachment(
                session, service.SystemActor("test", tenant_id=tenant_id), attachment.id
            )
            assert opened.stream.read() == contents[attachment.id]
