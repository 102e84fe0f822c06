"""The HR record in a real browser against ``hireflow serve --demo``.

Results arrive the way the interview domain delivers them (through the record's API);
then HR finds the person, reads the tamper-evident record, opens a recording behind an
e-mailed one-time code; IT verifies integrity without seeing anyone's data.
"""

from __future__ import annotations

import email
import re
import time
from email import policy
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_from_menu, sign_in

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
IT = "it@huaxing.example"
PASSWORD = "Hireflow-demo-2026"
RECORDING = b"RIFF" + bytes(range(256)) * 40


def _api(server: str) -> tuple[httpx.Client, dict]:
    client = httpx.Client(base_url=server, timeout=20)
    token = client.post("/api/v1/auth/token", json={"email": HR, "password": PASSWORD})
    assert token.status_code == 200, token.text
    return client, {"Authorization": f"Bearer {token.json()['token']}"}


@pytest.fixture(scope="module")
def people(server: str) -> dict[str, int]:
    """An interview result and a recording for 赵磊, a resume for Lukas Meyer (EU)."""
    client, headers = _api(server)
    found = {c["name"]: c["id"] for c in client.get("/api/v1/candidates", headers=headers).json()}
    zhao, lukas = found["赵磊"], found["Lukas Meyer"]
    result = client.post(
        f"/api/v1/records/{zhao}/entries",
        json={
            "type": "interview_result",
            "source": "ai_interview",
            "facts": {
                "scores": {"communication": "8.2", "problem_solving": "7.5"},
                "scale": 10,
                "match_percent": 81,
            },
            "data": {
                "summary": "处理客户投诉的案例结构清晰，结果可量化",
                "strengths": ["STAR 完整"],
            },
        },
        headers=headers,
    )
    assert result.status_code == 201, result.text
    assert (
        client.post(
            f"/api/v1/records/{zhao}/status", json={"status": "ai_interview_done"}, headers=headers
        ).status_code
        == 201
    )
    upload = client.post(
        f"/api/v1/records/{zhao}/attachments",
        files={"file": ("answer-q1.wav", RECORDING, "audio/wav")},
        data={"kind": "recording", "labels": '{"interview_id": 7}'},
        headers=headers,
    )
    assert upload.status_code == 201, upload.text
    resume = client.post(
        f"/api/v1/records/{lukas}/attachments",
        files={"file": ("cv.txt", b"Key account manager, 8 years", "text/plain")},
        data={"kind": "resume"},
        headers=headers,
    )
    assert resume.status_code == 201 and resume.json()["region"] == "eu"
    return {"zhao": zhao, "lukas": lukas, "recording": upload.json()["id"]}


def _sign_in_zh(page: Page, address: str) -> None:
    """Sign in and make sure the pages speak Chinese (other tests switch languages)."""
    sign_in(page, address)
    if page.locator("html").get_attribute("lang") != "zh-CN":
        page.select_option("#lang-select", "zh-CN")
        # the switch is a form post: wait for its page, or the next navigation cancels it
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def _wait_for_code(data_dir: Path, to: str, seen: set[str], timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in sorted((data_dir / "maildrop").glob("*.eml")):
            if path.name in seen:
                continue
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if message["To"] != to:
                continue
            body = message.get_body(preferencelist=("plain",)).get_content()
            match = re.search(r"\b(\d{6})\b", body)
            if match:
                seen.add(path.name)
                return match.group(1)
        time.sleep(0.3)
    raise AssertionError(f"no one-time code mailed to {to} within {timeout} s")


def test_hr_finds_the_person_and_reads_a_tamper_evident_record(page: Page, people):
    _sign_in_zh(page, HR)
    open_from_menu(page, "人事档案")
    page.fill("input[name=q]", "客户投诉")
    page.click("#record-search button[type=submit]")
    results = page.locator("#record-results")
    expect(results).to_contain_text("赵磊")
    page.click("#record-results >> text=赵磊")
    expect(page.locator("#integrity-badge")).to_contain_text("防篡改")
    expect(page.locator("#integrity-badge")).to_have_attribute("data-ok", "1")
    expect(page.locator("#record-badges")).to_contain_text("CN")
    expect(page.locator("#record-badges")).to_contain_text("AI 面试已完成")
    result = page.locator("article.entry[data-type=interview_result]").first
    expect(result).to_contain_text("沟通表达")
    expect(result).to_contain_text("8.2 / 10")
    expect(result).to_contain_text("81%")
    with page.expect_download() as download:
        page.click(f"#files li[data-attachment='{people['recording']}'] a")
    assert Path(download.value.path()).read_bytes() == RECORDING
    page.select_option("#lang-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#record-title")).to_contain_text("HR record")
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")


def test_eu_person_shows_the_eu_region(page: Page, people):
    _sign_in_zh(page, HR)
    page.goto(f"/records/{people['lukas']}")
    expect(page.locator("#record-badges [data-region]")).to_contain_text("EU")
    expect(page.locator("#files")).to_contain_text("cv.txt")


def test_one_time_code_guards_recordings(page: Page, people, server_data_dir: Path):
    _sign_in_zh(page, HR)
    page.goto("/records/policy")
    page.check("input[name=require_download_code]")
    page.click("#form-policy button[type=submit]")
    expect(page.locator(".notice")).to_be_visible()
    try:
        page.goto(f"/records/{people['zhao']}")
        page.click(f"#files li[data-attachment='{people['recording']}'] a")
        expect(page.locator("#form-code")).to_be_visible()
        seen: set[str] = set()
        page.click("#form-send-code button")
        expect(page.locator("#code-sent")).to_be_visible()
        code = _wait_for_code(server_data_dir, HR, seen)
        page.fill("#form-code input[name=code]", "000000" if code != "000000" else "111111")
        page.click("#form-code button[type=submit]")
        expect(page.locator("[role=alert]")).to_contain_text("验证码错误")
        page.click("#form-send-code button")
        code = _wait_for_code(server_data_dir, HR, seen)
        page.fill("#form-code input[name=code]", code)
        with page.expect_download() as download:
            page.click("#form-code button[type=submit]")
        assert Path(download.value.path()).read_bytes() == RECORDING
    finally:
        page.goto("/records/policy")
        page.uncheck("input[name=require_download_code]")
        page.click("#form-policy button[type=submit]")


def test_it_auditor_verifies_integrity_without_personal_data(page: Page, people):
    _sign_in_zh(page, IT)
    expect(page.locator("header nav")).to_contain_text("档案完整性")
    expect(page.locator("header nav")).not_to_contain_text("人事档案")
    response = page.goto(f"/records/{people['zhao']}")
    assert response is not None and response.status == 403
    page.goto("/records/integrity")
    page.click("#form-verify button")
    expect(page.locator("#runs tbody tr").first).to_contain_text("完整")
    expect(page.locator("main")).not_to_contain_text("赵磊")
