"""The offers API end to end over HTTP: roles, scopes, the candidate's link and its refusals."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hireflow.core.db import utcnow
from hireflow.offers.models import Employee
from tests.conftest import bearer, make_user
from tests.offers.factories import BODY, start_day
from tests.workflow.factories import apply, make_opening

TEMPLATE = {
    "name": "Engineer",
    "salary": 28000,
    "currency": "CNY",
    "salary_period": "month",
    "probation_months": 6,
    "required_documents": ["id_card"],
    "location": "北京",
    "body": BODY,
    "valid_days": 5,
}


def _offer(client, session, org, name="王芳"):
    hr = bearer(client, org.users["hr_admin"])
    opening = make_opening(session, org)
    application = apply(session, org, opening, name=name)
    session.commit()
    template = client.post("/api/v1/offers/templates", json=TEMPLATE, headers=hr)
    assert template.status_code == 201, template.text
    made = client.post(
        f"/api/v1/applications/{application.id}/offers",
        json={"template_id": template.json()["id"], "start_date": start_day().isoformat()},
        headers=hr,
    )
    assert made.status_code == 201, made.text
    return made.json(), hr, application


def _approve_and_send(client, org, offer, hr):
    assert client.post(f"/api/v1/offers/{offer['id']}/submit", headers=hr).status_code == 200
    manager = bearer(client, org.users["hiring_manager"])
    decided = client.post(
        f"/api/v1/offers/{offer['id']}/decision", json={"approve": True}, headers=manager
    )
    assert decided.status_code == 200 and decided.json()["status"] == "approved", decided.text
    sent = client.post(f"/api/v1/offers/{offer['id']}/send", headers=hr)
    assert sent.status_code == 200, sent.text
    return sent.json()


def _token(session, offer_id):
    from hireflow.core.settings import get_settings
    from hireflow.offers.links import link_token
    from hireflow.offers.models import Offer

    return link_token(get_settings(), session.get(Offer, offer_id))


def test_the_whole_offer_over_http(client, session, org):
    offer, hr, _application = _offer(client, session, org)
    assert offer["status"] == "draft" and offer["salary"] == 28000
    refused = client.post(f"/api/v1/offers/{offer['id']}/send", headers=hr)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "offer_not_approved"
    sent = _approve_and_send(client, org, offer, hr)
    assert sent["status"] == "sent" and [a["role"] for a in sent["approvals"]] == ["hiring_manager"]
    letter = client.get(f"/api/v1/offers/{offer['id']}/letter.pdf?lang=zh", headers=hr)
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    token = _token(session, offer["id"])
    shown = client.get(f"/api/v1/offer-links/{token}")
    assert shown.status_code == 200 and shown.json()["position"]
    assert "approvals" not in shown.json()  # the candidate sees the terms, not the chain
    upload = client.post(
        f"/api/v1/offer-links/{token}/documents?kind=id_card",
        files={"file": ("id.png", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "image/png")},
    )
    assert upload.status_code == 201 and upload.json()["content_type"] == "image/png"
    accepted = client.post(
        f"/api/v1/offer-links/{token}/answer",
        json={"accept": True, "typed_name": "王芳"},
    )
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert accepted.json()["uploaded_documents"] == ["id_card"]
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer["id"])).one()
    found = client.get(f"/api/v1/people/{employee.person_id}/employee", headers=hr)
    assert found.status_code == 200 and found.json()["employee_number"].startswith("E")
    tasks = client.get(f"/api/v1/people/{employee.person_id}/onboarding", headers=hr).json()
    done = client.post(f"/api/v1/onboarding/tasks/{tasks[0]['id']}/done", headers=hr)
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_a_second_answer_is_409_in_the_readers_language(client, session, org):
    offer, hr, _ = _offer(client, session, org, name="Li Na")
    _approve_and_send(client, org, offer, hr)
    token = _token(session, offer["id"])
    url = f"/api/v1/offer-links/{token}/answer"
    body = {"accept": True, "typed_name": "Li Na"}
    assert client.post(url, json=body).status_code == 200
    again_zh = client.post(url, json=body, headers={"Accept-Language": "zh-CN"})
    again_en = client.post(url, json=body, headers={"Accept-Language": "en"})
    assert again_zh.status_code == again_en.status_code == 409
    assert again_zh.json()["error"]["code"] == "offer_answered"
    assert "已答复（已接受）" in again_zh.json()["error"]["message"]
    assert "already answered (Accepted)" in again_en.json()["error"]["message"]


def test_expired_and_withdrawn_offers_are_410_in_both_languages(client, session, org):
    from hireflow.offers.models import Offer

    offer, hr, _ = _offer(client, session, org, name="Zhou Min")
    _approve_and_send(client, org, offer, hr)
    row = session.get(Offer, offer["id"])
    row.expires_at = utcnow() - timedelta(minutes=1)
    session.commit()
    token = _token(session, offer["id"])
    body = {"accept": True, "typed_name": "Zhou Min"}
    gone_zh = client.post(
        f"/api/v1/offer-links/{token}/answer", json=body, headers={"Accept-Language": "zh-CN"}
    )
    assert gone_zh.status_code == 410 and gone_zh.json()["error"]["code"] == "offer_expired"
    assert "已于" in gone_zh.json()["error"]["message"]
    gone_en = client.post(
        f"/api/v1/offer-links/{token}/answer", json=body, headers={"Accept-Language": "en"}
    )
    assert gone_en.status_code == 410 and "expired on" in gone_en.json()["error"]["message"]

    other, hr, _ = _offer(client, session, org, name="Qian Yu")
    _approve_and_send(client, org, other, hr)
    withdrawn = client.post(f"/api/v1/offers/{other['id']}/withdraw", json={}, headers=hr)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    token = _token(session, other["id"])
    for language, words in (("zh-CN", "已被公司撤回"), ("en", "withdrawn by the company")):
        answer = client.post(
            f"/api/v1/offer-links/{token}/answer",
            json={"accept": True, "typed_name": "Qian Yu"},
            headers={"Accept-Language": language},
        )
        assert answer.status_code == 410 and words in answer.json()["error"]["message"]
    again = client.post(f"/api/v1/offers/{other['id']}/withdraw", json={}, headers=hr)
    assert again.status_code == 409


def test_roles_and_scopes(client, session, org):
    offer, hr, _ = _offer(client, session, org)
    url = f"/api/v1/offers/{offer['id']}"
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get(url, headers=interviewer).status_code == 403
    assert client.get("/api/v1/offers", headers=interviewer).status_code == 403
    it = bearer(client, org.users["it_auditor"])
    assert client.get(url, headers=it).status_code == 403
    candidate = bearer(client, org.users["candidate"])
    assert client.get(url, headers=candidate).status_code == 403
    other_manager = make_user(session, org.tenant, "hiring_manager", department=org.departments[1])
    session.commit()
    assert client.get(url, headers=bearer(client, other_manager)).status_code == 404
    recruiter = bearer(client, org.users["recruiter"])
    assert client.get(url, headers=recruiter).status_code == 200  # owns the opening
    assert (
        client.post("/api/v1/offers/templates", json=TEMPLATE, headers=recruiter).status_code == 403
    )
    manager = bearer(client, org.users["hiring_manager"])
    assert client.post(f"{url}/send", headers=manager).status_code == 403
    assert client.post(f"{url}/submit", headers=hr).status_code == 200
    assert client.post(f"{url}/decision", json={"approve": True}, headers=hr).status_code == 403


def test_bad_input_is_refused_with_the_field(client, session, org):
    hr = bearer(client, org.users["hr_admin"])
    bad = dict(TEMPLATE, required_documents=["passport"])
    response = client.post("/api/v1/offers/templates", json=bad, headers=hr)
    assert response.status_code == 422 and "required_documents" in str(response.json())
    no_english = dict(TEMPLATE, body={"zh": "正文"})
    assert client.post("/api/v1/offers/templates", json=no_english, headers=hr).status_code == 422
    offer, hr, application = _offer(client, session, org)
    past = client.patch(
        f"/api/v1/offers/{offer['id']}", json={"start_date": "2001-01-01"}, headers=hr
    )
    assert past.status_code == 422 and past.json()["error"]["fields"] == {"start_date": "past"}
    second = client.post(
        f"/api/v1/applications/{application.id}/offers",
        json={"template_id": offer["template_id"], "start_date": start_day().isoformat()},
        headers=hr,
    )
    assert second.status_code == 409
    wrong_lang = client.get(f"/api/v1/offers/{offer['id']}/letter.pdf?lang=fr", headers=hr)
    assert wrong_lang.status_code == 422
    forged = client.get("/api/v1/offer-links/not-a-token")
    assert forged.status_code == 404
    draft_token = _token(session, offer["id"])  # never sent: the link does not open
    assert client.get(f"/api/v1/offer-links/{draft_token}").status_code == 404
