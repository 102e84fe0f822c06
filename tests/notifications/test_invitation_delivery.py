"""An invitation's status follows the delivery of its message (a real local SMTP server).

"sending" while the message waits or is in retry, "sent" once it is delivered,
"undeliverable" once every message of it failed for good. In production the process refuses
to start without a mail server (no "sent" invitations that only reached a folder).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from hireflow.core.db import utcnow
from hireflow.core.settings import ConfigurationError, Settings, resolve_secrets
from hireflow.notifications.delivery import deliver_many
from hireflow.notifications.models import OutboxMessage
from hireflow.org.auth import principal_for
from hireflow.scheduling import schemas as scheduling_schemas
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.sending import process_batch, resend_invitation
from tests.notifications.smtp_server import smtp_fixture  # noqa: F401 - fixture
from tests.notifications.test_delivery import _email_channel
from tests.scheduling.factories import make_hiring


def _invite(session, db, settings, org) -> tuple[Invitation, str]:
    hiring = make_hiring(session, org, candidates=1)
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
    return inv, hiring.candidates[0].email


def _messages(session, inv: Invitation) -> list[OutboxMessage]:
    session.expire_all()
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.related_type == "invitation",
                OutboxMessage.related_id == inv.id,
                OutboxMessage.kind.like("invitation%"),
            )
        )
    )


def _deliver(session, db, settings, inv: Invitation) -> None:
    ids = [m.id for m in _messages(session, inv)]
    # due now (a retry waits for its back-off)
    session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(next_attempt_at=utcnow())
    )
    session.commit()
    deliver_many(db, ids, settings)


def _status(session, inv: Invitation) -> str:
    session.expire_all()
    return session.get(Invitation, inv.id).status


def test_sent_only_once_delivered_not_while_in_retry(session, db, settings, org, smtp):
    inbox, port = smtp
    _email_channel(session, settings, org, port)
    inv, address = _invite(session, db, settings, org)
    assert _status(session, inv) == "sending"  # queued in the outbox, nothing delivered yet
    inbox.refuse[address] = "451 4.3.0 Mailbox busy, try again later"
    _deliver(session, db, settings, inv)
    assert {m.status for m in _messages(session, inv)} == {"retry"}
    assert _status(session, inv) == "sending"
    del inbox.refuse[address]
    _deliver(session, db, settings, inv)
    assert {m.status for m in _messages(session, inv)} == {"sent"}
    assert _status(session, inv) == "sent"
    assert any(address in rcpts for _from, rcpts, _raw in inbox.messages)


def test_undeliverable_when_every_message_failed(session, db, settings, org, smtp):
    inbox, port = smtp
    _email_channel(session, settings, org, port)
    inv, address = _invite(session, db, settings, org)
    inbox.refuse[address] = "550 5.1.1 No such user"
    _deliver(session, db, settings, inv)
    assert {m.status for m in _messages(session, inv)} == {"failed"}
    session.expire_all()
    stored = session.get(Invitation, inv.id)
    assert stored.status == "undeliverable" and stored.send_error == "delivery_failed"
    # a resend goes back to "sending" until that delivery is known
    inbox.refuse.clear()
    resend_invitation(session, principal_for(org.users["hr_admin"]), inv.id, settings)
    assert _status(session, inv) == "sending"


def test_production_refuses_to_start_without_a_mail_server(tmp_path, monkeypatch):
    strong = {
        "data_dir": tmp_path,
        "env": "production",
        "secret_key": "k" * 10 + "Zq8" * 10,
        "master_key": "x" * 44,
    }
    with pytest.raises(ConfigurationError, match="HIREFLOW_SMTP_HOST"):
        resolve_secrets(Settings(**strong))
    assert resolve_secrets(Settings(**strong, smtp_host="smtp.example.com")).smtp_host

    from hireflow.cli import app
    from hireflow.core.settings import get_settings

    monkeypatch.setenv("HIREFLOW_ENV", "production")
    monkeypatch.setenv("HIREFLOW_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("HIREFLOW_SECRET_KEY", strong["secret_key"])
    monkeypatch.setenv("HIREFLOW_MASTER_KEY", strong["master_key"])
    monkeypatch.delenv("HIREFLOW_SMTP_HOST", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["serve", "--port", "8651"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "HIREFLOW_SMTP_HOST" in " ".join(result.output.split())


def test_production_mail_never_lands_in_the_mail_drop(tmp_path):
    from hireflow.notifications.mail import MailDeliveryError, build_message, send_message

    settings = Settings(data_dir=tmp_path, env="production")
    message = build_message(settings, "a@example.com", "Hello", "text")
    with pytest.raises(MailDeliveryError, match="no mail server"):
        send_message(settings, message)
    assert not (tmp_path / "maildrop").exists()
