"""The worker side of a send: each invitation's messages, exactly once.

Invitation rows are claimed by a conditional UPDATE in the same transaction that writes their
outbox messages (:func:`send_invitation_in`). A worker that dies mid-way leaves an uncommitted
transaction, i.e. nothing, and the row is still waiting for the next run. An invitation is
"sent" once one of its messages is delivered (:func:`_invitation_delivered`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import Database, utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.rows import claim
from hireflow.core.settings import Settings
from hireflow.core.tasks import send_by_name
from hireflow.notifications import delivery, outbox
from hireflow.notifications.models import OutboxMessage
from hireflow.scheduling import invitation_messages, messages
from hireflow.scheduling.ai_interview import freeze_ai_interview
from hireflow.scheduling.invitations import staff_invitation
from hireflow.scheduling.models import (
    Invitation,
    InvitationBatch,
)
from hireflow.scheduling.policies import policy_for


class Sent(StrEnum):
    """What became of one invitation of a send (the keys of the counts a batch returns)."""

    SENT = "sent"  # its messages are in the outbox
    UNDELIVERABLE = "undeliverable"  # no channel reaches the candidate
    SKIPPED = "skipped"  # already sent, or cancelled before its turn


def send_invitation(
    database: Database,
    invitation_id: int,
    settings: Settings,
    now: datetime | None = None,
    shared: dict[Any, Any] | None = None,
) -> Sent:
    """Render and queue one invitation's messages, exactly once (see the module docstring).

    ``shared`` carries what the invitations of one batch have in common (the company's
    policy, templates and channels, the opening's staff) from one transaction to the next.
    """
    with database.session() as session:
        return send_invitation_in(session, invitation_id, settings, now, shared)


def send_invitation_in(
    session: Session,
    invitation_id: int,
    settings: Settings,
    now: datetime | None = None,
    shared: dict[Any, Any] | None = None,
) -> Sent:
    """The claim, the messages and the commit of one invitation, in ``session``."""
    now = now or utcnow()
    sending = (
        update(Invitation)
        .where(Invitation.id == invitation_id, Invitation.status == "queued")
        .values(status="sending", sent_at=now, send_count=Invitation.send_count + 1, updated_at=now)
    )
    invitation = claim(session, sending, Invitation, invitation_id)
    if invitation is None:
        return Sent.SKIPPED
    shared = shared if shared is not None else {}
    policy = shared.get(("policy", invitation.tenant_id))
    if policy is None:
        policy = shared[("policy", invitation.tenant_id)] = policy_for(
            session, invitation.tenant_id
        )
    cache = shared.setdefault(
        ("templates", invitation.tenant_id), outbox.TemplateCache(session, invitation.tenant_id)
    )
    cache.session = session
    facts = None
    if invitation.kind == "ai":
        facts = freeze_ai_interview(session, invitation)
    p = messages.parties(session, invitation, shared=shared)
    count = invitation_messages.invitation_messages(
        session, cache, p, settings, policy, invitation.send_count, shared, facts
    )
    if count == 0:
        invitation.status = "undeliverable"
        invitation.send_error = "no_channel"
    session.commit()
    return Sent.SENT if count else Sent.UNDELIVERABLE


def process_batch(
    database: Database, batch_id: int, settings: Settings, chunk: int = 100
) -> dict[str, int]:
    """The worker side of a send: every queued invitation of the batch, one by one."""
    counts: dict[str, int] = {}
    shared: dict[Any, Any] = {}
    while True:
        with database.session() as session:
            ids = list(
                session.scalars(
                    select(Invitation.id)
                    .where(Invitation.batch_id == batch_id, Invitation.status == "queued")
                    .order_by(Invitation.id)
                    .limit(chunk)
                )
            )
        if not ids:
            break
        # One delivery task per 50 messages rather than one per invitation: publishing to the
        # broker costs more than rendering.
        with outbox.deferred_delivery() as produced:
            for invitation_id in ids:
                outcome = send_invitation(database, invitation_id, settings, shared=shared)
                counts[outcome.value] = counts.get(outcome.value, 0) + 1
        outbox.dispatch(produced)
    with database.session() as session:
        session.execute(
            update(InvitationBatch)
            .where(InvitationBatch.id == batch_id, InvitationBatch.status == "queued")
            .values(status="done", finished_at=utcnow())
        )
        session.commit()
    return counts


# A send whose invitations have not moved for this long has lost its task: the worker died
# holding it (its message waits for the broker's visibility timeout, an hour on Redis, or is
# gone with a broker restart that kept nothing). A live worker claims an invitation every
# fraction of a second, so a batch still being worked on never looks stalled this long.
BATCH_STALLED_AFTER = timedelta(minutes=2)


def stalled_batches(database: Database, now: datetime | None = None) -> list[int]:
    """Sends still ``queued`` whose invitations have not changed for
    :data:`BATCH_STALLED_AFTER`: their task is lost and must be sent again."""
    cutoff = (now or utcnow()) - BATCH_STALLED_AFTER
    moved = (
        select(Invitation.batch_id)
        .where(Invitation.batch_id == InvitationBatch.id, Invitation.updated_at >= cutoff)
        .exists()
    )
    with database.session() as session:
        return list(
            session.scalars(
                select(InvitationBatch.id)
                .where(
                    InvitationBatch.status == "queued",
                    InvitationBatch.created_at < cutoff,
                    ~moved,
                )
                .order_by(InvitationBatch.id)
                .limit(100)
            )
        )


def resume_stalled_batches(database: Database, now: datetime | None = None) -> int:
    """Send the task of every stalled send again (the beat runs this every minute). A run
    that finds its invitations already claimed skips them (:func:`send_invitation_in`), so a
    send resumed twice still sends each invitation's messages once."""
    ids = stalled_batches(database, now)
    for batch_id in ids:
        send_by_name("scheduling.send_invitation_batch", batch_id)
    return len(ids)


def resend_invitation(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    """One-click resend: the same personal link again, on every channel, right away."""
    invitation = staff_invitation(session, principal, invitation_id, "invitations.send")
    if invitation.status in ("cancelled", "completed"):
        raise ValidationFailed(N_("This invitation is closed and cannot be resent."))
    if invitation.status == "queued":
        raise ValidationFailed(N_("This invitation is still being sent."))
    invitation.send_count += 1
    if invitation.status == "undeliverable":
        invitation.status = "sending"
        invitation.send_error = ""
    invitation.sent_at = invitation.sent_at or utcnow()
    policy = policy_for(session, invitation.tenant_id)
    p = messages.parties(session, invitation)
    count = invitation_messages.invitation_messages(
        session,
        outbox.TemplateCache(session, invitation.tenant_id),
        p,
        settings,
        policy,
        invitation.send_count,
    )
    if count == 0:
        raise ValidationFailed(N_("No valid e-mail address or mobile number."))
    audit.commit_recorded(
        session,
        "invitation.resent",
        actor=principal,
        target_type="invitation",
        target_id=invitation.id,
        new={"send": invitation.send_count, "messages": count},
    )
    return invitation


def _invitation_delivered(session: Session, invitation_id: int, outcome: str, kind: str) -> None:
    """An invitation is "sent" once one of its messages is delivered, "undeliverable" once
    every one of them has failed; until then it stays "sending" (in retry, say)."""
    if not kind.startswith("invitation"):
        return
    now = utcnow()
    if outcome == "sent":
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == "sending")
            .values(status="sent", updated_at=now)
        )
        return
    alive = session.scalar(
        select(func.count()).where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id == invitation_id,
            OutboxMessage.kind.like("invitation%"),
            OutboxMessage.status.in_(("queued", "sending", "retry", "sent")),
        )
    )
    if not alive:
        session.execute(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.status == "sending")
            .values(status="undeliverable", send_error="delivery_failed", updated_at=now)
        )


delivery.on_delivery("invitation", _invitation_delivered)
