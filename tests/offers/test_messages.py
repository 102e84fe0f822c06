"""Offer and onboarding e-mails delivered through a real local SMTP server."""

from __future__ import annotations

import email
import io
from email import policy

from pypdf import PdfReader
from sqlalchemy import select

from hireflow.core.settings import get_settings
from hireflow.notifications.delivery import _notification
from hireflow.notifications.models import OutboxMessage
from hireflow.notifications.providers.email import SmtpEmailChannel
from hireflow.offers import portal, schemas
from tests.notifications import smtp_server
from tests.offers.factories import sent_offer


def _deliver(rows: list[OutboxMessage]) -> list[email.message.EmailMessage]:
    controller, inbox, port = smtp_server.start("plain")
    try:
        channel = SmtpEmailChannel(
            host="127.0.0.1", port=port, sender="hr@hireflow.example", security="plain"
        )
        for row in rows:
            assert channel.send(_notification(row)).ok
    finally:
        controller.stop()
    return [email.message_from_bytes(raw, policy=policy.default) for _, _, raw in inbox.messages]


def test_the_candidate_gets_the_chinese_letter_and_the_link(session, org):
    offer, token = sent_offer(session, org, name="张伟", language="zh-CN")
    row = session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.related_id == offer.id, OutboxMessage.kind == "offer.sent"
        )
    ).one()
    (received,) = _deliver([row])
    text = received.get_body(preferencelist=("plain",)).get_content()
    assert f"/offer/{token}" in text and "张伟" in text and "录用" in text
    (pdf,) = [p for p in received.iter_attachments() if p.get_content_type() == "application/pdf"]
    letter = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "录用通知书" in letter and "张伟" in letter


def test_task_owners_and_the_department_are_told(session, org):
    offer, _ = sent_offer(session, org, name="Liu Yang", language="en")
    portal.answer(
        session,
        get_settings(),
        offer,
        schemas.AnswerIn(accept=True, typed_name="Liu Yang"),
        "198.51.100.9",
    )
    rows = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.kind.in_(("onboarding.task", "onboarding.notice"))
            )
        )
    )
    received = _deliver(rows)
    recipients = {str(m["To"]) for m in received}
    assert org.users["it_auditor"].email in recipients  # accounts and equipment
    assert org.users["hiring_manager"].email in recipients  # the department's manager
    assert org.users["hr_admin"].email in recipients  # documents and induction
    subjects = {str(m["Subject"]) for m in received}
    assert any(s.startswith("Onboarding task:") for s in subjects)
    assert any(s.startswith("New colleague starting on") for s in subjects)
    for message in received:
        assert "Liu Yang" in message.get_body(preferencelist=("plain",)).get_content()
