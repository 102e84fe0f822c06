"""The outbox end to end against real peers: an aiosmtpd server, and the local HTTP fake that
checks each SMS and chat-robot provider's documented signature. Retries, permanent failures,
workers that die, and two workers racing for one message."""

from __future__ import annotations

import email
import json
import threading
from datetime import timedelta
from email import policy
from pathlib import Path

import icalendar
import pytest
from sqlalchemy import select

from hireflow.core.crypto import IntegrityError, decrypt_field
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import ValidationFailed
from hireflow.core.tasks import celery_app
from hireflow.notifications import schemas
from hireflow.notifications.channel_settings import channel_views, read_secrets, save_channel
from hireflow.notifications.delivery import deliver_due, deliver_many, deliver_message
from hireflow.notifications.keys import keyring
from hireflow.notifications.models import ChannelSetting, DeliveryAttempt, OutboxMessage
from hireflow.notifications.outbox import OutgoingMessage, enqueue
from hireflow.notifications.outbox_actions import resend_message
from hireflow.org.auth import principal_for
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.scheduling.bookings import book
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.sending import process_batch
from hireflow.scheduling.slot_search import offered_slots
from tests.conftest import make_org
from tests.notifications import provider_fakes as fake
from tests.notifications import smtp_server
from tests.notifications.smtp_server import smtp_fixture  # noqa: F401 - fixture
from tests.scheduling.factories import make_hiring


def _hr(org):
    return principal_for(org.users["hr_admin"])


def _email_channel(session, settings, org, port):
    save_channel(
        session,
        _hr(org),
        schemas.ChannelIn(
            channel="email",
            enabled=True,
            config={
                "host": "127.0.0.1",
                "port": port,
                "security": "plain",
                "sender": "jobs@huaxing.example",
                "sender_name": "华星招聘",
            },
        ),
        settings,
    )


def _booked(session, db, settings, org, **candidate):
    hiring = make_hiring(session, org, candidates=1, **candidate)
    batch, _skipped, _ = create_invitations(
        session,
        principal_for(hiring.owner),
        scheduling_schemas.InvitationCreate(
            opening_id=hiring.opening.id, candidate_ids=[hiring.candidates[0].id], kind="live"
        ),
        settings,
    )
    process_batch(db, batch.id, settings)
    session.expire_all()
    inv = session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)).one()
    slot = offered_slots(session, inv)[0]
    booking = book(session, inv, slot.start, settings, actor=None)
    return hiring, inv, booking


def _all_ids(session, org):
    """Queued rows of this test's company (the database may hold other tests' rows)."""
    return list(
        session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.status == "queued", OutboxMessage.tenant_id == org.tenant.id
            )
        )
    )


def _parse(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def test_invitation_and_invite_reach_a_real_smtp_server(session, db, settings, org, smtp):
    inbox, port = smtp
    _email_channel(session, settings, org, port)
    hiring, _inv, booking = _booked(
        session, db, settings, org, timezone="America/New_York", language="zh-CN"
    )
    counts = deliver_many(db, _all_ids(session, org), settings)
    assert counts.get("failed", 0) == 0 and counts["sent"] >= 3
    by_recipient: dict[str, list[email.message.EmailMessage]] = {}
    for _sender, recipients, raw in inbox.messages:
        for rcpt in recipients:
            by_recipient.setdefault(rcpt, []).append(_parse(raw))
    candidate_mail = by_recipient[hiring.candidates[0].email]
    subjects = [m["Subject"] for m in candidate_mail]
    assert any("预约" in s for s in subjects)  # the invitation to choose a time, in Chinese
    confirmation = next(
        m
        for m in candidate_mail
        if m.get_content_type() == "multipart/mixed"
        and any(p.get_content_type() == "text/calendar" for p in m.walk())
    )
    part = next(p for p in confirmation.walk() if p.get_content_type() == "text/calendar")
    assert part.get_param("method") == "REQUEST"
    calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
    assert str(calendar["METHOD"]) == "REQUEST"
    event = next(iter(calendar.walk("VEVENT")))
    start = event["DTSTART"].dt
    assert str(start.tzinfo) == "America/New_York" and start == booking.start
    assert event["DTEND"].dt == booking.end
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    attendees = [
        str(a)
        for a in (event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]])
    ]
    assert f"mailto:{hiring.candidates[0].email}" in attendees
    # replies go to the company's own sender, which it configured
    assert str(event["ORGANIZER"]) == "mailto:jobs@huaxing.example"
    assert f"mailto:{hiring.interviewers[0].email}" in attendees
    # The interviewer gets the same event (same UID) written in their own zone.
    interviewer_mail = by_recipient[hiring.interviewers[0].email][0]
    theirs = next(p for p in interviewer_mail.walk() if p.get_content_type() == "text/calendar")
    their_event = next(
        iter(icalendar.Calendar.from_ical(theirs.get_payload(decode=True)).walk("VEVENT"))
    )
    assert str(their_event["UID"]) == str(event["UID"])
    assert str(their_event["DTSTART"].dt.tzinfo) == hiring.interviewers[0].timezone
    assert their_event["DTSTART"].dt == booking.start
    sent = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "sent", OutboxMessage.tenant_id == org.tenant.id
        )
    ).all()
    assert all(m.provider_message_id.startswith("<outbox-") for m in sent if m.channel == "email")


