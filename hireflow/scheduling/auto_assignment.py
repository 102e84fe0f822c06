"""Placing every waiting live invitation of an opening at once (the batch solver)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import AppError
from hireflow.core.permissions import Principal
from hireflow.core.settings import Settings
from hireflow.openings.models import Opening
from hireflow.scheduling import schemas
from hireflow.scheduling.assignment import (
    BatchCandidate,
    BatchInterviewer,
    OpenSlot,
    Placement,
    assign_batch,
)
from hireflow.scheduling.bookings import book_as_staff
from hireflow.scheduling.calendars import calendars, candidate_core, panel_of
from hireflow.scheduling.invitations import staff_opening
from hireflow.scheduling.models import (
    Invitation,
    SchedulingPolicy,
)
from hireflow.scheduling.policies import policy_for, slot_request
from hireflow.scheduling.slots import InterviewerCalendar, SlotRequest, tile_open_slots
from hireflow.scheduling.timeline import load_zone


@dataclass
class _Batch:
    """The waiting invitations as the solver sees them, and what became of each."""

    candidates: list[BatchCandidate] = field(default_factory=list)
    by_candidate: dict[str, Invitation] = field(default_factory=dict)
    panels: dict[int, list[int]] = field(default_factory=dict)
    placed: list[dict[str, Any]] = field(default_factory=list)
    unplaced: list[dict[str, Any]] = field(default_factory=list)


def _waiting(session: Session, opening: Opening, now: datetime) -> list[Invitation]:
    """Live invitations of the opening still waiting for a time (none booked, deadline ahead)."""
    return [
        inv
        for inv in session.scalars(
            select(Invitation).where(
                Invitation.opening_id == opening.id,
                Invitation.kind.in_(("live", "next_round")),
                Invitation.status.in_(("sending", "sent", "opened", "verified")),
                Invitation.deadline > now,
            )
        )
        if inv.booking is None or inv.booking.status != "active"
    ]


def _batch_of(session: Session, waiting: list[Invitation], now: datetime) -> _Batch:
    batch = _Batch()
    for inv in waiting:
        if inv.panel:
            batch.unplaced.append({"invitation_id": inv.id, "code": "panel"})
            continue
        core = candidate_core(session, inv, now, waking_hours=False)
        batch.panels[inv.id] = panel_of(session, inv)
        batch.by_candidate[str(inv.id)] = inv
        batch.candidates.append(
            BatchCandidate(
                str(inv.id),
                core.timezone,
                core.windows or (),
                core.preferred_start,
                core.preferred_end,
            )
        )
    return batch


def _open_slots(
    cals: list[InterviewerCalendar], request: SlotRequest, policy: SchedulingPolicy, now: datetime
) -> tuple[list[OpenSlot], list[BatchInterviewer]]:
    """Every interviewer's free slots, and their load so far (per day and in all)."""
    slots: list[OpenSlot] = []
    interviewers: list[BatchInterviewer] = []
    for cal in cals:
        for s, e in tile_open_slots(cal, request, now):
            slots.append(OpenSlot(cal.interviewer_id, s, e))
        per_day: dict[date, int] = {}
        zone = load_zone(cal.timezone)
        for iv in cal.interviews:
            day = iv.start.astimezone(zone).date()
            per_day[day] = per_day.get(day, 0) + 1
        interviewers.append(
            BatchInterviewer(
                cal.interviewer_id,
                cal.timezone,
                cal.max_per_day or policy.max_per_day,
                per_day,
                len(cal.interviews),
            )
        )
    return slots, interviewers


def auto_assign(
    session: Session,
    principal: Principal,
    opening_id: int,
    settings: Settings,
    now: datetime | None = None,
) -> schemas.AssignOut:
    """Place every waiting live invitation of an opening into interviewers' free slots at once.

    Candidates who stated their availability are matched with the batch solver (fair load
    across interviewers, daily caps); each placement is then booked like a candidate's own
    choice, in its own transaction, so one lost race does not undo the others.
    """
    now = now or utcnow()
    opening = staff_opening(session, principal, opening_id, "invitations.send")
    policy = policy_for(session, principal.tenant_id)
    batch = _batch_of(session, _waiting(session, opening, now), now)
    user_ids = sorted({uid for ids in batch.panels.values() for uid in ids})
    cals = calendars(session, principal.tenant_id, user_ids, policy, now)
    slots, interviewers = _open_slots(
        cals, slot_request(policy, policy.duration_minutes), policy, now
    )
    # A candidate may only take slots of their own invitation's panel; slots of others are
    # removed from their windows by splitting the batch per panel.
    groups: dict[tuple[int, ...], list[BatchCandidate]] = {}
    for cand in batch.candidates:
        groups.setdefault(tuple(batch.panels[int(cand.candidate_id)]), []).append(cand)
    taken: set[tuple[str, datetime]] = set()
    for panel, members in groups.items():
        allowed = {str(i) for i in panel}
        group_slots = [
            s
            for s in slots
            if s.interviewer_id in allowed and (s.interviewer_id, s.start) not in taken
        ]
        group_ivs = [i for i in interviewers if i.interviewer_id in allowed]
        if not group_ivs:
            batch.unplaced += [
                {"invitation_id": int(c.candidate_id), "code": "no_interviewers"} for c in members
            ]
            continue
        result = assign_batch(members, group_ivs, group_slots)
        for u in result.unplaced:
            batch.unplaced.append({"invitation_id": int(u.candidate_id), "code": u.code})
        for placement in result.placements:
            taken.add((placement.interviewer_id, placement.start))
            _book_placement(session, batch, placement, settings, principal, now)
    audit.commit_recorded(
        session,
        "scheduling.auto_assigned",
        actor=principal,
        target_type="opening",
        target_id=opening.id,
        new={"placed": len(batch.placed), "unplaced": len(batch.unplaced)},
    )
    return schemas.AssignOut(placed=batch.placed, unplaced=batch.unplaced)


def _book_placement(
    session: Session,
    batch: _Batch,
    placement: Placement,
    settings: Settings,
    principal: Principal,
    now: datetime,
) -> None:
    inv = batch.by_candidate[placement.candidate_id]
    try:
        # the same checks as any booking, with the interviewer the solver chose
        booking = book_as_staff(
            session,
            inv,
            placement.start,
            settings,
            principal,
            now,
            only_interviewers=[int(placement.interviewer_id)],
        )
    except AppError as exc:
        batch.unplaced.append({"invitation_id": inv.id, "code": exc.code})
        return
    batch.placed.append(
        {
            "invitation_id": inv.id,
            "booking_id": booking.id,
            "interviewer_id": int(placement.interviewer_id),
            "start": placement.start,
            "end": placement.end,
        }
    )
