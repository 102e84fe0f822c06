"""A record outbox row that cannot be appended is quarantined, not a blockage: it is marked and
kept, its place is noted in the person's chain, verify reports it with a reason code, and the
person's later rows and writes go on in order. The mark alone hides nothing, and a quarantined
row cannot disappear unnoticed (``records.outbox``, ``records.quarantine``)."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select, update

from hireflow.core.audit import AuditEntry
from hireflow.core.crypto import Keyring, MasterKey, encrypt_field
from hireflow.core.errors import NotFound, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.core.pii import keyring, override_keyring
from hireflow.org.auth import principal_for
from hireflow.records import outbox, quarantine, queries, service, timeline
from hireflow.records.integrity import verify, verify_person
from hireflow.records.models import PendingEntry, RecordEntry
from hireflow.records.presenting import Presenter
from hireflow.records.service import SystemActor
from hireflow.records.tasks import settle_pending_task
from tests.records.conftest import make_person

AT = datetime(2026, 1, 1, tzinfo=UTC)


def _consent(session, org, person, purpose: str) -> None:
    service.record_consents(
        session,
        SystemActor("candidate-link", tenant_id=org.tenant.id),
        person.id,
        (purpose,),
        "v1",
        True,
        source="ai_interview",
        defer=True,
    )


def _refused(session, org, person) -> int:
    """A row the application sealed whose entry the record refuses (a type this version does
    not know, as after a downgrade): it authenticates, and every append of it fails."""
    outbox.defer(
        session, org.tenant.id, person.id, [{"type": "bogus", "source": "x", "occurred_at": AT}]
    )
    session.commit()
    return _row_ids(session, person)[-1]


def _raw(session, org, person, entry: str) -> int:
    row = PendingEntry(tenant_id=org.tenant.id, person_id=person.id, entry=entry)
    session.add(row)
    session.commit()
    return row.id


def _sealed(fields: dict, person, org, ring: Keyring | None = None) -> str:
    text = json.dumps(
        {**fields, "occurred_at": AT.isoformat(), "id": secrets.token_hex(16)}, sort_keys=True
    )
    return encrypt_field(text, ring or keyring(), outbox._context(org.tenant.id, person.id))


def _row_ids(session, person) -> list[int]:
    return list(
        session.scalars(
            select(PendingEntry.id)
            .where(PendingEntry.person_id == person.id)
            .order_by(PendingEntry.id)
        )
    )


def _chain(session, person) -> list[tuple[str, str]]:
    """(type, purpose or the note's action) of each entry, in chain order."""
    rows = session.execute(
        select(RecordEntry.type, RecordEntry.facts)
        .where(RecordEntry.person_id == person.id)
        .order_by(RecordEntry.seq)
    )
    return [(kind, facts.get("purpose") or facts.get("action") or "") for kind, facts in rows]


def _notes(session, person) -> list[dict]:
    return list(
        session.scalars(
            select(RecordEntry.facts)
            .where(RecordEntry.person_id == person.id, RecordEntry.type == "quarantine")
            .order_by(RecordEntry.seq)
        )
    )


def _problems(session, org, person) -> list[tuple[str, int | None]]:
    report = verify(session, tenant_id=org.tenant.id)
    return [(p.kind, p.seq) for p in report.problems if p.chain == f"person:{person.id}"]


def test_a_row_that_cannot_be_appended_is_quarantined_and_the_person_goes_on(
    session, org, regional, caplog
):
    person = make_person(session, org, name="Zhang Wei", email="zhang.wei@example.com")
    hr = principal_for(org.users["hr_admin"])
    _consent(session, org, person, "recording")
    bad = _refused(session, org, person)
    _consent(session, org, person, "ai_assessment")
    # the next write to the person is not blocked: the bad row is quarantined in its place
    with caplog.at_level("WARNING", logger="hireflow.records.timeline"):
        service.set_status(session, hr, person.id, "screening")
    assert _chain(session, person) == [
        ("consent", "recording"),
        ("quarantine", "quarantined"),
        ("consent", "ai_assessment"),
        ("status_change", ""),
    ]
    (note,) = _notes(session, person)
    assert note["outbox_row"] == bad and note["reason"] == "entry_refused"
    assert note["error"] == "EntryError" and note["row"].startswith("entry:")
    # kept and marked, with the reason code
    row = session.get(PendingEntry, bad)
    assert row.quarantined_at is not None and row.quarantine_reason == "entry_refused"
    # reads and later writes go on; the row is not tried or noted again
    view = queries.view_record(session, hr, person.id)
    assert len(view.entries) == 4
    service.set_status(session, hr, person.id, "interviewing")
    assert len(_notes(session, person)) == 1 and _row_ids(session, person) == [bad]
    # verify and the record's badge report it, with the place the chain notes
    assert _problems(session, org, person) == [("quarantined", 2)]
    badge = verify_person(session, person.id)
    assert [p.kind for p in badge.problems] == ["quarantined"]
    assert "entry_refused" in badge.problems[0].message
    # logged with ids and the reason only
    logged = [r for r in caplog.records if getattr(r, "event", "") == "records.outbox_quarantined"]
    assert [(r.person_id, r.row_id, r.reason) for r in logged] == [
        (person.id, bad, "entry_refused")
    ]
    text = " ".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "Zhang" not in text and "zhang.wei" not in text and "bogus" not in text


def test_a_row_that_raises_on_every_attempt_is_quarantined(session, org, regional, monkeypatch):
    person, other = make_person(session, org), make_person(session, org)
    _consent(session, org, person, "recording")
    _consent(session, org, person, "ai_assessment")
    _consent(session, org, other, "recording")
    session.commit()
    real = timeline._append_now

    def crashing(session, record, items, *args, **kwargs):
        if record.person_id == person.id and items[0].facts.get("purpose") == "recording":
            raise RuntimeError("boom")
        return real(session, record, items, *args, **kwargs)

    monkeypatch.setattr(timeline, "_append_now", crashing)
    settled = timeline.settle_all(session, org.tenant.id)
    assert (settled.appended, settled.failed) == (2, {})  # the person's second row, the other's
    assert _chain(session, person) == [("quarantine", "quarantined"), ("consent", "ai_assessment")]
    assert [(n["reason"], n["error"]) for n in _notes(session, person)] == [
        ("append_failed", "RuntimeError")
    ]
    assert _chain(session, other) == [("consent", "recording")]
    assert timeline.settle_all(session, org.tenant.id).appended == 0  # not tried again
    assert len(_notes(session, person)) == 1


def test_unreadable_seals_are_quarantined_with_their_reason(session, org, regional):
    person = make_person(session, org)
    consent = {"type": "consent", "source": "ai_interview", "facts": {"purpose": "recording"}}
    forged = _raw(session, org, person, json.dumps(consent))
    lost_key = Keyring(MasterKey.generate())
    unknown_key = _raw(session, org, person, _sealed(consent, person, org, lost_key))
    context = outbox._context(org.tenant.id, person.id)
    malformed = _raw(session, org, person, encrypt_field("[1, 2]", keyring(), context))
    _consent(session, org, person, "ai_assessment")
    assert timeline.settle_pending(session, person.id) == 1
    session.commit()
    reasons = {n["outbox_row"]: n["reason"] for n in _notes(session, person)}
    assert reasons == {
        forged: "seal_invalid",
        unknown_key: "key_unavailable",
        malformed: "malformed",
    }
    assert _chain(session, person)[-1] == ("consent", "ai_assessment")
    problems = _problems(session, org, person)
    assert [kind for kind, _ in problems] == ["quarantined"] * 3
    assert [seq for _, seq in problems] == [1, 2, 3]


def test_a_mark_set_outside_the_application_does_not_hide_an_entry(session, org, regional):
    person = make_person(session, org)
    _consent(session, org, person, "recording")
    session.commit()
    # someone with database access marks the genuine row quarantined to keep it out of the chain
    session.execute(
        update(PendingEntry)
        .where(PendingEntry.person_id == person.id)
        .values(quarantined_at=AT, quarantine_reason="seal_invalid")
    )
    session.commit()
    assert timeline.settle_all(session, org.tenant.id).appended == 1  # no chain note: not trusted
    assert _chain(session, person) == [("consent", "recording")]
    assert _row_ids(session, person) == [] and verify_person(session, person.id).ok


def test_deleting_or_changing_a_quarantined_row_is_reported(session, org, regional):
    deleted, changed = make_person(session, org), make_person(session, org)
    gone = _refused(session, org, deleted)
    altered = _refused(session, org, changed)
    assert timeline.settle_all(session, org.tenant.id).failed == {}
    session.execute(delete(PendingEntry).where(PendingEntry.id == gone))
    session.execute(update(PendingEntry).where(PendingEntry.id == altered).values(entry="hf1.AAAA"))
    session.commit()
    assert _problems(session, org, deleted) == [("quarantine_broken", 1)]
    # the changed row is quarantined again as what it is now; the first note stays broken
    assert _problems(session, org, changed) == [("quarantine_broken", 1), ("quarantined", 2)]
    assert [n["reason"] for n in _notes(session, changed)] == ["entry_refused", "seal_invalid"]
    badge = verify_person(session, deleted.id)
    assert [p.kind for p in badge.problems] == ["quarantine_broken"]
    assert "missing or was changed" in badge.problems[0].message


def test_a_cleared_mark_is_set_again_without_a_second_note(session, org, regional):
    person = make_person(session, org)
    bad = _refused(session, org, person)
    assert timeline.settle_pending(session, person.id) == 0
    session.execute(update(PendingEntry).where(PendingEntry.id == bad).values(quarantined_at=None))
    session.commit()
    timeline.settle_pending(session, person.id)
    session.commit()
    assert len(_notes(session, person)) == 1
    assert session.get(PendingEntry, bad).quarantined_at is not None
    assert _problems(session, org, person) == [("quarantined", 1)]


def test_it_retries_a_row_once_its_key_is_back_and_discards_a_forged_one(session, org, regional):
    person = make_person(session, org)
    consent = {"type": "consent", "source": "ai_interview", "facts": {"purpose": "recording"}}
    previous = Keyring(MasterKey.generate())
    waiting = _raw(session, org, person, _sealed(consent, person, org, previous))
    forged = _raw(session, org, person, "not a seal")
    timeline.settle_pending(session, person.id)
    session.commit()
    with pytest.raises(NotFound):  # only a quarantined row can be retried or discarded
        quarantine.retry(session, 10**9)
    # still unreadable: retried, marked again, no second note
    assert quarantine.retry(session, waiting).appended is False
    assert len(_notes(session, person)) == 2
    # the key is configured again: the retry appends it, and the chain says it came back
    with override_keyring(Keyring(keyring().current, [previous.current])):
        assert quarantine.retry(session, waiting).appended is True
    assert quarantine.discard(session, forged).appended is False
    assert _chain(session, person) == [
        ("quarantine", "quarantined"),
        ("quarantine", "quarantined"),
        ("consent", "recording"),
        ("quarantine", "appended"),
        ("quarantine", "discarded"),
    ]
    assert _notes(session, person)[-1]["reason"] == "seal_invalid"
    assert _row_ids(session, person) == []
    assert _problems(session, org, person) == [] and verify_person(session, person.id).ok
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.tenant_id == org.tenant.id, AuditEntry.target_id == str(person.id))
        .where(AuditEntry.action.like("record.outbox_%"))
        .order_by(AuditEntry.id)
    ).all()
    assert actions == [
        "record.outbox_retried",
        "record.outbox_retried",
        "record.outbox_discarded",
    ]
    assert quarantine.listed(session, org.tenant.id) == []


