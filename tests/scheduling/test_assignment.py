"""Batch assignment: availability, daily caps, balanced load, reasons, optimality."""

import itertools
import random
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from hireflow.scheduling.assignment import (
    BatchCandidate,
    BatchInterviewer,
    OpenSlot,
    assign_batch,
)
from hireflow.scheduling.slots import InterviewerCalendar, SlotRequest, tile_open_slots
from hireflow.scheduling.timeline import Interval, SchedulingError, local_interval, working_week

BASE = datetime(2025, 3, 3, tzinfo=UTC)


def hour(h: int) -> datetime:
    return BASE + timedelta(hours=h)


def slot(iid: str, h: int) -> OpenSlot:
    return OpenSlot(iid, hour(h), hour(h + 1))


def cand(cid: str, *windows: tuple[int, int], tz: str = "UTC") -> BatchCandidate:
    return BatchCandidate(cid, tz, tuple(Interval(hour(a), hour(b)) for a, b in windows))


def check_valid(result, candidates, slots, interviewers):
    windows = {c.candidate_id: c.windows for c in candidates}
    open_slots = {(s.interviewer_id, s.start, s.end) for s in slots}
    used = set()
    per_day = Counter()
    caps = {i.interviewer_id: i for i in interviewers}
    for p in result.placements:
        assert (p.interviewer_id, p.start, p.end) in open_slots
        assert (p.interviewer_id, p.start) not in used
        used.add((p.interviewer_id, p.start))
        assert any(w.start <= p.start and p.end <= w.end for w in windows[p.candidate_id])
        per_day[(p.interviewer_id, p.start.date())] += 1
    for (iid, day), n in per_day.items():
        iv = caps[iid]
        assert n + iv.booked_per_day.get(day, 0) <= iv.max_per_day
    placed = {p.candidate_id for p in result.placements}
    assert placed.isdisjoint({u.candidate_id for u in result.unplaced})
    assert len(placed) + len(result.unplaced) == len(candidates)


def test_everyone_placed_inside_their_windows():
    ivs = [BatchInterviewer("a", "UTC"), BatchInterviewer("b", "UTC")]
    slots = [slot("a", 9), slot("a", 10), slot("b", 9), slot("b", 14)]
    cands = [cand("x", (9, 11)), cand("y", (9, 10)), cand("z", (13, 16))]
    result = assign_batch(cands, ivs, slots)
    check_valid(result, cands, slots, ivs)
    assert len(result.placements) == 3 and result.unplaced == ()
    z = next(p for p in result.placements if p.candidate_id == "z")
    assert (z.interviewer_id, z.start) == ("b", hour(14))


def test_daily_cap_holds_and_overflow_is_explained():
    ivs = [BatchInterviewer("a", "UTC", max_per_day=2)]
    slots = [slot("a", h) for h in range(9, 15)]
    cands = [cand(f"c{i}", (9, 15)) for i in range(5)]
    result = assign_batch(cands, ivs, slots)
    check_valid(result, cands, slots, ivs)
    assert len(result.placements) == 2
    assert {u.code for u in result.unplaced} == {"capacity_exhausted"}
    assert "上限" in result.unplaced[0].message_zh


def test_cap_uses_the_interviewers_local_day():
    # 20:00-23:00 UTC on 3 March is already 4 March in Shanghai: two different local days
    # for the Berlin interviewer would be one day in Shanghai.
    ivs = [BatchInterviewer("sh", "Asia/Shanghai", max_per_day=1)]
    slots = [slot("sh", 14), slot("sh", 17)]  # 22:00 on the 3rd and 01:00 on the 4th local
    cands = [cand("x", (14, 15)), cand("y", (17, 18))]
    result = assign_batch(cands, ivs, slots)
    assert len(result.placements) == 2


