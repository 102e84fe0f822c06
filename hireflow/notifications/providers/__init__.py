"""Concrete notification channels: SMTP e-mail, SMS (Alibaba Cloud, Twilio) and group robots
(DingTalk, WeCom, Feishu). Each follows its provider's documented request format and signing;
base URLs are configurable so tests (and private deployments) can point them elsewhere."""

from hireflow.notifications.providers.chat import (
    DingTalkRobotChannel,
    FeishuBotChannel,
    WeComRobotChannel,
    dingtalk_sign,
    feishu_sign,
)
from hireflow.notifications.providers.email import SmtpEmailChannel, build_email
from hireflow.notifications.providers.sms import (
    AliyunSmsChannel,
    TwilioSmsChannel,
    aliyun_percent_encode,
    aliyun_signature,
)

__all__ = [
    "AliyunSmsChannel",
    "DingTalkRobotChannel",
    "FeishuBotChannel",
    "SmtpEmailChannel",
    "TwilioSmsChannel",
    "WeComRobotChannel",
    "aliyun_percent_encode",
    "aliyun_signature",
    "build_email",
    "dingtalk_sign",
    "feishu_sign",
]
