"""The interview's rules as pure functions: states, transitions, clocks, re-records, tabs.

No database, no clock (``now`` is always an argument), no I/O: the service layer loads rows,
asks these functions, stores the outcome and writes the audit row (DESIGN rule 3).

States and the events that move between them::

    invited --verify--> verified --start--> in_progress --submit--> submitted
        --score--> scored --review--> reviewed (--review--> reviewed: a new conclusion)

Anything else is an :class:`InvalidTransition`. Every accepted transition is audited by the
service (``interview.<event>``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

__all__ = [
    "ANSWER_GRACE",
    "TAB_STALE_AFTER",
    "UPLOAD_GRACE",
    "Event",
    "InvalidTransition",
    "QuestionWindow",
    "RefusedAnswer",
    "State",
    "TabDecision",
    "answer_refusal",
    "can_rerecord",
    "next_question",
    "on_open_question",
    "question_window",
    "tab_decision",
    "transition",
]

# Seconds after a question's time limit during which a typed answer is still accepted: the
# page saves when the timer ends, and a slow network must not cost the candidate the answer.
ANSWER_GRACE = timedelta(seconds=120)
# Chunks of a recording started in time may keep arriving this long after the deadline (a
# long upload over a bad network must not void the answer).
UPLOAD_GRACE = timedelta(minutes=30)
# A tab silent for this long has been closed or lost its network: another may take over
# without the candidate being told twice.
TAB_STALE_AFTER = timedelta(seconds=45)
# How often a question whose time ran out while the candidate was away may start again.
MAX_RESTARTS = 2


class State(StrEnum):
    INVITED = "invited"
    VERIFIED = "verified"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    SCORED = "scored"
    REVIEWED = "reviewed"


class Event(StrEnum):
    VERIFY = "verify"
    START = "start"
    SUBMIT = "submit"
    SCORE = "score"
    REVIEW = "review"


TRANSITIONS: Mapping[tuple[State, Event], State] = {
    (State.INVITED, Event.VERIFY): State.VERIFIED,
    (State.VERIFIED, Event.START): State.IN_PROGRESS,
    (State.IN_PROGRESS, Event.SUBMIT): State.SUBMITTED,
    (State.SUBMITTED, Event.SCORE): State.SCORED,
    (State.SCORED, Event.REVIEW): State.REVIEWED,
    (State.REVIEWED, Event.REVIEW): State.REVIEWED,
}

# States in which the candidate may still change answers.
ANSWERING = frozenset({State.IN_PROGRESS})
# States in which a report exists.
REPORTED = frozenset({State.SCORED, State.REVIEWED})


class InvalidTransition(ValueError):
    """An event that the current state does not allow."""

    def __init__(self, state: str, event: str) -> None:
        self.state = state
        self.event = event
        super().__init__(f"cannot {event} an interview that is {state}")


def transition(state: str | State, event: str | Event) -> State:
    """The state after ``event``; :class:`InvalidTransition` if it is not allowed."""
    try:
        current, happened = State(state), Event(event)
    except ValueError as exc:
        raise InvalidTransition(str(state), str(event)) from exc
    try:
        return TRANSITIONS[(current, happened)]
    except KeyError:
        raise InvalidTransition(current.value, happened.value) from None


# --------------------------------------------------------------------------- answering


class RefusedAnswer(ValueError):
    """Why an answer cannot be taken now; ``code`` is stable for pages and API clients."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


def answer_refusal(
    state: str | State,
    deadline: datetime,
    now: datetime,
    *,
    upload_started: datetime | None = None,
) -> str | None:
    """``None`` if an answer may be saved now, else the reason code.

    ``not_started`` (no consent yet), ``closed`` (submitted or later), ``deadline_passed``.
    A recording whose upload began before the deadline may finish within ``UPLOAD_GRACE``.
    """
    current = State(state)
    if current in (State.INVITED, State.VERIFIED):
        return "not_started"
    if current not in ANSWERING:
        return "closed"
    if now > deadline:
        in_grace = now <= deadline + UPLOAD_GRACE
        if upload_started is not None and upload_started <= deadline and in_grace:
            return None
        return "deadline_passed"
    return None


