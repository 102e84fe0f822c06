"""Openings through the API: create, edit, status, members, competency model, plan, rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.openings.models import Opening
from hireflow.openings.plans import plan_warnings
from tests.conftest import bearer
from tests.openings.factories import make_opening

DICTIONARIES = Path(__file__).resolve().parent.parent / "data" / "scoring" / "dictionaries"


def _create(client, headers, org, **extra):
    body = {
        "title": "机械工程师",
        "department_id": org.departments[0].id,
        "location": "苏州",
        "job_type": "production",
        "description": "负责生产线设备设计与改进，推进自动化改造。",
        "requirements": {
            "education": "本科",
            "years": 3,
            "skills": "AutoCAD, PLC",
            "industry": "制造业",
        },
        **extra,
    }
    return client.post("/api/v1/openings", json=body, headers=headers)


def test_recruiter_creates_and_owns_an_opening(client, session, org):
    headers = bearer(client, org.users["recruiter"])
    response = _create(client, headers, org)
    assert response.status_code == 201, response.text
    data = response.json()
    assert data["status"] == "draft"
    assert data["requirements"] == {
        "education": "bachelor",
        "majors": [],
        "years": 3.0,
        "industry": "制造业",
        "skills": ["AutoCAD", "PLC"],
    }
    # the job type's preset, with the manufacturing variants
    dims = [d["id"] for d in data["competency_model"]["dimensions"]]
    assert dims[0] == "safety_awareness" and data["competency_model"]["industry"] == "manufacturing"
    assert {"user_id": org.users["recruiter"].id, "role": "owner"} in data["members"]
    # the recruiter sees their own opening
    assert client.get(f"/api/v1/openings/{data['id']}", headers=headers).status_code == 200
    audit = session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "opening.created", AuditEntry.target_id == str(data["id"])
        )
    ).one()
    assert audit.actor_id == org.users["recruiter"].id


def test_who_may_create(client, session, org):
    for role in ("hiring_manager", "interviewer", "it_auditor", "candidate", "employee"):
        assert _create(client, bearer(client, org.users[role]), org).status_code == 403, role
    headers = bearer(client, org.users["hr_admin"])
    bad = _create(client, headers, org, requirements={"education": "graduate"})
    assert bad.status_code == 422 and "requirements.education" in bad.json()["error"]["fields"]
    wrong_owner = _create(client, headers, org, owner_ids=[org.users["candidate"].id])
    assert wrong_owner.status_code == 422


def test_edit_status_and_members(client, session, org):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    edited = client.patch(
        f"/api/v1/openings/{opening.id}",
        json={"title": "高级机械工程师", "pass_threshold": 7.5, "headcount": 3},
        headers=headers,
    )
    assert edited.status_code == 200
    assert edited.json()["title"] == "高级机械工程师" and edited.json()["headcount"] == 3
    assert (
        client.post(
            f"/api/v1/openings/{opening.id}/status", json={"status": "closed"}, headers=headers
        ).status_code
        == 200
    )
    again = client.post(
        f"/api/v1/openings/{opening.id}/status", json={"status": "draft"}, headers=headers
    )
    assert again.status_code == 409
    assert (
        client.post(
            f"/api/v1/openings/{opening.id}/status", json={"status": "open"}, headers=headers
        ).json()["status"]
        == "open"
    )
    members = client.put(
        f"/api/v1/openings/{opening.id}/members",
        json={
            "owner_ids": [org.users["hr_admin"].id],
            "interviewer_ids": [org.users["interviewer"].id],
        },
        headers=bearer(client, org.users["hr_admin"]),
    )
    assert members.status_code == 200
    # the recruiter is no longer an owner: the opening is gone for them
    assert client.get(f"/api/v1/openings/{opening.id}", headers=headers).status_code == 404
    # the hiring manager of the department reads it but cannot change it
    manager = bearer(client, org.users["hiring_manager"])
    assert client.get(f"/api/v1/openings/{opening.id}", headers=manager).status_code == 200
    assert (
        client.patch(
            f"/api/v1/openings/{opening.id}", json={"title": "x"}, headers=manager
        ).status_code
        == 403
    )
    actions = set(
        session.scalars(select(AuditEntry.action).where(AuditEntry.target_id == str(opening.id)))
    )
    assert {"opening.updated", "opening.status_changed", "opening.members_set"} <= actions


def test_competency_model_from_presets_and_a_dictionary(client, session, org):
    opening = make_opening(session, org, job_type="sales")
    headers = bearer(client, org.users["hr_admin"])
    chosen = client.put(
        f"/api/v1/openings/{opening.id}/competency-model",
        json={
            "source": "competencies",
            "competencies": ["communication", "customer_orientation"],
            "industry": "retail",
        },
        headers=headers,
    )
    assert chosen.status_code == 200
    assert [d["id"] for d in chosen.json()["competency_model"]["dimensions"]] == [
        "communication",
        "customer_orientation",
    ]
    unknown = client.put(
        f"/api/v1/openings/{opening.id}/competency-model",
        json={"source": "competencies", "competencies": ["telepathy"]},
        headers=headers,
    )
    assert unknown.status_code == 422
    with (DICTIONARIES / "plant_zh.csv").open("rb") as handle:
        imported = client.post(
            f"/api/v1/openings/{opening.id}/competency-model/dictionary",
            files={"file": ("plant_zh.csv", handle, "text/csv")},
            headers=headers,
        )
    assert imported.status_code == 200, imported.text
    dims = imported.json()["competency_model"]["dimensions"]
    assert dims[0]["id"] == "safety" and dims[0]["name"]["zh"] == "安全意识"
    with (DICTIONARIES / "bad_values.csv").open("rb") as handle:
        bad = client.post(
            f"/api/v1/openings/{opening.id}/competency-model/dictionary",
            files={"file": ("bad_values.csv", handle, "text/csv")},
            headers=headers,
        )
    assert bad.status_code == 422
    assert any(
        "row" in key or "row" in str(value) for key, value in bad.json()["error"]["fields"].items()
    )
    wrong = client.post(
        f"/api/v1/openings/{opening.id}/competency-model/dictionary",
        files={"file": ("model.exe", b"MZ", "application/octet-stream")},
        headers=headers,
    )
    assert wrong.status_code == 422


@pytest.mark.slow
def test_plan_is_generated_and_edited(client, session, org):
    opening = make_opening(
        session,
        org,
        job_type="customer_service",
        description="处理客户投诉和售后咨询，维护客户关系，记录并反馈产品问题。",
    )
    headers = bearer(client, org.users["recruiter"])
    generated = client.post(
        f"/api/v1/openings/{opening.id}/plan", json={"budget_minutes": 30}, headers=headers
    )
    assert generated.status_code == 200, generated.text
    plan = generated.json()["interview_plan"]
    assert plan["budget_minutes"] == 30 and plan["total_seconds"] <= 30 * 60
    questions = [item["question"]["id"] for item in plan["items"]]
    assert len(questions) >= 5
    # remove one question through the API by saving the edited plan
    plan["items"] = [i for i in plan["items"] if i["question"]["id"] != questions[1]]
    saved = client.put(f"/api/v1/openings/{opening.id}/plan", json={"plan": plan}, headers=headers)
    assert saved.status_code == 200
    assert questions[1] not in [
        i["question"]["id"] for i in saved.json()["interview_plan"]["items"]
    ]
    # dropping every question on one dimension warns, naming it in both languages
    first_dim = next(d for i in plan["items"] for d in i["question"]["dimensions"])
    lonely = [i for i in plan["items"] if first_dim not in i["question"]["dimensions"]]
    client.put(
        f"/api/v1/openings/{opening.id}/plan",
        json={"plan": {**plan, "items": lonely}},
        headers=headers,
    )
    session.refresh(opening)
    label = next(d["name"] for d in opening.competency_model["dimensions"] if d["id"] == first_dim)
    warnings = plan_warnings(opening)
    assert {
        "zh": f"没有问题考察维度「{label['zh']}」",
        "en": f"No question assesses {label['en']}",
    } in (warnings)
    # a plan naming a dimension outside the model is refused
    plan["items"][-1]["question"]["dimensions"] = ["telepathy"]
    plan["items"][-1]["question"]["kind"] = "behavioural"
    refused = client.put(
        f"/api/v1/openings/{opening.id}/plan", json={"plan": plan}, headers=headers
    )
    assert refused.status_code == 422
    # a broken plan is refused with the field that is wrong
    broken = client.put(
        f"/api/v1/openings/{opening.id}/plan", json={"plan": {"items": "x"}}, headers=headers
    )
    assert broken.status_code == 422


def test_rules_are_compiled_on_save_with_the_error_position(client, session, org):
    opening = make_opening(session, org)
    headers = bearer(client, org.users["recruiter"])
    bad = client.put(
        f"/api/v1/openings/{opening.id}/screening-rules",
        json={"rules": [{"text": 'education >= "bachelor"'}, {"text": "years_experience >= >= 3"}]},
        headers=headers,
    )
    assert bad.status_code == 422
    problem = bad.json()["error"]["fields"]["rules.1"]
    assert problem["code"] == "syntax" and problem["line"] == 1 and problem["column"] == 21
    assert "^" in problem["excerpt"] and problem["message"]["zh"]
    assert "line 1, column 21" in bad.json()["error"]["message"]
    unknown = client.put(
        f"/api/v1/openings/{opening.id}/screening-rules",
        json={"rules": [{"text": 'educaton >= "bachelor"'}]},
        headers=headers,
    )
    assert (
        "did you mean 'education'" in unknown.json()["error"]["fields"]["rules.0"]["message"]["en"]
    )
    session.refresh(opening)
    assert opening.screening_rules == []
    good = client.put(
        f"/api/v1/openings/{opening.id}/screening-rules",
        json={
            "rules": [
                {"text": 'education >= "本科"', "kind": "knockout"},
                {"text": 'has_skill("PLC")', "kind": "ranking", "weight": 2},
            ]
        },
        headers=headers,
    )
    assert good.status_code == 200
    assert [r["kind"] for r in good.json()["screening_rules"]] == ["knockout", "ranking"]
    built = client.post(
        "/api/v1/openings/screening-rules/build",
        json={
            "min_education": "本科",
            "majors": "机械工程, mechanical engineering",
            "industry": "manufacturing",
            "min_industry_years": 3,
        },
        headers=headers,
    )
    assert built.json()["text"] == (
        'education >= "bachelor" and major in ["机械工程", "mechanical engineering"] '
        'and years_in_industry("manufacturing") >= 3'
    )
    empty = client.post("/api/v1/openings/screening-rules/build", json={}, headers=headers)
    assert empty.status_code == 422


def test_catalogue_lists_presets(client, org):
    data = client.get(
        "/api/v1/openings/catalogue", headers=bearer(client, org.users["recruiter"])
    ).json()
    assert {c["id"] for c in data["competencies"]} >= {"communication", "safety_awareness"}
    assert {t["id"] for t in data["job_types"]} >= {"technical", "sales"}


def test_department_scope_for_lists(client, session, org):
    mine = make_opening(session, org, 0)
    other = make_opening(session, org, 2, owner=False)
    manager = bearer(client, org.users["hiring_manager"])
    ids = {o["id"] for o in client.get("/api/v1/openings", headers=manager).json()}
    assert mine.id in ids and other.id not in ids
    assert session.get(Opening, other.id) is not None


def test_only_an_unused_draft_is_deleted(client, session, org, regional):
    from tests.openings.factories import txt_resume

    headers = bearer(client, org.users["recruiter"])
    draft = make_opening(session, org, status="draft")
    used = make_opening(session, org, status="draft")
    client.post(
        f"/api/v1/openings/{used.id}/resumes",
        files=[("files", ("a.txt", txt_resume(), "text/plain"))],
        headers=headers,
    )
    opened = make_opening(session, org, status="open")
    assert client.delete(f"/api/v1/openings/{used.id}", headers=headers).status_code == 409
    assert client.delete(f"/api/v1/openings/{opened.id}", headers=headers).status_code == 409
    manager = bearer(client, org.users["hiring_manager"])
    assert client.delete(f"/api/v1/openings/{draft.id}", headers=manager).status_code == 403
    assert client.delete(f"/api/v1/openings/{draft.id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/openings/{draft.id}", headers=headers).status_code == 404
    assert session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "opening.deleted", AuditEntry.target_id == str(draft.id)
        )
    ).one()
