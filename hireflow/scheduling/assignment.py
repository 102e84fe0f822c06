"""Batch assignment of many candidates to many interviewers' open slots (SPEC D1/D2).

Pure core, no I/O. The problem: each candidate gets at most one slot inside their stated
availability, each open slot takes at most one candidate, each interviewer takes at most
``max_per_day`` interviews per local day, and the load spreads evenly across interviewers.

It is solved exactly as one sparse minimum-cost bipartite matching
(:func:`scipy.sparse.csgraph.min_weight_full_bipartite_matching`, the sparse form of
:func:`scipy.optimize.linear_sum_assignment`):

* rows are candidates, columns are open slots; an edge joins a candidate to each slot inside
  their availability, weighted by slot quality (sooner, nearer the middle of the candidate's
  preferred hours) plus the interviewer's load price;
* the daily cap becomes *blocker* rows: a local day of an interviewer with ``n`` slots and a
  cap of ``c`` gets ``n - c`` blockers that may take any slot of that day at no cost. A full
  matching must place every blocker, so at most ``c`` slots of the day remain for
  candidates -- the cap holds exactly, and the solver chooses which slots to give up;
* each candidate also has a private "unplaced" column whose cost exceeds any chain of
  re-assignments, so the matching places the largest possible number of candidates.

Balanced totals come from prices: after each solve, interviewers above the mean load get
dearer and those below cheaper (a few rounds of subgradient steps on the load constraint),
which moves candidates between equally good slots without placing fewer of them. The round
with the most even load is kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, tzinfo
from itertools import pairwise

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from hireflow.scheduling.timeline import Interval, SchedulingError, load_zone, require_aware

__all__ = [
    "BatchCandidate",
    "BatchInterviewer",
    "BatchResult",
    "OpenSlot",
    "Placement",
    "Unplaced",
    "assign_batch",
]

_UNPLACED_REASONS: dict[str, tuple[str, str]] = {
    "no_availability": (
        "The candidate has not given any time they are available.",
        "候选人尚未提供任何可参加面试的时间。",
    ),
    "no_matching_slot": (
        "No open interviewer slot falls inside the candidate's availability.",
        "候选人的可用时间内没有任何面试官的空闲时段。",
    ),
    "capacity_exhausted": (
        "Matching slots exist, but they were all given to other candidates or the "
        "interviewers reached their daily limit.",
        "存在匹配的时段,但已分配给其他候选人,或面试官已达到每日面试上限。",
    ),
}

# A placement costs 1 + slot quality (<= 1) + load price (kept within [0, 1]); leaving a
# candidate unplaced costs more than any chain of re-assignments could save.
_PRICE_STEP = 0.25
_BALANCE_ROUNDS = 4


@dataclass(frozen=True)
class OpenSlot:
    """One bookable slot of one interviewer."""

    interviewer_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class BatchInterviewer:
    """An interviewer in a batch: their zone (for local days), daily cap and existing load."""

    interviewer_id: str
    timezone: str
    max_per_day: int = 4
    booked_per_day: Mapping[date, int] = field(default_factory=dict)
    existing_load: int = 0


@dataclass(frozen=True)
class BatchCandidate:
    """A candidate in a batch with the windows they can attend."""

    candidate_id: str
    timezone: str
    windows: tuple[Interval, ...]
    preferred_start: time = time(9)
    preferred_end: time = time(18)


@dataclass(frozen=True)
class Placement:
    candidate_id: str
    interviewer_id: str
    start: datetime
    end: datetime
    cost: float


@dataclass(frozen=True)
class Unplaced:
    """A candidate who got no slot, with a stable code and a reason in English and Chinese."""

    candidate_id: str
    code: str
    message_en: str
    message_zh: str

    @classmethod
    def of(cls, candidate_id: str, code: str) -> Unplaced:
        en, zh = _UNPLACED_REASONS[code]
        return cls(candidate_id, code, en, zh)


@dataclass(frozen=True)
class BatchResult:
    placements: tuple[Placement, ...]
    unplaced: tuple[Unplaced, ...]
    load: Mapping[str, int]  # new interviews per interviewer in this batch
    rounds: int


def _validate(
    interviewers: Sequence[BatchInterviewer], slots: Sequence[OpenSlot]
) -> dict[str, BatchInterviewer]:
    by_id = {i.interviewer_id: i for i in interviewers}
    for i in interviewers:
        load_zone(i.timezone)
    per: dict[str, list[tuple[datetime, datetime]]] = {}
    for s in slots:
        require_aware(s.start, "slot start")
        require_aware(s.end, "slot end")
        if s.end <= s.start:
            raise SchedulingError("invalid_interval", field="open slot")
        if s.interviewer_id not in by_id:
            raise SchedulingError("unknown_interviewer", interviewer=s.interviewer_id)
        per.setdefault(s.interviewer_id, []).append((s.start, s.end))
    for iid, spans in per.items():
        spans.sort()
        for (_, e1), (s2, _) in pairwise(spans):
            if s2 < e1:
                raise SchedulingError("overlapping_open_slots", interviewer=iid)
    return by_id


def _offset_seconds(ts: int, zone: tzinfo) -> int:
    delta = datetime.fromtimestamp(ts, zone).utcoffset()
    return int(delta.total_seconds()) if delta is not None else 0


def _local_minutes(ts: np.ndarray, zone_name: str) -> np.ndarray:
    """Minutes after local midnight in ``zone_name`` for UTC seconds ``ts``."""
    zone = load_zone(zone_name)
    hours = ts - ts % 3600
    uniq, inverse = np.unique(hours, return_inverse=True)
    offsets = np.fromiter(
        (_offset_seconds(int(h), zone) for h in uniq), dtype=np.int64, count=len(uniq)
    )
    return ((ts + offsets[inverse]) % 86400) / 60.0


def _slot_costs(
    candidates: Sequence[BatchCandidate], starts: np.ndarray, ends: np.ndarray
) -> np.ndarray:
    """Candidate x slot cost: ``inf`` outside the candidate's windows, else soonness (0-0.5)
    plus distance from the middle of the candidate's preferred hours (0-0.5)."""
    n_c, n_s = len(candidates), len(starts)
    cost = np.full((n_c, n_s), np.inf)
    if n_s == 0:
        return cost
    lo, hi = starts.min(), starts.max()
    soon = 0.5 * (starts - lo) / max(1, hi - lo)
    mids: dict[str, np.ndarray] = {}
    for ci, cand in enumerate(candidates):
        if not cand.windows:
            continue
        ok = np.zeros(n_s, dtype=bool)
        for w in cand.windows:
            ws, we = w.as_seconds()
            ok |= (starts >= ws) & (ends <= we)
        if not ok.any():
            continue
        if cand.timezone not in mids:
            mids[cand.timezone] = _local_minutes((starts + ends) // 2, cand.timezone)
        ps = cand.preferred_start.hour * 60 + cand.preferred_start.minute
        pe = cand.preferred_end.hour * 60 + cand.preferred_end.minute
        pe = pe if pe > ps else pe + 1440
        centre, half = (ps + pe) / 2, max(1.0, (pe - ps) / 2)
        dist = np.abs(mids[cand.timezone] - centre)
        dist = np.minimum(dist, 1440 - dist)
        pref = 0.5 * np.minimum(1.0, dist / (2 * half))
        cost[ci, ok] = (soon + pref)[ok]
    return cost


def assign_batch(
    candidates: Sequence[BatchCandidate],
    interviewers: Sequence[BatchInterviewer],
    slots: Sequence[OpenSlot],
) -> BatchResult:
    """Place as many candidates as possible, cheaply and fairly; report the rest and why.

    Optimises, in order: the number of candidates placed (an unplaced candidate costs more
    than any placement), then the balance of load across interviewers and days, then each
    candidate's slot quality (sooner, nearer the middle of their preferred hours).
    """
    by_id = _validate(interviewers, slots)
    for cand in candidates:
        load_zone(cand.timezone)
    n_c = len(candidates)
    if n_c == 0:
        return BatchResult((), (), {i.interviewer_id: 0 for i in interviewers}, 0)

    n_s = len(slots)
    starts = np.array([int(s.start.timestamp()) for s in slots], dtype=np.int64)
    ends = np.array([int(s.end.timestamp()) for s in slots], dtype=np.int64)
    slot_cost = _slot_costs(candidates, starts, ends)

    iv_index = {i.interviewer_id: k for k, i in enumerate(interviewers)}
    slot_iv = np.array([iv_index[s.interviewer_id] for s in slots], dtype=np.int64)

    block_rows, block_cols, n_blockers = _daily_cap_blockers(slots, by_id, n_c)

    cand_rows, cand_cols = np.nonzero(np.isfinite(slot_cost))
    base = slot_cost[cand_rows, cand_cols]
    # Larger than the cost change of any augmenting chain (each step changes a cost by < 3).
    unplaced_cost = 3.0 * (n_c + n_blockers + 1) + 10.0
    max_existing = max((i.existing_load for i in interviewers), default=0) or 1
    price = np.array([0.25 * i.existing_load / max_existing for i in interviewers])

    best: tuple[float, dict[int, int]] | None = None
    rounds = 0
    for rounds in range(1, _BALANCE_ROUNDS + 1):  # noqa: B007 - the count is reported
        weights = np.concatenate(
            [
                1.0 + base + price[slot_iv[cand_cols]],
                np.ones(len(block_rows)),
                np.full(n_c, unplaced_cost),
            ]
        )
        rows = np.concatenate([cand_rows, block_rows, np.arange(n_c)]).astype(np.int64)
        cols = np.concatenate([cand_cols, block_cols, n_s + np.arange(n_c)]).astype(np.int64)
        graph = csr_matrix((weights, (rows, cols)), shape=(n_c + n_blockers, n_s + n_c))
        row_ind, col_ind = min_weight_full_bipartite_matching(graph)
        chosen = {
            int(r): int(c) for r, c in zip(row_ind, col_ind, strict=True) if r < n_c and c < n_s
        }
        load = np.bincount(slot_iv[list(chosen.values())], minlength=len(interviewers))
        spread = float(load.std())
        if best is None or (len(chosen), -spread) > (len(best[1]), -best[0]):
            best = (spread, chosen)
        mean = load.mean()
        if spread < 0.5 or mean == 0:
            break
        price = np.clip(price + _PRICE_STEP * (load - mean) / mean, 0.0, 1.0)

    assert best is not None
    placed = best[1]
    placements = []
    load_out: dict[str, int] = {i.interviewer_id: 0 for i in interviewers}
    for cand_i, si in sorted(placed.items()):
        s = slots[si]
        cid = candidates[cand_i].candidate_id
        placements.append(
            Placement(cid, s.interviewer_id, s.start, s.end, round(float(slot_cost[cand_i, si]), 6))
        )
        load_out[s.interviewer_id] += 1

    unplaced = _unplaced(candidates, placed, slot_cost)
    return BatchResult(tuple(placements), tuple(unplaced), load_out, rounds)


def _daily_cap_blockers(
    slots: Sequence[OpenSlot], by_id: dict[str, BatchInterviewer], first_row: int
) -> tuple[list[int], list[int], int]:
    """Blocker rows that enforce the daily cap: for an (interviewer, local day) with more
    slots than the day has room for, each extra row takes one of them out of play."""
    day_slots: dict[tuple[str, date], list[int]] = {}
    for si, s in enumerate(slots):
        iv = by_id[s.interviewer_id]
        day = s.start.astimezone(load_zone(iv.timezone)).date()
        day_slots.setdefault((iv.interviewer_id, day), []).append(si)
    block_rows: list[int] = []
    block_cols: list[int] = []
    n_blockers = 0
    for (iid, day), members in day_slots.items():
        iv = by_id[iid]
        cap = max(0, iv.max_per_day - iv.booked_per_day.get(day, 0))
        for _ in range(max(0, len(members) - cap)):
            block_rows.extend([first_row + n_blockers] * len(members))
            block_cols.extend(members)
            n_blockers += 1
    return block_rows, block_cols, n_blockers


def _unplaced(
    candidates: Sequence[BatchCandidate], placed: dict[int, int], slot_cost: np.ndarray
) -> list[Unplaced]:
    """Why each candidate left out was left out."""
    unplaced = []
    for ci, cand in enumerate(candidates):
        if ci in placed:
            continue
        if not cand.windows:
            code = "no_availability"
        elif not np.isfinite(slot_cost[ci]).any():
            code = "no_matching_slot"
        else:
            code = "capacity_exhausted"
        unplaced.append(Unplaced.of(cand.candidate_id, code))
    return unplaced