def test_existing_bookings_reduce_capacity():
    ivs = [BatchInterviewer("a", "UTC", max_per_day=2, booked_per_day={date(2025, 3, 3): 2})]
    slots = [slot("a", 9), slot("a", 24 + 9)]
    cands = [cand("x", (0, 48)), cand("y", (0, 48))]
    result = assign_batch(cands, ivs, slots)
    assert [p.start for p in result.placements] == [hour(33)]


def test_load_is_balanced_across_interviewers():
    ivs = [BatchInterviewer(i, "UTC", max_per_day=8) for i in "abcd"]
    slots = [slot(i, h) for i in "abcd" for h in range(9, 17)]
    cands = [cand(f"c{n}", (9, 17)) for n in range(20)]
    result = assign_batch(cands, ivs, slots)
    check_valid(result, cands, slots, ivs)
    assert sorted(result.load.values()) == [5, 5, 5, 5]


def test_existing_load_tips_the_balance():
    ivs = [BatchInterviewer("a", "UTC", existing_load=10), BatchInterviewer("b", "UTC")]
    slots = [slot("a", 9), slot("b", 9)]
    result = assign_batch([cand("x", (9, 10))], ivs, slots)
    assert result.placements[0].interviewer_id == "b"


def test_collision_on_one_slot_moves_the_flexible_candidate():
    # x can only make a@9; y could take a@9 or b on the next day. Both look cheapest in the
    # (a, 3 March) group; the matching must move y, not drop x.
    ivs = [BatchInterviewer("a", "UTC"), BatchInterviewer("b", "UTC")]
    slots = [slot("a", 9), slot("b", 24 + 19)]
    cands = [cand("x", (9, 10)), cand("y", (9, 10), (24 + 18, 24 + 21))]
    result = assign_batch(cands, ivs, slots)
    got = {p.candidate_id: (p.interviewer_id, p.start) for p in result.placements}
    assert got == {"x": ("a", hour(9)), "y": ("b", hour(43))}


def test_reasons_for_unplaced_candidates():
    ivs = [BatchInterviewer("a", "UTC")]
    slots = [slot("a", 9)]
    cands = [cand("none"), cand("elsewhere", (20, 22)), cand("x", (9, 10)), cand("y", (9, 10))]
    result = assign_batch(cands, ivs, slots)
    codes = {u.candidate_id: u.code for u in result.unplaced}
    assert codes["none"] == "no_availability"
    assert codes["elsewhere"] == "no_matching_slot"
    assert len(result.placements) == 1 and "capacity_exhausted" in codes.values()


def test_bad_inputs():
    ivs = [BatchInterviewer("a", "UTC")]
    overlapping = [
        OpenSlot("a", hour(9), hour(10)),
        OpenSlot("a", hour(9) + timedelta(minutes=30), hour(11)),
    ]
    with pytest.raises(SchedulingError, match="overlapping_open_slots"):
        assign_batch([cand("x", (9, 12))], ivs, overlapping)
    with pytest.raises(SchedulingError, match="unknown_interviewer"):
        assign_batch([cand("x", (9, 12))], ivs, [slot("ghost", 9)])
    with pytest.raises(SchedulingError, match="invalid_timezone"):
        assign_batch([cand("x", (9, 12), tz="Nowhere/City")], ivs, [slot("a", 9)])
    naive = OpenSlot("a", datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 10))  # noqa: DTZ001
    with pytest.raises(SchedulingError, match="naive_datetime"):
        assign_batch([cand("x", (9, 12))], ivs, [naive])


def test_empty_batch():
    result = assign_batch([], [BatchInterviewer("a", "UTC")], [slot("a", 9)])
    assert result.placements == () and result.load == {"a": 0}


def _brute_force_max(ivs, slots, cands) -> int:
    caps = {i.interviewer_id: i.max_per_day for i in ivs}
    options = [
        [
            None,
            *[
                i
                for i, s in enumerate(slots)
                if any(w.start <= s.start and s.end <= w.end for w in c.windows)
            ],
        ]
        for c in cands
    ]
    best = 0
    for combo in itertools.product(*options):
        used = [x for x in combo if x is not None]
        if len(set(used)) < len(used):
            continue
        per = Counter((slots[x].interviewer_id, slots[x].start.date()) for x in used)
        if all(n <= caps[k[0]] for k, n in per.items()):
            best = max(best, len(used))
    return best


