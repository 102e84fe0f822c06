"""The bias audit in Chromium: HR chooses China's category set, a candidate who has just
submitted an AI interview follows the link on the "submitted" page and answers the voluntary
questions (no race question in that set), and HR reads the audit with its chart, table and
CSV, which show groups, never the person."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import open_from_menu, sign_in
from tests.browser.test_interviews import TEXT_ANSWERS, confirm_identity, invite_to_ai_interview

pytestmark = pytest.mark.browser

CANDIDATE = "何敏"
CANDIDATE_EMAIL = "he.min@example.cn"
OPENING = "客户服务专员"


def test_a_candidate_self_identifies_after_the_interview_and_hr_reads_the_audit(
    page: Page, browser: Browser, server: str, tmp_path_factory: pytest.TempPathFactory
):
    sign_in(page, "hr@huaxing.example")
    open_from_menu(page, href="/analytics/bias-audit")
    expect(page.locator("#audit-disclaimer")).to_contain_text("不是法律结论")
    page.select_option("#audit-settings select[name=category_set]", "cn")
    page.click("#audit-settings button[type=submit]")
    expect(page.locator("#audit-settings select[name=category_set]")).to_have_value("cn")

    # HR invites the candidate to an AI interview; the candidate confirms their identity.
    token = invite_to_ai_interview(page, tmp_path_factory, CANDIDATE, CANDIDATE_EMAIL, OPENING)
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    candidate = context.new_page()
    candidate.set_default_timeout(20_000)
    confirm_identity(candidate, tmp_path_factory, CANDIDATE_EMAIL, token)

    # Before the interview is submitted the questions are not offered.
    candidate.goto(f"/i/{token}/self-identification")
    expect(candidate.locator("#selfid-form")).to_have_count(0)

    # The interview, answered by text and submitted.
    candidate.goto(f"/i/{token}/interview")
    candidate.check("#iv-consent input[name=recording]")
    candidate.check("#iv-consent input[name=ai_assessment]")
    candidate.click("#iv-start")
    expect(candidate.locator("#iv-ready")).to_be_visible()
    candidate.click("#iv-begin")
    expect(candidate.locator("#iv-timer")).to_contain_text(":")
    answers = iter(TEXT_ANSWERS)
    while True:
        expect(candidate.locator("#iv-ready:visible, #iv-question:visible")).to_have_count(1)
        if candidate.locator("#iv-ready").is_visible():
            candidate.click("#iv-begin")
        expect(candidate.locator("#iv-question")).to_be_visible()
        candidate.click("#iv-mode-text")
        candidate.fill("#iv-text", next(answers, TEXT_ANSWERS[0]))
        candidate.click("#iv-text-save")
        expect(candidate.locator("#iv-pause:visible, #iv-review:visible")).to_have_count(1)
        if candidate.locator("#iv-review").is_visible():
            break
        candidate.click("#iv-continue")
    candidate.once("dialog", lambda dialog: dialog.accept())
    candidate.click("#iv-submit")
    expect(candidate.locator("#iv-done")).to_be_visible()

    # The one link on the "submitted" page leads to the voluntary questions.
    candidate.click("#iv-self-identification")
    expect(candidate.locator("#selfid-form")).to_be_visible()
    expect(candidate.locator("#selfid-race")).to_have_count(0)  # China's set asks no race
    expect(candidate.locator("#selfid-form")).to_contain_text("不愿透露")
    candidate.check("#selfid-sex input[value=female]")
    candidate.check("#selfid-age_band input[value='30_39']")
    candidate.click("#selfid-form button[type=submit]")
    expect(candidate.locator("#selfid-saved")).to_be_visible()
    expect(candidate.locator("#selfid-done")).to_be_visible()
    context.close()

    # HR reads the audit once the worker has scored the interview (the audit counts the
    # applications the AI assessed): chart, table and CSV of groups; one person is hidden.
    deadline = time.monotonic() + 120
    while True:
        page.goto("/analytics/bias-audit")
        female = page.locator("#audit-table tr", has_text="女").first
        if female.locator("td").nth(3).inner_text() != "0" or time.monotonic() > deadline:
            break
        time.sleep(1)
    expect(page.locator("#bias_audit .analytics-chart canvas")).to_have_count(1)
    table = page.locator("#audit-table")
    expect(table).to_be_visible()
    expect(table).to_contain_text("性别")
    expect(table).to_contain_text("年龄段")
    expect(table).not_to_contain_text("种族")
    expect(page.locator("main")).not_to_contain_text(CANDIDATE)
    expect(female).to_contain_text("少于 5：不显示")
    expect(female.locator("td").nth(3)).to_have_text("")
    with page.expect_download() as download:
        page.locator("#bias_audit a", has_text="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("类别,群体,结果,")
    assert CANDIDATE not in text
