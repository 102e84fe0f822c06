"""E-mail over SMTP with :mod:`smtplib`: plain, STARTTLS or implicit TLS, optional login.

The message is ``multipart/mixed``: a ``multipart/alternative`` with the plain-text and HTML
bodies, followed by any attachments. A calendar invite travels as ``invite.ics`` with
``Content-Type: text/calendar; method=REQUEST; charset=utf-8`` so that mail clients offer
"accept / decline" (RFC 6047 iMIP). Headers with Chinese or Japanese text are encoded by the
standard library (RFC 2047).

SMTP replies decide retries: 4xx and dropped connections are temporary, 5xx and failed
authentication permanent.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from email_validator import EmailNotValidError, validate_email

from hireflow.notifications.channels import DeliveryResult, Notification, NotificationError

__all__ = ["SmtpEmailChannel", "build_email"]

_SECURITY = {"starttls", "ssl", "plain"}


def build_email(
    message: Notification,
    *,
    sender: str,
    sender_name: str = "",
    now: datetime,
    reply_to: str | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    """The MIME message for ``message`` (raises ``EmailNotValidError`` for a bad address).

    ``message_id`` fixes the Message-ID (e.g. one per outbox row, so a message retried after
    a lost acknowledgement carries the same id and mail systems can recognise the duplicate).
    """
    to = validate_email(message.to, check_deliverability=False).normalized
    msg = EmailMessage()
    domain = sender.rpartition("@")[2] or "localhost"
    local, _, _ = sender.rpartition("@")
    msg["From"] = Address(display_name=sender_name, username=local, domain=domain)
    msg["To"] = to
    msg["Subject"] = message.subject
    msg["Date"] = format_datetime(now.astimezone(UTC))
    msg["Message-ID"] = message_id or make_msgid(domain=domain)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(message.text, subtype="plain", charset="utf-8")
    inline = [a for a in message.attachments if a.params.get("content_id")]
    if message.html:
        msg.add_alternative(message.html, subtype="html", charset="utf-8")
        if inline:
            # Images the HTML shows (``<img src="cid:...">``, e.g. the QR code of a personal
            # link) travel beside it in a multipart/related part.
            html_part = msg.get_body(preferencelist=("html",))
            assert html_part is not None
            for att in inline:
                maintype, _, subtype = att.mime_type.partition("/")
                html_part.add_related(
                    att.content,
                    maintype=maintype,
                    subtype=subtype,
                    cid=f"<{att.params['content_id']}>",
                    filename=att.filename,
                    disposition="inline",
                )
    for att in message.attachments:
        if att.params.get("content_id") and message.html:
            continue
        maintype, _, subtype = att.mime_type.partition("/")
        params = {k: v for k, v in att.params.items() if k != "content_id"}
        if maintype == "text":
            params.setdefault("charset", "utf-8")
        msg.add_attachment(
            att.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=att.filename,
            params=params,
        )
    # Set last: set_content() and add_attachment() rewrite the Content-* headers.
    if message.language:
        msg["Content-Language"] = message.language
    return msg


def not_an_address(channel: str) -> DeliveryResult:
    """The outcome for a recipient that is not a valid e-mail address (never retried)."""
    return DeliveryResult.failed(
        channel,
        "the recipient address is not a valid e-mail address",
        retryable=False,
        provider_code="invalid_recipient",
    )


class SmtpEmailChannel:
    """Sends e-mail through one SMTP server."""

    name = "email"

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        sender_name: str = "",
        security: str = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 20.0,
        ssl_context: ssl.SSLContext | None = None,
        reply_to: str | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if security not in _SECURITY:
            raise NotificationError(
                "invalid_channel_config", detail=f"security must be one of {sorted(_SECURITY)}"
            )
        if (username is None) != (password is None):
            raise NotificationError(
                "invalid_channel_config", detail="give both user name and password, or neither"
            )
        try:
            validate_email(sender, check_deliverability=False)
        except EmailNotValidError as exc:
            raise NotificationError("invalid_channel_config", detail="sender address") from exc
        self.host = host
        self.port = port
        self.sender = sender
        self.sender_name = sender_name
        self.security = security
        self.username = username
        self._password = password
        self.timeout = timeout
        self.ssl_context = ssl_context or ssl.create_default_context()
        self.reply_to = reply_to
        self._clock = clock or (lambda: datetime.now(UTC))

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=self.ssl_context
            )
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.ehlo()
            smtp.starttls(context=self.ssl_context)
            smtp.ehlo()
        return smtp

    def send(self, message: Notification) -> DeliveryResult:
        try:
            mime = build_email(
                message,
                sender=self.sender,
                sender_name=self.sender_name,
                now=self._clock(),
                reply_to=self.reply_to,
            )
        except EmailNotValidError:
            return not_an_address(self.name)
        return self.deliver(mime)

    def deliver(self, mime: EmailMessage) -> DeliveryResult:
        """Hand an already built MIME message to the server (``send`` builds, then calls this)."""
        message_id = str(mime["Message-ID"])
        try:
            with self._connect() as smtp:
                if self.username is not None and self._password is not None:
                    smtp.login(self.username, self._password)
                refused = smtp.send_message(mime)
        except smtplib.SMTPAuthenticationError as exc:
            return self._smtp_failure("authentication failed", exc.smtp_code, permanent=True)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            temporary = bool(codes) and all(400 <= c < 500 for c in codes)
            return self._smtp_failure(
                "recipient refused", codes[0] if codes else None, not temporary
            )
        except smtplib.SMTPResponseException as exc:
            # SMTPSenderRefused, SMTPDataError and friends carry the server's reply code.
            return self._smtp_failure(
                f"server replied {exc.smtp_code}", exc.smtp_code, not 400 <= exc.smtp_code < 500
            )
        except smtplib.SMTPNotSupportedError:
            return self._smtp_failure("the server does not support STARTTLS", None, True)
        except ssl.SSLCertVerificationError:
            return self._smtp_failure("the server's TLS certificate was not trusted", None, True)
        except (smtplib.SMTPException, OSError) as exc:
            # Connection refused or reset, timeouts, dropped sessions: try again later.
            return self._smtp_failure(f"connection problem ({type(exc).__name__})", None, False)
        if refused:
            return self._smtp_failure("recipient refused", None, True)
        return DeliveryResult.sent(self.name, message_id)

    def _smtp_failure(self, what: str, code: int | None, permanent: bool) -> DeliveryResult:
        return DeliveryResult.failed(
            self.name,
            f"SMTP: {what}",
            retryable=not permanent,
            provider_code=str(code) if code is not None else None,
        )
