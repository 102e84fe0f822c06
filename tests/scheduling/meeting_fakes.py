"""A local HTTP server that behaves like the meeting providers' APIs.

It checks each request as the provider documents it, written here independently of the
production code (a wrong signature or body shape in production fails the tests): Tencent
Meeting's X-TC-* headers and signature (base64 of the hex HMAC-SHA256 of
``method\\nX-TC-Key=..&X-TC-Nonce=..&X-TC-Timestamp=..\\nURI\\nbody``, fresh timestamp, nonce
not reused), Zoom's Server-to-Server OAuth (Basic client id:secret, account_credentials grant)
and bearer token, Microsoft Graph's client-credentials form and bearer token, Feishu's
tenant_access_token and bearer token. It answers with the providers' own success and error
shapes; ``fail`` makes a path answer an error, ``delay`` makes every answer late.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TENCENT = {"app_id": "200000001", "secret_id": "AKIDtestid", "userid": "hr-owner"}
TENCENT_SECRET = "tencent-secret-key"
ZOOM = {"account_id": "acc-123", "client_id": "zoom-client"}
ZOOM_SECRET = "zoom-client-secret"
TEAMS = {"tenant": "contoso.onmicrosoft.com", "client_id": "teams-app", "user_id": "organizer-1"}
TEAMS_SECRET = "teams-client-secret"
FEISHU = {"app_id": "cli_test", "owner_id": "ou_owner"}
FEISHU_SECRET = "feishu-app-secret"


@dataclass
class State:
    received: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    fail: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    delay: float = 0.0
    tokens_issued: int = 0
    created: int = 0
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def paths(self, method: str | None = None) -> list[str]:
        return [p for m, p, _ in self.received if method is None or m == method]


def tencent_expected(method: str, headers: Any, uri: str, body: str) -> str:
    text = (
        f"{method}\nX-TC-Key={headers['X-TC-Key']}&X-TC-Nonce={headers['X-TC-Nonce']}"
        f"&X-TC-Timestamp={headers['X-TC-Timestamp']}\n{uri}\n{body}"
    )
    hexed = hmac.new(TENCENT_SECRET.encode(), text.encode(), hashlib.sha256).hexdigest()
    return base64.b64encode(hexed.encode()).decode()


class _Handler(BaseHTTPRequestHandler):
    state: State

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, Any] | None) -> None:
        raw = json.dumps(body).encode() if body is not None else b""
        try:
            self.send_response(status)
        except (BrokenPipeError, ConnectionResetError):
            return
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        # The client may have given up waiting (the timeout tests).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(raw)

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        path = urllib.parse.urlsplit(self.path).path
        with self.state.lock:
            self.state.received.append((method, self.path, {"body": raw, **self.headers}))
        if self.state.delay:
            time.sleep(self.state.delay)
        for prefix, (status, body) in self.state.fail.items():
            if path.startswith(prefix):
                self._reply(status, body)
                return
        try:
            status, body = answer(self.state, method, self.path, dict(self.headers), raw)
        except (AssertionError, KeyError, ValueError) as exc:
            # A request the provider would refuse: 400 with what was wrong (the test sees it).
            with self.state.lock:
                self.state.refused.append(f"{method} {path}: {exc!r}")
            status, body = 400, {"message": f"bad request: {exc!r}"[:150]}
        self._reply(status, body)

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


def _bearer_ok(headers: dict[str, str], token: str) -> bool:
    return headers.get("Authorization") == f"Bearer {token}"


def answer(
    state: State, method: str, target: str, headers: dict[str, str], raw: str
) -> tuple[int, dict[str, Any] | None]:
    path = urllib.parse.urlsplit(target).path
    if path.startswith("/v1/meetings"):
        return _tencent(state, method, target, headers, raw)
    if path == "/oauth/token" or path.startswith("/v2/"):
        return _zoom(state, method, target, headers, raw)
    if "/oauth2/v2.0/token" in path or path.startswith("/v1.0/"):
        return _teams(state, method, path, headers, raw)
    if path.startswith("/open-apis/"):
        return _feishu(state, method, path, headers, raw)
    return 404, {"message": "no such path"}


def _tencent(state, method, target, headers, raw):
    bad = {"error_info": {"error_code": 200003, "message": "signature verification failed"}}
    if headers.get("X-TC-Key") != TENCENT["secret_id"] or headers.get("AppId") != TENCENT["app_id"]:
        return 401, bad
    if abs(int(headers.get("X-TC-Timestamp", "0")) - time.time()) > 300:
        return 401, bad
    nonce = headers.get("X-TC-Nonce", "")
    if not nonce.isdigit() or nonce in state.nonces:
        return 401, bad
    state.nonces.add(nonce)
    if headers.get("X-TC-Signature") != tencent_expected(method, headers, target, raw):
        return 401, bad
    body = json.loads(raw)
    if target.endswith("/cancel"):
        assert body["userid"] == TENCENT["userid"] and body["instanceid"] == 1
        assert isinstance(body["reason_code"], int)
        return 200, {}
    assert body["userid"] == TENCENT["userid"] and body["type"] == 0
    assert body["instanceid"] == 1 and body["subject"]
    assert body["start_time"].isdigit() and int(body["end_time"]) > int(body["start_time"])
    return 200, {
        "meeting_number": 1,
        "meeting_info_list": [
            {
                "subject": body["subject"],
                "meeting_id": "7567173273889276131",
                "meeting_code": "806146667",
                "password": "1234",
                "join_url": "https://meeting.tencent.com/dm/abcdEFGH",
                "start_time": body["start_time"],
                "end_time": body["end_time"],
            }
        ],
    }


def _zoom(state, method, target, headers, raw):
    split = urllib.parse.urlsplit(target)
    if split.path == "/oauth/token":
        query = dict(urllib.parse.parse_qsl(split.query))
        basic = base64.b64encode(f"{ZOOM['client_id']}:{ZOOM_SECRET}".encode()).decode()
        if headers.get("Authorization") != f"Basic {basic}":
            return 401, {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}
        if query != {"grant_type": "account_credentials", "account_id": ZOOM["account_id"]}:
            return 400, {"reason": "unsupported grant type", "error": "unsupported_grant_type"}
        state.tokens_issued += 1
        return 200, {"access_token": "zoom-token", "token_type": "bearer", "expires_in": 3599}
    if not _bearer_ok(headers, "zoom-token"):
        return 401, {"code": 124, "message": "Invalid access token."}
    if method == "DELETE":
        return 204, None
    body = json.loads(raw)
    assert split.path == "/v2/users/me/meetings"
    assert body["type"] == 2 and body["topic"] and body["duration"] > 0
    assert body["start_time"].endswith("Z") and body["timezone"]
    number = 85746065432 + state.created
    state.created += 1
    return 201, {
        "id": number,
        "topic": body["topic"],
        "join_url": f"https://us05web.zoom.us/j/{number}?pwd=abc",
        "password": "a1b2c3",
        "start_url": "https://us05web.zoom.us/s/85746065432?zak=secret",
    }


def _teams(state, method, path, headers, raw):
    if path.endswith("/oauth2/v2.0/token"):
        form = dict(urllib.parse.parse_qsl(raw))
        if path != f"/{TEAMS['tenant']}/oauth2/v2.0/token" or form != {
            "client_id": TEAMS["client_id"],
            "client_secret": TEAMS_SECRET,
            "scope": "https://graph.microsoft.com/.default",
            "grant_type": "client_credentials",
        }:
            return 401, {"error": "invalid_client", "error_description": "AADSTS7000215"}
        state.tokens_issued += 1
        return 200, {"token_type": "Bearer", "expires_in": 3599, "access_token": "graph-token"}
    if not _bearer_ok(headers, "graph-token"):
        return 401, {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}}
    assert path.startswith(f"/v1.0/users/{TEAMS['user_id']}/onlineMeetings")
    if method == "DELETE":
        return 204, None
    body = json.loads(raw)
    assert body["subject"] and body["startDateTime"] < body["endDateTime"]
    return 201, {
        "id": "MSpkYzE3Njc0Yy04MWQ5LTRhZGItYmZi",
        "joinWebUrl": "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc",
        "joinMeetingIdSettings": {"joinMeetingId": "1234567890", "passcode": "xyz"},
        "subject": body["subject"],
    }


def _feishu(state, method, path, headers, raw):
    if path == "/open-apis/auth/v3/tenant_access_token/internal":
        body = json.loads(raw)
        if body != {"app_id": FEISHU["app_id"], "app_secret": FEISHU_SECRET}:
            return 200, {"code": 10014, "msg": "app secret invalid"}
        state.tokens_issued += 1
        return 200, {"code": 0, "msg": "ok", "tenant_access_token": "t-feishu", "expire": 7200}
    if not _bearer_ok(headers, "t-feishu"):
        return 200, {"code": 99991663, "msg": "Invalid access token for authorization"}
    if method == "DELETE":
        assert path.startswith("/open-apis/vc/v1/reserves/")
        return 200, {"code": 0, "msg": "success", "data": {}}
    body = json.loads(raw)
    assert path == "/open-apis/vc/v1/reserves/apply"
    assert body["owner_id"] == FEISHU["owner_id"] and body["end_time"].isdigit()
    assert body["meeting_settings"]["topic"]
    return 200, {
        "code": 0,
        "msg": "success",
        "data": {
            "reserve": {
                "id": "6911188411934973028",
                "meeting_no": "112000358",
                "url": "https://vc.feishu.cn/j/337736498",
                "app_link": "https://applink.feishu.cn/client/videochat/open?source=openplatform",
                "end_time": body["end_time"],
            }
        },
    }


class FakeMeetingServer:
    def __init__(self) -> None:
        self.state = State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        # Port 0: the kernel picks a free one (no range shared with other test workers).
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeMeetingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def config(self, provider: str) -> tuple[dict[str, str], dict[str, str]]:
        """(settings, secrets) for ``provider`` pointed at this server."""
        base = {"base_url": self.url, "timeout_seconds": "2"}
        return {
            "tencent": ({**TENCENT, **base}, {"secret_key": TENCENT_SECRET}),
            "zoom": ({**ZOOM, **base, "oauth_url": self.url}, {"client_secret": ZOOM_SECRET}),
            "teams": ({**TEAMS, **base, "login_url": self.url}, {"client_secret": TEAMS_SECRET}),
            "feishu": ({**FEISHU, **base}, {"app_secret": FEISHU_SECRET}),
        }[provider]
