"""The record commands, run in-process against the test database."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from hireflow.cli import app
from hireflow.core import pii
from hireflow.core.crypto import Keyring, MasterKey
from hireflow.core.db import set_database
from hireflow.core.storage import LocalStorage, RegionalStorage
from hireflow.org.auth import principal_for
from hireflow.records import policy, service
from hireflow.records.keys import check_keyring
from hireflow.records.models import RecordEntry
from hireflow.records.storage import override_storage
from tests.conftest import make_org
from tests.records.conftest import make_opening, make_person
from tests.records.test_migration import write_source

runner = CliRunner()


def test_verify_passes_then_reports_tampering(session, org, regional):
    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    service.append_entry(session, hr, person.id, "note", {"text": "x"})
    service.set_status(session, hr, person.id, "screening")
    ok = runner.invoke(app, ["verify", "--tenant", org.tenant.slug, "--no-checkpoints"])
    assert ok.exit_code == 0, ok.output
    assert "intact" in ok.output
    session.execute(
        text("UPDATE record_entries SET source = 'forged' WHERE person_id = :p AND seq = 1"),
        {"p": person.id},
    )
    bad = runner.invoke(app, ["verify", "--tenant", org.tenant.slug, "--no-checkpoints", "--json"])
    assert bad.exit_code == 1
    report = json.loads(bad.output.strip().splitlines()[-1])
    assert report["ok"] is False
    assert {p["chain"] for p in report["problems"]} == {f"person:{person.id}"}


def test_unknown_tenant_is_a_clear_error(session):
    result = runner.invoke(app, ["verify", "--tenant", "no-such-company", "--no-checkpoints"])
    assert result.exit_code == 2 and "No company" in result.output


def test_commands_refuse_a_wrong_master_key(session):
    check_keyring(session)  # the configured key protects this database
    with pii.override_keyring(Keyring(MasterKey.generate())):
        result = runner.invoke(app, ["retention", "--dry-run"])
    assert result.exit_code == 2
    assert "Refusing to start" in result.output and "does not match" in result.output


def test_migrate_in_sandbox_and_import(session, org, tmp_path):
    write_source(tmp_path, 30)
    mapping = str(tmp_path / "mapping.yaml")
    sandbox = runner.invoke(app, ["migrate-in", mapping, "--tenant", org.tenant.slug, "--dry-run"])
    assert sandbox.exit_code == 0, sandbox.output
    assert "SANDBOX" in sandbox.output and "match" in sandbox.output
    assert "rows were NOT imported" in sandbox.output and "unknown person" in sandbox.output
    assert (
        session.scalar(select(RecordEntry.id).where(RecordEntry.tenant_id == org.tenant.id)) is None
    )
    report_path = tmp_path / "report.json"
    real = runner.invoke(
        app, ["migrate-in", mapping, "--tenant", org.tenant.slug, "--report", str(report_path)]
    )
    assert real.exit_code == 0, real.output
    report = json.loads(report_path.read_text())
    assert report["people_new"] == 30 and report["history_new"] == 60
    assert report["source_set_hash"] == report["imported_set_hash"]
    assert len(report["errors"]) == 9


def test_migrate_in_refuses_a_malformed_mapping(session, org, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\npeople: {file: missing.csv}\n", encoding="utf-8")
    result = runner.invoke(app, ["migrate-in", str(bad), "--tenant", org.tenant.slug])
    assert result.exit_code == 2
    assert "missing.csv does not exist" in result.output and "source_system" in result.output


def test_retention_command(session, org, regional):
    from datetime import timedelta

    from hireflow.core.db import utcnow

    hr = principal_for(org.users["hr_admin"])
    person = make_person(session, org)
    service.set_status(
        session, hr, person.id, "rejected", occurred_at=utcnow() - timedelta(days=400)
    )
    policy.add_retention_rule(session, hr, status="rejected", months=6)
    dry = runner.invoke(app, ["retention", "--dry-run", "--tenant", org.tenant.slug])
    assert dry.exit_code == 0 and "1 records due" in dry.output and str(person.id) in dry.output
    real = runner.invoke(app, ["retention", "--tenant", org.tenant.slug])
    assert real.exit_code == 0 and "1 erased" in real.output, real.output


def test_checkpoint_command_and_public_key(session, org, regional, settings, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "checkpoint_dir", tmp_path / "cp")
    monkeypatch.setattr(settings, "checkpoint_key_path", tmp_path / "cp.key")
    person = make_person(session, org)
    service.append_entry(
        session, principal_for(org.users["hr_admin"]), person.id, "note", {"t": "x"}
    )
    signed = runner.invoke(app, ["checkpoint"])
    assert signed.exit_code == 0 and "Signed" in signed.output
    key = runner.invoke(app, ["checkpoint", "--public-key"])
    assert key.exit_code == 0 and len(key.output.strip()) == 44
    verified = runner.invoke(app, ["verify", "--tenant", org.tenant.slug])
    assert verified.exit_code == 0 and "checkpoints from 1 files" in verified.output


def test_rotate_keys_command(fresh_db, regional):
    old = Keyring(MasterKey.generate())
    set_database(fresh_db)
    try:
        with pii.override_keyring(old), fresh_db.session() as session:
            org = make_org(session)
            person = make_person(session, org)
            service.attach_file(
                session,
                principal_for(org.users["hr_admin"]),
                person.id,
                io.BytesIO(b"abc"),
                "a.txt",
                "text/plain",
            )
            check_keyring(session, old)
        with pii.override_keyring(Keyring(MasterKey.generate(), [old.current])):
            result = runner.invoke(app, ["rotate-keys"])
        assert result.exit_code == 0, result.output
        assert "2 data keys rewrapped" in result.output  # the file and its entry
        assert old.current.key_id in result.output.split("Retired key", 1)[1]
    finally:
        set_database(None)


def test_backup_and_restore_commands(fresh_db, tmp_path, monkeypatch):
    from hireflow.core.settings import get_settings

    regional = RegionalStorage(
        {r: LocalStorage(tmp_path / "s" / r) for r in ("cn", "eu", "us", "sg")}
    )
    # this database's own checkpoints (the shared test directory signs other databases)
    monkeypatch.setenv("HIREFLOW_CHECKPOINT_DIR", str(tmp_path / "checkpoints"))
    get_settings.cache_clear()
    set_database(fresh_db)
    try:
        with fresh_db.session() as session, override_storage(regional):
            org = make_org(session)
            person = make_person(session, org, opening=make_opening(session, org, 2))
            service.attach_file(
                session,
                principal_for(org.users["hr_admin"]),
                person.id,
                io.BytesIO(b"eu file"),
                "eu.txt",
                "text/plain",
            )
        with override_storage(regional):
            made = runner.invoke(app, ["backup", str(tmp_path / "bk")])
            assert made.exit_code == 0, made.output
            assert "1 files" in made.output
            checked = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--check"])
            assert checked.exit_code == 0 and "Backup intact" in checked.output
            refused = runner.invoke(app, ["restore", str(tmp_path / "bk")])
            assert refused.exit_code == 2 and "not empty" in refused.output
            restored = runner.invoke(app, ["restore", str(tmp_path / "bk"), "--force"], input="y\n")
            assert restored.exit_code == 0, restored.output
            assert "checksums match" in restored.output and "intact" in restored.output
            assert "1 in the backup" in restored.output
    finally:
        set_database(None)
        get_settings.cache_clear()


def test_rotate_keys_keeps_the_old_key_for_an_unreadable_outbox_row_until_told(fresh_db, regional):
    from tests.records.test_keys import _with_a_moved_outbox_row

    old = Keyring(MasterKey.generate())
    set_database(fresh_db)
    try:
        with pii.override_keyring(old), fresh_db.session() as session:
            org = make_org(session)
            _person, other, moved = _with_a_moved_outbox_row(session, org)
            check_keyring(session, old)
        with pii.override_keyring(Keyring(MasterKey.generate(), [old.current])):
            held = runner.invoke(app, ["rotate-keys"])
            assert held.exit_code == 1, held.output
            assert f"outbox row {moved}, person {other}: seal_invalid" in held.output
            assert f"Old key {old.current.key_id} kept" in held.output
            assert "--retire-unreadable-outbox" in held.output
            listed = runner.invoke(app, ["outbox-quarantine", "--tenant", org.tenant.slug])
            assert f"outbox row {moved}, person {other}: quarantined" in listed.output
            told = runner.invoke(app, ["rotate-keys", "--retire-unreadable-outbox"])
            assert told.exit_code == 0, told.output
            assert old.current.key_id in told.output.split("Retired key", 1)[1]
            assert "1 quarantined outbox row sealed under them is now unreadable" in " ".join(
                told.output.split()
            )
            gone = runner.invoke(app, ["outbox-quarantine", "--discard", str(moved)])
            assert gone.exit_code == 0 and "discarded" in gone.output, gone.output
            again = runner.invoke(app, ["outbox-quarantine", "--retry", str(moved)])
            assert again.exit_code == 1 and "No quarantined outbox row" in again.output
            verified = runner.invoke(app, ["verify", "--no-checkpoints"])
            assert verified.exit_code == 0, verified.output
    finally:
        set_database(None)


@pytest.mark.parametrize(
    "command",
    [
        "verify",
        "backup",
        "restore",
        "migrate-in",
        "rotate-keys",
        "retention",
        "checkpoint",
        "outbox-quarantine",
    ],
)
def test_every_command_has_help(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output
