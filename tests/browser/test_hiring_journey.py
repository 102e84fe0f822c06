"""One candidate from application to onboarded employee, through the real product.

Setup that is not the point goes through the API with HR's bearer token: an opening of 研发部
with a panel of two interviewers (the demo's and one made here), a signed webhook endpoint
pointing at a receiver in this test, a rule on the opening (report.ready, ``job_match >= 0``:
move to round 2 and start the next round by self-booking) and an offer template. Then, in
Chromium: HR invites the candidate to the AI interview; the candidate answers through their
link; the embedded worker scores and the rule moves them to round 2 and invites them to book;
the candidate books the live round from the mailed link; both interviewers submit scorecards;
HR reads the merged view, concludes, moves the candidate to the offer stage on the board, makes
the offer, the hiring manager approves it, HR sends it (the Chinese PDF); the candidate accepts
it in the portal and chooses a password; the employee's onboarding tasks are mailed to their
owners; the person's record shows, in order and in Chinese words, every step (the booked
round, each interviewer's scorecard and the hiring manager's approval included) and verifies,
on its page and with ``hireflow verify``. The receiver checks every delivery's
``Hireflow-Signature``, and the test checks each signature again from the documented scheme.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from tests.browser.conftest import sign_in
from tests.browser.test_interviews import (
    TEXT_ANSWERS,
    _answer_by_text,
    candidate_page,
    confirm_identity,
    invite_to_ai_interview,
    to_next_question,
)
from tests.browser.test_offers import (
    HR,
    MANAGER,
    PASSWORD,
    _api,
    approve_as_manager,
    offer_template,
)
from tests.browser.test_scheduling import _mails, _wait_for_mail
from tests.browser.test_webhooks import _wait
from tests.conftest import free_port
from tests.integrations.receiver import Receiver
from tests.openings.factories import txt_resume

pytestmark = pytest.mark.browser

INTERVIEWER = "interviewer@huaxing.example"
IT = "it@huaxing.example"
EVENTS = [
    "stage.changed",
    "report.ready",
    "interview.booked",
    "scorecard.submitted",
    "offer.decided",
    "offer.accepted",
    "employee.created",
]
DESCRIPTION = (
    "负责支付与订单后端服务的设计与开发：使用 Python 和 PostgreSQL 设计接口、优化慢查询、"
    "用 Redis 做缓存，保证高峰期的延迟与可用性，并与团队一起改进监控和告警。"
)


def _setup(server: str, tag: str, name: str, email: str, receiver: Receiver) -> dict:
    """Opening, panel, webhook endpoint, rule, offer template and the candidate's application."""
    second = f"panel.{tag}@huaxing.example"
    with _api(server, HR) as api:
        department = next(
            d["id"] for d in api.get("/api/v1/org/departments").json() if d["name"] == "研发部"
        )
        made = api.post(
            "/api/v1/org/users",
            json={
                "email": second,
                "name": f"赵面试官{tag}",
                "password": PASSWORD,
                "roles": [{"role": "interviewer"}],
            },
        )
        assert made.status_code == 201, made.text
        users = {u["email"]: u["id"] for u in api.get("/api/v1/org/users").json()}
        title = f"后端工程师 {tag}"
        opening = api.post(
            "/api/v1/openings",
            json={
                "title": title,
                "department_id": department,
                "job_type": "technical",
                "description": DESCRIPTION,
                "interviewer_ids": [users[INTERVIEWER], users[second]],
            },
        )
        assert opening.status_code == 201, opening.text
        opening_id = opening.json()["id"]
        assert api.post(f"/api/v1/openings/{opening_id}/status", json={"status": "open"}).is_success

        settings = api.put("/api/v1/integrations/settings", json={"allow_private_addresses": True})
        assert settings.is_success, settings.text
        endpoint = api.post(
            "/api/v1/webhooks/endpoints", json={"url": receiver.url, "events": EVENTS}
        )
        assert endpoint.status_code == 201, endpoint.text
        receiver.secrets = [endpoint.json()["secret"]]

        rule = api.post(
            f"/api/v1/openings/{opening_id}/pipeline/rules",
            json={
                "name": "AI 面试后进入第二轮",
                "trigger": "report.ready",
                "condition": "job_match >= 0",
                "actions": [
                    {"type": "move", "to": "round_2"},
                    {
                        "type": "next_round",
                        "round_name": "第二轮技术面试",
                        "meeting_url": "https://meeting.tencent.com/dm/hireflow",
                    },
                ],
            },
        )
        assert rule.status_code == 201, rule.text

        template_id = offer_template(api, documents=("id_card",))

        files = [("files", ("resume.txt", txt_resume(name, email, None)))]
        uploaded = api.post(f"/api/v1/openings/{opening_id}/resumes", files=files).json()
        assert uploaded["accepted"] == 1, uploaded
        return {
            "title": title,
            "opening_id": opening_id,
            "application_id": uploaded["results"][0]["application_id"],
            "template_id": template_id,
            "second": second,
            "rule_id": rule.json()["id"],
        }


