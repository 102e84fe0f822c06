"""HR's live view shows candidates' names and progress: each read leaves an audit row naming
the interviews shown (ids only, never the data), like every other list of people."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.interviews import candidate
from tests.conftest import bearer, login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    TAB,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)


def _rows(session) -> list[AuditEntry]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEntry).where(AuditEntry.action == "interviews.live_listed"))
    )


@pytest.mark.parametrize("path", ["/interviews/live", "/interviews/live/rows"])
def test_the_live_pages_audit_who_saw_which_interviews(client, session, org, queue, path):
    setup = make_setup(session, org)
    interview = started(session, setup)
    candidate.open_question(session, interview, interview.questions[0]["id"], TAB)
    login(client, org.users["recruiter"])

    page = client.get(path)

    assert page.status_code == 200 and setup.candidate.name in page.text
    (row,) = _rows(session)
    assert row.actor_id == org.users["recruiter"].id
    assert row.target_type == "interview" and row.target_id == str(interview.id)
    assert row.new_values == {"count": 1, "ids": [interview.id]}
    assert setup.candidate.name not in str(row.new_values)


def test_the_live_api_audits_the_read(client, session, org, queue):
    setup = make_setup(session, org)
    interview = started(session, setup)
    headers = bearer(client, org.users["recruiter"])

    response = client.get("/api/v1/interviews/live", headers=headers)

    assert response.status_code == 200 and [r["id"] for r in response.json()] == [interview.id]
    (row,) = _rows(session)
    assert row.new_values == {"count": 1, "ids": [interview.id]}


def test_an_empty_live_view_leaves_no_row(client, session, org):
    login(client, org.users["recruiter"])
    assert client.get("/interviews/live").status_code == 200
    assert _rows(session) == []
