"""The technical log names browser, system and device from the User-Agent, nothing more."""

from __future__ import annotations

import pytest

from hireflow.web.telemetry import parse_user_agent

WINDOWS_EDGE = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61"
)
IPHONE_SAFARI = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
ANDROID_WECHAT = (
    "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0 Mobile Safari/537.36 MicroMessenger/8.0.44"
)
IPAD_CHROME = (
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "CriOS/118.0 Mobile/15E148 Safari/604.1"
)
LINUX_FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


@pytest.mark.parametrize(
    ("user_agent", "expected"),
    [
        (WINDOWS_EDGE, ("Edge 120", "Windows", "desktop")),  # not "Chrome 120"
        (IPHONE_SAFARI, ("Safari 17", "iOS", "phone")),
        (ANDROID_WECHAT, ("WeChat 8", "Android", "phone")),  # the in-app browser, not Chrome
        (IPAD_CHROME, ("other", "iOS", "tablet")),  # Chrome on iOS names no known engine
        (LINUX_FIREFOX, ("Firefox 121", "Linux", "desktop")),
        ("curl/8.5.0", ("other", "other", "desktop")),
        ("", ("other", "other", "desktop")),
    ],
)
def test_user_agents_are_named(user_agent: str, expected: tuple[str, str, str]) -> None:
    assert parse_user_agent(user_agent) == expected
