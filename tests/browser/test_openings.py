"""A recruiter creates, edits and opens an opening and writes its screening rules; a hiring
manager's request is returned, sent again and approved by HR, which creates the opening."""

from __future__ import annotations

import re
import secrets

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

DEPARTMENT = "研发部"


def create_opening(page: Page, title: str, **fields: str) -> str:
    """Fill the new-opening form as the signed-in user; returns the opening's URL."""
    page.goto("/openings")
    page.click("#new-opening")
    page.fill("input[name=title]", title)
    option = page.locator("select[name=department_id] option", has_text=DEPARTMENT).first
    page.select_option("select[name=department_id]", value=option.get_attribute("value"))
    page.select_option("select[name=job_type]", fields.get("job_type", "technical"))
    page.fill("textarea[name=description]", fields.get("description", "负责后端服务开发。"))
    page.select_option("select[name=education]", fields.get("education", "bachelor"))
    page.fill("input[name=years]", fields.get("years", "2"))
    page.fill("input[name=skills]", fields.get("skills", "Python, Redis"))
    page.uncheck("input[name=generate_plan]")
    page.click("#opening-form button[type=submit]")
    page.wait_for_url(re.compile(r"/openings/\d+$"))
    return page.url


def test_create_edit_open_and_rules(page: Page):
    sign_in(page, "recruiter@huaxing.example")
    title = f"平台工程师 {secrets.token_hex(2)}"
    url = create_opening(page, title)
    expect(page.locator("h1")).to_contain_text(title)
    expect(page.locator("#opening-status")).to_have_text("草稿")
    expect(page.locator("#competency-model")).to_contain_text("编程能力")

    page.click("text=编辑")
    page.fill("input[name=headcount]", "3")
    page.click("#opening-form button[type=submit]")
    page.wait_for_url(url)
    expect(page.locator("main")).to_contain_text("招聘人数：3")
    page.click("#status-open")
    expect(page.locator("#opening-status")).to_have_text("招聘中")

    page.goto(url + "/rules")
    page.locator("textarea[name=text]").first.fill("years_experience >= >= 3")
    page.click("#save-rules")
    expect(page.locator("#rules-error")).to_be_visible()
    expect(page.locator(".rule-problem").first).to_contain_text("第 1 行第 21 列")
    page.locator("textarea[name=text]").first.fill('education >= "本科" and has_skill("Python")')
    page.click("#save-rules")
    expect(page.locator("#rules-saved")).to_be_visible()
    page.goto(url)
    expect(page.locator("#screening-rules")).to_contain_text('has_skill("Python")')


def test_hiring_request_returned_then_approved(browser: Browser, server: str):
    title = f"数据工程师 {secrets.token_hex(2)}"
    manager_context = browser.new_context(base_url=server, locale="zh-CN")
    manager = manager_context.new_page()
    manager.set_default_timeout(20_000)
    sign_in(manager, "manager@huaxing.example")
    manager.goto("/hiring-requests")
    manager.click("#new-request")
    manager.fill("input[name=title]", title)
    manager.fill("input[name=headcount]", "2")
    manager.fill("textarea[name=description]", "搭建数据管道和指标看板。")
    manager.check("input[name=dimensions][value=problem_solving]")
    manager.check("input[name=dimensions][value=communication]")
    manager.click("#request-form button[type=submit]")
    manager.wait_for_url(re.compile(r"/hiring-requests/\d+$"))
    request_url = manager.url
    expect(manager.locator("#request-status")).to_have_text("已提交")

    hr_context = browser.new_context(base_url=server, locale="zh-CN")
    hr = hr_context.new_page()
    hr.set_default_timeout(20_000)
    sign_in(hr, "hr@huaxing.example")
    hr.goto(request_url)
    hr.fill("#return-form textarea[name=comment]", "请写明到岗时间")
    hr.click("#return")
    expect(hr.locator("#request-status")).to_have_text("已退回")

    manager.reload()
    expect(manager.locator("main")).to_contain_text("请写明到岗时间")
    manager.fill("#resubmit-form textarea[name=description]", "搭建数据管道和指标看板，四月到岗。")
    manager.click("#resubmit-form button[type=submit]")
    expect(manager.locator("#request-status")).to_have_text("已提交")

    hr.reload()
    hr.locator("#approve-form label", has_text="李娜").locator("input").check()
    hr.click("#approve")
    # Approval generates the interview plan; the first one loads the sentence encoder.
    hr.wait_for_url(re.compile(r"/openings/\d+$"), timeout=120_000)
    expect(hr.locator("h1")).to_contain_text(title)
    expect(hr.locator("#opening-status")).to_have_text("招聘中")
    expect(hr.locator("#interview-plan")).to_contain_text("道题")
    manager.reload()
    expect(manager.locator("#request-status")).to_have_text("已批准")
    expect(manager.locator("#request-history")).to_contain_text("已退回")
    manager_context.close()
    hr_context.close()
