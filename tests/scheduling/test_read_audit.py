"""Scheduling pages that name candidates leave a read-audit row (ids only, never the data)."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.org.auth import principal_for
from hireflow.scheduling.bookings import staff_book
from hireflow.scheduling.slot_search import offered_slots
from tests.conftest import login
from tests.scheduling.factories import make_candidate, make_hiring, send


def _rows(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def _invite_form(client, hiring, candidate_ids: list[int]) -> dict:
    return {
        "csrf_token": client.headers["X-CSRF-Token"],
        "opening_id": str(hiring.opening.id),
        "kind": "live",
        "request_key": "audit-test",
        "candidate_ids[]": [str(cid) for cid in candidate_ids],
    }


def test_the_overview_audits_the_upcoming_interviews_it_names(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (invitation,) = send(session, db, settings, hiring.opening, hiring.candidates)
    slot = offered_slots(session, invitation)[0]
    hr = org.users["hr_admin"]
    staff_book(session, principal_for(hr), invitation.id, slot.start, settings)
    login(client, hr)
    page = client.get("/scheduling")
    assert page.status_code == 200
    assert hiring.candidates[0].name in page.text
    (row,) = _rows(session, "invitations.listed")
    assert row.actor_id == hr.id
    assert row.target_type == "invitation" and row.target_id == str(invitation.id)
    assert hiring.candidates[0].name not in str(row.new_values)


def test_an_overview_without_upcoming_interviews_leaves_no_row(client, session, org):
    make_hiring(session, org, candidates=1)
    login(client, org.users["hr_admin"])
    assert client.get("/scheduling").status_code == 200
    assert _rows(session, "invitations.listed") == []


def test_the_invite_pages_audit_the_candidates_they_list(client, session, org):
    hiring = make_hiring(session, org, candidates=2)
    ids = sorted(c.id for c in hiring.candidates)
    login(client, org.users["hr_admin"])
    page = client.get(f"/scheduling/invite?opening_id={hiring.opening.id}")
    assert page.status_code == 200 and hiring.candidates[0].name in page.text
    (row,) = _rows(session, "applications.listed")
    assert row.target_type == "candidate" and sorted(row.new_values["ids"]) == ids

    preview = client.post("/scheduling/invite/preview", data=_invite_form(client, hiring, ids))
    assert preview.status_code == 200, preview.text
    assert len(_rows(session, "applications.listed")) == 2

    # a refused send shows the list again: audited again
    refused = client.post("/scheduling/invite", data=_invite_form(client, hiring, []))
    assert refused.status_code == 422
    assert len(_rows(session, "applications.listed")) == 3


def test_the_batch_page_audits_the_candidates_it_names_as_not_invited(client, session, org):
    hiring = make_hiring(session, org, candidates=1)
    unreachable = make_candidate(session, org, hiring.opening, email="")
    session.commit()
    login(client, org.users["hr_admin"])
    before = len(_rows(session, "applications.listed"))
    form = _invite_form(client, hiring, [hiring.candidates[0].id, unreachable.id])
    sent = client.post("/scheduling/invite", data=form)
    assert sent.status_code == 202, sent.text
    assert unreachable.name in sent.text
    rows = _rows(session, "applications.listed")
    assert len(rows) == before + 1
    assert rows[-1].new_values["ids"] == [unreachable.id]
    assert unreachable.name not in str(rows[-1].new_values)
