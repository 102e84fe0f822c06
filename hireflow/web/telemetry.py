"""The technical log (SPEC A3): browser problems IT can read without seeing personal data."""

from __future__ import annotations

import re
from typing import Any, Literal, get_args
from urllib.parse import urlparse

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from hireflow.core.audit import ClientEvent, scrub
from hireflow.core.permissions import Principal

_ALLOWED_DETAIL_KEYS = frozenset(
    {
        "camera",
        "microphone",
        "network_ms",
        "screen",
        "code",
        "line",
        "column",
        "step",
        "http_status",
    }
)


EventKind = Literal[
    "js_error",
    "unsupported_browser",
    "device_check",
    "media_error",
    "network_error",
    "upload_failed",
    "login_problem",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)


class ClientEventIn(BaseModel):
    kind: EventKind
    message: str = Field(default="", max_length=2000)
    page: str = Field(default="", max_length=2000)
    details: dict[str, Any] = Field(default_factory=dict)

    @field_validator("details")
    @classmethod
    def _small_details(cls, value: dict[str, Any]) -> dict[str, Any]:
        # Only known, non-personal keys with short scalar values survive.
        return {
            key: (item if isinstance(item, bool | int | float) else str(item)[:100])
            for key, item in value.items()
            if key in _ALLOWED_DETAIL_KEYS
        }


_SECRET_SEGMENT = re.compile(r"^[A-Za-z0-9_.~=-]{20,}$")


def _generic_path(path: str) -> str:
    """Drop path segments that look like personal link tokens (e.g. ``/i/<token>``)."""
    return "/".join("…" if _SECRET_SEGMENT.match(part) else part for part in path.split("/"))


# (name, pattern) in order of precedence: Edge and the in-app browsers also say "Chrome".
_BROWSERS = (
    ("Edge", r"Edg/(\d+)"),
    ("WeChat", r"MicroMessenger/(\d+)"),
    ("DingTalk", r"DingTalk/(\d+)"),
    ("Chrome", r"(?:Chrome|Chromium)/(\d+)"),
    ("Firefox", r"Firefox/(\d+)"),
    ("Safari", r"Version/(\d+).*Safari"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("macOS", r"Mac OS X"),
    ("Linux", r"Linux"),
)


def _first(patterns: tuple[tuple[str, str], ...], text: str) -> tuple[str, re.Match[str]] | None:
    for name, pattern in patterns:
        match = re.search(pattern, text)
        if match:
            return name, match
    return None


def parse_user_agent(user_agent: str) -> tuple[str, str, str]:
    """(browser with major version, operating system, device class) from a User-Agent."""
    ua = user_agent or ""
    found = _first(_BROWSERS, ua)
    browser = f"{found[0]} {found[1].group(1)}" if found else "other"
    found = _first(_SYSTEMS, ua)
    system = found[0] if found else "other"
    device = (
        "tablet"
        if re.search(r"iPad|Tablet", ua)
        else ("phone" if re.search(r"Mobile|iPhone|Android", ua) else "desktop")
    )
    return browser, system, device


def record_client_event(
    session: Session, data: ClientEventIn, user_agent: str, principal: Principal | None
) -> ClientEvent:
    browser, system, device = parse_user_agent(user_agent)
    page = _generic_path(urlparse(data.page).path)[:300] if data.page else ""
    event = ClientEvent(
        tenant_id=principal.tenant_id if principal else None,
        kind=data.kind,
        message=scrub(data.message)[:1000],
        page=scrub(page),
        browser=browser,
        os=system,
        device=device,
        user_agent=scrub(user_agent)[:400],
        details=data.details or None,
    )
    session.add(event)
    session.commit()
    return event
