"""A send whose task was lost (worker killed mid-send, broker restarted) starts again, and
resuming never sends an invitation's messages twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from hireflow.core.db import utcnow
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling.models import Invitation, InvitationBatch
from hireflow.scheduling.sending import (
    BATCH_STALLED_AFTER,
    process_batch,
    resume_stalled_batches,
    send_invitation,
    stalled_batches,
)
from tests.scheduling.factories import make_hiring, queue_invitations


def _queued_batch(session, org, settings, candidates: int = 3) -> int:
    return queue_invitations(session, make_hiring(session, org, candidates=candidates), settings).id


def _messages(session, batch_id: int) -> int:
    ids = select(Invitation.id).where(Invitation.batch_id == batch_id)
    return session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.related_type == "invitation", OutboxMessage.related_id.in_(ids))
    )


def test_a_lost_send_is_found_only_after_it_stopped_moving(db, session, org, settings, queue):
    batch_id = _queued_batch(session, org, settings)
    now = utcnow()
    assert batch_id not in stalled_batches(db, now)  # just queued: its task may be waiting
    later = now + BATCH_STALLED_AFTER + timedelta(seconds=5)
    assert batch_id in stalled_batches(db, later)

    queue.sent.clear()
    assert resume_stalled_batches(db, later) >= 1
    assert ("scheduling.send_invitation_batch", (batch_id,)) in queue.sent


def test_a_send_still_moving_is_left_alone(db, session, org, settings, queue):
    batch_id = _queued_batch(session, org, settings)
    first = session.scalars(select(Invitation.id).where(Invitation.batch_id == batch_id)).first()
    later = utcnow() + BATCH_STALLED_AFTER + timedelta(seconds=5)
    # A worker claimed one invitation a moment ago (its clock is ``later`` minus a second).
    send_invitation(db, first, settings, now=later - timedelta(seconds=1))
    session.execute(
        Invitation.__table__.update()
        .where(Invitation.id == first)
        .values(updated_at=later - timedelta(seconds=1))
    )
    session.commit()
    assert batch_id not in stalled_batches(db, later)


def test_resuming_a_half_sent_batch_sends_each_invitation_once(db, session, org, settings, queue):
    batch_id = _queued_batch(session, org, settings, candidates=3)
    first = session.scalars(select(Invitation.id).where(Invitation.batch_id == batch_id)).first()
    send_invitation(db, first, settings)  # the worker got this far, then died
    sent_before = _messages(session, batch_id)
    assert sent_before >= 1

    process_batch(db, batch_id, settings)  # the resumed task
    session.expire_all()
    per_invitation = sent_before  # one invitation's messages
    assert _messages(session, batch_id) == 3 * per_invitation
    assert session.get(InvitationBatch, batch_id).status == "done"
    later = utcnow() + BATCH_STALLED_AFTER + timedelta(minutes=1)
    assert batch_id not in stalled_batches(db, later)
