"""Two candidates click the same slot at the same instant: the database lets exactly one win.

Real concurrency: each thread has its own connection and commits for real (both backends; on
PostgreSQL the second insert waits for the first transaction, then hits the unique claim).
"""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from hireflow.core.db import Database
from hireflow.org.auth import principal_for
from hireflow.scheduling import schemas
from hireflow.scheduling.bookings import book
from hireflow.scheduling.errors import SlotUnavailable
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Booking, Invitation, SlotClaim
from hireflow.scheduling.sending import process_batch
from hireflow.scheduling.slot_search import offered_slots
from tests.conftest import make_org
from tests.scheduling.factories import make_hiring, queue_invitations


def _ready(database: Database, settings, candidates: int):
    with database.session() as session:
        org = make_org(session)
        hiring = make_hiring(session, org, candidates=candidates)
        batch_id = queue_invitations(session, hiring, settings).id
    process_batch(database, batch_id, settings)
    with database.session() as session:
        ids = list(
            session.scalars(
                select(Invitation.id).where(Invitation.batch_id == batch_id).order_by(Invitation.id)
            )
        )
        first = session.get(Invitation, ids[0])
        start = offered_slots(session, first)[0].start
    return ids, start


def _race(database: Database, settings, ids: list[int], start) -> list[str]:
    barrier = threading.Barrier(len(ids))
    outcomes: list[str] = []
    lock = threading.Lock()

    def click(invitation_id: int) -> None:
        with database.session() as session:
            invitation = session.get(Invitation, invitation_id)
            barrier.wait()
            try:
                book(session, invitation, start, settings, actor=None)
                result = "booked"
            except SlotUnavailable as exc:
                result = "taken" if exc.alternatives else "taken-without-alternatives"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=click, args=(i,)) for i in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return outcomes


def test_two_concurrent_bookings_of_the_same_slot(engine, settings, queue):
    database = Database(engine)
    ids, start = _ready(database, settings, candidates=2)
    outcomes = _race(database, settings, ids, start)
    assert sorted(outcomes) == ["booked", "taken"]
    with database.session() as session:
        active = session.scalar(
            select(func.count())
            .select_from(Booking)
            .where(Booking.invitation_id.in_(ids), Booking.status == "active")
        )
        assert active == 1
        winner = session.scalars(
            select(Booking).where(Booking.invitation_id.in_(ids), Booking.status == "active")
        ).one()
        owners = set(
            session.scalars(select(SlotClaim.owner_key).where(SlotClaim.booking_id == winner.id))
        )
        assert len(owners) == 2  # the interviewer and the winning candidate


def test_five_concurrent_bookings_one_winner(engine, settings, queue):
    database = Database(engine)
    ids, start = _ready(database, settings, candidates=5)
    outcomes = _race(database, settings, ids, start)
    assert outcomes.count("booked") == 1 and outcomes.count("taken") == 4


def test_panels_listed_in_opposite_orders_do_not_deadlock(engine, settings, queue):
    """Two panel interviews with the same two interviewers, named in opposite orders."""
    from tests.scheduling.factories import extra_interviewer, make_candidate

    database = Database(engine)
    with database.session() as session:
        org = make_org(session)
        hiring = make_hiring(session, org, candidates=0)
        second = extra_interviewer(session, org)
        first = hiring.interviewers[0]
        people = [make_candidate(session, org, hiring.opening) for _ in range(2)]
        session.commit()
        batch_ids = []
        for person, panel in zip(
            people, ([first.id, second.id], [second.id, first.id]), strict=True
        ):
            batch, _, _ = create_invitations(
                session,
                principal_for(hiring.owner),
                schemas.InvitationCreate(
                    opening_id=hiring.opening.id,
                    candidate_ids=[person.id],
                    kind="live",
                    interviewer_ids=panel,
                    panel=True,
                ),
                settings,
            )
            batch_ids.append(batch.id)
    for batch_id in batch_ids:
        process_batch(database, batch_id, settings)
    with database.session() as session:
        ids = list(
            session.scalars(
                select(Invitation.id)
                .where(Invitation.batch_id.in_(batch_ids))
                .order_by(Invitation.id)
            )
        )
        start = offered_slots(session, session.get(Invitation, ids[0]))[0].start
    outcomes = _race(database, settings, ids, start)
    assert sorted(outcomes) == ["booked", "taken"]
