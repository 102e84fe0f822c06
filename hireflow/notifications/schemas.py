"""Notification API shapes: channel settings, templates, outbox rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from hireflow.core.bounds import Count

ChannelName = Literal["email", "sms", "dingtalk", "wecom", "feishu"]


class ChannelIn(BaseModel):
    """A company's settings for one channel. Blank secrets keep the stored ones."""

    channel: ChannelName
    enabled: bool = False
    provider: str = Field(default="", max_length=20)
    config: dict[str, str | Count] = Field(default_factory=dict)
    secrets: dict[str, str] = Field(default_factory=dict)
    webhook_url: str = Field(default="", max_length=500)
    clear_secrets: list[str] = Field(default_factory=list, max_length=10)


class ChannelOut(BaseModel):
    channel: str
    enabled: bool
    provider: str
    config: dict[str, Any]
    secrets_set: list[str]
    updated_at: datetime | None = None


class TestMessageIn(BaseModel):
    channel: ChannelName
    recipient: str = Field(default="", max_length=254)


class TemplateIn(BaseModel):
    kind: str = Field(max_length=40)
    language: Literal["zh-CN", "en", "ja"]
    subject: str = Field(max_length=20_000)
    body: str = Field(max_length=20_000)
    sms: str = Field(max_length=20_000)


class TemplateOut(BaseModel):
    kind: str
    language: str
    subject: str
    body: str
    sms: str
    customised: bool


class TemplateReset(BaseModel):
    kind: str = Field(max_length=40)
    language: Literal["zh-CN", "en", "ja"]


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    number: int
    started_at: datetime
    finished_at: datetime | None
    status: str
    retryable: bool
    error: str
    provider_code: str
    http_status: int | None


class OutboxOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    channel: str
    kind: str
    recipient: str
    recipient_label: str
    language: str
    subject: str
    status: str
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    last_error: str
    provider_message_id: str
    sent_at: datetime | None
    created_at: datetime
    related_type: str
    related_id: int | None
    opening_id: int | None
    resend_of_id: int | None


class OutboxDetail(OutboxOut):
    body_text: str
    attempts_log: list[AttemptOut]


class OutboxPage(BaseModel):
    total: int
    counts: dict[str, dict[str, int]]
    items: list[OutboxOut]
