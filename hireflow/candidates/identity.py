"""Keys that decide whether two resumes are the same person (SPEC C1 duplicates).

Pure functions, shared by the intake, the migration that encrypted existing rows and the
benchmarks. A person is the same when any of these agree within one company:

1. the e-mail address (trimmed, case-folded);
2. the phone number (E.164, compared through its blind index, never decrypted);
3. the name (:func:`name_key`) together with the birth date or a school attended.

A name alone never merges two people: namesakes are common (王伟 is shared by hundreds of
thousands of people).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

_NAME_NOISE = re.compile(r"[\s.·•・,，'’\-_()（）]+")


def name_key(name: str | None) -> str:
    """A name folded for comparison: NFKC, case-folded, spaces and dots removed.

    "Emily  Carter", "emily carter" and "EMILY CARTER" agree; "王 芳" and "王芳" agree.
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name).casefold()
    return _NAME_NOISE.sub("", text)[:200]


def email_key(email: str | None) -> str:
    """An e-mail address as stored and compared: trimmed and case-folded ("" if unusable)."""
    if not email:
        return ""
    text = unicodedata.normalize("NFKC", email).strip().casefold()
    if text.count("@") != 1 or text.startswith("@") or text.endswith("@") or " " in text:
        return ""
    return text[:254]


def school_keys(schools: Iterable[str | None]) -> set[str]:
    """Schools folded like names, so "浙江大学" and "浙江 大学" agree."""
    return {key for key in (name_key(s) for s in schools) if key}


_BIRTH_LABEL = re.compile(
    r"(?:出生日期|出生年月|出生|生日|date\s+of\s+birth|birth\s*date|born|d\.?o\.?b\.?)"
    r"\s*[:：]?\s*"
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2}))?",
    re.IGNORECASE,
)


def find_birth_date(text: str, *, today: date) -> str | None:
    """A labelled birth date in resume text as ``YYYY-MM-DD`` (or ``YYYY-MM`` without a day).

    Only labelled dates count (出生日期：1990年5月, Date of birth: 1990-05-12): a date range
    of a job is never a birth date. Implausible dates (a future year, over 100 years ago,
    month 13) are ignored.
    """
    match = _BIRTH_LABEL.search(text[:5000])
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    day = int(match[3]) if match[3] else None
    if not (today.year - 100 <= year <= today.year - 14) or not 1 <= month <= 12:
        return None
    if day is not None:
        try:
            return date(year, month, day).isoformat()
        except ValueError:
            return None
    return f"{year:04d}-{month:02d}"