def test_the_installation_mail_server_is_used_without_a_company_override(
    session, db, settings, org, smtp
):
    inbox, port = smtp
    mine = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    hiring = make_hiring(session, org, candidates=1)
    batch, _, _ = create_invitations(
        session,
        principal_for(hiring.owner),
        scheduling_schemas.InvitationCreate(
            opening_id=hiring.opening.id, candidate_ids=[hiring.candidates[0].id], kind="ai"
        ),
        mine,
    )
    process_batch(db, batch.id, mine)
    assert deliver_many(db, _all_ids(session, org), mine) == {"sent": 1}
    ((_sender, recipients, raw),) = inbox.messages
    assert recipients == [hiring.candidates[0].email]
    assert "/i/" in _parse(raw).get_body(preferencelist=("plain",)).get_content()


def test_unreachable_smtp_is_retried_with_back_off_then_failed_never_lost(
    session, db, settings, org
):
    closed = smtp_server.free_port()
    _email_channel(session, settings, org, closed)
    row = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage("email", "generic", "someone@example.com", "Hi", "Body"),
        dedupe_key="retry-test",
    )
    session.commit()
    now = utcnow()
    delays = []
    for attempt in range(1, 6):
        outcome = deliver_message(db, row.id, settings, now=now, rand=lambda: 0.0)
        session.refresh(row)
        assert row.attempts == attempt
        if attempt < 5:
            assert outcome == "retry" and row.status == "retry"
            delays.append((row.next_attempt_at - now).total_seconds())
            # not due yet: a second worker or the periodic sweep does nothing
            assert deliver_message(db, row.id, settings, now=now) == "skipped"
            now = row.next_attempt_at
        else:
            assert outcome == "failed" and row.status == "failed"
    assert delays == pytest.approx([30, 60, 120, 240], abs=1.5)
    assert "connection" in row.last_error.lower() or "refused" in row.last_error.lower()
    attempts = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.message_id == row.id)
    ).all()
    assert len(attempts) == 5 and all(a.retryable for a in attempts)
    again = resend_message(session, _hr(org), row.id)
    assert again.status == "queued" and again.resend_of_id == row.id


def test_robots_and_aliyun_sms_are_signed_and_delivered(session, db, settings, org, providers):
    hr = _hr(org)
    for data in (
        schemas.ChannelIn(
            channel="dingtalk",
            enabled=True,
            webhook_url=f"{providers.url}/robot/send?access_token={fake.DINGTALK_TOKEN}",
            secrets={"secret": fake.DINGTALK_SECRET},
        ),
        schemas.ChannelIn(
            channel="wecom",
            enabled=True,
            webhook_url=f"{providers.url}/cgi-bin/webhook/send?key={fake.WECOM_KEY}",
        ),
        schemas.ChannelIn(
            channel="feishu",
            enabled=True,
            webhook_url=f"{providers.url}/open-apis/bot/v2/hook/{fake.FEISHU_HOOK}",
            secrets={"secret": fake.FEISHU_SECRET},
        ),
        schemas.ChannelIn(
            channel="sms",
            provider="aliyun",
            enabled=True,
            config={
                "access_key_id": fake.ALIYUN_KEY_ID,
                "sign_name": "华星招聘",
                "endpoint": providers.url,
                "template_invitation": "SMS_100001",
                "template_reminder": "SMS_100002",
                "template_code": "SMS_100003",
            },
            secrets={"access_key_secret": fake.ALIYUN_SECRET},
        ),
    ):
        save_channel(session, hr, data, settings)
    hiring, _inv, _booking = _booked(
        session,
        db,
        settings,
        org,
        phone="+86 138 0013 8000",
        language="zh-CN",
        timezone="Asia/Shanghai",
    )
    queued = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.status == "queued", OutboxMessage.tenant_id == org.tenant.id
        )
    ).all()
    channels = sorted({m.channel for m in queued})
    assert channels == ["dingtalk", "email", "feishu", "sms", "wecom"]
    counts = deliver_many(db, [m.id for m in queued if m.channel != "email"], settings)
    assert counts == {"sent": len([m for m in queued if m.channel != "email"])}, [
        (m.channel, m.last_error)
        for m in session.scalars(select(OutboxMessage).where(OutboxMessage.status != "queued"))
    ]
    kinds = [kind for kind, _payload in providers.state.received]
    assert {"dingtalk", "wecom", "feishu", "aliyun"} <= set(kinds)
    aliyun = [p for k, p in providers.state.received if k == "aliyun"]
    assert {p["TemplateCode"] for p in aliyun} == {"SMS_100001"}  # invitation + confirmation
    assert all(p["PhoneNumbers"] == "13800138000" for p in aliyun)
    params = json.loads(aliyun[-1]["TemplateParam"])
    assert params["name"] == hiring.candidates[0].name[:20] and "/i/" in params["link"]
    ding = next(p for k, p in providers.state.received if k == "dingtalk")
    assert hiring.candidates[0].name in ding["markdown"]["text"]


