"""How the authorization sweep reaches the openings domain's routes with another tenant's
objects (openings themselves come from the sweep's own world)."""

from __future__ import annotations

from hireflow.openings.models import HiringRequest


def foreign_params(session, org) -> dict[str, int]:
    dept = org.departments[0]
    request = HiringRequest(
        tenant_id=org.tenant.id,
        subsidiary_id=dept.subsidiary_id,
        department_id=dept.id,
        submitted_by_id=org.users["hiring_manager"].id,
        title=org.tenant.name,
        status="submitted",
        requirements={},
        dimensions=[],
        history=[],
        review_comment="",
    )
    session.add(request)
    session.flush()
    # a version number is not an id: the opening in the path is the other tenant's
    return {"hiring_request_id": request.id, "version_number": 1}


API_BODIES = {
    ("PATCH", "/api/v1/openings/{opening_id}"): {"title": "Renamed"},
    ("POST", "/api/v1/openings/{opening_id}/status"): {"status": "open"},
    ("PUT", "/api/v1/openings/{opening_id}/members"): {"owner_ids": []},
    ("PUT", "/api/v1/openings/{opening_id}/competency-model"): {"source": "job_type"},
    ("POST", "/api/v1/openings/{opening_id}/plan"): {"budget_minutes": 20},
    ("PUT", "/api/v1/openings/{opening_id}/plan"): {"plan": {}},
    ("PUT", "/api/v1/openings/{opening_id}/screening-rules"): {
        "rules": [{"text": 'education >= "bachelor"'}]
    },
    ("PUT", "/api/v1/hiring-requests/{hiring_request_id}"): {
        "department_id": "{department_id}",
        "title": "x",
    },
    ("POST", "/api/v1/hiring-requests"): {"department_id": "{department_id}", "title": "x"},
    ("POST", "/api/v1/hiring-requests/{hiring_request_id}/approve"): {"comment": "ok"},
    ("POST", "/api/v1/hiring-requests/{hiring_request_id}/return"): {"comment": "no"},
    ("POST", "/api/v1/openings"): {"title": "x", "department_id": "{department_id}"},
}
FORM_BODIES = {
    ("POST", "/openings"): {"title": "x", "department_id": "{department_id}"},
    ("POST", "/openings/{opening_id}/edit"): {"title": "x", "department_id": "{department_id}"},
    ("POST", "/openings/{opening_id}/status"): {"status": "open"},
    ("POST", "/openings/{opening_id}/rules"): {"text": 'education >= "bachelor"'},
    ("POST", "/openings/{opening_id}/plan/generate"): {"budget_minutes": "20"},
    ("POST", "/openings/{opening_id}/plan/edit"): {"action": "remove", "question_id": "x"},
    ("POST", "/openings/{opening_id}/model"): {"source": "job_type"},
    ("POST", "/hiring-requests"): {"title": "x", "department_id": "{department_id}"},
    ("POST", "/hiring-requests/{hiring_request_id}"): {
        "title": "x",
        "department_id": "{department_id}",
    },
    ("POST", "/hiring-requests/{hiring_request_id}/approve"): {"comment": "ok"},
    ("POST", "/hiring-requests/{hiring_request_id}/return"): {"comment": "no"},
}