def _signed(secret: str, header: str, raw: bytes) -> bool:
    """The receiver's own check, written from the documentation, not the product's code:
    ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>``, fresh within 5 min."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    stamp, given = parts.get("t", ""), parts.get("v1", "")
    expected = hmac.new(secret.encode(), stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
    fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= 300
    return fresh and hmac.compare_digest(expected, given)


def _wait_for_calendar(tmp_path_factory, to: str, about: str, timeout: float = 60) -> str:
    """The first iCalendar invitation to ``to`` that mentions ``about`` (lines unfolded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in _mails(tmp_path_factory, to):
            for part in message.walk():
                if part.get_content_type() == "text/calendar":
                    calendar = part.get_content().replace("\r\n ", "")
                    if about in calendar:
                        return calendar
        time.sleep(0.3)
    raise AssertionError(f"no calendar invitation to {to} within {timeout} s")


def _take_ai_interview(candidate: Page) -> None:
    """The candidate consents and answers every question by text, then submits."""
    candidate.on("dialog", lambda dialog: dialog.accept())
    candidate.click("#start-interview")
    candidate.check("#iv-consent input[name=recording]")
    candidate.check("#iv-consent input[name=ai_assessment]")
    candidate.click("#iv-start")
    expect(candidate.locator("#iv-ready")).to_be_visible()
    total = int(re.search(r"共 (\d+) 题", candidate.locator("#iv-count").inner_text()).group(1))
    texts = iter(TEXT_ANSWERS)
    for _ in range(total):
        expect(candidate.locator("#iv-ready:visible, #iv-question:visible")).to_have_count(1)
        if candidate.locator("#iv-ready").is_visible():
            candidate.click("#iv-begin")
        _answer_by_text(candidate, next(texts, TEXT_ANSWERS[0]))
        to_next_question(candidate)
    expect(candidate.locator("#iv-review")).to_be_visible()
    candidate.click("#iv-submit")
    expect(candidate.locator("#iv-done")).to_be_visible()


def _submit_scorecard(browser: Browser, server: str, email: str, application: int, level: str):
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    sign_in(page, email)
    page.goto(f"/applications/{application}/scorecards?round=round_2")
    expect(page.locator("#blind-notice")).to_be_visible()  # nobody else's ratings first
    competencies = page.locator("#scorecard-form fieldset.competency")
    assert competencies.count() >= 3
    for index in range(competencies.count()):
        competencies.nth(index).locator(f"input[type=radio][value='{level}']").check()
    page.check("#scorecard-form input[name=recommendation][value=yes]")
    page.fill("#scorecard-form textarea[name=notes]", f"{email}: 思路清晰，例子具体。")
    page.click("#scorecard-submit")
    expect(page.locator("#scorecard-saved")).to_be_visible()
    expect(page.locator("#blind-notice")).to_have_count(0)
    context.close()


def _own_scorecards_only(browser: Browser, server: str, email: str, person_id: int, card: str):
    context = browser.new_context(base_url=server, locale="zh-CN")
    page = context.new_page()
    sign_in(page, email)
    page.goto(f"/records/{person_id}")
    timeline = page.locator("#timeline").inner_text()
    assert timeline.count(card) == 1, timeline[:3000]
    assert "Anna Schmidt" not in timeline, timeline[:3000]
    context.close()


def test_one_candidate_from_application_to_onboarded_employee(
    page: Page, browser: Browser, server: str, server_data_dir: Path, tmp_path_factory
):
    started = time.monotonic()
    tag = secrets.token_hex(3)
    name = "沈嘉禾"
    email = f"shen.jiahe.{tag}@example.cn"
    receiver = Receiver(port=free_port()).start()
    try:
        hiring = _setup(server, tag, name, email, receiver)
        application = hiring["application_id"]
        candidate_context, candidate = candidate_page(browser, server)

        # 1. HR invites the candidate to the AI interview; the candidate answers through the link.
        sign_in(page, HR)
        token = invite_to_ai_interview(page, tmp_path_factory, name, email, hiring["title"])
        confirm_identity(candidate, tmp_path_factory, email, token)
        candidate.click("#run-check")
        expect(candidate.locator("#device-check")).to_have_attribute(
            "data-done", "ok", timeout=30_000
        )
        _take_ai_interview(candidate)

        # 2. The report is stored; the rule moves the candidate to round 2 and invites them to
        # book the live round (both in the worker, after the report's commit).
        with _api(server, HR) as api:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline:
                log = api.get(f"/api/v1/applications/{application}/pipeline/rule-log").json()
                if any(row["status"] == "fired" for row in log):
                    break
                time.sleep(1)
            else:
                raise AssertionError(f"the rule did not fire: {log}")
            position = api.get(f"/api/v1/applications/{application}/pipeline").json()
            assert position["stage"] == "round_2", position
        page.goto(f"/applications/{application}/pipeline/rules")
        expect(page.locator('#rule-log tr[data-status="fired"]')).to_have_count(1)

        # 3. The candidate books the live round from the invitation the rule sent.
        live = _wait_for_mail(
            tmp_path_factory, email, r"(?s)第二轮技术面试.*?/i/([A-Za-z0-9_.\-]+)", timeout=90
        ).group(1)
        assert live != token
        confirm_identity(candidate, tmp_path_factory, email, live)
        slot = candidate.locator("button.slot").first
        expect(slot).to_be_visible()
        slot.click()
        expect(candidate.locator("#booked-time")).to_be_visible()
        # calendar invitations to the candidate and to both panel interviewers, with the
        # meeting link the rule gave
        for address in (email, INTERVIEWER, hiring["second"]):
            calendar = _wait_for_calendar(tmp_path_factory, address, hiring["title"])
            assert "https://meeting.tencent.com/dm/hireflow" in calendar, calendar
        # HR's progress view of the opening shows the booking
        page.goto(f"/scheduling/openings/{hiring['opening_id']}")
        rows = page.locator("#progress-table tr", has_text=name)
        expect(rows).to_have_count(2)  # the AI interview and the live round
        expect(rows.filter(has_text="已预约")).to_have_count(1)

        # 4. Both panel interviewers submit their scorecards, blind to each other and the AI.
        _submit_scorecard(browser, server, INTERVIEWER, application, "4")
        _submit_scorecard(browser, server, hiring["second"], application, "3")

        # 5. HR reads the merged report (AI beside both interviewers) and concludes.
        page.goto(f"/applications/{application}/scorecards?round=round_2")
        merged = page.locator("#merged")
        expect(merged.locator(".merged-table tbody tr").first).to_be_visible()
        expect(merged).to_contain_text("Anna Schmidt")
        expect(merged).to_contain_text(f"赵面试官{tag}")
        expect(merged.locator(".submitted-card")).to_have_count(2)
        page.check("#conclusion-form input[name=decision][value=advance]")
        page.fill("#conclusion-form textarea[name=reason]", "两位面试官一致推荐，AI 评估相符。")
        page.click("#conclude-submit")
        expect(page.locator("#concluded-notice")).to_be_visible()

        # 6. HR moves the candidate to the offer stage on the board.
        page.goto(f"/openings/{hiring['opening_id']}/pipeline")
        card = page.locator(".kcard", has_text=name)
        expect(
            page.locator('.column[data-stage="round_2"]').locator(".kcard", has_text=name)
        ).to_be_visible()
        card.locator(".move-open").click()
        page.select_option("#move-to", "offer")
        page.click("#move-submit")
        expect(page.locator('.column[data-stage="offer"] .kcard', has_text=name)).to_be_visible()

        # 7. The offer: made from the template, approved by the hiring manager, sent.
        page.goto("/offers")
        page.locator("#awaiting-offer a", has_text=name).click()
        start = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
        page.select_option("#create-form select[name=template_id]", str(hiring["template_id"]))
        page.fill("#create-form input[name=start_date]", start)
        page.click("#create-form button[type=submit]")
        expect(page.locator("#offer-status")).to_have_text("草稿")
        page.click("#submit-form button")
        expect(page.locator("#offer-status")).to_have_text("待审批")
        approve_as_manager(browser, server, application)
        page.reload()
        expect(page.locator("#approvals li[data-role=hiring_manager]")).to_contain_text("张伟")
        before_offer = len(_mails(tmp_path_factory, email))
        page.click("#send-form button")
        expect(page.locator("#offer-status")).to_have_text("已发送")
        letter = page.request.get(f"/applications/{application}/offer/letter.pdf?lang=zh")
        assert letter.status == 200 and letter.headers["content-type"] == "application/pdf"
        words = "".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.body())).pages)
        assert "录用通知书" in words and name in words and "上海" in words, words[:300]

        # 8. The candidate accepts in the portal, from the mailed link, and chooses a password.
        offer_path = _wait_for_mail(
            tmp_path_factory, email, r"(/offer/[A-Za-z0-9_.\-]+)", before_offer
        ).group(1)
        candidate.goto(offer_path)
        expect(candidate.locator("#offer-status")).to_have_text("已发送")
        candidate.fill("#typed-name", name)
        candidate.click("#accept")
        expect(candidate.locator("#offer-status")).to_have_text("已接受")
        candidate.fill("#password-form input[name=password]", "Welcome-aboard-2026")
        candidate.click("#password-form button")
        expect(candidate.locator("#portal-done")).to_contain_text("密码已设置")
        candidate_context.close()

        # 9. An employee with an onboarding checklist; each task's owner got an e-mail.
        page.reload()
        expect(page.locator("#offer-status")).to_have_text("已接受")
        onboarding = page.locator("#employee a").get_attribute("href")
        person_id = int(re.search(r"/people/(\d+)/onboarding", onboarding).group(1))
        page.goto(onboarding)
        expect(page.locator("#employee")).to_contain_text("E0")
        tasks = page.locator("#checklist li")
        expect(tasks.first).to_be_visible()
        assert tasks.count() >= 3
        for owner in (IT, MANAGER, HR):
            _wait_for_mail(tmp_path_factory, owner, rf"{name} (将于|joins)", timeout=90)
        employee = browser.new_context(base_url=server, locale="zh-CN")
        own = employee.new_page()
        sign_in(own, email, "Welcome-aboard-2026")
        assert own.goto("/me").status == 200
        employee.close()

        # 10. The person's record shows every step, and it verifies.
        page.goto(f"/records/{person_id}")
        timeline = page.locator("#timeline").inner_text()
        # newest first: each step's entry below (older than) the next step's
        steps = [
            ("the resume", "简历上传"),
            ("the AI interview's result", "面试结果"),
            ("the rule's move to round 2", "AI 面试后进入第二轮"),
            ("the self-booked live round", "已预约面试：第二轮技术面试"),
            ("HR's conclusion over both scorecards", "两位面试官一致推荐"),
            ("the hiring manager's approval", "录用通知已由用人经理批准"),
            ("the letter sent", "录用通知书：offer-"),
            ("the signed acceptance", "签名摘要"),
            ("the move to hired", "已入职"),
            ("the employee number", "工号"),
            ("the onboarding checklist", "入职任务数"),
        ]
        where = {step: timeline.find(marker) for step, marker in steps}
        assert all(at >= 0 for at in where.values()), (where, timeline[:3000])
        order = [where[step] for step, _ in steps]
        assert order == sorted(order, reverse=True), (where, timeline[:3000])
        # in Chinese words: no stage keys, competency ids or English labels
        for raw in ("round_2", "technical_depth", "Previous stage", "Pipeline", "Scorecards"):
            assert raw not in timeline, (raw, timeline[:3000])
        assert "第二轮面试" in timeline and "最终结论" in timeline
        # each interviewer's scorecard, in their name, between the booking and HR's conclusion
        card = "面试评分表，第二轮面试：建议录用"
        assert timeline.count(card) == 2, timeline[:3000]
        assert where["HR's conclusion over both scorecards"] < timeline.find(card)
        assert timeline.rfind(card) < where["the self-booked live round"]
        assert "Anna Schmidt" in timeline and f"赵面试官{tag}" in timeline
        # an interviewer's view of the record shows their own scorecard only (blind)
        _own_scorecards_only(browser, server, hiring["second"], person_id, card)
        page.goto(f"/records/{person_id}/verify")
        expect(page.locator("#verify-result")).to_have_attribute("data-ok", "1")
        env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
        env["HIREFLOW_DATA_DIR"] = str(server_data_dir)
        verified = subprocess.run(
            [sys.executable, "-m", "hireflow.cli", "verify", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert verified.returncode == 0, verified.stdout[-2000:] + verified.stderr[-2000:]
        report = json.loads(verified.stdout[verified.stdout.index("{") :])
        assert report["ok"] and report["problems"] == [], report

        # 11. The receiver got the signed events of this journey.
        def arrived() -> set[str]:
            return {
                r.event
                for r in receiver.received
                if r.body["data"].get("application_id") == application
                or r.body["data"].get("person_id") == person_id
            }

        _wait(lambda: set(EVENTS) <= arrived(), seconds=120)
        assert receiver.refused == 0
        [secret] = receiver.secrets
        for delivery in receiver.received:
            header = delivery.headers.get("Hireflow-Signature", "")
            assert _signed(secret, header, delivery.raw), (delivery.event, header)
            assert delivery.body["type"] == delivery.event
            assert delivery.body["id"] == delivery.event_id
        moves = [
            (r.body["data"]["from"], r.body["data"]["to"])
            for r in receiver.received
            if r.event == "stage.changed" and r.body["data"]["application_id"] == application
        ]
        assert ("round_2", "offer") in moves and ("offer", "hired") in moves, moves
        assert moves[0][1] == "round_2", moves
        print(f"journey took {time.monotonic() - started:.0f} s")
    finally:
        receiver.stop()
