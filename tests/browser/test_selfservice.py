"""Self-service in the browser (SPEC J1–J3): the demo employee 刘洋 signs in, opens his own
report (radar against the job's levels, his own words, suggestions, never HR's conclusion),
his development plan with the catalogue's courses, enrols with one click, notes his progress and
completes the course, and reads his progress over time (hiring interview → re-assessment) with
the evidence behind each point; HR then sees the completion in the development overview. With
his browser and account in Japanese the same report reads in Japanese (SPEC E7)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.conftest import open_from_menu, sign_in
from tests.test_i18n_ja import KANA, SIMPLIFIED_ONLY, prose_problems

pytestmark = pytest.mark.browser

EMPLOYEE = "employee@huaxing.example"
HR = "hr@huaxing.example"


def test_an_employee_walks_from_report_to_plan_to_progress(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, EMPLOYEE)

    open_from_menu(page, href="/my/report")
    expect(page.locator("h1")).to_have_text("我的报告")
    report = page.locator("section[data-interview]").last  # the hiring interview, oldest
    expect(report.locator("svg")).to_be_visible()
    expect(report.locator("tr[data-below='yes']").first).to_be_visible()
    expect(report.locator(".suggestions li").first).to_be_visible()
    assert "基础扎实，表达偏简短" not in page.content()  # HR's conclusion stays HR's

    open_from_menu(page, href="/my/development")
    expect(page.locator("h1")).to_have_text("我的发展")
    item = page.locator(".plan-item").first
    course = item.locator(".course").first
    expect(course).to_be_visible()
    course.get_by_role("button", name=re.compile("报名|加入候补名单")).click()
    expect(page.locator("#development-done")).to_have_text("报名成功。")
    enrolment = page.locator(".enrolment[data-status='enrolled']").first
    enrolment.locator("input[name=progress]").fill("60")
    enrolment.get_by_role("button", name="保存进度").click()
    expect(page.locator(".enrolment progress").first).to_have_attribute("value", "60")
    page.locator(".enrolment[data-status='enrolled']").first.get_by_role(
        "button", name="标记为已完成"
    ).click()
    expect(page.locator(".enrolment[data-status='completed']").first).to_be_visible()

    progress = page.locator("#progress")
    expect(progress.locator("svg.progress-chart")).to_be_visible()
    moved = progress.locator("details.series[open]").first
    expect(moved.locator("summary")).to_contain_text("→")
    expect(moved.locator("tbody tr")).to_have_count(2)
    expect(moved.locator("tbody tr").last).to_contain_text("发展复评")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the development page scrolls sideways on a phone ({width}px)"
    context.close()

    hr = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    hr_page = hr.new_page()
    sign_in(hr_page, HR)
    hr_page.goto("/development")
    employee = hr_page.locator("section.employee", has_text="刘洋")
    expect(employee.locator("td", has_text="已完成").first).to_be_visible()
    hr.close()


def test_an_employee_reads_their_own_report_in_japanese(browser: Browser, server: str) -> None:
    """The same employee with a Japanese browser switches the product to Japanese: the report's
    headings, competency names, strengths and suggestions read in Japanese, and nothing the
    product wrote is left in Chinese or English; only what people typed (names, the opening's
    title) and his own quoted words stay as written."""
    context = browser.new_context(base_url=server, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, EMPLOYEE)
    page.select_option("#lang-select", "ja")  # saved on his account
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    try:
        open_from_menu(page, href="/my/report")
        expect(page.locator("h1")).to_have_text("私のレポート")
        report = page.locator("section[data-interview]").last  # the hiring interview
        expect(report.locator("svg")).to_be_visible()
        names = report.locator("tr[data-dimension] td:first-child")
        expect(names.first).to_be_visible()
        for name in names.all_inner_texts():
            assert KANA.search(name) or not SIMPLIFIED_ONLY.search(name), name
        expect(report.locator(".suggestions li").first).to_contain_text(KANA)
        expect(report.locator("h3", has_text="成長のための提案")).to_be_visible()
        typed = ("高级后端工程师", "刘洋", page.locator("a.who").inner_text())
        found = prose_problems(page.content(), typed)
        assert not found, found
    finally:
        page.select_option("#lang-select", "zh-CN")  # the account as the other tests know it
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        context.close()


def test_hr_chooses_when_course_reminders_go_out(browser: Browser, server: str) -> None:
    """HR sets the hours before a course at which people holding a seat are reminded, on the
    training page; a value that is not a list of hours is refused with a message."""
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, HR)
    page.goto("/training")
    reminders = page.locator("#course-reminders")
    expect(reminders.locator("legend")).to_have_text("开课前提醒")
    hours = reminders.locator("input[name=course_reminder_hours]")
    expect(hours).to_have_value("24, 1")
    hours.fill("两天")
    page.locator("#policy-form").get_by_role("button", name="保存").click()
    expect(page.locator("#selfservice-error")).to_contain_text("请输入数字")
    page.locator("#course-reminders input[name=course_reminder_hours]").fill("48，2")
    page.locator("#policy-form").get_by_role("button", name="保存").click()
    expect(page.locator("#training-done")).to_be_visible()
    expect(page.locator("#course-reminders input[name=course_reminder_hours]")).to_have_value(
        "48, 2"
    )
    page.locator("#course-reminders input[name=course_reminder_hours]").fill("24, 1")
    page.locator("#policy-form").get_by_role("button", name="保存").click()  # as it was
    expect(page.locator("#training-done")).to_be_visible()
    context.close()
