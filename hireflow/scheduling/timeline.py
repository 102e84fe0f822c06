"""Time zones, wall-clock resolution and interval arithmetic for scheduling (SPEC D2).

Pure: no database, no clock. Every datetime that crosses the API is timezone-aware; internally
the arithmetic runs on integer UTC seconds, which keeps daylight-saving transitions out of the
interval maths. Wall-clock concepts (working hours, holidays, a candidate's preferred hours)
are resolved to UTC instants per local date with :func:`resolve_local`, which is where the
DST rules live:

* a wall time that does not exist (spring forward, e.g. 02:30 in Europe/Berlin on the last
  Sunday of March) resolves to the instant the clocks jump;
* a wall time that exists twice (fall back) resolves to its first occurrence when it opens a
  window and to its second occurrence when it closes one, so a window that covers the
  repeated hour contains both copies of it.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hireflow.core import timezones
from hireflow.core.errors import Messages
from hireflow.core.timezones import TIME_MESSAGES, TimeError

# Stable error codes with their English and Chinese texts. Codes are part of the API (the web
# layer maps them to HTTP answers and translations); the texts take ``str.format`` fields.
_MESSAGES: dict[str, str | tuple[str, str]] = {
    **TIME_MESSAGES,
    "invalid_interval": (
        "{field} ends before it starts.",
        "{field} 的结束时间早于开始时间。",
    ),
    "invalid_duration": (
        "The interview length must be positive and at most 12 hours.",
        "面试时长必须大于零且不超过 12 小时。",
    ),
    "invalid_granularity": (
        "The slot granularity must be between 1 minute and 24 hours and divide a day evenly.",
        "时间粒度必须在 1 分钟到 24 小时之间，并能整除一天。",
    ),
    "invalid_buffer": (
        "Buffers and minimum notice cannot be negative.",
        "缓冲时间和最短提前时间不能为负数。",
    ),
    "invalid_horizon": (
        "The planning horizon must be positive and at most 366 days.",
        "排期范围必须大于零且不超过 366 天。",
    ),
    "invalid_working_hours": (
        "Working hours for weekday {weekday} are invalid: start and end are the same.",
        "星期 {weekday} 的工作时间无效：开始与结束时间相同。",
    ),
    "no_interviewers": (
        "At least one interviewer is needed to find a slot.",
        "查找面试时间至少需要一位面试官。",
    ),
    "slot_in_past": (
        "The requested time {start} is in the past.",
        "所选时间 {start} 已经过去。",
    ),
    "overlapping_open_slots": (
        "Open slots of interviewer {interviewer} overlap; batch assignment needs disjoint slots.",
        "面试官 {interviewer} 的可用时段相互重叠；批量分配需要互不重叠的时段。",
    ),
    "invalid_ics": (
        "The calendar file could not be read as iCalendar (RFC 5545): {detail}",
        "无法按 iCalendar（RFC 5545）格式读取该日历文件：{detail}",
    ),
    "ics_too_large": (
        "The calendar is larger than the limit of {limit} bytes.",
        "日历文件超过了 {limit} 字节的上限。",
    ),
    "ics_too_many_events": (
        "The calendar has more than {limit} events in the requested period.",
        "该日历在所选期间内的日程超过 {limit} 个。",
    ),
    "ics_fetch_failed": (
        "The calendar could not be downloaded ({detail}).",
        "无法下载该日历（{detail}）。",
    ),
    "invalid_invite": (
        "The invitation cannot be built: {detail}",
        "无法生成日历邀请：{detail}",
    ),
    "unknown_interviewer": (
        "An open slot refers to interviewer {interviewer}, who is not in the batch.",
        "有可用时段引用了不在本批次中的面试官 {interviewer}。",
    ),
}


class SchedulingError(TimeError):
    """A scheduling input or request that cannot be honoured."""

    MESSAGES: Messages = _MESSAGES


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, or a :class:`SchedulingError` ``invalid_timezone``."""
    try:
        return timezones.load_zone(name)
    except TimeError as exc:
        raise SchedulingError(exc.code, **exc.params) from None


def require_aware(value: datetime, field_name: str) -> datetime:
    """Return ``value`` unchanged if it is timezone-aware, else raise ``naive_datetime``."""
    if not isinstance(value, datetime) or value.tzinfo is None or value.utcoffset() is None:
        raise SchedulingError("naive_datetime", field=field_name)
    return value


_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - naive on purpose: local wall-clock arithmetic


def to_seconds(value: datetime) -> int:
    return int(value.timestamp())


