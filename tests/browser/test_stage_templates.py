"""HR gives one job family its own stages on the stage templates page (reached from the Settings
menu), sees a refused list explained, reads the page in English too, and a new opening of that
family starts with the template on its board; the family goes back to the company's list."""

from __future__ import annotations

import re
import secrets

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
PASSWORD = "Hireflow-demo-2026"
# A family the other browser tests do not open openings in (the server is shared).
FAMILY = "customer_service"


def _switch_language(page: Page, language: str) -> None:
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    page.request.post("/lang", form={"lang": language, "next": "/", "csrf_token": token or ""})


def _new_opening(server: str) -> int:
    with httpx.Client(base_url=server, timeout=60) as api:
        token = api.post("/api/v1/auth/token", json={"email": HR, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        department = api.get("/api/v1/org/departments").json()[0]["id"]
        opening = api.post(
            "/api/v1/openings",
            json={
                "title": f"客服专员 {secrets.token_hex(2)}",
                "department_id": department,
                "job_type": FAMILY,
            },
        )
        assert opening.status_code == 201, opening.text
        return int(opening.json()["id"])


def test_a_job_family_gets_its_own_stages(page: Page, server: str):
    sign_in(page, HR)
    page.goto("/")
    expect(page.locator('nav a[href="/workflow/stage-templates"]')).to_have_count(1)
    page.goto("/workflow/stage-templates")
    page.locator(f'#families li[data-family="{FAMILY}"] a').click()
    template = page.locator("#template")
    expect(template).to_have_attribute("data-family", FAMILY)
    expect(template).to_have_attribute("data-custom", "0")
    expect(page.locator("#uses-company-list")).to_be_visible()

    # The empty last row adds a stage; the company's stages come pre-filled.
    rows = page.locator("#template-form tbody tr")
    last = rows.last
    last.locator("input[name=stage_key]").fill("ride_along")
    last.locator("select[name=stage_kind]").select_option("interview")
    last.locator("input[name=stage_zh]").fill("跟岗体验")
    last.locator("input[name=stage_en]").fill("Ride-along")
    page.click("#save-template")
    expect(page.locator("#template-saved")).to_be_visible()
    expect(template).to_have_attribute("data-custom", "1")
    expect(page.locator(f'#families li[data-family="{FAMILY}"] .badge.ok')).to_be_visible()

    # Refused: a stage without its English name; the form says why and nothing changes.
    page.locator("#template-form tbody tr").last.locator("input[name=stage_key]").fill("extra")
    page.locator("#template-form tbody tr").last.locator("input[name=stage_zh]").fill("多余")
    page.click("#save-template")
    expect(page.locator("#template-error")).to_be_visible()
    # It names the row and the field, in the page's language.
    expect(page.locator("#template-error")).to_contain_text(
        re.compile(r"第 \d+ 个阶段 · 英文名称：此项为必填项。")
    )
    page.goto(f"/workflow/stage-templates?family={FAMILY}")
    expect(page.locator('#template-form input[name=stage_key][value="extra"]')).to_have_count(0)

    # A new opening of the family starts with the template.
    opening_id = _new_opening(server)
    page.goto(f"/openings/{opening_id}/pipeline")
    expect(page.locator('.column[data-stage="ride_along"]')).to_contain_text("跟岗体验")

    # The same page in English.
    _switch_language(page, "en")
    try:
        page.goto(f"/workflow/stage-templates?family={FAMILY}")
        expect(page.locator("h1")).to_have_text("Stage templates")
        expect(page.locator("#remove-template")).to_have_text("Use the company's list instead")
        expect(
            page.locator('#template-form input[name=stage_en][value="Ride-along"]')
        ).to_be_visible()
    finally:
        _switch_language(page, "zh-CN")

    # Back to the company's list.
    page.goto(f"/workflow/stage-templates?family={FAMILY}")
    page.click("#remove-template")
    expect(page.locator("#template-removed")).to_be_visible()
    expect(template).to_have_attribute("data-custom", "0")
