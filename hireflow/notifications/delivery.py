"""Delivering outbox rows, each exactly once.

A delivery first claims its row with one conditional UPDATE (queued/retry -> sending, with a
lease), commits the claim, talks to the provider outside any transaction, then records the
outcome. Hence:

* two workers never send the same row (only one UPDATE matches);
* a Celery message delivered twice finds the row already claimed or sent and does nothing;
* a worker that dies after claiming leaves a lease that runs out; :func:`deliver_due` then puts
  the row back in line, so nothing is lost. The only window for a duplicate is a provider that
  accepted a message in the instant before the worker died and could record it; e-mails carry a
  Message-ID fixed per row so mail systems can recognise such a duplicate.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hireflow.core.db import Database, changed_one, utcnow
from hireflow.core.settings import Settings
from hireflow.notifications.channel_settings import channel_row, resolve_channel
from hireflow.notifications.channels import (
    Channel,
    DeliveryResult,
    Notification,
    NotificationError,
    RetryPolicy,
    retry_delay,
)
from hireflow.notifications.factory import (
    sms_template_field,
)
from hireflow.notifications.models import (
    DeliveryAttempt,
    OutboxMessage,
)
from hireflow.notifications.outbox import stored_attachments
from hireflow.notifications.providers.email import SmtpEmailChannel, build_email, not_an_address
from hireflow.notifications.providers.maildrop import MailDropChannel
from hireflow.notifications.providers.sms import AliyunSmsChannel

log = logging.getLogger(__name__)


class Delivery(StrEnum):
    """What became of one delivery (the keys of the counts a sweep returns, too)."""

    SENT = "sent"
    RETRY = "retry"
    FAILED = "failed"
    SKIPPED = "skipped"  # already claimed or settled by another worker, or not due


# What a message is about follows its delivery: related_type -> hook(session, related_id,
# outcome "sent" | "failed", message kind), called in the transaction that settles the row.
DeliveryHook = Callable[[Session, int, str, str], None]


_delivery_hooks: dict[str, DeliveryHook] = {}


def on_delivery(related_type: str, hook: DeliveryHook) -> None:
    """Have ``hook`` told when a message about a ``related_type`` is delivered or fails."""
    _delivery_hooks[related_type] = hook


def _settled(session: Session, message_id: int, outcome: str) -> None:
    if outcome not in ("sent", "failed"):
        return
    row = session.execute(
        select(OutboxMessage.related_type, OutboxMessage.related_id, OutboxMessage.kind).where(
            OutboxMessage.id == message_id
        )
    ).first()
    if row is None or row.related_id is None:
        return
    hook = _delivery_hooks.get(row.related_type)
    if hook is not None:
        hook(session, int(row.related_id), outcome, row.kind or "")


LEASE = timedelta(minutes=5)


RETRY_BASE = timedelta(seconds=30)


RETRY_MAX = timedelta(hours=1)


def _notification(row: OutboxMessage, template_code: str | None = None) -> Notification:
    return Notification(
        to=row.recipient,
        subject=row.subject,
        text=row.sms_text if row.channel == "sms" and row.sms_text else row.body_text,
        html=row.body_html,
        attachments=stored_attachments(row),
        language=row.language,
        sms_template_code=template_code,
        sms_template_params=dict(row.sms_params or {}),
    )


@dataclass
class _Prepared:
    message_id: int
    attempt: int
    max_attempts: int
    channel: Channel | None
    notification: Notification | None
    mime: Any = None
    problem: DeliveryResult | None = None


def _prepare(
    session: Session,
    row: OutboxMessage,
    settings: Settings,
    channels: dict[tuple[int, str], Channel | NotificationError],
) -> _Prepared:
    key = (row.tenant_id, row.channel)
    if key not in channels:
        try:
            channels[key] = resolve_channel(session, row.tenant_id, row.channel, settings)
        except NotificationError as exc:
            channels[key] = exc
    channel = channels[key]
    prepared = _Prepared(row.id, row.attempts, row.max_attempts, None, None)
    if isinstance(channel, NotificationError):
        prepared.problem = DeliveryResult.failed(
            row.channel, channel.message_en, retryable=False, provider_code=channel.code
        )
        return prepared
    code = None
    if isinstance(channel, AliyunSmsChannel):
        # Alibaba Cloud sends approved templates only; their codes are in the settings.
        setting = channel_row(session, row.tenant_id, "sms")
        config = setting.config if setting is not None and setting.config else {}
        code = str(config.get(sms_template_field(row.kind)) or config.get("template_generic") or "")
    notification = _notification(row, code or None)
    prepared.channel = channel
    prepared.notification = notification
    if isinstance(channel, SmtpEmailChannel | MailDropChannel):
        try:
            domain = channel.sender.rpartition("@")[2] or "hireflow.local"
            prepared.mime = build_email(
                notification,
                sender=channel.sender,
                sender_name=channel.sender_name,
                now=utcnow(),
                reply_to=getattr(channel, "reply_to", None),
                message_id=f"<outbox-{row.id}-{row.tenant_id}@{domain}>",
            )
        except EmailNotValidError:
            prepared.problem = not_an_address(row.channel)
    return prepared


def _send(prepared: _Prepared) -> DeliveryResult:
    if prepared.problem is not None:
        return prepared.problem
    assert prepared.channel is not None and prepared.notification is not None
    if prepared.mime is not None:
        return prepared.channel.deliver(prepared.mime)  # type: ignore[attr-defined]
    return prepared.channel.send(prepared.notification)


def _record(
    session: Session,
    prepared: _Prepared,
    result: DeliveryResult,
    started: datetime,
    rand: Callable[[], float],
) -> Delivery:
    now = utcnow()
    session.add(
        DeliveryAttempt(
            message_id=prepared.message_id,
            number=prepared.attempt,
            started_at=started,
            finished_at=now,
            status=result.status,
            retryable=result.retryable,
            error=result.error or "",
            provider_code=result.provider_code or "",
            http_status=result.http_status,
        )
    )
    if result.ok:
        values: dict[str, Any] = {
            "status": "sent",
            "sent_at": now,
            "provider_message_id": (result.provider_message_id or "")[:200],
            "last_error": "",
        }
        outcome = Delivery.SENT
    else:
        policy = RetryPolicy(
            max_attempts=prepared.max_attempts, base_delay=RETRY_BASE, max_delay=RETRY_MAX
        )
        delay = retry_delay(policy, prepared.attempt, result, min(rand(), 0.999999))
        if delay is None:
            values = {"status": "failed", "last_error": result.error or ""}
            outcome = Delivery.FAILED
        else:
            values = {
                "status": "retry",
                # From the attempt's start: the back-off is between attempts, not after replies.
                "next_attempt_at": started + delay,
                "last_error": result.error or "",
            }
            outcome = Delivery.RETRY
    values.update(lease_until=None, updated_at=now)
    # Only the claim holder may settle the row: if the lease ran out and another worker took
    # it, this outcome is kept in the attempt log but does not overwrite theirs.
    if changed_one(
        session,
        update(OutboxMessage)
        .where(
            OutboxMessage.id == prepared.message_id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == prepared.attempt,
        )
        .values(**values),
        rollback=False,
    ):
        _settled(session, prepared.message_id, outcome)
    session.commit()
    return outcome


def deliver_message(
    database: Database,
    message_id: int,
    settings: Settings,
    *,
    channels: dict[tuple[int, str], Channel | NotificationError] | None = None,
    rand: Callable[[], float] = random.random,
    now: datetime | None = None,
) -> Delivery:
    """Claim, send and settle one outbox row; returns what became of it."""
    channels = channels if channels is not None else {}
    started = now or utcnow()
    with database.session() as session:
        if not changed_one(
            session,
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.status.in_(("queued", "retry")),
                OutboxMessage.next_attempt_at <= started,
            )
            .values(
                status="sending",
                attempts=OutboxMessage.attempts + 1,
                lease_until=started + LEASE,
                updated_at=started,
            ),
        ):
            return Delivery.SKIPPED
        session.commit()
        row = session.get(OutboxMessage, message_id)
        assert row is not None
        prepared = _prepare(session, row, settings, channels)
    result = _send(prepared)
    with database.session() as session:
        outcome = _record(session, prepared, result, started, rand)
    log.info(
        "notification delivery",
        extra={
            "event": "notifications.delivery",
            "message_id": message_id,
            "outcome": outcome,
            "attempt": prepared.attempt,
        },
    )
    return outcome


def deliver_many(
    database: Database, message_ids: Iterable[int], settings: Settings
) -> dict[str, int]:
    """Deliver several rows, reusing each company's channel objects."""
    channels: dict[tuple[int, str], Channel | NotificationError] = {}
    counts: dict[str, int] = {}
    for message_id in message_ids:
        outcome = deliver_message(database, message_id, settings, channels=channels)
        counts[outcome.value] = counts.get(outcome.value, 0) + 1
    return counts


