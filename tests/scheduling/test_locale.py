"""Language and time zone belong to each application: HR sees and changes them before
inviting, the candidate switches language on their link, and everything follows the choice."""

from __future__ import annotations

import re

from sqlalchemy import select

from hireflow.candidates.models import Application
from hireflow.core.audit import AuditEntry
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.models import Invitation, InvitationBatch
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.sending import process_batch
from tests.conftest import login
from tests.scheduling.factories import make_hiring


def _application(session, candidate, opening) -> Application:
    return session.scalars(
        select(Application).where(
            Application.candidate_id == candidate.id, Application.opening_id == opening.id
        )
    ).one()


def test_hr_sees_the_guess_and_changes_it_before_inviting(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2, language="zh-CN", timezone="Asia/Shanghai")
    first, second = hiring.candidates
    app = _application(session, first, hiring.opening)
    app.language, app.timezone, app.locale_source = "en", "America/Los_Angeles", "resume"
    app.locale_reasons = [
        {"code": "text_language", "value": "en"},
        {"code": "location_mentioned", "value": "San Francisco", "zone": "America/Los_Angeles"},
        {"code": "phone", "value": "+1", "zone": "America/Los_Angeles"},
    ]
    session.commit()
    login(client, org.users["hr_admin"])
    page = client.get(f"/scheduling/invite?opening_id={hiring.opening.id}").text
    row = page.split(f'data-candidate="{first.id}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'<option value="en"\s+selected', row)
    assert 'value="America/Los_Angeles"' in row
    assert "San Francisco" in row and "+1" in row  # why
    other = page.split(f'data-candidate="{second.id}"', 1)[1].split("</tr>", 1)[0]
    assert re.search(r'<option value="zh-CN"\s+selected', other)

    csrf = client.headers["X-CSRF-Token"]
    form = {
        "csrf_token": csrf,
        "opening_id": str(hiring.opening.id),
        "kind": "live",
        "request_key": "locale-test",
        "candidate_ids[]": [str(first.id), str(second.id)],
        # HR keeps the first as guessed and moves the second to English in London
        f"language_{first.id}": "en",
        f"timezone_{first.id}": "America/Los_Angeles",
        f"language_{second.id}": "en",
        f"timezone_{second.id}": "Europe/London",
    }
    bad = client.post(
        "/scheduling/invite/preview", data={**form, f"timezone_{second.id}": "Mars/Olympus"}
    )
    assert bad.status_code == 422 and "Mars/Olympus" in bad.text
    sent = client.post("/scheduling/invite", data=form)
    assert sent.status_code == 202, sent.text
    batch = session.scalars(
        select(InvitationBatch).where(InvitationBatch.opening_id == hiring.opening.id)
    ).one()
    process_batch(db, batch.id, settings)
    session.expire_all()
    invitations = {
        i.candidate_id: i
        for i in session.scalars(select(Invitation).where(Invitation.batch_id == batch.id))
    }
    assert (invitations[first.id].language, invitations[first.id].timezone) == (
        "en",
        "America/Los_Angeles",
    )
    assert (invitations[second.id].language, invitations[second.id].timezone) == (
        "en",
        "Europe/London",
    )
    # the change is the application's now (and audited); the unchanged guess is not HR's
    assert _application(session, second, hiring.opening).locale_source == "hr"
    assert _application(session, first, hiring.opening).locale_source == "resume"
    changed = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "application.locale_changed")
    ).all()
    assert len(changed) == 1
    mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id == invitations[second.id].id,
        )
    ).one()
    assert mail.language == "en" and "Dear" in mail.body_text
    assert "Greenwich Mean Time" in mail.body_text or "British" in mail.body_text


def test_the_candidate_switches_language_on_the_link(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1, language="zh-CN", id_number="X1234")
    candidate = hiring.candidates[0]
    login(client, org.users["hr_admin"])
    client.post(
        "/scheduling/invite",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "opening_id": str(hiring.opening.id),
            "kind": "live",
            "candidate_ids[]": [str(candidate.id)],
        },
    )
    batch = session.scalars(
        select(InvitationBatch).where(InvitationBatch.opening_id == hiring.opening.id)
    ).one()
    process_batch(db, batch.id, settings)
    session.expire_all()
    inv = session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)).one()
    from hireflow.scheduling import messages

    token = messages.link_token(settings, inv, policy_for(session, inv.tenant_id))
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)  # the candidate's browser, not HR's
    page = client.get(f"/i/{token}")
    assert '<html lang="zh-CN">' in page.text
    assert f'action="/i/{token}/language"' in page.text  # the switcher records the choice
    csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    # errors of the link API follow the application's language, not Accept-Language
    wrong = client.post(
        f"/api/v1/links/{token}/verify",
        json={"answer": "0000"},
        headers={"Accept-Language": "en-US"},
    )
    assert wrong.status_code == 422 and "次" in wrong.json()["error"]["message"]

    switched = client.post(
        f"/i/{token}/language",
        data={"csrf_token": csrf, "lang": "en", "next": f"/i/{token}"},
        follow_redirects=False,
    )
    assert switched.status_code == 303 and switched.headers["location"] == f"/i/{token}"
    session.expire_all()
    inv = session.get(Invitation, inv.id)
    assert inv.language == "en"
    app = _application(session, candidate, hiring.opening)
    assert (app.language, app.locale_source) == ("en", "candidate")
    client.cookies.clear()  # another device: the application remembers
    page = client.get(f"/i/{token}")
    assert '<html lang="en">' in page.text and "Confirm your identity" in page.text
    csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    wrong = client.post(
        f"/api/v1/links/{token}/verify",
        json={"answer": "0000"},
        headers={"Accept-Language": "zh-CN"},
    )
    assert wrong.status_code == 422 and "attempts left" in wrong.json()["error"]["message"]
    # an unknown language and a foreign target are refused
    assert (
        client.post(f"/i/{token}/language", data={"csrf_token": csrf, "lang": "xx"}).status_code
        == 400
    )
    outside = client.post(
        f"/i/{token}/language",
        data={"csrf_token": csrf, "lang": "zh-CN", "next": "https://evil.example/"},
        follow_redirects=False,
    )
    assert outside.headers["location"] == f"/i/{token}"
    # the API way, for the page's script or an app
    assert client.put(f"/api/v1/links/{token}/language", json={"language": "ja"}).status_code == 204
    session.expire_all()
    assert session.get(Invitation, inv.id).language == "ja"
