"""DingTalk, WeCom and Feishu group robots against a local fake that checks their signatures."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from hireflow.notifications.channels import Notification, NotificationError
from hireflow.notifications.providers.chat import (
    DingTalkRobotChannel,
    FeishuBotChannel,
    WeComRobotChannel,
    dingtalk_sign,
    feishu_sign,
)
from tests.notifications import provider_fakes as fake

MESSAGE = Notification(
    to="",
    subject="面试提醒",
    text="李雷的技术面试将于 3月4日 10:00(北京时间)开始。\n链接:https://h.example/i/abc",
)


def test_dingtalk_sign_known_vector():
    # Vector computed with the algorithm from DingTalk's documentation (Python sample there).
    assert dingtalk_sign(1700000000000, "secret") == "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY="


def test_feishu_sign_uses_the_string_as_key_and_an_empty_message():
    key = b"1599360473\ntest-secret"
    expected = base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()
    assert feishu_sign(1599360473, "test-secret") == expected
    assert (
        feishu_sign(1599360473, "test-secret")
        != base64.b64encode(hmac.new(b"test-secret", key, hashlib.sha256).digest()).decode()
    )


# ---------------------------------------------------------------- DingTalk


def dingtalk(providers, **kwargs) -> DingTalkRobotChannel:
    params = {
        "access_token": fake.DINGTALK_TOKEN,
        "secret": fake.DINGTALK_SECRET,
        "base_url": providers.url,
    }
    return DingTalkRobotChannel(**{**params, **kwargs})


def test_dingtalk_signed_markdown_is_accepted(providers):
    result = dingtalk(providers).send(MESSAGE)
    assert result.ok and result.provider_message_id is None
    ((kind, payload),) = providers.state.received
    assert kind == "dingtalk" and payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "面试提醒" and "10:00" in payload["markdown"]["text"]


def test_dingtalk_wrong_secret_or_stale_clock_fails_permanently(providers):
    wrong = dingtalk(providers, secret="SECwrong").send(MESSAGE)
    assert not wrong.ok and not wrong.retryable and wrong.provider_code == "310000"
    stale = dingtalk(providers, clock=lambda: datetime.now(UTC) - timedelta(hours=2)).send(MESSAGE)
    assert stale.provider_code == "310000"
    token = dingtalk(providers, access_token="other").send(MESSAGE)
    assert token.provider_code == "300001" and not token.retryable


def test_dingtalk_throttling_is_retryable(providers):
    result = dingtalk(providers).send(Notification(to="", subject="x", text="too fast"))
    assert result.retryable and result.provider_code == "130101"


# ---------------------------------------------------------------- WeCom


def test_wecom_markdown_is_accepted(providers):
    result = WeComRobotChannel(key=fake.WECOM_KEY, base_url=providers.url).send(MESSAGE)
    assert result.ok
    ((kind, payload),) = providers.state.received
    assert kind == "wecom" and payload["msgtype"] == "markdown"
    assert payload["markdown"]["content"].startswith("### 面试提醒")


def test_wecom_errors(providers):
    bad_key = WeComRobotChannel(key="wrong", base_url=providers.url).send(MESSAGE)
    assert not bad_key.ok and not bad_key.retryable and bad_key.provider_code == "93000"
    assert "invalid webhook url" in bad_key.error
    limited = WeComRobotChannel(key=fake.WECOM_KEY, base_url=providers.url).send(
        Notification(to="", subject="", text="freq")
    )
    assert limited.retryable and limited.provider_code == "45009"


def test_wecom_content_is_cut_to_4096_bytes(providers):
    long_text = "面" * 3000  # 9000 bytes of UTF-8
    channel = WeComRobotChannel(key=fake.WECOM_KEY, base_url=providers.url)
    assert channel.send(Notification(to="", subject="长消息", text=long_text)).ok
    content = providers.state.received[0][1]["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096 and content.endswith("...")


# ---------------------------------------------------------------- Feishu


def feishu(providers, **kwargs) -> FeishuBotChannel:
    params = {
        "hook_token": fake.FEISHU_HOOK,
        "secret": fake.FEISHU_SECRET,
        "base_url": providers.url,
    }
    return FeishuBotChannel(**{**params, **kwargs})


def test_feishu_signed_post_is_accepted(providers):
    result = feishu(providers).send(MESSAGE)
    assert result.ok
    ((kind, payload),) = providers.state.received
    assert kind == "feishu" and payload["msg_type"] == "post"
    post = payload["content"]["post"]["zh_cn"]
    assert post["title"] == "面试提醒" and len(post["content"]) == 2


def test_feishu_language_key_follows_the_message():
    channel = FeishuBotChannel(hook_token="h", secret="s")
    en = channel.payload(Notification(to="", subject="Reminder", text="Hi", language="en"))
    ja = channel.payload(
        Notification(to="", subject="リマインダー", text="こんにちは", language="ja")
    )
    assert "en_us" in en["content"]["post"] and "ja_jp" in ja["content"]["post"]


def test_feishu_errors(providers):
    wrong = feishu(providers, secret="nope").send(MESSAGE)
    assert not wrong.ok and not wrong.retryable and wrong.provider_code == "19021"
    stale = feishu(providers, clock=lambda: datetime.now(UTC) + timedelta(hours=3)).send(MESSAGE)
    assert stale.provider_code == "19021"
    hook = feishu(providers, hook_token="other").send(MESSAGE)
    assert hook.provider_code == "19001"
    limited = feishu(providers).send(Notification(to="", subject="x", text="throttle"))
    assert limited.retryable and limited.provider_code == "11232"


def test_robots_time_out_as_retryable(providers):
    providers.state.delay = 1.0
    result = feishu(providers, timeout=0.2).send(MESSAGE)
    assert not result.ok and result.retryable


def test_robot_configuration_errors():
    with pytest.raises(NotificationError):
        DingTalkRobotChannel(access_token="")
    with pytest.raises(NotificationError):
        WeComRobotChannel(key="")
    with pytest.raises(NotificationError):
        FeishuBotChannel(hook_token="")
