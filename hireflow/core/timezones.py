"""Time zones by IANA name, with one bilingual error for a bad zone or a naive date.

Below every domain: message templates (notifications) and scheduling both need a zone by
name; scheduling's own error (``SchedulingError``) is a kind of this one.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hireflow.core.errors import N_, BilingualError, Messages

TIME_MESSAGES: dict[str, str] = {
    "invalid_timezone": N_(
        "Unknown time zone '%(tz)s'. Use an IANA name such as Europe/Berlin or Asia/Shanghai."
    ),
    "naive_datetime": N_("%(field)s has no time zone; give a timezone-aware date and time."),
}


class TimeError(BilingualError):
    """A time zone that does not exist, or a date and time without one."""

    MESSAGES: Messages = TIME_MESSAGES


_ZONE_CACHE: dict[str, ZoneInfo] = {}


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a :class:`TimeError` ``invalid_timezone``."""
    zone = _ZONE_CACHE.get(name) if isinstance(name, str) else None
    if zone is not None:
        return zone
    if not isinstance(name, str) or not name or name != name.strip():
        raise TimeError("invalid_timezone", tz=name)
    try:
        zone = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError, OSError) as exc:
        raise TimeError("invalid_timezone", tz=name) from exc
    _ZONE_CACHE[name] = zone
    return zone