def test_twilio_sms_and_a_permanent_failure_for_an_invalid_number(
    session, db, settings, org, providers
):
    save_channel(
        session,
        _hr(org),
        schemas.ChannelIn(
            channel="sms",
            provider="twilio",
            enabled=True,
            config={
                "account_sid": fake.TWILIO_SID,
                "from_number": "+15005550006",
                "base_url": providers.url,
            },
            secrets={"auth_token": fake.TWILIO_TOKEN},
        ),
        settings,
    )
    good = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage(
            "sms", "generic", "+1 415 555 0142", "", "", sms_text="Your interview is tomorrow."
        ),
        dedupe_key="twilio-good",
    )
    bad = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage("sms", "generic", "+86 123", "", "", sms_text="x"),
        dedupe_key="twilio-bad",
    )
    session.commit()
    assert deliver_message(db, good.id, settings) == "sent"
    assert deliver_message(db, bad.id, settings) == "failed"
    session.refresh(bad)
    assert bad.attempts == 1 and bad.status == "failed"
    attempt = session.scalars(
        select(DeliveryAttempt).where(DeliveryAttempt.message_id == bad.id)
    ).one()
    assert attempt.provider_code == "phone_invalid" and not attempt.retryable
    assert "+86" not in bad.last_error  # no personal data in errors
    ((kind, payload),) = providers.state.received
    assert kind == "twilio" and payload["Body"] == "Your interview is tomorrow."


def test_channel_secrets_are_encrypted_and_bound_to_their_company(
    session, settings, org, make_second_org
):
    save_channel(
        session,
        _hr(org),
        schemas.ChannelIn(channel="wecom", enabled=True, secrets={"key": "very-secret-key-123"}),
        settings,
    )
    row = session.scalars(
        select(ChannelSetting).where(ChannelSetting.tenant_id == org.tenant.id)
    ).one()
    assert row.secret_token.startswith("hf1.") and "very-secret" not in row.secret_token
    assert "very-secret" not in json.dumps(row.config)
    assert json.loads(
        decrypt_field(
            row.secret_token,
            keyring(settings),
            f"notification_channels.secrets:{org.tenant.id}:wecom",
        )
    ) == {"key": "very-secret-key-123"}
    other = make_second_org()
    with pytest.raises(IntegrityError):  # a token copied to another company's row does not open
        decrypt_field(
            row.secret_token,
            keyring(settings),
            f"notification_channels.secrets:{other.tenant.id}:wecom",
        )
    views = channel_views(session, _hr(org), settings)
    wecom = next(v for v in views if v.channel == "wecom")
    assert wecom.secrets_set == ["key"] and "very-secret" not in wecom.model_dump_json()
    # a blank secret keeps the stored one; enabling without it is refused
    save_channel(session, _hr(org), schemas.ChannelIn(channel="wecom", enabled=True), settings)
    assert read_secrets(row, settings) == {"key": "very-secret-key-123"}
    with pytest.raises(ValidationFailed):
        save_channel(session, _hr(org), schemas.ChannelIn(channel="feishu", enabled=True), settings)
    with pytest.raises(ValidationFailed):
        save_channel(
            session,
            _hr(org),
            schemas.ChannelIn(
                channel="dingtalk", enabled=True, webhook_url="https://example.com/not-a-robot"
            ),
            settings,
        )


