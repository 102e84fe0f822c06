"""The offer letter as PDF, in Chinese, English or Japanese (SPEC H3).

HTML rendered by WeasyPrint (Pango lays out the text), with the Debian CJK fonts the machine
has (Noto Sans CJK, else WenQuanYi Micro Hei, which also covers kana), which are embedded as
subsets: the letter reads
the same on any reader. The renderer fetches nothing: every URL is refused, so a letter text
cannot make the server reach another site.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, select_autoescape

from hireflow.core.i18n import babel_locale, format_datetime, translations
from hireflow.offers.defaults import DOCUMENT_LABELS, PERIOD_LABELS

TEMPLATES = Path(__file__).resolve().parent / "templates"
PDF_LANGUAGES = {"zh": "zh-CN", "en": "en", "ja": "ja"}
_PLACEHOLDER = re.compile(r"\{(name|position|company|start_date|salary|location)\}")


@dataclass(frozen=True)
class Letter:
    """Everything a letter shows, already chosen; ``language`` is "zh", "en" or "ja"."""

    language: str
    company: str
    name: str
    position: str
    department: str
    salary: int
    currency: str
    salary_period: str
    start_date: date
    probation_months: int
    location: str
    body: str
    documents: list[str] = field(default_factory=list)
    expires_at: datetime | None = None
    timezone: str = "Asia/Shanghai"
    reference: str = ""


def pdf_language(value: str) -> str:
    """ "zh" for any Chinese locale, "ja" for Japanese, else "en" (the letter's languages)."""
    base = value.lower()[:2]
    return base if base in ("zh", "ja") else "en"


def _refuse(url: str) -> NoReturn:
    raise ValueError("the offer letter loads no resources")


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
    )
    return env


_ENV = _environment()


def _fill(body: str, letter: Letter, salary: str, start: str) -> str:
    values = {
        "name": letter.name,
        "position": letter.position,
        "company": letter.company,
        "start_date": start,
        "salary": salary,
        "location": letter.location,
    }
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], body)


def format_day(day: date, locale: str) -> str:
    """A calendar day as people write it: "2027年1月4日", "January 4, 2027"."""
    return format_date(day, "long", locale=babel_locale(locale))


def letter_html(letter: Letter) -> str:
    locale = PDF_LANGUAGES[letter.language]
    catalogue = translations(locale)
    _ = catalogue.gettext
    salary = f"{letter.currency} {letter.salary:,} {_(PERIOD_LABELS[letter.salary_period])}"
    start = format_day(letter.start_date, locale)
    context: dict[str, Any] = {
        "letter": letter,
        "lang": locale,
        "salary": salary,
        "start": start,
        "paragraphs": [p for p in _fill(letter.body, letter, salary, start).split("\n") if p],
        "documents": [_(DOCUMENT_LABELS.get(d, d)) for d in letter.documents],
        "expires": format_datetime(letter.expires_at, letter.timezone, locale, "long")
        if letter.expires_at
        else "",
        "_": _,
        "colon": "：" if letter.language in ("zh", "ja") else ": ",
    }
    return _ENV.get_template("offers/letter.html").render(context)


def render_pdf(letter: Letter) -> bytes:
    """The letter as a PDF document (fonts embedded)."""
    from weasyprint import HTML  # imported here: loading Pango costs ~0.3 s once

    document: bytes = HTML(string=letter_html(letter), url_fetcher=_refuse).write_pdf()
    return document


def digest(document: bytes) -> str:
    return hashlib.sha256(document).hexdigest()
