"""HR writes a rule for an opening in the browser: a condition that does not parse and a pair
of rules that would loop are refused with the reason beside the field; a dry run changes
nothing; the saved rule then acts in the real worker when a candidate enters the stage, and the
candidate's rule log and HR's confirmation list show what it did."""

from __future__ import annotations

import time

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_workflow_board import HR, PASSWORD, _opening_with_candidates

pytestmark = pytest.mark.browser


def _fill_rule(page: Page, name: str, stage: str, condition: str) -> None:
    page.fill("#rule-name", name)
    page.select_option("#rule-trigger", "stage.changed")
    page.select_option("#rule-stage", stage)
    page.fill("#rule-condition", condition)


def test_rules_page_refuses_bad_rules_dry_runs_and_the_rule_acts(page: Page, server: str):
    names = ["冯一鸣", "蒋思远"]
    opening_id = _opening_with_candidates(server, names)
    sign_in(page, HR)
    page.goto(f"/openings/{opening_id}/pipeline")
    page.click("#rules-link")
    expect(page.locator("#no-rules")).to_be_visible()

    # A condition that does not parse: refused, the reason beside the field, input kept.
    _fill_rule(page, "第二轮开始", "round_2", "previous_stage !=")
    page.check("#rule-todo")
    page.fill("input[name=todo_note]", "准备面试官")
    page.click("#rule-save")
    expect(page.locator("#condition-error")).to_be_visible()
    expect(page.locator("#rule-name")).to_have_value("第二轮开始")

    # A dry run: nobody is in round 2 yet, nothing changes.
    page.fill("#rule-condition", "previous_stage != 'rejected'")
    page.click("#rule-dry-run")
    expect(page.locator("#dry-summary")).to_contain_text("0")
    expect(page.locator('#dry-run tr[data-result="no_match"]')).to_have_count(2)
    expect(page.locator("#no-rules")).to_be_visible()

    page.click("#rule-save")
    expect(page.locator("#rule-saved")).to_be_visible()
    expect(page.locator("#rules-table")).to_contain_text("第二轮开始")

    # Two rules that would move candidates back and forth: the second is refused.
    _fill_rule(page, "前进", "round_1", "previous_stage != 'rejected'")
    page.select_option("#rule-move-to", "round_2")
    page.uncheck("#rule-todo")
    page.click("#rule-save")
    expect(page.locator("#rule-saved")).to_be_visible()
    _fill_rule(page, "后退", "round_2", "previous_stage != 'rejected'")
    page.select_option("#rule-move-to", "round_1")
    page.click("#rule-save")
    expect(page.locator("#move-error")).to_contain_text("round_1 → round_2 → round_1")
    expect(page.locator("#rules-table tbody tr")).to_have_count(2)

    # A person moves a candidate to round 1: "前进" moves them on to round 2 and "第二轮开始"
    # leaves a to-do, both in the worker after the move committed.
    with httpx.Client(base_url=server, timeout=60) as api:
        token = api.post("/api/v1/auth/token", json={"email": HR, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        board = api.get(f"/api/v1/openings/{opening_id}/pipeline").json()
        card = next(c for col in board["columns"] for c in col["cards"] if c["name"] == names[0])
        moved = api.post(
            f"/api/v1/applications/{card['application_id']}/move",
            json={"to": "round_1", "version": card["version"]},
        )
        assert moved.status_code == 200, moved.text
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            log = api.get(f"/api/v1/applications/{card['application_id']}/pipeline/rule-log")
            if sum(row["status"] == "fired" for row in log.json()) == 2:
                break
            time.sleep(1)
        else:
            raise AssertionError(f"the rules did not act: {log.text}")
    page.goto(f"/applications/{card['application_id']}/pipeline/rules")
    expect(page.locator('#rule-log tr[data-status="fired"]')).to_have_count(2)
    page.goto("/workflow/confirmations")
    expect(page.locator("#rule-tasks")).to_contain_text(names[0])
    expect(page.locator("#rule-tasks")).to_contain_text("准备面试官")
