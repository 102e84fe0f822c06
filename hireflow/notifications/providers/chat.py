"""Group robots of the chat apps: DingTalk (钉钉), WeCom (企业微信) and Feishu/Lark (飞书).

* DingTalk custom robot: ``POST {base}/robot/send?access_token=T&timestamp=ms&sign=S`` where
  ``S = urlencode(base64(HMAC-SHA256(key=secret, msg=f"{timestamp}\\n{secret}")))`` and the
  timestamp is in milliseconds; DingTalk refuses a timestamp more than an hour off.
* WeCom group robot: ``POST {base}/cgi-bin/webhook/send?key=KEY``; the key in the webhook
  URL is the only credential (no signature exists for this robot).
* Feishu custom bot: ``POST {base}/open-apis/bot/v2/hook/{token}`` with ``timestamp`` (seconds)
  and ``sign`` in the JSON body, where ``sign = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}",
  msg=b""))``: note the string to sign is the *key* and the message is empty, the reverse of
  DingTalk. Also valid within an hour.

All three answer HTTP 200 with an error code in the body (``errcode`` for DingTalk and WeCom,
``code`` for Feishu); throttling codes are retryable, the rest of the non-zero codes are
permanent. None returns a message id for robot posts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar, TypedDict, Unpack

import httpx

from hireflow.notifications.channels import DeliveryResult, Notification, NotificationError
from hireflow.notifications.providers._http import json_of, refused_with_number, request

__all__ = [
    "DingTalkRobotChannel",
    "FeishuBotChannel",
    "WeComRobotChannel",
    "dingtalk_sign",
    "feishu_sign",
]


def dingtalk_sign(timestamp_ms: int, secret: str) -> str:
    """DingTalk's ``sign`` before URL encoding (httpx encodes query values)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def feishu_sign(timestamp_s: int, secret: str) -> str:
    """Feishu's ``sign``: HMAC-SHA256 keyed with ``"timestamp\\nsecret"`` over an empty message."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def _truncate_utf8(text: str, limit: int) -> str:
    """At most ``limit`` UTF-8 bytes, cut on a character boundary."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[: limit - 3].decode("utf-8", errors="ignore") + "..."


def _markdown(message: Notification) -> str:
    title = message.subject.strip()
    return f"### {title}\n\n{message.text.strip()}" if title else message.text.strip()


def _clock_or_now(clock: Callable[[], datetime] | None) -> Callable[[], datetime]:
    return clock or (lambda: datetime.now(UTC))


def _robot_result(
    channel: str,
    response: httpx.Response,
    code_key: str,
    message_key: str,
    retryable_codes: frozenset[int],
    provider: str,
) -> DeliveryResult:
    body: dict[str, Any] = json_of(response)
    code = body.get(code_key)
    if code is None and code_key == "code":
        code = body.get("StatusCode")  # Feishu's older webhook answers
    if response.status_code == 200 and code == 0:
        return DeliveryResult.sent(channel, None, http_status=200)
    detail = str(body.get(message_key) or body.get("StatusMessage") or "")
    return refused_with_number(channel, response, provider, code, detail, retryable_codes)


class _Connection(TypedDict, total=False):
    base_url: str  # the provider's own address unless given (a proxy, a test server)
    timeout: float
    client: httpx.Client | None


class _Signed(_Connection, total=False):
    secret: str | None  # the robot's signing secret, when its security setting uses one
    clock: Callable[[], datetime] | None


