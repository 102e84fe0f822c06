"""Corrections kept across resumes, screening explanations, internal candidates (C6)."""

from __future__ import annotations

from sqlalchemy import select

from hireflow.candidates import service
from hireflow.candidates.models import Application, Candidate
from hireflow.core.audit import AuditEntry
from tests.conftest import bearer, make_user
from tests.openings.factories import make_opening, txt_resume

RULES = [
    {
        "text": 'education >= "bachelor" and years_in_industry("manufacturing") >= 3',
        "kind": "knockout",
    },
    {"text": 'has_skill("PLC")', "kind": "ranking", "weight": 1},
    {"text": 'has_skill("Python")', "kind": "ranking", "weight": 1},
]


def _intake(session, org, opening, data, name="r.txt"):
    result = service.intake_file(
        session, service.Importer("tests", org.tenant.id), opening.id, name, data
    )
    assert result.ok, result.to_dict()
    return result


def test_corrections_survive_a_new_resume_and_rescreen(client, session, org, regional):
    opening = make_opening(session, org, rules=RULES)
    first = _intake(session, org, opening, txt_resume(degree="大专"))
    application = session.get(Application, first.application_id)
    assert application.screening_status == "rejected"
    assert application.screening_score == 50.0
    hr = bearer(client, org.users["hr_admin"])
    corrected = client.patch(
        f"/api/v1/candidates/{first.candidate_id}/profile",
        json={
            "education": [
                {
                    "school": "浙江大学",
                    "degree": "本科",
                    "major": "机械工程",
                    "start": "2012-09",
                    "end": "2016-06",
                }
            ],
            "location": "杭州",
        },
        headers=hr,
    )
    assert corrected.status_code == 200, corrected.text
    body = corrected.json()
    assert body["profile"]["highest_degree"] == "bachelor"
    assert body["profile_parsed"]["highest_degree"] == "associate"
    assert set(body["corrections"]) == {"education", "location"}
    session.expire_all()
    assert session.get(Application, first.application_id).screening_status == "passed"
    # a newer resume of the same person does not undo the corrections
    second = _intake(
        session, org, opening, txt_resume(degree="大专", skills="PLC、Python"), "new.txt"
    )
    assert second.merged and second.candidate_id == first.candidate_id
    candidate = session.get(Candidate, first.candidate_id)
    session.refresh(candidate)
    assert candidate.profile["highest_degree"] == "bachelor" and candidate.location == "杭州"
    assert "Python" in candidate.profile["skills"]
    application = session.get(Application, first.application_id)
    session.refresh(application)
    assert application.screening_status == "passed" and application.screening_score == 100.0
    audit = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "candidate.profile_corrected")
    ).one()
    assert audit.actor_id == org.users["hr_admin"].id and "location" in audit.new_values


def test_bad_corrections_are_refused(client, session, org, regional):
    opening = make_opening(session, org)
    first = _intake(session, org, opening, txt_resume())
    hr = bearer(client, org.users["hr_admin"])
    url = f"/api/v1/candidates/{first.candidate_id}/profile"
    assert client.patch(url, json={"email": "not an address"}, headers=hr).status_code == 422
    assert client.patch(url, json={"phone": "12"}, headers=hr).status_code == 422
    assert client.patch(url, json={"name": " "}, headers=hr).status_code == 422
    assert client.patch(url, json={"years_experience": 99}, headers=hr).status_code == 422
    other = _intake(
        session,
        org,
        opening,
        txt_resume(name="张三", email="zhang@example.com", phone="13911112222", school="四川大学"),
    )
    taken = client.patch(url, json={"email": "zhang@example.com"}, headers=hr)
    assert taken.status_code == 409 and other.candidate_id
    # interviewers and managers read but do not correct
    for role in ("interviewer", "hiring_manager"):
        assert client.patch(
            url, json={"location": "x"}, headers=bearer(client, org.users[role])
        ).status_code in (403, 404)


