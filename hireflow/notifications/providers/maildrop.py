"""E-mail into a local directory of ``.eml`` files, for installations without a mail server.

The embedded default stays honest: a message the product "sent" on a laptop is a real RFC 5322
file a person can open, with its attachments (an ``.ics`` invite opens in any calendar).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from email_validator import EmailNotValidError

from hireflow.notifications.channels import DeliveryResult, Notification
from hireflow.notifications.providers.email import build_email, not_an_address

__all__ = ["MailDropChannel"]


class MailDropChannel:
    """Writes each message to ``<directory>/<id>.eml`` (atomically: temp file, then rename)."""

    name = "email"

    def __init__(
        self,
        directory: Path,
        *,
        sender: str,
        sender_name: str = "",
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.sender = sender
        self.sender_name = sender_name
        self._clock = clock or (lambda: datetime.now(UTC))
        self.last_path: Path | None = None

    def send(self, message: Notification) -> DeliveryResult:
        try:
            mime = build_email(
                message, sender=self.sender, sender_name=self.sender_name, now=self._clock()
            )
        except EmailNotValidError:
            return not_an_address(self.name)
        return self.deliver(mime)

    def deliver(self, mime: EmailMessage) -> DeliveryResult:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            name = uuid.uuid4().hex
            temporary = self.directory / f".{name}.tmp"
            temporary.write_bytes(bytes(mime))
            final = self.directory / f"{name}.eml"
            os.replace(temporary, final)
        except OSError as exc:
            return DeliveryResult.failed(
                self.name, f"mail drop not writable ({type(exc).__name__})", retryable=True
            )
        self.last_path = final
        return DeliveryResult.sent(self.name, str(mime["Message-ID"]))
