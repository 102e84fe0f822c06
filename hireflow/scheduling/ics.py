"""iCalendar (RFC 5545) invitations and busy-block import (SPEC D2, D3).

Invites: :func:`build_invite` makes a ``METHOD:REQUEST`` or ``METHOD:CANCEL`` calendar with
one VEVENT whose UID is stable per booking (:func:`invite_uid`) and whose SEQUENCE the caller
increments on every reschedule (RFC 5546 3.2.2/3.2.5: a client replaces the event with the
same UID when the SEQUENCE is higher). DTSTART/DTEND carry a ``TZID`` and the calendar carries
a matching VTIMEZONE built from the IANA database, so Outlook, Google and DingTalk show the
right wall time even where they do not know the zone name. Text parts take a ``LANGUAGE``
parameter; a VALARM reminds the attendee before the start.

Busy blocks: :func:`parse_busy_blocks` reads an .ics export (Outlook, Google, DingTalk, Feishu)
and returns merged busy intervals inside a bounded window. Recurrences (RRULE, RDATE, EXDATE,
overridden instances) are expanded with ``recurring-ical-events``, which also honours Google's
``X-WR-TIMEZONE``; expansion stops at the window end and after ``max_events`` occurrences so a
hostile ``FREQ=SECONDLY`` rule cannot exhaust memory. All-day events block whole local days in
the calendar owner's zone; floating times are read in that zone too. Transparent (free),
cancelled and Outlook "free" events are ignored, as are FREEBUSY periods of type FREE. Only
times leave this module: summaries and attendees of imported events are never kept.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
import icalendar
import recurring_ical_events

from hireflow.core.timezones import TimeError
from hireflow.scheduling.timeline import (
    Interval,
    SchedulingError,
    load_zone,
    require_aware,
    resolve_local,
)

__all__ = [
    "Attendee",
    "InviteEvent",
    "build_invite",
    "busy_from_sources",
    "fetch_ics",
    "invite_uid",
    "parse_busy_blocks",
    "vtimezone",
]

PRODID = "-//Hireflow//Interview scheduling//EN"
MAX_ICS_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Attendee:
    """A calendar user: organizer or attendee."""

    email: str
    name: str = ""
    role: str = "REQ-PARTICIPANT"  # or OPT-PARTICIPANT, CHAIR
    rsvp: bool = True


@dataclass(frozen=True)
class InviteEvent:
    """What an invitation says. ``timezone`` is the zone the times are written in, normally
    the recipient's, so their calendar shows the interview in their own wall-clock time."""

    booking_id: str
    start: datetime
    end: datetime
    timezone: str
    summary: str
    description: str
    organizer: Attendee
    attendees: tuple[Attendee, ...] = ()
    meeting_url: str | None = None
    location: str | None = None
    sequence: int = 0
    language: str = "en"
    alarm_before: timedelta | None = timedelta(minutes=15)
    alarm_text: str = ""
    categories: tuple[str, ...] = field(default_factory=tuple)


def invite_uid(booking_id: str, domain: str = "hireflow.invalid") -> str:
    """The UID for a booking: the same for every version of the invite (request, reschedule,
    cancel), unique across bookings."""
    if not booking_id or any(ch.isspace() or ch == "@" for ch in booking_id):
        raise SchedulingError("invalid_invite", detail="booking id must be plain text")
    return f"interview-{booking_id}@{domain}"


def _offset(zone: ZoneInfo, t: int) -> timedelta:
    return datetime.fromtimestamp(t, zone).utcoffset() or timedelta(0)


def vtimezone(zone_name: str, first: datetime, last: datetime) -> icalendar.Timezone:
    """A VTIMEZONE for ``zone_name`` covering ``first``..``last`` (padded by a year each way).

    Each transition becomes a STANDARD or DAYLIGHT sub-component whose DTSTART is the local
    time just before the change, in the offset it changes *from* (RFC 5545 3.6.5), e.g.
    Europe/Berlin's spring change is ``DTSTART:20250330T020000`` with +0100 -> +0200.
    """
    zone = load_zone(zone_name)
    lo = int((first - timedelta(days=366)).timestamp())
    hi = int((last + timedelta(days=366)).timestamp())
    # Start on a UTC midnight so the daily scan below is aligned.
    lo -= lo % 86400
    tz = icalendar.Timezone()
    tz.add("tzid", zone_name)

    def component(at: int, before: timedelta, after: timedelta) -> icalendar.Component:
        local_after = datetime.fromtimestamp(at, zone)
        kind = icalendar.TimezoneDaylight if local_after.dst() else icalendar.TimezoneStandard
        sub = kind()
        wall_before = datetime.fromtimestamp(at, UTC).replace(tzinfo=None) + before
        sub.add("dtstart", wall_before)
        sub.add("tzoffsetfrom", before)
        sub.add("tzoffsetto", after)
        sub.add("tzname", local_after.tzname() or zone_name)
        return sub

    current = _offset(zone, lo)
    tz.add_component(component(lo, current, current))
    day = lo
    while day < hi:
        nxt = day + 86400
        if _offset(zone, nxt) != current or _offset(zone, day + 43200) != current:
            low, high = day, nxt
            while high - low > 1:
                mid = (low + high) // 2
                if _offset(zone, mid) == current:
                    low = mid
                else:
                    high = mid
            after = _offset(zone, high)
            tz.add_component(component(high, current, after))
            current = after
            day = high
            continue
        day = nxt
    return tz


