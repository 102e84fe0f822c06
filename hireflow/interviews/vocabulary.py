"""The opening's vocabulary, to bias speech recognition toward it (SPEC E3).

A candidate for a platform job says "Kubernetes", "Istio" and "Argo CD"; a general speech
model that has rarely heard them writes "Cuban Eats" and "RDoCD". Whisper can be steered by
text it is given before the audio (``initial_prompt``, the first 30-second window) and by
``hotwords`` (every window, in faster-whisper); OpenAI-compatible endpoints take a ``prompt``.
This module picks the words worth steering toward from the opening itself and writes the
prompt. The embedded transcriber gives them as hotwords only, within a token budget
(``speech.budget_terms``): given as both they were decoded twice over at every step.

Terms, in order: the opening's required skills, skills of the shared vocabulary
(``hireflow.candidates.skills``) named in its title and description, then names the text
itself marks as names: mixed case (ClickHouse, HubSpot), acronyms (AWS, CRM), capitalised
words inside a sentence (Grafana, Istio), a name followed by an acronym (Argo CD), and titles
in 《》. Ordinary words never qualify (a capitalised word that starts a sentence, or one of
the common words below). Pure functions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hireflow.candidates.skills import find_skills

__all__ = ["MAX_PROMPT_CHARS", "MAX_TERMS", "job_terms", "vocabulary_prompt"]

MAX_TERMS = 40
# Whisper's prompt holds at most 223 tokens; a product name is 2-4 tokens. A longer prompt
# also makes the model more likely to repeat prompt words where nobody said them.
MAX_PROMPT_CHARS = 400
CHINESE_PROMPT = "以下是普通话的句子。"

# Capitalised words that are not names (headings, sentence starts after a colon, months...).
_COMMON_TEXT = """
    a an and as at be by for from in into is it its of on or our the to we with you your
    about after all also are before both but can each every experience first help i if
    including it's job knowledge location may more most must new no not now one only other
    plus preferred required requirements responsibilities role salary senior junior lead
    manager engineer team that their then there these this those through us what when where
    which who will work years monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    english chinese mandarin german bachelor master degree hr ok
"""
_COMMON = frozenset(_COMMON_TEXT.split())
_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9+#.\-]*[A-Za-z0-9+#]|[A-Za-z]")
# Argo CD, Power BI, Spring Boot: two or three capitalised words in a row.
_NAME_RUN = re.compile(
    r"(?<![A-Za-z])((?:[A-Z][A-Za-z0-9]*) (?:[A-Z][A-Za-z0-9]*)(?: [A-Z][A-Za-z0-9]*)?)"
)
_BOOK = re.compile(r"《([^》]{1,20})》")
# What ends a sentence before a capitalised word (a colon does not: "systems: Salesforce").
_SENTENCE_END = re.compile(r"[.!?。！？;；\n•\-]\s*$")


def _is_name(token: str, previous: str) -> bool:
    if token.lower() in _COMMON or len(token) < 2:
        return False
    inner_upper = any(ch.isupper() for ch in token[1:])
    if inner_upper and any(ch.islower() for ch in token):
        return True  # ClickHouse, HubSpot, PySpark
    if token.isupper() and 2 <= len(token) <= 6:
        return True  # AWS, CRM, SQL
    # a capitalised word inside a sentence
    return token[0].isupper() and bool(previous.strip()) and not _SENTENCE_END.search(previous)


def _names(text: str) -> list[str]:
    found: list[str] = [m.group(1) for m in _BOOK.finditer(text)]
    for match in _NAME_RUN.finditer(text):
        words = match.group(1).split()
        previous = text[max(0, match.start() - 3) : match.start()]
        if not any(w.lower() in _COMMON for w in words) and _is_name(words[0], previous):
            found.append(match.group(1))
    for match in _TOKEN.finditer(text):
        token = match.group(0).rstrip(".-")
        if _is_name(token, text[max(0, match.start() - 3) : match.start()]):
            found.append(token)
    return found


def job_terms(
    title: str = "",
    description: str = "",
    skills: Iterable[str] = (),
    extra: Iterable[str] = (),
    limit: int = MAX_TERMS,
) -> list[str]:
    """The words of an opening worth steering recognition toward, most important first,
    without duplicates (case-insensitive)."""
    text = f"{title or ''}\n{description or ''}"
    folded = text.casefold()
    ordered = [s.strip() for s in skills if s and s.strip()]
    # Skills the text names as such (not through an alias: 招聘 is not "Recruitment").
    ordered += [
        name
        for name in find_skills(text)
        if re.search(rf"(?<![a-z0-9]){re.escape(name.casefold())}(?![a-z0-9])", folded)
    ]
    ordered += _names(description or "")  # a title is all capitals: its names are skills
    ordered += [e.strip() for e in extra if e and e.strip()]
    runs = [t.casefold().split() for t in ordered if " " in t]
    seen: set[str] = set()
    out: list[str] = []
    for term in ordered:
        key = term.casefold()
        if key in seen or len(term) > 40:
            continue
        if " " not in key and any(key in run for run in runs):
            continue  # "Argo" alone adds nothing to "Argo CD"
        seen.add(key)
        out.append(term)
        if len(out) >= limit:
            break
    return out


def vocabulary_prompt(terms: Sequence[str], language: str | None) -> str:
    """The text given to the recognizer before the audio.

    Chinese keeps the sentence that steers Whisper to Mandarin with punctuation and lists the
    terms after it; other languages get the terms as a short list. Empty without terms
    (Chinese: the steering sentence alone)."""
    chosen: list[str] = []
    size = 0
    for term in terms:
        if size + len(term) + 2 > MAX_PROMPT_CHARS:
            break
        chosen.append(term)
        size += len(term) + 2
    if language == "zh":
        return CHINESE_PROMPT + ("可能提到：" + "、".join(chosen) + "。" if chosen else "")
    return ", ".join(chosen) + "." if chosen else ""
