"""A live interview in two real browsers (SPEC E2): HR opens a room for a demo candidate, the
candidate joins by the link in a second Chromium whose fake microphone plays an English
answer synthesised by espeak-ng, both consent on screen, the browsers connect over WebRTC,
the answer is queued, transcribed by the embedded Whisper model in the speech worker and pushed
to HR's assistant by server-sent events (the page no longer polls for it), which shows the line
of transcript, the missed-question hint and a follow-up hint drawn from the answer."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, sign_in

pytestmark = pytest.mark.browser

HR = "hr@huaxing.example"
CANDIDATE_NAME = "Emily Carter"
ANSWER = (
    "We worked on the new sales system project as a team. We talked about it a lot, "
    "and we thought it went fine."
)
SILENT = Path(__file__).resolve().parent.parent / "data" / "interviews" / "silent.wav"


def _answer_wav(folder: Path) -> Path:
    """The answer at 16 kHz mono followed by two seconds of silence (the fake microphone plays
    the file in a loop: the silence ends each utterance)."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    raw = folder / "answer-raw.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(raw), ANSWER], check=True)
    with wave.open(str(raw)) as source:
        rate, width, frames = source.getframerate(), source.getsampwidth(), source.readframes(-1)
    out = folder / "answer.wav"
    with wave.open(str(out), "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(width)
        target.setframerate(rate)
        target.writeframes(frames + b"\0" * (rate * width * 2))
    return out


@pytest.fixture
def candidate_browser(browser: Browser, tmp_path: Path) -> Iterator[Browser]:
    """A second Chromium whose fake microphone speaks the answer."""
    wav = _answer_wav(tmp_path)
    other = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={wav}"]
    )
    yield other
    other.close()


@pytest.fixture
def hr_browser(browser: Browser) -> Iterator[Browser]:
    """HR's Chromium with a silent fake microphone (its beeps would be utterances too)."""
    other = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, f"--use-file-for-fake-audio-capture={SILENT}"],
    )
    yield other
    other.close()


def test_hr_and_candidate_hold_a_live_room_with_the_assistant(
    server: str, hr_browser: Browser, candidate_browser: Browser
) -> None:
    hr_context = hr_browser.new_context(base_url=server, locale="zh-CN")
    hr: Page = hr_context.new_page()
    hr.set_default_timeout(20_000)
    sign_in(hr, HR)
    polled: list[str] = []  # requests for the room's state: the stream replaces them
    hr.on(
        "request",
        lambda request: polled.append(request.url) if "after_utterance=" in request.url else None,
    )
    hr.goto("/live")
    option = hr.locator("#application option", has_text=CANDIDATE_NAME).first
    hr.select_option("#application", value=option.get_attribute("value"))
    hr.click("#open")
    expect(hr.locator("#live-room")).to_have_attribute("data-side", "staff")
    link = hr.locator("#candidate-link").inner_text().strip()
    expect(hr.locator("#checklist li").first).to_be_visible()
    expect(hr.locator("#live-room")).to_have_attribute("data-stream", "1")

    # HR moves past the first question before the candidate said anything: a missed question.
    questions = hr.locator("#checklist li")
    assert questions.count() >= 3
    questions.nth(0).locator("button").click()
    expect(questions.nth(0)).to_have_class("question current")
    # ...to a behavioural question: its answer is read for own action and result (a motivation
    # question's is not), whatever order the opening's plan has by now
    wanted = hr.locator('#checklist li[data-kind="behavioural"]:not(.current)').first
    story = hr.locator(f'#checklist li[data-question="{wanted.get_attribute("data-question")}"]')
    story.locator("button").click()
    expect(story).to_have_class("question current")
    expect(hr.locator('#hints li[data-kind="not_answered"]')).to_have_count(1)
    assert "没有回答" in hr.locator('#hints li[data-kind="not_answered"]').inner_text()

    candidate_context = candidate_browser.new_context(locale="en-US")
    candidate = candidate_context.new_page()
    candidate.set_default_timeout(20_000)
    candidate.goto(link)
    expect(candidate.locator("#live-room")).to_have_attribute("data-side", "candidate")
    expect(candidate.locator("#recording-status")).to_contain_text("Nothing is recorded yet")

    # Consent first: until both agreed no audio is sent.
    candidate.click("#consent")
    hr.click("#consent")
    expect(candidate.locator("#live-room")).to_have_attribute("data-recording", "1")
    expect(hr.locator("#live-room")).to_have_attribute("data-recording", "1")

    # WebRTC: each side receives the other's media.
    expect(candidate.locator("#remotes video")).to_have_count(1, timeout=30_000)
    expect(hr.locator("#live-room")).to_have_attribute("data-connected", "1", timeout=30_000)

    # The candidate's answer: a transcript line on HR's page, and a follow-up hint from it.
    # (Recording starts wherever the looping fake microphone is: the first line may be the
    # end of the answer; a following one holds it whole.)
    line = hr.locator('#transcript li[data-speaker="candidate"]', has_text="sales").first
    expect(line).to_be_visible(timeout=90_000)
    expect(hr.locator('#hints li[data-kind="follow_up"]').first).to_be_visible(timeout=30_000)
    assert candidate.locator("#transcript").count() == 0  # the candidate never sees it
    assert polled == []

    hr.fill("#notes", "Answer was about the team; ask what she did herself.")
    hr.click("#end-room")
    expect(hr.locator("#end-result")).to_contain_text("档案", timeout=60_000)
    expect(candidate.locator("#recording-status")).to_contain_text("ended", timeout=15_000)
    hr_context.close()
    candidate_context.close()
