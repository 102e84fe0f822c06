"""The channel contract: phone numbers, redaction, delivery results and the retry policy."""

from datetime import timedelta

import pytest

from hireflow.notifications.channels import (
    DeliveryResult,
    NotificationError,
    RetryPolicy,
    normalize_phone,
    redact,
    retry_delay,
)


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("138 0013 8000", "CN", "+8613800138000"),
        ("+86 138-0013-8000", "US", "+8613800138000"),
        ("008613800138000", "CN", "+8613800138000"),
        ("(415) 555-0123", "US", "+14155550123"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("+49 1512 3456789", "CN", "+4915123456789"),
    ],
)
def test_normalize_phone(raw, region, expected):
    assert normalize_phone(raw, region) == expected


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("010 6552 9988", "phone_not_mobile"),  # Beijing landline
        ("12", "phone_invalid"),
        ("+86 138 0013 800", "phone_invalid"),  # one digit short
        ("call me maybe", "phone_unparseable"),
        ("", "phone_unparseable"),
        ("1" * 60, "phone_unparseable"),
    ],
)
def test_bad_phone_numbers(raw, code):
    with pytest.raises(NotificationError) as err:
        normalize_phone(raw, "CN")
    assert err.value.code == code
    assert err.value.message("zh-CN") != err.value.message("en")


def test_landlines_allowed_when_not_for_sms():
    assert normalize_phone("010 6552 9988", "CN", mobile_only=False) == "+861065529988"


def test_unknown_region():
    with pytest.raises(NotificationError, match="invalid_region"):
        normalize_phone("13800138000", "XX")


def test_redact_masks_addresses_and_numbers_but_keeps_codes():
    text = (
        "Invalid 'To' Phone Number: +1 (415) 555-0101 for li.lei+hr@example.com.cn, "
        "code 21211, HTTP 503"
    )
    out = redact(text)
    assert "415" not in out and "example.com" not in out
    assert "[number]" in out and "[email]" in out
    assert "21211" in out and "503" in out
    assert redact("身份证 11010519491231002X 已登记") == "身份证 [number]X 已登记"


def test_failed_results_are_redacted():
    result = DeliveryResult.failed("sms", "bad number 13800138000", retryable=False)
    assert result.error == "bad number [number]" and not result.ok
    assert DeliveryResult.sent("email", "<id@x>").ok


POLICY = RetryPolicy(
    max_attempts=5, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5)
)
TRANSIENT = DeliveryResult.failed("sms", "timeout", retryable=True)


def test_backoff_grows_exponentially_up_to_the_cap():
    delays = [retry_delay(POLICY, n, TRANSIENT, 0.0) for n in range(1, 5)]
    assert delays == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    long_policy = RetryPolicy(
        max_attempts=100, base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=5)
    )
    assert retry_delay(long_policy, 10, TRANSIENT, 0.0) == timedelta(minutes=5)
    assert retry_delay(long_policy, 99, TRANSIENT, 0.0) == timedelta(minutes=5)


def test_jitter_is_bounded():
    for fraction in (0.0, 0.25, 0.5, 0.999):
        d = retry_delay(POLICY, 3, TRANSIENT, fraction)
        assert timedelta(seconds=60) <= d <= timedelta(seconds=120)
    assert retry_delay(POLICY, 3, TRANSIENT, 0.999) < retry_delay(POLICY, 3, TRANSIENT, 0.0)


def test_when_to_stop():
    assert retry_delay(POLICY, 5, TRANSIENT, 0.1) is None  # attempts used up
    permanent = DeliveryResult.failed("sms", "invalid number", retryable=False)
    assert retry_delay(POLICY, 1, permanent, 0.1) is None
    assert retry_delay(POLICY, 1, DeliveryResult.sent("sms", "id"), 0.1) is None


def test_provider_retry_after_is_honoured_within_the_cap():
    hinted = DeliveryResult.failed("sms", "429", retryable=True, retry_after=200)
    assert retry_delay(POLICY, 1, hinted, 0.0) == timedelta(seconds=200)
    huge = DeliveryResult.failed("sms", "429", retryable=True, retry_after=10_000)
    assert retry_delay(POLICY, 1, huge, 0.0) == timedelta(minutes=5)


@pytest.mark.parametrize(
    ("policy", "attempt", "fraction"),
    [
        (RetryPolicy(max_attempts=0), 1, 0.1),
        (RetryPolicy(base_delay=timedelta(0)), 1, 0.1),
        (RetryPolicy(jitter=1.5), 1, 0.1),
        (RetryPolicy(multiplier=0.5), 1, 0.1),
        (POLICY, 0, 0.1),
        (POLICY, 1, 1.0),
        (POLICY, 1, -0.1),
    ],
)
def test_invalid_retry_inputs(policy, attempt, fraction):
    with pytest.raises(NotificationError, match="invalid_retry_policy"):
        retry_delay(policy, attempt, TRANSIENT, fraction)
