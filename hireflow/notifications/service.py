"""Notification rules: company channel settings (encrypted), templates, the outbox and delivery.

Producing a message (:func:`enqueue`) only writes an outbox row in the caller's transaction;
delivery happens after the commit, in a worker (:func:`deliver_message`). A delivery first
claims its row with one conditional UPDATE (queued/retry -> sending, with a lease), commits the
claim, talks to the provider outside any transaction, then records the outcome. Hence:

* two workers never send the same row (only one UPDATE matches);
* a Celery message delivered twice finds the row already claimed or sent and does nothing;
* a worker that dies after claiming leaves a lease that runs out; :func:`deliver_due` then puts
  the row back in line, so nothing is lost. The only window for a duplicate is a provider that
  accepted a message in the instant before the worker died and could record it; e-mails carry a
  Message-ID fixed per row so mail systems can recognise such a duplicate.
"""

from __future__ import annotations

import base64
import json
import logging
import random
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.crypto import CryptoError, Keyring, decrypt_field, encrypt_field
from hireflow.core.db import Database, on_commit, utcnow
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require
from hireflow.core.settings import Settings
from hireflow.notifications import schemas
from hireflow.notifications.channels import (
    Attachment,
    Channel,
    DeliveryResult,
    Notification,
    NotificationError,
    RetryPolicy,
    normalize_phone,
    retry_delay,
)
from hireflow.notifications.factory import (
    REQUIRED_SECRETS,
    SPECS,
    build_channel,
    parse_webhook,
    settings_email_channel,
    sms_template_field,
)
from hireflow.notifications.models import (
    CHANNELS,
    GROUP_CHANNELS,
    ChannelSetting,
    DeliveryAttempt,
    MessageTemplate,
    OutboxMessage,
)
from hireflow.notifications.providers.email import SmtpEmailChannel, build_email
from hireflow.notifications.providers.maildrop import MailDropChannel
from hireflow.notifications.providers.sms import AliyunSmsChannel
from hireflow.notifications.templates import (
    RenderedMessage,
    TemplateError,
    TemplateKind,
    TemplateSource,
    default_template,
    normalize_language,
    render_message,
    validate_template,
)

log = logging.getLogger(__name__)

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
WEBHOOK_SECRET = {"dingtalk": "access_token", "wecom": "key", "feishu": "hook_token"}
DEFAULT_PROVIDER = {
    "email": "smtp",
    "sms": "aliyun",
    "dingtalk": "robot",
    "wecom": "robot",
    "feishu": "robot",
}


def keyring(settings: Settings) -> Keyring:
    """Field-encryption keys from the master key (the development key only outside production)."""
    return Keyring.from_settings(
        settings.master_key, allow_development_key=not settings.is_production
    )


def encrypt_value(value: str, settings: Settings, context: str) -> str:
    """Encrypt a small secret for a column (AES-256-GCM field token bound to ``context``)."""
    return encrypt_field(value, keyring(settings), context)


def decrypt_value(token: str, settings: Settings, context: str) -> str:
    return decrypt_field(token, keyring(settings), context)


def _secret_context(tenant_id: int, channel: str) -> str:
    return f"notification_channels.secrets:{tenant_id}:{channel}"


# --------------------------------------------------------------------------- channel settings


def _row(session: Session, tenant_id: int, channel: str) -> ChannelSetting | None:
    return session.scalars(
        select(ChannelSetting).where(
            ChannelSetting.tenant_id == tenant_id, ChannelSetting.channel == channel
        )
    ).first()


def read_secrets(row: ChannelSetting, settings: Settings) -> dict[str, str]:
    if not row.secret_token:
        return {}
    value = decrypt_field(
        row.secret_token, keyring(settings), _secret_context(row.tenant_id, row.channel)
    )
    data = json.loads(value)
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def channel_views(
    session: Session, principal: Principal, settings: Settings
) -> list[schemas.ChannelOut]:
    """Every channel's settings for the settings page; secrets only as "is set"."""
    require(principal, "notifications.channels")
    rows = {
        r.channel: r
        for r in session.scalars(
            select(ChannelSetting).where(ChannelSetting.tenant_id == principal.tenant_id)
        )
    }
    views = []
    for channel in CHANNELS:
        row = rows.get(channel)
        if row is None:
            views.append(
                schemas.ChannelOut(
                    channel=channel,
                    enabled=False,
                    provider=DEFAULT_PROVIDER[channel],
                    config={},
                    secrets_set=[],
                )
            )
            continue
        try:
            secrets = sorted(k for k, v in read_secrets(row, settings).items() if v)
        except CryptoError:
            secrets = []
        views.append(
            schemas.ChannelOut(
                channel=channel,
                enabled=row.enabled,
                provider=row.provider,
                config=dict(row.config or {}),
                secrets_set=secrets,
                updated_at=row.updated_at,
            )
        )
    return views


