"""When a candidate's link may write a typed answer: one definition, two forms (SPEC E1, K1).

Each :class:`Condition` names a column of the invitation, the interview or the answer row, a
test, and the refusal the candidate gets when it fails. The full path checks them on the rows
it loaded (:func:`refusal`, e.g. ``sessions.run_clock``); the draft's one UPDATE
(``drafts.py``) has the very same conditions as its WHERE clause (:func:`where`), with its
values bound per save. A condition added here is checked by both, so the two cannot drift;
``tests/interviews/test_drafts.py`` breaks each one in turn and expects both to refuse.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam

from hireflow.interviews import state
from hireflow.interviews.models import InterviewAnswer, InterviewSession
from hireflow.scheduling.models import Invitation

# Invitations whose link opens nothing: withdrawn, or not sent yet.
CLOSED_INVITATION = ("cancelled", "queued")
# Answers that take no more writes.
FINISHED = ("answered", "skipped")
ANSWERING = tuple(sorted(s.value for s in state.ANSWERING))


@dataclass(frozen=True)
class Condition:
    """``column`` passes ``test`` against ``value``: a constant set (``in``/``not_in``) or the
    name of a fact of the write (``==``/``>=``: bound per save in SQL). ``not_null`` has no
    value. ``refusal`` is the error code the candidate gets when it fails."""

    refusal: str
    column: Any
    test: str
    value: str | tuple[str, ...] = ()

    def clause(self, table: Any = None) -> ColumnElement[bool]:
        """In SQL; ``table``: another table object of the same table to name the column in
        (the statement it goes in updates that one)."""
        column = self.column if table is None else table.c[self.column.key]
        if self.test == "in":
            return column.in_(self.value)
        if self.test == "not_in":
            return column.not_in(self.value)
        if self.test == "not_null":
            return column.is_not(None)
        param: Any = bindparam(f"b_{self.value}")
        return column == param if self.test == "==" else column >= param

    def holds(self, row: Any, facts: Mapping[str, Any]) -> bool:
        found = getattr(row, self.column.key)
        if self.test == "in":
            return found in self.value
        if self.test == "not_in":
            return found not in self.value
        if self.test == "not_null":
            return found is not None
        wanted = facts[str(self.value)]
        # ``>=`` on a time not set yet holds: a question's clock starts with its first write
        return found == wanted if self.test == "==" else (found is None or found >= wanted)


LINK: Sequence[Condition] = (
    Condition("link_expired", Invitation.status, "not_in", CLOSED_INVITATION),
    Condition("identity_required", Invitation.verified_at, "not_null"),
    # the access value was given for this identity check (an HR reset starts a new one)
    Condition("identity_required", Invitation.identity_generation, "==", "generation"),
)
INTERVIEW: Sequence[Condition] = (
    Condition("interview_closed", InterviewSession.status, "in", ANSWERING),
    Condition("deadline_passed", InterviewSession.deadline, ">=", "now"),
)
NOT_FINISHED = Condition("question_done", InterviewAnswer.status, "not_in", FINISHED)
# the question's time plus the grace for a slow network (``state.question_window``)
TIME_LEFT = Condition("time_up", InterviewAnswer.started_at, ">=", "earliest_start")
ANSWER: Sequence[Condition] = (NOT_FINISHED, TIME_LEFT)
CONDITIONS: Sequence[Condition] = (*LINK, *INTERVIEW, *ANSWER)


def earliest_start(limit_s: int, now: datetime) -> datetime:
    """The earliest start of a question's clock that still takes a write now."""
    return now - timedelta(seconds=max(1, int(limit_s))) - state.ANSWER_GRACE


def where(conditions: Iterable[Condition], table: Any = None) -> ColumnElement[bool]:
    """The conditions as SQL, their facts as bound parameters ``b_<fact>``."""
    return and_(*(condition.clause(table) for condition in conditions))


def refusal(conditions: Iterable[Condition], row: Any, facts: Mapping[str, Any]) -> str | None:
    """The first failing condition's refusal on a loaded row, or None."""
    for condition in conditions:
        if not condition.holds(row, facts):
            return condition.refusal
    return None
