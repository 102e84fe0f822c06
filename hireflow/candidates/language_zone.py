"""The language and time zone to speak to a candidate in, guessed per application.

An English resume from San Francisco should get an English invitation with a Pacific-time
deadline, whatever the company's defaults; the same person applying to a Chinese opening later
may still prefer English. So each application gets its own guess, from:

1. the language of the resume's text (Han characters, kana, Latin words);
2. the place the resume gives (a city, a US state, a country), else a place it mentions in
   its first lines;
3. the phone number's country (and, for the US and Canada, area code), through
   ``phonenumbers``' time-zone data;
4. the opening's language when the text says nothing clear, and the company's zone last.

Every guess carries its reasons (codes and the value they came from, never a whole address)
so HR sees why and can change it before inviting; the candidate can switch language on every
page of their link, which then becomes the application's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from phonenumbers import timezone as phone_zones

LANGUAGES = ("zh-CN", "en", "ja")

# Source of a decision, in the order it overrides the others.
SOURCES = ("default", "opening", "resume", "hr", "candidate")

_PACIFIC, _MOUNTAIN, _CENTRAL, _EASTERN = (
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
)
_US_STATES = {
    **dict.fromkeys(("CA", "WA", "OR", "NV"), _PACIFIC),
    **dict.fromkeys(("CO", "UT", "NM", "MT", "WY", "ID"), _MOUNTAIN),
    "AZ": "America/Phoenix",
    **dict.fromkeys(
        (
            "TX", "IL", "MN", "WI", "MO", "IA", "LA", "OK", "KS", "NE", "AR", "MS", "AL", "TN",
            "SD", "ND",
        ),
        _CENTRAL,
    ),
    **dict.fromkeys(
        (
            "NY", "NJ", "MA", "PA", "CT", "RI", "NH", "VT", "ME", "MD", "DC", "VA", "NC", "SC",
            "GA", "FL", "OH", "MI", "IN", "KY", "WV", "DE",
        ),
        _EASTERN,
    ),
    "HI": "Pacific/Honolulu",
    "AK": "America/Anchorage",
}  # fmt: skip

# Places people write on resumes, lower-case English or as written in Chinese/Japanese.
_PLACES: dict[str, str] = {
    # United States and Canada
    **dict.fromkeys(
        (
            "san francisco", "bay area", "silicon valley", "san jose", "palo alto", "mountain view",
            "sunnyvale", "oakland", "berkeley", "los angeles", "san diego", "seattle", "redmond",
            "bellevue", "portland", "las vegas", "旧金山", "硅谷", "洛杉矶", "西雅图",
        ),
        _PACIFIC,
    ),
    **dict.fromkeys(("vancouver", "温哥华"), "America/Vancouver"),
    **dict.fromkeys(("denver", "salt lake city", "boulder"), _MOUNTAIN),
    "phoenix": "America/Phoenix",
    **dict.fromkeys(
        ("chicago", "austin", "dallas", "houston", "minneapolis", "芝加哥", "休斯顿"), _CENTRAL
    ),
    **dict.fromkeys(
        (
            "new york", "nyc", "manhattan", "brooklyn", "boston", "cambridge, ma",
            "washington, dc", "washington dc", "philadelphia", "atlanta", "miami", "pittsburgh",
            "纽约", "波士顿", "华盛顿",
        ),
        _EASTERN,
    ),
    **dict.fromkeys(("toronto", "montreal", "ottawa", "多伦多"), "America/Toronto"),
    **dict.fromkeys(("mexico city",), "America/Mexico_City"),
    **dict.fromkeys(("são paulo", "sao paulo"), "America/Sao_Paulo"),
    # Europe
    **dict.fromkeys(
        ("london", "manchester", "edinburgh", "bristol", "united kingdom", "伦敦", "英国"),
        "Europe/London",
    ),
    **dict.fromkeys(("dublin", "ireland"), "Europe/Dublin"),
    **dict.fromkeys(
        ("berlin", "munich", "münchen", "hamburg", "frankfurt", "germany", "柏林", "德国"),
        "Europe/Berlin",
    ),
    **dict.fromkeys(("paris", "france", "巴黎", "法国"), "Europe/Paris"),
    **dict.fromkeys(("amsterdam", "netherlands"), "Europe/Amsterdam"),
    **dict.fromkeys(("zurich", "zürich", "geneva", "switzerland"), "Europe/Zurich"),
    **dict.fromkeys(("madrid", "barcelona", "spain"), "Europe/Madrid"),
    **dict.fromkeys(("stockholm", "sweden"), "Europe/Stockholm"),
    **dict.fromkeys(("moscow", "莫斯科"), "Europe/Moscow"),
    # Asia and Oceania
    **dict.fromkeys(("hong kong", "香港"), "Asia/Hong_Kong"),
    **dict.fromkeys(("macau", "macao", "澳门"), "Asia/Macau"),
    **dict.fromkeys(("taipei", "taiwan", "台北", "台湾", "臺北", "臺灣"), "Asia/Taipei"),
    **dict.fromkeys(("singapore", "新加坡"), "Asia/Singapore"),
    **dict.fromkeys(
        ("tokyo", "osaka", "kyoto", "japan", "东京", "東京", "大阪", "日本"), "Asia/Tokyo"
    ),
    **dict.fromkeys(("seoul", "korea", "首尔", "韩国"), "Asia/Seoul"),
    **dict.fromkeys(("kuala lumpur", "malaysia", "吉隆坡", "马来西亚"), "Asia/Kuala_Lumpur"),
    **dict.fromkeys(("bangkok", "thailand", "曼谷"), "Asia/Bangkok"),
    **dict.fromkeys(("jakarta", "indonesia"), "Asia/Jakarta"),
    **dict.fromkeys(("manila", "philippines"), "Asia/Manila"),
    **dict.fromkeys(("ho chi minh", "hanoi", "vietnam"), "Asia/Ho_Chi_Minh"),
    **dict.fromkeys(
        ("bangalore", "bengaluru", "mumbai", "delhi", "hyderabad", "pune", "india"),
        "Asia/Kolkata",
    ),
    **dict.fromkeys(("dubai", "abu dhabi", "迪拜"), "Asia/Dubai"),
    **dict.fromkeys(("sydney", "melbourne", "australia", "悉尼", "墨尔本"), "Australia/Sydney"),
    **dict.fromkeys(("auckland", "new zealand"), "Pacific/Auckland"),
    # Mainland China (names written in Latin letters; Chinese place names are handled below)
    **dict.fromkeys(
        (
            "beijing", "shanghai", "shenzhen", "guangzhou", "hangzhou", "chengdu", "nanjing",
            "wuhan", "xi'an", "xian", "suzhou", "tianjin", "chongqing", "china", "prc",
        ),
        "Asia/Shanghai",
    ),
}  # fmt: skip
_PLACE_PATTERN = re.compile(
    "|".join(
        (r"(?<![a-z])" + re.escape(name) + r"(?![a-z])") if name.isascii() else re.escape(name)
        for name in sorted(_PLACES, key=len, reverse=True)
    )
)
_STATE = re.compile(r",\s*([A-Z]{2})\b(?:\s+\d{5})?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_WORD = re.compile(r"[A-Za-z]{2,}")
_NOISE = re.compile(r"\S+@\S+|https?://\S+|www\.\S+")


@dataclass(frozen=True)
class LocaleGuess:
    """A language and zone for one application, with where each came from."""

    language: str
    timezone: str
    source: str  # the strongest source used: resume, opening or default
    reasons: list[dict[str, Any]] = field(default_factory=list)


def text_language(text: str) -> str | None:
    """``zh-CN``, ``ja`` or ``en`` when the text is clearly written in it, else ``None``.

    Counted on the text without addresses and links: each Han character and kana counts as
    one, each Latin word as one. A Chinese resume full of English skill names stays Chinese.
    """
    sample = _NOISE.sub(" ", text or "")[:6000]
    han = len(_HAN.findall(sample))
    kana = len(_KANA.findall(sample))
    words = len(_WORD.findall(sample))
    total = han + kana + words
    if total < 8:
        return None
    if kana >= 10 and kana >= 0.1 * (han + kana):
        return "ja"
    if han >= 0.35 * total:
        return "zh-CN"
    if words >= 0.8 * total:
        return "en"
    return None


def zone_of_place(place: str) -> tuple[str, str] | None:
    """(zone, the words it was read from) for a place as resumes write it."""
    if not place:
        return None
    found = _PLACE_PATTERN.search(place.lower())
    if found:
        return _PLACES[found.group(0)], place[found.start() : found.end()] or found.group(0)
    state = _STATE.search(place)
    if state and state.group(1) in _US_STATES:
        return _US_STATES[state.group(1)], state.group(0).strip(", ")
    han = "".join(_HAN.findall(place))
    if han:
        # A place written in Chinese that is none of the above is on the mainland.
        return "Asia/Shanghai", place.strip()[:20]
    return None


def zone_of_phone(phone: str, language: str | None) -> tuple[str, str] | None:
    """(zone, "+<country code>") from a phone number. Numbers without a country code are
    read as Chinese for Chinese text and as North American for English text."""
    if not phone:
        return None
    regions = ["CN"] if language != "en" else ["US", "CN"]
    for region in regions if not phone.strip().startswith("+") else [None]:
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        if not phonenumbers.is_valid_number(number):
            continue
        zones = [z for z in phone_zones.time_zones_for_number(number) if "/" in z]
        if zones:
            return zones[0], f"+{number.country_code}"
    return None


def guess(
    *,
    text: str,
    location: str = "",
    phone: str = "",
    opening_language: str = "",
    default_zone: str = "Asia/Shanghai",
) -> LocaleGuess:
    """The language and zone to use for an application built from this resume."""
    reasons: list[dict[str, Any]] = []
    source = "default"
    language = text_language(text)
    if language:
        reasons.append({"code": "text_language", "value": language})
        source = "resume"
    elif opening_language in LANGUAGES:
        language = opening_language
        reasons.append({"code": "opening_language", "value": language})
        source = "opening"
    else:
        language = "zh-CN"
        reasons.append({"code": "default_language", "value": language})

    zone = None
    place = zone_of_place(location)
    if place:
        zone = place[0]
        reasons.append({"code": "location", "value": place[1], "zone": zone})
    else:
        # the header lines, where resumes put the city; not the education further down
        head = "\n".join(line for line in (text or "").splitlines() if line.strip())
        head = "\n".join(head.splitlines()[:4])
        mentioned = zone_of_place(_NOISE.sub(" ", head)) if head else None
        if mentioned and not _HAN.search(mentioned[1]):
            zone = mentioned[0]
            reasons.append({"code": "location_mentioned", "value": mentioned[1], "zone": zone})
    by_phone = zone_of_phone(phone, language)
    if by_phone:
        if zone is None:
            zone = by_phone[0]
        reasons.append({"code": "phone", "value": by_phone[1], "zone": by_phone[0]})
    if zone is None:
        zone = default_zone
        reasons.append({"code": "default_zone", "value": zone, "zone": zone})
    elif source == "default":
        source = "resume"
    return LocaleGuess(language=language, timezone=zone, source=source, reasons=reasons)


def effective(
    application: Any, candidate: Any, default_language: str, default_zone: str
) -> tuple[str, str]:
    """The language and zone an application's messages use now: its own, else the person's,
    else the company's."""
    language = application.language or candidate.language or default_language
    zone = application.timezone or candidate.timezone or default_zone
    return language, zone