def _clean_config(channel: str, provider: str, raw: dict[str, str | int]) -> dict[str, str | int]:
    spec = SPECS[(channel, provider)]
    unknown = set(raw) - set(spec.config)
    if unknown:
        raise ValidationFailed(
            N_("Unknown setting: %(name)s"),
            params={"name": ", ".join(sorted(unknown))},
            fields={"config": "unknown"},
        )
    clean: dict[str, str | int] = {}
    for key, value in raw.items():
        text = str(value).strip()
        if len(text) > 300:
            raise ValidationFailed(N_("This field is too long."), fields={key: "too_long"})
        if text:
            clean[key] = text
    if channel == "email":
        port = str(clean.get("port", "587"))
        if not port.isdigit() or not 0 < int(port) < 65536:
            raise ValidationFailed(
                N_("Enter a port between 1 and 65535."), fields={"port": "range"}
            )
        clean["port"] = int(port)
        if clean.get("security", "starttls") not in ("starttls", "ssl", "plain"):
            raise ValidationFailed(
                N_("Choose one of the listed values."), fields={"security": "enum"}
            )
        for key in ("sender", "reply_to"):
            if clean.get(key):
                try:
                    validate_email(str(clean[key]), check_deliverability=False)
                except EmailNotValidError as exc:
                    raise ValidationFailed(
                        N_("Enter a valid email address."), fields={key: "email"}
                    ) from exc
    for key in ("base_url", "endpoint"):
        if clean.get(key) and not str(clean[key]).startswith(("https://", "http://")):
            raise ValidationFailed(N_("Enter an http(s) address."), fields={key: "url"})
    return clean


def save_channel(
    session: Session, principal: Principal, data: schemas.ChannelIn, settings: Settings
) -> ChannelSetting:
    """Create or update a channel's settings; secrets are encrypted, blank ones kept."""
    require(principal, "notifications.channels")
    provider = data.provider or DEFAULT_PROVIDER[data.channel]
    if (data.channel, provider) not in SPECS:
        raise ValidationFailed(N_("Choose one of the listed values."), fields={"provider": "enum"})
    config = _clean_config(data.channel, provider, data.config)
    row = _row(session, principal.tenant_id, data.channel)
    if row is None:
        row = ChannelSetting(tenant_id=principal.tenant_id, channel=data.channel, config={})
        session.add(row)
        session.flush()
    secrets = read_secrets(row, settings) if row.provider == provider else {}
    for name in data.clear_secrets:
        secrets.pop(name, None)
    allowed = set(SPECS[(data.channel, provider)].secrets)
    for name, value in data.secrets.items():
        if name not in allowed:
            raise ValidationFailed(
                N_("Unknown setting: %(name)s"), params={"name": name}, fields={name: "unknown"}
            )
        if value.strip():
            secrets[name] = value.strip()
    if data.webhook_url.strip():
        if data.channel not in GROUP_CHANNELS:
            raise ValidationFailed(N_("Unknown setting: %(name)s"), params={"name": "webhook_url"})
        try:
            base, token = parse_webhook(data.channel, data.webhook_url)
        except NotificationError as exc:
            raise ValidationFailed(
                N_("This is not the webhook address of that chat robot."),
                fields={"webhook_url": "format"},
            ) from exc
        config["base_url"] = base
        secrets[WEBHOOK_SECRET[data.channel]] = token
    if data.enabled:
        missing = [f for f in SPECS[(data.channel, provider)].required if not config.get(f)]
        needed = REQUIRED_SECRETS.get((data.channel, provider), ())
        missing += [f for f in needed if not secrets.get(f)]
        if missing:
            raise ValidationFailed(
                N_("Fill in %(names)s before turning the channel on."),
                params={"names": ", ".join(missing)},
                fields={missing[0]: "required"},
            )
        try:
            build_channel(data.channel, provider, dict(config), secrets)
        except NotificationError as exc:
            raise ValidationFailed(
                N_("The channel is not configured correctly: %(detail)s"),
                params={"detail": str(exc.params.get("detail", exc.code))},
            ) from exc
    before = {"enabled": row.enabled, "provider": row.provider, "config": dict(row.config or {})}
    row.enabled = data.enabled
    row.provider = provider
    row.config = config
    row.secret_token = (
        encrypt_field(
            json.dumps(secrets, sort_keys=True),
            keyring(settings),
            _secret_context(row.tenant_id, row.channel),
        )
        if secrets
        else None
    )
    row.updated_by_id = principal.user_id
    row.updated_at = utcnow()
    audit.record(
        session,
        "notifications.channel_saved",
        actor=principal,
        target_type="notification_channel",
        target_id=row.id,
        old=before,
        # Names of the secrets that are set, never their values.
        new={
            "enabled": row.enabled,
            "provider": provider,
            "config": config,
            "secrets_set": sorted(secrets),
        },
    )
    session.commit()
    return row


