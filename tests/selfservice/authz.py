"""How the authorization sweep reaches the self-service routes with another tenant's objects:
an employee hired through the offer flow, enrolled in a course of their company's catalogue,
with a request about their data."""

from __future__ import annotations

from hireflow.offers.models import Employee, OnboardingTask
from hireflow.org.auth import principal_for
from hireflow.org.models import User
from hireflow.selfservice import requests, training
from tests.offers.authz import foreign_params as offer_params

COURSE = {
    "competency": "communication",
    "title_zh": "沟通",
    "title_en": "Communication",
    "capacity": 5,
}


def foreign_params(session, org) -> dict[str, int]:
    """The offers sweep's hired employee, enrolled in a course, with a request."""
    task = session.get(OnboardingTask, offer_params(session, org)["onboarding_task_id"])
    employee = session.get(Employee, task.employee_id)
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
