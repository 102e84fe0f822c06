"""Builders for scheduling tests: an opening with a panel, candidates who applied to it."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.models import User
from tests.conftest import Org, make_user, unique


@dataclass
class Hiring:
    """One opening of an org, its recruiter (owner) and interviewers, and candidates."""

    org: Org
    opening: Opening
    owner: User
    interviewers: list[User]
    candidates: list[Candidate] = field(default_factory=list)


def make_opening(
    session: Session,
    org: Org,
    *,
    interviewers: list[User] | None = None,
    job_type: str = "technical",
    dept_index: int = 0,
) -> Opening:
    dept = org.departments[dept_index]
    opening = Opening(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        title=unique("Opening"),
        status="open",
        job_type=job_type,
    )
    opening.members = [OpeningMember(user_id=org.users["recruiter"].id, role="owner")]
    for user in interviewers if interviewers is not None else [org.users["interviewer"]]:
        opening.members.append(OpeningMember(user_id=user.id, role="interviewer"))
    session.add(opening)
    session.flush()
    return opening


def make_candidate(
    session: Session,
    org: Org,
    opening: Opening,
    *,
    email: str | None = None,
    phone: str = "",
    language: str = "en",
    timezone: str = "Europe/Berlin",
    id_number: str | None = None,
    user: User | None = None,
) -> Candidate:
    candidate = Candidate(
        tenant_id=org.tenant.id,
        name=unique("Person"),
        email=email if email is not None else f"{unique('p')}@example.com",
        phone=phone,
        language=language,
        timezone=timezone,
        id_number=id_number,
        user_id=user.id if user else None,
    )
    candidate.applications = [Application(tenant_id=org.tenant.id, opening_id=opening.id)]
    session.add(candidate)
    session.flush()
    return candidate


def make_hiring(session: Session, org: Org, candidates: int = 2, **kwargs) -> Hiring:
    interviewer = org.users["interviewer"]
    opening = make_opening(session, org, interviewers=[interviewer])
    hiring = Hiring(org, opening, org.users["recruiter"], [interviewer])
    for _ in range(candidates):
        hiring.candidates.append(make_candidate(session, org, opening, **kwargs))
    session.commit()
    return hiring


def queue_invitations(session: Session, hiring: Hiring, settings, kind: str = "live"):
    """The recruiter invites every candidate of ``hiring``; returns the batch, not yet sent."""
    from hireflow.org.auth import principal_for
    from hireflow.scheduling import schemas
    from hireflow.scheduling.invitations import create_invitations

    batch, _, _ = create_invitations(
        session,
        principal_for(hiring.owner),
        schemas.InvitationCreate(
            opening_id=hiring.opening.id,
            candidate_ids=[c.id for c in hiring.candidates],
            kind=kind,
        ),
        settings,
    )
    return batch


def extra_interviewer(session: Session, org: Org, timezone: str = "Asia/Shanghai") -> User:
    return make_user(session, org.tenant, "interviewer", timezone=timezone)


def send(session: Session, db, settings, opening: Opening, candidates: list[Candidate], **fields):
    """Invite ``candidates`` to ``opening`` as its recruiter and let the worker send them;
    returns the invitations in candidate order."""
    from sqlalchemy import select

    from hireflow.org.auth import principal_for
    from hireflow.scheduling import schemas
    from hireflow.scheduling.invitations import create_invitations
    from hireflow.scheduling.models import Invitation
    from hireflow.scheduling.sending import process_batch

    recruiter = session.get(User, opening.members[0].user_id)
    batch, _skipped, _created = create_invitations(
        session,
        principal_for(recruiter),
        schemas.InvitationCreate(
            opening_id=opening.id,
            candidate_ids=[c.id for c in candidates],
            **{"kind": "live", **fields},
        ),
        settings,
    )
    process_batch(db, batch.id, settings)
    session.expire_all()
    found = {
        i.candidate_id: i
        for i in session.scalars(select(Invitation).where(Invitation.batch_id == batch.id))
    }
    return [found[c.id] for c in candidates if c.id in found]
