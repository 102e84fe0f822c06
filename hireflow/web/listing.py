"""What list pages share: the page asked for, the rows it skips and the pages a total makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
