"""HR moves candidates on an opening's kanban board: with the keyboard through the Move dialog,
a rejection that insists on a reason, and a bulk move; then the same board on a phone."""

from __future__ import annotations

import secrets

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.openings.factories import txt_resume

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
PASSWORD = "Hireflow-demo-2026"


def _opening_with_candidates(server: str, names: list[str]) -> int:
    """A fresh open opening with one uploaded resume per name (through the public API)."""
    with httpx.Client(base_url=server, timeout=60) as api:
        token = api.post("/api/v1/auth/token", json={"email": HR, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        department = api.get("/api/v1/org/departments").json()[0]["id"]
        opening = api.post(
            "/api/v1/openings",
            json={"title": f"看板测试 {secrets.token_hex(2)}", "department_id": department},
        )
        assert opening.status_code == 201, opening.text
        opening_id = opening.json()["id"]
        assert api.post(f"/api/v1/openings/{opening_id}/status", json={"status": "open"}).is_success
        files = [
            ("files", (f"{n}.txt", txt_resume(n, f"{secrets.token_hex(4)}@example.cn", None)))
            for n in names
        ]
        uploaded = api.post(f"/api/v1/openings/{opening_id}/resumes", files=files)
        assert uploaded.json()["accepted"] == len(names), uploaded.text
        return opening_id


def _card(page: Page, name: str):
    return page.locator(".kcard", has_text=name)


def _column(page: Page, key: str):
    return page.locator(f'.column[data-stage="{key}"]')


def test_keyboard_move_rejection_reason_and_bulk_move(page: Page, server: str):
    names = ["钱多多", "吴晓光", "郑雨桐"]
    opening_id = _opening_with_candidates(server, names)
    sign_in(page, HR)
    page.goto(f"/openings/{opening_id}/pipeline")
    for name in names:
        expect(_column(page, "applied").locator(".kcard", has_text=name)).to_be_visible()

    # Keyboard only: focus the card's Move button, open the dialog, pick a stage, confirm.
    _card(page, names[0]).locator(".move-open").focus()
    page.keyboard.press("Enter")
    dialog = page.locator("#move-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#move-to")).to_be_focused()
    expect(page.locator("#move-to")).to_have_value("screened")  # the next stage is offered
    page.keyboard.press("ArrowDown")  # AI interview
    page.keyboard.press("ArrowDown")  # interview round 1
    expect(page.locator("#move-to")).to_have_value("round_1")
    page.locator("#move-submit").focus()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(_column(page, "round_1").locator(".kcard", has_text=names[0])).to_be_visible()
    expect(_card(page, names[0]).locator(".move-open")).to_be_focused()
    page.reload()
    expect(_column(page, "round_1").locator(".kcard", has_text=names[0])).to_be_visible()

    # A rejection needs a reason: the dialog will not send without one.
    _card(page, names[1]).locator(".move-open").click()
    page.select_option("#move-to", "rejected")
    expect(page.locator("#move-reason")).to_be_visible()
    page.click("#move-submit")
    expect(dialog).to_be_visible()
    assert page.eval_on_selector("#move-reason", "el => !el.checkValidity()")
    expect(_column(page, "applied").locator(".kcard", has_text=names[1])).to_be_visible()
    page.select_option("#move-reason", "skills")
    page.click("#move-submit")
    expect(dialog).to_be_hidden()
    expect(_column(page, "rejected").locator(".kcard", has_text=names[1])).to_be_visible()

    # Bulk: the two others to "offer" at once.
    for name in (names[0], names[2]):
        _card(page, name).locator("input[type=checkbox]").check()
    expect(page.locator("#bulk-count")).to_contain_text("2")
    page.select_option("#bulk-to", "offer")
    page.click("#bulk-submit")
    expect(page.locator("#moved-notice")).to_be_visible()
    for name in (names[0], names[2]):
        expect(_column(page, "offer").locator(".kcard", has_text=name)).to_be_visible()

    # A stale card (moved elsewhere meanwhile) is refused with the reason, not overwritten.
    stale_version = _card(page, names[2]).get_attribute("data-version")
    page.evaluate(
        """([name, version]) => {
            const card = [...document.querySelectorAll('.kcard')]
                .find(c => c.textContent.includes(name));
            card.setAttribute('data-version', String(Number(version) - 1));
        }""",
        [names[2], stale_version],
    )
    _card(page, names[2]).locator(".move-open").click()
    page.select_option("#move-to", "hired")
    page.click("#move-submit")
    expect(page.locator("#move-error")).to_be_visible()
    expect(page.locator("#move-error")).to_contain_text("刷新")


def test_board_on_a_phone(browser: Browser, server: str):
    opening_id = _opening_with_candidates(server, ["冯一鸣"])
    context = browser.new_context(
        base_url=server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        sign_in(page, HR)
        page.goto(f"/openings/{opening_id}/pipeline")
        card = _card(page, "冯一鸣")
        box = card.bounding_box()
        assert box is not None and box["width"] <= 390
        card.locator(".move-open").tap()
        page.select_option("#move-to", "screened")
        page.locator("#move-submit").tap()
        expect(_column(page, "screened").locator(".kcard", has_text="冯一鸣")).to_be_attached()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the page scrolls sideways ({width}px); only the board may"
    finally:
        context.close()
