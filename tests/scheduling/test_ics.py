"""iCalendar invites (build, parse back) and busy-block import from real-world-shaped files."""

import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from hireflow.scheduling.ics import (
    Attendee,
    InviteEvent,
    build_invite,
    busy_from_sources,
    fetch_ics,
    invite_uid,
    parse_busy_blocks,
    vtimezone,
)
from hireflow.scheduling.timeline import SchedulingError

DATA = Path(__file__).parent / "data"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 3, 1, 8, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def invite(**overrides) -> InviteEvent:
    fields = {
        "booking_id": "bk-1001",
        "start": datetime(2025, 3, 31, 9, tzinfo=BERLIN),
        "end": datetime(2025, 3, 31, 10, tzinfo=BERLIN),
        "timezone": "Europe/Berlin",
        "summary": "面试:高级后端工程师",
        "description": "您好,李雷:请提前 5 分钟进入会议。",
        "organizer": Attendee("hr@example.com", "招聘 张"),
        "attendees": (
            Attendee("lilei@example.com", "李雷"),
            Attendee("ops@example.com", "Ops", "OPT-PARTICIPANT"),
        ),
        "meeting_url": "https://meet.example.com/j/123",
        "language": "zh-CN",
        "alarm_before": timedelta(minutes=30),
        "alarm_text": "面试将在 30 分钟后开始",
    }
    fields.update(overrides)
    return InviteEvent(**fields)


def parse(raw: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(raw)
    (event,) = cal.walk("VEVENT")
    return cal, event


# ---------------------------------------------------------------- invites


def test_request_parses_back_with_times_zone_and_people():
    raw = build_invite(invite(), now=NOW)
    cal, ev = parse(raw)
    assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0"
    assert str(ev["UID"]) == invite_uid("bk-1001")
    assert int(ev["SEQUENCE"]) == 0 and str(ev["STATUS"]) == "CONFIRMED"
    start, end = ev.decoded("DTSTART"), ev.decoded("DTEND")
    assert start == utc(2025, 3, 31, 7) and end == utc(2025, 3, 31, 8)  # CEST, day after the change
    assert ev["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert b"DTSTART;TZID=Europe/Berlin:20250331T090000" in raw
    assert ev.decoded("DTSTAMP") == NOW
    assert (
        ev["SUMMARY"].params["LANGUAGE"] == "zh-CN" and str(ev["SUMMARY"]) == "面试:高级后端工程师"
    )
    assert "https://meet.example.com/j/123" in str(ev["DESCRIPTION"])
    assert str(ev["URL"]) == "https://meet.example.com/j/123"
    assert (
        str(ev["ORGANIZER"]) == "mailto:hr@example.com"
        and ev["ORGANIZER"].params["CN"] == "招聘 张"
    )
    attendees = {str(a): a.params for a in ev["ATTENDEE"]}
    assert attendees["mailto:lilei@example.com"]["RSVP"] == "TRUE"
    assert attendees["mailto:lilei@example.com"]["PARTSTAT"] == "NEEDS-ACTION"
    assert attendees["mailto:ops@example.com"]["ROLE"] == "OPT-PARTICIPANT"
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30)
    assert (
        str(alarm["ACTION"]) == "DISPLAY" and str(alarm["DESCRIPTION"]) == "面试将在 30 分钟后开始"
    )
    (tz,) = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"


def test_vtimezone_matches_the_iana_rules():
    first, last = utc(2025, 1, 1), utc(2025, 12, 31)
    component = vtimezone("Europe/Berlin", first, last)
    raw = component.to_ical()
    # RFC 5545: the onset is local time in the offset in force before the change.
    assert b"DTSTART:20250330T020000" in raw and b"DTSTART:20251026T030000" in raw
    tz = icalendar.Timezone.from_ical(raw).to_tz()
    probe = utc(2024, 6, 1)
    while probe < utc(2026, 6, 1):
        assert probe.astimezone(tz).utcoffset() == probe.astimezone(BERLIN).utcoffset(), probe
        probe += timedelta(hours=13)


def test_vtimezone_for_new_york_and_fixed_shanghai():
    ny = vtimezone("America/New_York", utc(2025, 3, 1), utc(2025, 3, 2)).to_ical()
    assert b"DTSTART:20250309T020000" in ny and b"TZOFFSETTO:-0400" in ny
    sh = icalendar.Timezone.from_ical(
        vtimezone("Asia/Shanghai", utc(2025, 3, 1), utc(2025, 3, 2)).to_ical()
    )
    assert [c.name for c in sh.subcomponents] == ["STANDARD"]
    assert sh.subcomponents[0].decoded("TZOFFSETTO") == timedelta(hours=8)


def test_reschedule_keeps_uid_and_raises_sequence_then_cancel():
    first = parse(build_invite(invite(), now=NOW))[1]
    moved = invite(
        start=datetime(2025, 4, 1, 14, tzinfo=BERLIN),
        end=datetime(2025, 4, 1, 15, tzinfo=BERLIN),
        sequence=1,
    )
    second = parse(build_invite(moved, now=NOW + timedelta(hours=1)))[1]
    cal, cancelled = parse(
        build_invite(invite(sequence=2), now=NOW + timedelta(hours=2), method="CANCEL")
    )
    assert str(first["UID"]) == str(second["UID"]) == str(cancelled["UID"])
    assert [int(e["SEQUENCE"]) for e in (first, second, cancelled)] == [0, 1, 2]
    assert second.decoded("DTSTART") == utc(2025, 4, 1, 12)
    assert str(cal["METHOD"]) == "CANCEL" and str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled.walk("VALARM") == []


def test_invite_in_recipient_zone_shanghai():
    ev = invite(timezone="Asia/Shanghai", language="en", summary="Interview", description="Hello")
    raw = build_invite(ev, now=NOW)
    assert b"DTSTART;TZID=Asia/Shanghai:20250331T150000" in raw
    assert parse(raw)[1].decoded("DTSTART") == utc(2025, 3, 31, 7)


def test_own_invite_imports_as_a_busy_block():
    raw = build_invite(invite(), now=NOW)
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 30), end=utc(2025, 4, 2), default_timezone="Asia/Shanghai"
    )
    assert [(b.start, b.end) for b in blocks] == [(utc(2025, 3, 31, 7), utc(2025, 3, 31, 8))]


