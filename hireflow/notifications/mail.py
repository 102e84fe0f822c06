"""Outgoing system e-mail (welcome messages and the like) over the notification channels.

The route comes from the process settings: the SMTP server of ``HIREFLOW_SMTP_*``, or without
one the local mail drop (``<data_dir>/maildrop/*.eml``), which keeps the embedded default honest:
a message the product "sent" on a laptop without a mail server is a real RFC 5322 file a person
can open. Both are channels of :mod:`hireflow.notifications`; this module only adapts them to the
small signature the platform's tasks use, and turns a failed delivery into an exception so Celery
retries it.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from typing import Any

from hireflow.core.db import utcnow
from hireflow.core.settings import Settings
from hireflow.notifications.channels import Attachment as ChannelAttachment
from hireflow.notifications.channels import Notification, NotificationError
from hireflow.notifications.factory import settings_email_channel
from hireflow.notifications.providers.email import SmtpEmailChannel, build_email


@dataclass
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)


class MailDeliveryError(smtplib.SMTPException):
    """The message was not accepted; ``retryable`` says whether trying later can help."""

    def __init__(self, message: str, retryable: bool) -> None:
        super().__init__(message)
        self.retryable = retryable


def mail_retry(backoff: int, backoff_max: int, retries: int) -> dict[str, Any]:
    """Celery options of a task that sends one e-mail: retried on SMTP and network errors,
    waiting ``backoff`` seconds at first, doubling up to ``backoff_max``, ``retries`` times."""
    return {
        "autoretry_for": (smtplib.SMTPException, OSError),
        "retry_backoff": backoff,
        "retry_backoff_max": backoff_max,
        "max_retries": retries,
    }


def build_message(
    settings: Settings,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    attachments: list[Attachment] | None = None,
) -> EmailMessage:
    """A MIME message from the installation's sender (raises for an invalid address)."""
    name, address = parseaddr(settings.mail_from)
    notification = Notification(
        to=to,
        subject=subject,
        text=text,
        html=html,
        attachments=tuple(
            ChannelAttachment(
                item.filename, item.content, f"{item.maintype}/{item.subtype}", dict(item.params)
            )
            for item in attachments or []
        ),
        language="",
    )
    return build_email(
        notification,
        sender=address or "no-reply@hireflow.example",
        sender_name=name,
        now=utcnow(),
    )


def send_message(settings: Settings, message: EmailMessage, timeout: float = 20.0) -> str:
    """Deliver ``message``; returns where it went ("smtp" or the mail-drop path)."""
    try:
        channel = settings_email_channel(settings)
    except NotificationError as exc:
        raise MailDeliveryError(exc.message_en, retryable=False) from exc
    if isinstance(channel, SmtpEmailChannel):
        channel.timeout = timeout
    result = channel.deliver(message)
    if not result.ok:
        raise MailDeliveryError(result.error or "delivery failed", result.retryable)
    if isinstance(channel, SmtpEmailChannel):
        return "smtp"
    return str(channel.last_path)
