"""E-mail through a real SMTP server (aiosmtpd): MIME structure, invite attachment, TLS, auth,
and how SMTP failures are classified."""

import email
import ssl
from datetime import UTC, datetime, timedelta
from email import policy
from zoneinfo import ZoneInfo

import icalendar
import pytest

from hireflow.notifications.channels import Attachment, Notification, NotificationError
from hireflow.notifications.providers.email import SmtpEmailChannel, build_email
from hireflow.scheduling.ics import Attendee, InviteEvent, build_invite
from tests.notifications import smtp_server

NOW = datetime(2025, 3, 3, 8, tzinfo=UTC)
START = datetime(2025, 3, 31, 9, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    return smtp_server.make_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def client_context(cert):
    return ssl.create_default_context(cafile=str(cert[0]))


def invite_bytes() -> bytes:
    event = InviteEvent(
        booking_id="bk-42",
        start=START,
        end=START + timedelta(hours=1),
        timezone="Europe/Berlin",
        summary="面试:数据分析师",
        description="请准备好摄像头和麦克风。",
        organizer=Attendee("hr@hireflow.example", "招聘 王"),
        attendees=(Attendee("lilei@example.com", "李雷"),),
        meeting_url="https://meet.example.com/j/42",
        language="zh-CN",
    )
    return build_invite(event, now=NOW)


def message(to: str = "lilei@example.com", with_invite: bool = True) -> Notification:
    attachments = ()
    if with_invite:
        attachments = (
            Attachment("invite.ics", invite_bytes(), "text/calendar", {"method": "REQUEST"}),
        )
    return Notification(
        to=to,
        subject="面试邀请:数据分析师 / Interview invitation",
        text="李雷您好:\n面试时间 3月31日 15:00(北京时间)。\nhttps://meet.example.com/j/42",
        html="<p>李雷您好:</p><p>面试时间 <b>3月31日 15:00</b>(北京时间)。</p>",
        attachments=attachments,
        language="zh-CN",
    )


def received(inbox) -> email.message.EmailMessage:
    ((_, _, raw),) = inbox.messages
    return email.message_from_bytes(raw, policy=policy.default)


def test_plain_smtp_delivers_text_html_and_a_parseable_invite():
    controller, inbox, port = smtp_server.start("plain")
    try:
        channel = SmtpEmailChannel(
            host="127.0.0.1",
            port=port,
            sender="hr@hireflow.example",
            sender_name="海纳招聘",
            security="plain",
        )
        result = channel.send(message())
    finally:
        controller.stop()
    assert result.ok and result.provider_message_id.startswith("<")
    mail_from, rcpt, _ = inbox.messages[0]
    assert mail_from == "hr@hireflow.example" and rcpt == ["lilei@example.com"]
    msg = received(inbox)
    assert msg["Subject"] == "面试邀请:数据分析师 / Interview invitation"
    assert msg["Message-ID"] == result.provider_message_id
    assert "海纳招聘" in str(msg["From"]) and msg["Content-Language"] == "zh-CN"
    assert msg.get_content_type() == "multipart/mixed"
    assert msg.get_body(("plain",)).get_content().startswith("李雷您好")
    assert "<b>3月31日 15:00</b>" in msg.get_body(("html",)).get_content()
    (ics_part,) = list(msg.iter_attachments())
    assert ics_part.get_content_type() == "text/calendar"
    assert ics_part.get_param("method") == "REQUEST" and ics_part.get_filename() == "invite.ics"
    cal = icalendar.Calendar.from_ical(ics_part.get_content())
    (event,) = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "REQUEST"
    assert event.decoded("DTSTART") == START and event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert str(event["SUMMARY"]) == "面试:数据分析师"


def test_starttls_with_login(client_context, cert):
    controller, inbox, port = smtp_server.start("starttls", cert)
    try:
        good = SmtpEmailChannel(
            host="127.0.0.1",
            port=port,
            sender="hr@hireflow.example",
            security="starttls",
            username=smtp_server.USER,
            password=smtp_server.PASSWORD,
            ssl_context=client_context,
        )
        assert good.send(message(with_invite=False)).ok
        bad = SmtpEmailChannel(
            host="127.0.0.1",
            port=port,
            sender="hr@hireflow.example",
            security="starttls",
            username=smtp_server.USER,
            password="wrong",
            ssl_context=client_context,
        )
        refused = bad.send(message(with_invite=False))
        # Without STARTTLS the server refuses to go on (it requires TLS).
        plain = SmtpEmailChannel(
            host="127.0.0.1", port=port, sender="hr@hireflow.example", security="plain"
        )
        no_tls = plain.send(message(with_invite=False))
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert not refused.ok and not refused.retryable and refused.provider_code == "535"
    assert not no_tls.ok and not no_tls.retryable and no_tls.provider_code == "530"


# aiosmtpd only counts STARTTLS as TLS and warns about AUTH over implicit TLS.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(client_context, cert):
    controller, inbox, port = smtp_server.start("ssl", cert)
    try:
        channel = SmtpEmailChannel(
            host="127.0.0.1",
            port=port,
            sender="hr@hireflow.example",
            security="ssl",
            username=smtp_server.USER,
            password=smtp_server.PASSWORD,
            ssl_context=client_context,
        )
        assert channel.send(message()).ok
        # The default context does not trust the self-signed certificate: a configuration
        # problem, so retrying cannot help.
        untrusted = SmtpEmailChannel(
            host="127.0.0.1",
            port=port,
            sender="hr@hireflow.example",
            security="ssl",
            username=smtp_server.USER,
            password=smtp_server.PASSWORD,
        )
        result = untrusted.send(message())
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert not result.ok and not result.retryable and "certificate" in result.error


def test_recipient_refusals_are_classified():
    controller, inbox, port = smtp_server.start("plain")
    inbox.refuse["gone@example.com"] = "550 5.1.1 <gone@example.com>: user unknown"
    inbox.refuse["full@example.com"] = "452 4.2.2 mailbox full"
    try:
        channel = SmtpEmailChannel(
            host="127.0.0.1", port=port, sender="hr@hireflow.example", security="plain"
        )
        gone = channel.send(message("gone@example.com"))
        full = channel.send(message("full@example.com"))
    finally:
        controller.stop()
    assert not gone.ok and not gone.retryable and gone.provider_code == "550"
    assert not full.ok and full.retryable and full.provider_code == "452"
    assert "example.com" not in gone.error and "example.com" not in full.error


def test_unreachable_server_is_retryable():
    port = smtp_server.free_port()  # nothing listens there
    channel = SmtpEmailChannel(
        host="127.0.0.1", port=port, sender="hr@hireflow.example", security="plain", timeout=2
    )
    result = channel.send(message())
    assert not result.ok and result.retryable


def test_invalid_recipient_is_refused_before_connecting():
    channel = SmtpEmailChannel(
        host="127.0.0.1", port=1, sender="hr@hireflow.example", security="plain"
    )
    result = channel.send(message("not-an-address"))
    assert not result.ok and not result.retryable and result.provider_code == "invalid_recipient"


def test_build_email_without_html_is_single_part():
    msg = build_email(
        Notification(to="a@example.com", subject="Hi", text="Hello"),
        sender="hr@example.com",
        now=NOW,
    )
    assert (
        msg.get_content_type() == "text/plain" and msg["Date"] == "Mon, 03 Mar 2025 08:00:00 +0000"
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"security": "tls13"},
        {"username": "u"},
        {"sender": "not an address"},
    ],
)
def test_bad_configuration(kwargs):
    params = {"host": "localhost", "port": 25, "sender": "hr@example.com", **kwargs}
    with pytest.raises(NotificationError, match="invalid_channel_config"):
        SmtpEmailChannel(**params)
