"""How the authorization sweep reaches the workflow routes with another tenant's objects."""

from __future__ import annotations

from hireflow.workflow.models import Scorecard
from tests.workflow.factories import apply, make_opening


def foreign_params(session, org) -> dict[str, int]:
    opening = make_opening(session, org)
    application = apply(session, org, opening)
    card = Scorecard(
        tenant_id=org.tenant.id,
        application_id=application.id,
        opening_id=opening.id,
        round_key="round_1",
        interviewer_id=org.users["interviewer"].id,
        ratings={"coding": 3},
        recommendation="yes",
        notes=org.tenant.name,
    )
    session.add(card)
    session.flush()
    return {"application_id": application.id, "scorecard_id": card.id}


SCORECARD = {"round": "round_1", "ratings": {"coding": 3}, "recommendation": "yes"}


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
    ("POST", "/api/v1/applications/{application_id}/scorecards"): SCORECARD,
    ("POST", "/api/v1/scorecards/{scorecard_id}/amend"): {**SCORECARD, "reason": "typo"},
    ("POST", "/api/v1/applications/{application_id}/conclusion"): {
        "decision": "advance",
        "reason": "Strong panel",
    },
}
FORM_BODIES = {
    ("POST", "/openings/{opening_id}/pipeline/move"): {
        "application_id": "{application_id}",
        "version": "0",
        "to": "screened",
    },
    ("POST", "/openings/{opening_id}/pipeline/bulk"): {
        "items": "{application_id}:0",
        "bulk_to": "screened",
    },
    ("POST", "/applications/{application_id}/conclusion"): {
        "decision": "advance",
        "reason": "Strong panel",
    },
    ("POST", "/applications/{application_id}/scorecards"): {
        "round": "round_1",
        "rating_coding": "3",
        "recommendation": "yes",
    },
}
