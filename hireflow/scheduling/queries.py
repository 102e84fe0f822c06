"""Scheduling reads, always narrowed by the caller's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.core.rows import value_map
from hireflow.notifications.models import OutboxMessage
from hireflow.openings.models import Opening
from hireflow.org.models import User
from hireflow.scheduling.models import Booking, Invitation, InvitationBatch

STAGES = ("invited", "opened", "verified", "booked", "completed")


@dataclass
class ProgressRow:
    invitation: Invitation
    delivery: str  # status of the latest invitation message: queued, sent, retry, failed...
    delivery_error: str
    booking: Booking | None


@dataclass
class Progress:
    opening: Opening
    rows: list[ProgressRow]
    counts: dict[str, int]


def delivery_status(session: Session, invitation_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Per invitation, the status (and last error) of its most recent invitation message."""
    if not invitation_ids:
        return {}
    latest = (
        select(OutboxMessage.related_id, func.max(OutboxMessage.id).label("last_id"))
        .where(
            OutboxMessage.related_type == "invitation",
            OutboxMessage.related_id.in_(invitation_ids),
            OutboxMessage.kind.like("invitation%"),
        )
        .group_by(OutboxMessage.related_id)
        .subquery()
    )
    rows = session.execute(
        select(OutboxMessage.related_id, OutboxMessage.status, OutboxMessage.last_error).join(
            latest, latest.c.last_id == OutboxMessage.id
        )
    )
    return {int(r[0]): (r[1], r[2]) for r in rows}


def stage_counts(invitations: list[Invitation]) -> dict[str, int]:
    """How many reached each stage (cumulative: a booked candidate was also invited...)."""
    counts = dict.fromkeys(STAGES, 0)
    for inv in invitations:
        counts["invited"] += inv.sent_at is not None
        counts["opened"] += inv.opened_at is not None
        counts["verified"] += inv.verified_at is not None
        counts["booked"] += inv.booking is not None and inv.booking.status == "active"
        counts["completed"] += inv.completed_at is not None
    return counts


def progress(session: Session, principal: Principal, opening_id: int, status: str = "") -> Progress:
    """The HR progress view of one opening: every invitation the caller may see."""
    opening = require_visible(session, Opening, opening_id, principal, "invitations.read")
    stmt = restrict(
        select(Invitation).where(Invitation.opening_id == opening.id),
        principal,
        "invitations.read",
        Invitation,
    ).options(selectinload(Invitation.candidate), selectinload(Invitation.booking))
    invitations = list(session.scalars(stmt.order_by(Invitation.id.desc())))
    counts = stage_counts(invitations)
    if status:
        invitations = [i for i in invitations if i.status == status]
    delivery = delivery_status(session, [i.id for i in invitations])
    rows = [
        ProgressRow(
            inv,
            delivery.get(inv.id, ("", ""))[0],
            delivery.get(inv.id, ("", ""))[1],
            inv.booking if inv.booking is not None and inv.booking.status == "active" else None,
        )
        for inv in invitations
    ]
    return Progress(opening, rows, counts)


def visible_rows(
    session: Session, principal: Principal, capability: str, model: Any, *where: Any
) -> list[Any]:
    """The rows of ``model`` matching ``where`` that the caller may see, oldest first."""
    stmt = restrict(select(model).where(*where), principal, capability, model)
    return list(session.scalars(stmt.order_by(model.id)))


def invitation(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    return require_visible(session, Invitation, invitation_id, principal, "invitations.read")


def invitation_messages(session: Session, invitation: Invitation) -> list[OutboxMessage]:
    """The outbox rows about one invitation and its booking, newest first."""
    booking_id = invitation.booking.id if invitation.booking is not None else -1
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                (
                    (OutboxMessage.related_type == "invitation")
                    & (OutboxMessage.related_id == invitation.id)
                )
                | (
                    (OutboxMessage.related_type == "booking")
                    & (OutboxMessage.related_id == booking_id)
                )
            )
            .order_by(OutboxMessage.id.desc())
            .limit(100)
        )
    )


@dataclass
class OpeningSummary:
    opening: Opening
    counts: dict[str, int]
    total: int


def overview(session: Session, principal: Principal) -> list[OpeningSummary]:
    """Openings the caller sees with invitations, and their funnel."""
    require(principal, "invitations.read")
    stmt = restrict(select(Invitation), principal, "invitations.read", Invitation).options(
        selectinload(Invitation.booking)
    )
    by_opening: dict[int, list[Invitation]] = {}
    for inv in session.scalars(stmt):
        by_opening.setdefault(inv.opening_id, []).append(inv)
    openings = {
        o.id: o
        for o in session.scalars(
            restrict(select(Opening), principal, "openings.read", Opening)
            if principal.has("openings.read")
            else select(Opening).where(Opening.id.in_(list(by_opening)))
        )
    }
    summaries = [
        OpeningSummary(openings[oid], stage_counts(invs), len(invs))
        for oid, invs in by_opening.items()
        if oid in openings
    ]
    return sorted(summaries, key=lambda s: s.opening.title)


def invitable_openings(session: Session, principal: Principal) -> list[Opening]:
    if not principal.has("invitations.send"):
        return []
    return list(
        session.scalars(
            restrict(select(Opening), principal, "invitations.send", Opening).order_by(
                Opening.title
            )
        )
    )


def upcoming(
    session: Session, principal: Principal, days: int = 14, now: datetime | None = None
) -> list[Booking]:
    """Booked interviews in the coming days the caller may see (own panel for interviewers)."""
    require(principal, "invitations.read")
    now = now or utcnow()
    visible = restrict(select(Invitation.id), principal, "invitations.read", Invitation)
    stmt = (
        select(Booking)
        .where(
            Booking.status == "active",
            Booking.end > now,
            Booking.start < now + timedelta(days=days),
            Booking.invitation_id.in_(visible),
        )
        .options(selectinload(Booking.invitation).selectinload(Invitation.candidate))
        .order_by(Booking.start)
    )
    return list(session.scalars(stmt))


def my_invitations(session: Session, principal: Principal) -> list[Invitation]:
    """A signed-in candidate's own invitations (SPEC A2: candidates see their own)."""
    require(principal, "invitations.read")
    stmt = restrict(select(Invitation), principal, "invitations.read", Invitation).options(
        selectinload(Invitation.opening), selectinload(Invitation.booking)
    )
    return list(session.scalars(stmt.order_by(Invitation.id.desc()).limit(100)))


def batch(session: Session, principal: Principal, batch_id: int) -> InvitationBatch:
    return require_visible(session, InvitationBatch, batch_id, principal, "invitations.read")


def user_names(session: Session, tenant_id: int, ids: list[int]) -> dict[int, str]:
    return value_map(session, User.id, User.name, ids, User.tenant_id == tenant_id)