def release_stale(session: Session, now: datetime | None = None) -> int:
    """Rows whose worker died while holding the claim go back in line (or fail when spent)."""
    now = now or utcnow()
    stale = list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.status == "sending", OutboxMessage.lease_until < now
            )
        )
    )
    for row in stale:
        if row.attempts >= row.max_attempts:
            row.status = "failed"
            row.last_error = "the worker stopped during delivery; attempts used up"
            session.flush()
            _settled(session, row.id, Delivery.FAILED)
        else:
            row.status = "retry"
            row.next_attempt_at = now
            row.last_error = "the worker stopped during delivery; retried"
        row.lease_until = None
        row.updated_at = now
    session.commit()
    return len(stale)


def due_message_ids(session: Session, now: datetime | None = None, limit: int = 200) -> list[int]:
    now = now or utcnow()
    return list(
        session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(("queued", "retry")),
                OutboxMessage.next_attempt_at <= now,
            )
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
        )
    )


def deliver_due(
    database: Database, settings: Settings, now: datetime | None = None, limit: int = 200
) -> dict[str, int]:
    """The periodic sweep: release stale claims, then deliver what is due (retries included)."""
    with database.session() as session:
        release_stale(session, now)
        ids = due_message_ids(session, now, limit)
    return deliver_many(database, ids, settings)
