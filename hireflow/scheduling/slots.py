"""Interview slot finding across time zones (SPEC D2).

A pure core: plain dataclasses in, ranked slots out; no database, no clock (``now`` is always
passed in), no I/O. Time zones and interval arithmetic are in :mod:`timeline`.

Ranking is explainable: each slot carries a breakdown of four penalties in ``[0, 1]``
(soonness, fragmentation of the interviewers' day, distance from the middle of the
candidate's preferred hours, interviewer load) combined with :class:`RankingWeights`.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hireflow.scheduling.timeline import (
    Interval,
    SchedulingError,
    Spans,
    WorkingWindow,
    from_seconds,
    intersect_spans,
    load_zone,
    local_day_bounds,
    merge_spans,
    require_aware,
    resolve_local,
    spans_contain,
    spans_overlap,
    subtract_spans,
    to_seconds,
)

# Reasons a requested slot cannot be booked (see :func:`check_slot`).
_CONFLICTS: dict[str, tuple[str, str]] = {
    "insufficient_notice": (
        "The slot starts sooner than the minimum notice of {hours} hours.",
        "该时段距离现在不足最短提前时间 {hours} 小时。",
    ),
    "beyond_horizon": (
        "The slot lies beyond the scheduling horizon of {days} days.",
        "该时段超出了 {days} 天的排期范围。",
    ),
    "outside_working_hours": (
        "The slot is outside the working hours of interviewer {interviewer}.",
        "该时段不在面试官 {interviewer} 的工作时间内。",
    ),
    "holiday": (
        "Interviewer {interviewer} is on holiday that day.",
        "面试官 {interviewer} 当天休假。",
    ),
    "interviewer_busy": (
        "Interviewer {interviewer} is busy at that time (including buffers).",
        "面试官 {interviewer} 在该时段(含缓冲时间)已有安排。",
    ),
    "daily_cap_reached": (
        "Interviewer {interviewer} already has the maximum number of interviews that day.",
        "面试官 {interviewer} 当天的面试数量已达上限。",
    ),
    "candidate_unavailable": (
        "The candidate is not available at that time.",
        "候选人在该时段没有空。",
    ),
    "off_grid": (
        "The slot does not start on the {minutes}-minute grid.",
        "该时段的开始时间不在 {minutes} 分钟的时间刻度上。",
    ),
}


@dataclass(frozen=True)
class ConflictReason:
    """Why a requested slot is not bookable, for one interviewer or for the candidate."""

    code: str
    message_en: str
    message_zh: str
    interviewer_id: str | None = None

    @classmethod
    def of(cls, code: str, interviewer_id: str | None = None, **params: object) -> ConflictReason:
        en, zh = _CONFLICTS[code]
        fields = {"interviewer": interviewer_id, **params}
        return cls(code, en.format(**fields), zh.format(**fields), interviewer_id)


@dataclass(frozen=True)
class InterviewerCalendar:
    """One interviewer's constraints.

    ``busy`` blocks come from their calendar (see :mod:`hireflow.scheduling.ics`);
    ``interviews`` are interviews already booked: they are busy too, count towards
    ``max_per_day`` and towards the load used for fair ranking. ``holidays`` are dates in the
    interviewer's own zone; no slot touches them.
    """

    interviewer_id: str
    timezone: str
    working_hours: tuple[WorkingWindow, ...]
    busy: tuple[Interval, ...] = ()
    interviews: tuple[Interval, ...] = ()
    holidays: frozenset[date] = frozenset()
    max_per_day: int | None = None


@dataclass(frozen=True)
class CandidateAvailability:
    """What the candidate told us.

    ``windows`` are the times they can attend; ``None`` means they stated no constraint (any
    time within the interviewers' hours), an empty tuple means they are never available.
    ``preferred_start``/``preferred_end`` are the local hours the candidate would rather be
    interviewed in; slots near the middle of them rank higher.
    """

    candidate_id: str
    timezone: str
    windows: tuple[Interval, ...] | None = None
    preferred_start: time = time(9)
    preferred_end: time = time(18)


@dataclass(frozen=True)
class RankingWeights:
    """Relative weight of each ranking penalty; only their ratios matter."""

    soonness: float = 0.35
    fragmentation: float = 0.25
    candidate_hours: float = 0.25
    load: float = 0.15


@dataclass(frozen=True)
class SlotRequest:
    """How to search: interview length, buffers, grid, notice and horizon.

    With ``panel`` every interviewer must attend (all free at once); otherwise each slot has
    one interviewer, any of those given.
    """

    duration: timedelta = timedelta(minutes=60)
    buffer_before: timedelta = timedelta(0)
    buffer_after: timedelta = timedelta(0)
    granularity: timedelta = timedelta(minutes=15)
    min_notice: timedelta = timedelta(hours=12)
    horizon: timedelta = timedelta(days=14)
    panel: bool = False
    limit: int = 10
    distinct: bool = True
    weights: RankingWeights = field(default_factory=RankingWeights)

    def validate(self) -> None:
        if not timedelta(0) < self.duration <= timedelta(hours=12):
            raise SchedulingError("invalid_duration")
        step = self.granularity.total_seconds()
        if not 60 <= step <= 86400 or 86400 % step or step % 60:
            raise SchedulingError("invalid_granularity")
        if min(self.buffer_before, self.buffer_after, self.min_notice) < timedelta(0):
            raise SchedulingError("invalid_buffer")
        if not timedelta(0) < self.horizon <= timedelta(days=366):
            raise SchedulingError("invalid_horizon")


@dataclass(frozen=True)
class Slot:
    """A bookable interview slot, in UTC, with its ranking score (lower is better)."""

    start: datetime
    end: datetime
    interviewer_ids: tuple[str, ...]
    score: float
    breakdown: Mapping[str, float]

    def local(self, zone_name: str) -> tuple[datetime, datetime]:
        """Start and end as wall-clock datetimes in ``zone_name``."""
        zone = load_zone(zone_name)
        return self.start.astimezone(zone), self.end.astimezone(zone)


@dataclass(frozen=True)
class SlotCheck:
    """Answer to "can we book this time?": the slot if yes, reasons and alternatives if not."""

    available: bool
    slot: Slot | None
    reasons: tuple[ConflictReason, ...]
    alternatives: tuple[Slot, ...]


@dataclass
class _View:
    interviewer_id: str
    zone: ZoneInfo
    working: Spans  # working hours minus holidays
    holidays: Spans
    busy: Spans  # busy blocks and interviews, widened by the buffers
    capped: Spans  # local days on which max_per_day is reached
    free: Spans  # what is left: where a slot may sit
    load: int


def _view(cal: InterviewerCalendar, req: SlotRequest, window: tuple[int, int]) -> _View:
    zone = load_zone(cal.timezone)
    lo, hi = window
    first_day = from_seconds(lo).astimezone(zone).date() - timedelta(days=1)
    last_day = from_seconds(hi).astimezone(zone).date() + timedelta(days=1)
    by_weekday: dict[int, list[WorkingWindow]] = {}
    for w in cal.working_hours:
        by_weekday.setdefault(w.weekday, []).append(w)

    raw: Spans = []
    day = first_day
    while day <= last_day:
        # A window belongs to the day it starts on, so a holiday drops its night shift too.
        windows = () if day in cal.holidays else by_weekday.get(day.weekday(), ())
        for w in windows:
            end_day = day + timedelta(days=1) if w.end <= w.start else day
            s = resolve_local(day, w.start, zone)
            e = resolve_local(end_day, w.end, zone, closing=True)
            raw.append((s, e))
        day += timedelta(days=1)
    working = merge_spans(raw)

    holidays = merge_spans(
        local_day_bounds(h, zone) for h in cal.holidays if first_day <= h <= last_day
    )
    working = subtract_spans(working, holidays)

    before = int(req.buffer_before.total_seconds())
    after = int(req.buffer_after.total_seconds())
    blocks = [iv.as_seconds() for iv in (*cal.busy, *cal.interviews)]
    # A slot [s, e) needs [s - before, e + after) clear of every busy block [bs, be), which is
    # the same as [s, e) missing the widened block [bs - after, be + before).
    busy = merge_spans((bs - after, be + before) for bs, be in blocks)

    capped: Spans = []
    if cal.max_per_day is not None:
        per_day: dict[date, int] = {}
        for iv in cal.interviews:
            d = iv.start.astimezone(zone).date()
            per_day[d] = per_day.get(d, 0) + 1
        capped = merge_spans(
            local_day_bounds(d, zone) for d, n in per_day.items() if n >= cal.max_per_day
        )
        if cal.max_per_day <= 0:
            capped = [(lo - 86400, hi + 86400)]

    free = subtract_spans(subtract_spans(working, busy), capped)
    free = intersect_spans(free, [(lo, hi)])
    # Load for fair ranking: interviews in the past week and in the horizon.
    load = sum(1 for iv in cal.interviews if lo - 7 * 86400 <= iv.as_seconds()[0] < hi)
    return _View(cal.interviewer_id, zone, working, holidays, busy, capped, free, load)


def _candidate_spans(cand: CandidateAvailability, window: tuple[int, int]) -> Spans:
    load_zone(cand.timezone)
    if cand.windows is None:
        return [window]
    return intersect_spans(merge_spans(iv.as_seconds() for iv in cand.windows), [window])


def _search_window(req: SlotRequest, now: datetime) -> tuple[int, int]:
    require_aware(now, "now")
    start = to_seconds(now) + int(req.min_notice.total_seconds())
    end = to_seconds(now) + int(req.horizon.total_seconds())
    return start, end


class _Ranker:
    """Scores candidate slots in bulk (numpy) with the four penalties, each in ``[0, 1]``.

    * soonness: how far into the search window the slot starts;
    * fragmentation: per interviewer, a slot flush against a busy block or the edge of the
      working day costs 0, one that leaves a gap too short for another interview on either
      side costs 1 for that side, one that merely splits a long free stretch costs 0.25;
    * candidate hours: 0 in the middle of the candidate's preferred hours, 0.5 at their edges,
      rising to 1 six hours outside them;
    * load: the interviewers' booked interviews (past week and horizon) relative to the most
      loaded interviewer in the request.
    """

    def __init__(
        self,
        cand: CandidateAvailability,
        views: Sequence[_View],
        req: SlotRequest,
        window: tuple[int, int],
    ) -> None:
        self.zone = load_zone(cand.timezone)
        self.lo, self.hi = window
        self.span = max(1, self.hi - self.lo)
        self.duration = int(req.duration.total_seconds())
        self.min_useful = int((req.duration + req.buffer_before + req.buffer_after).total_seconds())
        ps = cand.preferred_start.hour * 60 + cand.preferred_start.minute
        pe = cand.preferred_end.hour * 60 + cand.preferred_end.minute
        if pe <= ps:
            pe += 24 * 60
        self.pref = (ps, pe)
        max_load = max((v.load for v in views), default=0)
        self.load = {v.interviewer_id: (v.load / max_load if max_load else 0.0) for v in views}
        w = req.weights
        total = w.soonness + w.fragmentation + w.candidate_hours + w.load
        total = total if total > 0 else 1.0
        self.weights = (
            np.array([w.soonness, w.fragmentation, w.candidate_hours, w.load], dtype=float) / total
        )
        self._offsets: dict[int, int] = {}

    def offset(self, t: int) -> int:
        """UTC offset in seconds of the candidate's zone at ``t`` (cached per UTC hour: zone
        transitions fall on whole hours)."""
        hour = t - t % 3600
        off = self._offsets.get(hour)
        if off is None:
            delta = from_seconds(hour).astimezone(self.zone).utcoffset()
            off = int(delta.total_seconds()) if delta is not None else 0
            self._offsets[hour] = off
        return off

    def _offsets_of(self, starts: np.ndarray) -> np.ndarray:
        hours = starts - starts % 3600
        uniq, inverse = np.unique(hours, return_inverse=True)
        table = np.fromiter((self.offset(int(h)) for h in uniq), dtype=np.int64, count=len(uniq))
        return table[inverse]

    def candidate_penalty(self, starts: np.ndarray) -> np.ndarray:
        local = ((starts + self._offsets_of(starts)) % 86400) / 60.0
        length = self.duration / 60.0
        ps, pe = self.pref
        centre = (ps + pe) / 2
        half = max(1.0, (pe - ps) / 2)
        best = np.ones(len(starts))
        # The previous and next day's copies matter when preferred hours cross midnight.
        for shift in (-1440.0, 0.0, 1440.0):
            a = local + shift
            b = a + length
            inside = (a >= ps) & (b <= pe)
            pen_in = 0.5 * np.minimum(1.0, np.abs((a + b) / 2 - centre) / half)
            outside = np.maximum(np.maximum(ps - a, b - pe), 0.0)
            pen_out = np.minimum(1.0, 0.6 + 0.4 * outside / 360)
            best = np.minimum(best, np.where(inside, pen_in, pen_out))
        return best

    def fragmentation_penalty(
        self, starts: np.ndarray, piece_lo: np.ndarray, piece_hi: np.ndarray
    ) -> np.ndarray:
        total = np.zeros(len(starts))
        for gap in (starts - piece_lo, piece_hi - (starts + self.duration)):
            total += np.where(gap <= 0, 0.0, np.where(gap < self.min_useful, 1.0, 0.25))
        return total / 2

    def scores(
        self,
        starts: np.ndarray,
        frag: np.ndarray,
        load: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        parts = np.empty((len(starts), 4))
        parts[:, 0] = (starts - self.lo) / self.span
        parts[:, 1] = frag
        parts[:, 2] = self.candidate_penalty(starts)
        parts[:, 3] = load
        return parts @ self.weights, parts


@dataclass
class _Pool:
    """Every feasible slot of a request, as parallel arrays."""

    starts: np.ndarray
    group: np.ndarray  # index into ``groups``
    groups: list[tuple[str, ...]]
    score: np.ndarray
    parts: np.ndarray
    duration: int


def _grid_first(s: int, step: int, offset: int) -> int:
    """First start at or after ``s`` on the ``step`` grid of local wall time."""
    return s + (-(s + offset)) % step


def _runs_to_starts(
    firsts: list[int], counts: list[int], step: int
) -> tuple[np.ndarray, np.ndarray]:
    """Expand runs (first start, number of starts) on a ``step`` grid into one array, plus
    the index of the run each start came from."""
    counts_arr = np.array(counts, dtype=np.int64)
    run = np.repeat(np.arange(len(counts_arr)), counts_arr)
    offsets = np.arange(len(run), dtype=np.int64) - np.repeat(
        np.cumsum(counts_arr) - counts_arr, counts_arr
    )
    return np.array(firsts, dtype=np.int64)[run] + step * offsets, run


def _enumerate(
    cand: CandidateAvailability,
    views: Sequence[_View],
    req: SlotRequest,
    window: tuple[int, int],
    ranker: _Ranker,
) -> _Pool:
    cand_spans = _candidate_spans(cand, window)
    duration = ranker.duration
    step = int(req.granularity.total_seconds())
    # One run per stretch of time where a slot can start: (first start, count, the free piece
    # of each interviewer it lies in, group). Python walks the stretches; numpy expands them.
    firsts: list[int] = []
    counts: list[int] = []
    piece_lo: list[int] = []
    piece_hi: list[int] = []
    run_group: list[int] = []
    groups: list[tuple[str, ...]] = []

    def add_run(s: int, e: int, lo: int, hi: int, gi: int) -> None:
        first = _grid_first(s, step, ranker.offset(s))
        n = (e - duration - first) // step + 1
        if n > 0:
            firsts.append(first)
            counts.append(n)
            piece_lo.append(lo)
            piece_hi.append(hi)
            run_group.append(gi)

    if req.panel:
        common = cand_spans
        for v in views:
            common = intersect_spans(common, v.free)
        groups.append(tuple(v.interviewer_id for v in views))
        for s, e in common:
            add_run(s, e, 0, 0, 0)
        starts, run = _runs_to_starts(firsts, counts, step)
        frag = np.zeros(len(starts))
        for v in views:
            lo = np.array([p[0] for p in v.free], dtype=np.int64)
            hi = np.array([p[1] for p in v.free], dtype=np.int64)
            idx = np.searchsorted(lo, starts, side="right") - 1
            frag += ranker.fragmentation_penalty(starts, lo[idx], hi[idx])
        frag /= max(1, len(views))
        ids = groups[0]
        load = np.full(len(starts), sum(ranker.load[i] for i in ids) / len(ids))
        group = np.zeros(len(starts), dtype=np.int64)
    else:
        for gi, v in enumerate(views):
            groups.append((v.interviewer_id,))
            j = 0
            for lo, hi in v.free:
                while j < len(cand_spans) and cand_spans[j][1] <= lo:
                    j += 1
                k = j
                while k < len(cand_spans) and cand_spans[k][0] < hi:
                    add_run(max(lo, cand_spans[k][0]), min(hi, cand_spans[k][1]), lo, hi, gi)
                    k += 1
        starts, run = _runs_to_starts(firsts, counts, step)
        lo_arr = np.array(piece_lo, dtype=np.int64)[run]
        hi_arr = np.array(piece_hi, dtype=np.int64)[run]
        frag = ranker.fragmentation_penalty(starts, lo_arr, hi_arr)
        group = np.array(run_group, dtype=np.int64)[run]
        loads = np.array([ranker.load[v.interviewer_id] for v in views])
        load = loads[group] if len(group) else np.empty(0)
    score, parts = ranker.scores(starts, frag, load)
    return _Pool(starts, group, groups, score, parts, duration)


_PART_NAMES = ("soonness", "fragmentation", "candidate_hours", "load")


def _slot_at(pool: _Pool, i: int) -> Slot:
    start = int(pool.starts[i])
    breakdown = {n: round(float(x), 6) for n, x in zip(_PART_NAMES, pool.parts[i], strict=True)}
    return Slot(
        from_seconds(start),
        from_seconds(start + pool.duration),
        pool.groups[int(pool.group[i])],
        round(float(pool.score[i]), 6),
        breakdown,
    )


def _pick(pool: _Pool, key: np.ndarray, limit: int, distinct: bool) -> list[Slot]:
    """Best ``limit`` slots by ``key`` (ties: earlier start, then interviewer order)."""
    order = np.lexsort((pool.group, pool.starts, key))
    chosen: list[Slot] = []
    taken: dict[int, list[int]] = {}
    d = pool.duration
    for i in order:
        start = int(pool.starts[i])
        if distinct:
            mine = taken.setdefault(int(pool.group[i]), [])
            if any(abs(start - other) < d for other in mine):
                continue
            mine.append(start)
        chosen.append(_slot_at(pool, int(i)))
        if len(chosen) >= limit:
            break
    return chosen


def _prepare(
    cand: CandidateAvailability,
    interviewers: Sequence[InterviewerCalendar],
    req: SlotRequest,
    now: datetime,
) -> tuple[list[_View], tuple[int, int]]:
    req.validate()
    if not interviewers:
        raise SchedulingError("no_interviewers")
    load_zone(cand.timezone)
    window = _search_window(req, now)
    views = [_view(c, req, window) for c in interviewers]
    return views, window


def find_slots(
    candidate: CandidateAvailability,
    interviewers: Sequence[InterviewerCalendar],
    request: SlotRequest,
    now: datetime,
) -> list[Slot]:
    """The best ``request.limit`` slots for ``candidate``, best first.

    A slot starts at least ``min_notice`` after ``now`` and ends within ``horizon`` of it, sits
    inside the interviewers' working hours (never on their holidays), keeps the buffers clear of
    their busy blocks, and inside the candidate's windows. With ``distinct`` (the default) two
    returned slots for the same interviewers never overlap, so the list offers real choices.
    """
    views, window = _prepare(candidate, interviewers, request, now)
    ranker = _Ranker(candidate, views, request, window)
    pool = _enumerate(candidate, views, request, window, ranker)
    return _pick(pool, pool.score, request.limit, request.distinct)


def check_slot(
    requested_start: datetime,
    candidate: CandidateAvailability,
    interviewers: Sequence[InterviewerCalendar],
    request: SlotRequest,
    now: datetime,
    *,
    alternatives: int = 3,
) -> SlotCheck:
    """Can ``requested_start`` be booked? If not, say why and propose the next best slots.

    Raises ``slot_in_past`` for a start before ``now``. Alternatives are ranked by the usual
    score plus distance from the requested time (a full score point at two days away), since
    that time is what the person asked for.
    In non-panel mode the slot is bookable when any one interviewer can take it.
    """
    require_aware(requested_start, "requested start")
    require_aware(now, "now")
    if requested_start < now:
        raise SchedulingError("slot_in_past", start=requested_start.isoformat())
    views, window = _prepare(candidate, interviewers, request, now)
    ranker = _Ranker(candidate, views, request, window)
    duration = ranker.duration
    s = to_seconds(requested_start)
    e = s + duration

    general = _general_conflicts(candidate, request, ranker, window, s, e)
    per_view = {v.interviewer_id: _interviewer_conflicts(v, s, e) for v in views}
    if request.panel:
        ok_groups = [views] if not any(per_view.values()) else []
    else:
        ok_groups = [[v] for v in views if not per_view[v.interviewer_id]]

    if not general and ok_groups:
        best = _best_at(s, ok_groups, ranker)
        return SlotCheck(True, best, (), ())

    reasons_all = list(general)
    for v in views:
        reasons_all.extend(per_view[v.interviewer_id])
    pool = _enumerate(candidate, views, request, window, ranker)
    # Distance from the requested time weighs as much as the whole score once it reaches two
    # days: someone who asked for Tuesday 14:00 wants Tuesday afternoon, not next week.
    closeness = pool.score + np.minimum(1.0, np.abs(pool.starts - s) / (2 * 86400))
    alts = _pick(pool, closeness, alternatives, True)
    return SlotCheck(False, None, tuple(reasons_all), tuple(alts))


def _general_conflicts(
    candidate: CandidateAvailability,
    request: SlotRequest,
    ranker: _Ranker,
    window: tuple[int, int],
    s: int,
    e: int,
) -> list[ConflictReason]:
    """Why ``[s, e)`` cannot be booked whoever interviews: notice, horizon, grid, candidate."""
    step = int(request.granularity.total_seconds())
    general: list[ConflictReason] = []
    if s < window[0]:
        hours = round(request.min_notice.total_seconds() / 3600, 1)
        general.append(ConflictReason.of("insufficient_notice", hours=hours))
    if e > window[1]:
        general.append(ConflictReason.of("beyond_horizon", days=request.horizon.days))
    if (s + ranker.offset(s)) % step:
        general.append(ConflictReason.of("off_grid", minutes=step // 60))
    if not spans_contain(_candidate_spans(candidate, (s - 1, e + 1)), s, e):
        general.append(ConflictReason.of("candidate_unavailable"))
    return general


def _interviewer_conflicts(v: _View, s: int, e: int) -> list[ConflictReason]:
    """Why one interviewer cannot take ``[s, e)``."""
    reasons: list[ConflictReason] = []
    if spans_overlap(v.holidays, s, e):
        reasons.append(ConflictReason.of("holiday", v.interviewer_id))
    elif not spans_contain(v.working, s, e):
        reasons.append(ConflictReason.of("outside_working_hours", v.interviewer_id))
    if spans_overlap(v.busy, s, e):
        reasons.append(ConflictReason.of("interviewer_busy", v.interviewer_id))
    if spans_overlap(v.capped, s, e):
        reasons.append(ConflictReason.of("daily_cap_reached", v.interviewer_id))
    return reasons


def _best_at(s: int, ok_groups: list[list[_View]], ranker: _Ranker) -> Slot | None:
    """The best-scored of the interviewer groups free at ``s``, as a slot."""
    best: Slot | None = None
    one = np.array([s], dtype=np.int64)
    for group in ok_groups:
        ids = tuple(v.interviewer_id for v in group)
        frag = np.zeros(1)
        for v in group:
            lo, hi = _piece(v.free, s)
            frag += ranker.fragmentation_penalty(one, np.array([lo]), np.array([hi]))
        frag /= len(group)
        load = np.array([sum(ranker.load[i] for i in ids) / len(ids)])
        score, parts = ranker.scores(one, frag, load)
        pool = _Pool(one, np.zeros(1, dtype=np.int64), [ids], score, parts, ranker.duration)
        slot = _slot_at(pool, 0)
        if best is None or slot.score < best.score:
            best = slot
    return best


def _piece(spans: Spans, s: int) -> tuple[int, int]:
    i = bisect.bisect_right(spans, (s, 1 << 62)) - 1
    return spans[i]


def tile_open_slots(
    calendar: InterviewerCalendar, request: SlotRequest, now: datetime
) -> list[tuple[datetime, datetime]]:
    """Disjoint bookable slots of one interviewer, back to back, for batch assignment.

    Slots are packed from the start of each free stretch with a step of duration plus both
    buffers, so any subset of them can be booked at once without breaking a buffer.
    """
    request.validate()
    window = _search_window(request, now)
    v = _view(calendar, request, window)
    duration = int(request.duration.total_seconds())
    before = int(request.buffer_before.total_seconds())
    after = int(request.buffer_after.total_seconds())
    grid = int(request.granularity.total_seconds())
    out: list[tuple[datetime, datetime]] = []
    for s, e in v.free:
        offset = int(
            (from_seconds(s).astimezone(v.zone).utcoffset() or timedelta(0)).total_seconds()
        )
        start = s + (-(s + offset)) % grid
        while start + duration <= e:
            out.append((from_seconds(start), from_seconds(start + duration)))
            nxt = start + duration + after + before
            start = nxt + (-(nxt + offset)) % grid
    return out