def _address(person: Attendee, *, organizer: bool) -> icalendar.vCalAddress:
    if "@" not in person.email or any(ch.isspace() for ch in person.email):
        raise SchedulingError("invalid_invite", detail="e-mail address is not valid")
    addr = icalendar.vCalAddress(f"mailto:{person.email}")
    if person.name:
        addr.params["CN"] = person.name
    if not organizer:
        addr.params["CUTYPE"] = "INDIVIDUAL"
        addr.params["ROLE"] = person.role
        addr.params["PARTSTAT"] = "NEEDS-ACTION"
        addr.params["RSVP"] = "TRUE" if person.rsvp else "FALSE"
    return addr


def build_invite(
    event: InviteEvent,
    *,
    now: datetime,
    method: str = "REQUEST",
    uid_domain: str = "hireflow.invalid",
) -> bytes:
    """The .ics bytes of an invitation (``REQUEST``) or of its cancellation (``CANCEL``).

    ``now`` becomes DTSTAMP. For a reschedule send a REQUEST with the same booking id and a
    higher ``sequence``; for a cancellation send CANCEL with a higher ``sequence`` again.
    """
    require_aware(event.start, "invite start")
    require_aware(event.end, "invite end")
    require_aware(now, "now")
    if method not in {"REQUEST", "CANCEL"}:
        raise SchedulingError("invalid_invite", detail=f"unsupported METHOD {method!r}")
    if event.end <= event.start:
        raise SchedulingError("invalid_invite", detail="the end is not after the start")
    if event.sequence < 0:
        raise SchedulingError("invalid_invite", detail="SEQUENCE cannot be negative")
    zone = load_zone(event.timezone)

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    cal.add_component(vtimezone(event.timezone, event.start, event.end))

    ev = icalendar.Event()
    ev.add("uid", invite_uid(event.booking_id, uid_domain))
    ev.add("dtstamp", now.astimezone(UTC))
    ev.add("sequence", event.sequence)
    ev.add("dtstart", event.start.astimezone(zone))
    ev.add("dtend", event.end.astimezone(zone))
    lang = {"LANGUAGE": event.language}
    ev.add("summary", event.summary, parameters=lang)
    description = event.description
    if event.meeting_url and event.meeting_url not in description:
        description = f"{description}\n\n{event.meeting_url}".strip()
    ev.add("description", description, parameters=lang)
    location = event.location or event.meeting_url
    if location:
        ev.add("location", location)
    if event.meeting_url:
        ev.add("url", event.meeting_url)
    if event.categories:
        ev.add("categories", list(event.categories))
    ev.add("organizer", _address(event.organizer, organizer=True))
    for person in event.attendees:
        ev.add("attendee", _address(person, organizer=False))
    ev.add("transp", "OPAQUE")
    ev.add("class", "PRIVATE")
    if method == "CANCEL":
        ev.add("status", "CANCELLED")
    else:
        ev.add("status", "CONFIRMED")
        if event.alarm_before is not None:
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event.alarm_text or event.summary)
            alarm.add("trigger", -abs(event.alarm_before))
            ev.add_component(alarm)
    cal.add_component(ev)
    return cal.to_ical()


# --------------------------------------------------------------------------------------
# Import


def _to_instant(value: date | datetime, zone: ZoneInfo, *, closing: bool = False) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return resolve_local(value.date(), value.time(), zone, closing=closing)
        return int(value.timestamp())
    return resolve_local(value, time(0), zone)


def _is_free(component: icalendar.Component) -> bool:
    transp = str(component.get("TRANSP", "OPAQUE")).upper()
    status = str(component.get("STATUS", "")).upper()
    outlook = str(component.get("X-MICROSOFT-CDO-BUSYSTATUS", "")).upper()
    return transp == "TRANSPARENT" or status == "CANCELLED" or outlook == "FREE"


def _freebusy_periods(cal: icalendar.Calendar) -> Iterable[tuple[object, object]]:
    for fb in cal.walk("VFREEBUSY"):
        props = fb.get("FREEBUSY")
        if props is None:
            continue
        for prop in props if isinstance(props, list) else [props]:
            if str(prop.params.get("FBTYPE", "BUSY")).upper() == "FREE":
                continue
            periods = prop.dt if isinstance(prop.dt, list) else [prop.dt]
            yield from periods


