"""Invite → the candidate opens the link → identity check → books a slot → HR sees "booked".

Runs against the real server with its embedded Celery worker: the invitation and the one-time
code travel through the outbox and arrive as .eml files in the server's mail drop, which is
where this test reads them, like a candidate reading their inbox.
"""

from __future__ import annotations

import email
import re
import time
from email import policy

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

CANDIDATE = "Lukas Meyer"
CANDIDATE_EMAIL = "lukas.meyer@example.de"
OPENING = "Key Account Manager, DACH"


def _mails(tmp_path_factory: pytest.TempPathFactory, to: str) -> list[email.message.EmailMessage]:
    found = []
    # oldest first: the files' names are random, and callers count the mails seen before
    paths = tmp_path_factory.getbasetemp().glob("browser-data*/maildrop/*.eml")
    for path in sorted(paths, key=lambda p: (p.stat().st_mtime_ns, p.name)):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == to:
            found.append(message)
    return found


def _wait_for_mail(tmp_path_factory, to: str, pattern: str, seen: int = 0, timeout: float = 60):
    """The text of the first mail to ``to`` (after the ``seen`` first ones) matching ``pattern``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in _mails(tmp_path_factory, to)[seen:]:
            text = message.get_body(preferencelist=("plain",)).get_content()
            match = re.search(pattern, text)
            if match:
                return match
        time.sleep(0.3)
    raise AssertionError(f"no mail to {to} matching {pattern!r} within {timeout} s")


def test_invite_identity_check_booking_and_progress(
    page: Page, browser: Browser, server: str, tmp_path_factory: pytest.TempPathFactory
):
    earlier = len(_mails(tmp_path_factory, CANDIDATE_EMAIL))

    # HR invites the candidate.
    sign_in(page, "hr@huaxing.example")
    page.goto("/scheduling")
    page.click("#invite-link")
    page.select_option("#choose-opening select[name=opening_id]", label=OPENING)
    page.click("#choose-opening button[type=submit]")
    row = page.locator("#candidate-choices tr", has_text=CANDIDATE)
    row.locator("input[type=checkbox]").check()
    page.click("#preview-button")
    expect(page.locator("#preview")).to_contain_text("choose a time")  # the English sample
    page.click("#send-button")
    expect(page.locator("#batch-status")).to_contain_text("完成", timeout=60_000)
    page.click("#to-progress")
    expect(page.locator("#progress-table")).to_contain_text(CANDIDATE)

    # The candidate reads the invitation and opens the personal link.
    link = _wait_for_mail(tmp_path_factory, CANDIDATE_EMAIL, r"/i/([A-Za-z0-9_.\-]+)", earlier)
    context = browser.new_context(base_url=server, locale="en-US", timezone_id="Europe/Berlin")
    candidate = context.new_page()
    candidate.set_default_timeout(15_000)
    candidate.goto(f"/i/{link.group(1)}")
    expect(candidate.locator("h1")).to_contain_text(OPENING)
    expect(candidate.locator("#identity")).to_be_visible()
    expect(candidate.locator("body")).not_to_contain_text(CANDIDATE)  # not before the check
    codes_before = len(_mails(tmp_path_factory, CANDIDATE_EMAIL))
    candidate.click("#form-code button[type=submit]")
    expect(candidate.locator("#link-notice")).to_contain_text("We sent you a code")
    code = _wait_for_mail(tmp_path_factory, CANDIDATE_EMAIL, r"\b(\d{6})\b", codes_before)
    candidate.fill(
        "#form-verify input[name=answer]", "000000" if code.group(1) != "000000" else "111111"
    )
    candidate.click("#form-verify button[type=submit]")
    expect(candidate.locator("#link-error")).to_contain_text("attempts left")
    candidate.fill("#form-verify input[name=answer]", code.group(1))
    candidate.click("#form-verify button[type=submit]")
    expect(candidate.locator("#link-notice")).to_contain_text("identity is confirmed")
    expect(candidate.locator("body")).to_contain_text(CANDIDATE)
    expect(candidate.locator("#guide")).to_contain_text("What is assessed")

    # Device check with Chromium's fake camera and microphone.
    candidate.click("#run-check")
    expect(candidate.locator("#device-check")).to_have_attribute("data-done", "ok", timeout=30_000)
    expect(candidate.locator('[data-check="camera"] span')).to_have_attribute("data-state", "ok")

    # A failing camera goes to the technical log (without the link's token).
    candidate.evaluate(
        "() => { navigator.mediaDevices.getUserMedia = () =>"
        " Promise.reject(new DOMException('denied', 'NotAllowedError')); }"
    )
    candidate.click("#run-check")
    expect(candidate.locator("#device-check")).to_have_attribute(
        "data-done", "fail", timeout=30_000
    )
    expect(candidate.locator("#check-summary")).to_be_visible()

    # Slots are shown in the candidate's zone; book the first one.
    expect(candidate.locator("#slots")).to_contain_text("Europe/Berlin")
    first = candidate.locator("button.slot").first
    chosen = first.get_attribute("data-start")
    first.click()
    expect(candidate.locator("#link-notice")).to_contain_text("Your interview is booked")
    expect(candidate.locator("#booked-time")).to_be_visible()
    assert chosen

    # The confirmation with the calendar invite arrives.
    confirmation_deadline = time.monotonic() + 60
    while time.monotonic() < confirmation_deadline:
        invites = [
            m
            for m in _mails(tmp_path_factory, CANDIDATE_EMAIL)
            if any(part.get_content_type() == "text/calendar" for part in m.walk())
        ]
        if invites:
            break
        time.sleep(0.3)
    else:
        raise AssertionError("no calendar invite arrived")
    context.close()

    # IT reads the device problem in the technical log, without personal data or the token.
    it = browser.new_context(base_url=server, locale="zh-CN")
    it_page = it.new_page()
    sign_in(it_page, "it@huaxing.example")
    it_page.goto("/techlog")
    expect(it_page.locator("#techlog-table")).to_contain_text("NotAllowedError")
    assert link.group(1) not in it_page.content()
    it.close()

    # HR sees "booked" (and the confirmed identity) in the progress view.
    page.reload()
    row = page.locator("#progress-table tr", has_text=CANDIDATE)
    expect(row).to_contain_text("已预约")
    expect(row).to_contain_text("已确认")


def test_a_tampered_link_shows_a_clear_page(browser: Browser, server: str):
    context = browser.new_context(base_url=server, locale="en-US")
    page = context.new_page()
    response = page.goto("/i/not-a-real-token")
    assert response is not None and response.status == 404
    expect(page.locator("main")).to_contain_text("not valid")
    context.close()


def test_hr_admin_chooses_a_meeting_provider(page: Page):
    """The settings page: a provider without its secret is refused with the reason; with it,
    saved, and the secret is never shown again. The company goes back to pasted links (the
    other browser tests share the demo company)."""
    sign_in(page, "hr@huaxing.example")
    page.goto("/scheduling/settings")
    form = page.locator("form#meetings")
    form.locator("#meeting-provider").select_option("zoom")
    zoom = form.locator("#meeting-zoom")
    zoom.locator("summary").click()
    zoom.locator("input[name='zoom.account_id']").fill("acc-browser")
    zoom.locator("input[name='zoom.client_id']").fill("client-browser")
    form.locator("button[type=submit]").click()
    expect(page.locator("div.alert[role=alert]")).to_contain_text("client_secret")
    form = page.locator("form#meetings")
    zoom = form.locator("#meeting-zoom")
    zoom.locator("input[name='zoom.secret.client_secret']").fill("browser-secret-value")
    form.locator("button[type=submit]").click()
    expect(page.locator("p.notice")).to_be_visible()
    assert "browser-secret-value" not in page.content()
    secret = page.locator("input[name='zoom.secret.client_secret']")
    assert secret.input_value() == "" and secret.get_attribute("placeholder")
    expect(page.locator("#meeting-provider")).to_have_value("zoom")
    page.locator("#meeting-provider").select_option("pasted")
    page.locator("form#meetings button[type=submit]").click()
    expect(page.locator("#meeting-provider")).to_have_value("pasted")
