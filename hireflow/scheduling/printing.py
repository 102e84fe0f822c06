"""Printed invitations: one page per candidate, with the QR code of their personal link."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, NotFound
from hireflow.core.i18n import format_datetime, gettext_for
from hireflow.core.permissions import Principal, get_visible, require
from hireflow.core.settings import Settings
from hireflow.scheduling import messages, printable, queries
from hireflow.scheduling.ai_interview import interview_facts
from hireflow.scheduling.invitations import staff_invitation
from hireflow.scheduling.models import (
    Invitation,
    InvitationBatch,
)
from hireflow.scheduling.policies import policy_for

PRINTABLE_STATUSES = ("sending", "sent", "opened", "verified", "booked")


def printable_invitations(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    batch_id: int | None = None,
    invitation_id: int | None = None,
) -> tuple[bytes, int]:
    """A PDF with one page per open invitation of a batch (or one invitation): each in the
    candidate's language and zone, with the QR code of their personal link. Returns the PDF
    and the number of pages; printing is audited (the pages hold personal links)."""
    require(principal, "invitations.send")
    if batch_id is not None:
        batch = get_visible(session, InvitationBatch, batch_id, principal, "invitations.send")
        invitations = queries.visible_rows(
            session, principal, "invitations.send", Invitation, Invitation.batch_id == batch.id
        )
    else:
        assert invitation_id is not None
        invitations = [staff_invitation(session, principal, invitation_id, "invitations.send")]
    policy = policy_for(session, principal.tenant_id)
    now = utcnow()
    pages = []
    for inv in invitations:
        if inv.status not in PRINTABLE_STATUSES:
            continue
        p = messages.parties(session, inv)
        language = inv.language
        _ = gettext_for(language)
        facts_line = ""
        if inv.kind == "ai":
            facts = interview_facts(session, inv)
            if facts.questions:
                facts_line = _(
                    "%(count)s questions, each with a time limit of %(limits)s: about "
                    "%(minutes)s minutes in all."
                ) % {
                    "count": facts.questions,
                    "limits": facts.time_limits(language),
                    "minutes": facts.minutes,
                }
        pages.append(
            printable.page_for(
                language=language,
                gettext=_,
                company=p.tenant.name,
                candidate=p.candidate.name,
                job=p.opening.title,
                kind=inv.kind,
                deadline_text=format_datetime(inv.deadline, inv.timezone, language, "long"),
                link=messages.candidate_link(settings, inv, policy),
                facts_line=facts_line,
                printed_at_text=format_datetime(now, inv.timezone, language, "short"),
            )
        )
    if not pages:
        raise NotFound(N_("There is no open invitation to print."))
    audit.commit_recorded(
        session,
        "invitations.printed",
        actor=principal,
        target_type="invitation_batch" if batch_id is not None else "invitation",
        target_id=batch_id if batch_id is not None else invitation_id,
        new={"pages": len(pages), "invitation_ids": [i.id for i in invitations]},
    )
    return printable.invitations_pdf(pages, title="Invitations"), len(pages)
