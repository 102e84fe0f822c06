"""Answers and quoted evidence translated for the person reading the report (SPEC E7).

A candidate answers in their language; HR reads the original with a translation into HR's
language beside it. Scoring never sees a translation: it ran on the original. Translation is
asked for (the report's "Translate" link, or the API), not done on every view, because a
provider may take seconds per answer; the translator caches what it translated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hireflow.core.settings import get_settings
from hireflow.interviews.queries import Detail
from hireflow.scoring.text import detect_language
from hireflow.scoring.translation import TranslationError, get_translator, normalise_language


@dataclass(frozen=True)
class Reading:
    """Translations of a report's texts into ``target``: original text -> translation."""

    target: str
    provider: str
    texts: dict[str, str] = field(default_factory=dict)
    error: str = ""

    def of(self, text: str) -> str:
        return self.texts.get(text, "")


def texts_of(detail: Detail) -> list[str]:
    """The report's texts a reader may want translated: answers, highlights, evidence."""
    found: list[str] = []
    for answer in detail.answers:
        found.append(answer.text)
        found.extend(answer.quotes)
    report = detail.final or detail.report
    if report is not None:
        for dimension in report.dimensions:
            found.extend(item.quote for item in dimension.evidence)
    return list(dict.fromkeys(text for text in found if text and text.strip()))


def reader_target(language: str) -> str | None:
    """The reader's language as the translator names it, or None if it does not translate it."""
    try:
        return normalise_language(language)
    except ValueError:
        return None


def foreign_texts(detail: Detail, target: str) -> dict[str, list[str]]:
    """Texts not already in ``target``, grouped by the language they are written in."""
    by_language: dict[str, list[str]] = {}
    for text in texts_of(detail):
        source = detect_language(text, default=target)
        if source != target:
            by_language.setdefault(source, []).append(text)
    return by_language


def available(detail: Detail, reader_language: str) -> bool:
    """Whether a translator is configured and the report holds text in another language."""
    target = reader_target(reader_language)
    if target is None or get_translator(get_settings()) is None:
        return False
    return bool(foreign_texts(detail, target))


def translate(detail: Detail, reader_language: str) -> Reading | None:
    """Translate the report's foreign texts into the reader's language; None when no
    translator is configured. A provider failure comes back as ``error``, never as a crash:
    the originals stay readable."""
    translator = get_translator(get_settings())
    target = reader_target(reader_language)
    if translator is None or target is None:
        return None
    texts: dict[str, str] = {}
    try:
        for source, originals in foreign_texts(detail, target).items():
            texts.update(
                zip(originals, translator.translate(originals, source, target), strict=True)
            )
    except (TranslationError, ValueError) as exc:
        return Reading(target=target, provider=translator.name, error=str(exc))
    return Reading(target=target, provider=translator.name, texts=texts)