def test_places_as_many_as_brute_force_on_small_instances():
    rng = random.Random(20250303)
    for _ in range(300):
        ivs = [
            BatchInterviewer(f"i{k}", "UTC", max_per_day=rng.randint(1, 2))
            for k in range(rng.randint(1, 3))
        ]
        slots = [
            slot(iv.interviewer_id, h)
            for iv in ivs
            for h in sorted(rng.sample(range(48), rng.randint(1, 4)))
        ]
        cands = []
        for c in range(rng.randint(1, 6)):
            wins = []
            for _ in range(rng.randint(0, 2)):
                a = rng.randrange(48)
                wins.append((a, a + rng.randint(1, 4)))
            cands.append(cand(f"c{c}", *wins))
        result = assign_batch(cands, ivs, slots)
        check_valid(result, cands, slots, ivs)
        assert len(result.placements) == _brute_force_max(ivs, slots, cands)


def test_end_to_end_with_tiled_calendars_across_zones():
    now = datetime(2025, 3, 2, 16, tzinfo=UTC)
    req = SlotRequest(
        min_notice=timedelta(0), horizon=timedelta(days=7), buffer_after=timedelta(minutes=15)
    )
    zones = ["Asia/Shanghai", "Europe/Berlin", "America/New_York"]
    ivs, slots = [], []
    for k, zone in enumerate(zones):
        cal = InterviewerCalendar(f"i{k}", zone, working_week())
        slots += [OpenSlot(cal.interviewer_id, s, e) for s, e in tile_open_slots(cal, req, now)]
        ivs.append(BatchInterviewer(cal.interviewer_id, zone, max_per_day=3))
    rng = random.Random(5)
    cands = []
    for n in range(40):
        zone = rng.choice(zones)
        day = date(2025, 3, 3) + timedelta(days=rng.randrange(5))
        cands.append(BatchCandidate(f"c{n}", zone, (local_interval(zone, day, time(9), time(18)),)))
    result = assign_batch(cands, ivs, slots)
    check_valid(result, cands, slots, ivs)
    assert len(result.placements) == _max_flow_placeable(cands, ivs, slots) == 34
    assert 1 <= result.rounds <= 4


def _max_flow_placeable(cands, ivs, slots) -> int:
    """Oracle: the most candidates that can be placed at all (source -> candidate -> slot ->
    (interviewer, local day) with the daily cap -> sink), ignoring costs."""
    by_id = {i.interviewer_id: i for i in ivs}
    group_of = {}
    for s in slots:
        zone = ZoneInfo(by_id[s.interviewer_id].timezone)
        group_of.setdefault((s.interviewer_id, s.start.astimezone(zone).date()), len(group_of))
    n_c, n_s = len(cands), len(slots)
    first_slot, first_group = 1 + n_c, 1 + n_c + n_s
    sink = first_group + len(group_of)
    edges = [(0, 1 + i, 1) for i in range(n_c)]
    for i, c in enumerate(cands):
        for j, s in enumerate(slots):
            if any(w.start <= s.start and s.end <= w.end for w in c.windows):
                edges.append((1 + i, first_slot + j, 1))
    for j, s in enumerate(slots):
        zone = ZoneInfo(by_id[s.interviewer_id].timezone)
        edges.append(
            (
                first_slot + j,
                first_group + group_of[(s.interviewer_id, s.start.astimezone(zone).date())],
                1,
            )
        )
    for (iid, day), g in group_of.items():
        iv = by_id[iid]
        edges.append(
            (first_group + g, sink, max(0, iv.max_per_day - iv.booked_per_day.get(day, 0)))
        )
    rows, cols, caps = zip(*edges, strict=True)
    graph = csr_matrix((np.array(caps, dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1))
    return maximum_flow(graph, 0, sink).flow_value