@pytest.mark.parametrize(
    "overrides",
    [
        {"end": datetime(2025, 3, 31, 8, tzinfo=BERLIN)},
        {"sequence": -1},
        {"organizer": Attendee("not an email")},
        {"booking_id": "has space"},
        {"timezone": "Europe/Atlantis"},
        {"start": datetime(2025, 3, 31, 9)},  # noqa: DTZ001 - naive on purpose
    ],
)
def test_invalid_invites(overrides):
    with pytest.raises(SchedulingError):
        build_invite(invite(**overrides), now=NOW)


def test_unsupported_method():
    with pytest.raises(SchedulingError, match="invalid_invite"):
        build_invite(invite(), now=NOW, method="PUBLISH")


# ---------------------------------------------------------------- import


def ics(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode()


def test_outlook_export_with_windows_zones_overrides_and_all_day():
    raw = (DATA / "outlook_export.ics").read_bytes()
    assert b"\r\n" in raw  # Outlook writes CRLF
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 3), end=utc(2025, 4, 1), default_timezone="Asia/Shanghai"
    )
    assert [(b.start, b.end) for b in blocks] == [
        (utc(2025, 3, 3, 2), utc(2025, 3, 3, 3)),  # Monday 10:00 China Standard Time
        (utc(2025, 3, 4, 8), utc(2025, 3, 4, 9)),  # 09:00 W. Europe Standard Time (CET)
        (utc(2025, 3, 4, 16), utc(2025, 3, 5, 16)),  # all-day leave, a Shanghai day
        (utc(2025, 3, 10, 6), utc(2025, 3, 10, 7)),  # moved instance (RECURRENCE-ID)
        # 17 March is an EXDATE; the free lunch is TRANSP:TRANSPARENT
        (utc(2025, 3, 24, 2), utc(2025, 3, 24, 3)),
        (utc(2025, 3, 31, 2), utc(2025, 3, 31, 3)),  # UNTIL is inclusive
    ]


def test_google_export_with_dst_all_day_transparent_and_cancelled():
    raw = (DATA / "google_export.ics").read_bytes()
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 3), end=utc(2025, 4, 1), default_timezone="America/New_York"
    )
    spans = [(b.start, b.end) for b in blocks]
    assert (utc(2025, 3, 7, 14, 30), utc(2025, 3, 7, 14, 45)) in spans  # 09:30 EST
    assert (utc(2025, 3, 12, 13, 30), utc(2025, 3, 12, 13, 45)) in spans  # 09:30 EDT after 9 March
    assert (utc(2025, 3, 6, 19), utc(2025, 3, 6, 20)) in spans  # UTC event
    assert (utc(2025, 3, 10, 4), utc(2025, 3, 12, 4)) in spans  # two all-day dates, EDT midnights
    assert (utc(2025, 3, 20, 14), utc(2025, 3, 20, 15)) in spans  # floating time read in New York
    # The working-location day is transparent, the cancelled sync is gone, COUNT=10 holds
    # (the stand-ups on 10 and 11 March disappear inside the conference).
    assert not any(s.date() == date(2025, 3, 7) and s.hour < 14 for s, _ in spans)
    assert not any(s == utc(2025, 3, 13, 19) for s, _ in spans)
    assert sum(1 for s, e in spans if e - s == timedelta(minutes=15)) == 8


