"""Hiring requests (SPEC B4): submit, return with a comment, resubmit, approve → opening."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.notifications.models import OutboxMessage
from hireflow.openings.models import HiringRequest, Opening
from tests.conftest import bearer, make_user


def _body(org, **extra):
    return {
        "department_id": org.departments[0].id,
        "title": "客户服务专员",
        "job_type": "customer_service",
        "headcount": 2,
        "description": "处理客户投诉和售后咨询。",
        "requirements": {"education": "大专", "years": 1},
        "dimensions": ["customer_orientation", "communication", "stress_tolerance"],
        **extra,
    }


def _outbox(session, request_id):
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.related_type == "hiring_request",
                OutboxMessage.related_id == request_id,
            )
            .order_by(OutboxMessage.id)
        )
    )


@pytest.mark.slow
def test_submit_return_resubmit_approve(client, session, org):
    manager = bearer(client, org.users["hiring_manager"])
    hr = bearer(client, org.users["hr_admin"])
    submitted = client.post("/api/v1/hiring-requests", json=_body(org), headers=manager)
    assert submitted.status_code == 201, submitted.text
    request_id = submitted.json()["id"]
    assert submitted.json()["status"] == "submitted"
    # HR is told, in their language
    notices = _outbox(session, request_id)
    assert [m.recipient for m in notices] == [org.users["hr_admin"].email]
    assert "客户服务专员" in notices[0].subject

    # returning needs a comment
    assert (
        client.post(f"/api/v1/hiring-requests/{request_id}/return", json={}, headers=hr).status_code
        == 422
    )
    returned = client.post(
        f"/api/v1/hiring-requests/{request_id}/return",
        json={"comment": "请补充岗位职责和到岗时间"},
        headers=hr,
    )
    assert returned.json()["status"] == "returned"
    assert returned.json()["review_comment"] == "请补充岗位职责和到岗时间"
    to_manager = _outbox(session, request_id)[-1]
    assert to_manager.recipient == org.users["hiring_manager"].email
    assert "请补充岗位职责" in to_manager.body_text
    # a returned request cannot be approved
    assert (
        client.post(
            f"/api/v1/hiring-requests/{request_id}/approve", json={}, headers=hr
        ).status_code
        == 409
    )

    resubmitted = client.put(
        f"/api/v1/hiring-requests/{request_id}",
        json=_body(org, description="处理客户投诉和售后咨询；三月一日前到岗。"),
        headers=manager,
    )
    assert resubmitted.json()["status"] == "submitted"
    approved = client.post(
        f"/api/v1/hiring-requests/{request_id}/approve",
        json={"comment": "同意", "owner_ids": [org.users["recruiter"].id], "open_now": True},
        headers=hr,
    )
    assert approved.status_code == 200, approved.text
    data = approved.json()
    assert data["status"] == "approved" and data["opening_id"]
    assert [step["action"] for step in data["history"]] == [
        "submitted",
        "returned",
        "resubmitted",
        "approved",
    ]
    opening = session.get(Opening, data["opening_id"])
    assert opening.status == "open" and opening.headcount == 2
    assert opening.department_id == org.departments[0].id
    assert [d["id"] for d in opening.competency_model["dimensions"]] == [
        "customer_orientation",
        "communication",
        "stress_tolerance",
    ]
    assert opening.interview_plan and opening.interview_plan["items"]
    assert opening.member_ids("owner") == [org.users["recruiter"].id]
    assert "三月一日前到岗" in opening.description
    assert _outbox(session, request_id)[-1].recipient == org.users["hiring_manager"].email
    actions = list(
        session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.target_type == "hiring_request", AuditEntry.target_id == str(request_id)
            )
            .order_by(AuditEntry.id)
        )
    )
    assert actions == [
        "hiring_request.submitted",
        "hiring_request.returned",
        "hiring_request.resubmitted",
        "hiring_request.approved",
    ]
    # decided once
    assert (
        client.post(
            f"/api/v1/hiring-requests/{request_id}/return", json={"comment": "x"}, headers=hr
        ).status_code
        == 409
    )


def test_who_may_submit_and_review(client, session, org):
    manager = bearer(client, org.users["hiring_manager"])
    other_dept = client.post(
        "/api/v1/hiring-requests",
        json=_body(org, department_id=org.departments[2].id),
        headers=manager,
    )
    assert other_dept.status_code == 404
    for role in ("recruiter", "interviewer", "it_auditor", "candidate", "employee", "hr_admin"):
        response = client.post(
            "/api/v1/hiring-requests", json=_body(org), headers=bearer(client, org.users[role])
        )
        assert response.status_code == 403, role
    unknown = client.post(
        "/api/v1/hiring-requests", json=_body(org, dimensions=["telepathy"]), headers=manager
    )
    assert unknown.status_code == 422
    request_id = client.post("/api/v1/hiring-requests", json=_body(org), headers=manager).json()[
        "id"
    ]
    for role in ("recruiter", "hiring_manager", "interviewer"):
        response = client.post(
            f"/api/v1/hiring-requests/{request_id}/approve",
            json={},
            headers=bearer(client, org.users[role]),
        )
        assert response.status_code == 403, role
    # another manager of another department sees nothing of it
    other_manager = make_user(session, org.tenant, "hiring_manager", department=org.departments[1])
    other = bearer(client, other_manager)
    assert client.get(f"/api/v1/hiring-requests/{request_id}", headers=other).status_code == 404
    assert client.get("/api/v1/hiring-requests", headers=other).json() == []
    # and cannot change someone else's returned request
    client.post(
        f"/api/v1/hiring-requests/{request_id}/return",
        json={"comment": "x"},
        headers=bearer(client, org.users["hr_admin"]),
    )
    colleague = make_user(session, org.tenant, "hiring_manager", department=org.departments[0])
    response = client.put(
        f"/api/v1/hiring-requests/{request_id}", json=_body(org), headers=bearer(client, colleague)
    )
    assert response.status_code == 403
    assert session.get(HiringRequest, request_id).status == "returned"
