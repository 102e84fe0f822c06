"""The HTTP meeting providers: Tencent Meeting, Zoom, Microsoft Teams and Feishu/Lark.

Each follows its provider's documented request and answer; base URLs come from the company's
settings (private deployments, Lark's international host, and tests point them elsewhere).

- Tencent Meeting REST API: every request is signed with the app's SecretKey (headers
  X-TC-Key, X-TC-Timestamp, X-TC-Nonce, X-TC-Signature = base64 of the hex HMAC-SHA256 of
  ``method\\nX-TC-Key=..&X-TC-Nonce=..&X-TC-Timestamp=..\\nURI\\nbody``); POST /v1/meetings,
  cancel with POST /v1/meetings/{id}/cancel.
- Zoom: Server-to-Server OAuth (POST /oauth/token, grant_type=account_credentials, Basic
  client id:secret), then POST /v2/users/{user}/meetings; DELETE /v2/meetings/{id}.
- Teams: Microsoft Graph client-credentials token (POST /{tenant}/oauth2/v2.0/token, scope
  https://graph.microsoft.com/.default), then POST /v1.0/users/{id}/onlineMeetings;
  DELETE the same path with the meeting's id.
- Feishu/Lark: POST /open-apis/auth/v3/tenant_access_token/internal, then reserve a meeting
  (POST /open-apis/vc/v1/reserves/apply); DELETE /open-apis/vc/v1/reserves/{id}.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from abc import ABC, abstractmethod
from datetime import UTC
from typing import Any
from urllib.parse import quote

from hireflow.scheduling.meetings.base import (
    SPECS,
    MeetingError,
    MeetingLink,
    MeetingRequest,
    option,
)
from hireflow.scheduling.meetings.http import TOKENS, body_bytes, call, timeout_of


class _HttpProvider:
    """Settings and secrets of one company for one provider."""

    name = ""

    def __init__(self, config: dict[str, Any], secret: dict[str, str]) -> None:
        spec = SPECS[self.name]
        missing = [k for k in spec.required if not (config.get(k) or secret.get(k))]
        if missing:
            raise MeetingError("not_configured", self.name, ", ".join(missing))
        self.config = config
        self.secret = secret
        self.timeout = timeout_of(config)

    def opt(self, key: str) -> str:
        return option(self.config, SPECS[self.name], key)

    def url(self, key: str, path: str) -> str:
        return self.opt(key).rstrip("/") + path

    def link(self, info: Any, url: str, meeting_id: str, code: str, password: str) -> MeetingLink:
        """The MeetingLink from the provider's answer ``info`` (its own field names); an
        answer without a join link is a refusal."""
        info = info if isinstance(info, dict) else {}
        if not info.get(url):
            raise MeetingError("refused", self.name, f"no {url} in the answer")
        found = {k: str(info.get(k) or "") for k in (meeting_id, code, password)}
        return MeetingLink(
            url=str(info[url]),
            provider=self.name,
            external_id=found[meeting_id],
            join_code=found[code],
            password=found[password],
        )


# --------------------------------------------------------------------------- Tencent Meeting


def tencent_signature(
    secret_key: str, method: str, secret_id: str, nonce: str, timestamp: str, uri: str, body: str
) -> str:
    """X-TC-Signature: base64 of the lower-case hex HMAC-SHA256 (as Tencent documents)."""
    header = f"X-TC-Key={secret_id}&X-TC-Nonce={nonce}&X-TC-Timestamp={timestamp}"
    text = f"{method}\n{header}\n{uri}\n{body}"
    digest = hmac.new(secret_key.encode(), text.encode("utf-8"), hashlib.sha256).hexdigest()
    return base64.b64encode(digest.encode()).decode()


def _tencent_detail(data: dict[str, Any]) -> str:
    info = data.get("error_info") or {}
    if not isinstance(info, dict):
        return ""
    code = info.get("new_error_code") or info.get("error_code") or ""
    return f"{code} {info.get('message') or ''}".strip()


class TencentMeetingProvider(_HttpProvider):
    name = "tencent"

    def _send(self, method: str, uri: str, body: dict[str, Any] | None) -> dict[str, Any]:
        content = body_bytes(body) if body is not None else b""
        nonce, timestamp = str(secrets.randbelow(10**9) + 1), str(int(time.time()))
        secret_id = self.opt("secret_id")
        headers = {
            "X-TC-Key": secret_id,
            "X-TC-Timestamp": timestamp,
            "X-TC-Nonce": nonce,
            "X-TC-Signature": tencent_signature(
                self.secret.get("secret_key", ""),
                method,
                secret_id,
                nonce,
                timestamp,
                uri,
                content.decode("utf-8"),
            ),
            "AppId": self.opt("app_id"),
            "X-TC-Registered": "1",
            "Content-Type": "application/json",
        }
        if self.opt("sdk_id"):
            headers["SdkId"] = self.opt("sdk_id")
        return call(
            self.name,
            method,
            self.url("base_url", uri),
            timeout=self.timeout,
            headers=headers,
            content=content if body is not None else None,
            detail=_tencent_detail,
        )

    def create(self, request: MeetingRequest) -> MeetingLink:
        data = self._send(
            "POST",
            "/v1/meetings",
            {
                "userid": self.opt("userid"),
                "instanceid": 1,
                "subject": request.topic,
                "type": 0,  # a scheduled meeting
                "start_time": str(int(request.start.timestamp())),
                "end_time": str(int(request.end.timestamp())),
            },
        )
        meetings = data.get("meeting_info_list")
        first = meetings[0] if isinstance(meetings, list) and meetings else {}
        return self.link(first, "join_url", "meeting_id", "meeting_code", "password")

    def cancel(self, external_id: str) -> None:
        self._send(
            "POST",
            f"/v1/meetings/{quote(external_id, safe='')}/cancel",
            {"userid": self.opt("userid"), "instanceid": 1, "reason_code": 1},
        )


# --------------------------------------------------------------------------- tokens


def _bearer(provider: _HttpProvider, token_url: str, fetch: Any, field: str) -> str:
    """A cached access token, else one fetched with ``fetch()`` (its ``field``)."""
    key = (provider.name, token_url, provider.opt("client_id") or provider.opt("app_id"))
    now = time.monotonic()
    token = TOKENS.get(key, now)
    if token:
        return token
    data = fetch()
    token = str(data.get(field) or "")
    if not token:
        raise MeetingError("auth", provider.name, "no access token in the answer")
    TOKENS.put(key, token, data.get("expires_in") or data.get("expire"), now)
    return token


def _oauth_detail(data: dict[str, Any]) -> str:
    for key in ("reason", "error_description", "message", "msg", "error"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:160]
        if isinstance(value, dict) and value.get("message"):
            return str(value["message"])[:160]
    return ""


# --------------------------------------------------------------------------- Zoom


class _OAuthProvider(_HttpProvider, ABC):
    """A provider whose API takes an OAuth bearer token (Zoom, Teams)."""

    @abstractmethod
    def _token(self) -> str:
        """A bearer token for the provider's API (cached until shortly before it expires)."""

    def _authorised(self, method: str, url: str, body: dict[str, Any] | None = None) -> Any:
        return call(
            self.name,
            method,
            url,
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {self._token()}"},
            content=body_bytes(body) if body is not None else None,
            detail=_oauth_detail,
        )

    def _client_token(self, url: str, post_to: str = "", **grant: Any) -> str:
        """The cached access token of the client-credentials endpoint ``url``, else one asked
        for by posting ``grant`` (credentials as ``auth`` or ``form``) to it (to ``post_to``
        when the grant travels in the query)."""
        return _bearer(
            self,
            url,
            lambda: call(
                self.name,
                "POST",
                post_to or url,
                timeout=self.timeout,
                detail=_oauth_detail,
                **grant,
            ),
            "access_token",
        )


