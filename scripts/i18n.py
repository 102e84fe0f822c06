"""Maintain the gettext catalogues.

    python scripts/i18n.py extract [--domain D]           # refresh .po files from code/templates
    python scripts/i18n.py fill zh_CN F.json [--domain D] # merge {"msgid": "translation"}
    python scripts/i18n.py missing zh_CN [--domain D]     # msgids without a translation (JSON)
    python scripts/i18n.py check                          # exit 1 if zh_CN/en/ja is incomplete
                                                          # (or zh/ja has half-width ，：（）)

Without ``--domain`` the shared catalogue (``hireflow/web/locale``) is meant; it holds every
string outside the domains that keep their own catalogue in ``hireflow/<domain>/locale``.
``extract --domain D`` creates that catalogue, seeding translations from the shared one.

English msgids are the source language; the ``en`` catalogue translates only key-like msgids
(``hr_admin`` → "HR admin") and otherwise repeats the msgid.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "hireflow"
LOCALE_DIR = PACKAGE / "web" / "locale"
LANGS = {"zh_CN": "zh_Hans_CN", "en": "en", "ja": "ja"}
METHOD_MAP = [
    ("**/templates/**.html", "jinja2"),
    ("**.py", "python"),
]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "true"}}
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
KEY_LIKE = re.compile(r"^[a-z][a-z0-9_]*$")
# Helpers that keep their own per-language texts in code are not part of the page catalogues.
SKIP = ("scoring/", "migrations/")


def own_domains() -> list[str]:
    """Domains that keep their own catalogue."""
    return sorted(p.parent.name for p in PACKAGE.glob("*/locale") if p != LOCALE_DIR)


def extract(domain: str | None = None) -> Catalog:
    catalog = Catalog(project="Hireflow", version="0.1", charset="utf-8")
    root = PACKAGE / domain if domain else PACKAGE
    skip = SKIP if domain else SKIP + tuple(f"{d}/" for d in own_domains())
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), METHOD_MAP, OPTIONS, KEYWORDS, comment_tags=("TRANSLATORS:",)
    ):
        if filename.startswith(skip):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(lang: str, domain: str | None = None) -> Path:
    base = PACKAGE / domain / "locale" if domain else LOCALE_DIR
    return base / lang / "LC_MESSAGES" / "messages.po"


def load(lang: str, domain: str | None = None) -> Catalog:
    path = po_path(lang, domain)
    if not path.exists():
        return Catalog(locale=LANGS[lang], project="Hireflow", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=LANGS[lang])


def save(lang: str, catalog: Catalog, domain: str | None = None) -> None:
    path = po_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, width=100, omit_header=False, sort_output=True, no_location=True)


def cmd_extract(domain: str | None) -> None:
    template = extract(domain)
    for lang in LANGS:
        catalog = load(lang, domain)
        shared = load(lang) if domain else None
        # Catalog.update adopts the template's Message objects: each language needs its own
        # copies, or the English fill below leaks into the languages updated after it.
        catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
        catalog.obsolete.clear()
        for message in catalog:
            if not message.id or message.string:
                continue
            if shared is not None and shared.get(message.id) is not None:
                message.string = shared.get(message.id).string
            elif lang == "en" and not _key_like(message.id):
                message.string = message.id
        save(lang, catalog, domain)
    print(f"{len(template)} messages in {domain or 'the shared catalogue'}")


def _cjk(value: object) -> bool:
    texts = value if isinstance(value, tuple) else (value,)
    return any(isinstance(t, str) and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t) for t in texts)


def cmd_fix_english() -> None:
    """Reset English translations that are Chinese (a fill with the wrong file) to the msgid."""
    for domain in [None, *own_domains()]:
        catalog = load("en", domain)
        fixed = 0
        for message in catalog:
            if message.id and _cjk(message.string) and not _cjk(message.id):
                message.string = message.id
                fixed += 1
        if fixed:
            save("en", catalog, domain)
            print(f"{domain or 'shared'}: {fixed} English entries reset to the source text")


def _key_like(msgid: object) -> bool:
    return isinstance(msgid, str) and bool(KEY_LIKE.match(msgid))


def _untranslated(catalog: Catalog) -> list[object]:
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(strings):
            missing.append(message.id)
    return missing


def cmd_fill(lang: str, path: str, domain: str | None) -> None:
    catalog = load(lang, domain)
    data = json.loads(Path(path).read_text())
    applied = 0
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        if key in data:
            value = data[key]
            message.string = tuple(value) if isinstance(message.id, tuple) else value
            applied += 1
    save(lang, catalog, domain)
    print(f"{applied} translations applied to {lang}")


def cmd_missing(lang: str, domain: str | None) -> None:
    missing = _untranslated(load(lang, domain))
    keys = [m if isinstance(m, str) else m[0] for m in missing]
    print(json.dumps(keys, ensure_ascii=False, indent=1))


# Languages whose catalogues must agree with each other (see _conflicts).
AGREEING = ("zh_CN", "en", "ja")


def _conflicts(lang: str) -> dict[object, dict[str, object]]:
    """Msgids translated differently by two catalogues of one language.

    The catalogues merge into one table at run time (core/i18n.translations), where the last
    domain silently wins: a msgid with two meanings needs two msgids, not two translations.
    """
    seen: dict[object, dict[str, object]] = {}
    for domain in [None, *own_domains()]:
        if not po_path(lang, domain).exists():
            continue
        for message in load(lang, domain):
            if message.id and message.string:
                seen.setdefault(message.id, {})[domain or "shared"] = message.string
    return {k: v for k, v in seen.items() if len({str(s) for s in v.values()}) > 1}


# Chinese and Japanese write full-width punctuation (，、。：？！（）): a half-width , : ? ! ( )
# touching their text reads as a typo ("面接:" for "面接：", "AI面試(録画)"). Placeholders and
# template tags are left out first, so "{{ company }}:{{ name }}様" is caught too.
_CJK_TEXT = "\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e"
_HALF_WIDTH = re.compile(f"[{_CJK_TEXT}][,:?!()]|[,:?!()](?=[{_CJK_TEXT}])")
_TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|%\(\w+\)[sd]|\{\w+\}", re.DOTALL)
# The message templates people receive, per language (besides the catalogues).
MESSAGE_DEFAULTS = PACKAGE / "notifications" / "defaults"


def half_width_punctuation(text: str) -> list[str]:
    """Where a half-width , : ? ! ( ) touches Chinese or Japanese text (tags aside)."""
    return [m.group(0) for m in _HALF_WIDTH.finditer(_TAGS.sub("", text))]


def _punctuation_problems() -> list[str]:
    """Half-width punctuation in the Chinese and Japanese catalogues and message defaults."""
    found = []
    for domain in [None, *own_domains()]:
        for lang in ("zh_CN", "ja"):
            if not po_path(lang, domain).exists():
                continue
            for message in load(lang, domain):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for string in strings:
                    if string and half_width_punctuation(string):
                        where = f"{domain or 'shared'} {lang}"
                        found.append(f"{where}: half-width punctuation in {string!r}")
    for path in (MESSAGE_DEFAULTS / "zh-CN.toml", MESSAGE_DEFAULTS / "ja.toml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if half_width_punctuation(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: half-width punctuation")
    return found


def cmd_check() -> int:
    status = 0
    for problem in _punctuation_problems():
        status = 1
        print(problem)
    for lang in AGREEING:
        for msgid, strings in sorted(_conflicts(lang).items(), key=lambda item: str(item[0])):
            status = 1
            print(f"{lang}: {msgid!r} translated differently: {strings}")
    for domain in [None, *own_domains()]:
        template_ids = {m.id for m in extract(domain) if m.id}
        for lang in ("zh_CN", "en", "ja"):
            if lang == "ja" and not po_path(lang, domain).exists():
                continue  # Japanese is complete wherever it was started
            catalog = load(lang, domain)
            ids = {m.id for m in catalog if m.id}
            absent = template_ids - ids
            missing = _untranslated(catalog)
            if lang == "en":
                # An English page must not show Chinese that the English source did not have.
                missing += [m.id for m in catalog if m.id and _cjk(m.string) and not _cjk(m.id)]
            if absent or missing:
                status = 1
                where = domain or "shared"
                print(f"{where} {lang}: {len(absent)} not extracted, {len(missing)} untranslated")
                for msgid in sorted(map(str, absent))[:20]:
                    print(f"   not extracted: {msgid!r}")
                for msgid in sorted(map(str, missing))[:20]:
                    print(f"   untranslated: {msgid!r}")
    return status


if __name__ == "__main__":
    args = sys.argv[1:]
    domain_arg = None
    if "--domain" in args:
        index = args.index("--domain")
        domain_arg = args[index + 1]
        del args[index : index + 2]
    command = args[0] if args else "check"
    if command == "extract":
        cmd_extract(domain_arg)
    elif command == "fill":
        cmd_fill(args[1], args[2], domain_arg)
    elif command == "missing":
        cmd_missing(args[1], domain_arg)
    elif command == "fix-english":
        cmd_fix_english()
    else:
        sys.exit(cmd_check())