class _Robot:
    """What the three chat robots share: a webhook token, an optional signing secret, and a
    POST whose JSON reply carries the provider's own error code."""

    name: str
    RETRYABLE: ClassVar[frozenset[int]]
    BASE_URL: ClassVar[str]
    CREDENTIAL: ClassVar[str]  # what the webhook token is called, for errors

    def __init__(
        self,
        token: str,
        *,
        secret: str | None = None,
        base_url: str | None = None,
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if not token:
            raise NotificationError(
                "invalid_channel_config", detail=f"{self.CREDENTIAL} is required"
            )
        self._token = token
        self._secret = secret
        self.base_url = (self.BASE_URL if base_url is None else base_url).rstrip("/")
        self.timeout = timeout
        self.client = client
        self._clock = _clock_or_now(clock)

    def _post(
        self, path: str, body: dict[str, Any], reply: tuple[str, str, str], **params: str
    ) -> DeliveryResult:
        """POST ``body``; ``reply`` names the code and message fields and the provider."""
        response = request(
            self.name,
            "POST",
            f"{self.base_url}{path}",
            client=self.client,
            timeout=self.timeout,
            params=params or None,
            json_body=body,
        )
        if isinstance(response, DeliveryResult):
            return response
        code, text, provider = reply
        return _robot_result(self.name, response, code, text, self.RETRYABLE, provider)


class DingTalkRobotChannel(_Robot):
    """DingTalk custom robot (自定义机器人) with the "加签" (signature) security setting."""

    name = "dingtalk"
    # -1 system busy; 130101 sending too fast (20 messages a minute per robot).
    RETRYABLE: ClassVar[frozenset[int]] = frozenset({-1, 130101})
    BASE_URL = "https://oapi.dingtalk.com"
    CREDENTIAL = "access token"

    def __init__(self, *, access_token: str, **options: Unpack[_Signed]) -> None:
        super().__init__(access_token, **options)

    def payload(self, message: Notification) -> dict[str, Any]:
        return {
            "msgtype": "markdown",
            "markdown": {
                "title": message.subject or message.text[:30],
                "text": _truncate_utf8(_markdown(message), 20000),
            },
        }

    def send(self, message: Notification) -> DeliveryResult:
        params = {"access_token": self._token}
        if self._secret:
            timestamp = int(self._clock().timestamp() * 1000)
            params["timestamp"] = str(timestamp)
            params["sign"] = dingtalk_sign(timestamp, self._secret)
        reply = ("errcode", "errmsg", "DingTalk")
        return self._post("/robot/send", self.payload(message), reply, **params)


class WeComRobotChannel(_Robot):
    """WeCom group robot (群机器人)."""

    name = "wecom"
    # -1 system busy; 45009 API frequency limit (20 messages a minute per robot).
    RETRYABLE: ClassVar[frozenset[int]] = frozenset({-1, 45009})
    BASE_URL = "https://qyapi.weixin.qq.com"
    CREDENTIAL = "webhook key"

    def __init__(self, *, key: str, **options: Unpack[_Connection]) -> None:
        super().__init__(key, **options)

    def payload(self, message: Notification) -> dict[str, Any]:
        # Markdown content is limited to 4096 bytes of UTF-8.
        return {
            "msgtype": "markdown",
            "markdown": {"content": _truncate_utf8(_markdown(message), 4096)},
        }

    def send(self, message: Notification) -> DeliveryResult:
        reply = ("errcode", "errmsg", "WeCom")
        return self._post("/cgi-bin/webhook/send", self.payload(message), reply, key=self._token)


class FeishuBotChannel(_Robot):
    """Feishu / Lark custom bot (自定义机器人) with signature verification enabled."""

    name = "feishu"
    # 11232: frequency limited (100 a minute, 5 a second per bot).
    RETRYABLE: ClassVar[frozenset[int]] = frozenset({11232})
    BASE_URL = "https://open.feishu.cn"
    CREDENTIAL = "hook token"

    def __init__(self, *, hook_token: str, **options: Unpack[_Signed]) -> None:
        super().__init__(hook_token, **options)

    def payload(self, message: Notification) -> dict[str, Any]:
        lang = (
            "zh_cn"
            if message.language.lower().startswith("zh")
            else ("ja_jp" if message.language.lower().startswith("ja") else "en_us")
        )
        lines = [[{"tag": "text", "text": line}] for line in message.text.strip().splitlines()]
        body: dict[str, Any] = {
            "msg_type": "post",
            "content": {"post": {lang: {"title": message.subject, "content": lines}}},
        }
        if self._secret:
            timestamp = int(self._clock().timestamp())
            body = {
                "timestamp": str(timestamp),
                "sign": feishu_sign(timestamp, self._secret),
                **body,
            }
        return body

    def send(self, message: Notification) -> DeliveryResult:
        reply = ("code", "msg", "Feishu")
        return self._post(f"/open-apis/bot/v2/hook/{self._token}", self.payload(message), reply)