@dataclass(frozen=True)
class QuestionWindow:
    """Where a question's clock stands: seconds left and whether answers are still taken."""

    limit_s: int
    elapsed_s: float
    remaining_s: float
    accepting: bool  # within the limit plus the grace period


def question_window(
    limit_s: int, started_at: datetime | None, now: datetime, grace: timedelta = ANSWER_GRACE
) -> QuestionWindow:
    """The clock of a question that was shown at ``started_at`` (not yet shown: full time)."""
    limit = max(1, int(limit_s))
    if started_at is None:
        return QuestionWindow(limit, 0.0, float(limit), True)
    elapsed = max(0.0, (now - started_at).total_seconds())
    remaining = max(0.0, limit - elapsed)
    accepting = elapsed <= limit + grace.total_seconds()
    return QuestionWindow(limit, round(elapsed, 1), round(remaining, 1), accepting)


@dataclass(frozen=True)
class OpenDecision:
    """What opening a question does: start its clock, restart it, or skip it."""

    action: str  # "start" | "continue" | "restart" | "skip" | "done"
    started_at: datetime | None


def on_open_question(
    status: str,
    started_at: datetime | None,
    limit_s: int,
    restarts: int,
    now: datetime,
    max_restarts: int = MAX_RESTARTS,
) -> OpenDecision:
    """Opening (or re-opening after a reconnect) a question.

    A question never shown starts now. One whose clock still runs continues. One whose time
    ran out with nothing saved while the candidate was away (closed tab, lost network) starts
    again, at most ``max_restarts`` times (HR sees each restart); after that it is skipped.
    An answered or skipped question is done.
    """
    if status in ("answered", "skipped"):
        return OpenDecision("done", started_at)
    if started_at is None:
        return OpenDecision("start", now)
    window = question_window(limit_s, started_at, now)
    if window.accepting:
        return OpenDecision("continue", started_at)
    if status == "draft":
        # Typed text was saved before the time ran out: keep it as the answer.
        return OpenDecision("done", started_at)
    if restarts < max_restarts:
        return OpenDecision("restart", now)
    return OpenDecision("skip", started_at)


def can_rerecord(attempts: int, max_rerecords: int) -> bool:
    """Whether another recording may replace the current one (the first is not a re-record)."""
    return attempts < 1 + max(0, max_rerecords)


def next_question(question_ids: Sequence[str], statuses: Mapping[str, str]) -> str | None:
    """The first question, in order, that is neither answered nor skipped."""
    for qid in question_ids:
        if statuses.get(qid) not in ("answered", "skipped"):
            return qid
    return None


# --------------------------------------------------------------------------- tabs


@dataclass(frozen=True)
class TabDecision:
    """Whether a request from ``tab`` may write, and whether it took over from another."""

    allowed: bool
    took_over: bool
    superseded: str  # the tab that lost (empty if none)


def tab_decision(
    active_tab: str,
    tab_seen_at: datetime | None,
    tab: str,
    now: datetime,
    *,
    claim: bool,
    stale_after: timedelta = TAB_STALE_AFTER,
) -> TabDecision:
    """Two tabs of one interview: the newest tab wins.

    A tab *claims* when its page loads (or the candidate presses "continue here"); a claim
    always succeeds and supersedes the previous tab. A write that does not claim is allowed
    only from the active tab, or when the active tab went silent (closed, offline) for
    ``stale_after``. A superseded tab is told so and writes nothing, so no answer is ever
    overwritten by a tab the candidate forgot about.
    """
    if not tab:
        return TabDecision(False, False, "")
    if tab == active_tab:
        return TabDecision(True, False, "")
    if claim or not active_tab:
        return TabDecision(True, bool(active_tab), active_tab)
    stale = tab_seen_at is None or now - tab_seen_at > stale_after
    if stale:
        return TabDecision(True, True, active_tab)
    return TabDecision(False, False, "")
