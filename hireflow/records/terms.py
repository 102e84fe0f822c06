"""Search words of HR record entries, stored as keyed HMACs (``RecordTerm``): what an entry's
text is indexed under and what a query looks for, per tenant and master key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from hireflow.core.crypto import Keyring, default_suite

MAX_TERMS_PER_ENTRY = 500

_WORDS = re.compile(
    r"[0-9a-z][0-9a-z@._+\-]*|[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]+"
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def words_of(text: str) -> list[str]:
    """Search words: lower-cased Latin words (e-mail parts too) and CJK character pairs.

    Chinese has no spaces; overlapping pairs ("客户投诉" → 客户, 户投, 投诉) find a phrase
    when all its pairs match, without a dictionary.
    """
    normal = " ".join(unicodedata.normalize("NFKC", text).split()).casefold()
    found: list[str] = []
    for match in _WORDS.finditer(normal):
        word = match.group()
        if _CJK.match(word):
            if len(word) == 1:
                found.append(word)
            else:
                found.extend(word[i : i + 2] for i in range(len(word) - 1))
            continue
        word = word.strip("._+-")
        if len(word) >= 2:
            found.append(word)
        parts = [p for p in re.split(r"[@._+\-]", word) if len(p) >= 2]
        if len(parts) > 1:
            found.extend(parts)
    return found


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def term_key(ring: Keyring, tenant_id: int, key_id: str | None = None) -> bytes:
    """The HMAC key of one tenant's search terms (under the current or a given master key)."""
    master = ring.current if key_id is None else ring.get(key_id)
    return master.derive("record-terms", str(tenant_id))


_KEYED: dict[bytes, Any] = {}


def term_value(word: str, key: bytes) -> str:
    """The stored form of a search word: 16 hex digits of HMAC-SHA256 (HMAC-SM3 under the
    sm suite)."""
    suite = default_suite()
    if suite.name != "intl":
        return suite.mac(key, word.encode("utf-8")).hex()[:16]
    base = _KEYED.get(key)
    if base is None:
        # HMAC's key schedule (two padded hashes) is paid once per key, not once per word.
        if len(_KEYED) > 64:
            _KEYED.clear()
        base = _KEYED[key] = hmac.new(key, digestmod=hashlib.sha256)
    mac = base.copy()
    mac.update(word.encode("utf-8"))
    return mac.hexdigest()[:16]


def entry_terms(data: Any, ring: Keyring, tenant_id: int) -> list[str]:
    """Distinct term values of an entry's text (bounded)."""
    key = term_key(ring, tenant_id)
    seen: dict[str, None] = {}
    for text in _strings(data):
        for word in dict.fromkeys(words_of(text)):
            seen.setdefault(term_value(word, key), None)
            if len(seen) >= MAX_TERMS_PER_ENTRY:
                return list(seen)
    return list(seen)


def query_term_variants(query: str, ring: Keyring, tenant_id: int) -> list[list[str]]:
    """For each word of a query, its term values under every key in the ring."""
    keys = [term_key(ring, tenant_id, key_id) for key_id in ring.key_ids]
    words = list(dict.fromkeys(words_of(query)))[:12]
    return [[term_value(word, key) for key in keys] for word in words]
