"""The recovery sweep (``interviews.recover``, every minute) re-queues scoring whose message is
really lost, once per stall, and leaves interviews that only wait their turn in a long queue.

Messages are recorded, not sent (the ``queue`` fixture); the moments interviews were submitted
are set explicitly so the sweeps can run "a minute later" without waiting.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update

from hireflow.core.db import utcnow
from hireflow.interviews import candidate, pipeline
from hireflow.interviews.models import InterviewSession
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    TAB,
    Queue,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)

SCORE = "interviews.score_interview"


def _submitted(session, org, at: datetime) -> int:
    """A text interview submitted at ``at`` (its message sent then)."""
    interview = started(session, make_setup(session, org))
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    session.execute(
        update(InterviewSession)
        .where(InterviewSession.id == interview.id)
        .values(submitted_at=at, updated_at=at)
    )
    session.commit()
    return interview.id


def _sweep(db, queue: Queue, now: datetime) -> list[int]:
    """Run the sweep at ``now``; the interviews it queued again."""
    before = len(queue.sent)
    counts = pipeline.recover(db, now)
    requeued = [args[0] for name, args in queue.sent[before:] if name == SCORE]
    assert counts["requeued"] == len(requeued)
    return requeued


def _run_started(session, interview_id: int, now: datetime) -> None:
    """A worker took the interview's message and holds the lease (as ``_take_lease`` does)."""
    session.execute(
        update(InterviewSession)
        .where(InterviewSession.id == interview_id)
        .values(
            scoring_lease_until=now + pipeline.SCORING_LEASE,
            scoring_attempts=InterviewSession.scoring_attempts + 1,
        )
    )
    session.commit()


def test_a_backlog_waiting_its_turn_is_not_queued_again(session, db, org, queue, storage):
    t0 = utcnow() - timedelta(minutes=5)
    # the worker is on the first interview; three more wait behind it, their messages queued
    running = _submitted(session, org, t0)
    backlog = [_submitted(session, org, t0 + timedelta(seconds=10 * (n + 1))) for n in range(3)]
    _run_started(session, running, t0 + timedelta(minutes=4))
    # two sweeps a minute apart, each long after the submissions: nothing was lost
    assert _sweep(db, queue, t0 + timedelta(minutes=4)) == []
    assert _sweep(db, queue, t0 + timedelta(minutes=5)) == []
    # and each interview was queued exactly once (at submission)
    assert sorted(queue.args_of(SCORE)) == sorted((i,) for i in [running, *backlog])


def test_a_lost_message_is_queued_again_once(session, db, org, queue, storage):
    t0 = utcnow() - timedelta(minutes=10)
    lost = _submitted(session, org, t0)  # its message never reaches a worker
    later = _submitted(session, org, t0 + timedelta(minutes=1))
    waiting = _submitted(session, org, t0 + timedelta(minutes=2))
    # the queue moved past the lost one: the interview submitted after it was scored
    assert pipeline.score(db, later, t0 + timedelta(minutes=2)) == "scored"
    assert _sweep(db, queue, t0 + timedelta(minutes=3)) == [lost]
    # the next sweeps find it queued (again) and leave it; the one behind stays untouched
    assert _sweep(db, queue, t0 + timedelta(minutes=4)) == []
    assert _sweep(db, queue, t0 + timedelta(minutes=5)) == []
    assert queue.args_of(SCORE).count((lost,)) == 2  # submission + one requeue
    assert queue.args_of(SCORE).count((waiting,)) == 1
    # the requeued message runs: one report
    assert pipeline.score(db, lost) == "scored"
    assert _sweep(db, queue, utcnow() + timedelta(minutes=30)) == []


def test_a_dead_run_is_queued_again_once(session, db, org, queue, storage):
    now = utcnow()
    interview = _submitted(session, org, now - timedelta(minutes=20))
    # the worker took it and died: its lease ran out
    _run_started(session, interview, now - timedelta(minutes=10))
    assert _sweep(db, queue, now) == [interview]
    assert _sweep(db, queue, now + timedelta(minutes=1)) == []
    assert _sweep(db, queue, now + timedelta(minutes=2)) == []


def test_a_queue_lost_as_a_whole_is_requeued_after_a_quiet_spell_once(
    session, db, org, queue, storage
):
    """Nothing scored since they were queued (e.g. the broker restarted empty): the lost
    interviews are queued again after ``RECOVER_IDLE_AFTER``, once."""
    t0 = utcnow() - timedelta(minutes=30)
    ids = [_submitted(session, org, t0 + timedelta(seconds=n)) for n in range(3)]
    assert _sweep(db, queue, t0 + timedelta(minutes=2)) == []  # maybe just a slow queue
    quiet = t0 + pipeline.RECOVER_IDLE_AFTER + timedelta(minutes=1)
    assert sorted(_sweep(db, queue, quiet)) == sorted(ids)
    assert _sweep(db, queue, quiet + timedelta(minutes=1)) == []
    assert _sweep(db, queue, quiet + timedelta(minutes=2)) == []


def test_a_live_run_is_never_queued_twice(session, db, org, queue, storage):
    now = utcnow()
    interview = _submitted(session, org, now - timedelta(minutes=30))
    _run_started(session, interview, now)
    assert _sweep(db, queue, now + timedelta(minutes=1)) == []
    assert pipeline.score(db, interview) == "busy"
