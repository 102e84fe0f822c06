"""Channels built from configuration: a company's channel settings, or the process settings.

Pure construction, no database: the service decrypts a company's secrets and passes plain
dictionaries here. What each channel needs is declared once in :data:`SPECS`, which the
settings pages and the API validate against.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hireflow.core.settings import Settings
from hireflow.notifications.channels import Channel, NotificationError
from hireflow.notifications.providers.chat import (
    DingTalkRobotChannel,
    FeishuBotChannel,
    WeComRobotChannel,
)
from hireflow.notifications.providers.email import SmtpEmailChannel
from hireflow.notifications.providers.maildrop import MailDropChannel
from hireflow.notifications.providers.sms import AliyunSmsChannel, TwilioSmsChannel

__all__ = [
    "SPECS",
    "ChannelSpec",
    "build_channel",
    "parse_webhook",
    "settings_email_channel",
    "sms_template_field",
]


@dataclass(frozen=True)
class ChannelSpec:
    """Fields of one channel (per provider): shown ones, secret ones, and required ones."""

    config: tuple[str, ...]
    secrets: tuple[str, ...]
    required: tuple[str, ...]


SPECS: dict[tuple[str, str], ChannelSpec] = {
    ("email", "smtp"): ChannelSpec(
        ("host", "port", "security", "username", "sender", "sender_name", "reply_to"),
        ("password",),
        ("host", "port", "sender"),
    ),
    ("sms", "aliyun"): ChannelSpec(
        (
            "access_key_id",
            "sign_name",
            "region_id",
            "endpoint",
            "default_region",
            "template_invitation",
            "template_reminder",
            "template_code",
            "template_generic",
        ),
        ("access_key_secret",),
        ("access_key_id", "sign_name", "template_invitation"),
    ),
    ("sms", "twilio"): ChannelSpec(
        (
            "account_sid",
            "from_number",
            "messaging_service_sid",
            "api_key_sid",
            "base_url",
            "default_region",
        ),
        ("auth_token",),
        ("account_sid",),
    ),
    ("dingtalk", "robot"): ChannelSpec(("base_url",), ("access_token", "secret"), ()),
    ("wecom", "robot"): ChannelSpec(("base_url",), ("key",), ()),
    ("feishu", "robot"): ChannelSpec(("base_url",), ("hook_token", "secret"), ()),
}
# Secrets a channel cannot work without (checked when it is enabled).
REQUIRED_SECRETS: dict[tuple[str, str], tuple[str, ...]] = {
    ("sms", "aliyun"): ("access_key_secret",),
    ("sms", "twilio"): ("auth_token",),
    ("dingtalk", "robot"): ("access_token",),
    ("wecom", "robot"): ("key",),
    ("feishu", "robot"): ("hook_token",),
}


def sms_template_field(kind: str) -> str:
    """Which Alibaba Cloud template code a message kind uses (approved templates only)."""
    if kind.startswith("invitation"):
        return "template_invitation"
    if kind.startswith("reminder") or kind.endswith("_reminder"):
        return "template_reminder"
    if kind == "identity_code":
        return "template_code"
    return "template_generic"


def _sender(settings: Settings) -> tuple[str, str]:
    name, address = parseaddr(settings.mail_from)
    return address or "no-reply@hireflow.example", name


def settings_email_channel(settings: Settings) -> SmtpEmailChannel | MailDropChannel:
    """The installation's own mail route: its SMTP server, or the mail drop without one."""
    address, name = _sender(settings)
    if not settings.smtp_host:
        if settings.is_production:
            # Start-up refuses this configuration; never "deliver" to a folder in production.
            raise NotificationError(
                "invalid_channel_config", detail="no mail server is configured (HIREFLOW_SMTP_HOST)"
            )
        directory = Path(settings.data_dir) / "maildrop"
        return MailDropChannel(directory, sender=address, sender_name=name)
    security = "plain" if settings.smtp_security == "none" else settings.smtp_security
    return SmtpEmailChannel(
        host=settings.smtp_host,
        port=settings.smtp_port,
        sender=address,
        sender_name=name,
        security=security,
        username=settings.smtp_username or None,
        password=settings.smtp_password if settings.smtp_username else None,
    )


