"""Tamper evidence: any altered, deleted, reordered or inserted record or audit row is found.

The tampering is done the way an attacker with database access would: raw SQL, bypassing
the application. Each case must be reported by ``verify`` (what ``hireflow verify`` runs)
for the right chain.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from hireflow.core.audit import AuditEntry, ChainHead, audit_chain_id, row_hash
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.checkpoints import load_checkpoints, public_keys, write_checkpoint
from hireflow.records.integrity import verify
from hireflow.records.models import RecordEntry
from hireflow.records.payloads import entry_content
from hireflow.records.timeline import person_chain_id
from tests.records.conftest import make_person


@pytest.fixture
def world(session, org, regional):
    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    service.append_entry(session, hr, person.id, "profile_change", {"phone": "13912345678"})
    service.set_status(session, hr, person.id, "screening")
    service.append_entry(session, hr, person.id, "review", {"text": "solid"}, facts={"score": 4})
    service.set_status(session, hr, person.id, "interviewing")
    entries = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).all()
    return {"person": person, "entries": entries, "tenant": org.tenant.id}


def _problems(session, tenant_id, checkpoints=None):
    report = verify(session, tenant_id=tenant_id, checkpoints=checkpoints)
    return report, {(p.chain, p.kind) for p in report.problems}


def test_untouched_data_verifies(session, world):
    report, _problems_found = _problems(session, world["tenant"])
    assert report.ok, report.problems
    assert report.chains >= 2 and report.rows >= 4


ENTRY_TAMPERING = {
    "type changed": "UPDATE record_entries SET type = 'note' WHERE id = :id",
    "source changed": "UPDATE record_entries SET source = 'forged' WHERE id = :id",
    "time changed": "UPDATE record_entries SET occurred_at = :when WHERE id = :id",
    "facts changed": "UPDATE record_entries SET facts = '{\"score\": 5}' WHERE id = :id",
    "actor changed": "UPDATE record_entries SET actor_id = NULL WHERE id = :id",
    "payload replaced": "UPDATE record_entries SET payload = 'hfp1.AAAA' WHERE id = :id",
    "payload dropped": "UPDATE record_entries SET payload = NULL WHERE id = :id",
    "row deleted": "DELETE FROM record_entries WHERE id = :id",
}


@pytest.mark.parametrize("case", list(ENTRY_TAMPERING))
def test_any_change_to_an_entry_is_detected(session, world, case):
    target = world["entries"][2]  # the review: has payload and facts
    session.execute(
        text(ENTRY_TAMPERING[case]), {"id": target.id, "when": datetime(2020, 1, 1, tzinfo=UTC)}
    )
    session.expire_all()
    report, problems = _problems(session, world["tenant"])
    assert not report.ok
    assert any(chain == person_chain_id(world["person"].id) for chain, _ in problems), problems


def test_deleting_the_newest_entry_is_detected_by_the_head(session, world):
    session.execute(
        text("DELETE FROM record_entries WHERE id = :id"), {"id": world["entries"][-1].id}
    )
    _report, problems = _problems(session, world["tenant"])
    assert (person_chain_id(world["person"].id), "truncated") in problems


def test_reordering_entries_is_detected(session, world):
    a, b = world["entries"][1], world["entries"][2]
    session.execute(text("UPDATE record_entries SET seq = -1 WHERE id = :id"), {"id": a.id})
    session.execute(
        text("UPDATE record_entries SET seq = :s WHERE id = :id"), {"s": a.seq, "id": b.id}
    )
    session.execute(
        text("UPDATE record_entries SET seq = :s WHERE id = :id"), {"s": b.seq, "id": a.id}
    )
    report, problems = _problems(session, world["tenant"])
    assert not report.ok
    assert {kind for chain, kind in problems if chain.startswith("person:")} & {
        "reordered",
        "altered",
        "broken_link",
    }


def test_cached_status_edited_outside_the_timeline_is_detected(session, world):
    session.execute(
        text("UPDATE records SET status = 'hired' WHERE person_id = :p"), {"p": world["person"].id}
    )
    _report, problems = _problems(session, world["tenant"])
    assert (person_chain_id(world["person"].id), "state") in problems


AUDIT_TAMPERING = {
    "action changed": "UPDATE audit_log SET action = 'record.viewed' WHERE id = :id",
    "values changed": 'UPDATE audit_log SET new_values = \'{"status": "hired"}\' WHERE id = :id',
    "actor name changed": "UPDATE audit_log SET actor_label = 'Somebody else' WHERE id = :id",
    "time changed": "UPDATE audit_log SET created_at = :when WHERE id = :id",
    "row deleted": "DELETE FROM audit_log WHERE id = :id",
    "redacted without erasure": (
        "UPDATE audit_log SET new_values = NULL, values_salt = NULL, redacted_at = :when "
        "WHERE id = :id"
    ),
}


def _middle_audit_row(session, tenant_id):
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.tenant_id == tenant_id).order_by(AuditEntry.seq)
    ).all()
    return rows[len(rows) // 2]


@pytest.mark.parametrize("case", list(AUDIT_TAMPERING))
def test_any_change_to_an_audit_row_is_detected(session, world, case):
    row = _middle_audit_row(session, world["tenant"])
    session.execute(
        text(AUDIT_TAMPERING[case]),
        {"id": row.id, "when": datetime(2020, 1, 1, tzinfo=UTC)},
    )
    session.expire_all()
    report, problems = _problems(session, world["tenant"])
    assert not report.ok
    assert any(chain == audit_chain_id(world["tenant"]) for chain, _ in problems), problems


def test_reordering_audit_rows_is_detected(session, world):
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.tenant_id == world["tenant"]).order_by(AuditEntry.seq)
    ).all()
    a, b = rows[1], rows[2]
    session.execute(text("UPDATE audit_log SET seq = -1 WHERE id = :id"), {"id": a.id})
    session.execute(text("UPDATE audit_log SET seq = :s WHERE id = :id"), {"s": a.seq, "id": b.id})
    session.execute(text("UPDATE audit_log SET seq = :s WHERE id = :id"), {"s": b.seq, "id": a.id})
    report, problems = _problems(session, world["tenant"])
    assert not report.ok and {c for c, _ in problems} == {audit_chain_id(world["tenant"])}


def test_audit_row_inserted_outside_the_application_is_detected(session, world):
    session.execute(
        text(
            "INSERT INTO audit_log (tenant_id, actor_label, action, target_type, target_id, "
            "request_id, ip, created_at) VALUES (:t, 'x', 'user.deleted', 'user', '1', '', '', :w)"
        ),
        {"t": world["tenant"], "w": datetime.now(UTC)},
    )
    _report, problems = _problems(session, world["tenant"])
    assert (audit_chain_id(world["tenant"]), "unchained") in problems


def test_deleting_the_newest_audit_row_is_detected(session, world):
    newest = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.tenant_id == world["tenant"])
        .order_by(AuditEntry.seq.desc())
    ).first()
    session.execute(text("DELETE FROM audit_log WHERE id = :id"), {"id": newest.id})
    _report, problems = _problems(session, world["tenant"])
    assert (audit_chain_id(world["tenant"]), "truncated") in problems


def _rewrite_consistently(session, person_id):
    """What a careful DBA does: change an entry, recompute every hash after it and the head."""
    entries = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person_id).order_by(RecordEntry.seq)
    ).all()
    entries[1].facts = {"status": "hired", "previous": None}
    prev = entries[0].hash
    for entry in entries[1:]:
        entry.prev_hash = prev
        entry.hash = row_hash(prev, entry_content(entry))
        prev = entry.hash
    session.flush()
    session.execute(
        text("UPDATE chain_heads SET hash = :h WHERE chain_id = :c"),
        {"h": prev, "c": person_chain_id(person_id)},
    )
    session.execute(
        text("UPDATE records SET status = 'hired' WHERE person_id = :p"), {"p": person_id}
    )


def test_consistent_rewrite_is_caught_only_by_a_signed_checkpoint(
    session, world, settings, tmp_path
):
    local = settings.model_copy(
        update={"checkpoint_dir": tmp_path / "cp", "checkpoint_key_path": tmp_path / "cp.key"}
    )
    written = write_checkpoint(session, settings=local)
    assert written.chains >= 2 and written.path is not None
    # the status entry (seq 4) is rewritten, hashes and head recomputed: the chain is "valid"
    entries = world["entries"]
    session.execute(
        text("UPDATE record_entries SET facts = :f WHERE id = :id"),
        {"f": '{"status": "hired", "previous": "screening"}', "id": entries[3].id},
    )
    session.expire_all()
    _rewrite_consistently(session, world["person"].id)
    _report, problems = _problems(session, world["tenant"])
    person_problems = {kind for chain, kind in problems if chain.startswith("person:")}
    assert person_problems <= {"state"}  # without checkpoints the forgery looks consistent
    checkpoints = load_checkpoints(local.checkpoint_dir, public_keys(local))
    _report, problems = _problems(session, world["tenant"], checkpoints)
    assert (person_chain_id(world["person"].id), "checkpoint_mismatch") in problems


def test_forged_checkpoint_file_is_reported(session, world, settings, tmp_path):
    local = settings.model_copy(
        update={"checkpoint_dir": tmp_path / "cp", "checkpoint_key_path": tmp_path / "cp.key"}
    )
    written = write_checkpoint(session, settings=local)
    body = written.path.read_text().replace('"seq":', '"seq": ', 1)
    forged = written.path.with_name("forged.json")
    forged.write_text(body.replace(world["entries"][-1].hash, "0" * 64) if body else body)
    checkpoints = load_checkpoints(local.checkpoint_dir, public_keys(local))
    assert checkpoints.errors and checkpoints.files == 2
    _report, problems = _problems(session, world["tenant"], checkpoints)
    assert ("checkpoints", "checkpoint_forged") in problems


def test_checkpoint_signs_only_chains_that_moved(session, world, settings, tmp_path):
    local = settings.model_copy(
        update={"checkpoint_dir": tmp_path / "cp", "checkpoint_key_path": tmp_path / "cp.key"}
    )
    first = write_checkpoint(session, settings=local)
    again = write_checkpoint(session, settings=local)
    assert first.chains >= 2 and again.chains == 0 and again.path is None
    service.append_entry(
        session, principal_for_world(session, world), world["person"].id, "note", {"t": "x"}
    )
    third = write_checkpoint(session, settings=local)
    assert third.chains == 2  # the person's chain and the tenant's audit chain
    head = session.get(ChainHead, person_chain_id(world["person"].id))
    assert head.checkpointed_seq == head.seq == 5


def principal_for_world(session, world):
    from hireflow.core.permissions import Role
    from hireflow.org.models import User

    user = session.scalars(
        select(User).where(User.tenant_id == world["tenant"]).order_by(User.id)
    ).all()
    hr = next(u for u in user if u.roles and u.roles[0].role == Role.HR_ADMIN.value)
    return principal_for(hr)


def test_random_single_changes_are_always_detected(session, world):
    """Flip one character of one hashed column of a random row, many times over."""
    import random

    rng = random.Random(os.getpid())
    entries = world["entries"]
    for _ in range(6):
        entry = rng.choice(entries)
        column = rng.choice(["source", "type", "actor_label", "prev_hash", "hash"])
        session.execute(text("SAVEPOINT flip"))
        value = session.execute(
            text(f"SELECT {column} FROM record_entries WHERE id = :id"), {"id": entry.id}
        ).scalar_one()
        changed = (value or "x")[:-1] + ("0" if (value or "x")[-1:] != "0" else "1")
        session.execute(
            text(f"UPDATE record_entries SET {column} = :v WHERE id = :id"),
            {"v": changed, "id": entry.id},
        )
        report = verify(session, tenant_id=world["tenant"])
        assert not report.ok, (column, entry.seq)
        session.execute(text("ROLLBACK TO SAVEPOINT flip"))
    assert verify(session, tenant_id=world["tenant"]).ok
