"""Entries a request defers to the outbox (``records.outbox``): durable with the request's
commit, appended to the person's chain in the order written and before any later entry, once,
and only when the application wrote them; ``hireflow verify`` proves the chain with them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError, OperationalError

from hireflow.core.audit import AuditEntry, ChainHead
from hireflow.core.crypto import encrypt_field
from hireflow.core.errors import NotFound, ValidationFailed
from hireflow.core.pii import keyring
from hireflow.org.auth import principal_for
from hireflow.records import outbox, queries, service, timeline
from hireflow.records.errors import RecordErased
from hireflow.records.integrity import verify, verify_person
from hireflow.records.models import PendingEntry, RecordEntry
from hireflow.records.service import SystemActor
from hireflow.records.tasks import settle_pending_task
from tests.records.conftest import make_person

PURPOSES = ("recording", "ai_assessment")


def _link(org) -> SystemActor:
    return SystemActor("candidate-link", tenant_id=org.tenant.id)


def _defer(session, org, person, purposes=PURPOSES, version="v1") -> None:
    service.record_consents(
        session, _link(org), person.id, purposes, version, True, source="ai_interview", defer=True
    )


def _chain(session, person) -> list[tuple[int, str, str]]:
    rows = session.execute(
        select(RecordEntry.seq, RecordEntry.type, RecordEntry.facts)
        .where(RecordEntry.person_id == person.id)
        .order_by(RecordEntry.seq)
    )
    return [(seq, kind, facts.get("purpose", "")) for seq, kind, facts in rows]


def _pending(session, person=None) -> int:
    stmt = select(func.count()).select_from(PendingEntry)
    if person is not None:
        stmt = stmt.where(PendingEntry.person_id == person.id)
    return int(session.scalar(stmt) or 0)


def test_a_deferred_consent_is_committed_without_touching_the_chain(session, org, regional):
    person = make_person(session, org)
    heads_before = session.scalar(select(func.count()).select_from(ChainHead))
    _defer(session, org, person)
    assert _pending(session, person) == 2
    assert _chain(session, person) == []  # nothing appended, no person head locked or made
    assert session.get(ChainHead, f"person:{person.id}") is None
    assert session.scalar(select(func.count()).select_from(ChainHead)) == heads_before
    # the consent's audit rows are in the request, as before
    audited = session.scalars(
        select(AuditEntry.new_values).where(
            AuditEntry.action == "record.consent", AuditEntry.target_id == str(person.id)
        )
    ).all()
    assert [a["purpose"] for a in audited] == list(PURPOSES)
    # the worker's sweep appends them, in order, with the time the consent was given
    assert settle_pending_task()["appended"] == 2
    chain = _chain(session, person)
    assert [(kind, purpose) for _, kind, purpose in chain] == [
        ("consent", "recording"),
        ("consent", "ai_assessment"),
    ]
    entry = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).first()
    assert entry.source == "ai_interview" and entry.actor_label == "system:candidate-link"
    assert entry.occurred_at <= entry.recorded_at
    assert entry.facts == {
        "purpose": "recording",
        "notice_version": "v1",
        "granted": True,
        "method": "web",
    }
    assert _pending(session, person) == 0
    assert settle_pending_task()["appended"] == 0  # taken once: a second run appends nothing
    assert verify(session).ok and verify_person(session, person.id).ok


def test_a_later_entry_never_comes_before_a_deferred_one(session, org, regional):
    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    service.record_consent(session, hr, person.id, "processing", "v0", True)
    _defer(session, org, person, ("recording",))
    _defer(session, org, person, ("ai_assessment",))
    # a direct append to the same chain appends the deferred entries first
    service.set_status(session, hr, person.id, "screening")
    assert [(kind, purpose) for _, kind, purpose in _chain(session, person)] == [
        ("consent", "processing"),
        ("consent", "recording"),
        ("consent", "ai_assessment"),
        ("status_change", ""),
    ]
    assert [seq for seq, _, _ in _chain(session, person)] == [1, 2, 3, 4]
    assert _pending(session) == 0
    assert verify_person(session, person.id).ok


def test_people_are_settled_apart_and_reads_see_the_deferred_entries(session, org, regional):
    first, second = make_person(session, org), make_person(session, org)
    _defer(session, org, first)
    _defer(session, org, second, ("recording",))
    # reading one record appends that person's entries only
    view = queries.view_record(session, principal_for(org.users["hr_admin"]), first.id)
    assert [e.entry.type for e in view.entries] == ["consent", "consent"]
    assert set(view.consents) == set(PURPOSES)
    assert _pending(session, first) == 0 and _pending(session, second) == 1
    assert verify_person(session, second.id).ok  # the badge appends before it verifies
    assert [kind for _, kind, _ in _chain(session, second)] == ["consent"]


def test_a_failed_append_leaves_the_deferred_entries_for_the_next(session, org, regional):
    person = make_person(session, org)
    _defer(session, org, person)
    session.commit()

    class Crash(Exception):
        pass

    real = timeline._append_now

    def crashing(*args, **kwargs):
        real(*args, **kwargs)
        raise Crash()  # the process dies after appending, before the commit

    timeline._append_now = crashing
    try:
        with pytest.raises(Crash):
            timeline.settle_pending(session, person.id)
    finally:
        timeline._append_now = real
    session.rollback()
    assert _pending(session, person) == 2 and _chain(session, person) == []
    assert timeline.settle_all(session).appended == 2
    assert [seq for seq, _, _ in _chain(session, person)] == [1, 2]
    assert verify(session).ok


def test_bad_inputs_are_refused_in_the_request(session, org, regional):
    person = make_person(session, org)
    with pytest.raises(ValidationFailed):
        _defer(session, org, person, ("recording", "selling_data"))
    with pytest.raises(ValidationFailed):
        _defer(session, org, person, version="")
    with pytest.raises(ValidationFailed):  # the entry's own checks run before it is deferred
        service.record_consents(
            session, _link(org), person.id, PURPOSES, "v1", True, source="bad source", defer=True
        )
    with pytest.raises(NotFound):  # another tenant's system actor
        service.record_consents(
            session, SystemActor("x", tenant_id=10**9), person.id, PURPOSES, "v1", True, defer=True
        )
    assert _pending(session) == 0
    with pytest.raises(ValueError):
        outbox.defer(session, org.tenant.id, person.id, [{"type": "note", "data": {"x": 1}}])
    with pytest.raises(ValueError):
        outbox.defer(
            session,
            org.tenant.id,
            person.id,
            [{"type": "consent", "occurred_at": datetime(2026, 1, 1)}],  # noqa: DTZ001 - naive on purpose
        )
    service.erase_person(session, principal_for(org.users["hr_admin"]), person.id)
    with pytest.raises(RecordErased):
        _defer(session, org, person)
    session.rollback()
    assert _pending(session, person) == 0


def test_an_outbox_row_not_written_by_the_application_is_never_appended(session, org, regional):
    person, other = make_person(session, org), make_person(session, org)
    _defer(session, org, other, ("recording",))
    moved = session.scalars(select(PendingEntry).where(PendingEntry.person_id == other.id)).one()
    at = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    plain = (
        '{"type": "consent", "source": "x", "facts": {"purpose": "recording"}, '
        f'"occurred_at": "{at}"}}'
    )
    forged_rows = [
        PendingEntry(tenant_id=org.tenant.id, person_id=person.id, entry=plain),
        # sealed by the application, but for another person: moved
        PendingEntry(tenant_id=org.tenant.id, person_id=person.id, entry=moved.entry),
        # sealed under the right key but for another context
        PendingEntry(
            tenant_id=org.tenant.id,
            person_id=person.id,
            entry=encrypt_field(plain, keyring(), "record_outbox.entry:0:0"),
        ),
    ]
    session.add_all(forged_rows)
    session.commit()
    report = verify(session)
    assert not report.ok
    found = [p for p in report.problems if p.chain == f"person:{person.id}"]
    # quarantined: kept, reported with their reason, their places noted in the chain
    assert [p.kind for p in found] == ["quarantined"] * 3
    assert all("seal_invalid" in p.message and "does not authenticate" in p.message for p in found)
    assert [kind for _, kind, _ in _chain(session, person)] == ["quarantine"] * 3  # none appended
    assert [kind for _, kind, _ in _chain(session, other)] == ["consent"]  # the real one was
    assert _pending(session, person) == 3


def test_the_chain_with_settled_entries_still_shows_tampering(session, org, regional):
    person = make_person(session, org)
    _defer(session, org, person)
    assert timeline.settle_all(session).appended == 2
    entry = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id, RecordEntry.seq == 1)
    ).one()
    entry.facts = {**entry.facts, "granted": False}
    session.commit()
    report = verify_person(session, person.id)
    assert not report.ok
    assert any(p.kind == "altered" for p in report.problems)


def test_the_worker_sweeps_the_outbox_every_minute():
    """Rows whose request committed but whose process died before anything read the chain are
    appended by the periodic sweep (the embedded worker runs beat too)."""
    from hireflow.core.tasks import celery_app

    sweeps = [
        entry
        for entry in celery_app.conf.beat_schedule.values()
        if entry["task"] == "records.settle_pending"
    ]
    assert len(sweeps) == 1 and float(sweeps[0]["schedule"]) <= 60


# --------------------------------------------------------------------------- the sweep


def test_one_person_failing_does_not_stop_the_sweep_for_the_others(
    session, org, regional, caplog, monkeypatch
):
    """A database error (not the row's fault) rolls that person back and the sweep goes on;
    their rows wait, unmarked, and verify reports them ``unsettled``. (A row that is itself
    bad is quarantined instead: tests/records/test_outbox_quarantine.py.)"""
    stuck = make_person(session, org, name="Zhang Wei", email="zhang.wei@example.com")
    _defer(session, org, stuck, ("recording",))
    after = [make_person(session, org), make_person(session, org)]
    for person in after:
        _defer(session, org, person)
    session.commit()
    real = timeline._append_now

    def locked(session, record, *args, **kwargs):
        if record.person_id == stuck.id:
            raise OperationalError("UPDATE chain_heads", {}, Exception("database is locked"))
        return real(session, record, *args, **kwargs)

    monkeypatch.setattr(timeline, "_append_now", locked)
    with caplog.at_level("ERROR", logger="hireflow.records.timeline"):
        result = settle_pending_task()
    assert result == {
        "appended": 4,
        "people": 2,
        "failed": {str(stuck.id): "OperationalError"},
        "left": 0,
    }
    for person in after:  # everyone after the failing person has their entries
        assert [kind for _, kind, _ in _chain(session, person)] == ["consent", "consent"]
        assert verify_person(session, person.id).ok
    # the failed person's work is rolled back: their row waits unmarked, nothing half-appended
    assert _pending(session, stuck) == 1 and _chain(session, stuck) == []
    row = session.scalars(select(PendingEntry).where(PendingEntry.person_id == stuck.id)).one()
    assert row.quarantined_at is None
    # logged with ids and the error's class only, never the person's data
    failures = [r for r in caplog.records if getattr(r, "event", "") == "records.settle_failed"]
    assert [(r.person_id, r.error) for r in failures] == [(stuck.id, "OperationalError")]
    logged = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Zhang" not in logged and "zhang.wei" not in logged
    # verify reports the person whose entries wait; the others' chains are fine
    report = verify(session, tenant_id=org.tenant.id)
    unsettled = [p for p in report.problems if p.kind == "unsettled"]
    assert [(p.chain, p.seq) for p in unsettled] == [(f"person:{stuck.id}", None)]
    assert "OperationalError" in unsettled[0].message and not report.ok
    assert [p for p in report.problems if p.chain != f"person:{stuck.id}"] == []
    # the person's own badge says so too, and still checks the chain they have
    badge = verify_person(session, stuck.id)
    assert [p.kind for p in badge.problems] == ["unsettled"] and _pending(session, stuck) == 1
    # once the database answers again the row is appended
    monkeypatch.undo()
    assert settle_pending_task()["failed"] == {}
    assert [kind for _, kind, _ in _chain(session, stuck)] == ["consent"]


def test_the_sweep_stops_when_its_time_is_up_and_when_the_database_is_gone(
    session, org, regional, monkeypatch
):
    people = [make_person(session, org) for _ in range(3)]
    for person in people:
        _defer(session, org, person, ("recording",))
    session.commit()
    settled = timeline.settle_all(session, budget=0)  # out of time: the next sweep goes on
    assert (settled.appended, settled.left, settled.failed) == (0, 3, {})
    assert _pending(session) == 3

    def gone(session, person_id):
        raise DBAPIError("SELECT 1", {}, Exception("server closed"), connection_invalidated=True)

    monkeypatch.setattr(timeline, "settle_pending", gone)
    with pytest.raises(DBAPIError):  # not 3 failures reported one by one: the task fails
        timeline.settle_all(session)
    monkeypatch.undo()
    assert timeline.settle_all(session).appended == 3


# --------------------------------------------------------------------------- copies


def _copy(session, org, person, row_entry: str) -> int:
    copy = PendingEntry(tenant_id=org.tenant.id, person_id=person.id, entry=row_entry)
    session.add(copy)
    session.commit()
    return copy.id


def _replayed(session, person) -> list[int]:
    return [
        p.message.split()[3]
        for p in verify(session).problems
        if p.kind == "replayed" and p.chain == f"person:{person.id}"
    ]


def test_a_sealed_row_copied_within_the_person_is_appended_once(session, org, regional):
    person = make_person(session, org)
    _defer(session, org, person, ("recording",))
    sealed = session.scalars(
        select(PendingEntry.entry).where(PendingEntry.person_id == person.id)
    ).one()
    early = _copy(session, org, person, sealed)  # copied before it was appended
    assert timeline.settle_all(session).appended == 1
    assert [kind for _, kind, _ in _chain(session, person)] == ["consent"]
    late = _copy(session, org, person, sealed)  # replayed after it was appended
    assert timeline.settle_all(session).appended == 0
    service.set_status(session, principal_for(org.users["hr_admin"]), person.id, "screening")
    assert [kind for _, kind, _ in _chain(session, person)] == ["consent", "status_change"]
    # verify names both copies; they stay in the outbox for IT, never appended
    assert _replayed(session, person) == [str(early), str(late)]
    assert [f.kind for f in outbox.forged(session)] == ["replayed", "replayed"]
    assert _pending(session, person) == 2
    assert verify_person(session, person.id).ok  # the chain itself is intact
    entry = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).first()
    assert entry.import_key.startswith("outbox/") and len(entry.import_key) == 7 + 32


def test_the_database_refuses_a_copy_when_two_settlers_race(session, org, regional, monkeypatch):
    """Two settlers each taking one of two copies see neither in the chain; the entry's key is
    unique in the database, so the second append fails and its copy stays."""
    person = make_person(session, org)
    _defer(session, org, person, ("recording",))
    sealed = session.scalars(
        select(PendingEntry.entry).where(PendingEntry.person_id == person.id)
    ).one()
    _copy(session, org, person, sealed)
    real_sort = outbox._sort

    def blind(session, rows):  # what each of two racing settlers sees: no other copy
        work, _copies = real_sort(session, rows[:1])
        return work + real_sort(session, rows[1:])[0], []

    monkeypatch.setattr(outbox, "_sort", blind)
    settled = timeline.settle_all(session)
    # the second append is refused; seen as a copy of what is now in the chain, not quarantined
    assert (settled.appended, settled.failed) == (1, {})
    monkeypatch.undo()
    assert timeline.settle_all(session).appended == 0
    assert [kind for _, kind, _ in _chain(session, person)] == ["consent"]
    assert len(_replayed(session, person)) == 1
    marks = session.scalars(
        select(PendingEntry.quarantined_at).where(PendingEntry.person_id == person.id)
    ).all()
    assert marks == [None]


def test_rows_sealed_before_entries_had_an_id_are_appended_and_their_copies_caught(
    session, org, regional
):
    person = make_person(session, org)
    at = datetime(2026, 1, 1, tzinfo=UTC).isoformat()
    plain = json.dumps(
        {
            "type": "consent",
            "source": "ai_interview",
            "facts": {"purpose": "recording"},
            "occurred_at": at,
            "actor_label": "system:candidate-link",
        },
        sort_keys=True,
    )
    older = encrypt_field(plain, keyring(), outbox._context(org.tenant.id, person.id))
    _copy(session, org, person, older)
    copy = _copy(session, org, person, older)
    assert timeline.settle_all(session).appended == 1
    entry = session.scalars(select(RecordEntry).where(RecordEntry.person_id == person.id)).one()
    assert entry.facts == {"purpose": "recording"} and entry.occurred_at.isoformat() == at
    assert _replayed(session, person) == [str(copy)]
