"""Offers in the browser: HR makes an offer from a template on the offer page, the hiring
manager approves it, HR sends it (the Chinese PDF letter holds the Chinese words); the
candidate opens their offer link, is refused a wrong signature, accepts with their typed
name, chooses a password and signs in as the new employee."""

from __future__ import annotations

import io
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from tests.browser.conftest import sign_in
from tests.openings.factories import txt_resume

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
MANAGER = "manager@huaxing.example"
PASSWORD = "Hireflow-demo-2026"
NAME = "林小雨"


@contextmanager
def _api(server: str, email: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as api:
        token = api.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
        api.headers["Authorization"] = f"Bearer {token.json()['token']}"
        yield api


def _candidate_at_offer_stage(server: str, email: str) -> tuple[int, int]:
    """An opening of the manager's department (研发部) with one candidate moved to Offer, and
    a template with the letter in both languages; returns the application and template ids."""
    with _api(server, HR) as api:
        departments = api.get("/api/v1/org/departments").json()
        department = next(d["id"] for d in departments if d["name"] == "研发部")
        opening = api.post(
            "/api/v1/openings",
            json={"title": f"后端工程师 {secrets.token_hex(2)}", "department_id": department},
        ).json()["id"]
        assert api.post(f"/api/v1/openings/{opening}/status", json={"status": "open"}).is_success
        files = [("files", ("resume.txt", txt_resume(NAME, email, None)))]
        result = api.post(f"/api/v1/openings/{opening}/resumes", files=files).json()
        application = result["results"][0]["application_id"]
        moved = api.post(
            f"/api/v1/applications/{application}/move", json={"to": "offer", "version": 0}
        )
        assert moved.status_code == 200, moved.text
        return application, offer_template(api)


def offer_template(api: httpx.Client, documents: tuple[str, ...] = ("id_card", "degree")) -> int:
    """A template (26,000 a month, Shanghai) with the letter in both languages; its id."""
    template = api.post(
        "/api/v1/offers/templates",
        json={
            "name": f"研发模板 {secrets.token_hex(2)}",
            "salary": 26000,
            "required_documents": list(documents),
            "location": "上海",
            "body": {
                "zh": "亲爱的 {name}：我们很高兴录用您担任 {position}。",
                "en": "Dear {name}, we are pleased to offer you the position of {position}.",
            },
        },
    )
    assert template.status_code == 201, template.text
    return template.json()["id"]


def approve_as_manager(browser: Browser, server: str, application: int) -> None:
    """The hiring manager (张伟) approves the offer waiting for them on its page."""
    manager = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    approver = manager.new_page()
    sign_in(approver, MANAGER)
    approver.goto(f"/applications/{application}/offer")
    approver.fill("#decision-form textarea[name=comment]", "同意")
    approver.click("#decision-form button[value=yes]")
    expect(approver.locator("#offer-status")).to_have_text("已批准")
    expect(approver.locator("#approvals li[data-role=hiring_manager]")).to_contain_text("张伟")
    manager.close()


def _link(server_data_dir: Path, application_id: int) -> str:
    """The candidate's personal link, signed with the server's own key (as the e-mail has it)."""
    from hireflow.offers.links import candidate_path

    secret = (server_data_dir / "secret_key").read_text().strip()
    settings = type("S", (), {"secret_key": secret})()
    engine = create_engine(f"sqlite:///{server_data_dir / 'hireflow.db'}")
    with engine.connect() as connection:
        row = connection.execute(
            text(
                "SELECT id, candidate_id, link_generation FROM offers "
                "WHERE application_id = :a ORDER BY id DESC"
            ),
            {"a": application_id},
        ).first()
    engine.dispose()
    offer = type("O", (), {"id": row[0], "candidate_id": row[1], "link_generation": row[2]})()
    return candidate_path(settings, offer)


def test_hr_offer_page_approval_and_the_chinese_letter(
    page: Page, browser: Browser, server: str, server_data_dir: Path
):
    email = f"lin.{secrets.token_hex(3)}@example.cn"
    application, template = _candidate_at_offer_stage(server, email)
    sign_in(page, HR)
    page.goto("/offers")
    # by its link: another test of this server may have left a candidate of the same name
    page.locator(
        f'#awaiting-offer a[href="/applications/{application}/offer"]', has_text=NAME
    ).click()
    expect(page.locator("h1")).to_contain_text(NAME)
    start = (datetime.now(UTC).date() + timedelta(days=40)).isoformat()
    page.select_option("#create-form select[name=template_id]", str(template))
    page.fill("#create-form input[name=start_date]", start)
    page.click("#create-form button[type=submit]")
    expect(page.locator("#offer-done")).to_contain_text("录用通知已创建")
    expect(page.locator("#offer-status")).to_have_text("草稿")
    page.click("#submit-form button")
    expect(page.locator("#offer-status")).to_have_text("待审批")
    expect(page.locator("#send-form")).to_have_count(0)  # not approved: nothing to send

    approve_as_manager(browser, server, application)

    page.reload()
    page.click("#send-form button")
    expect(page.locator("#offer-done")).to_contain_text("录用通知已发送给候选人")
    expect(page.locator("#offer-status")).to_have_text("已发送")
    letter = page.request.get(f"/applications/{application}/offer/letter.pdf?lang=zh")
    assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
    words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.body())).pages)
    assert "录用通知书" in words and NAME in words and "试用期" in words and "上海" in words

    # The candidate's page: the link from the e-mail, no account.
    visitor = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    candidate = visitor.new_page()
    link = _link(server_data_dir, application)
    candidate.goto(link)
    expect(candidate.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(candidate.locator("h1")).to_contain_text("录用通知")
    expect(candidate.locator("#offer-status")).to_have_text("已发送")
    candidate.fill("#typed-name", "别人")
    candidate.click("#accept")
    expect(candidate.locator("#typed-name-error")).to_contain_text(NAME)
    expect(candidate.locator("#offer-status")).to_have_text("已发送")
    candidate.set_input_files(
        "#document-form input[type=file]",
        files=[
            {"name": "id.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"0" * 64}
        ],
    )
    candidate.click("#document-form button")
    expect(candidate.locator("#portal-done")).to_contain_text("材料已收到")
    candidate.fill("#typed-name", NAME)
    candidate.click("#accept")
    expect(candidate.locator("#portal-done")).to_contain_text("您已接受录用")
    expect(candidate.locator("#offer-status")).to_have_text("已接受")
    expect(candidate.locator("#answered")).to_be_visible()
    # Accepting again from a stale page answers 409 with the reason in Chinese.
    again = candidate.request.post(
        "/api/v1" + link.replace("/offer/", "/offer-links/") + "/answer",
        data={"accept": True, "typed_name": NAME},
        headers={"Accept-Language": "zh-CN"},
    )
    assert again.status == 409 and "已答复" in again.json()["error"]["message"]
    candidate.fill("#password-form input[name=password]", "Welcome-aboard-2026")
    candidate.click("#password-form button")
    expect(candidate.locator("#portal-done")).to_contain_text("密码已设置")
    visitor.close()

    # The new employee signs in; the self-service page opens.
    employee = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    own = employee.new_page()
    sign_in(own, email, "Welcome-aboard-2026")
    response = own.goto("/me")
    assert response is not None and response.status == 200
    employee.close()

    # HR sees the employee number and the onboarding checklist.
    page.reload()
    expect(page.locator("#offer-status")).to_have_text("已接受")
    page.locator("#employee a").click()
    expect(page.locator("#checklist li")).to_have_count(5)
    page.locator("#checklist li[data-status=open] button").first.click()
    expect(page.locator("#checklist li[data-status=done]")).to_have_count(1)


def test_the_candidates_offer_page_on_a_phone_in_english(
    browser: Browser, server: str, server_data_dir: Path
):
    email = f"lin.{secrets.token_hex(3)}@example.cn"
    application, template = _candidate_at_offer_stage(server, email)
    with _api(server, HR) as hr, _api(server, MANAGER) as manager:
        offer = hr.post(
            f"/api/v1/applications/{application}/offers",
            json={
                "template_id": template,
                "start_date": (datetime.now(UTC).date() + timedelta(days=30)).isoformat(),
            },
        ).json()
        assert hr.post(f"/api/v1/offers/{offer['id']}/submit").status_code == 200
        assert (
            manager.post(
                f"/api/v1/offers/{offer['id']}/decision", json={"approve": True}
            ).status_code
            == 200
        )
        assert hr.post(f"/api/v1/offers/{offer['id']}/send").status_code == 200
        link = _link(server_data_dir, application)
        assert hr.post(f"/api/v1/offers/{offer['id']}/withdraw", json={}).status_code == 200
    context = browser.new_context(
        base_url=server,
        locale="en-US",
        viewport={"width": 390, "height": 844},
        timezone_id="Europe/Berlin",
    )
    phone = context.new_page()
    phone.goto(link)
    expect(phone.locator("#offer-status")).to_have_text("Withdrawn")
    expect(phone.locator("#closed")).to_contain_text("withdrawn by the company")
    expect(phone.locator("#answer-form")).to_have_count(0)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways ({width}px)"
    context.close()