def enabled_channels(session: Session, tenant_id: int) -> set[str]:
    """Channels a company can use now: e-mail always (its own SMTP or the installation's)."""
    rows = session.scalars(
        select(ChannelSetting.channel).where(
            ChannelSetting.tenant_id == tenant_id, ChannelSetting.enabled.is_(True)
        )
    )
    return {"email", *rows}


def company_sender(session: Session, tenant_id: int) -> str:
    """The sender address of a company's own mail server, or "" when it uses the installation's."""
    row = _row(session, tenant_id, "email")
    if row is None or not row.enabled:
        return ""
    return str((row.config or {}).get("sender") or "")


def resolve_channel(session: Session, tenant_id: int, channel: str, settings: Settings) -> Channel:
    """The channel object a company's message goes through (raises ``NotificationError``)."""
    row = _row(session, tenant_id, channel)
    if channel == "email" and (row is None or not row.enabled):
        return settings_email_channel(settings)
    if row is None or not row.enabled:
        raise NotificationError("invalid_channel_config", detail=f"{channel} is not turned on")
    try:
        secrets = read_secrets(row, settings)
    except CryptoError as exc:
        raise NotificationError(
            "invalid_channel_config", detail="stored credentials cannot be decrypted"
        ) from exc
    return build_channel(channel, row.provider, dict(row.config or {}), secrets)


# --------------------------------------------------------------------------- templates


def template_override(
    session: Session, tenant_id: int, kind: str, language: str
) -> TemplateSource | None:
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == tenant_id,
            MessageTemplate.kind == kind,
            MessageTemplate.language == normalize_language(language),
        )
    ).first()
    return TemplateSource(row.subject, row.body, row.sms) if row else None


def template_views(session: Session, principal: Principal) -> list[schemas.TemplateOut]:
    require(principal, "notifications.templates")
    rows = {
        (r.kind, r.language): r
        for r in session.scalars(
            select(MessageTemplate).where(MessageTemplate.tenant_id == principal.tenant_id)
        )
    }
    views = []
    for kind in TemplateKind:
        for language in ("zh-CN", "en", "ja"):
            row = rows.get((kind.value, language))
            source = (
                TemplateSource(row.subject, row.body, row.sms)
                if row
                else default_template(kind, language)
            )
            views.append(
                schemas.TemplateOut(
                    kind=kind.value,
                    language=language,
                    subject=source.subject,
                    body=source.body,
                    sms=source.sms,
                    customised=row is not None,
                )
            )
    return views


def _template_error(exc: TemplateError) -> ValidationFailed:
    return ValidationFailed(
        N_("The template cannot be saved: %(reason)s"),
        params={"reason": exc.message_en},
        fields={"body": exc.code},
    )


