"""Entries a request defers to the outbox (``records.outbox``): durable with the request's
commit, appended to the person's chain in the order written and before any later entry, once,
and only when the application wrote them; ``hireflow verify`` proves the chain with them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

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
    assert settle_pending_task() == 2
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
    assert settle_pending_task() == 0  # taken once: a second run appends nothing
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
    assert timeline.settle_all(session) == 2
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
    assert [p.kind for p in found] == ["unchained"] * 3
    assert all("does not authenticate" in p.message for p in found)
    assert _chain(session, person) == []  # none of them appended
    assert [kind for _, kind, _ in _chain(session, other)] == ["consent"]  # the real one was
    assert _pending(session, person) == 3


def test_the_chain_with_settled_entries_still_shows_tampering(session, org, regional):
    person = make_person(session, org)
    _defer(session, org, person)
    assert timeline.settle_all(session) == 2
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