class ZoomProvider(_OAuthProvider):
    name = "zoom"

    def _token(self) -> str:
        url = self.url("oauth_url", "/oauth/token")
        return self._client_token(
            url,
            f"{url}?grant_type=account_credentials&account_id={quote(self.opt('account_id'))}",
            auth=(self.opt("client_id"), self.secret.get("client_secret", "")),
        )

    def create(self, request: MeetingRequest) -> MeetingLink:
        user = quote(self.opt("user_id") or "me", safe="@.")
        body: dict[str, Any] = {
            "topic": request.topic[:200],
            "type": 2,  # a scheduled meeting
            "start_time": request.start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "duration": request.duration_minutes,
            "timezone": request.timezone,
            "settings": {"join_before_host": False, "waiting_room": True},
        }
        if request.attendees:
            body["settings"]["meeting_invitees"] = [{"email": a} for a in request.attendees]
        data = self._authorised("POST", self.url("base_url", f"/v2/users/{user}/meetings"), body)
        # Zoom's meeting ID is also what attendees type to join; start_url (the host's
        # link, valid for two hours) is not kept.
        return self.link(data, "join_url", "id", "id", "password")

    def cancel(self, external_id: str) -> None:
        self._authorised(
            "DELETE", self.url("base_url", f"/v2/meetings/{quote(external_id, safe='')}")
        )


