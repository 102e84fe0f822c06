"""A company's notification channels (SPEC E): settings with encrypted secrets, and the
channel object a message goes through."""

from __future__ import annotations

import json

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.crypto import CryptoError
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal, require
from hireflow.core.settings import Settings
from hireflow.notifications import schemas
from hireflow.notifications.channels import (
    Channel,
    NotificationError,
)
from hireflow.notifications.factory import (
    REQUIRED_SECRETS,
    SPECS,
    build_channel,
    parse_webhook,
    settings_email_channel,
)
from hireflow.notifications.keys import decrypt_value, encrypt_value, secret_context
from hireflow.notifications.models import (
    CHANNELS,
    GROUP_CHANNELS,
    ChannelSetting,
)

WEBHOOK_SECRET = {"dingtalk": "access_token", "wecom": "key", "feishu": "hook_token"}


DEFAULT_PROVIDER = {
    "email": "smtp",
    "sms": "aliyun",
    "dingtalk": "robot",
    "wecom": "robot",
    "feishu": "robot",
}


def channel_row(session: Session, tenant_id: int, channel: str) -> ChannelSetting | None:
    return session.scalars(
        select(ChannelSetting).where(
            ChannelSetting.tenant_id == tenant_id, ChannelSetting.channel == channel
        )
    ).first()


def read_secrets(row: ChannelSetting, settings: Settings) -> dict[str, str]:
    if not row.secret_token:
        return {}
    value = decrypt_value(row.secret_token, settings, secret_context(row.tenant_id, row.channel))
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


def _merged_secrets(
    row: ChannelSetting,
    data: schemas.ChannelIn,
    provider: str,
    config: dict[str, str | int],
    settings: Settings,
) -> dict[str, str]:
    """The secrets after this save: kept, cleared, typed anew, or taken from a webhook address
    (whose base goes into ``config``)."""
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
    return secrets


def _check_complete(
    channel: str, provider: str, config: dict[str, str | int], secrets: dict[str, str]
) -> None:
    """A channel is turned on only with every required setting, and only if it builds."""
    missing = [f for f in SPECS[(channel, provider)].required if not config.get(f)]
    needed = REQUIRED_SECRETS.get((channel, provider), ())
    missing += [f for f in needed if not secrets.get(f)]
    if missing:
        raise ValidationFailed(
            N_("Fill in %(names)s before turning the channel on."),
            params={"names": ", ".join(missing)},
            fields={missing[0]: "required"},
        )
    try:
        build_channel(channel, provider, dict(config), secrets)
    except NotificationError as exc:
        raise ValidationFailed(
            N_("The channel is not configured correctly: %(detail)s"),
            params={"detail": str(exc.params.get("detail", exc.code))},
        ) from exc


def save_channel(
    session: Session, principal: Principal, data: schemas.ChannelIn, settings: Settings
) -> ChannelSetting:
    """Create or update a channel's settings; secrets are encrypted, blank ones kept."""
    require(principal, "notifications.channels")
    provider = data.provider or DEFAULT_PROVIDER[data.channel]
    if (data.channel, provider) not in SPECS:
        raise ValidationFailed(N_("Choose one of the listed values."), fields={"provider": "enum"})
    config = _clean_config(data.channel, provider, data.config)
    row = channel_row(session, principal.tenant_id, data.channel)
    if row is None:
        row = ChannelSetting(tenant_id=principal.tenant_id, channel=data.channel, config={})
        session.add(row)
        session.flush()
    secrets = _merged_secrets(row, data, provider, config, settings)
    if data.enabled:
        _check_complete(data.channel, provider, config, secrets)
    before = {"enabled": row.enabled, "provider": row.provider, "config": dict(row.config or {})}
    row.enabled = data.enabled
    row.provider = provider
    row.config = config
    row.secret_token = (
        encrypt_value(
            json.dumps(secrets, sort_keys=True),
            settings,
            secret_context(row.tenant_id, row.channel),
        )
        if secrets
        else None
    )
    row.updated_by_id = principal.user_id
    row.updated_at = utcnow()
    audit.commit_recorded(
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
    row = channel_row(session, tenant_id, "email")
    if row is None or not row.enabled:
        return ""
    return str((row.config or {}).get("sender") or "")


def resolve_channel(session: Session, tenant_id: int, channel: str, settings: Settings) -> Channel:
    """The channel object a company's message goes through (raises ``NotificationError``)."""
    row = channel_row(session, tenant_id, channel)
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
