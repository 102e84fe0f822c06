"""HR's scheduling pages and the candidate's personal-link pages, through the real app."""

from __future__ import annotations

import re

import icalendar
from sqlalchemy import select

from hireflow.scheduling import messages
from hireflow.scheduling.invitation_actions import cancel_invitation
from hireflow.scheduling.models import Invitation, InvitationBatch
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.sending import process_batch
from tests.conftest import login
from tests.scheduling.factories import make_hiring


def _csrf(client) -> str:
    page = client.get("/login")
    return page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


def _send_via_pages(client, session, db, settings, hiring, kind="live"):
    login(client, hiring.org.users["hr_admin"])
    form = {
        "csrf_token": client.headers["X-CSRF-Token"],
        "opening_id": str(hiring.opening.id),
        "kind": kind,
        "request_key": "page-test",
        "materials": "ID card\nPortfolio",
        "notes": "Bring a pen",
    }
    data = {**form, "candidate_ids[]": [str(c.id) for c in hiring.candidates]}
    preview = client.post("/scheduling/invite/preview", data=data)
    assert preview.status_code == 200, preview.text
    assert 'id="preview"' in preview.text
    sent = client.post("/scheduling/invite", data=data)
    assert sent.status_code == 202, sent.text
    batch = session.scalars(
        select(InvitationBatch).where(InvitationBatch.opening_id == hiring.opening.id)
    ).one()
    process_batch(db, batch.id, settings)
    session.expire_all()
    return list(
        session.scalars(
            select(Invitation).where(Invitation.batch_id == batch.id).order_by(Invitation.id)
        )
    )


def test_hr_pages_render_and_invite(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2)
    invitations = _send_via_pages(client, session, db, settings, hiring)
    # queued in the outbox; "sent" once delivered (tests/notifications/test_invitation_delivery)
    assert [i.status for i in invitations] == ["sending", "sending"]
    from hireflow.notifications.models import OutboxMessage

    invitation_mail = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id == invitations[0].id,
        )
    ).one()
    assert "- Portfolio" in invitation_mail.body_text and "Bring a pen" in invitation_mail.body_text
    for path in (
        "/scheduling",
        f"/scheduling/openings/{hiring.opening.id}",
        "/scheduling/invite",
        f"/scheduling/invite?opening_id={hiring.opening.id}",
        f"/scheduling/batches/{invitations[0].batch_id}",
        f"/scheduling/invitations/{invitations[0].id}",
        f"/scheduling/availability/{hiring.interviewers[0].id}",
        "/scheduling/settings",
        "/notifications/outbox",
        "/notifications/outbox?channel=email&status=queued",
        "/notifications/settings",
        "/notifications/templates?kind=reminder_24h&language=ja",
    ):
        page = client.get(path)
        assert page.status_code == 200, (path, page.text[:300])
    progress = client.get(f"/scheduling/openings/{hiring.opening.id}").text
    assert hiring.candidates[0].name in progress and 'data-stage="invited"' in progress
    # one-click resend from the progress view
    resend = client.post(
        f"/scheduling/invitations/{invitations[0].id}/resend",
        data={
            "csrf_token": client.headers["X-CSRF-Token"],
            "next": f"/scheduling/openings/{hiring.opening.id}",
        },
        follow_redirects=False,
    )
    assert resend.status_code == 303 and resend.headers["location"].endswith(str(hiring.opening.id))


def _token(session, settings, inv) -> str:
    return messages.link_token(settings, inv, policy_for(session, inv.tenant_id))


