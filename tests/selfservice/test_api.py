"""The self-service API with the person's own bearer token; API keys never reach it."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.org.auth import issue_token
from hireflow.selfservice.models import Enrolment
from tests.conftest import bearer
from tests.selfservice.factories import add_course, hired_employee


def test_own_report_development_and_enrolment_by_bearer(client, session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    headers = bearer(client, hired.user)
    reports = client.get("/api/v1/self/report", headers=headers)
    assert reports.status_code == 200
    (report,) = reports.json()
    assert report["interview_id"] == hired.interview.id
    assert {"follow_ups", "notes", "answers", "conclusion"}.isdisjoint(report)
    plan = client.get("/api/v1/self/development", headers=headers).json()["plan"]
    course = add_course(session, org, plan[0]["dimension"])
    made = client.post("/api/v1/self/enrolments", json={"course_id": course.id}, headers=headers)
    assert made.status_code == 201 and made.json()["status"] == "enrolled"
    bad = client.patch(
        f"/api/v1/self/enrolments/{made.json()['id']}", json={"progress": -1}, headers=headers
    )
    assert bad.status_code == 422
    done = client.patch(
        f"/api/v1/self/enrolments/{made.json()['id']}", json={"progress": 100}, headers=headers
    )
    assert done.json()["status"] == "completed"
    assert client.get("/api/v1/training/courses", headers=headers).status_code == 200
    assert client.post("/api/v1/training/courses", json={}, headers=headers).status_code in (
        403,
        422,
    )
    # HR sees the completion in the development overview
    hr = bearer(client, org.users["hr_admin"])
    rows = client.get("/api/v1/development/employees", headers=hr).json()
    mine = next(r for r in rows if r["employee_id"] == hired.employee.id)
    assert [e["status"] for e in mine["enrolments"]] == ["completed"]


def test_an_api_key_of_the_employee_reaches_none_of_it(client, session, db, org, queue, storage):
    hired = hired_employee(session, db, org)
    raw, _row = issue_token(session, hired.user, "api_key", name="mine")
    session.commit()
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/self/report", headers=headers).status_code == 403
    course = add_course(session, org, "communication")
    refused = client.post("/api/v1/self/enrolments", json={"course_id": course.id}, headers=headers)
    assert refused.status_code == 403
    assert session.scalars(select(Enrolment)).all() == []
