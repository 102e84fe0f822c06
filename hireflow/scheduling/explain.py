"""Why no interview slot could be offered, and what would give some (pure: no database).

An empty slot list helps nobody. When :func:`~hireflow.scheduling.slots.find_slots` finds
nothing, :func:`explain_no_slots` searches again under relaxed conditions, one at a time, and
reports what stood in the way and which change would work, with how many times it would give:

- the interviewers' working hours never meet the candidate's hours (their stated windows, or
  08:00-21:00 in their zone when they stated none: the waking-hours rule), or they do but
  every common time is taken (busy blocks, booked interviews, holidays, daily caps);
- suggestions: widen the candidate's hours (06:00-23:00), drop one member of a panel, let any
  one interviewer take it instead of all together, or look a week further ahead.

Each variant is one more ``find_slots`` call (tens of milliseconds), made only when the normal
search came back empty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from hireflow.scheduling.slots import (
    CandidateAvailability,
    InterviewerCalendar,
    SlotRequest,
    find_slots,
)

WIDER_HOURS = (time(6), time(23))
ANOTHER_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Finding:
    """A reason or a suggestion: a stable code and the values its sentence needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NoSlots:
    reasons: tuple[Finding, ...]
    suggestions: tuple[Finding, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "reasons": [{"code": f.code, **f.params} for f in self.reasons],
            "suggestions": [{"code": f.code, **f.params} for f in self.suggestions],
        }


def _count(
    candidate: CandidateAvailability,
    calendars: Sequence[InterviewerCalendar],
    request: SlotRequest,
    now: datetime,
) -> int:
    if not calendars:
        return 0
    return len(find_slots(candidate, calendars, replace(request, limit=50), now))


def explain_no_slots(
    candidate: CandidateAvailability,
    calendars: Sequence[InterviewerCalendar],
    request: SlotRequest,
    now: datetime,
    *,
    names: dict[str, str] | None = None,
    hours: tuple[time, time] | None = None,
    with_hours: Callable[[time, time], CandidateAvailability] | None = None,
) -> NoSlots:
    """What kept ``find_slots`` empty for these inputs, and what would work.

    ``hours`` are the candidate's assumed hours (None when they stated their own windows);
    ``with_hours`` rebuilds the candidate with other hours (for the widened search); ``names``
    maps interviewer ids to the names HR knows them by.
    """
    names = names or {}
    days = int(request.horizon / timedelta(days=1))
    if not calendars:
        return NoSlots((Finding("no_interviewers"),), ())
    reasons: list[Finding] = []
    free = [replace(c, busy=(), interviews=(), holidays=frozenset()) for c in calendars]
    base = {"days": days, "zone": candidate.timezone}
    if hours is not None:
        base.update(start=hours[0].strftime("%H:%M"), end=hours[1].strftime("%H:%M"))
    if _count(candidate, free, request, now) == 0:
        reasons.append(
            Finding(
                "hours_do_not_overlap",
                {
                    **base,
                    "names": [names.get(c.interviewer_id, c.interviewer_id) for c in calendars],
                    "zones": sorted({c.timezone for c in calendars}),
                    "minutes": int(request.duration / timedelta(minutes=1)),
                    "stated": hours is None,
                },
            )
        )
    else:
        reasons.append(Finding("fully_booked", base))

    suggestions: list[Finding] = []
    if with_hours is not None and hours is not None and hours != WIDER_HOURS:
        slots = _count(with_hours(*WIDER_HOURS), calendars, request, now)
        if slots:
            suggestions.append(
                Finding(
                    "widen_hours",
                    {
                        "start": WIDER_HOURS[0].strftime("%H:%M"),
                        "end": WIDER_HOURS[1].strftime("%H:%M"),
                        "zone": candidate.timezone,
                        "slots": slots,
                    },
                )
            )
    if request.panel and len(calendars) > 1:
        suggestions += _smaller_panels(candidate, calendars, request, now, names)
    later = replace(request, horizon=request.horizon + ANOTHER_WEEK)
    slots = _count(candidate, calendars, later, now)
    if slots:
        suggestions.append(
            Finding("another_week", {"days": days + 7, "current": days, "slots": slots})
        )
    return NoSlots(tuple(reasons), tuple(suggestions))


def _smaller_panels(
    candidate: CandidateAvailability,
    calendars: Sequence[InterviewerCalendar],
    request: SlotRequest,
    now: datetime,
    names: dict[str, str],
) -> list[Finding]:
    """Slots a panel would have without one of its interviewers, or with any one of them."""
    suggestions: list[Finding] = []
    for left_out in calendars:
        others = [c for c in calendars if c is not left_out]
        slots = _count(candidate, others, request, now)
        if slots:
            suggestions.append(
                Finding(
                    "drop_interviewer",
                    {
                        "name": names.get(left_out.interviewer_id, left_out.interviewer_id),
                        "interviewer_id": left_out.interviewer_id,
                        "slots": slots,
                    },
                )
            )
    slots = _count(candidate, calendars, replace(request, panel=False), now)
    if slots:
        suggestions.append(Finding("any_interviewer", {"slots": slots}))
    return suggestions