def test_explanations_on_the_opening_list(client, session, org, regional):
    opening = make_opening(session, org, rules=RULES)
    _intake(session, org, opening, txt_resume())
    _intake(
        session,
        org,
        opening,
        txt_resume(
            name="赵磊",
            email="zhao@example.com",
            phone="13600001111",
            degree="大专",
            school="四川大学",
        ),
    )
    response = client.get(
        f"/api/v1/openings/{opening.id}/applications",
        headers=bearer(client, org.users["recruiter"]),
    )
    rows = response.json()
    assert [r["screening_status"] for r in rows] == ["passed", "rejected"]
    rejected = rows[1]["screening"]["outcomes"][0]
    assert rejected["passed"] is False and "✗" in rejected["explanation"]["zh"]
    assert "education" in rejected["explanation"]["en"]
    only = client.get(
        f"/api/v1/openings/{opening.id}/applications",
        params={"status": "passed"},
        headers=bearer(client, org.users["recruiter"]),
    ).json()
    assert [r["candidate_name"] for r in only] == ["王芳"]


def test_interview_rules_wait_for_results(client, session, org, regional):
    from hireflow.records import service as records
    from hireflow.records.service import SystemActor

    rules = [{"text": 'score("communication") >= 8.5 and mentions("客户案例") >= 1'}]
    opening = make_opening(session, org, rules=rules)
    result = _intake(session, org, opening, txt_resume())
    assert session.get(Application, result.application_id).screening_status == "pending"
    records.record_interview_report(
        session,
        SystemActor("tests", tenant_id=org.tenant.id),
        result.candidate_id,
        opening_id=opening.id,
        interview_id=None,
        scores={"communication": 8.7},
        summary="讲述了两个客户案例，条理清楚。",
        status=None,
    )
    assert service.rescreen_opening(session, opening.id) == 1
    application = session.get(Application, result.application_id)
    session.refresh(application)
    assert application.screening_status == "passed"


def test_internal_candidates_ratings_visible_by_permission(client, session, org, regional):
    opening = make_opening(session, org)
    result = _intake(session, org, opening, txt_resume())
    url = f"/api/v1/candidates/{result.candidate_id}/performance"
    hr = bearer(client, org.users["hr_admin"])
    added = client.post(
        url, json={"period": "2024H2", "rating": 4.5, "comment": "超额完成产线改造"}, headers=hr
    )
    assert added.status_code == 201
    assert client.post(url, json={"period": "2024H2", "rating": 6}, headers=hr).status_code == 422
    assert session.get(Candidate, result.candidate_id).is_internal
    # HR and the department's manager see the rating; recruiters and interviewers do not
    manager = client.get(url, headers=bearer(client, org.users["hiring_manager"]))
    assert manager.status_code == 200 and manager.json()[0]["rating"] == 4.5
    for role in ("recruiter", "interviewer"):
        assert client.get(url, headers=bearer(client, org.users[role])).status_code == 403
        assert (
            client.post(
                url, json={"period": "2025", "rating": 3}, headers=bearer(client, org.users[role])
            ).status_code
            == 403
        )
    other_manager = make_user(session, org.tenant, "hiring_manager", department=org.departments[2])
    assert client.get(url, headers=bearer(client, other_manager)).status_code == 404


def test_portrait(client, session, org, regional):
    from hireflow.records import service as records
    from hireflow.records.service import SystemActor

    opening = make_opening(session, org, requirements={"education": "bachelor", "skills": ["PLC"]})
    result = _intake(session, org, opening, txt_resume())
    records.record_interview_report(
        session,
        SystemActor("tests", tenant_id=org.tenant.id),
        result.candidate_id,
        opening_id=opening.id,
        interview_id=None,
        scores={
            "safety_awareness": 9.0,
            "teamwork": 8.2,
            "communication": 5.5,
            "planning_execution": 7.8,
        },
        status=None,
    )
    data = client.get(
        f"/api/v1/candidates/{result.candidate_id}/portrait",
        headers=bearer(client, org.users["hr_admin"]),
    ).json()
    assert data["suits"][0]["job_type"] == "production"
    assert any("安全意识" in s["zh"] for s in data["strengths"])
    assert any("Communication" in s["en"] for s in data["development"])
    assert data["openings"][0]["opening_id"] == opening.id
