"""Outcomes on the HR record: each recorded rating, probation result and leaving date becomes
an ``outcome`` entry on the person's chained, encrypted timeline, once per change; the chain
verifies; the record page words it in zh, en and ja; another company sees nothing of it; a
refused input writes no entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hireflow.core.errors import NotFound, ValidationFailed
from hireflow.core.i18n import gettext_for
from hireflow.offers import outcomes, schemas
from hireflow.org.auth import principal_for
from hireflow.records import queries
from hireflow.records.integrity import verify_person
from hireflow.records.models import RecordEntry
from hireflow.records.payloads import decrypt_payload
from hireflow.records.presenting import Presenter
from tests.conftest import bearer, login, make_org


def _outcomes(session, person_id: int) -> list[RecordEntry]:
    session.expire_all()
    return list(
        session.scalars(
            select(RecordEntry)
            .where(RecordEntry.person_id == person_id, RecordEntry.type == "outcome")
            .order_by(RecordEntry.seq)
        )
    )


def _record_all(session, org, employee) -> None:
    hr = principal_for(org.users["hr_admin"])
    manager = principal_for(org.users["hiring_manager"])
    person = employee.person_id
    outcomes.record_rating(
        session, hr, person, schemas.EmployeeRatingIn(period="2026-H1", rating=4)
    )
    rating = schemas.EmployeeRatingIn(period="2026-H1", rating=3.5, comment="稳定，沟通好")
    outcomes.record_rating(session, manager, person, rating)
    outcomes.record_rating(session, manager, person, rating)  # the same again: no entry
    outcomes.set_probation(session, manager, person, schemas.ProbationIn(result="passed"))
    outcomes.set_probation(session, hr, person, schemas.ProbationIn(result="passed"))  # same
    last = employee.start_date + timedelta(days=200)
    leaving = schemas.LeavingIn(left_on=last, reason="resigned")
    outcomes.set_leaving(session, hr, person, leaving)
    outcomes.set_leaving(session, hr, person, leaving)  # same
    outcomes.set_leaving(session, hr, person, schemas.LeavingIn())  # cleared


def test_each_change_is_one_chained_entry(session, org, employee):
    _record_all(session, org, employee)
    person = employee.person_id
    entries = _outcomes(session, person)
    assert [e.facts["outcome"] for e in entries] == [
        "rating",
        "rating",
        "probation",
        "leaving",
        "leaving_cleared",
    ]
    first, second, probation, leaving, cleared = entries
    assert all(e.source == "outcomes" and e.tenant_id == employee.tenant_id for e in entries)
    assert all(e.facts["employee_id"] == employee.id for e in entries)
    assert all(e.actor_label == "system:employee-outcomes" for e in entries)
    assert (first.facts["period"], first.facts["rating"]) == ("2026-H1", "4")
    assert "previous_rating" not in first.facts and decrypt_payload(first) is None
    assert (second.facts["rating"], second.facts["previous_rating"]) == ("3.5", "4")
    # the comment is personal: encrypted in the entry's data, never a plaintext fact
    assert decrypt_payload(second) == {"comment": "稳定，沟通好"}
    assert "稳定" not in str(second.facts)
    assert probation.facts["result"] == "passed" and "previous_result" not in probation.facts
    assert leaving.facts["reason"] == "resigned"
    assert leaving.facts["left_on"] == (employee.start_date + timedelta(days=200)).isoformat()
    assert "left_on" not in cleared.facts
    assert [e.seq for e in entries] == sorted(e.seq for e in entries)
    assert verify_person(session, person).ok


@pytest.mark.parametrize(
    ("language", "rating", "probation", "leaving", "cleared"),
    [
        ("en", "Performance rating for 2026-H1: 3.5 / 5", "Probation: Passed", "Resigned", None),
        ("zh-CN", "2026-H1 绩效评分：3.5 / 5", "试用期：", "离职", None),
        ("ja", "2026-H1 の業績評価：3.5 / 5", "試用期間：", "退職", None),
    ],
)
def test_the_record_words_them(
    session, org, employee, language, rating, probation, leaving, cleared
):
    _record_all(session, org, employee)
    words = Presenter(language, gettext_for(language))
    _, second, passed, left, gone = _outcomes(session, employee.person_id)
    shown = words.entry(second, decrypt_payload(second))
    assert shown.headline == rating and shown.text == "稳定，沟通好"
    assert shown.lines and shown.lines[0][1] == "4 / 5"
    assert words.entry(passed, None).headline.startswith(probation)
    headline = words.entry(left, None).headline
    assert str(employee.start_date + timedelta(days=200)) in headline and leaving in headline
    assert words.entry(gone, None).headline


def test_the_record_page_shows_them_to_the_company_only(session, org, employee, client):
    _record_all(session, org, employee)
    person = employee.person_id
    login(client, org.users["hr_admin"])
    page = client.get(f"/records/{person}")
    assert page.status_code == 200
    assert "Performance rating for 2026-H1: 3.5 / 5" in page.text
    assert "稳定，沟通好" in page.text
    view = queries.view_record(session, principal_for(org.users["hr_admin"]), person)
    assert sum(e.entry.type == "outcome" for e in view.entries) == 5
    other = make_org(session)
    with pytest.raises(NotFound):
        queries.view_record(session, principal_for(other.users["hr_admin"]), person)
    outsider = bearer(client, other.users["hr_admin"])
    assert client.get(f"/api/v1/records/{person}", headers=outsider).status_code == 404
    # another company's outcome calls reach neither the person nor their record
    rating = schemas.EmployeeRatingIn(period="2026", rating=2)
    with pytest.raises(NotFound):
        outcomes.record_rating(session, principal_for(other.users["hr_admin"]), person, rating)
    assert len(_outcomes(session, person)) == 5


def test_refused_input_writes_no_entry(session, org, employee, client):
    hr = principal_for(org.users["hr_admin"])
    person = employee.person_id
    with pytest.raises(ValidationFailed):
        outcomes.set_leaving(session, hr, person, schemas.LeavingIn(left_on=employee.start_date))
    with pytest.raises(ValidationFailed):
        day = employee.start_date - timedelta(days=1)
        outcomes.set_leaving(session, hr, person, schemas.LeavingIn(left_on=day, reason="other"))
    session.rollback()
    headers = bearer(client, org.users["hr_admin"])
    for body in ({"period": "2026-7", "rating": 2}, {"period": "2026", "rating": 9}, {}):
        made = client.post(f"/api/v1/people/{person}/ratings", json=body, headers=headers)
        assert made.status_code == 422
    put = client.put(
        f"/api/v1/people/{person}/probation", json={"result": "maybe"}, headers=headers
    )
    assert put.status_code == 422
    assert _outcomes(session, person) == []
    assert verify_person(session, person).ok