def test_candidate_link_identity_guide_booking_and_cancel(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=2, id_number="310101199001011234")
    a, b = _send_via_pages(client, session, db, settings, hiring)
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    token = _token(session, settings, a)
    page = client.get(f"/i/{token}")
    assert page.status_code == 200
    assert 'id="form-verify"' in page.text
    # before the identity check, nobody's name is shown
    assert hiring.candidates[0].name not in page.text
    assert hiring.candidates[1].name not in page.text
    csrf = page.text.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]
    wrong = client.post(f"/i/{token}/verify", data={"csrf_token": csrf, "answer": "9999"})
    assert wrong.status_code == 422 and "4" in wrong.text
    ok = client.post(
        f"/i/{token}/verify", data={"csrf_token": csrf, "answer": "1234"}, follow_redirects=False
    )
    assert ok.status_code == 303
    page = client.get(f"/i/{token}")
    assert hiring.candidates[0].name in page.text and hiring.candidates[1].name not in page.text
    assert 'id="guide"' in page.text and 'id="device-check"' in page.text
    starts = re.findall(r'name="start" value="([^"]+)"', page.text)
    assert starts, "slots are offered"
    booked = client.post(
        f"/i/{token}/book", data={"csrf_token": csrf, "start": starts[0]}, follow_redirects=False
    )
    assert booked.status_code == 303, booked.text
    page = client.get(f"/i/{token}?done=booked")
    assert 'id="booked-time"' in page.text
    ics = client.get(f"/i/{token}/invite.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    event = next(iter(icalendar.Calendar.from_ical(ics.content).walk("VEVENT")))
    assert event["DTSTART"].dt.isoformat().startswith(starts[0][:13]) or event["DTSTART"].dt == (
        __import__("datetime").datetime.fromisoformat(starts[0])
    )
    # the device check is recorded for HR's view
    check = client.post(
        f"/i/{token}/device-check",
        json={"camera": True, "microphone": False, "network_ms": 80},
        headers={
            "X-CSRF-Token": csrf,
            "User-Agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148",
        },
    )
    assert check.status_code == 202
    session.refresh(a)
    assert a.device_checked_at is not None and a.device_ok is False
    assert a.device_result["device"] == "phone"  # the device class, for the analytics
    # B's link does not accept A's access cookie
    token_b = _token(session, settings, b)
    page_b = client.get(f"/i/{token_b}")
    assert 'id="form-verify"' in page_b.text and hiring.candidates[0].name not in page_b.text
    assert (
        client.post(f"/i/{token_b}/book", data={"csrf_token": csrf, "start": starts[1]}).status_code
        == 403
    )
    # cancel
    cancel = client.post(f"/i/{token}/cancel", data={"csrf_token": csrf}, follow_redirects=False)
    assert cancel.status_code == 303
    session.refresh(a)
    assert a.booking.status == "cancelled"


def test_candidate_page_speaks_the_candidates_language_and_zone(client, session, db, settings, org):
    hiring = make_hiring(
        session, org, candidates=1, language="zh-CN", timezone="America/New_York", id_number="X1234"
    )
    (inv,) = _send_via_pages(client, session, db, settings, hiring)
    client.cookies.clear()
    token = _token(session, settings, inv)
    page = client.get(f"/i/{token}")
    assert '<html lang="zh-CN">' in page.text and "身份" in page.text
    client.cookies.set("hf_lang", "en")
    page = client.get(f"/i/{token}")
    assert '<html lang="en">' in page.text and "Confirm your identity" in page.text


def test_bad_and_expired_links_get_clear_pages(client, session, db, settings, org):
    hiring = make_hiring(session, org, candidates=1)
    (inv,) = _send_via_pages(client, session, db, settings, hiring, kind="ai")
    token = _token(session, settings, inv)
    tampered = client.get(f"/i/{token[:10]}{'A' if token[10] != 'A' else 'B'}{token[11:]}")
    assert tampered.status_code == 404
    cancel_invitation(
        session,
        __import__("hireflow.org.auth", fromlist=["x"]).principal_for(hiring.org.users["hr_admin"]),
        inv.id,
        settings,
    )
    gone = client.get(f"/i/{token}")
    assert gone.status_code == 410


def test_settings_pages_save_policy_and_channels(client, session, org):
    login(client, org.users["hr_admin"])
    csrf = client.headers["X-CSRF-Token"]
    saved = client.post(
        "/scheduling/settings",
        data={
            "csrf_token": csrf,
            "duration_minutes": "45",
            "buffer_minutes": "15",
            "granularity_minutes": "15",
            "min_notice_hours": "4",
            "horizon_days": "10",
            "max_per_day": "3",
            "link_valid_days": "7",
            "change_cutoff_hours": "6",
            "reminder_minutes": "1440, 60",
            "feedback_after_minutes": "20",
            "identity_max_attempts": "4",
            "identity_lockout_minutes": "15",
            "candidate_channels[]": "email",
            "notify_groups": "on",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303, saved.text
    policy = policy_for(session, org.tenant.id)
    assert (policy.duration_minutes, policy.reminder_minutes, policy.candidate_channels) == (
        45,
        [1440, 60],
        ["email"],
    )
    bad = client.post("/scheduling/settings", data={"csrf_token": csrf, "duration_minutes": "7"})
    assert bad.status_code == 422
    robot = client.post(
        "/notifications/settings",
        data={
            "csrf_token": csrf,
            "channel": "dingtalk",
            "provider": "robot",
            "enabled": "on",
            "webhook_url": "https://oapi.dingtalk.com/robot/send?access_token=abc123",
            "secret_secret": "SECxyz",
        },
        follow_redirects=False,
    )
    assert robot.status_code == 303, robot.text
    page = client.get("/notifications/settings")
    assert "abc123" not in page.text and "SECxyz" not in page.text
    wrong = client.post(
        "/notifications/settings",
        data={
            "csrf_token": csrf,
            "channel": "wecom",
            "provider": "robot",
            "enabled": "on",
            "webhook_url": "https://example.com/x",
        },
    )
    assert wrong.status_code == 422


def test_english_catalogues_hold_no_chinese():
    from babel.messages.pofile import read_po

    from hireflow.core.i18n import LOCALE_DIR

    for domain in ("scheduling", "notifications"):
        path = LOCALE_DIR.parent.parent / domain / "locale" / "en" / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale="en")
        chinese = [m.id for m in catalog if m.id and re.search(r"[\u4e00-\u9fff]", str(m.string))]
        assert chinese == [], (domain, chinese[:5])


def test_sending_without_a_candidate_says_to_choose_one_and_keeps_the_form(client, session, org):
    """No candidate ticked: the page says what to do (not "Invalid value.") in the reader's
    language, keeps what was typed, and sends nothing."""
    hiring = make_hiring(session, org, candidates=1)
    login(client, org.users["hr_admin"])
    form = {
        "csrf_token": client.headers["X-CSRF-Token"],
        "opening_id": str(hiring.opening.id),
        "kind": "ai",
        "request_key": "none-chosen",
        "notes": "请认真准备",
    }
    for language, words in (("zh-CN", "请至少选择一项。"), ("en", "Choose at least one.")):
        client.post("/lang", data={"lang": language, "next": "/"})
        for action in ("/scheduling/invite/preview", "/scheduling/invite"):
            refused = client.post(action, data=form)
            assert refused.status_code == 422
            assert words in refused.text and "请认真准备" in refused.text
            assert "取值无效" not in refused.text and "Invalid value." not in refused.text
    sent = select(InvitationBatch).where(InvitationBatch.tenant_id == org.tenant.id)
    assert session.scalars(sent).all() == []


def test_the_opening_page_leads_to_inviting_its_candidates(client, session, org):
    """From an open opening with candidates, "Invite candidates" opens the invite page for
    that opening; without candidates, or for a role that may not invite, there is no button."""
    hiring = make_hiring(session, org, candidates=1)
    empty = make_hiring(session, org, candidates=0)
    assert hiring.opening.status == "open"
    login(client, org.users["hr_admin"])
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get(f"/openings/{hiring.opening.id}").text
    link = f'href="/scheduling/invite?opening_id={hiring.opening.id}" id="invite-candidates"'
    assert link in page and "邀请候选人" in page.split('id="invite-candidates"', 1)[1][:40]
    invite = client.get(f"/scheduling/invite?opening_id={hiring.opening.id}")
    assert invite.status_code == 200 and hiring.candidates[0].name in invite.text
    assert 'id="invite-candidates"' not in client.get(f"/openings/{empty.opening.id}").text
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["interviewer"])
    seen = client.get(f"/openings/{hiring.opening.id}")
    assert seen.status_code in (200, 404) and 'id="invite-candidates"' not in seen.text