def _int(value: Any, field: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        detail = f"{field} must be a number"
        raise NotificationError("invalid_channel_config", detail=detail) from exc


def _base(config: dict[str, Any], default: str) -> str:
    value = str(config.get("base_url") or default)
    if not value.startswith(("https://", "http://")):
        raise NotificationError("invalid_channel_config", detail="base URL must be http(s)")
    return value


def build_channel(
    channel: str, provider: str, config: dict[str, Any], secrets: dict[str, str]
) -> Channel:
    """A ready channel from a company's settings (raises ``invalid_channel_config``)."""
    key = (channel, provider)
    if key not in SPECS:
        raise NotificationError("invalid_channel_config", detail=f"unknown channel {channel}")
    if channel == "email":
        return SmtpEmailChannel(
            host=str(config.get("host", "")),
            port=_int(config.get("port", 587), "port"),
            sender=str(config.get("sender", "")),
            sender_name=str(config.get("sender_name", "")),
            security=str(config.get("security") or "starttls"),
            username=str(config["username"]) if config.get("username") else None,
            password=secrets.get("password") if config.get("username") else None,
            reply_to=str(config.get("reply_to") or "") or None,
        )
    if key == ("sms", "aliyun"):
        return AliyunSmsChannel(
            access_key_id=str(config.get("access_key_id", "")),
            access_key_secret=secrets.get("access_key_secret", ""),
            sign_name=str(config.get("sign_name", "")),
            endpoint=str(config.get("endpoint") or "https://dysmsapi.aliyuncs.com"),
            region_id=str(config.get("region_id") or "cn-hangzhou"),
            default_region=str(config.get("default_region") or "CN"),
        )
    if key == ("sms", "twilio"):
        return TwilioSmsChannel(
            account_sid=str(config.get("account_sid", "")),
            auth_token=secrets.get("auth_token", ""),
            from_number=str(config.get("from_number") or "") or None,
            messaging_service_sid=str(config.get("messaging_service_sid") or "") or None,
            api_key_sid=str(config.get("api_key_sid") or "") or None,
            base_url=_base(config, "https://api.twilio.com"),
            default_region=str(config.get("default_region") or "US"),
        )
    if channel == "dingtalk":
        return DingTalkRobotChannel(
            access_token=secrets.get("access_token", ""),
            secret=secrets.get("secret") or None,
            base_url=_base(config, DingTalkRobotChannel.BASE_URL),
        )
    if channel == "wecom":
        return WeComRobotChannel(
            key=secrets.get("key", ""), base_url=_base(config, WeComRobotChannel.BASE_URL)
        )
    return FeishuBotChannel(
        hook_token=secrets.get("hook_token", ""),
        secret=secrets.get("secret") or None,
        base_url=_base(config, FeishuBotChannel.BASE_URL),
    )


def parse_webhook(channel: str, url: str) -> tuple[str, str]:
    """(base URL, token) from a robot's webhook URL as the chat app shows it.

    DingTalk ``https://oapi.dingtalk.com/robot/send?access_token=T``, WeCom
    ``https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=K``, Feishu
    ``https://open.feishu.cn/open-apis/bot/v2/hook/H``.
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise NotificationError("invalid_channel_config", detail="webhook URL must be http(s)")
    base = f"{parts.scheme}://{parts.netloc}"
    query = parse_qs(parts.query)
    if channel == "dingtalk" and parts.path.endswith("/robot/send") and query.get("access_token"):
        return base, query["access_token"][0]
    if channel == "wecom" and parts.path.endswith("/webhook/send") and query.get("key"):
        return base, query["key"][0]
    marker = "/open-apis/bot/v2/hook/"
    if channel == "feishu" and marker in parts.path:
        token = parts.path.split(marker, 1)[1].strip("/")
        if token:
            return base, token
    raise NotificationError(
        "invalid_channel_config", detail=f"this is not a {channel} robot webhook URL"
    )