# --------------------------------------------------------------------------- Teams


class TeamsProvider(_OAuthProvider):
    name = "teams"

    def _token(self) -> str:
        url = self.url("login_url", f"/{quote(self.opt('tenant'), safe='')}/oauth2/v2.0/token")
        return self._client_token(
            url,
            form={
                "client_id": self.opt("client_id"),
                "client_secret": self.secret.get("client_secret", ""),
                "scope": "https://graph.microsoft.com/.default",
                "grant_type": "client_credentials",
            },
        )

    def _path(self, suffix: str = "") -> str:
        user = quote(self.opt("user_id"), safe="@.")
        return self.url("base_url", f"/v1.0/users/{user}/onlineMeetings{suffix}")

    def create(self, request: MeetingRequest) -> MeetingLink:
        body: dict[str, Any] = {
            "subject": request.topic,
            "startDateTime": request.start.astimezone(UTC).isoformat(),
            "endDateTime": request.end.astimezone(UTC).isoformat(),
        }
        if request.attendees:
            body["participants"] = {"attendees": [{"upn": a} for a in request.attendees]}
        data = self._authorised("POST", self._path(), body)
        join = data.get("joinMeetingIdSettings")
        flat = {**data, **(join if isinstance(join, dict) else {})}
        return self.link(flat, "joinWebUrl", "id", "joinMeetingId", "passcode")

    def cancel(self, external_id: str) -> None:
        self._authorised("DELETE", self._path("/" + quote(external_id, safe="")))


# --------------------------------------------------------------------------- Feishu / Lark


class FeishuProvider(_HttpProvider):
    name = "feishu"

    def _api(self, method: str, path: str, body: dict[str, Any] | None, token: str = "") -> Any:
        data = call(
            self.name,
            method,
            self.url("base_url", path),
            timeout=self.timeout,
            headers={"Authorization": f"Bearer {token}"} if token else None,
            content=body_bytes(body) if body is not None else None,
            detail=_oauth_detail,
        )
        # Feishu answers HTTP 200 with a non-zero "code" for most refusals.
        code = data.get("code", 0)
        if code not in (0, None):
            kind = "auth" if code in (99991663, 99991664, 99991661, 10014) else "refused"
            raise MeetingError(kind, self.name, f"{code} {data.get('msg') or ''}".strip())
        return data

    def _token(self) -> str:
        path = "/open-apis/auth/v3/tenant_access_token/internal"
        return _bearer(
            self,
            self.url("base_url", path),
            lambda: self._api(
                "POST",
                path,
                {"app_id": self.opt("app_id"), "app_secret": self.secret.get("app_secret", "")},
            ),
            "tenant_access_token",
        )

    def create(self, request: MeetingRequest) -> MeetingLink:
        data = self._api(
            "POST",
            "/open-apis/vc/v1/reserves/apply?user_id_type=open_id",
            {
                # A reservation holds its meeting number until it ends.
                "end_time": str(int(request.end.timestamp())),
                "owner_id": self.opt("owner_id"),
                "meeting_settings": {"topic": request.topic[:255]},
            },
            self._token(),
        )
        reserve = (data.get("data") or {}).get("reserve")
        return self.link(reserve, "url", "id", "meeting_no", "password")

    def cancel(self, external_id: str) -> None:
        self._api(
            "DELETE",
            f"/open-apis/vc/v1/reserves/{quote(external_id, safe='')}",
            None,
            self._token(),
        )


HTTP_PROVIDERS: dict[str, type[_HttpProvider]] = {
    p.name: p for p in (TencentMeetingProvider, ZoomProvider, TeamsProvider, FeishuProvider)
}
