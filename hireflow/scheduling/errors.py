"""Errors the scheduling services raise (a core error becomes a 422)."""

from __future__ import annotations

from collections.abc import Iterable

from hireflow.core.errors import N_, Conflict, ValidationFailed
from hireflow.core.timezones import TimeError
from hireflow.scheduling.slots import Slot

TOO_LATE = N_("It is too close to the interview to change it online. Please contact the recruiter.")


class SlotUnavailable(Conflict):
    """The requested time cannot be booked; ``alternatives`` are the next best slots."""

    code = "slot_unavailable"
    message = N_("This time cannot be booked.")

    def __init__(
        self,
        message: str | None = None,
        *,
        alternatives: Iterable[Slot] = (),
        reasons: Iterable[str] = (),
    ) -> None:
        super().__init__(message)
        self.alternatives = list(alternatives)
        self.reasons = list(reasons)


def scheduling_error(exc: TimeError) -> ValidationFailed:
    """A core error as a 422 (the core's own bilingual text goes in the parameters)."""
    return ValidationFailed(
        N_("Invalid scheduling input: %(reason)s"),
        code=exc.code,
        params={"reason": exc.message_en},
        fields={exc.code: exc.message_zh},
    )
