"""Notification channels: the common contract, phone numbers, redaction and retries (SPEC D1, D3).

Every channel (e-mail over SMTP, SMS through Alibaba Cloud or Twilio, the DingTalk, WeCom and
Feishu group robots; see :mod:`hireflow.notifications.providers`) has one method,
``send(notification) -> DeliveryResult``. A channel never raises for a delivery problem: it
answers with a result that says whether the message went out, the provider's message id, and
whether trying again later can help (timeouts, 5xx, throttling) or cannot (invalid number,
bad credentials, rejected content). Error texts are built from codes and provider messages
with personal data masked (:func:`redact`), so results can be logged and shown to IT (SPEC A3).

:func:`retry_delay` is the pure back-off policy a task queue applies between attempts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Protocol

import phonenumbers

from hireflow.core.errors import N_, BilingualError, Messages

__all__ = [
    "Attachment",
    "Channel",
    "DeliveryResult",
    "Notification",
    "NotificationError",
    "RetryPolicy",
    "normalize_phone",
    "redact",
    "retry_delay",
]

_MESSAGES: dict[str, str] = {
    "phone_unparseable": N_(
        "This is not a phone number. Use international format, e.g. +86 138 0013 8000."
    ),
    "phone_invalid": N_("This phone number does not exist in its country's numbering plan."),
    "phone_not_mobile": N_("This number cannot receive text messages (it is not a mobile number)."),
    "invalid_region": N_(
        "Unknown default region '%(region)s'; use a two-letter code such as CN or US."
    ),
    "invalid_retry_policy": N_("The retry policy is invalid: %(detail)s"),
    "invalid_channel_config": N_("The channel is not configured correctly: %(detail)s"),
}


class NotificationError(BilingualError):
    """Bad input to the notification layer, with a stable ``code`` and zh/en messages."""

    MESSAGES: Messages = _MESSAGES


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail, e.g. ``invite.ics`` as ``text/calendar; method=REQUEST``."""

    filename: str
    content: bytes
    mime_type: str = "application/octet-stream"
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Notification:
    """One message to one recipient.

    ``to`` is an e-mail address for e-mail, a phone number (any common format) for SMS, and
    ignored by group robots, which post to the group their webhook belongs to. SMS through
    Alibaba Cloud can only send pre-approved templates: ``sms_template_code`` and
    ``sms_template_params`` are used there; Twilio sends ``text``.
    """

    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = ()
    language: str = "zh-CN"
    sms_template_code: str | None = None
    sms_template_params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one ``send``.

    ``status`` is ``sent`` (accepted by the provider), or ``failed``. ``retryable`` tells
    whether the same message may succeed later; ``retry_after`` is the provider's own hint
    in seconds when it gave one. ``error`` never contains personal data.
    """

    channel: str
    status: str
    provider_message_id: str | None = None
    retryable: bool = False
    error: str | None = None
    provider_code: str | None = None
    http_status: int | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == "sent"

    @classmethod
    def sent(
        cls, channel: str, message_id: str | None, *, http_status: int | None = None
    ) -> DeliveryResult:
        return cls(channel, "sent", message_id, http_status=http_status)

    @classmethod
    def failed(
        cls,
        channel: str,
        error: str,
        *,
        retryable: bool,
        provider_code: str | None = None,
        http_status: int | None = None,
        retry_after: float | None = None,
    ) -> DeliveryResult:
        return cls(
            channel,
            "failed",
            None,
            retryable,
            redact(error),
            provider_code,
            http_status,
            retry_after,
        )


class Channel(Protocol):
    """What every notification channel offers."""

    name: str

    def send(self, message: Notification) -> DeliveryResult: ...


# --------------------------------------------------------------------------------------
# Personal data in error texts

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Six or more digits, possibly with spaces, dots, dashes or brackets between them, with an
# optional leading +: phone numbers, ID numbers, bank cards.
_DIGITS = re.compile(r"\+?\d(?:[\s().-]*\d){5,}")


def redact(text: str) -> str:
    """Mask e-mail addresses and long digit runs (phones, ID numbers) in ``text``."""
    text = _EMAIL.sub("[email]", text)
    return _DIGITS.sub("[number]", text)


# --------------------------------------------------------------------------------------
# Phone numbers

_SMS_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalize_phone(raw: str, default_region: str = "CN", *, mobile_only: bool = True) -> str:
    """The E.164 form of ``raw`` (``+8613800138000``), or a :class:`NotificationError`.

    Numbers without a country code are read in ``default_region``. With ``mobile_only``
    (for SMS) landlines are refused; the US and Canada do not distinguish mobile numbers in
    their plan, so "fixed line or mobile" passes.
    """
    region = (default_region or "").upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise NotificationError("invalid_region", region=default_region)
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        raise NotificationError("phone_unparseable")
    try:
        number = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as exc:
        raise NotificationError("phone_unparseable") from exc
    if not phonenumbers.is_valid_number(number):
        raise NotificationError("phone_invalid")
    if mobile_only and phonenumbers.number_type(number) not in _SMS_TYPES:
        raise NotificationError("phone_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --------------------------------------------------------------------------------------
# Retries


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with bounded jitter.

    Attempt ``n`` (1-based, counting the one that just failed) waits
    ``min(max_delay, base_delay * multiplier ** (n - 1))``, then jitter removes up to the
    ``jitter`` fraction of it so that many failed messages do not retry in lockstep.
    """

    max_attempts: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)
    multiplier: float = 2.0
    jitter: float = 0.5

    def validate(self) -> None:
        if self.max_attempts < 1:
            raise NotificationError("invalid_retry_policy", detail="max_attempts < 1")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise NotificationError("invalid_retry_policy", detail="delays")
        if self.multiplier < 1 or not 0 <= self.jitter <= 1:
            raise NotificationError("invalid_retry_policy", detail="multiplier or jitter")


def retry_delay(
    policy: RetryPolicy, attempt: int, result: DeliveryResult, random_fraction: float
) -> timedelta | None:
    """How long to wait before the next attempt, or ``None`` to stop.

    ``attempt`` is how many attempts have been made so far; ``random_fraction`` in
    ``[0, 1)`` comes from the caller (``random.random()`` in production, fixed in tests).
    Stops on success, on a permanent failure and when ``max_attempts`` is reached. A
    provider's ``retry_after`` hint is honoured when longer, within ``max_delay``.
    """
    policy.validate()
    if not 0 <= random_fraction < 1:
        raise NotificationError("invalid_retry_policy", detail="random_fraction outside [0, 1)")
    if attempt < 1:
        raise NotificationError("invalid_retry_policy", detail="attempt < 1")
    if result.ok or not result.retryable or attempt >= policy.max_attempts:
        return None
    base = policy.base_delay.total_seconds()
    cap = policy.max_delay.total_seconds()
    # Exponent capped so huge attempt counts cannot overflow a float.
    delay = min(cap, base * policy.multiplier ** min(attempt - 1, 64))
    delay *= 1 - policy.jitter * random_fraction
    if result.retry_after is not None:
        delay = max(delay, min(cap, result.retry_after))
    return timedelta(seconds=delay)
