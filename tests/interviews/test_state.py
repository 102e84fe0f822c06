"""The interview's pure rules (hireflow.interviews.state): no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hireflow.interviews import state
from hireflow.interviews.state import Event, InvalidTransition, State

T0 = datetime(2030, 1, 7, 9, 0, tzinfo=UTC)


def test_the_happy_path() -> None:
    current = State.INVITED
    for event, expected in (
        (Event.VERIFY, State.VERIFIED),
        (Event.START, State.IN_PROGRESS),
        (Event.SUBMIT, State.SUBMITTED),
        (Event.SCORE, State.SCORED),
        (Event.REVIEW, State.REVIEWED),
        (Event.REVIEW, State.REVIEWED),
    ):
        current = state.transition(current, event)
        assert current is expected


@pytest.mark.parametrize(
    ("current", "event"),
    [
        ("invited", "start"),
        ("invited", "submit"),
        ("verified", "submit"),
        ("in_progress", "score"),
        ("in_progress", "start"),
        ("submitted", "submit"),
        ("submitted", "review"),
        ("scored", "score"),
        ("scored", "submit"),
        ("reviewed", "score"),
        ("nonsense", "start"),
        ("verified", "explode"),
    ],
)
def test_everything_else_is_refused(current: str, event: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        state.transition(current, event)
    assert caught.value.state == current and caught.value.event == event


def test_every_state_is_reachable_and_only_forward() -> None:
    order = list(State)
    for (before, _event), after in state.TRANSITIONS.items():
        assert order.index(after) >= order.index(before)
    reached = {State.INVITED} | set(state.TRANSITIONS.values())
    assert reached == set(State)


def test_answers_are_refused_outside_the_interview() -> None:
    deadline = T0 + timedelta(days=1)
    assert state.answer_refusal("invited", deadline, T0) == "not_started"
    assert state.answer_refusal("verified", deadline, T0) == "not_started"
    assert state.answer_refusal("in_progress", deadline, T0) is None
    for closed in ("submitted", "scored", "reviewed"):
        assert state.answer_refusal(closed, deadline, T0) == "closed"


def test_the_deadline_and_the_grace_for_uploads_in_flight() -> None:
    deadline = T0
    late = T0 + timedelta(minutes=5)
    assert state.answer_refusal("in_progress", deadline, late) == "deadline_passed"
    # a recording whose upload began in time may finish...
    began = T0 - timedelta(minutes=1)
    assert state.answer_refusal("in_progress", deadline, late, upload_started=began) is None
    # ...but not forever, and not one begun after the deadline
    very_late = T0 + state.UPLOAD_GRACE + timedelta(seconds=1)
    assert (
        state.answer_refusal("in_progress", deadline, very_late, upload_started=began)
        == "deadline_passed"
    )
    assert (
        state.answer_refusal("in_progress", deadline, late, upload_started=late)
        == "deadline_passed"
    )


def test_question_clock() -> None:
    window = state.question_window(120, None, T0)
    assert (window.remaining_s, window.accepting) == (120.0, True)
    window = state.question_window(120, T0, T0 + timedelta(seconds=30))
    assert (window.elapsed_s, window.remaining_s, window.accepting) == (30.0, 90.0, True)
    window = state.question_window(120, T0, T0 + timedelta(seconds=200))
    assert (window.remaining_s, window.accepting) == (0.0, True)  # in the grace period
    window = state.question_window(120, T0, T0 + timedelta(seconds=120) + state.ANSWER_GRACE * 2)
    assert window.accepting is False


def test_opening_a_question_starts_continues_restarts_or_skips() -> None:
    limit = 60
    assert state.on_open_question("open", None, limit, 0, T0).action == "start"
    assert state.on_open_question("open", T0, limit, 0, T0 + timedelta(seconds=10)).action == (
        "continue"
    )
    gone = T0 + timedelta(hours=1)
    decision = state.on_open_question("open", T0, limit, 0, gone)
    assert decision.action == "restart" and decision.started_at == gone
    assert state.on_open_question("open", T0, limit, state.MAX_RESTARTS, gone).action == "skip"
    # typed text saved before the time ran out is kept as the answer
    assert state.on_open_question("draft", T0, limit, 0, gone).action == "done"
    assert state.on_open_question("answered", T0, limit, 0, gone).action == "done"
    assert state.on_open_question("skipped", T0, limit, 0, gone).action == "done"


def test_rerecords() -> None:
    assert state.can_rerecord(0, 1) and state.can_rerecord(1, 1)
    assert not state.can_rerecord(2, 1)
    assert state.can_rerecord(0, 0) and not state.can_rerecord(1, 0)
    assert not state.can_rerecord(1, -3)  # a negative policy means no re-records, not an error


def test_next_question_skips_answered_and_skipped() -> None:
    ids = ["a", "b", "c"]
    assert state.next_question(ids, {}) == "a"
    assert state.next_question(ids, {"a": "answered", "b": "draft"}) == "b"
    assert state.next_question(ids, {"a": "answered", "b": "skipped"}) == "c"
    assert state.next_question(ids, dict.fromkeys(ids, "answered")) is None


def test_two_tabs_newest_wins() -> None:
    seen = T0
    # the first tab takes the interview
    first = state.tab_decision("", None, "A", T0, claim=True)
    assert first.allowed and not first.took_over
    # the same tab keeps writing
    assert state.tab_decision("A", seen, "A", T0, claim=False).allowed
    # another tab writing without claiming is refused while the first is alive
    other = state.tab_decision("A", seen, "B", T0 + timedelta(seconds=5), claim=False)
    assert not other.allowed
    # a new tab that loads the page claims it and the first is superseded
    claimed = state.tab_decision("A", seen, "B", T0 + timedelta(seconds=5), claim=True)
    assert claimed.allowed and claimed.took_over and claimed.superseded == "A"
    # a tab silent for long (closed, offline) can be taken over by a write
    stale = state.tab_decision("A", seen, "B", T0 + state.TAB_STALE_AFTER * 2, claim=False)
    assert stale.allowed and stale.superseded == "A"
    # no tab id, no write
    assert not state.tab_decision("A", seen, "", T0, claim=True).allowed
