"""How the authorization sweep reaches the self-service routes with another tenant's objects:
an employee hired through the offer flow, enrolled in a course of their company's catalogue,
with a request about their data."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.candidates.models import Candidate
from hireflow.core.settings import get_settings
from hireflow.offers import portal, schemas
from hireflow.offers.models import Employee
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.selfservice import requests, training
from tests.offers.factories import sent_offer

COURSE = {
    "competency": "communication",
    "title_zh": "沟通",
    "title_en": "Communication",
    "capacity": 5,
}


def foreign_params(session, org) -> dict[str, int]:
    offer, _token = sent_offer(session, org, name="Foreign Employee")
    person = session.get(Candidate, offer.candidate_id)
    portal.answer(
        session,
        get_settings(),
        offer,
        schemas.AnswerIn(accept=True, typed_name=person.name),
        "192.0.2.2",
    )
    employee = session.scalars(select(Employee).where(Employee.offer_id == offer.id)).one()
    hr = principal_for(org.users["hr_admin"])
    course = training.save_course(session, hr, training.CourseIn(**COURSE))
    me = principal_for(session.get(User, employee.user_id))
    enrolment = training.enrol(session, me, course.id)
    request = requests.create_request(
        session, me, requests.RequestIn(kind="correction", message="x")
    )
    return {
        "employee_id": employee.id,
        "course_id": course.id,
        "enrolment_id": enrolment.id,
        "selfservice_request_id": request.id,
    }


API_BODIES = {
    ("POST", "/api/v1/self/enrolments"): {"course_id": "{course_id}"},
    ("PATCH", "/api/v1/self/enrolments/{enrolment_id}"): {"progress": 10},
    ("POST", "/api/v1/development/employees/{employee_id}/reassessments"): {"dimensions": []},
    ("PUT", "/api/v1/training/courses/{course_id}"): COURSE,
    ("POST", "/api/v1/self-service/requests/{selfservice_request_id}/answer"): {
        "status": "answered",
        "answer": "x",
    },
}
FORM_BODIES = {
    ("POST", "/my/enrolments"): {"course_id": "{course_id}"},
    ("POST", "/my/enrolments/{enrolment_id}/progress"): {"progress": "10"},
    ("POST", "/training/courses/{course_id}"): {**COURSE, "capacity": "5"},
    ("POST", "/self-service/requests/{selfservice_request_id}/answer"): {
        "status": "answered",
        "answer": "x",
    },
}
