"""An erased person's interview report: gone, said so with the date, never a server error.

Every way HR reaches a report after the person was erased answers the same: the API with
410 and the code ``erased``, the page with a readable "erased on <date>" state in the reader's
language; the actions (adjust a score, conclude) are refused the same way and change nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select

from hireflow.org.auth import principal_for
from hireflow.records import service as records
from hireflow.records.models import PersonRecord, RecordEntry
from tests.conftest import bearer, login, make_user
from tests.interviews.factories import (  # noqa: F401 - fixtures
    queue_fixture,
    scored_interview,
    storage_fixture,
)


def _error_code(response) -> str:
    body = response.json()
    error = body.get("error", body)
    return error.get("code") if isinstance(error, dict) else body.get("code")


def test_every_report_endpoint_answers_410_erased(client, session, db, org, queue, storage):
    setup, interview = scored_interview(session, db, org)
    person = setup.candidate.id
    records.erase_person(session, principal_for(org.users["hr_admin"]), person)
    erased_on = session.scalar(
        select(PersonRecord.erased_at).where(PersonRecord.person_id == person)
    )
    entries = session.scalar(
        select(func.count()).select_from(RecordEntry).where(RecordEntry.person_id == person)
    )
    headers = bearer(client, org.users["hr_admin"])

    report = client.get(f"/api/v1/interviews/{interview.id}", headers=headers)
    assert report.status_code == 410, report.text
    assert _error_code(report) == "erased"
    assert erased_on.date().isoformat() in report.text

    dimension = (interview.model or {}).get("dimensions", [{}])[0].get("id", "communication")
    adjust = client.post(
        f"/api/v1/interviews/{interview.id}/adjustments",
        json={"dimension_id": dimension, "score": 3.0, "reason": "checked by hand"},
        headers=headers,
    )
    assert adjust.status_code == 410 and _error_code(adjust) == "erased", adjust.text
    conclusion = client.post(
        f"/api/v1/interviews/{interview.id}/conclusion",
        json={"decision": "advance", "conclusion": "strong answers"},
        headers=headers,
    )
    assert conclusion.status_code == 410 and _error_code(conclusion) == "erased", conclusion.text
    # nothing was added to the erased record by the refused actions
    assert (
        session.scalar(
            select(func.count()).select_from(RecordEntry).where(RecordEntry.person_id == person)
        )
        == entries
    )


def test_the_report_page_shows_the_erased_state_in_both_languages(
    client, session, db, org, queue, storage
):
    setup, interview = scored_interview(session, db, org)
    records.erase_person(session, principal_for(org.users["hr_admin"]), setup.candidate.id)
    erased_on = session.scalar(
        select(PersonRecord.erased_at).where(PersonRecord.person_id == setup.candidate.id)
    )
    day = erased_on.date().isoformat()
    login(client, org.users["hr_admin"])
    english = client.get(f"/interviews/{interview.id}", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    assert f"erased with the candidate's personal data on request on {day}" in english.text.replace(
        "&#39;", "'"
    )
    assert 'id="conclusion-form"' not in english.text and 'id="adjust-form"' not in english.text
    printable = client.get(f"/interviews/{interview.id}/print")
    assert printable.status_code == 410 and day in printable.text
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    login(client, make_user(session, org.tenant, "hr_admin", language="zh-CN"))
    chinese = client.get(f"/interviews/{interview.id}")
    assert chinese.status_code == 200
    assert f"该报告已于 {day} 随候选人的个人数据应要求删除" in chinese.text