def parse_busy_blocks(
    data: bytes | str,
    *,
    start: datetime,
    end: datetime,
    default_timezone: str,
    max_events: int = 5000,
    max_bytes: int = MAX_ICS_BYTES,
) -> list[Interval]:
    """Busy intervals from an .ics file, merged and clipped to ``[start, end)``.

    ``default_timezone`` (the calendar owner's zone) places all-day events and floating times.
    Raises :class:`SchedulingError` ``invalid_ics``, ``ics_too_large`` or
    ``ics_too_many_events``.
    """
    require_aware(start, "start")
    require_aware(end, "end")
    zone = load_zone(default_timezone)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    cal = _read_calendar(raw, max_bytes=max_bytes, max_events=max_events)
    lo, hi = int(start.timestamp()), int(end.timestamp())
    spans = _event_spans(cal, start, hi, zone, max_events)
    for period in _freebusy_periods(cal):
        p_start, p_end = period  # type: ignore[misc]
        s = _to_instant(p_start, zone)
        e = (
            s + int(p_end.total_seconds())
            if isinstance(p_end, timedelta)
            else _to_instant(p_end, zone)
        )
        spans.append((s, e))
    merged: list[tuple[int, int]] = []
    for s, e in sorted((max(s, lo), min(e, hi)) for s, e in spans):
        if e <= s:
            continue
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return [
        Interval(datetime.fromtimestamp(s, UTC), datetime.fromtimestamp(e, UTC)) for s, e in merged
    ]


def _read_calendar(raw: bytes, *, max_bytes: int, max_events: int) -> icalendar.Calendar:
    """The parsed calendar, refused when too large, malformed or recurring sub-hourly."""
    if len(raw) > max_bytes:
        raise SchedulingError("ics_too_large", limit=max_bytes)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise SchedulingError("invalid_ics", detail=type(exc).__name__) from exc
    if not isinstance(cal, icalendar.Calendar):
        raise SchedulingError("invalid_ics", detail="no VCALENDAR")
    # Sub-hourly recurrences have no place in a working calendar and are expensive to expand
    # even lazily; refuse them up front rather than after burning the event budget.
    for component in cal.walk("VEVENT"):
        rules = component.get("RRULE")
        for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
            if str(rule.get("FREQ", [""])[0]).upper() in {"SECONDLY", "MINUTELY"}:
                raise SchedulingError("ics_too_many_events", limit=max_events)
    return cal


def _event_spans(
    cal: icalendar.Calendar, start: datetime, hi: int, zone: ZoneInfo, max_events: int
) -> list[tuple[int, int]]:
    """Busy events (recurrences expanded) from ``start`` until one begins at ``hi``, as
    (start, end) POSIX seconds."""
    spans: list[tuple[int, int]] = []
    seen = 0
    try:
        query = recurring_ical_events.of(cal, components=["VEVENT"])
        for occurrence in query.after(start):
            seen += 1
            if seen > max_events:
                raise SchedulingError("ics_too_many_events", limit=max_events)
            begin = occurrence.start
            if _to_instant(begin, zone) >= hi:
                break
            if _is_free(occurrence):
                continue
            finish = occurrence.end
            s = _to_instant(begin, zone)
            e = _to_instant(finish, zone, closing=True)
            if e > s:
                spans.append((s, e))
    except TimeError:
        raise
    except Exception as exc:
        # recurring-ical-events and icalendar raise a variety of errors on malformed rules
        # (bad RRULE parts, DTEND before DTSTART, unknown TZID...); all mean the same to us.
        raise SchedulingError("invalid_ics", detail=type(exc).__name__) from exc
    return spans


def fetch_ics(
    url: str,
    *,
    timeout: float = 10.0,
    max_bytes: int = MAX_ICS_BYTES,
    client: httpx.Client | None = None,
) -> bytes:
    """Download a calendar export (``https://``, ``http://`` or ``webcal://`` URL).

    The body is streamed and cut off at ``max_bytes``. Failures raise ``ics_fetch_failed`` with
    a short detail (HTTP status, timeout, connection error) and never the URL, which often
    embeds a private access token.
    """
    if url.startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    if not url.startswith(("https://", "http://")):
        raise SchedulingError("ics_fetch_failed", detail="only http(s) and webcal URLs")
    own = client is None
    http = client or httpx.Client(timeout=timeout, follow_redirects=True)
    try:
        with http.stream("GET", url, headers={"Accept": "text/calendar"}) as response:
            if response.status_code != 200:
                raise SchedulingError("ics_fetch_failed", detail=f"HTTP {response.status_code}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise SchedulingError("ics_too_large", limit=max_bytes)
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.TimeoutException as exc:
        raise SchedulingError("ics_fetch_failed", detail="timeout") from exc
    except httpx.HTTPError as exc:
        raise SchedulingError("ics_fetch_failed", detail=type(exc).__name__) from exc
    finally:
        if own:
            http.close()


def busy_from_sources(
    sources: Sequence[bytes | str],
    *,
    start: datetime,
    end: datetime,
    default_timezone: str,
) -> list[Interval]:
    """Busy blocks from several calendars of one person, merged."""
    blocks: list[Interval] = []
    for data in sources:
        blocks.extend(
            parse_busy_blocks(data, start=start, end=end, default_timezone=default_timezone)
        )
    blocks.sort(key=lambda iv: iv.start)
    merged: list[Interval] = []
    for iv in blocks:
        if merged and iv.start <= merged[-1].end:
            if iv.end > merged[-1].end:
                merged[-1] = Interval(merged[-1].start, iv.end)
        else:
            merged.append(iv)
    return merged
