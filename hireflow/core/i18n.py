"""Languages, gettext catalogues and locale-aware formatting (SPEC A4).

Catalogues are the ``.po`` files under ``hireflow/web/locale``; they are compiled in memory on
first use, so a fresh clone needs no build step. English source strings are the msgids.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from babel.dates import format_datetime as babel_format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "web" / "locale"

# Product language code -> (gettext directory, Babel locale, name in its own language)
LANGUAGES: dict[str, tuple[str, str, str]] = {
    "zh-CN": ("zh_CN", "zh_Hans_CN", "简体中文"),
    "en": ("en", "en", "English"),
    "ja": ("ja", "ja", "日本語"),
}
DEFAULT_LANGUAGE = "zh-CN"


def plain_list(items: Iterable[object], language: str = "en") -> str:
    """Items as people list them, never as a program's list: "2", "2 and 3", "2, 3 and 4" in
    English; "2、3、4" in Chinese and Japanese."""
    words = [str(item) for item in items]
    if language.startswith(("zh", "ja")):
        return "、".join(words)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} and {words[-1]}"


def named_list(noun: str, items: Sequence[object], language: str = "en") -> str:
    """A noun and the items it names, as a sentence says them: "key 2", "keys 2 and 3"
    (English adds the plural s to ``noun``); "密钥 2、3" (``noun`` given in the language)."""
    plural = len(items) != 1 and not language.startswith(("zh", "ja"))
    return f"{noun}{'s' if plural else ''} {plain_list(items, language)}"


def is_language(code: str | None) -> bool:
    return code in LANGUAGES


def is_timezone(name: str | None) -> bool:
    if not name or ("/" not in name and name != "UTC"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def catalogue_dirs() -> list[Path]:
    """The shared catalogue, then each domain's own (domains keep their strings apart)."""
    package = LOCALE_DIR.parent.parent
    dirs = [LOCALE_DIR]
    dirs += sorted(p for p in package.glob("*/locale") if p.is_dir() and p != LOCALE_DIR)
    return dirs


def _compile(po_path: Path, locale: str) -> Translations:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(fp=buffer)


@lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """The compiled catalogues of a product language, merged (identity for unknown ones)."""
    entry = LANGUAGES.get(language)
    if entry is None:
        return NullTranslations()
    merged: Translations | None = None
    for directory in catalogue_dirs():
        po_path = directory / entry[0] / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            continue
        compiled = _compile(po_path, entry[1])
        if merged is None:
            merged = compiled
        else:
            merged.merge(compiled)
    return merged if merged is not None else NullTranslations()


def gettext_for(language: str):
    return translations(language).gettext


def babel_locale(language: str) -> Locale:
    return Locale.parse(LANGUAGES.get(language, LANGUAGES[DEFAULT_LANGUAGE])[1])


def negotiate(accept_language: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Pick the best product language from an Accept-Language header."""
    if not accept_language:
        return default
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        piece = part.strip()
        if not piece:
            continue
        tag, _, params = piece.partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((-quality, position, tag.strip().lower()))
    for _, _, tag in sorted(weighted):
        if tag.startswith("zh"):
            return "zh-CN"
        if tag.startswith("en"):
            return "en"
        if tag.startswith("ja"):
            return "ja"
    return default


def to_zone(value: datetime, timezone: str) -> datetime:
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("UTC")
    return value.astimezone(zone)


def format_datetime(
    value: datetime | None, timezone: str, language: str, fmt: str = "medium"
) -> str:
    """A UTC timestamp shown in the viewer's zone and language, with the zone named.

    The medium form gives the offset, always as ISO 8601 writes it (``+08:00``, ``-04:00``,
    ``+00:00``, as in the API's examples): Babel's ``z`` gave ``+0800`` for some zones and an
    abbreviation (``EDT``, ``UTC``) for others."""
    if value is None:
        return ""
    local = to_zone(value, timezone)
    if fmt == "short":
        pattern = "yyyy-MM-dd HH:mm"
    else:
        pattern = "yyyy-MM-dd HH:mm (zzzz)" if fmt == "long" else "yyyy-MM-dd HH:mm xxx"
    return babel_format_datetime(local, pattern, tzinfo=local.tzinfo, locale=babel_locale(language))
