"""Catalogues: Chinese and English complete, Japanese started; formatting per viewer."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from hireflow.core.i18n import (
    format_datetime,
    gettext_for,
    is_timezone,
    named_list,
    negotiate,
    plain_list,
)

ROOT = Path(__file__).resolve().parents[2]


def test_zh_and_en_catalogues_cover_every_message():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "i18n.py"), "check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_japanese_is_started():
    _ = gettext_for("ja")
    assert _("Sign in") == "ログイン"


def test_translation_with_parameters():
    assert gettext_for("zh-CN")("Welcome, %(name)s") % {"name": "王敏"} == "欢迎，王敏"


def test_negotiation():
    assert negotiate("en-GB,en;q=0.8") == "en"
    assert negotiate("fr-FR,zh-TW;q=0.7") == "zh-CN"
    assert negotiate("ja;q=0.2,en;q=0.9") == "en"
    assert negotiate("fr") == "zh-CN"
    assert negotiate(None, default="en") == "en"


def test_times_render_in_the_viewers_zone():
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert format_datetime(moment, "Asia/Shanghai", "zh-CN", "short") == "2026-03-29 08:30"
    assert format_datetime(moment, "Europe/Berlin", "en", "short") == "2026-03-29 01:30"
    assert format_datetime(moment, "America/New_York", "en", "short") == "2026-03-28 20:30"


def test_an_offset_is_always_written_as_iso_8601_does():
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    # one form for every zone and language (not "+0800" here and "EDT" or "UTC" there)
    assert format_datetime(moment, "Asia/Shanghai", "zh-CN") == "2026-03-29 08:30 +08:00"
    assert format_datetime(moment, "Asia/Shanghai", "en") == "2026-03-29 08:30 +08:00"
    assert format_datetime(moment, "America/New_York", "en") == "2026-03-28 20:30 -04:00"
    assert format_datetime(moment, "Asia/Kolkata", "ja") == "2026-03-29 06:00 +05:30"
    assert format_datetime(moment, "UTC", "zh-CN") == "2026-03-29 00:30 +00:00"


def test_timezone_validation():
    assert is_timezone("Asia/Shanghai") and is_timezone("UTC")
    assert not is_timezone("Mars/Base") and not is_timezone("") and not is_timezone("../etc")


def test_every_bilingual_error_message_reads_in_chinese():
    """Errors of the library layers name an English msgid; the catalogues give its Chinese."""
    from hireflow.core.timezones import TimeError
    from hireflow.notifications.channels import NotificationError
    from hireflow.notifications.templates import TemplateError

    checked = 0
    for kind in (TimeError, NotificationError, TemplateError):
        for code, msgid in kind.MESSAGES.items():
            assert isinstance(msgid, str), f"{kind.__name__}.{code} keeps an inline table"
            params = dict.fromkeys(("tz", "field", "region", "detail", "names", "allowed"), "x")
            params.update(name="x", line=3, kind="x", limit=10)
            error = kind(code, **params)
            assert error.message("en") == msgid % params
            chinese = error.message("zh-CN")
            assert chinese != error.message("en"), f"{kind.__name__}.{code} has no Chinese"
            assert str(error) == f"[{code}] {error.message_en} / {chinese}"
            checked += 1
    assert checked == 14
    assert "时区" in TimeError("invalid_timezone", tz="Mars/Base").message("zh-CN")


def test_lists_read_as_people_write_them():
    assert plain_list([]) == "" and plain_list(["2"]) == "2"
    assert plain_list([2, 3]) == "2 and 3" and plain_list([2, 3, 4]) == "2, 3 and 4"
    assert plain_list([2, 3, 4], "zh-CN") == "2、3、4" and plain_list([2, 3], "ja") == "2、3"
    assert named_list("key", [2]) == "key 2" and named_list("key", [2, 3]) == "keys 2 and 3"
    assert named_list("密钥", [2, 3], "zh-CN") == "密钥 2、3"


def test_a_missing_master_key_is_named_without_a_program_s_list():
    import pytest

    from hireflow.core.crypto import KeyNotFoundError, Keyring, MasterKey

    ring = Keyring(MasterKey.generate())
    with pytest.raises(KeyNotFoundError) as missing:
        ring.get("00ff")
    assert str(missing.value).startswith(
        f"no master key 00ff in the keyring (it holds key {ring.current.key_id});"
    )
