"""Employees with real interview reports, hired through the real offer flow.

A text interview is answered, submitted and scored by the engine (``tests.interviews``), HR
reviews it, and the candidate is offered the job, accepts and chooses a password: the same
path a person takes in the product. A second scored interview can be added as a
re-assessment through :mod:`hireflow.selfservice.development`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from hireflow.candidates.models import Application, Candidate
from hireflow.core.db import utcnow
from hireflow.core.settings import get_settings
from hireflow.interviews import candidate as interview_candidate
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import pipeline
from hireflow.interviews import schemas as interview_schemas
from hireflow.interviews.models import InterviewSession
from hireflow.offers import portal, schemas, service
from hireflow.offers.links import link_token
from hireflow.offers.models import Employee
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.scheduling.models import Invitation
from hireflow.selfservice import training
from hireflow.selfservice.models import Course
from tests.conftest import PASSWORD, Org, make_user
from tests.interviews.factories import (
    ANSWERS_ZH,
    TAB,
    Setup,
    answer_all,
    make_setup,
    started,
)
from tests.offers.factories import approve_all, make_template

WEAK_ANSWER = "我不太清楚。"
HR_ONLY = "内部结论：HR-ONLY-CONCLUSION"


@dataclass
class Hired:
    employee: Employee
    user: User
    person: Candidate
    interview: InterviewSession


def score(session, db, interview: InterviewSession, text: str) -> InterviewSession:
    answer_all(session, interview, text)
    interview_candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    session.expire_all()
    return session.get(InterviewSession, interview.id)


def _approve(session, org: Org, offer, dept_index: int) -> None:
    """The offer's chain, decided by the hiring manager of the opening's department."""
    if dept_index == 0:
        approve_all(session, org, offer)
        return
    hr = principal_for(org.users["hr_admin"])
    manager = principal_for(
        make_user(session, org.tenant, "hiring_manager", department=org.departments[dept_index])
    )
    service.submit(session, hr, offer.id, get_settings())
    while offer.status == "pending_approval":
        step = next(a for a in service.approvals(session, offer) if a.status == "pending")
        who = manager if step.role == "hiring_manager" else hr
        service.decide(session, who, offer.id, schemas.DecisionIn(approve=True), get_settings())


def hired_employee(
    session, db, org: Org, *, dept_index: int = 0, text: str = WEAK_ANSWER, reviewed: bool = True
) -> Hired:
    """A person whose AI interview was scored (and reviewed), then hired through an offer."""
    setup = make_setup(session, org, dept_index=dept_index)
    interview = score(session, db, started(session, setup), text)
    if reviewed:
        interview_hr.conclude(
            session,
            principal_for(org.users["hr_admin"]),
            interview.id,
            interview_schemas.ConclusionIn(conclusion=HR_ONLY, decision="advance"),
        )
        session.expire_all()
        interview = session.get(InterviewSession, interview.id)
    application = session.scalars(
        select(Application).where(Application.candidate_id == setup.candidate.id)
    ).one()
    hr = principal_for(org.users["hr_admin"])
    offer = service.create_offer(
        session,
        hr,
        application.id,
        schemas.OfferIn(
            template_id=make_template(session, org).id,
            start_date=utcnow().date() + timedelta(days=14),
        ),
    )
    _approve(session, org, offer, dept_index)
    service.send(session, hr, offer.id, get_settings())
    opened = portal.open_offer(session, get_settings(), link_token(get_settings(), offer))
    person = session.get(Candidate, setup.candidate.id)
    portal.answer(
        session,
        get_settings(),
        opened,
        schemas.AnswerIn(accept=True, typed_name=person.name),
        "198.51.100.7",
    )
    portal.choose_password(session, opened, PASSWORD)
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
    return Hired(employee, session.get(User, employee.user_id), person, interview)


def take_reassessment(session, db, invitation_id: int, text: str = ANSWERS_ZH) -> InterviewSession:
    """The employee opens the development interview, passes the identity check and answers."""
    invitation = session.get(Invitation, invitation_id)
    invitation.verified_at = utcnow()
    invitation.status = "verified"
    session.commit()
    setup = Setup(None, None, None, invitation, "", "")  # type: ignore[arg-type]
    return score(session, db, started(session, setup), text)


def add_course(session, org: Org, competency: str, *, capacity: int = 2, **changes) -> Course:
    hr = principal_for(org.users["hr_admin"])
    values = {
        "competency": competency,
        "title_zh": f"{competency} 提升课",
        "title_en": f"{competency} workshop",
        "capacity": capacity,
        "starts_at": utcnow() + timedelta(days=7),
        "mode": "in_person",
        "location": "上海",
    }
    values.update(changes)
    return training.save_course(session, hr, training.CourseIn(**values))
