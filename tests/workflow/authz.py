"""How the authorization sweep reaches the workflow routes with another tenant's objects."""

from __future__ import annotations

from tests.workflow.factories import apply, make_opening


def foreign_params(session, org) -> dict[str, int]:
    opening = make_opening(session, org)
    application = apply(session, org, opening)
    return {"application_id": application.id}


STAGES = {
    "stages": [
        {"key": "applied", "kind": "applied", "name": {"zh": "投递", "en": "Applied"}},
        {"key": "rejected", "kind": "rejected", "name": {"zh": "拒绝", "en": "Rejected"}},
    ]
}
API_BODIES = {
    ("POST", "/api/v1/applications/{application_id}/move"): {"to": "screened", "version": 0},
    ("POST", "/api/v1/openings/{opening_id}/pipeline/bulk-move"): {
        "items": [{"application_id": "{application_id}", "version": 0}],
        "to": "screened",
    },
    ("PUT", "/api/v1/openings/{opening_id}/pipeline/stages"): STAGES,
    ("PUT", "/api/v1/workflow/stages"): STAGES,
    ("PUT", "/api/v1/workflow/rejection-reasons"): {
        "reasons": [{"key": "other", "name": {"zh": "其他", "en": "Other"}}]
    },
    ("PUT", "/api/v1/workflow/settings"): {"blind_scorecards": True},
}
FORM_BODIES: dict = {}
