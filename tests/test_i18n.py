"""Every string a page or message shows has Chinese and English, and Japanese where started."""

from __future__ import annotations

from babel.messages.catalog import Catalog

from scripts import i18n


def test_every_catalogue_is_complete(capsys) -> None:
    status = i18n.cmd_check()
    assert status == 0, capsys.readouterr().out


def test_a_message_without_a_translation_is_reported() -> None:
    catalog = Catalog(locale="ja")
    catalog.add("applied", string="応募済み")
    catalog.add("withdrawn", string="")
    catalog.add(("%(num)s entry", "%(num)s entries"), string=("",))
    assert i18n._untranslated(catalog) == ["withdrawn", ("%(num)s entry", "%(num)s entries")]