def test_a_worker_that_dies_after_claiming_leaves_the_message_to_the_sweep(
    session, db, settings, org, smtp
):
    inbox, port = smtp
    _email_channel(session, settings, org, port)
    row = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage("email", "generic", "dies@example.com", "Hi", "Body"),
        dedupe_key="dies-test",
    )
    session.commit()
    # the worker claimed the row, then died before sending
    session.execute(
        OutboxMessage.__table__.update()
        .where(OutboxMessage.id == row.id)
        .values(status="sending", attempts=1, lease_until=utcnow() - timedelta(seconds=1))
    )
    session.commit()
    # (the sweep also serves whatever else is due in the database: assert on this row)
    assert deliver_due(db, settings).get("sent", 0) >= 1
    deliver_due(db, settings)
    mine = [rcpts for _s, rcpts, _raw in inbox.messages if rcpts == ["dies@example.com"]]
    assert len(mine) == 1
    session.refresh(row)
    assert row.status == "sent" and row.attempts == 2


def test_beat_schedules_the_periodic_tasks():
    schedule = celery_app.conf.beat_schedule
    assert schedule["notifications.deliver_due"]["task"] == "notifications.deliver_due"
    assert (
        schedule["scheduling.dispatch_due_reminders"]["task"] == "scheduling.dispatch_due_reminders"
    )


def test_two_workers_racing_for_the_same_messages_send_each_once(engine, settings, smtp):
    """Real concurrency: separate connections, committed data (both backends)."""
    inbox, port = smtp
    database = Database(engine)
    with database.session() as session:
        org = make_org(session)
        _email_channel(session, settings, org, port)
        ids = [
            enqueue(
                session,
                org.tenant.id,
                OutgoingMessage("email", "generic", f"race{i}@example.com", "Hi", "Body"),
                dedupe_key=f"race:{org.tenant.id}:{i}",
                deliver=False,
            ).id
            for i in range(20)
        ]
        session.commit()
    barrier = threading.Barrier(3)
    outcomes: list[dict[str, int]] = []

    def worker() -> None:
        barrier.wait()
        outcomes.append(deliver_many(database, ids, settings))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(o.get("sent", 0) for o in outcomes) == 20
    recipients = sorted(r for _s, rcpts, _raw in inbox.messages for r in rcpts)
    assert recipients == sorted(f"race{i}@example.com" for i in range(20))


def test_mail_for_the_platform_goes_through_the_same_channels(settings, smtp, tmp_path):
    from hireflow.notifications.mail import MailDeliveryError, build_message, send_message

    inbox, port = smtp
    message = build_message(settings, "new@example.com", "欢迎 Welcome", "Hello")
    drop = settings.model_copy(update={"smtp_host": "", "data_dir": tmp_path})
    path = send_message(drop, message)
    assert path.endswith(".eml") and "欢迎" in _parse(Path(path).read_bytes())["Subject"]
    real = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none"}
    )
    assert send_message(real, build_message(settings, "new@example.com", "Hi", "Hello")) == "smtp"
    assert inbox.messages[-1][1] == ["new@example.com"]
    closed = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": smtp_server.free_port(),
            "smtp_security": "none",
        }
    )
    with pytest.raises(MailDeliveryError) as failure:
        send_message(closed, build_message(settings, "new@example.com", "Hi", "Hello"))
    assert failure.value.retryable


def test_an_unreachable_chat_robot_is_retried_not_lost(session, db, settings, org):
    closed = smtp_server.free_port()
    save_channel(
        session,
        _hr(org),
        schemas.ChannelIn(
            channel="wecom",
            enabled=True,
            webhook_url=f"http://127.0.0.1:{closed}/cgi-bin/webhook/send?key={fake.WECOM_KEY}",
        ),
        settings,
    )
    row = enqueue(
        session,
        org.tenant.id,
        OutgoingMessage("wecom", "interviewer_notice", "", "New interview", "Text"),
        dedupe_key=f"robot-down:{org.tenant.id}",
    )
    session.commit()
    assert deliver_message(db, row.id, settings) == "retry"
    session.refresh(row)
    assert row.status == "retry" and row.next_attempt_at > utcnow()
    assert "could not reach" in row.last_error