def from_seconds(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@functools.lru_cache(maxsize=65536)
def resolve_local(day: date, wall: time, zone: ZoneInfo, *, closing: bool = False) -> int:
    """UTC seconds of the wall-clock time ``wall`` on ``day`` in ``zone``.

    Missing wall times (inside a spring-forward gap) resolve to the moment of the jump.
    Repeated wall times (fall back) resolve to the first occurrence, or to the second one when
    ``closing`` is true, so a window closing at a repeated time includes both copies.
    Pure, so cached: the same calendars are resolved again for every candidate.
    """
    naive = datetime.combine(day, wall.replace(tzinfo=None))
    local_seconds = int((naive - _EPOCH).total_seconds())
    off0 = zone.utcoffset(naive.replace(fold=0))
    off1 = zone.utcoffset(naive.replace(fold=1))
    t0 = local_seconds - int(off0.total_seconds()) if off0 is not None else local_seconds
    t1 = local_seconds - int(off1.total_seconds()) if off1 is not None else local_seconds
    if t0 == t1:
        return t0
    # PEP 495: in a gap fold=0 uses the offset before the transition, which lands *after*
    # the fold=1 reading; in a repeated hour fold=0 is the earlier reading.
    exists = from_seconds(t0).astimezone(zone).replace(tzinfo=None) == naive
    if exists:
        return max(t0, t1) if closing else min(t0, t1)
    return _transition_between(min(t0, t1), max(t0, t1), zone)


def _transition_between(low: int, high: int, zone: ZoneInfo) -> int:
    """First UTC second in ``(low, high]`` whose UTC offset differs from the one at ``low``."""
    offset_low = from_seconds(low).astimezone(zone).utcoffset()
    while high - low > 1:
        mid = (low + high) // 2
        if from_seconds(mid).astimezone(zone).utcoffset() == offset_low:
            low = mid
        else:
            high = mid
    return high


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[int, int]:
    return resolve_local(day, time(0), zone), resolve_local(day + timedelta(days=1), time(0), zone)


@dataclass(frozen=True)
class Interval:
    """A half-open span of time ``[start, end)`` between two aware datetimes."""

    start: datetime
    end: datetime
    _seconds: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        require_aware(self.start, "interval start")
        require_aware(self.end, "interval end")
        if self.end <= self.start:
            raise SchedulingError("invalid_interval", field="interval")
        # Computed once: calendars are searched many times with the same busy blocks.
        object.__setattr__(self, "_seconds", (to_seconds(self.start), to_seconds(self.end)))

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def as_seconds(self) -> tuple[int, int]:
        return self._seconds


def local_interval(zone_name: str, day: date, start: time, end: time) -> Interval:
    """An :class:`Interval` from wall-clock times on ``day`` in ``zone_name``.

    ``end <= start`` means the interval runs past midnight into the next day (e.g. a
    candidate free 22:00-01:00).
    """
    zone = load_zone(zone_name)
    end_day = day + timedelta(days=1) if end <= start else day
    s = resolve_local(day, start, zone)
    e = resolve_local(end_day, end, zone, closing=True)
    if e <= s:
        raise SchedulingError("invalid_interval", field=f"{day} {start}-{end}")
    return Interval(from_seconds(s), from_seconds(e))


@dataclass(frozen=True)
class WorkingWindow:
    """Weekly working hours: ``weekday`` (0 = Monday) from ``start`` to ``end`` local time.

    ``end`` earlier than ``start`` means the window crosses local midnight and belongs to the
    day it starts on (a night shift Tue 22:00-06:00 is a Tuesday window).
    """

    weekday: int
    start: time
    end: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise SchedulingError("invalid_working_hours", weekday=self.weekday)
        if self.start == self.end:
            raise SchedulingError("invalid_working_hours", weekday=self.weekday)


def working_week(
    start: time = time(9),
    end: time = time(18),
    weekdays: Iterable[int] = range(5),
    lunch: tuple[time, time] | None = None,
) -> tuple[WorkingWindow, ...]:
    """Convenience: the same hours on each of ``weekdays``, optionally split by a lunch break."""
    windows: list[WorkingWindow] = []
    for weekday in weekdays:
        if lunch is None:
            windows.append(WorkingWindow(weekday, start, end))
        else:
            windows.append(WorkingWindow(weekday, start, lunch[0]))
            windows.append(WorkingWindow(weekday, lunch[1], end))
    return tuple(windows)


Spans = list[tuple[int, int]]


def merge_spans(spans: Iterable[tuple[int, int]]) -> Spans:
    out: Spans = []
    for s, e in sorted(spans):
        if e <= s:
            continue
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def subtract_spans(base: Spans, remove: Spans) -> Spans:
    """``base`` minus ``remove``; both sorted and merged."""
    if not remove:
        return list(base)
    out: Spans = []
    j = 0
    for s, e in base:
        cur = s
        while j < len(remove) and remove[j][1] <= cur:
            j += 1
        k = j
        while k < len(remove) and remove[k][0] < e:
            rs, re_ = remove[k]
            if rs > cur:
                out.append((cur, rs))
            cur = max(cur, re_)
            if cur >= e:
                break
            k += 1
        if cur < e:
            out.append((cur, e))
    return out


def intersect_spans(a: Spans, b: Spans) -> Spans:
    out: Spans = []
    i = j = 0
    while i < len(a) and j < len(b):
        s = max(a[i][0], b[j][0])
        e = min(a[i][1], b[j][1])
        if s < e:
            out.append((s, e))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def spans_contain(spans: Spans, s: int, e: int) -> bool:
    i = bisect.bisect_right(spans, (s, 1 << 62)) - 1
    return i >= 0 and spans[i][0] <= s and e <= spans[i][1]


def spans_overlap(spans: Spans, s: int, e: int) -> bool:
    i = bisect.bisect_left(spans, (e, -(1 << 62)))
    return i > 0 and spans[i - 1][1] > s
