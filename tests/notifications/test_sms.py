"""SMS through Alibaba Cloud and Twilio against a local fake that verifies their auth."""

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from hireflow.notifications.channels import Notification, NotificationError
from hireflow.notifications.providers.sms import (
    AliyunSmsChannel,
    TwilioSmsChannel,
    aliyun_percent_encode,
    aliyun_signature,
)
from tests.notifications import provider_fakes as fake


def aliyun(providers, **kwargs) -> AliyunSmsChannel:
    params = {
        "access_key_id": fake.ALIYUN_KEY_ID,
        "access_key_secret": fake.ALIYUN_SECRET,
        "sign_name": "海纳招聘",
        "endpoint": providers.url,
        **kwargs,
    }
    return AliyunSmsChannel(**params)


def sms(to: str, text: str = "您的面试将于明天 10:00 开始。") -> Notification:
    return Notification(
        to=to,
        subject="",
        text=text,
        sms_template_code="SMS_271580123",
        sms_template_params={
            "name": "李雷",
            "time": "3月4日 10:00",
            "link": "https://h.example/i/abc",
        },
    )


# ---------------------------------------------------------------- Alibaba Cloud


def test_percent_encoding_follows_the_documented_rules():
    assert aliyun_percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


def test_signature_agrees_with_the_documented_recipe():
    # The fake implements the recipe from the documentation on its own (form-encode, then
    # replace "+", "*" and "%7E"); awkward characters exercise every rule.
    params = {
        "Action": "SendSms",
        "Timestamp": "2025-03-03T01:02:03Z",
        "SignName": "阿里云 短信*测试~",
        "TemplateParam": '{"code":"1234"}',
    }
    sig = aliyun_signature(params, fake.ALIYUN_SECRET, "POST")
    assert sig == fake.expected_aliyun_signature(params, "POST")
    assert sig == aliyun_signature(dict(reversed(list(params.items()))), fake.ALIYUN_SECRET)
    assert sig != aliyun_signature({**params, "SignName": "x"}, fake.ALIYUN_SECRET)
    assert sig != aliyun_signature(params, fake.ALIYUN_SECRET, "GET")


def test_send_sms_is_signed_and_accepted(providers):
    result = aliyun(providers).send(sms("138 0013 8000"))
    assert result.ok and result.provider_message_id == "9006197469364984^0"
    ((kind, params),) = providers.state.received
    assert kind == "aliyun"
    assert params["PhoneNumbers"] == "13800138000"  # mainland numbers without +86
    assert params["Action"] == "SendSms" and params["Version"] == "2017-05-25"
    assert (
        params["TemplateParam"]
        == '{"name":"李雷","time":"3月4日 10:00","link":"https://h.example/i/abc"}'
    )


def test_international_numbers_keep_their_country_code(providers):
    assert aliyun(providers).send(sms("+81 90-1234-5678")).ok
    assert providers.state.received[0][1]["PhoneNumbers"] == "819012345678"


def test_wrong_secret_is_refused_by_the_provider(providers):
    result = aliyun(providers, access_key_secret="wrong").send(sms("13800138000"))
    assert not result.ok and not result.retryable
    assert result.provider_code == "SignatureDoesNotMatch" and result.http_status == 400


def test_stale_clock_and_reused_nonce_are_refused(providers):
    late = aliyun(providers, clock=lambda: datetime.now(UTC) - timedelta(hours=1))
    assert late.send(sms("13800138000")).provider_code == "InvalidTimeStamp.Expired"
    fixed = aliyun(providers, nonce=lambda: "same-nonce")
    assert fixed.send(sms("13800138000")).ok
    assert fixed.send(sms("13800138000")).provider_code == "SignatureNonceUsed"


def test_provider_errors_are_classified_and_redacted(providers):
    channel = aliyun(providers)
    illegal = channel.send(sms(fake.ALIYUN_ILLEGAL))
    assert not illegal.ok and not illegal.retryable
    assert illegal.provider_code == "isv.MOBILE_NUMBER_ILLEGAL"
    assert fake.ALIYUN_ILLEGAL not in illegal.error and "[number]" in illegal.error
    throttled = channel.send(sms(fake.ALIYUN_THROTTLED))
    assert throttled.retryable and throttled.provider_code == "isv.BUSINESS_LIMIT_CONTROL"
    down = channel.send(sms(fake.ALIYUN_DOWN))
    assert down.retryable and down.http_status == 503


def test_invalid_numbers_never_reach_the_provider(providers):
    result = aliyun(providers).send(sms("010 6552 9988"))  # a Beijing landline
    assert not result.ok and not result.retryable and result.provider_code == "phone_not_mobile"
    assert aliyun(providers).send(sms("12")).provider_code == "phone_invalid"
    assert providers.state.received == []


def test_missing_template_is_a_permanent_failure(providers):
    result = aliyun(providers).send(Notification(to="13800138000", subject="", text="hi"))
    assert not result.ok and not result.retryable and result.provider_code == "missing_template"


def test_timeout_and_unreachable_are_retryable(providers):
    providers.state.delay = 1.0
    slow = aliyun(providers, timeout=0.2).send(sms("13800138000"))
    assert not slow.ok and slow.retryable and "timeout" in slow.error
    providers.state.delay = 0
    gone = aliyun(providers, endpoint="http://127.0.0.1:9").send(sms("13800138000"))
    assert gone.retryable


def test_configuration_errors():
    with pytest.raises(NotificationError, match="invalid_channel_config"):
        AliyunSmsChannel(access_key_id="", access_key_secret="x", sign_name="y")


# ---------------------------------------------------------------- Twilio


def twilio(providers, **kwargs) -> TwilioSmsChannel:
    params = {
        "account_sid": fake.TWILIO_SID,
        "auth_token": fake.TWILIO_TOKEN,
        "from_number": "+14155550000",
        "base_url": providers.url,
        **kwargs,
    }
    return TwilioSmsChannel(**params)


def test_twilio_message_is_created(providers):
    result = twilio(providers).send(sms("(415) 555-0123", "Your interview starts at 10:00."))
    assert result.ok and result.provider_message_id.startswith("SM") and result.http_status == 201
    ((kind, form),) = providers.state.received
    assert kind == "twilio"
    assert form == {
        "To": "+14155550123",
        "Body": "Your interview starts at 10:00.",
        "From": "+14155550000",
    }


def test_twilio_bad_credentials_are_permanent(providers):
    result = twilio(providers, auth_token="nope").send(sms("+14155550123"))
    assert not result.ok and not result.retryable
    assert (result.http_status, result.provider_code) == (401, "20003")


def test_twilio_errors(providers):
    channel = twilio(providers)
    invalid = channel.send(sms(fake.TWILIO_INVALID))
    assert not invalid.retryable and invalid.provider_code == "21211"
    assert "555" not in invalid.error  # the number is masked
    throttled = channel.send(sms(fake.TWILIO_THROTTLED))
    assert throttled.retryable and throttled.retry_after == 7.0
    down = channel.send(sms(fake.TWILIO_DOWN))
    assert down.retryable and down.http_status == 500


def test_twilio_with_a_shared_client(providers):
    with httpx.Client() as client:
        channel = twilio(providers, client=client)
        assert channel.send(sms("+14155550123")).ok
        assert channel.send(sms("+14155550124")).ok
    assert len(providers.state.received) == 2
