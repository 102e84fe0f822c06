"""Slot finding: time zones, DST transitions, buffers, panels, ranking, conflicts."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hireflow.scheduling.slots import (
    CandidateAvailability,
    InterviewerCalendar,
    SlotRequest,
    check_slot,
    find_slots,
    tile_open_slots,
)
from hireflow.scheduling.timeline import (
    Interval,
    SchedulingError,
    WorkingWindow,
    load_zone,
    local_interval,
    resolve_local,
    working_week,
)

BERLIN = "Europe/Berlin"
LONDON = "Europe/London"
NEW_YORK = "America/New_York"
LOS_ANGELES = "America/Los_Angeles"
SHANGHAI = "Asia/Shanghai"

HOURLY = {"duration": timedelta(hours=1), "granularity": timedelta(hours=1)}


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def all_slots(candidate, interviewers, now, **kwargs):
    params = {"min_notice": timedelta(0), "limit": 10_000, **HOURLY, **kwargs}
    slots = find_slots(candidate, interviewers, SlotRequest(**params), now)
    return sorted(slots, key=lambda s: (s.start, s.interviewer_ids))


def daily_windows(zone: str, first: date, days: int, start=time(9), end=time(18)):
    return tuple(local_interval(zone, first + timedelta(days=i), start, end) for i in range(days))


# ---------------------------------------------------------------- wall-clock resolution


def test_missing_hour_in_berlin_resolves_to_the_jump():
    # 2025-03-30: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    t = resolve_local(date(2025, 3, 30), time(2, 30), ZoneInfo(BERLIN))
    assert datetime.fromtimestamp(t, UTC) == utc(2025, 3, 30, 1)


def test_repeated_hour_in_london_opens_first_and_closes_second():
    # 2025-10-26: 02:00 BST falls back to 01:00 GMT; 01:30 happens at 00:30Z and 01:30Z.
    zone = ZoneInfo(LONDON)
    first = resolve_local(date(2025, 10, 26), time(1, 30), zone)
    second = resolve_local(date(2025, 10, 26), time(1, 30), zone, closing=True)
    assert datetime.fromtimestamp(first, UTC) == utc(2025, 10, 26, 0, 30)
    assert datetime.fromtimestamp(second, UTC) == utc(2025, 10, 26, 1, 30)


def test_american_transitions():
    ny = resolve_local(date(2025, 3, 9), time(2, 30), ZoneInfo(NEW_YORK))
    assert datetime.fromtimestamp(ny, UTC) == utc(2025, 3, 9, 7)  # 03:00 EDT
    la = ZoneInfo(LOS_ANGELES)
    assert datetime.fromtimestamp(resolve_local(date(2025, 11, 2), time(1, 30), la), UTC) == utc(
        2025, 11, 2, 8, 30
    )
    closing = resolve_local(date(2025, 11, 2), time(1, 30), la, closing=True)
    assert datetime.fromtimestamp(closing, UTC) == utc(2025, 11, 2, 9, 30)


def test_shanghai_has_a_fixed_offset():
    zone = ZoneInfo(SHANGHAI)
    for day in (date(2025, 1, 15), date(2025, 7, 15)):
        assert datetime.fromtimestamp(resolve_local(day, time(9), zone), UTC).hour == 1


# ---------------------------------------------------------------- DST inside working hours


def test_working_window_over_the_missing_hour_is_three_hours_long():
    sunday = WorkingWindow(6, time(1), time(5))
    iv = InterviewerCalendar("berlin", BERLIN, (sunday,))
    cand = CandidateAvailability("c", BERLIN)
    slots = all_slots(cand, [iv], utc(2025, 3, 29, 12), horizon=timedelta(days=2))
    assert [s.start for s in slots] == [
        utc(2025, 3, 30, 0),
        utc(2025, 3, 30, 1),
        utc(2025, 3, 30, 2),
    ]
    local = [s.local(BERLIN)[0].strftime("%H:%M %Z") for s in slots]
    assert local == ["01:00 CET", "03:00 CEST", "04:00 CEST"]


def test_working_window_over_the_repeated_hour_is_four_hours_long():
    sunday = WorkingWindow(6, time(0), time(3))
    iv = InterviewerCalendar("london", LONDON, (sunday,))
    cand = CandidateAvailability("c", LONDON)
    slots = all_slots(cand, [iv], utc(2025, 10, 25, 12), horizon=timedelta(days=2))
    assert len(slots) == 4
    assert slots[0].start == utc(2025, 10, 25, 23) and slots[-1].end == utc(2025, 10, 26, 3)
    walls = [s.local(LONDON)[0].strftime("%H:%M %Z") for s in slots]
    assert walls == ["00:00 BST", "01:00 BST", "01:00 GMT", "02:00 GMT"]


def test_new_york_and_berlin_overlap_grows_while_only_america_is_on_summer_time():
    iv = InterviewerCalendar("ny", NEW_YORK, working_week(time(9), time(17)))
    cand = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, date(2025, 3, 3), 35))
    slots = all_slots(cand, [iv], utc(2025, 3, 3, 0), horizon=timedelta(days=35))
    per_day = Counter(s.start.date() for s in slots)
    assert per_day[date(2025, 3, 5)] == 3  # 14-17Z: both on standard time
    assert per_day[date(2025, 3, 12)] == 4  # 13-17Z: US moved on 9 March, Europe not yet
    assert per_day[date(2025, 4, 2)] == 3  # 13-16Z: both on summer time
    # No slot ever leaves the interviewer's 9-17 wall-clock hours.
    for s in slots:
        start, end = s.local(NEW_YORK)
        assert time(9) <= start.time() and end.time() <= time(17)


def test_candidate_in_berlin_with_interviewer_in_shanghai():
    iv = InterviewerCalendar("sh", SHANGHAI, working_week())
    winter = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, date(2025, 3, 3), 1))
    slots = all_slots(winter, [iv], utc(2025, 3, 2), horizon=timedelta(days=3))
    assert [s.start.hour for s in slots] == [8, 9]  # Berlin 09-11 CET = Shanghai 16-18
    summer = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, date(2025, 7, 7), 1))
    slots = all_slots(summer, [iv], utc(2025, 7, 6), horizon=timedelta(days=3))
    assert [s.start.hour for s in slots] == [7, 8, 9]  # Berlin 09-12 CEST = Shanghai 15-18
    assert slots[0].local(SHANGHAI)[0].hour == 15


def test_working_day_spanning_midnight_utc_keeps_the_local_date():
    # Los Angeles 09-18 PDT on Friday 31 Oct is 16:00Z Friday to 01:00Z Saturday.
    iv = InterviewerCalendar("la", LOS_ANGELES, working_week())
    windows = (local_interval(SHANGHAI, date(2025, 11, 1), time(8), time(12)),)
    cand = CandidateAvailability("c", SHANGHAI, windows)
    slots = all_slots(cand, [iv], utc(2025, 10, 30), horizon=timedelta(days=4))
    assert [s.start for s in slots] == [utc(2025, 11, 1, 0)]
    assert slots[0].local(LOS_ANGELES)[0] == datetime(
        2025, 10, 31, 17, tzinfo=ZoneInfo(LOS_ANGELES)
    )
    # A holiday is a date in the interviewer's zone: 31 Oct removes the slot on 1 Nov UTC.
    off = InterviewerCalendar(
        "la", LOS_ANGELES, working_week(), holidays=frozenset({date(2025, 10, 31)})
    )
    assert all_slots(cand, [off], utc(2025, 10, 30), horizon=timedelta(days=4)) == []


def test_night_shift_crossing_local_midnight():
    night = tuple(WorkingWindow(d, time(22), time(2)) for d in range(5))
    iv = InterviewerCalendar("night", SHANGHAI, night)
    cand = CandidateAvailability("c", SHANGHAI)
    slots = all_slots(cand, [iv], utc(2025, 3, 3), horizon=timedelta(days=1, hours=6))
    walls = [s.local(SHANGHAI)[0] for s in slots]
    assert [w.hour for w in walls] == [22, 23, 0, 1]
    assert walls[2].date() == date(2025, 3, 4)


# ---------------------------------------------------------------- busy, buffers, panels


def test_busy_block_with_buffers():
    busy = (local_interval(BERLIN, date(2025, 3, 4), time(10), time(11)),)
    iv = InterviewerCalendar("b", BERLIN, working_week(time(9), time(13)), busy=busy)
    cand = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, date(2025, 3, 4), 1))
    req = {
        "buffer_before": timedelta(minutes=15),
        "buffer_after": timedelta(minutes=15),
        "granularity": timedelta(minutes=15),
    }
    slots = all_slots(cand, [iv], utc(2025, 3, 3), **req, distinct=False)
    starts = sorted(s.local(BERLIN)[0].time() for s in slots)
    # 09:00 would end at 10:00 with no buffer left before the 10:00 meeting; 11:00 too early.
    assert time(9) not in starts and time(11) not in starts
    assert starts == [time(11, 15), time(11, 30), time(11, 45), time(12)]


def test_panel_needs_every_interviewer_free_at_once():
    day = date(2025, 3, 4)
    a = InterviewerCalendar(
        "a", BERLIN, working_week(), busy=(local_interval(BERLIN, day, time(9), time(12)),)
    )
    b = InterviewerCalendar("b", SHANGHAI, working_week())  # Shanghai 09-18 = Berlin 02-11
    cand = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, day, 1))
    assert all_slots(cand, [a, b], utc(2025, 3, 3), panel=True) == []
    a2 = InterviewerCalendar("a", BERLIN, working_week())
    panel = all_slots(cand, [a2, b], utc(2025, 3, 3), panel=True)
    assert [s.local(BERLIN)[0].hour for s in panel] == [9, 10]
    assert all(s.interviewer_ids == ("a", "b") for s in panel)
    single = all_slots(cand, [a, b], utc(2025, 3, 3))
    assert {s.interviewer_ids for s in single} == {("a",), ("b",)}


def test_daily_cap_counts_booked_interviews_in_local_days():
    day = date(2025, 3, 4)
    booked = (
        local_interval(SHANGHAI, day, time(9), time(10)),
        local_interval(SHANGHAI, day, time(10), time(11)),
    )
    iv = InterviewerCalendar("s", SHANGHAI, working_week(), interviews=booked, max_per_day=2)
    cand = CandidateAvailability("c", SHANGHAI)
    slots = all_slots(cand, [iv], utc(2025, 3, 3, 16), horizon=timedelta(days=2))
    assert {s.local(SHANGHAI)[0].date() for s in slots} == {date(2025, 3, 5)}


def test_min_notice_and_horizon_are_respected():
    iv = InterviewerCalendar("s", SHANGHAI, working_week())
    cand = CandidateAvailability("c", SHANGHAI)
    now = utc(2025, 3, 3, 2)  # Monday 10:00 in Shanghai
    req = SlotRequest(min_notice=timedelta(hours=24), horizon=timedelta(days=3), limit=10_000)
    slots = find_slots(cand, [iv], req, now)
    assert slots
    assert min(s.start for s in slots) >= now + timedelta(hours=24)
    assert max(s.end for s in slots) <= now + timedelta(days=3)


def test_distinct_slots_never_overlap_for_the_same_interviewer():
    iv = InterviewerCalendar("s", SHANGHAI, working_week())
    slots = find_slots(
        CandidateAvailability("c", BERLIN), [iv], SlotRequest(limit=30), utc(2025, 3, 3)
    )
    assert len(slots) == 30
    ordered = sorted(slots, key=lambda s: s.start)
    assert all(a.end <= b.start for a, b in pairwise(ordered))


def test_candidate_without_availability_gets_nothing():
    iv = InterviewerCalendar("s", SHANGHAI, working_week())
    assert all_slots(CandidateAvailability("c", BERLIN, ()), [iv], utc(2025, 3, 3)) == []


# ---------------------------------------------------------------- ranking


def test_less_loaded_interviewer_ranks_first():
    booked = tuple(
        local_interval(BERLIN, date(2025, 3, 10 + i), time(9), time(10)) for i in range(4)
    )
    busy = InterviewerCalendar("busy", BERLIN, working_week(), interviews=booked)
    free = InterviewerCalendar("free", BERLIN, working_week())
    cand = CandidateAvailability("c", BERLIN)
    best = find_slots(cand, [busy, free], SlotRequest(limit=1), utc(2025, 3, 3))[0]
    assert best.interviewer_ids == ("free",)
    assert best.breakdown["load"] == 0.0


def test_slots_that_fragment_a_day_rank_lower():
    day = date(2025, 3, 4)
    meeting = (local_interval(BERLIN, day, time(10), time(11)),)
    iv = InterviewerCalendar("b", BERLIN, working_week(time(9), time(18)), busy=meeting)
    cand = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, day, 1, time(11), time(13)))
    slots = all_slots(
        cand, [iv], utc(2025, 3, 3), granularity=timedelta(minutes=30), distinct=False
    )
    by_start = {s.local(BERLIN)[0].time(): s for s in slots}
    assert (
        by_start[time(11)].breakdown["fragmentation"]
        < by_start[time(11, 30)].breakdown["fragmentation"]
    )
    assert slots[0].local(BERLIN)[0].time() == time(11)


def test_candidate_prefers_the_middle_of_their_hours():
    iv = InterviewerCalendar("b", BERLIN, (WorkingWindow(1, time(0), time(23)),))
    cand = CandidateAvailability("c", BERLIN, preferred_start=time(9), preferred_end=time(17))
    slots = all_slots(cand, [iv], utc(2025, 3, 3), horizon=timedelta(days=3))
    pen = {s.local(BERLIN)[0].hour: s.breakdown["candidate_hours"] for s in slots}
    assert pen[12] < pen[9] < pen[7] < pen[3]
    assert pen[12] < 0.1 and pen[3] == 1.0


# ---------------------------------------------------------------- conflicts and errors


def test_conflict_explains_and_proposes_nearby_alternatives():
    day = date(2025, 3, 4)
    meeting = (local_interval(BERLIN, day, time(14), time(15)),)
    iv = InterviewerCalendar("b", BERLIN, working_week(), busy=meeting)
    cand = CandidateAvailability("c", BERLIN)
    requested = datetime(2025, 3, 4, 14, tzinfo=ZoneInfo(BERLIN))
    check = check_slot(requested, cand, [iv], SlotRequest(), utc(2025, 3, 3))
    assert not check.available
    assert [r.code for r in check.reasons] == ["interviewer_busy"]
    assert "忙" in check.reasons[0].message_zh or "安排" in check.reasons[0].message_zh
    assert len(check.alternatives) == 3
    for alt in check.alternatives:
        assert abs(alt.start - requested) <= timedelta(hours=5)
        assert not (alt.start < requested + timedelta(hours=1) and requested < alt.end)


def test_free_requested_slot_is_confirmed():
    iv = InterviewerCalendar("b", BERLIN, working_week())
    requested = datetime(2025, 3, 4, 11, tzinfo=ZoneInfo(BERLIN))
    check = check_slot(
        requested, CandidateAvailability("c", BERLIN), [iv], SlotRequest(), utc(2025, 3, 3)
    )
    assert check.available and check.slot is not None and check.slot.start == requested
    assert check.reasons == ()


def test_conflict_reasons_for_holiday_notice_and_candidate():
    iv = InterviewerCalendar("b", BERLIN, working_week(), holidays=frozenset({date(2025, 3, 4)}))
    cand = CandidateAvailability("c", BERLIN, daily_windows(BERLIN, date(2025, 3, 5), 3))
    requested = datetime(2025, 3, 4, 11, tzinfo=ZoneInfo(BERLIN))
    check = check_slot(
        requested, cand, [iv], SlotRequest(min_notice=timedelta(days=2)), utc(2025, 3, 3)
    )
    codes = {r.code for r in check.reasons}
    assert codes == {"holiday", "insufficient_notice", "candidate_unavailable"}
    assert all(a.start >= utc(2025, 3, 5) for a in check.alternatives)


def test_slot_in_the_past_is_a_clear_error():
    iv = InterviewerCalendar("b", BERLIN, working_week())
    with pytest.raises(SchedulingError) as err:
        check_slot(
            utc(2025, 3, 1),
            CandidateAvailability("c", BERLIN),
            [iv],
            SlotRequest(),
            utc(2025, 3, 3),
        )
    assert err.value.code == "slot_in_past"
    assert "已经过去" in err.value.message("zh-CN")
    assert "in the past" in err.value.message("en")


@pytest.mark.parametrize("bad", ["Mars/Olympus", "", "../etc/passwd", " Europe/Berlin", "CEST+2"])
def test_invalid_time_zone(bad):
    with pytest.raises(SchedulingError) as err:
        load_zone(bad)
    assert err.value.code == "invalid_timezone"
    assert "时区" in err.value.message_zh


def test_invalid_zone_in_calendar_is_reported():
    iv = InterviewerCalendar("b", "Europe/Berlim", working_week())
    with pytest.raises(SchedulingError, match="invalid_timezone"):
        find_slots(CandidateAvailability("c", BERLIN), [iv], SlotRequest(), utc(2025, 3, 3))


def test_naive_datetimes_are_refused():
    iv = InterviewerCalendar("b", BERLIN, working_week())
    naive_now = datetime(2025, 3, 3, 9)  # noqa: DTZ001 - the point of the test
    with pytest.raises(SchedulingError) as err:
        find_slots(CandidateAvailability("c", BERLIN), [iv], SlotRequest(), naive_now)
    assert err.value.code == "naive_datetime"
    with pytest.raises(SchedulingError):
        Interval(naive_now, utc(2025, 3, 3, 10))


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"duration": timedelta(0)}, "invalid_duration"),
        ({"granularity": timedelta(minutes=7)}, "invalid_granularity"),
        ({"buffer_before": timedelta(minutes=-5)}, "invalid_buffer"),
        ({"horizon": timedelta(days=400)}, "invalid_horizon"),
    ],
)
def test_invalid_requests(kwargs, code):
    iv = InterviewerCalendar("b", BERLIN, working_week())
    with pytest.raises(SchedulingError) as err:
        find_slots(CandidateAvailability("c", BERLIN), [iv], SlotRequest(**kwargs), utc(2025, 3, 3))
    assert err.value.code == code


def test_no_interviewers():
    with pytest.raises(SchedulingError, match="no_interviewers"):
        find_slots(CandidateAvailability("c", BERLIN), [], SlotRequest(), utc(2025, 3, 3))


def test_interval_must_end_after_start():
    with pytest.raises(SchedulingError, match="invalid_interval"):
        Interval(utc(2025, 3, 3, 10), utc(2025, 3, 3, 9))


# ---------------------------------------------------------------- tiling for batches


def test_tiled_slots_are_disjoint_and_keep_buffers():
    iv = InterviewerCalendar(
        "s",
        SHANGHAI,
        working_week(lunch=(time(12), time(13))),
        busy=(local_interval(SHANGHAI, date(2025, 3, 4), time(14), time(15)),),
    )
    req = SlotRequest(
        buffer_after=timedelta(minutes=10),
        buffer_before=timedelta(minutes=5),
        min_notice=timedelta(0),
    )
    tiles = tile_open_slots(iv, req, utc(2025, 3, 3, 16))
    for (_, e1), (s2, _) in pairwise(tiles):
        assert s2 - e1 >= timedelta(minutes=15)
    tuesday = [
        s.astimezone(ZoneInfo(SHANGHAI)).time()
        for s, _ in tiles
        if s.astimezone(ZoneInfo(SHANGHAI)).date() == date(2025, 3, 4)
    ]
    assert tuesday == [time(9), time(10, 15), time(15, 15), time(16, 30)]


# ---------------------------------------------------------------- property: every slot is valid


@settings(max_examples=40, deadline=None)
@given(
    busy=st.lists(st.tuples(st.integers(0, 14 * 24 * 4), st.integers(1, 16)), max_size=25),
    zone=st.sampled_from([BERLIN, LONDON, NEW_YORK, LOS_ANGELES, SHANGHAI]),
    cand_zone=st.sampled_from([BERLIN, SHANGHAI, LOS_ANGELES]),
    buffer=st.integers(0, 3),
    panel=st.booleans(),
)
def test_every_returned_slot_satisfies_the_constraints(busy, zone, cand_zone, buffer, panel):
    now = utc(2025, 3, 20)
    blocks = tuple(
        Interval(now + timedelta(minutes=15 * q), now + timedelta(minutes=15 * (q + n)))
        for q, n in busy
    )
    a = InterviewerCalendar("a", zone, working_week(), busy=blocks)
    b = InterviewerCalendar("b", SHANGHAI, working_week(time(8), time(20)))
    gap = timedelta(minutes=10 * buffer)
    req = SlotRequest(buffer_before=gap, buffer_after=gap, panel=panel, limit=50)
    slots = find_slots(CandidateAvailability("c", cand_zone), [a, b], req, now)
    for s in slots:
        assert s.start >= now + req.min_notice and s.end <= now + req.horizon
        if "a" in s.interviewer_ids:
            start, end = s.local(zone)
            assert start.weekday() < 5 and time(9) <= start.time() and end.time() <= time(18)
            assert end.date() == start.date()
            for blk in blocks:
                assert s.end + gap <= blk.start or blk.end <= s.start - gap
        assert s.start.astimezone(ZoneInfo(cand_zone)).minute % 15 == 0
