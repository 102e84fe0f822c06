"""SMS channels: Alibaba Cloud SMS (dysmsapi ``SendSms``) and Twilio Programmable Messaging.

Alibaba Cloud (RPC style, signature version 1.0, see docs/notifications.md for references):

1. Take every request parameter except ``Signature`` (the common ones: ``AccessKeyId``,
   ``Action=SendSms``, ``Format=JSON``, ``RegionId``, ``SignatureMethod=HMAC-SHA1``,
   ``SignatureNonce``, ``SignatureVersion=1.0``, ``Timestamp`` in ISO 8601 UTC,
   ``Version=2017-05-25``; and the operation's ``PhoneNumbers``, ``SignName``,
   ``TemplateCode``, ``TemplateParam``), sort them by name, percent-encode names and values
   with RFC 3986 rules (UTF-8; ``A-Z a-z 0-9 - _ . ~`` kept, space as ``%20``, ``*`` as
   ``%2A``), and join ``name=value`` pairs with ``&``: the canonicalised query string.
2. ``StringToSign = HTTPMethod + "&" + percentEncode("/") + "&" + percentEncode(query)``.
3. ``Signature = Base64(HMAC-SHA1(key = AccessKeySecret + "&", StringToSign))``.

Twilio: ``POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`` with form fields
``To``, ``From`` (or ``MessagingServiceSid``) and ``Body``, authenticated with HTTP basic auth
(Account SID or API key SID as user name, auth token or key secret as password). A 201
answer carries the message ``sid``; errors carry Twilio's numeric ``code``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from hireflow.notifications.channels import (
    DeliveryResult,
    Notification,
    NotificationError,
    normalize_phone,
)
from hireflow.notifications.providers._http import (
    json_of,
    refused,
    refused_with_number,
    request,
)

__all__ = [
    "AliyunSmsChannel",
    "TwilioSmsChannel",
    "aliyun_percent_encode",
    "aliyun_signature",
]


def aliyun_percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding as Alibaba Cloud's signature requires it."""
    return quote(value, safe="-_.~")


