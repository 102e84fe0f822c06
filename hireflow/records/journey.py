"""The hiring journey on the person's timeline: what other domains announce as events
(:mod:`hireflow.core.events`) and the record keeps as chained, encrypted entries.

Handlers run inside the publisher's transaction, so an entry exists exactly when what it
records was committed. Event payloads carry ids and codes only; the personal part (an
interviewer's notes, an amendment's reason, an approver's comment, the round's name and time)
is read from the publisher's row and goes into the entry's encrypted ``data``.

- ``interview.booked`` → ``application`` entry, source ``scheduling``: the round, its time,
  whether it was booked, moved or cancelled, who did it (the candidate through their link:
  ``subject``; staff in their name), the panel's size;
- ``scorecard.submitted`` → ``review`` entry, source ``scorecard``, written in the
  interviewer's name: round, version, recommendation, levels per competency; an amendment
  carries its reason and the version it replaces. Its words are not indexed for the record
  search, and :func:`hidden_from` keeps other interviewers' scorecards out of an
  interviewer's view of the record (blind scorecards);
- ``offer.decided`` → ``application`` entry, source ``offer_approval``, written in the
  approver's name: step, role, decision, comment, the offer's status after it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit, pii
from hireflow.core.events import Event
from hireflow.core.permissions import Principal, Role
from hireflow.offers.models import OfferApproval
from hireflow.records.keys import register_current_key
from hireflow.records.models import RecordEntry
from hireflow.records.timeline import NewEntry, append_entries, ensure_record
from hireflow.scheduling.models import Invitation
from hireflow.workflow.models import Scorecard

SCORECARD_SOURCE = "scorecard"
# Roles that see every scorecard on a record; a viewer holding none of them (an interviewer)
# sees only their own.
SEES_ALL_SCORECARDS = frozenset({Role.HR_ADMIN, Role.RECRUITER, Role.HIRING_MANAGER})


def _append(
    session: Session,
    event: Event,
    person_id: int,
    entry: NewEntry,
    *,
    index_terms: bool = True,
) -> RecordEntry | None:
    """Chain ``entry`` onto the person's record and audit it; nothing for an erased record."""
    candidate = session.get(Candidate, person_id)
    if candidate is None or candidate.tenant_id != event.tenant_id:
        return None
    record = ensure_record(session, candidate)
    if record.erased_at is not None:
        return None
    ring = pii.keyring()
    register_current_key(session, ring)
    (written,) = append_entries(session, record, [entry], ring=ring, index_terms=index_terms)
    audit.record(
        session,
        "record.entry_added",
        actor=None,
        tenant_id=record.tenant_id,
        target_type="record",
        target_id=person_id,
        new={"entry": written.id, "type": entry.type, "seq": written.seq, "event": event.name},
        actor_label="system:records",
    )
    return written


def _when(event: Event) -> datetime:
    return event.occurred_at


def _data(**values: Any) -> dict[str, Any] | None:
    kept = {k: v for k, v in values.items() if v not in (None, "", [], {})}
    return kept or None


def on_booked(session: Session, event: Event) -> None:
    data = event.data
    invitation = session.get(Invitation, int(data["invitation_id"]))
    if invitation is None:
        return
    if data.get("change") == "cancelled":  # whoever cancelled: staff by name, else the candidate
        by_candidate = data.get("actor") is None
    else:
        by_candidate = data.get("booked_by") == "candidate"
    _append(
        session,
        event,
        int(data["candidate_id"]),
        NewEntry(
            type="application",
            source="scheduling",
            data=_data(round=invitation.round_name, start=data["start"], end=data["end"]),
            facts={
                "booking_id": data["booking_id"],
                "invitation_id": invitation.id,
                "interview_kind": data.get("kind"),
                "booking": data.get("change"),
                "panel_size": len(data.get("interviewers") or []),
            },
            occurred_at=_when(event),
            actor_id=None if by_candidate else data.get("actor"),
            actor_label="subject" if by_candidate else "system:scheduling",
            opening_id=invitation.opening_id,
        ),
    )


def on_scorecard(session: Session, event: Event) -> None:
    data = event.data
    card = session.get(Scorecard, int(data["scorecard_id"]))
    application = session.get(Application, int(data["application_id"]))
    if card is None or application is None:
        return
    facts: dict[str, Any] = {
        "scorecard_id": card.id,
        "round": card.round_key,
        "version": card.version,
        "recommendation": card.recommendation,
        "ratings": {str(k): int(v) for k, v in (card.ratings or {}).items()},
    }
    if card.supersedes_id is not None:
        facts["supersedes_scorecard_id"] = card.supersedes_id
    _append(
        session,
        event,
        application.candidate_id,
        NewEntry(
            type="review",
            source=SCORECARD_SOURCE,
            data=_data(notes=card.notes, amend_reason=card.amend_reason),
            facts=facts,
            occurred_at=card.submitted_at,
            actor_id=card.interviewer_id,
            opening_id=card.opening_id,
        ),
        # Words of a scorecard stay out of the record search: an interviewer's search must not
        # find people by what a colleague wrote about them.
        index_terms=False,
    )


def on_offer_decided(session: Session, event: Event) -> None:
    data = event.data
    step = session.scalar(
        select(OfferApproval).where(
            OfferApproval.offer_id == int(data["offer_id"]),
            OfferApproval.round == int(data["round"]),
            OfferApproval.step == int(data["step"]),
        )
    )
    application = session.get(Application, int(data["application_id"]))
    if step is None or application is None:
        return
    _append(
        session,
        event,
        application.candidate_id,
        NewEntry(
            type="application",
            source="offer_approval",
            data=_data(comment=step.comment),
            facts={
                "offer_id": step.offer_id,
                "approval_round": step.round,
                "approval_step": step.step,
                "approver_role": step.role,
                "approval": step.status,
                "offer_status": data.get("status"),
            },
            occurred_at=step.decided_at or _when(event),
            actor_id=step.decided_by_id,
            opening_id=step.opening_id,
        ),
    )


def hidden_from(principal: Principal, entry: RecordEntry) -> bool:
    """Whether ``entry`` is another interviewer's scorecard that ``principal`` may not see."""
    if entry.source != SCORECARD_SOURCE or entry.type != "review":
        return False
    if principal.roles & SEES_ALL_SCORECARDS:
        return False
    return entry.actor_id != principal.user_id
