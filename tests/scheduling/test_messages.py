"""What scheduling tells people: each message speaks to its reader."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hireflow.notifications import schemas as notify_schemas
from hireflow.notifications.channel_settings import save_channel
from hireflow.notifications.delivery import _notification
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.scheduling.bookings import book
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.reminders import dispatch_due_reminders
from hireflow.scheduling.slot_search import offered_slots
from tests.scheduling.factories import extra_interviewer, make_candidate, make_opening, send


def _wecom(session, settings, org) -> None:
    save_channel(
        session,
        principal_for(org.users["hr_admin"]),
        notify_schemas.ChannelIn(
            channel="wecom",
            enabled=True,
            provider="robot",
            webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123",
        ),
        settings,
    )
    session.commit()


def read_qr(cv2, pixels) -> str:
    """Decode a QR code as a phone would, trying OpenCV's two detectors.

    Either one alone misses an occasional valid code (about one in a hundred at print scale)."""
    for detector in (cv2.QRCodeDetector(), cv2.QRCodeDetectorAruco()):
        decoded, _points, _ = detector.detectAndDecode(pixels)
        if decoded:
            return decoded
    return ""


def test_a_hiring_group_gets_a_group_message_not_a_personal_reminder(session, db, settings, org):
    _wecom(session, settings, org)
    anna = org.users["interviewer"]
    bert = extra_interviewer(session, org, timezone=anna.timezone)
    opening = make_opening(session, org, interviewers=[anna, bert])
    candidate = make_candidate(session, org, opening)
    session.commit()
    (inv,) = send(
        session, db, settings, opening, [candidate], interviewer_ids=[anna.id, bert.id], panel=True
    )
    slots = offered_slots(session, inv)
    booking = book(session, inv, slots[0].start, settings, actor=None)
    dispatch_due_reminders(db, settings, now=booking.start - timedelta(minutes=59))

    group = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.channel == "wecom", OutboxMessage.related_id == booking.id)
            .order_by(OutboxMessage.id)
        )
    )
    assert [m.kind for m in group] == ["group_notice", "group_notice"]
    booked, reminder = group
    for message in group:
        text = message.body_text
        assert candidate.name in text and opening.title in text
        assert anna.name in text and bert.name in text  # the whole panel, greeting nobody
        for greeting in ("Hello", "您好", "さん"):
            assert greeting not in text
    assert "booked" in booked.subject.lower() or "新面试" in booked.subject
    assert "coming up" in reminder.subject.lower() or "即将开始" in reminder.subject
    # the interviewers themselves still get their personal reminder by e-mail
    personal = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "interviewer_reminder", OutboxMessage.related_id == booking.id
        )
    ).all()
    assert {m.recipient for m in personal} == {anna.email, bert.email}


def test_an_invitation_email_carries_the_qr_code_of_the_personal_link(session, db, settings, org):
    """Delivered through a real SMTP server: the HTML shows the code inline, the code decodes
    (OpenCV's reader) to the very link in the text; a text message carries the link only."""
    import email
    from email import policy

    import numpy as np
    import pytest

    from hireflow.notifications.providers.email import SmtpEmailChannel
    from tests.notifications import smtp_server

    cv2 = pytest.importorskip("cv2", reason="OpenCV (the vision extra) reads the QR code")
    opening = make_opening(session, org)
    candidate = make_candidate(session, org, opening, language="en")
    session.commit()
    (inv,) = send(session, db, settings, opening, [candidate])
    row = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_type == "invitation", OutboxMessage.related_id == inv.id
        )
    ).one()
    controller, inbox, port = smtp_server.start("plain")
    try:
        channel = SmtpEmailChannel(
            host="127.0.0.1", port=port, sender="hr@hireflow.example", security="plain"
        )
        assert channel.send(_notification(row)).ok
    finally:
        controller.stop()
    ((_, _, raw),) = inbox.messages
    received = email.message_from_bytes(raw, policy=policy.default)
    text = received.get_body(preferencelist=("plain",)).get_content()
    link = next(word for word in text.split() if "/i/" in word)
    html_part = received.get_body(preferencelist=("html",))
    assert 'src="cid:personal-link-qr"' in html_part.get_content()
    related = received.get_body(preferencelist=("related",))
    (image,) = [p for p in related.iter_parts() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<personal-link-qr>"
    pixels = cv2.imdecode(np.frombuffer(image.get_content(), np.uint8), cv2.IMREAD_GRAYSCALE)
    assert read_qr(cv2, pixels) == link


def test_printable_invitations_carry_the_qr_code_in_each_candidates_language(
    client, session, db, settings, org
):
    """A PDF for a campus event: one page per candidate, in their language, whose QR code
    (decoded from the page's image) is that candidate's personal link."""
    import io

    import numpy as np
    import pytest
    from pypdf import PdfReader

    from hireflow.core.audit import AuditEntry
    from tests.conftest import login

    cv2 = pytest.importorskip("cv2", reason="OpenCV (the vision extra) reads the QR code")
    opening = make_opening(session, org)
    chinese = make_candidate(session, org, opening, language="zh-CN", timezone="Asia/Shanghai")
    english = make_candidate(session, org, opening, language="en", timezone="Europe/London")
    session.commit()
    invitations = send(session, db, settings, opening, [chinese, english])
    batch_id = invitations[0].batch_id
    from hireflow.scheduling import messages

    policy = policy_for(session, org.tenant.id)
    links = {i.candidate_id: messages.candidate_link(settings, i, policy) for i in invitations}

    login(client, org.users["recruiter"])
    assert 'id="print-invitations"' in client.get(f"/scheduling/batches/{batch_id}").text
    response = client.get(f"/scheduling/batches/{batch_id}/invitations.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 2
    for page, person, words in (
        (reader.pages[0], chinese, "面试邀请"),
        (reader.pages[1], english, "Invitation to an interview"),
    ):
        text = page.extract_text()
        assert person.name in text and words in text and opening.title in text
        (image,) = page.images
        pixels = cv2.imdecode(np.frombuffer(image.data, np.uint8), cv2.IMREAD_GRAYSCALE)
        assert read_qr(cv2, pixels) == links[person.id]
    assert session.scalars(
        select(AuditEntry).where(AuditEntry.action == "invitations.printed")
    ).first()
    # one invitation, and nobody without the right to send it
    inv_id = invitations[0].id
    single = client.get(f"/scheduling/invitations/{inv_id}/invitation.pdf")
    assert single.status_code == 200 and len(PdfReader(io.BytesIO(single.content)).pages) == 1
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, org.users["interviewer"])
    assert client.get(f"/scheduling/batches/{batch_id}/invitations.pdf").status_code in (403, 404)
