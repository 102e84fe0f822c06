"""What became of a hire (SPEC I2): HR and the department's hiring manager record performance
ratings, the probation result and the leaving date and reason, each audited; other roles,
other departments and other companies get 403/404; bad input is refused per field."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hireflow.candidates.models import PerformanceRating
from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.core.permissions import Role
from hireflow.offers import outcomes, schemas
from hireflow.org.auth import principal_for
from tests.conftest import bearer, login, make_org, make_user


def _actions(session, employee):
    return [
        (a.action, a.new_values)
        for a in session.scalars(
            select(AuditEntry)
            .where(AuditEntry.target_type == "employee", AuditEntry.target_id == str(employee.id))
            .order_by(AuditEntry.id)
        )
    ]


def test_hr_and_the_manager_record_outcomes_audited(session, org, employee):
    hr = principal_for(org.users["hr_admin"])
    manager = principal_for(org.users["hiring_manager"])
    person = employee.person_id
    outcomes.record_rating(
        session, hr, person, schemas.EmployeeRatingIn(period="2026-H1", rating=4)
    )
    outcomes.record_rating(
        session,
        manager,
        person,
        schemas.EmployeeRatingIn(period="2026-H1", rating=3.5, comment="steady"),
    )
    outcomes.record_rating(
        session, manager, person, schemas.EmployeeRatingIn(period="2026-Q3", rating=5)
    )
    rows = session.scalars(
        select(PerformanceRating).where(PerformanceRating.candidate_id == person)
    ).all()
    assert sorted((r.period, r.rating) for r in rows) == [("2026-H1", 3.5), ("2026-Q3", 5.0)]
    outcomes.set_probation(session, manager, person, schemas.ProbationIn(result="extended"))
    last = employee.start_date + timedelta(days=200)
    outcomes.set_leaving(session, hr, person, schemas.LeavingIn(left_on=last, reason="resigned"))
    assert (employee.probation_result, employee.left_on, employee.leaving_reason) == (
        "extended",
        last,
        "resigned",
    )
    outcomes.set_leaving(session, hr, person, schemas.LeavingIn())  # cleared: still employed
    assert employee.left_on is None and employee.leaving_reason is None
    assert [a for a, _ in _actions(session, employee)] == [
        "employee.created",
        "employee.rating_recorded",
        "employee.rating_recorded",
        "employee.rating_recorded",
        "employee.probation_set",
        "employee.leaving_set",
        "employee.leaving_set",
    ]
    found = outcomes.outcomes(session, manager, person)
    assert [r.period for r in found.ratings] == ["2026-Q3", "2026-H1"] and found.name == "Sun Li"


def test_bad_input_and_who_may(session, org, employee):
    hr = principal_for(org.users["hr_admin"])
    person = employee.person_id
    for period in ("2026-13", "26", "2026-Q5", "next year", ""):
        with pytest.raises(ValueError):
            schemas.EmployeeRatingIn(period=period, rating=3)
    for rating in (0, 5.5, -1):
        with pytest.raises(ValueError):
            schemas.EmployeeRatingIn(period="2026", rating=rating)
    with pytest.raises(ValueError):
        schemas.ProbationIn(result="maybe")
    with pytest.raises(ValidationFailed) as half:
        outcomes.set_leaving(session, hr, person, schemas.LeavingIn(left_on=employee.start_date))
    assert half.value.fields == {"reason": "required"}
    with pytest.raises(ValidationFailed) as early:
        day = employee.start_date - timedelta(days=1)
        outcomes.set_leaving(session, hr, person, schemas.LeavingIn(left_on=day, reason="other"))
    assert early.value.fields == {"left_on": "early"}
    rating = schemas.EmployeeRatingIn(period="2026", rating=3)
    for role in ("recruiter", "interviewer", "it_auditor"):
        with pytest.raises(Forbidden):
            outcomes.record_rating(session, principal_for(org.users[role]), person, rating)
    elsewhere = make_user(session, org.tenant, "hiring_manager", department=org.departments[1])
    with pytest.raises(NotFound):
        outcomes.record_rating(session, principal_for(elsewhere), person, rating)
    with pytest.raises(NotFound):
        outcomes.outcomes(session, principal_for(make_org(session).users["hr_admin"]), person)
    # the employee themself reads none of it here
    me = principal_for(session.get(type(org.users["hr_admin"]), employee.user_id))
    assert Role.EMPLOYEE in me.roles
    with pytest.raises(Forbidden):
        outcomes.outcomes(session, me, person)
    assert [a for a, _ in _actions(session, employee)] == ["employee.created"]


def test_page_and_api(session, org, employee, client):
    person = employee.person_id
    login(client, org.users["hiring_manager"])
    page = client.get(f"/people/{person}/outcomes")
    assert page.status_code == 200 and 'id="rating-form"' in page.text
    saved = client.post(
        f"/people/{person}/outcomes/ratings",
        data={"period": "2026", "rating": "4.5"},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert 'data-period="2026"' in client.get(saved.headers["location"]).text
    bad = client.post(f"/people/{person}/outcomes/ratings", data={"period": "soon", "rating": "9"})
    assert (
        bad.status_code == 422 and 'id="outcome-error"' in bad.text and 'value="soon"' in bad.text
    )
    half = client.post(
        f"/people/{person}/outcomes/leaving", data={"left_on": str(employee.start_date)}
    )
    assert half.status_code == 422
    done = client.post(
        f"/people/{person}/outcomes/probation", data={"result": "passed"}, follow_redirects=False
    )
    assert done.status_code == 303
    assert client.post(f"/people/{person}/outcomes/salary", data={}).status_code in (404, 405)
    assert client.get(f"/people/{person}/onboarding").text.count('id="outcomes-link"') == 1
    headers = bearer(client, org.users["hr_admin"])
    api = client.get(f"/api/v1/people/{person}/outcomes", headers=headers)
    assert api.status_code == 200
    body = api.json()
    assert body["probation_result"] == "passed" and body["ratings"][0]["rating"] == 4.5
    made = client.post(
        f"/api/v1/people/{person}/ratings", json={"period": "2026-07", "rating": 2}, headers=headers
    )
    assert made.status_code == 201
    assert (
        client.post(
            f"/api/v1/people/{person}/ratings",
            json={"period": "2026-7", "rating": 2},
            headers=headers,
        ).status_code
        == 422
    )
    left = client.put(
        f"/api/v1/people/{person}/leaving",
        json={"left_on": str(employee.start_date + timedelta(days=90)), "reason": "dismissed"},
        headers=headers,
    )
    assert left.status_code == 200 and left.json()["leaving_reason"] == "dismissed"
    assert (
        client.put(
            f"/api/v1/people/{person}/probation", json={"result": "maybe"}, headers=headers
        ).status_code
        == 422
    )
    recruiter = bearer(client, org.users["recruiter"])
    assert client.get(f"/api/v1/people/{person}/outcomes", headers=recruiter).status_code == 403
    outsider = bearer(client, make_org(session).users["hr_admin"])
    assert client.get(f"/api/v1/people/{person}/outcomes", headers=outsider).status_code == 404
    assert client.get("/api/v1/people/999999/outcomes", headers=headers).status_code == 404
