"""One JSON request to a meeting provider, its failures mapped to :class:`MeetingError`.

401/403 are the credentials, 429 a rate limit, 5xx and transport failures the provider being
unavailable, any other 4xx a refusal; the provider's own message goes into the detail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from hireflow.notifications.providers._http import json_of
from hireflow.scheduling.meetings.base import MeetingError

DEFAULT_TIMEOUT = 10.0


def timeout_of(config: Mapping[str, Any]) -> float:
    """The company's timeout (1-30 s), else 10 s: the worker waits, never a request."""
    try:
        value = float(config.get("timeout_seconds") or DEFAULT_TIMEOUT)
    except (TypeError, ValueError):
        return DEFAULT_TIMEOUT
    return min(max(value, 1.0), 30.0)


def body_bytes(body: Any) -> bytes:
    """Compact UTF-8 JSON, the exact bytes sent (a signature covers them)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def call(
    provider: str,
    method: str,
    url: str,
    *,
    timeout: float,
    headers: Mapping[str, str] | None = None,
    content: bytes | None = None,
    form: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
    detail: Callable[[dict[str, Any]], str] = lambda _data: "",
) -> dict[str, Any]:
    """Send one request; the JSON object answered (``{}`` for an empty body) or an error."""
    kwargs: dict[str, Any] = {"headers": dict(headers or {}), "timeout": timeout}
    if content is not None:
        kwargs["content"] = content
        kwargs["headers"].setdefault("Content-Type", "application/json; charset=utf-8")
    if form is not None:
        kwargs["data"] = dict(form)
    if auth is not None:
        kwargs["auth"] = auth
    try:
        response = httpx.request(method, url, **kwargs)
    except httpx.TimeoutException:
        raise MeetingError("unavailable", provider, "timeout") from None
    except httpx.TransportError as exc:
        raise MeetingError("unavailable", provider, type(exc).__name__) from None
    data = json_of(response)
    if response.status_code < 400:
        return data
    status = response.status_code
    text = f"HTTP {status}" + (f" {detail(data)}" if detail(data) else "")
    if status in (401, 403):
        raise MeetingError("auth", provider, text)
    if status == 429:
        raise MeetingError("rate_limited", provider, text)
    if status >= 500:
        raise MeetingError("unavailable", provider, text)
    raise MeetingError("refused", provider, text)


class TokenCache:
    """Access tokens by (provider, token URL, client id) until a minute before they expire:
    Zoom, Teams and Feishu tokens last an hour or two, a booking needs one request."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], tuple[str, float]] = {}

    def get(self, key: tuple[str, str, str], now: float) -> str | None:
        found = self._tokens.get(key)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def put(self, key: tuple[str, str, str], token: str, expires_in: Any, now: float) -> None:
        try:
            seconds = float(expires_in)
        except (TypeError, ValueError):
            seconds = 0.0
        if seconds > 120:
            self._tokens[key] = (token, now + seconds - 60)

    def drop(self, key: tuple[str, str, str]) -> None:
        self._tokens.pop(key, None)


TOKENS = TokenCache()
