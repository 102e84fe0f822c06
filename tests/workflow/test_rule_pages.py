"""Rule pages and API (SPEC H1, H2): the editor refuses bad rules with the reason (422, field
errors on pages, the JSON envelope in the API), dry runs change nothing, the rule log and HR's
confirmation list, and role and tenant scope on every endpoint."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hireflow.workflow import rules
from hireflow.workflow.models import AutomationRule, PipelinePosition, RuleLog, RuleTask
from tests.conftest import bearer, login, make_org
from tests.workflow.factories import apply, make_opening, principal
from tests.workflow.rules_helpers import rule_in
from tests.workflow.test_rules import _report, report_ready

FORM = {
    "name": "Strong report",
    "trigger": "report.ready",
    "condition": "job_match >= 80 and scores.communication >= 6",
    "move_to": "round_2",
    "notify_manager": "on",
    "enabled": "on",
}


@pytest.fixture
def opening(session, org):
    return make_opening(session, org)


def test_the_rules_page_saves_edits_and_refuses_bad_rules(client, session, org, opening):
    login(client, org.users["hr_admin"])
    page = client.get(f"/openings/{opening.id}/pipeline/rules")
    assert page.status_code == 200 and 'id="no-rules"' in page.text
    assert "scores.communication" in page.text  # the example and the competencies
    saved = client.post(f"/openings/{opening.id}/pipeline/rules", data=FORM, follow_redirects=False)
    assert saved.status_code == 303
    rule = session.scalars(
        select(AutomationRule).where(AutomationRule.opening_id == opening.id)
    ).one()
    assert [a["type"] for a in rule.actions] == ["move", "notify_manager"]
    bad = client.post(
        f"/openings/{opening.id}/pipeline/rules", data={**FORM, "condition": "scores.charisma >= 6"}
    )
    assert bad.status_code == 422 and 'id="condition-error"' in bad.text
    assert "charisma" in bad.text and "is not a competency" in bad.text
    assert 'value="Strong report"' in bad.text  # what was typed stays
    loop = client.post(
        f"/openings/{opening.id}/pipeline/rules",
        data={**FORM, "name": "Back", "stage": "round_2", "move_to": "round_1"},
    )
    assert loop.status_code == 422 and 'id="move-error"' in loop.text
    assert "back and forth" in loop.text
    edited = client.post(
        f"/openings/{opening.id}/pipeline/rules",
        data={**FORM, "rule_id": str(rule.id), "name": "Renamed", "enabled": ""},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    session.refresh(rule)
    assert (rule.name, rule.enabled) == ("Renamed", False)
    zh = client.get(
        f"/openings/{opening.id}/pipeline/rules?edit={rule.id}",
        headers={"Accept-Language": "zh-CN"},
    )
    assert zh.status_code == 200


def test_the_rules_page_in_chinese(client, session, org, opening):
    user = org.users["hr_admin"]
    user.language = "zh-CN"
    session.commit()
    login(client, user)
    page = client.get(f"/openings/{opening.id}/pipeline/rules")
    assert "本职位的规则" in page.text and "对已有候选人试运行" in page.text
    bad = client.post(
        f"/openings/{opening.id}/pipeline/rules", data={**FORM, "condition": "job_match >="}
    )
    assert bad.status_code == 422 and "条件无法使用" in bad.text and "语法错误" in bad.text


def test_a_dry_run_from_the_editor_writes_nothing(client, session, org, opening):
    strong = apply(session, org, opening, name="Qian Duo")
    _report(session, strong, 92.0, communication=7.0)
    unscored = apply(session, org, opening, name="Sun Li")
    session.commit()
    login(client, org.users["recruiter"])
    page = client.post(f"/openings/{opening.id}/pipeline/rules", data={**FORM, "dry_run": "1"})
    assert page.status_code == 200 and 'id="dry-summary"' in page.text
    assert f'data-application="{strong.id}" data-result="match"' in page.text
    assert f'data-application="{unscored.id}" data-result="missing"' in page.text
    assert "No value yet for job_match" in page.text
    # counted for this opening: other tests on the same database may have committed theirs
    assert not session.scalar(select(func.count()).where(AutomationRule.opening_id == opening.id))
    assert not session.scalar(select(func.count()).where(PipelinePosition.opening_id == opening.id))


def test_rule_log_and_confirmation_pages(client, session, org, opening, worker):
    hr = principal(session, org, "hr_admin")
    rules.create_rule(
        session,
        hr,
        opening.id,
        rule_in(
            name="Too low",
            condition="job_match < 50",
            actions=[{"type": "move", "to": "rejected", "reason": "skills"}],
        ),
    )
    application = apply(session, org, opening, name="Wu Xiaoguang")
    report_ready(session, application, job_match=30.0)
    worker.run()
    login(client, org.users["hr_admin"])
    log = client.get(f"/applications/{application.id}/pipeline/rules")
    assert log.status_code == 200 and 'data-status="fired"' in log.text
    other = apply(session, org, opening)
    report_ready(session, other, job_match=90.0)
    worker.run()
    quiet = client.get(f"/applications/{other.id}/pipeline/rules")
    assert 'data-status="not_fired"' in quiet.text and "The condition did not hold." in quiet.text
    assert "waiting for HR" in log.text and "job_match = 30" in log.text
    listed = client.get("/workflow/confirmations")
    assert "Wu Xiaoguang" in listed.text and "Too low" in listed.text
    home = client.get("/")  # HR's work list points to it
    assert "Left by pipeline rules" in home.text and 'href="/workflow/confirmations"' in home.text
    task = session.scalars(select(RuleTask)).one()
    done = client.post(
        f"/workflow/confirmations/{task.id}", data={"decision": "confirm"}, follow_redirects=False
    )
    assert done.status_code == 303
    position = session.scalars(
        select(PipelinePosition).where(PipelinePosition.application_id == application.id)
    ).one()
    assert (position.stage_key, position.reason_key) == ("rejected", "skills")
    again = client.post(f"/workflow/confirmations/{task.id}", data={"decision": "dismiss"})
    assert again.status_code == 409 and "already decided" in again.text
    login(client, org.users["interviewer"])
    assert client.get(f"/applications/{application.id}/pipeline/rules").status_code == 403
    assert client.get("/workflow/confirmations").status_code == 403


def test_rules_api(client, session, org, opening):
    headers = bearer(client, org.users["hr_admin"])
    body = {
        "name": "Strong",
        "trigger": "report.ready",
        "condition": "job_match >= 80 and scores.communication >= 6",
        "actions": [{"type": "move", "to": "round_2"}, {"type": "notify_manager"}],
    }
    created = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/rules", json=body, headers=headers
    )
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    listed = client.get(f"/api/v1/openings/{opening.id}/pipeline/rules", headers=headers).json()
    assert [r["id"] for r in listed] == [rule_id]
    bad = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/rules",
        json={**body, "condition": "job_match >= 80 and"},
        headers=headers,
    )
    assert bad.status_code == 422
    error = bad.json()["error"]
    assert error["fields"] == {"condition": "syntax"} and "line 1" in error["message"]
    unknown = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/rules",
        json={**body, "condition": "age < 35"},
        headers=headers,
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["fields"] == {
        "condition": "unknown_name"
    }
    malformed = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/rules",
        json={**body, "actions": [{"type": "explode"}]},
        headers=headers,
    )
    assert malformed.status_code == 422
    dry = client.post(f"/api/v1/workflow/rules/{rule_id}/dry-run", headers=headers)
    assert dry.status_code == 200 and dry.json()["checked"] == 0
    application = apply(session, org, opening)
    session.commit()
    log = client.get(f"/api/v1/applications/{application.id}/pipeline/rule-log", headers=headers)
    assert log.status_code == 200 and log.json() == []
    assert client.get("/api/v1/workflow/rule-tasks", headers=headers).json() == []

    interviewer = bearer(client, org.users["interviewer"])
    refused = client.post(
        f"/api/v1/openings/{opening.id}/pipeline/rules", json=body, headers=interviewer
    )
    assert refused.status_code == 403
    other = make_org(session)
    stranger = bearer(client, other.users["hr_admin"])
    for method, url in (
        ("GET", f"/api/v1/openings/{opening.id}/pipeline/rules"),
        ("PUT", f"/api/v1/workflow/rules/{rule_id}"),
        ("DELETE", f"/api/v1/workflow/rules/{rule_id}"),
        ("POST", f"/api/v1/workflow/rules/{rule_id}/dry-run"),
        ("GET", f"/api/v1/applications/{application.id}/pipeline/rule-log"),
    ):
        answer = client.request(method, url, json=body, headers=stranger)
        assert answer.status_code == 404, (method, url, answer.text)
    manager_far = make_opening(session, org, dept_index=2, members=False)
    session.commit()
    manager = bearer(client, org.users["hiring_manager"])
    assert (
        client.get(f"/api/v1/openings/{manager_far.id}/pipeline/rules", headers=manager).status_code
        == 404
    )

    deleted = client.delete(f"/api/v1/workflow/rules/{rule_id}", headers=headers)
    assert deleted.status_code == 204
    assert not session.scalar(select(func.count()).select_from(RuleLog))
