"""Reads of personal data leave an audit row naming who saw whose data (ids, never data)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from tests.conftest import bearer, login
from tests.openings.factories import make_opening, txt_resume


@pytest.fixture
def world(client, session, org, regional):
    """An opening with one uploaded candidate; the recruiter's bearer headers."""
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    response = client.post(
        f"/api/v1/openings/{opening.id}/resumes",
        files=[("files", ("wang.txt", txt_resume(), "text/plain"))],
        headers=headers,
    )
    assert response.status_code == 200, response.text
    candidate_id = response.json()["results"][0]["candidate_id"]
    return {"opening": opening, "candidate_id": candidate_id, "headers": headers}


def _rows(session, action: str) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/api/v1/candidates/{candidate}/portrait", "candidate.portrait_viewed"),
        ("/api/v1/candidates/{candidate}/performance", "candidate.performance_viewed"),
        ("/api/v1/candidates", "candidates.listed"),
        ("/api/v1/openings/{opening}/applications", "applications.listed"),
    ],
)
def test_api_reads_of_candidates_are_audited(client, session, org, world, path, action):
    if "performance" in path:
        world["headers"] = bearer(client, org.users["hr_admin"])
    url = path.format(candidate=world["candidate_id"], opening=world["opening"].id)
    response = client.get(url, headers=world["headers"])
    assert response.status_code == 200, response.text
    rows = _rows(session, action)
    assert len(rows) == 1
    row = rows[0]
    assert row.target_type == "candidate" and row.target_id == str(world["candidate_id"])
    assert row.actor_id in (org.users["recruiter"].id, org.users["hr_admin"].id)
    assert "王芳" not in str(row.new_values) and "13812345678" not in str(row.new_values)


def test_a_list_read_names_every_person_shown(client, session, world, org, regional):
    second = client.post(
        f"/api/v1/openings/{world['opening'].id}/resumes",
        files=[
            (
                "files",
                ("li.txt", txt_resume("李雷", "li.lei@example.com", "13900001111"), "text/plain"),
            )
        ],
        headers=world["headers"],
    )
    other = second.json()["results"][0]["candidate_id"]
    client.get(f"/api/v1/openings/{world['opening'].id}/applications", headers=world["headers"])
    (row,) = _rows(session, "applications.listed")
    assert row.target_id == ""
    assert row.new_values["count"] == 2
    assert sorted(row.new_values["ids"]) == sorted([world["candidate_id"], other])


def test_an_empty_list_leaves_no_row(client, session, org):
    headers = bearer(client, org.users["recruiter"])
    assert client.get("/api/v1/candidates?q=nobody-matches-this", headers=headers).json() == []
    assert _rows(session, "candidates.listed") == []


def test_pages_listing_candidates_are_audited(client, session, org, world):
    login(client, org.users["recruiter"])
    assert client.get("/candidates").status_code == 200
    assert client.get(f"/openings/{world['opening'].id}").status_code == 200
    assert [r.target_id for r in _rows(session, "candidates.listed")] == [
        str(world["candidate_id"])
    ]
    assert [r.target_id for r in _rows(session, "applications.listed")] == [
        str(world["candidate_id"])
    ]


def test_staff_directory_and_outbox_reads_are_audited(client, session, org):
    headers = bearer(client, org.users["hr_admin"])
    user_id = org.users["recruiter"].id
    assert client.get(f"/api/v1/org/users/{user_id}", headers=headers).status_code == 200
    assert [r.target_id for r in _rows(session, "user.viewed")] == [str(user_id)]
    assert client.get("/api/v1/org/users", headers=headers).status_code == 200
    (listed,) = _rows(session, "users.listed")
    assert listed.new_values["count"] >= len(org.users)


def test_interview_and_record_lists_are_audited(client, session, org, world):
    headers = bearer(client, org.users["hr_admin"])
    assert client.get("/api/v1/records", headers=headers).status_code == 200
    listed = _rows(session, "records.listed")
    assert listed and str(world["candidate_id"]) in (
        [r.target_id for r in listed] + [str(i) for r in listed for i in r.new_values["ids"]]
    )
    login(client, org.users["hr_admin"])
    assert client.get("/records").status_code == 200
    assert len(_rows(session, "records.listed")) == len(listed) + 1


def test_the_matches_page_is_audited_like_the_api(client, session, org, world):
    login(client, org.users["recruiter"])
    assert client.get(f"/openings/{world['opening'].id}/matches").status_code == 200
    page_rows = _rows(session, "candidates.matched")
    api = client.get(
        f"/api/v1/openings/{world['opening'].id}/matches", headers=world["headers"]
    ).json()
    assert api, "the pool has a candidate to match"
    assert len(page_rows) == 1
    assert page_rows[0].actor_id == org.users["recruiter"].id
    assert "王芳" not in str(page_rows[0].new_values)
