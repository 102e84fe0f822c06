"""Text normalisation before blind indexing (``hireflow.core.crypto.blind_index``).

Two spellings of one phone number, e-mail address or identity number must give one index
value, so each column's normaliser reduces its values to one canonical form first. These are
pure text functions with no keys in them; ``hireflow.core.crypto`` re-exports them so callers
keep one import surface for "encrypt and index a field".
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

__all__ = [
    "normalise_date",
    "normalise_email",
    "normalise_id_number",
    "normalise_phone",
    "normalise_text",
]


_PHONE_SEPARATORS = re.compile(r"[\s\-\.\(\)/\u00a0\u2010-\u2015\u3000]")


def normalise_phone(value: str, default_country_code: str = "86") -> str:
    """A phone number in E.164 form (``+8613800138000``) for blind indexing.

    Accepts ``+``, ``00`` or the default country (no prefix); strips spaces, dashes, dots,
    brackets and full-width characters (NFKC); drops one national trunk ``0`` from numbers
    without a country code. Raises ``ValueError`` for anything that is not 8-15 digits.
    This is normalisation for matching, not validation of numbering plans.
    """
    if not re.fullmatch(r"[1-9][0-9]{0,2}", default_country_code):
        raise ValueError("default_country_code must be 1-3 digits, e.g. '86'")
    text = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("+"):
        digits = text[1:]
    elif text.startswith("00"):
        digits = text[2:]
    else:
        national = text[1:] if text.startswith("0") else text
        digits = default_country_code + national
    if not re.fullmatch(r"[1-9][0-9]{7,14}", digits):
        raise ValueError(f"not a phone number: {value!r}")
    return "+" + digits


def normalise_id_number(value: str) -> str:
    """An identity document number: NFKC, separators removed, upper case (``x`` → ``X``)."""
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value)).upper()
    if not text or not text.isalnum():
        raise ValueError(f"not an identity number: {value!r}")
    return text


def normalise_email(value: str) -> str:
    """An e-mail address trimmed and case-folded (matching, not RFC 5321 equivalence)."""
    text = unicodedata.normalize("NFKC", value).strip().casefold()
    if text.count("@") != 1 or text.startswith("@") or text.endswith("@"):
        raise ValueError(f"not an e-mail address: {value!r}")
    return text


def normalise_text(value: str) -> str:
    """Generic text: NFKC, collapsed whitespace, case-folded."""
    return " ".join(unicodedata.normalize("NFKC", value).split()).casefold()


def normalise_date(value: str | date) -> str:
    """A calendar date (e.g. birth date) as ``YYYY-MM-DD``; accepts ISO strings or dates."""
    if isinstance(value, datetime):
        raise TypeError("pass a date, not a datetime")
    if isinstance(value, date):
        return value.isoformat()
    text = unicodedata.normalize("NFKC", value).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    if not match:
        raise ValueError(f"not a date: {value!r}")
    return date(int(match[1]), int(match[2]), int(match[3])).isoformat()
