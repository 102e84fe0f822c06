"""Every string a page or message shows has Chinese and English, and Japanese where started.

The whole check (``scripts/i18n.py check``, which extracts every domain's messages) runs
once, as the command people run, in tests/core/test_i18n.py; here its reports themselves."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from scripts import i18n


def test_a_message_without_a_translation_is_reported() -> None:
    catalog = Catalog(locale="ja")
    catalog.add("applied", string="応募済み")
    catalog.add("withdrawn", string="")
    catalog.add(("%(num)s entry", "%(num)s entries"), string=("",))
    assert i18n._untranslated(catalog) == ["withdrawn", ("%(num)s entry", "%(num)s entries")]


def test_catalogues_that_disagree_on_a_message_are_reported(tmp_path, monkeypatch) -> None:
    # Two domains translate "Open" differently: one table at run time can hold only one.
    from babel.messages.pofile import write_po

    for domain, text in (("alpha", "打开"), ("beta", "待办")):
        catalog = Catalog(locale="zh_Hans_CN")
        catalog.add("Open", string=text)
        catalog.add("Close", string="关闭")
        path = tmp_path / domain / "locale" / "zh_CN" / "LC_MESSAGES" / "messages.po"
        path.parent.mkdir(parents=True)
        with path.open("wb") as handle:
            write_po(handle, catalog)
    monkeypatch.setattr(i18n, "own_domains", lambda: ["alpha", "beta"])
    monkeypatch.setattr(
        i18n,
        "po_path",
        lambda lang, domain=None: (
            tmp_path / (domain or "none") / "locale" / lang / "LC_MESSAGES" / "messages.po"
        ),
    )
    assert i18n._conflicts("zh_CN") == {"Open": {"alpha": "打开", "beta": "待办"}}


def test_no_english_text_writes_a_plural_as_s_in_brackets() -> None:
    """ "1 question(s)" reads as a form, not a sentence: ngettext or an explicit singular and
    plural instead ("http(s)" is an address scheme, not a plural)."""
    import re

    found = []
    for domain in [None, *i18n.own_domains()]:
        for message in i18n.load("en", domain):
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            found += [m for m in ids if m and re.search(r"[a-z]\(s\)", m.replace("http(s)", ""))]
    for path in (i18n.PACKAGE / "notifications" / "defaults").glob("*.toml"):
        found += re.findall(r"[a-z]+\(s\)", path.read_text(encoding="utf-8"))
    assert found == []


def test_half_width_punctuation_in_chinese_or_japanese_text_is_reported() -> None:
    found = i18n.half_width_punctuation
    assert found("受験期限:{{ deadline }}") == ["限:"]
    assert found("{{ company_name }}:{{ name }}様") == [":"]
    assert found("AI面接(録画型)") == ["接(", "型)"]
    assert found("验证码已发送,10 分钟内有效。") == ["送,"]
    assert found("面接：%(job)s（%(company)s）") == []
    assert found("例：Asia/Shanghai, 09:30 (UTC+8), https://example.com/a?b=1!") == []
    assert found('{{ names|join(", ") }} {% if a %}(x){% endif %}') == []


def test_chinese_and_japanese_texts_use_full_width_punctuation() -> None:
    """The catalogues and the message templates people receive (``scripts/i18n.py check``
    reports the same)."""
    assert i18n._punctuation_problems() == []