def save_template(
    session: Session, principal: Principal, data: schemas.TemplateIn
) -> MessageTemplate:
    """Validate HR's edit in the sandbox, then store it (one row per kind and language)."""
    require(principal, "notifications.templates")
    source = TemplateSource(data.subject, data.body, data.sms)
    try:
        validate_template(data.kind, source)
    except TemplateError as exc:
        raise _template_error(exc) from exc
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == principal.tenant_id,
            MessageTemplate.kind == data.kind,
            MessageTemplate.language == data.language,
        )
    ).first()
    if row is None:
        row = MessageTemplate(tenant_id=principal.tenant_id, kind=data.kind, language=data.language)
        session.add(row)
    row.subject, row.body, row.sms = data.subject, data.body, data.sms
    row.updated_by_id = principal.user_id
    session.flush()
    audit.record(
        session,
        "notifications.template_saved",
        actor=principal,
        target_type="notification_template",
        target_id=row.id,
        new={"kind": data.kind, "language": data.language},
    )
    session.commit()
    return row


def reset_template(session: Session, principal: Principal, kind: str, language: str) -> None:
    require(principal, "notifications.templates")
    row = session.scalars(
        select(MessageTemplate).where(
            MessageTemplate.tenant_id == principal.tenant_id,
            MessageTemplate.kind == kind,
            MessageTemplate.language == language,
        )
    ).first()
    if row is None:
        return
    session.delete(row)
    audit.record(
        session,
        "notifications.template_reset",
        actor=principal,
        target_type="notification_template",
        target_id=row.id,
        old={"kind": kind, "language": language},
    )
    session.commit()


@dataclass
class TemplateCache:
    """Overrides looked up once per (kind, language) while rendering many messages."""

    session: Session
    tenant_id: int
    found: dict[tuple[str, str], TemplateSource | None] = field(default_factory=dict)

    def get(self, kind: str, language: str) -> TemplateSource | None:
        key = (kind, normalize_language(language))
        if key not in self.found:
            self.found[key] = template_override(self.session, self.tenant_id, kind, key[1])
        return self.found[key]


def render(
    cache: TemplateCache, kind: str, language: str, context: dict[str, Any], timezone: str
) -> RenderedMessage:
    """Render with the company's template; if that fails at send time, the built-in one.

    A saved template was validated, but a value may still be missing for one recipient; the
    built-in template keeps the message from being lost, and the problem is logged.
    """
    override = cache.get(kind, language)
    if override is not None:
        try:
            return render_message(kind, language, context, timezone=timezone, override=override)
        except TemplateError as exc:
            log.warning(
                "company template failed, built-in used",
                extra={"event": "notifications.template_fallback", "code": exc.code},
            )
    return render_message(kind, language, context, timezone=timezone)


