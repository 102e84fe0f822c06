"""What a person does first: sign in, switch language, administer the organisation."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from hireflow.demo import ACCOUNTS
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

EMAIL = {account.role: account.email for account in ACCOUNTS}
# Navigation labels each role must see, and must not (demo users' languages vary: both forms).
VISIBLE = {
    "hr_admin": "操作日志",
    "recruiter": "候选人",
    "hiring_manager": "岗位",
    "interviewer": "Openings",
    "it_auditor": "技术日志",
    "candidate": "My applications",
    "employee": "我的内部应聘",
}
HIDDEN = {
    "hr_admin": [],
    "recruiter": ["操作日志", "技术日志"],
    "hiring_manager": ["操作日志"],
    "interviewer": ["Audit log", "Organisation"],
    "it_auditor": ["候选人", "岗位"],
    "candidate": ["Organisation", "Candidates", "Openings"],
    "employee": ["组织架构", "岗位"],
}


def test_wrong_password_shows_a_translated_error(page: Page):
    page.goto("/login")
    page.fill("input[name=email]", EMAIL["hr_admin"])
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("邮箱或密码错误")


def test_sign_in_and_out(page: Page):
    sign_in(page, EMAIL["recruiter"])
    expect(page.locator("h1")).to_contain_text("欢迎")
    page.click("text=退出登录")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.goto("/org")
    expect(page).to_have_url(re.compile(r"/login\?next=/org"))


@pytest.mark.parametrize("role", [a.role for a in ACCOUNTS])
def test_each_demo_role_signs_in_and_sees_its_navigation(page: Page, role: str):
    sign_in(page, EMAIL[role])
    nav = page.locator("header nav")
    expect(nav).to_be_visible()
    expect(nav).to_contain_text(VISIBLE[role])
    for label in HIDDEN[role]:
        expect(nav).not_to_contain_text(label)


def test_language_switch_works_on_every_page(page: Page):
    sign_in(page, EMAIL["hr_admin"])
    for path, english in (
        ("/", "Welcome"),
        ("/openings", "Openings"),
        ("/candidates", "Candidates"),
        ("/org", "Organisation"),
        ("/audit", "Audit log"),
        ("/techlog", "Technical log"),
        ("/system", "System health"),
        ("/account", "My account"),
    ):
        page.goto(path)
        page.select_option("#lang-select", "en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("main")).to_contain_text(english)
        assert page.url.endswith(path)
        page.select_option("#lang-select", "zh-CN")
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_org_admin_adds_a_department_and_a_user_with_a_role(page: Page, server_data_dir):
    sign_in(page, EMAIL["hr_admin"])
    page.goto("/org")
    form = page.locator("#form-department")
    form.locator("select[name=subsidiary_id]").select_option(label="Huaxing Europe GmbH")
    form.locator("input[name=name]").fill("Marketing")
    form.locator("button[type=submit]").click()
    expect(page.locator("#subsidiaries")).to_contain_text("Marketing")
    # a duplicate is refused with a clear message, and the form keeps what was typed
    form = page.locator("#form-department")
    form.locator("select[name=subsidiary_id]").select_option(label="Huaxing Europe GmbH")
    form.locator("input[name=name]").fill("Marketing")
    form.locator("button[type=submit]").click()
    expect(page.locator("#form-department")).to_contain_text("已存在同名部门")

    user_form = page.locator("#form-user")
    user_form.locator("input[name=name]").fill("Jonas Weber")
    user_form.locator("input[name=email]").fill("jonas.weber@huaxing.example")
    user_form.locator("input[name=password]").fill("Welcome-2026-x")
    user_form.locator("select[name=role]").select_option("hiring_manager")
    user_form.locator("select[name=department_id]").select_option(
        label="Huaxing Europe GmbH · Marketing"
    )
    user_form.locator("button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text("Jonas Weber")
    expect(page.locator("#user-roles")).to_contain_text("Marketing")

    page.goto("/audit?action=user.created")
    expect(page.locator("#audit-table")).to_contain_text("jonas.weber@huaxing.example")

    # The embedded worker (local SQLite broker) delivers the welcome email to the mail drop.
    deadline = time.monotonic() + 60
    welcome = []
    while not welcome and time.monotonic() < deadline:
        drop = server_data_dir / "maildrop"
        welcome = list(drop.glob("*.eml")) if drop.exists() else []
        welcome = [p for p in welcome if b"jonas.weber@huaxing.example" in p.read_bytes()]
        time.sleep(0.5)
    assert welcome, "the welcome email was not delivered by the embedded worker"


def test_it_auditor_sees_the_audit_log_without_personal_data(page: Page):
    sign_in(page, EMAIL["it_auditor"])
    page.goto("/audit?action=auth.login")
    # The action reads as words in the page's language, not as its code.
    expect(page.locator('#audit-table td[data-action="auth.login"]').first).to_have_text("登录")
    expect(page.locator("#audit-table")).not_to_contain_text("auth.login")
    expect(page.locator("#audit-table")).not_to_contain_text("@huaxing.example")


def test_phone_layout_keeps_navigation_usable(browser, server):
    context = browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, is_mobile=True, locale="en-US"
    )
    page = context.new_page()
    sign_in(page, EMAIL["hr_admin"])
    page.goto("/org")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"page scrolls sideways on a phone ({width}px)"
    expect(page.locator("header nav")).to_be_visible()
    context.close()


def test_browser_errors_reach_the_technical_log(page: Page):
    page.goto("/login")
    page.evaluate("window.hireflowReport('device_check', 'camera not found', {camera: false})")
    page.wait_for_timeout(500)
    sign_in(page, EMAIL["it_auditor"])
    page.goto("/techlog")
    expect(page.locator("#techlog-table")).to_contain_text("camera not found")
