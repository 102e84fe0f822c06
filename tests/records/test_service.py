"""The record's service API: timeline, files, status, consent, holds, roles and scope."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.org.auth import principal_for
from hireflow.records import service
from hireflow.records.integrity import verify_person
from hireflow.records.models import Attachment, PersonRecord, RecordEntry, RecordScore
from hireflow.records.payloads import decrypt_payload
from hireflow.records.service import RecordingIn, SystemActor
from tests.records.conftest import make_opening, make_person


def _hr(org):
    return principal_for(org.users["hr_admin"])


def test_entries_form_a_verified_chain_with_encrypted_data(session, org, regional):
    person = make_person(session, org)
    hr = _hr(org)
    first = service.append_entry(
        session,
        hr,
        person.id,
        "profile_change",
        {"phone": "13912345678"},
        "hr-form",
        facts={"fields": ["phone"]},
    )
    second = service.append_entry(
        session,
        principal_for(org.users["interviewer"]),
        person.id,
        "review",
        {"text": "Explains trade-offs clearly"},
        "panel",
    )
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    raw = session.execute(
        text("SELECT payload FROM record_entries WHERE id = :id"), {"id": first.id}
    ).scalar_one()
    assert raw.startswith("hfp1.") and "13912345678" not in raw
    assert decrypt_payload(first) == {"phone": "13912345678"}
    assert first.actor_id == org.users["hr_admin"].id and first.actor_label == ""
    report = verify_person(session, person.id)
    assert report.ok, report.problems
    assert report.rows == 2


def test_status_is_derived_from_the_timeline(session, org, regional):
    person = make_person(session, org)
    hr = _hr(org)
    service.set_status(session, hr, person.id, "screening")
    service.set_status(session, hr, person.id, "rejected", reason="Not enough experience")
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.status == "rejected" and record.entry_count == 2
    entries = session.scalars(
        select(RecordEntry).where(RecordEntry.person_id == person.id).order_by(RecordEntry.seq)
    ).all()
    assert entries[1].facts == {"status": "rejected", "previous": "screening"}
    with pytest.raises(ValidationFailed):
        service.set_status(session, hr, person.id, "promoted_to_ceo")


def test_interview_report_lands_with_labelled_recordings(session, org, regional):
    opening = make_opening(session, org, 0)
    person = make_person(session, org, opening=opening)
    scorer = SystemActor("interview-scoring", tenant_id=org.tenant.id)
    captured = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
    entry = service.record_interview_report(
        session,
        scorer,
        person.id,
        opening_id=opening.id,
        interview_id=77,
        scores={"communication": 8.2, "problem_solving": 7},
        match_percent=80,
        summary="Strong on customer cases",
        strengths=["clear examples"],
        gaps=["leadership"],
        recordings=[
            RecordingIn(
                io.BytesIO(b"\x1aE\xdf\xa3" + os.urandom(5000)),
                "q1.webm",
                "video/webm",
                captured,
                "Tell us about a complaint",
            )
        ],
    )
    assert entry.facts["scores"] == {"communication": "8.2", "problem_solving": 7}
    assert entry.actor_label == "system:interview-scoring" and entry.actor_id is None
    record = session.scalars(select(PersonRecord).where(PersonRecord.person_id == person.id)).one()
    assert record.status == "ai_interview_done"
    attachment = session.scalars(select(Attachment).where(Attachment.person_id == person.id)).one()
    assert attachment.kind == "recording" and attachment.size == 5004
    assert attachment.labels["opening_id"] == opening.id
    assert attachment.labels["captured_at"] == "2026-03-02T09:30:00.000000Z"
    scores = {
        s.dimension: s.score
        for s in session.scalars(select(RecordScore).where(RecordScore.person_id == person.id))
    }
    assert scores == {"communication": 8.2, "problem_solving": 7.0}
    assert verify_person(session, person.id).ok


def test_system_actor_is_confined_to_its_tenant(session, org, regional):
    from tests.conftest import make_org

    other = make_org(session)
    person = make_person(session, other)
    with pytest.raises(NotFound):
        service.append_entry(
            session, SystemActor("x", tenant_id=org.tenant.id), person.id, "note", {"t": "x"}
        )


def test_roles_and_scope(session, org, regional):
    own = make_person(session, org, dept_index=0)
    other_dept = make_person(session, org, opening=make_opening(session, org, 2, members=False))
    users = org.users
    # interviewers review only their panels' people; they cannot set statuses
    service.append_entry(
        session, principal_for(users["interviewer"]), own.id, "review", {"t": "ok"}
    )
    with pytest.raises(NotFound):
        service.append_entry(
            session, principal_for(users["interviewer"]), other_dept.id, "review", {"t": "x"}
        )
    with pytest.raises(Forbidden):
        service.set_status(session, principal_for(users["interviewer"]), own.id, "rejected")
    # IT/auditors and candidates never touch the record
    for role in ("it_auditor", "employee"):
        with pytest.raises(Forbidden):
            service.append_entry(session, principal_for(users[role]), own.id, "note", {"t": "x"})
    # reserved kinds go through their own functions
    with pytest.raises(ValidationFailed):
        service.append_entry(session, _hr(org), own.id, "status_change", facts={"status": "x"})


def test_bad_entries_are_refused(session, org, regional):
    person = make_person(session, org)
    hr = _hr(org)
    for kwargs in (
        {"type": "gossip", "data": {"t": "x"}},
        {"type": "note", "data": {"t": float("nan")}},
        {"type": "note", "data": {"t": "x"}, "facts": {"Bad Key": 1}},
        {"type": "note", "data": {"t": "x"}, "source": "has spaces"},
        {"type": "note", "data": {"t": "x"}, "occurred_at": datetime(2024, 1, 1)},  # noqa: DTZ001
        {"type": "note", "data": {"big": "x" * 300_000}},
    ):
        with pytest.raises(ValidationFailed):
            service.append_entry(session, hr, person.id, **kwargs)
    assert session.scalar(select(RecordEntry.id).where(RecordEntry.person_id == person.id)) is None


def test_consent_records_what_when_and_which_notice(session, org, regional):
    candidate_user = org.users["candidate"]
    person = make_person(session, org, user=candidate_user)
    me = principal_for(candidate_user)
    entry = service.record_consent(session, me, person.id, "recording", "2026-01", True)
    assert entry.facts == {
        "purpose": "recording",
        "notice_version": "2026-01",
        "granted": True,
        "method": "web",
    }
    assert entry.actor_label == "subject"
    service.record_consent(
        session, _hr(org), person.id, "recording", "2026-01", False, method="email"
    )
    with pytest.raises(ValidationFailed):
        service.record_consent(session, me, person.id, "selling_data", "v1", True)
    with pytest.raises(ValidationFailed):
        service.record_consent(session, me, person.id, "processing", "", True)
    stranger = make_person(session, org)
    with pytest.raises(NotFound):
        service.record_consent(session, me, stranger.id, "processing", "v1", True)


def test_consents_given_together_are_chained_and_audited_one_by_one(session, org, regional):
    person = make_person(session, org)
    actor = SystemActor("candidate-link", tenant_id=org.tenant.id)
    service.record_consent(session, actor, person.id, "processing", "v1", True)
    entries = service.record_consents(
        session, actor, person.id, ("recording", "ai_assessment"), "v2", True
    )
    assert [e.facts["purpose"] for e in entries] == ["recording", "ai_assessment"]
    assert verify_person(session, person.id).ok
    audited = session.scalars(
        select(AuditEntry.new_values)
        .where(AuditEntry.action == "record.consent", AuditEntry.target_id == str(person.id))
        .order_by(AuditEntry.id)
    ).all()
    assert [a["purpose"] for a in audited] == ["processing", "recording", "ai_assessment"]
    with pytest.raises(ValidationFailed):
        service.record_consents(session, actor, person.id, ("recording", "selling"), "v2", True)


def test_every_write_is_audited_in_the_same_transaction(session, org, regional):
    person = make_person(session, org)
    service.set_status(session, _hr(org), person.id, "screening")
    rows = session.scalars(
        select(AuditEntry).where(
            AuditEntry.target_type == "record", AuditEntry.target_id == str(person.id)
        )
    ).all()
    assert [r.action for r in rows] == ["record.status_changed"]
    assert rows[0].seq is not None and rows[0].hash is not None
