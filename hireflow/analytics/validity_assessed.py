"""Predictive validity's *assessed* side (everyone with a report in scope) as sums: per
dimension how many, the sum and the sum of squares of the scores in effect, in whole
1/10,000ths, so the SD among everyone assessed (the restriction of range) is exact from sums
added in any order, read from the worker's rollups or from the source rows alike.

Each person and opening counts with their newest hiring report of the period whose scores
in effect are not empty. The rollup places each such report on the day it was written, with
the day of the same person's next one for the opening (``c``; "" when none): for a period
ending before that day the report is the newest of the period (reports of one person and
opening are written one after the other, so a later id has a later or the same day).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.interviews.models import InterviewReport, InterviewSession
from hireflow.interviews.queries import for_hiring

SCALE = 10_000
EVERY = ""  # the pseudo-dimension counting reports
CHUNK = 5_000


@dataclass
class Sums:
    # dimension ("" every report) -> [n, sum of units, sum of squared units]
    by: defaultdict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))

    def add(self, scores: dict[str, float]) -> None:
        self.by[EVERY][0] += 1
        for dimension, value in scores.items():
            units = round(value * SCALE)
            row = self.by[dimension]
            row[0], row[1], row[2] = row[0] + 1, row[1] + units, row[2] + units * units

    @property
    def people(self) -> int:
        return self.by[EVERY][0] if EVERY in self.by else 0

    def sd(self, dimension: str) -> float | None:
        """The sample SD (n - 1) of the dimension's scores, None under two."""
        n, s, ss = self.by.get(dimension, (0, 0, 0))
        if n < 2:
            return None
        return math.sqrt((n * ss - s * s) / (n * (n - 1)) / SCALE**2)


def effective(scores: object, final: object) -> dict[str, float]:
    """The scores in effect (HR's adjustments replace the AI's), numbers only."""
    merged = {**(scores if isinstance(scores, dict) else {})}
    merged.update(final if isinstance(final, dict) else {})
    return {
        str(k): float(v)
        for k, v in merged.items()
        if isinstance(v, int | float) and not isinstance(v, bool)
    }


_REPORT = (
    InterviewSession.candidate_id,
    InterviewReport.created_at,
    InterviewReport.scores,
    InterviewReport.final_scores,
)


def day_rows(
    session: Session, opening_id: int, days: set[date] | None
) -> dict[date, list[dict[str, Any]]]:
    """The rollup rows (kind ``v``) of the opening's hiring reports written on ``days``
    (None: all), per day."""
    base = (
        select(*_REPORT)
        .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
        .where(InterviewSession.opening_id == opening_id, for_hiring())
    )
    if days is None:
        chains = _chains(session.execute(base.order_by(InterviewReport.id)))
    else:
        span = base.where(
            InterviewReport.created_at >= datetime.combine(min(days), time.min, UTC),
            InterviewReport.created_at
            < datetime.combine(max(days) + timedelta(days=1), time.min, UTC),
        )
        people = sorted({r[0] for r in session.execute(span) if r[1].date() in days})
        rows: list[Any] = []
        for start in range(0, len(people), CHUNK):
            chunk = people[start : start + CHUNK]
            rows.extend(
                session.execute(
                    base.where(InterviewSession.candidate_id.in_(chunk)).order_by(
                        InterviewReport.id
                    )
                )
            )
        chains = _chains(rows)
    found: dict[tuple[date, str], Sums] = defaultdict(Sums)
    for chain in chains.values():
        for position, (day, scores) in enumerate(chain):
            if days is None or day in days:
                after = chain[position + 1][0].isoformat() if position + 1 < len(chain) else ""
                found[(day, after)].add(scores)
    out: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for (day, after), sums in found.items():
        out[day].extend(
            {
                "kind": "v",
                "competency": d,
                "month": "",
                "a": 0,
                "b": 0,
                "c": after,
                "n": n,
                "s": s,
                "h": ss,
            }
            for d, (n, s, ss) in sums.by.items()
        )
    return out


def _chains(rows: Iterable[Any]) -> dict[int, list[tuple[date, dict[str, float]]]]:
    """Per person, their reports with scores in effect, oldest first (``rows`` by id)."""
    chains: dict[int, list[tuple[date, dict[str, float]]]] = defaultdict(list)
    for row in rows:
        scores = effective(row[2], row[3])
        if scores:
            chains[row[0]].append((row[1].date(), scores))
    return chains


def group_days(session: Session, groups: set[tuple[int, int]]) -> dict[int, set[date]]:
    """The days (per opening) of every hiring report of these (person, opening) pairs."""
    found: dict[int, set[date]] = defaultdict(set)
    people = sorted({g[0] for g in groups})
    for start in range(0, len(people), CHUNK):
        for person, opening_id, created in session.execute(
            select(
                InterviewSession.candidate_id,
                InterviewSession.opening_id,
                InterviewReport.created_at,
            )
            .join(InterviewReport, InterviewReport.interview_id == InterviewSession.id)
            .where(InterviewSession.candidate_id.in_(people[start : start + CHUNK]), for_hiring())
        ):
            if (person, opening_id) in groups:
                found[opening_id].add(created.date())
    return found


def sums_of(rows: Iterable[Any], end: date | None) -> Sums:
    """The assessed sums of summed rollup rows (kind, competency, month, a, b, c, n, s, h):
    the reports with no later one of the same person and opening up to ``end``."""
    sums = Sums()
    last = end.isoformat() if end is not None else None
    for _kind, dimension, _month, _a, _b, after, n, s, ss in rows:
        if after == "" or (last is not None and after > last):
            row = sums.by[dimension]
            row[0], row[1], row[2] = row[0] + int(n), row[1] + int(s), row[2] + int(ss)
    return sums