def aliyun_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """The ``Signature`` value for an RPC request with ``params`` (which exclude it)."""
    canonical = "&".join(
        f"{aliyun_percent_encode(k)}={aliyun_percent_encode(v)}"
        for k, v in sorted(params.items())
        if k != "Signature"
    )
    string_to_sign = (
        f"{method.upper()}&{aliyun_percent_encode('/')}&{aliyun_percent_encode(canonical)}"
    )
    digest = hmac.new(
        (secret + "&").encode("utf-8"), string_to_sign.encode("utf-8"), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode("ascii")


# Alibaba Cloud SendSms codes that mean "later may work". Everything else that is not OK is
# permanent: bad number, unapproved template or signature, missing parameter, bad key...
_ALIYUN_RETRYABLE = {
    "isv.BUSINESS_LIMIT_CONTROL",  # per-number frequency limit
    "Throttling.User",
    "Throttling",
    "isp.SYSTEM_ERROR",
    "ServiceUnavailable",
    "InternalError",
}


def _aliyun_number(e164: str) -> str:
    """Mainland China numbers go without the country code; others as digits with it."""
    return e164[3:] if e164.startswith("+86") else e164.lstrip("+")


def _phone(channel: str, to: str, default_region: str) -> str | DeliveryResult:
    """The recipient's number in E.164, or the failed outcome for one that is not a number."""
    try:
        return normalize_phone(to, default_region)
    except NotificationError as exc:
        return DeliveryResult.failed(
            channel, exc.message_en, retryable=False, provider_code=exc.code
        )


class AliyunSmsChannel:
    """Alibaba Cloud SMS (短信服务) through the ``SendSms`` API."""

    name = "sms.aliyun"

    def __init__(
        self,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        endpoint: str = "https://dysmsapi.aliyuncs.com",
        region_id: str = "cn-hangzhou",
        default_region: str = "CN",
        timeout: float = 10.0,
        client: httpx.Client | None = None,
        clock: Callable[[], datetime] | None = None,
        nonce: Callable[[], str] | None = None,
    ) -> None:
        if not access_key_id or not access_key_secret or not sign_name:
            raise NotificationError(
                "invalid_channel_config", detail="access key id, secret and sign name are required"
            )
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self.sign_name = sign_name
        self.endpoint = endpoint.rstrip("/") + "/"
        self.region_id = region_id
        self.default_region = default_region
        self.timeout = timeout
        self.client = client
        self._clock = clock or (lambda: datetime.now(UTC))
        self._nonce = nonce or (lambda: uuid.uuid4().hex)

    def request_params(self, phone: str, template_code: str, params: Mapping[str, str]) -> dict:
        """The signed form parameters of one SendSms call."""
        form = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": _aliyun_number(phone),
            "RegionId": self.region_id,
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": template_code,
            "TemplateParam": json.dumps(dict(params), ensure_ascii=False, separators=(",", ":")),
            "Timestamp": self._clock().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        form["Signature"] = aliyun_signature(form, self._secret, "POST")
        return form

    def send(self, message: Notification) -> DeliveryResult:
        phone = _phone(self.name, message.to, self.default_region)
        if isinstance(phone, DeliveryResult):
            return phone
        if not message.sms_template_code:
            return DeliveryResult.failed(
                self.name,
                "Alibaba Cloud SMS needs an approved template code",
                retryable=False,
                provider_code="missing_template",
            )
        form = self.request_params(phone, message.sms_template_code, message.sms_template_params)
        response = request(
            self.name, "POST", self.endpoint, client=self.client, timeout=self.timeout, form=form
        )
        if isinstance(response, DeliveryResult):
            return response
        body = json_of(response)
        code = str(body.get("Code", ""))
        if response.status_code == 200 and code == "OK":
            return DeliveryResult.sent(self.name, body.get("BizId"), http_status=200)
        return refused(
            self.name,
            response,
            f"Alibaba Cloud SMS {code or response.status_code}",
            str(body.get("Message", "")),
            retryable=response.status_code >= 500 or code in _ALIYUN_RETRYABLE,
            provider_code=code or None,
        )


# Twilio error codes that are worth retrying; 4xx are otherwise permanent.
_TWILIO_RETRYABLE = {20429, 20500, 20503, 30001}


class TwilioSmsChannel:
    """Twilio Programmable Messaging: create a Message resource."""

    name = "sms.twilio"

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        from_number: str | None = None,
        messaging_service_sid: str | None = None,
        api_key_sid: str | None = None,
        base_url: str = "https://api.twilio.com",
        default_region: str = "US",
        timeout: float = 10.0,
        client: httpx.Client | None = None,
    ) -> None:
        if not account_sid or not auth_token or not (from_number or messaging_service_sid):
            raise NotificationError(
                "invalid_channel_config",
                detail="account SID, auth token and a sender (From or MessagingServiceSid)",
            )
        self.account_sid = account_sid
        self._auth = (api_key_sid or account_sid, auth_token)
        self.from_number = from_number
        self.messaging_service_sid = messaging_service_sid
        self.base_url = base_url.rstrip("/")
        self.default_region = default_region
        self.timeout = timeout
        self.client = client

    def send(self, message: Notification) -> DeliveryResult:
        phone = _phone(self.name, message.to, self.default_region)
        if isinstance(phone, DeliveryResult):
            return phone
        form = {"To": phone, "Body": message.text}
        if self.messaging_service_sid:
            form["MessagingServiceSid"] = self.messaging_service_sid
        if self.from_number:
            form["From"] = self.from_number
        url = f"{self.base_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        response = request(
            self.name,
            "POST",
            url,
            client=self.client,
            timeout=self.timeout,
            form=form,
            auth=self._auth,
        )
        if isinstance(response, DeliveryResult):
            return response
        body = json_of(response)
        if response.status_code in (200, 201) and body.get("sid"):
            return DeliveryResult.sent(
                self.name, str(body["sid"]), http_status=response.status_code
            )
        detail = str(body.get("message", ""))
        return refused_with_number(
            self.name, response, "Twilio", body.get("code"), detail, _TWILIO_RETRYABLE
        )
