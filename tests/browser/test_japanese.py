"""A candidate takes the AI interview in Japanese (SPEC E7), in Chromium against the real
server and worker: HR invites them in Japanese, the invitation, the identity check, the notice
and the questions read in Japanese, and the candidate answers in Japanese. The engine cannot
score Japanese, so HR's report says the answers were not scored instead of giving a low score.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in
from tests.browser.test_interviews import confirm_identity
from tests.browser.test_scheduling import _mails, _wait_for_mail

pytestmark = pytest.mark.browser

CANDIDATE = "Jonas Weber"
EMAIL = "jonas.weber@example.de"
OPENING = "Key Account Manager, DACH"
ANSWER = (
    "前職では、主要顧客の更新交渉を担当しました。値上げに反対する顧客に対し、私は利用データを"
    "分析して削減効果を示し、三回の打ち合わせで合意しました。その結果、契約を二年延長できました。"
)
KANA = re.compile(r"[\u3040-\u30ff]")


def test_a_candidate_takes_the_interview_in_japanese(
    page: Page, browser: Browser, server: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # HR invites the candidate to an AI interview and sets their language to Japanese.
    sign_in(page, "hr@huaxing.example")
    earlier = len(_mails(tmp_path_factory, EMAIL))
    page.goto("/scheduling/invite")
    page.select_option("#choose-opening select[name=opening_id]", label=OPENING)
    page.click("#choose-opening button[type=submit]")
    row = page.locator("#candidate-choices tr", has_text=CANDIDATE)
    row.locator("input[type=checkbox]").check()
    row.locator("select.locale-language").select_option("ja")
    page.check("input[name=kind][value=ai]")
    page.fill("input[name=duration_minutes]", "10")
    page.click("#send-button")
    expect(page.locator("#batch-status")).to_contain_text("完成", timeout=60_000)
    token = _wait_for_mail(tmp_path_factory, EMAIL, r"/i/([A-Za-z0-9_.\-]+)", earlier).group(1)
    (mail,) = _mails(tmp_path_factory, EMAIL)[earlier : earlier + 1]
    assert KANA.search(mail["Subject"] + mail.get_body(("plain",)).get_content())

    # The candidate's browser is set to Japanese; the link, the notice and questions are.
    context = browser.new_context(base_url=server, locale="ja-JP", timezone_id="Asia/Tokyo")
    candidate = context.new_page()
    candidate.set_default_timeout(20_000)
    confirm_identity(candidate, tmp_path_factory, EMAIL, token)
    candidate.goto(f"/i/{token}/interview")
    assert candidate.locator("html").get_attribute("lang") == "ja"
    notice = candidate.locator("#iv-notice")
    for words in ("記録される内容", "評価される内容", "AI の使い方", "保存期間", "人による評価"):
        expect(notice).to_contain_text(words)
    candidate.check("#iv-consent input[name=recording]")
    candidate.check("#iv-consent input[name=ai_assessment]")
    candidate.click("#iv-start")
    expect(candidate.locator("#iv-ready")).to_be_visible()
    candidate.click("#iv-begin")
    # the question opens on the server first: until then the ready screen stays (and a second
    # click on its button would wait for a screen that has gone)
    expect(candidate.locator("#iv-question")).to_be_visible()
    expect(candidate.locator("#iv-count")).to_contain_text("質問 1 /")
    total = int(re.search(r"/ (\d+)", candidate.locator("#iv-count").inner_text()).group(1))
    for _ in range(total):
        expect(candidate.locator("#iv-ready:visible, #iv-question:visible")).to_have_count(1)
        if candidate.locator("#iv-ready").is_visible():
            candidate.click("#iv-begin")
        question = candidate.locator("#iv-qtext").inner_text()
        assert KANA.search(question), question  # the bank's Japanese text
        candidate.click("#iv-mode-text")
        candidate.fill("#iv-text", ANSWER)
        candidate.click("#iv-text-save")
        expect(candidate.locator("#iv-pause:visible, #iv-review:visible")).to_have_count(1)
        if candidate.locator("#iv-pause").is_visible():
            candidate.click("#iv-continue")
    expect(candidate.locator("#iv-review")).to_be_visible()
    candidate.once("dialog", lambda dialog: dialog.accept())
    candidate.click("#iv-submit")
    expect(candidate.locator("#iv-done")).to_be_visible()
    expect(candidate.locator("#iv-done")).to_contain_text("採用担当者")
    context.close()

    # HR's report: the Japanese answers are marked as not scored, never as poor answers.
    page.goto("/interviews")
    report_url = page.locator("#interviews-table tr", has_text=CANDIDATE).locator("a").first
    report_url = report_url.get_attribute("href")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        page.goto(report_url)
        if page.locator("li[data-code='unsupported_language']").count():
            break
        time.sleep(0.5)
    expect(page.locator("li[data-code='unsupported_language']").first).to_contain_text("日文")
    expect(page.locator("#summary")).to_contain_text("未评分")
