"""What a newcomer stumbles on when walking through the product unaided (HR and candidate)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_interviews import (
    candidate_page,
    confirm_identity,
    invite_to_ai_interview,
)

pytestmark = pytest.mark.browser

OPENING = "高级后端工程师"
NAME = "韩冰"
EMAIL = "han.bing.walkthrough@example.cn"
RESUME = f"""{NAME}
电话：13900139001
邮箱：{EMAIL}

教育经历
2012-2016 浙江大学 软件工程 本科

工作经历
2016-2024 杭州某网络公司 后端工程师
负责订单系统，使用 Python、MySQL 和 Redis，主导服务拆分与性能优化。

技能
Python, MySQL, Redis, Kafka
"""


def _upload_resume(page: Page, tmp_path: Path) -> None:
    """HR uploads the candidate's resume on the opening's page (found through the list)."""
    resume = tmp_path / "han_bing.txt"
    resume.write_text(RESUME, encoding="utf-8")
    page.goto("/openings")
    page.locator("main a", has_text=OPENING).first.click()
    page.click("main a[href$='/upload']")
    page.set_input_files("#upload-files", str(resume))
    page.click("#upload-submit")
    expect(page.locator("main")).to_contain_text(NAME)


def test_an_empty_text_answer_is_confirmed_before_its_question_is_gone(
    page: Page, browser: Browser, server: str, tmp_path: Path, tmp_path_factory
) -> None:
    """A question cannot be reopened: "save and continue" on an empty box asks first, and
    declining keeps the candidate on the question with its timer."""
    sign_in(page, "hr@huaxing.example")
    _upload_resume(page, tmp_path)
    token = invite_to_ai_interview(page, tmp_path_factory, NAME, EMAIL, OPENING)
    context, candidate = candidate_page(browser, server)
    confirm_identity(candidate, tmp_path_factory, EMAIL, token)
    candidate.goto(f"/i/{token}/interview")
    candidate.check("#iv-consent input[name=recording]")
    candidate.check("#iv-consent input[name=ai_assessment]")
    candidate.click("#iv-start")
    candidate.click("#iv-begin")
    expect(candidate.locator("#iv-question")).to_be_visible()
    first = candidate.locator("#iv-qnum").inner_text()
    candidate.click("#iv-mode-text")
    asked: list[str] = []

    def decline(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    candidate.once("dialog", decline)
    candidate.fill("#iv-text", "   ")
    candidate.click("#iv-text-save")
    expect(candidate.locator("#iv-question")).to_be_visible()
    assert asked and "空" in asked[0]
    assert candidate.locator("#iv-qnum").inner_text() == first
    candidate.fill("#iv-text", "我在上一家公司主导了订单服务的拆分，把接口延迟降低了一半。")
    candidate.click("#iv-text-save")
    expect(candidate.locator("#iv-pause")).to_be_visible()
    assert len(asked) == 1  # an answer with words goes on without asking
    context.close()