def test_notes_are_written_by_the_application_only(session, org, regional):
    person = make_person(session, org)
    hr = principal_for(org.users["hr_admin"])
    with pytest.raises(ValidationFailed):
        service.append_entry(
            session, hr, person.id, "quarantine", facts={"action": "appended", "outbox_row": 1}
        )
    # a note-like entry of another type or source does not count as a quarantine note
    bad = _refused(session, org, person)
    timeline.settle_pending(session, person.id)
    session.commit()
    service.append_entry(
        session, hr, person.id, "note", facts={"action": "discarded", "outbox_row": bad}
    )
    assert _problems(session, org, person) == [("quarantined", 1)]


def test_the_record_page_says_what_the_note_means(session, org, regional):
    person = make_person(session, org)
    bad = _refused(session, org, person)
    timeline.settle_pending(session, person.id)
    session.commit()
    entry = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).first()
    for language, words in (("en", "quarantined"), ("zh-CN", "隔离")):
        shown = Presenter(language, gettext_for(language)).entry(entry, None)
        assert words in shown.headline and str(bad) in shown.headline
        assert "entry_refused" in shown.headline


def test_the_sweep_task_reports_nothing_failed_for_a_quarantined_row(session, org, regional):
    person = make_person(session, org)
    _refused(session, org, person)
    _consent(session, org, person, "recording")
    session.commit()
    result = settle_pending_task()
    assert result["failed"] == {} and result["appended"] >= 1
    assert _chain(session, person) == [("quarantine", "quarantined"), ("consent", "recording")]
    count = session.scalar(
        select(func.count()).select_from(PendingEntry).where(PendingEntry.person_id == person.id)
    )
    assert count == 1