def test_window_bounds_unbounded_rules():
    raw = ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//EN",
        "BEGIN:VEVENT",
        "UID:w@x",
        "DTSTAMP:20250101T000000Z",
        "DTSTART:20200106T090000Z",
        "DTEND:20200106T100000Z",
        "RRULE:FREQ=WEEKLY",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 3), end=utc(2025, 3, 17), default_timezone="UTC"
    )
    assert [b.start for b in blocks] == [utc(2025, 3, 3, 9), utc(2025, 3, 10, 9)]


@pytest.mark.parametrize(
    ("freq", "limit"), [("SECONDLY", 5000), ("MINUTELY", 5000), ("HOURLY", 100)]
)
def test_recurrence_bomb_is_refused(freq, limit):
    raw = ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//EN",
        "BEGIN:VEVENT",
        "UID:b@x",
        "DTSTAMP:20250101T000000Z",
        "DTSTART:20250303T000000Z",
        "DTEND:20250303T000001Z",
        f"RRULE:FREQ={freq}",
        "END:VEVENT",
        "END:VCALENDAR",
    )
    with pytest.raises(SchedulingError) as err:
        parse_busy_blocks(
            raw,
            start=utc(2025, 3, 3),
            end=utc(2025, 3, 17),
            default_timezone="UTC",
            max_events=limit,
        )
    assert err.value.code == "ics_too_many_events"


def test_freebusy_component():
    raw = ics(
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//t//EN",
        "BEGIN:VFREEBUSY",
        "UID:fb@x",
        "DTSTAMP:20250101T000000Z",
        "FREEBUSY;FBTYPE=BUSY:20250304T090000Z/20250304T100000Z",
        "FREEBUSY;FBTYPE=FREE:20250304T120000Z/PT1H",
        "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20250305T090000Z/PT30M",
        "END:VFREEBUSY",
        "END:VCALENDAR",
    )
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 3), end=utc(2025, 3, 10), default_timezone="UTC"
    )
    assert [(b.start, b.end) for b in blocks] == [
        (utc(2025, 3, 4, 9), utc(2025, 3, 4, 10)),
        (utc(2025, 3, 5, 9), utc(2025, 3, 5, 9, 30)),
    ]


def test_several_sources_merge():
    a = (DATA / "outlook_export.ics").read_bytes()
    b = build_invite(
        invite(
            start=datetime(2025, 3, 3, 3, 30, tzinfo=UTC), end=datetime(2025, 3, 3, 4, tzinfo=UTC)
        ),
        now=NOW,
    )
    blocks = busy_from_sources(
        [a, b], start=utc(2025, 3, 3), end=utc(2025, 3, 4), default_timezone="Asia/Shanghai"
    )
    assert [(x.start, x.end) for x in blocks] == [
        (utc(2025, 3, 3, 2), utc(2025, 3, 3, 3)),
        (utc(2025, 3, 3, 3, 30), utc(2025, 3, 3, 4)),
    ]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"this is not a calendar", "invalid_ics"),
        (
            b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:2025-03-03\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
            "invalid_ics",
        ),
        (b"X" * 2048, "ics_too_large"),
    ],
)
def test_bad_files(data, code):
    with pytest.raises(SchedulingError) as err:
        parse_busy_blocks(
            data, start=utc(2025, 3, 3), end=utc(2025, 3, 4), default_timezone="UTC", max_bytes=1024
        )
    assert err.value.code == code


# ---------------------------------------------------------------- URL export


class _Calendars(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/private/basic.ics":
            body = (DATA / "google_export.ics").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/huge.ics":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"BEGIN:VCALENDAR\r\n" + b"X-PAD:" + b"a" * 200_000 + b"\r\n")
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def calendar_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Calendars)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_and_parse_url_export(calendar_server):
    raw = fetch_ics(f"{calendar_server}/private/basic.ics")
    blocks = parse_busy_blocks(
        raw, start=utc(2025, 3, 3), end=utc(2025, 3, 8), default_timezone="America/New_York"
    )
    assert blocks[0].start == utc(2025, 3, 5, 14, 30)


def test_fetch_errors_do_not_leak_the_url(calendar_server):
    with pytest.raises(SchedulingError) as err:
        fetch_ics(f"{calendar_server}/secret-token-abc/missing.ics")
    assert err.value.code == "ics_fetch_failed" and "HTTP 404" in str(err.value)
    assert "secret-token-abc" not in str(err.value)
    with pytest.raises(SchedulingError, match="ics_too_large"):
        fetch_ics(f"{calendar_server}/huge.ics", max_bytes=100_000)
    with pytest.raises(SchedulingError, match="ics_fetch_failed"):
        fetch_ics("file:///etc/passwd")
    with pytest.raises(SchedulingError, match="ics_fetch_failed"):
        fetch_ics("http://127.0.0.1:9/none.ics", timeout=2)
