"""Demo scheduling data: interviewers' hours, a busy block, and invitations at every stage,
so the interview pages of a fresh demo company are not empty."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.permissions import Principal
from hireflow.core.settings import get_settings
from hireflow.openings.models import Opening
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant, User
from hireflow.org.queries import user_by_email
from hireflow.scheduling import schemas
from hireflow.scheduling.availability import add_busy, save_availability
from hireflow.scheduling.bookings import book
from hireflow.scheduling.invitations import create_invitations
from hireflow.scheduling.models import Invitation
from hireflow.scheduling.sending import send_invitation_in
from hireflow.scheduling.slot_search import offered_slots

WEEKDAYS = range(5)


def _hours(start: str, lunch: tuple[str, str], end: str) -> list[schemas.WorkingWindowIn]:
    windows = []
    for day in WEEKDAYS:
        windows.append(schemas.WorkingWindowIn(weekday=day, start=start, end=lunch[0]))
        windows.append(schemas.WorkingWindowIn(weekday=day, start=lunch[1], end=end))
    return windows


def _demo_availability(
    session: Session, hr_principal: Principal, interviewer: User, others: list[User]
) -> None:
    """A Berlin interviewer with a lunch break and a meeting tomorrow; HR and the recruiter
    in Shanghai."""
    save_availability(
        session,
        hr_principal,
        interviewer.id,
        schemas.AvailabilityIn(
            timezone="Europe/Berlin",
            working_hours=_hours("09:00", ("12:00", "13:00"), "17:30"),
            max_per_day=4,
        ),
    )
    for person in others:
        save_availability(
            session,
            hr_principal,
            person.id,
            schemas.AvailabilityIn(
                timezone="Asia/Shanghai",
                working_hours=_hours("09:30", ("12:00", "13:30"), "18:30"),
            ),
        )
    tomorrow = utcnow().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    add_busy(
        session,
        hr_principal,
        interviewer.id,
        schemas.BusyIn(start=tomorrow, end=tomorrow + timedelta(hours=2), label="Team meeting"),
    )


def add_demo(session: Session, tenant: Tenant) -> None:
    """Working hours for the demo staff and invitations in several states (idempotent)."""
    if session.scalars(select(Invitation.id).where(Invitation.tenant_id == tenant.id)).first():
        return
    settings = get_settings()
    hr = user_by_email(session, tenant.id, "hr@huaxing.example")
    interviewer = user_by_email(session, tenant.id, "interviewer@huaxing.example")
    recruiter = user_by_email(session, tenant.id, "recruiter@huaxing.example")
    if hr is None or interviewer is None or recruiter is None:
        return
    hr_principal = principal_for(hr)
    _demo_availability(session, hr_principal, interviewer, [hr, recruiter])

    openings = {
        o.title: o for o in session.scalars(select(Opening).where(Opening.tenant_id == tenant.id))
    }
    candidates = {
        c.name: c
        for c in session.scalars(select(Candidate).where(Candidate.tenant_id == tenant.id))
    }

    def invite(opening: Opening | None, names: list[str], kind: str) -> list[Invitation]:
        if opening is None:
            return []
        ids = [
            candidates[n].id
            for n in names
            if n in candidates
            and session.scalars(
                select(Application.id).where(
                    Application.candidate_id == candidates[n].id,
                    Application.opening_id == opening.id,
                )
            ).first()
        ]
        if not ids:
            return []
        batch, _skipped, _created = create_invitations(
            session,
            hr_principal,
            schemas.InvitationCreate(
                opening_id=opening.id,
                candidate_ids=ids,
                kind=kind,
                materials=["身份证 / ID card"],
            ),
            settings,
        )
        rows = list(session.scalars(select(Invitation).where(Invitation.batch_id == batch.id)))
        for row in rows:
            send_invitation_in(session, row.id, settings)
        return rows

    backend = openings.get("高级后端工程师")
    invite(backend, ["赵磊"], "live")
    invite(backend, ["孙悦"], "ai")
    booked = invite(openings.get("Key Account Manager, DACH"), ["Emily Carter"], "live")
    for invitation in booked:
        session.refresh(invitation)
        slots = offered_slots(session, invitation)
        if slots:
            invitation.opened_at = invitation.verified_at = utcnow()
            invitation.verify_method = "code"
            invitation.status = "verified"
            session.commit()
            book(session, invitation, slots[0].start, settings, actor=None)
