"""The notifications API: outbox with status and resend, channel settings, templates, roles."""

from __future__ import annotations

from hireflow.notifications.models import OutboxMessage
from hireflow.notifications.outbox import (
    OutgoingMessage,
    TemplateCache,
    cancel_pending,
    enqueue,
    render,
)
from tests.conftest import bearer
from tests.scheduling.factories import make_hiring, make_opening


def _message(session, org, opening, kind="generic", status="failed", text="Hello 123456"):
    row = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage("email", kind, "someone@example.com", "Subject", text),
        dedupe_key=f"api:{org.tenant.id}:{opening.id if opening else 0}:{kind}:{status}",
        opening_id=opening.id if opening else None,
        deliver=False,
    )
    row.status = status
    session.commit()
    return row


def test_outbox_lists_per_channel_and_resends(client, session, org):
    hiring = make_hiring(session, org, candidates=1)
    failed = _message(session, org, hiring.opening)
    headers = bearer(client, org.users["hr_admin"])
    page = client.get("/api/v1/notifications/outbox?channel=email&status=failed", headers=headers)
    assert page.status_code == 200
    body = page.json()
    assert [i["id"] for i in body["items"]] == [failed.id]
    assert body["counts"]["email"]["failed"] == 1 and body["counts"]["sms"] == {}
    resent = client.post(f"/api/v1/notifications/outbox/{failed.id}/resend", headers=headers)
    assert resent.status_code == 202 and resent.json()["resend_of_id"] == failed.id
    assert resent.json()["status"] == "queued"
    # a message still in delivery cannot be resent (nothing sent twice)
    again = client.post(
        f"/api/v1/notifications/outbox/{resent.json()['id']}/resend", headers=headers
    )
    assert again.status_code == 422


def test_one_time_codes_are_hidden_from_staff(client, session, org):
    hiring = make_hiring(session, org, candidates=1)
    code = _message(
        session,
        org,
        hiring.opening,
        kind="identity_code",
        status="sent",
        text="Your code is 482913.",
    )
    headers = bearer(client, org.users["hr_admin"])
    detail = client.get(f"/api/v1/notifications/outbox/{code.id}", headers=headers).json()
    assert "482913" not in detail["body_text"] and "••••••" in detail["body_text"]
    from tests.conftest import login

    login(client, org.users["hr_admin"])
    assert "482913" not in client.get(f"/notifications/outbox/{code.id}").text


def test_recruiters_see_only_their_openings_messages_and_it_sees_none(client, session, org):
    mine = make_hiring(session, org, candidates=1).opening
    other = make_opening(session, org, dept_index=2)
    other.members = []  # the recruiter is not on this one
    session.commit()
    visible = _message(session, org, mine, status="sent")
    hidden = _message(session, org, other, status="sent")
    recruiter = bearer(client, org.users["recruiter"])
    ids = [
        i["id"]
        for i in client.get("/api/v1/notifications/outbox", headers=recruiter).json()["items"]
    ]
    assert visible.id in ids and hidden.id not in ids
    assert (
        client.get(f"/api/v1/notifications/outbox/{hidden.id}", headers=recruiter).status_code
        == 404
    )
    it = bearer(client, org.users["it_auditor"])
    assert client.get("/api/v1/notifications/outbox", headers=it).status_code == 403
    # IT configures channels (no personal data there), but not message templates
    assert client.get("/api/v1/notifications/channels", headers=it).status_code == 200
    assert client.get("/api/v1/notifications/templates", headers=it).status_code == 403


def test_channel_settings_api_never_returns_secrets(client, session, org):
    headers = bearer(client, org.users["hr_admin"])
    saved = client.put(
        "/api/v1/notifications/channels",
        json={
            "channel": "feishu",
            "enabled": True,
            "webhook_url": "https://open.feishu.cn/open-apis/bot/v2/hook/abc-def",
            "secrets": {"secret": "s3cr3t-value"},
        },
        headers=headers,
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["secrets_set"] == ["hook_token", "secret"]
    assert "s3cr3t" not in saved.text and "abc-def" not in saved.text
    listed = client.get("/api/v1/notifications/channels", headers=headers)
    assert "s3cr3t" not in listed.text
    unknown = client.put(
        "/api/v1/notifications/channels",
        json={
            "channel": "email",
            "enabled": True,
            "config": {"host": "smtp.example.com", "port": 99999, "sender": "a@example.com"},
        },
        headers=headers,
    )
    assert unknown.status_code == 422
    bad_sender = client.put(
        "/api/v1/notifications/channels",
        json={
            "channel": "email",
            "enabled": True,
            "config": {"host": "smtp.example.com", "port": 587, "sender": "not-an-address"},
        },
        headers=headers,
    )
    assert bad_sender.status_code == 422
    test = client.post(
        "/api/v1/notifications/channels/test",
        json={"channel": "email", "recipient": "bad address"},
        headers=headers,
    )
    assert test.status_code == 422
    queued = client.post(
        "/api/v1/notifications/channels/test",
        json={"channel": "feishu"},
        headers=headers,
    )
    assert queued.status_code == 202 and queued.json()["channel"] == "feishu"


def test_templates_are_validated_saved_and_used(client, session, org):
    headers = bearer(client, org.users["hr_admin"])
    unsafe = client.put(
        "/api/v1/notifications/templates",
        json={
            "kind": "reminder_24h",
            "language": "en",
            "subject": "{{ job_title.__class__ }}",
            "body": "x",
            "sms": "y",
        },
        headers=headers,
    )
    assert unsafe.status_code == 422
    unknown = client.put(
        "/api/v1/notifications/templates",
        json={
            "kind": "reminder_24h",
            "language": "en",
            "subject": "{{ salary }}",
            "body": "x",
            "sms": "y",
        },
        headers=headers,
    )
    assert unknown.status_code == 422 and "salary" in unknown.json()["error"]["message"]
    ok = client.put(
        "/api/v1/notifications/templates",
        json={
            "kind": "generic",
            "language": "en",
            "subject": "From {{ company_name }}: {{ title }}",
            "body": "{{ body }}",
            "sms": "{{ title }}",
        },
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["customised"]
    cache = TemplateCache(session, org.tenant.id)
    rendered = render(
        cache, "generic", "en", {"title": "T", "body": "B", "company_name": "ACME"}, "UTC"
    )
    assert rendered.subject == "From ACME: T"
    listed = client.get("/api/v1/notifications/templates", headers=headers).json()
    assert any(t["customised"] for t in listed if t["kind"] == "generic" and t["language"] == "en")
    assert (
        client.post(
            "/api/v1/notifications/templates/reset",
            json={"kind": "generic", "language": "en"},
            headers=headers,
        ).status_code
        == 204
    )
    cache = TemplateCache(session, org.tenant.id)
    assert render(cache, "generic", "en", {"title": "T", "body": "B"}, "UTC").subject == "T"


def test_cancelled_interviews_withdraw_undelivered_messages(session, org):
    row = _message(session, org, None, status="queued")
    row.related_type, row.related_id = "booking", 987654
    session.commit()
    assert cancel_pending(session, "booking", 987654) == 1
    session.commit()
    session.refresh(row)
    assert row.status == "cancelled"
    assert session.get(OutboxMessage, row.id) is not None  # kept, visible, never silently dropped
