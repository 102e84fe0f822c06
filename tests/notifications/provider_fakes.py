"""A local HTTP server that behaves like the SMS and chat-robot providers.

It verifies each request the way the provider documents it, written here independently of the
production code (so a wrong signature in production fails the tests): Alibaba Cloud's RPC
signature (HMAC-SHA1 over the canonicalised query, key = secret + "&", nonce not reused,
timestamp fresh), Twilio's HTTP basic auth, DingTalk's timestamp + HMAC-SHA256 ``sign`` query
parameter, WeCom's webhook key, Feishu's timestamp + ``sign`` in the body. It answers with
the providers' own success and error shapes. Some inputs trigger errors on purpose (see
``BEHAVIOUR`` numbers below).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ALIYUN_KEY_ID = "LTAI5tTestKeyId"
ALIYUN_SECRET = "aliyun-test-secret"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_TOKEN = "twilio-test-token"
DINGTALK_TOKEN = "ding-access-token"
DINGTALK_SECRET = "SEC0123456789abcdef"
WECOM_KEY = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
FEISHU_HOOK = "5e3d587e-d78e-4a07-bd07-265f269f86fd"
FEISHU_SECRET = "feishu-test-secret"

# Numbers that make the fakes answer with an error (all valid mobile numbers).
ALIYUN_ILLEGAL = "13900000000"
ALIYUN_THROTTLED = "13900000001"
ALIYUN_DOWN = "13900000002"
TWILIO_INVALID = "+14155550101"
TWILIO_THROTTLED = "+14155550102"
TWILIO_DOWN = "+14155550103"


@dataclass
class FakeState:
    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    nonces: set[str] = field(default_factory=set)
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)


def _pct(value: str) -> str:
    # The recipe from Alibaba Cloud's documentation: form-encode, then "+" -> "%20",
    # "*" -> "%2A", "%7E" -> "~".
    return (
        urllib.parse.quote_plus(value).replace("+", "%20").replace("*", "%2A").replace("%7E", "~")
    )


def expected_aliyun_signature(params: dict[str, str], method: str) -> str:
    query = "&".join(_pct(k) + "=" + _pct(params[k]) for k in sorted(params) if k != "Signature")
    string_to_sign = method + "&" + _pct("/") + "&" + _pct(query)
    mac = hmac.new((ALIYUN_SECRET + "&").encode(), string_to_sign.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


class _Handler(BaseHTTPRequestHandler):
    state: FakeState

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        raw = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=utf-8")
        self.send_header("Content-Length", str(len(raw)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def do_POST(self) -> None:
        if self.state.delay:
            time.sleep(self.state.delay)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/":
            return self._aliyun(body)
        if url.path.startswith("/2010-04-01/Accounts/") and url.path.endswith("/Messages.json"):
            return self._twilio(url.path, body)
        if url.path == "/robot/send":
            return self._dingtalk(query, body)
        if url.path == "/cgi-bin/webhook/send":
            return self._wecom(query, body)
        if url.path.startswith("/open-apis/bot/v2/hook/"):
            return self._feishu(url.path.rsplit("/", 1)[1], body)
        return self._reply(404, {"error": "not found"})

    # ---------------------------------------------------------------- Alibaba Cloud
    def _aliyun(self, body: bytes) -> None:
        params = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        request_id = str(uuid.uuid4()).upper()
        required = {
            "AccessKeyId",
            "Action",
            "Format",
            "PhoneNumbers",
            "RegionId",
            "SignName",
            "Signature",
            "SignatureMethod",
            "SignatureNonce",
            "SignatureVersion",
            "TemplateCode",
            "Timestamp",
            "Version",
        }
        missing = required - params.keys()
        if missing:
            return self._reply(
                400,
                {
                    "RequestId": request_id,
                    "Code": "MissingParameter",
                    "Message": f"{sorted(missing)[0]} is mandatory for this action.",
                },
            )
        if params["AccessKeyId"] != ALIYUN_KEY_ID:
            return self._reply(
                404,
                {
                    "RequestId": request_id,
                    "Code": "InvalidAccessKeyId.NotFound",
                    "Message": "Specified access key is not found.",
                },
            )
        if params["Signature"] != expected_aliyun_signature(params, "POST"):
            return self._reply(
                400,
                {
                    "RequestId": request_id,
                    "Code": "SignatureDoesNotMatch",
                    "Message": "Specified signature is not matched with our calculation.",
                },
            )
        stamp = datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        if abs(stamp.timestamp() - time.time()) > 15 * 60:
            return self._reply(
                400,
                {
                    "RequestId": request_id,
                    "Code": "InvalidTimeStamp.Expired",
                    "Message": "Specified time stamp or date value is expired.",
                },
            )
        with self.state.lock:
            if params["SignatureNonce"] in self.state.nonces:
                return self._reply(
                    400,
                    {
                        "RequestId": request_id,
                        "Code": "SignatureNonceUsed",
                        "Message": "Specified signature nonce was used already.",
                    },
                )
            self.state.nonces.add(params["SignatureNonce"])
            self.state.received.append(("aliyun", params))
        phone = params["PhoneNumbers"]
        if phone == ALIYUN_DOWN:
            return self._reply(
                503,
                {
                    "RequestId": request_id,
                    "Code": "ServiceUnavailable",
                    "Message": "The request has failed due to a temporary failure of the server.",
                },
            )
        if phone == ALIYUN_ILLEGAL:
            return self._reply(
                200,
                {
                    "RequestId": request_id,
                    "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                    "Message": f"非法手机号 {phone}",
                },
            )
        if phone == ALIYUN_THROTTLED:
            return self._reply(
                200,
                {
                    "RequestId": request_id,
                    "Code": "isv.BUSINESS_LIMIT_CONTROL",
                    "Message": "触发号码天级流控Permits:10",
                },
            )
        return self._reply(
            200,
            {"Message": "OK", "RequestId": request_id, "BizId": "9006197469364984^0", "Code": "OK"},
        )

    # ---------------------------------------------------------------- Twilio
    def _twilio(self, path: str, body: bytes) -> None:
        sid = path.split("/")[3]
        auth = self.headers.get("Authorization", "")
        expected = "Basic " + base64.b64encode(f"{TWILIO_SID}:{TWILIO_TOKEN}".encode()).decode()
        if sid != TWILIO_SID or not hmac.compare_digest(auth, expected):
            return self._reply(
                401,
                {
                    "code": 20003,
                    "message": "Authenticate",
                    "more_info": "https://www.twilio.com/docs/errors/20003",
                    "status": 401,
                },
            )
        form = dict(urllib.parse.parse_qsl(body.decode(), keep_blank_values=True))
        with self.state.lock:
            self.state.received.append(("twilio", form))
        to = form.get("To", "")
        if not form.get("Body"):
            return self._reply(
                400,
                {
                    "code": 21602,
                    "message": "Message body is required.",
                    "more_info": "https://www.twilio.com/docs/errors/21602",
                    "status": 400,
                },
            )
        if to == TWILIO_INVALID:
            return self._reply(
                400,
                {
                    "code": 21211,
                    "message": f"Invalid 'To' Phone Number: {to}",
                    "more_info": "https://www.twilio.com/docs/errors/21211",
                    "status": 400,
                },
            )
        if to == TWILIO_THROTTLED:
            return self._reply(
                429,
                {
                    "code": 20429,
                    "message": "Too Many Requests",
                    "more_info": "https://www.twilio.com/docs/errors/20429",
                    "status": 429,
                },
                {"Retry-After": "7"},
            )
        if to == TWILIO_DOWN:
            return self._reply(
                500,
                {
                    "code": 20500,
                    "message": "Internal Server Error",
                    "more_info": "https://www.twilio.com/docs/errors/20500",
                    "status": 500,
                },
            )
        msg_sid = "SM" + uuid.uuid4().hex
        return self._reply(
            201,
            {
                "sid": msg_sid,
                "account_sid": sid,
                "to": to,
                "from": form.get("From"),
                "body": form["Body"],
                "status": "queued",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "error_code": None,
                "error_message": None,
                "uri": f"/2010-04-01/Accounts/{sid}/Messages/{msg_sid}.json",
            },
        )

    # ---------------------------------------------------------------- DingTalk
    def _dingtalk(self, query: dict[str, str], body: bytes) -> None:
        if query.get("access_token") != DINGTALK_TOKEN:
            return self._reply(200, {"errcode": 300001, "errmsg": "token is not exist"})
        stamp = query.get("timestamp", "")
        sign = query.get("sign", "")  # parse_qsl has already URL-decoded it
        mac = hmac.new(
            DINGTALK_SECRET.encode(), f"{stamp}\n{DINGTALK_SECRET}".encode(), hashlib.sha256
        )
        fresh = stamp.isdigit() and abs(int(stamp) / 1000 - time.time()) < 3600
        if not fresh or not hmac.compare_digest(sign, base64.b64encode(mac.digest()).decode()):
            return self._reply(
                200,
                {
                    "errcode": 310000,
                    "errmsg": "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]",
                },
            )
        payload = json.loads(body)
        with self.state.lock:
            self.state.received.append(("dingtalk", payload))
        if "too fast" in json.dumps(payload, ensure_ascii=False):
            return self._reply(
                200, {"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"}
            )
        return self._reply(200, {"errcode": 0, "errmsg": "ok"})

    # ---------------------------------------------------------------- WeCom
    def _wecom(self, query: dict[str, str], body: bytes) -> None:
        if query.get("key") != WECOM_KEY:
            return self._reply(
                200,
                {
                    "errcode": 93000,
                    "errmsg": "invalid webhook url, hint: [1700000000_1_abc], from ip: 127.0.0.1, "
                    "more info at https://open.work.weixin.qq.com/devtool/query?e=93000",
                },
            )
        payload = json.loads(body)
        with self.state.lock:
            self.state.received.append(("wecom", payload))
        if payload.get("msgtype") not in {
            "text",
            "markdown",
            "image",
            "news",
            "file",
            "template_card",
        }:
            return self._reply(200, {"errcode": 40008, "errmsg": "invalid message type"})
        if "freq" in json.dumps(payload):
            return self._reply(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        return self._reply(200, {"errcode": 0, "errmsg": "ok"})

    # ---------------------------------------------------------------- Feishu
    def _feishu(self, hook: str, body: bytes) -> None:
        if hook != FEISHU_HOOK:
            return self._reply(
                200,
                {
                    "code": 19001,
                    "msg": "param invalid: incoming webhook access token invalid",
                    "data": {},
                },
            )
        payload = json.loads(body)
        stamp = str(payload.get("timestamp", ""))
        key = f"{stamp}\n{FEISHU_SECRET}".encode()
        expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
        fresh = stamp.isdigit() and abs(int(stamp) - time.time()) < 3600
        if not fresh or not hmac.compare_digest(str(payload.get("sign", "")), expected):
            return self._reply(
                200,
                {
                    "code": 19021,
                    "msg": "sign match fail or timestamp is not within one hour from current time",
                    "data": {},
                },
            )
        with self.state.lock:
            self.state.received.append(("feishu", payload))
        if "throttle" in json.dumps(payload, ensure_ascii=False):
            return self._reply(
                200,
                {
                    "code": 11232,
                    "msg": "frequency limited psm[lark.oapi.app_platform_runtime]appID[1]",
                    "data": {},
                },
            )
        return self._reply(
            200,
            {"StatusCode": 0, "StatusMessage": "success", "code": 0, "data": {}, "msg": "success"},
        )


class FakeProviders:
    """Runs the fake on 127.0.0.1 in a background thread."""

    def __init__(self) -> None:
        self.state = FakeState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        # A client that timed out on purpose leaves a broken pipe behind; not worth a trace.
        self.server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> FakeProviders:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
