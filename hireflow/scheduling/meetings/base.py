"""What every meeting provider is: a request in, a link out, and the errors they answer.

A provider makes the meeting a booking's invitation links to (SPEC H2: paste or generate a
link for Tencent Meeting, Zoom, Teams, Feishu, or the product's own live room). It is plain
I/O with no session of scheduling's: :mod:`hireflow.scheduling.meetings.service` decides when
it is called and stores what it answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from hireflow.core.errors import N_

# The choices a company has; "pasted" (the invitation's pasted link or the company's
# template) is the default and needs nothing.
PROVIDERS = ("pasted", "hireflow_live", "tencent", "zoom", "teams", "feishu")
PROVIDER_LABELS = {
    "pasted": N_("Pasted link or address template"),
    "hireflow_live": N_("Hireflow live room"),
    "tencent": N_("Tencent Meeting"),
    "zoom": N_("Zoom"),
    "teams": N_("Microsoft Teams"),
    "feishu": N_("Feishu / Lark"),
}

# What the settings page calls each setting (the API and the stored settings use the keys).
FIELD_LABELS = {
    "app_id": N_("App ID"),
    "secret_id": N_("SecretId"),
    "secret_key": N_("SecretKey"),
    "sdk_id": N_("SDK ID"),
    "userid": N_("Host's user ID"),
    "user_id": N_("Host's user ID or e-mail"),
    "account_id": N_("Account ID"),
    "client_id": N_("Client ID"),
    "client_secret": N_("Client secret"),
    "tenant": N_("Directory (tenant) ID"),
    "owner_id": N_("Organiser's user ID"),
    "app_secret": N_("App secret"),
    "base_url": N_("API address"),
    "oauth_url": N_("Sign-in (OAuth) address"),
    "login_url": N_("Sign-in address"),
    "timeout_seconds": N_("Timeout in seconds (1-30)"),
}

# What HR sees when a provider could not make the meeting (``MeetingError.code``).
ERROR_MESSAGES = {
    "not_configured": N_("The meeting provider is chosen but its credentials are missing."),
    "auth": N_("The meeting provider refused the company's credentials."),
    "rate_limited": N_("The meeting provider is limiting requests; try again later."),
    "unavailable": N_("The meeting provider could not be reached or failed."),
    "refused": N_("The meeting provider refused to create the meeting."),
}


@dataclass(frozen=True)
class MeetingRequest:
    """One meeting to make: what it is called, when, for how long, in which zone, who comes.

    ``booking_id`` lets a provider that keeps its own records (the live room) find them."""

    topic: str
    start: datetime
    duration_minutes: int
    timezone: str
    attendees: tuple[str, ...] = ()
    booking_id: int = 0

    @property
    def end(self) -> datetime:
        return self.start + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class MeetingLink:
    """A made meeting: the link attendees open, and what identifies it at the provider.

    ``host_url`` is a link for the panel when it differs from the attendees' (the live
    room's staff page); ``join_code`` and ``password`` are shown next to the link."""

    url: str
    provider: str
    external_id: str = ""
    join_code: str = ""
    password: str = ""
    host_url: str = ""


class MeetingError(Exception):
    """A provider could not make (or cancel) a meeting; ``code`` is a key of
    :data:`ERROR_MESSAGES`, ``detail`` the provider's own words or the HTTP status (never a
    secret: providers do not echo credentials)."""

    def __init__(self, code: str, provider: str, detail: str = "") -> None:
        super().__init__(f"{provider}: {code}: {detail}")
        self.code = code
        self.provider = provider
        self.detail = detail[:200]

    @property
    def summary(self) -> str:
        """Stored with the booking: ``code|detail`` (translated when shown)."""
        return f"{self.code}|{self.detail}"[:300]


class MeetingProvider(Protocol):
    """Makes meetings; ``cancel`` is a no-op where the provider's API has none."""

    name: str

    def create(self, request: MeetingRequest) -> MeetingLink: ...

    def cancel(self, external_id: str) -> None: ...


@dataclass(frozen=True)
class ProviderSpec:
    """What a company fills in for a provider: settings shown back, secrets never shown."""

    config: tuple[str, ...] = ()
    secrets: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    defaults: dict[str, str] | None = None


SPECS: dict[str, ProviderSpec] = {
    "pasted": ProviderSpec(),
    "hireflow_live": ProviderSpec(),
    "tencent": ProviderSpec(
        config=("app_id", "secret_id", "sdk_id", "userid", "base_url", "timeout_seconds"),
        secrets=("secret_key",),
        required=("app_id", "secret_id", "userid", "secret_key"),
        defaults={"base_url": "https://api.meeting.qq.com"},
    ),
    "zoom": ProviderSpec(
        config=("account_id", "client_id", "user_id", "base_url", "oauth_url", "timeout_seconds"),
        secrets=("client_secret",),
        required=("account_id", "client_id", "client_secret"),
        defaults={
            "base_url": "https://api.zoom.us",
            "oauth_url": "https://zoom.us",
            "user_id": "me",
        },
    ),
    "teams": ProviderSpec(
        config=("tenant", "client_id", "user_id", "base_url", "login_url", "timeout_seconds"),
        secrets=("client_secret",),
        required=("tenant", "client_id", "user_id", "client_secret"),
        defaults={
            "base_url": "https://graph.microsoft.com",
            "login_url": "https://login.microsoftonline.com",
        },
    ),
    "feishu": ProviderSpec(
        config=("app_id", "owner_id", "base_url", "timeout_seconds"),
        secrets=("app_secret",),
        required=("app_id", "owner_id", "app_secret"),
        defaults={"base_url": "https://open.feishu.cn"},
    ),
}


def option(config: dict[str, Any], spec: ProviderSpec, key: str) -> str:
    """A setting, else the provider's default (base URLs), else ""."""
    value = str(config.get(key) or "").strip()
    return value or (spec.defaults or {}).get(key, "")


def meeting_view(booking: Any) -> dict[str, str] | None:
    """What HR's invitation page shows of a booking's generated meeting (None for pasted
    links): status, provider label and error as msgids the page translates, the panel's link
    (never the candidate's own room link), the join code and the provider's words."""
    status = getattr(booking, "meeting_status", "") if booking is not None else ""
    if not status or status == "cancelled":
        return None
    code, _sep, detail = (booking.meeting_error or "").partition("|")
    provider = booking.meeting_provider
    return {
        "status": status,
        "label": PROVIDER_LABELS.get(provider, provider) if provider else "",
        "link": booking.meeting_host_url or booking.meeting_url,
        "code": booking.meeting_code,
        "error": ERROR_MESSAGES.get(code, ERROR_MESSAGES["unavailable"]) if code else "",
        "detail": detail,
    }
