"""What list pages share: the page asked for, the rows it skips and the pages a total makes;
the ``since``/``until`` days a list is filtered by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from hireflow.web.forms import day_bound


@dataclass(frozen=True)
class Paging:
    """Page ``number`` (1 for anything lower) of a list shown ``size`` rows at a time."""

    number: int
    size: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "number", max(self.number, 1))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def pages(self, total: int) -> int:
        return max((total + self.size - 1) // self.size, 1)

    def context(self, total: int) -> dict[str, Any]:
        """What the page's template and its pager read: ``total``, ``page`` and ``pages``."""
        return {"total": total, "page": self.number, "pages": self.pages(total)}


@dataclass(frozen=True)
class DayRange:
    """A list's ``since`` and ``until`` query filters: days typed in the viewer's zone (YYYY-MM-DD),
    as typed (the filter form shows them again) and as the instants they bound, ``until``
    inclusive (None when empty or not a date)."""

    since: str
    until: str
    start: datetime | None
    end: datetime | None

    @property
    def not_understood(self) -> bool:
        """A day was typed that is not a date."""
        return bool(self.since and self.start is None) or bool(self.until and self.end is None)


def day_range(request: Request, since: str = "", until: str = "") -> DayRange:
    zone = request.state.timezone
    return DayRange(
        since, until, day_bound(since, zone, end=False), day_bound(until, zone, end=True)
    )


Days = Annotated[DayRange, Depends(day_range)]
