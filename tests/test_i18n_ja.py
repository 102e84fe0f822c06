"""Japanese is a full third language (SPEC E7): every entry of every ja catalogue is filled,
keeps the msgid's placeholders and is Japanese rather than a copy of the English or Chinese
(one translation per msgid across catalogues: ``scripts/i18n.py check``, tests/test_i18n.py)."""

from __future__ import annotations

import re

import pytest
from babel.messages.catalog import Catalog

from scripts import i18n

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")
# Simplified-Chinese characters Japanese never uses: a ja entry holding one was copied from zh.
SIMPLIFIED_ONLY = re.compile(
    "[们这时间选应聘记录态访问页对暂无类搜岗说请读认证设计统划续资讯转门开关发报显听见经验难题择为两东专级网务节库么吗给让没该户员单优业络码错误钟]"
)
# Names, codes and symbols that read the same in Japanese.
SAME_IN_JAPANESE = {"AI", "API", "AccessKey ID", "Hireflow", "IT", "Moka", "QWK", "URL"}


def _texts(value: object) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)  # type: ignore[return-value]


def _placeholders(text: str) -> list[str]:
    return sorted(a or b for a, b in PLACEHOLDER.findall(text))


def _sentence(text: str) -> bool:
    """English words rather than a key-like code ("aliyun") or a symbol."""
    return bool(re.search(r"[A-Za-z]{3}", text)) and (text.lower() != text or " " in text)


def problems(catalog: Catalog, where: str = "") -> list[str]:
    """What is wrong with the Japanese entries of one catalogue."""
    found = []
    for message in catalog:
        if not message.id:
            continue
        ids, strings = _texts(message.id), _texts(message.string)
        label = f"{where}: {ids[0]!r}"
        if not all(s and s.strip() for s in strings):
            found.append(f"{label} is empty")
            continue
        for string in strings:
            if _placeholders(string) != _placeholders(ids[0]):
                found.append(f"{label}: placeholders {_placeholders(string)} in {string!r}")
            chinese = set(SIMPLIFIED_ONLY.findall(string)) - set(ids[0])
            if chinese and not re.search(r"[\u3040-\u30ff]", string):
                found.append(f"{label} is Chinese: {string!r}")
            if string == ids[0] and ids[0] not in SAME_IN_JAPANESE and _sentence(string):
                found.append(f"{label} is left in English")
    return found


def test_every_japanese_entry_is_filled_and_keeps_its_placeholders() -> None:
    found: list[str] = []
    for domain in [None, *i18n.own_domains()]:
        assert i18n.po_path("ja", domain).exists(), domain
        found += problems(i18n.load("ja", domain), domain or "shared")
    assert not found, "\n".join(found[:40])


@pytest.mark.parametrize(
    ("msgid", "string", "problem"),
    [
        ("Withdrawn", "", "is empty"),
        ("Hello %(name)s", "こんにちは", "placeholders"),
        ("Between {a} and {b}", "{a} から {c}", "placeholders"),
        ("Save the checklist", "Save the checklist", "left in English"),
        ("Candidate", "候选人", "is Chinese"),
    ],
)
def test_a_bad_japanese_entry_is_reported(msgid: str, string: str, problem: str) -> None:
    catalog = Catalog(locale="ja")
    catalog.add(msgid, string=string)
    catalog.add("QWK", string="QWK")  # the same in Japanese
    catalog.add("Save", string="保存")
    (found,) = problems(catalog)
    assert problem in found