# --------------------------------------------------------------------------- the outbox


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message for one channel and recipient, before it becomes an outbox row."""

    channel: str
    kind: str
    recipient: str
    subject: str
    text: str
    recipient_label: str = ""
    html: str | None = None
    sms_text: str = ""
    sms_params: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    language: str = "zh-CN"

    @classmethod
    def from_rendered(
        cls,
        channel: str,
        kind: str,
        recipient: str,
        rendered: RenderedMessage,
        *,
        recipient_label: str = "",
        sms_params: dict[str, str] | None = None,
        attachments: tuple[Attachment, ...] = (),
    ) -> OutgoingMessage:
        return cls(
            channel=channel,
            kind=kind,
            recipient=recipient,
            recipient_label=recipient_label,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html if channel == "email" else None,
            sms_text=rendered.sms,
            sms_params=sms_params or {},
            attachments=attachments if channel == "email" else (),
            language=rendered.language,
        )


def check_recipient(channel: str, recipient: str) -> str:
    """The normalised address for a channel, or ``NotificationError`` (bad e-mail or phone)."""
    if channel == "email":
        try:
            return validate_email(recipient, check_deliverability=False).normalized
        except EmailNotValidError as exc:
            raise NotificationError("invalid_channel_config", detail="invalid e-mail") from exc
    if channel == "sms":
        return normalize_phone(recipient, "CN")
    return ""


_PENDING = "hireflow_outbox_pending"


def _dispatch(message_ids: list[int]) -> None:
    from hireflow.notifications.tasks import deliver_messages

    for start in range(0, len(message_ids), 50):
        deliver_messages.apply_async(args=[message_ids[start : start + 50]])


_DEFERRED: ContextVar[list[int] | None] = ContextVar("hireflow_outbox_deferred", default=None)


@contextmanager
def deferred_delivery() -> Iterator[list[int]]:
    """Collect the ids of messages committed inside the block instead of sending one delivery
    task per transaction; the caller passes them to :func:`dispatch` in batches. (Anything
    never dispatched is still delivered by the periodic sweep.)"""
    pending: list[int] = []
    token = _DEFERRED.set(pending)
    try:
        yield pending
    finally:
        _DEFERRED.reset(token)


def dispatch(message_ids: Iterable[int]) -> None:
    """Enqueue delivery tasks for committed outbox rows (50 per task)."""
    _dispatch(list(message_ids))


def _after_commit(session: Session) -> None:
    ids = session.info.pop(_PENDING, None) or []
    deferred = _DEFERRED.get()
    if deferred is not None:
        deferred.extend(ids)
    else:
        _dispatch(ids)


def _deliver_after_commit(session: Session, message_id: int) -> None:
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        on_commit(session, lambda: _after_commit(session))
    pending.append(message_id)


@event.listens_for(Session, "after_rollback")
def _forget_pending(session: Session) -> None:
    session.info.pop(_PENDING, None)


def enqueue(
    session: Session,
    tenant_id: int,
    message: OutgoingMessage,
    *,
    dedupe_key: str,
    opening_id: int | None = None,
    related_type: str = "",
    related_id: int | None = None,
    created_by_id: int | None = None,
    resend_of_id: int | None = None,
    deliver: bool = True,
) -> OutboxMessage:
    """Add a message to the outbox in the caller's transaction (idempotent per ``dedupe_key``).

    Delivery is scheduled for after the commit; on rollback nothing is sent.
    """
    existing = session.scalars(
        select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)
    ).first()
    if existing is not None:
        return existing
    row = OutboxMessage(
        tenant_id=tenant_id,
        opening_id=opening_id,
        channel=message.channel,
        kind=message.kind,
        recipient=message.recipient,
        recipient_label=message.recipient_label[:200],
        language=message.language,
        subject=message.subject,
        body_text=message.text,
        body_html=message.html,
        sms_text=message.sms_text,
        sms_params=dict(message.sms_params),
        attachments=[
            {
                "filename": a.filename,
                "mime_type": a.mime_type,
                "params": dict(a.params),
                "content_b64": base64.b64encode(a.content).decode("ascii"),
            }
            for a in message.attachments
        ],
        related_type=related_type,
        related_id=related_id,
        dedupe_key=dedupe_key,
        status="queued",
        attempts=0,
        next_attempt_at=utcnow(),
        created_by_id=created_by_id,
        resend_of_id=resend_of_id,
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    if deliver:
        _deliver_after_commit(session, row.id)
    return row


def cancel_pending(session: Session, related_type: str, related_id: int) -> int:
    """Withdraw messages about something that no longer holds (e.g. a cancelled interview)."""
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.related_type == related_type,
            OutboxMessage.related_id == related_id,
            OutboxMessage.status.in_(("queued", "retry")),
        )
        .values(status="cancelled", updated_at=utcnow())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- delivery


def _notification(row: OutboxMessage, template_code: str | None = None) -> Notification:
    return Notification(
        to=row.recipient,
        subject=row.subject,
        text=row.sms_text if row.channel == "sms" and row.sms_text else row.body_text,
        html=row.body_html,
        attachments=tuple(
            Attachment(
                a["filename"],
                base64.b64decode(a["content_b64"]),
                a["mime_type"],
                dict(a.get("params") or {}),
            )
            for a in (row.attachments or [])
        ),
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
        setting = _row(session, row.tenant_id, "sms")
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
            prepared.problem = DeliveryResult.failed(
                row.channel,
                "the recipient address is not a valid e-mail address",
                retryable=False,
                provider_code="invalid_recipient",
            )
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
) -> str:
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
        outcome = "sent"
    else:
        policy = RetryPolicy(
            max_attempts=prepared.max_attempts, base_delay=RETRY_BASE, max_delay=RETRY_MAX
        )
        delay = retry_delay(policy, prepared.attempt, result, min(rand(), 0.999999))
        if delay is None:
            values = {"status": "failed", "last_error": result.error or ""}
            outcome = "failed"
        else:
            values = {
                "status": "retry",
                # From the attempt's start: the back-off is between attempts, not after replies.
                "next_attempt_at": started + delay,
                "last_error": result.error or "",
            }
            outcome = "retry"
    values.update(lease_until=None, updated_at=now)
    # Only the claim holder may settle the row: if the lease ran out and another worker took
    # it, this outcome is kept in the attempt log but does not overwrite theirs.
    settled = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == prepared.message_id,
            OutboxMessage.status == "sending",
            OutboxMessage.attempts == prepared.attempt,
        )
        .values(**values)
    )
    if settled.rowcount == 1:  # type: ignore[attr-defined]
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
) -> str:
    """Claim, send and settle one outbox row; returns sent, retry, failed or skipped."""
    channels = channels if channels is not None else {}
    started = now or utcnow()
    with database.session() as session:
        claimed = session.execute(
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
            )
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            return "skipped"
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
        counts[outcome] = counts.get(outcome, 0) + 1
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
            _settled(session, row.id, "failed")
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


# --------------------------------------------------------------------------- staff actions


def resend_message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    """One-click resend: a new outbox row with the same content, delivered at once."""
    require(principal, "notifications.resend")
    original = get_visible(session, OutboxMessage, message_id, principal, "notifications.resend")
    if original.status in ("queued", "sending", "retry"):
        raise ValidationFailed(
            N_("This message is still being delivered; wait for the outcome before resending.")
        )
    count = len(
        list(
            session.scalars(
                select(OutboxMessage.id).where(OutboxMessage.resend_of_id == original.id)
            )
        )
    )
    message = OutgoingMessage(
        channel=original.channel,
        kind=original.kind,
        recipient=original.recipient,
        recipient_label=original.recipient_label,
        subject=original.subject,
        text=original.body_text,
        html=original.body_html,
        sms_text=original.sms_text,
        sms_params=dict(original.sms_params or {}),
        attachments=tuple(
            Attachment(
                a["filename"],
                base64.b64decode(a["content_b64"]),
                a["mime_type"],
                dict(a.get("params") or {}),
            )
            for a in (original.attachments or [])
        ),
        language=original.language,
    )
    row = enqueue(
        session,
        original.tenant_id,
        message,
        dedupe_key=f"resend:{original.id}:{count + 1}",
        opening_id=original.opening_id,
        related_type=original.related_type,
        related_id=original.related_id,
        created_by_id=principal.user_id,
        resend_of_id=original.id,
    )
    audit.record(
        session,
        "notifications.resent",
        actor=principal,
        target_type="notification",
        target_id=original.id,
        new={"new_message_id": row.id, "channel": row.channel},
    )
    session.commit()
    return row


def send_test(session: Session, principal: Principal, data: schemas.TestMessageIn) -> OutboxMessage:
    """A short test message through a channel, visible in the outbox like any other."""
    require(principal, "notifications.channels")
    if data.channel in ("email", "sms"):
        try:
            recipient = check_recipient(data.channel, data.recipient)
        except NotificationError as exc:
            raise ValidationFailed(
                N_("Enter a valid email address or mobile phone number."),
                fields={"recipient": exc.code},
            ) from exc
    else:
        recipient = ""
    if data.channel not in enabled_channels(session, principal.tenant_id):
        raise ValidationFailed(N_("Turn the channel on first."), fields={"channel": "disabled"})
    language = normalize_language(principal.language)
    rendered = render_message(
        TemplateKind.GENERIC,
        language,
        {
            "title": "Hireflow test",
            "body": "This is a test message from Hireflow. 这是一条测试消息。",
            "company_name": "Hireflow",
        },
        timezone=principal.timezone,
    )
    row = enqueue(
        session,
        principal.tenant_id,
        OutgoingMessage.from_rendered(data.channel, "test", recipient, rendered),
        dedupe_key=f"test:{principal.tenant_id}:{data.channel}:{utcnow().timestamp()}",
        related_type="test",
        created_by_id=principal.user_id,
    )
    audit.record(
        session,
        "notifications.test_sent",
        actor=principal,
        target_type="notification",
        target_id=row.id,
        new={"channel": data.channel},
    )
    session.commit()
    return row


_CODE = re.compile(r"\b\d{4,8}\b")


def visible_text(row: OutboxMessage) -> str:
    """A message's text as staff may see it: one-time codes are the candidate's alone."""
    text = row.sms_text if row.channel == "sms" and row.sms_text else row.body_text
    if row.kind == "identity_code":
        return _CODE.sub("••••••", text)
    return text


def get_message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    require(principal, "notifications.read")
    row = get_visible(session, OutboxMessage, message_id, principal, "notifications.read")
    if row is None:
        raise NotFound()
    return row
