"""Shared HTTP plumbing for the provider channels: one request, transport errors mapped to
retryable results, JSON decoded defensively."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

import httpx

from hireflow.notifications.channels import DeliveryResult


def request(
    channel: str,
    method: str,
    url: str,
    *,
    client: httpx.Client | None,
    timeout: float,
    params: Mapping[str, str] | None = None,
    json_body: Any = None,
    form: Mapping[str, str] | None = None,
    auth: tuple[str, str] | None = None,
) -> httpx.Response | DeliveryResult:
    """Send one request; a transport failure comes back as a retryable DeliveryResult."""
    own = client is None
    http = client or httpx.Client(timeout=timeout)
    try:
        kwargs: dict[str, Any] = {"params": params, "timeout": timeout}
        if json_body is not None:
            # Sent as compact UTF-8 JSON exactly as the providers' examples show.
            kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json; charset=utf-8"}
        if form is not None:
            kwargs["data"] = dict(form)
        if auth is not None:
            kwargs["auth"] = auth
        return http.request(method, url, **kwargs)
    except httpx.TimeoutException:
        return DeliveryResult.failed(channel, "timeout waiting for the provider", retryable=True)
    except httpx.TransportError as exc:
        return DeliveryResult.failed(
            channel, f"could not reach the provider ({type(exc).__name__})", retryable=True
        )
    finally:
        if own:
            http.close()


def json_of(response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object, or ``{}`` when it is not one."""
    try:
        data = response.json()
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds (dates are ignored)."""
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def refused(
    channel: str,
    response: httpx.Response,
    summary: str,
    detail: str,
    *,
    retryable: bool,
    provider_code: str | None,
) -> DeliveryResult:
    """A provider's answer that the message was not taken: ``summary`` (the provider and its
    code) and its own words, else the HTTP status; any ``Retry-After`` is kept."""
    return DeliveryResult.failed(
        channel,
        f"{summary}: {detail or f'HTTP {response.status_code}'}",
        retryable=retryable,
        provider_code=provider_code,
        http_status=response.status_code,
        retry_after=retry_after(response),
    )


def refused_with_number(
    channel: str,
    response: httpx.Response,
    provider: str,
    code: object,
    detail: str,
    retryable_codes: Collection[int],
) -> DeliveryResult:
    """``refused`` for providers whose errors are numbers: retried on a server error, on 429
    and on the codes the provider documents as temporary."""
    number = code if isinstance(code, int) else None
    retryable = response.status_code >= 500 or response.status_code == 429
    return refused(
        channel,
        response,
        f"{provider} {number if number is not None else response.status_code}",
        detail,
        retryable=retryable or number in retryable_codes,
        provider_code=str(number) if number is not None else None,
    )
