"""How the authorization sweep reaches the workflow routes with another tenant's objects."""

from __future__ import annotations

from hireflow.core.db import utcnow
from hireflow.workflow.models import AutomationRule, RuleLog, RuleTask, Scorecard
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
    rule = AutomationRule(
        tenant_id=org.tenant.id,
        opening_id=opening.id,
        name=org.tenant.name,
        trigger="report.ready",
        condition="job_match >= 1",
        actions=[{"type": "todo", "note": org.tenant.name}],
        created_by_id=org.users["hr_admin"].id,
    )
    session.add(rule)
    session.flush()
    log = RuleLog(
        tenant_id=org.tenant.id,
        rule_id=rule.id,
        event_id="authz",
        event_name="report.ready",
        application_id=application.id,
        opening_id=opening.id,
        status="fired",
        created_at=utcnow(),
    )
    session.add(log)
    session.flush()
    task = RuleTask(
        tenant_id=org.tenant.id,
        opening_id=opening.id,
        application_id=application.id,
        rule_id=rule.id,
        log_id=log.id,
        kind="confirm_reject",
        to_stage="rejected",
        reason_key="other",
        note=org.tenant.name,
    )
    session.add(task)
    session.flush()
    return {
        "application_id": application.id,
        "scorecard_id": card.id,
        "rule_id": rule.id,
        "task_id": task.id,
    }


SCORECARD = {"round": "round_1", "ratings": {"coding": 3}, "recommendation": "yes"}


STAGES = {
    "stages": [
        {"key": "applied", "kind": "applied", "name": {"zh": "投递", "en": "Applied"}},
        {"key": "rejected", "kind": "rejected", "name": {"zh": "拒绝", "en": "Rejected"}},
    ]
}
RULE = {
    "name": "Strong",
    "trigger": "report.ready",
    "condition": "job_match >= 80",
    "actions": [{"type": "move", "to": "round_2"}],
}
RULE_FORM = {
    "name": "Strong",
    "trigger": "report.ready",
    "condition": "job_match >= 80",
    "move_to": "round_2",
}
API_BODIES = {
    ("POST", "/api/v1/openings/{opening_id}/pipeline/rules"): RULE,
    ("PUT", "/api/v1/workflow/rules/{rule_id}"): RULE,
    ("POST", "/api/v1/openings/{opening_id}/pipeline/rules/dry-run"): RULE,
    ("POST", "/api/v1/workflow/rule-tasks/{task_id}"): {"decision": "confirm"},
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
    ("POST", "/openings/{opening_id}/pipeline/rules"): RULE_FORM,
    ("POST", "/workflow/confirmations/{task_id}"): {"decision": "confirm"},
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
