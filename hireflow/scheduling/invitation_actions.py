"""What staff do with one invitation: resend, cancel, complete, unlock the identity check."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.notifications import outbox
from hireflow.scheduling.bookings import release_booking
from hireflow.scheduling.invitations import staff_invitation
from hireflow.scheduling.models import (
    Invitation,
)


def cancel_invitation(
    session: Session, principal: Principal, invitation_id: int, settings: Settings
) -> Invitation:
    invitation = staff_invitation(session, principal, invitation_id, "invitations.send")
    if invitation.status == "cancelled":
        return invitation
    now = utcnow()
    booking = invitation.booking
    if booking is not None and booking.status == "active":
        release_booking(session, invitation, booking, settings, now, actor=principal)
    invitation.status = "cancelled"
    invitation.cancelled_at = now
    outbox.cancel_pending(session, "invitation", invitation.id)
    _done(session, principal, "invitation.cancelled", invitation)
    return invitation


def complete_invitation(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    """Mark the interview done (live interviews; the AI interview sets it itself later)."""
    invitation = staff_invitation(session, principal, invitation_id, "invitations.complete")
    if invitation.status in ("cancelled", "queued", "undeliverable"):
        raise ValidationFailed(N_("Only an invitation in progress can be completed."))
    if invitation.completed_at is None:
        invitation.completed_at = utcnow()
        invitation.status = "completed"
        _done(session, principal, "invitation.completed", invitation)
    return invitation


def unlock_identity(session: Session, principal: Principal, invitation_id: int) -> Invitation:
    """Clear a lock-out after HR checked with the candidate; earlier access stays revoked."""
    invitation = staff_invitation(session, principal, invitation_id, "invitations.send")
    invitation.identity_failures = 0
    invitation.identity_lockouts = 0
    invitation.identity_locked_until = None
    invitation.identity_generation += 1
    invitation.code_hash = ""
    _done(session, principal, "invitation.identity_unlocked", invitation)
    return invitation


def _done(session: Session, principal: Principal, action: str, invitation: Invitation) -> None:
    """Audit HR's action on the invitation and commit it."""
    audit.commit_on(session, action, principal, ("invitation", invitation.id))
