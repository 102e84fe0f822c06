"""Coding questions in the AI interview, in Chromium, against the real server and a real
sandbox worker (``hireflow sandbox-worker`` on the server's broker).

HR adds the bank's coding questions to the backend opening's plan and invites two demo
candidates. The first solves one question in each of Python, JavaScript, C++ and Java in the
CodeMirror editor (a wrong run first: the failed example is shown), the second one in Go when
its toolchain is installed. HR's report shows each question's tests, efficiency and code.
"""

from __future__ import annotations

import base64
import email
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from email import policy
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from hireflow.coding.languages import available_languages
from hireflow.coding.questions import get_question
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

OPENING = "高级后端工程师"
# (candidate, e-mail, {bank question: language})
SOLVERS = [
    (
        "孙悦",
        "sun.yue@example.cn",
        {
            "pair-sum": "python",
            "distinct-window": "javascript",
            "count-inversions": "cpp",
            "interval-union": "java",
        },
    ),
]
if "go" in available_languages():
    SOLVERS.append(("赵磊", "zhao.lei@example.cn", {"pair-sum": "go"}))


def _mail_files(tmp_path_factory, to: str) -> dict[str, str]:
    """The mails to ``to`` in the demo server's mail drop, by file name."""
    found = {}
    for path in tmp_path_factory.getbasetemp().glob("browser-data*/maildrop/*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == to:
            found[path.name] = message.get_body(preferencelist=("plain",)).get_content()
    return found


def _new_mail(tmp_path_factory, to: str, pattern: str, before: set[str]) -> re.Match:
    """The first mail to ``to`` not among ``before`` that matches ``pattern``."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for name, text in _mail_files(tmp_path_factory, to).items():
            match = re.search(pattern, text) if name not in before else None
            if match:
                return match
        time.sleep(0.3)
    raise AssertionError(f"no new mail to {to} matching {pattern!r}")


def _newest_link(tmp_path_factory, to: str, before: set[str]) -> str:
    """The personal link of the newest invitation mailed to ``to`` (a demo invitation's
    reminder may arrive at the same time)."""
    tokens = set()
    for name, text in _mail_files(tmp_path_factory, to).items():
        if name not in before:
            tokens.update(re.findall(r"/i/([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)", text))

    def invitation_id(token: str) -> int:
        head = token.split(".")[0]
        return int(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["i"])

    return max(tokens, key=invitation_id)


@pytest.fixture(scope="module")
def sandbox_worker(server: str, server_data_dir: Path) -> Iterator[None]:
    """A sandbox worker on the demo server's broker, started as IT would."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HIREFLOW_")}
    env.update({"HIREFLOW_DATA_DIR": str(server_data_dir), "HIREFLOW_LOG_LEVEL": "WARNING"})
    log = (server_data_dir / "sandbox-worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield
    worker.terminate()
    try:
        worker.wait(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
    log.close()


def _type_code(candidate: Page, code: str) -> None:
    editor = candidate.locator("#iv-code-editor .cm-content")
    editor.click()
    candidate.keyboard.press("Control+A")
    candidate.keyboard.press("Delete")
    candidate.keyboard.insert_text(code)


def _solve(candidate: Page, bank_id: str, language: str, first: bool) -> None:
    question = get_question(bank_id)
    expect(candidate.locator("#iv-code-title")).to_have_text(question.title["zh"])
    expect(candidate.locator("#iv-code-examples figure")).to_have_count(len(question.examples))
    candidate.select_option("#iv-code-language", language)
    # the starter code of the language, highlighted by CodeMirror
    expect(candidate.locator("#iv-code-editor .cm-content")).to_contain_text(
        question.starter[language].strip().splitlines()[0].strip()
    )
    assert candidate.locator("#iv-code-editor .cm-line span[class]").count() > 0
    if first:
        # a wrong program first: "Run" shows which example failed and what it printed
        wrong = {"python": "print(-1)\n"}.get(language, question.starter[language])
        _type_code(candidate, wrong)
        candidate.click("#iv-code-run")
        status = candidate.locator("#iv-code-status")
        # the result, not the "code runner not available" notice a loaded machine may show
        # first (after 20 s without a grade) while the page keeps polling
        expect(status).to_have_class(re.compile(r"\b(ok|alert)\b"), timeout=180_000)
        expect(status).not_to_contain_text("全部测试通过")
        expect(candidate.locator("#iv-code-cases .bad").first).to_be_visible()
    _type_code(candidate, question.reference[language])
    candidate.click("#iv-code-run")
    expect(candidate.locator("#iv-code-status")).to_contain_text("全部测试通过", timeout=180_000)
    candidate.once("dialog", lambda dialog: dialog.accept())
    candidate.click("#iv-code-submit")
    expect(candidate.locator("#iv-code-next")).to_be_visible(timeout=180_000)
    # "next" also shows while a submission waits for the code runner: wait for its grade
    expect(candidate.locator("#iv-code-status")).to_contain_text("全部测试通过", timeout=180_000)
    candidate.click("#iv-code-next")


def _interview(
    browser: Browser, server: str, tmp_path_factory, address: str, token: str, plan: dict[str, str]
) -> None:
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    candidate = context.new_page()
    candidate.set_default_timeout(20_000)
    candidate.goto(f"/i/{token}")
    before = set(_mail_files(tmp_path_factory, address))
    candidate.click("#form-code button[type=submit]")
    code = _new_mail(tmp_path_factory, address, r"\b(\d{6})\b", before)
    candidate.fill("#form-verify input[name=answer]", code.group(1))
    candidate.click("#form-verify button[type=submit]")
    expect(candidate.locator("#link-notice")).to_be_visible()
    candidate.goto(f"/i/{token}/interview")
    expect(candidate.locator("#iv-notice")).to_be_visible()
    candidate.check("#iv-consent input[name=recording]")
    candidate.check("#iv-consent input[name=ai_assessment]")
    candidate.click("#iv-start")
    expect(candidate.locator("#iv-ready")).to_be_visible()
    candidate.click("#iv-begin")
    solved = 0
    while True:
        expect(candidate.locator("#iv-question")).to_be_visible()
        if candidate.locator("#iv-code-pane").is_visible():
            by_title = {get_question(b).title["zh"]: b for b in plan}
            bank_id = by_title.get(candidate.locator("#iv-code-title").inner_text())
            if bank_id is None:  # not this candidate's: skipped
                candidate.once("dialog", lambda dialog: dialog.accept())
                candidate.click("#iv-code-skip")
            else:
                _solve(candidate, bank_id, plan[bank_id], first=solved == 0)
                solved += 1
        else:  # the plan's other questions are left blank (skipped, after the page asks)
            candidate.click("#iv-mode-text")
            candidate.once("dialog", lambda dialog: dialog.accept())
            candidate.click("#iv-text-save")
        expect(candidate.locator("#iv-pause:visible, #iv-review:visible")).to_have_count(1)
        if candidate.locator("#iv-review").is_visible():
            break
        candidate.click("#iv-continue")
    assert solved == len(plan)
    candidate.once("dialog", lambda dialog: dialog.accept())
    candidate.click("#iv-submit")
    expect(candidate.locator("#iv-done")).to_be_visible()
    context.close()


def test_candidates_solve_coding_questions_and_hr_reads_the_results(
    page: Page, browser: Browser, server: str, sandbox_worker: None, tmp_path_factory
):
    # HR puts the bank's coding questions into the opening's plan.
    sign_in(page, "hr@huaxing.example")
    page.goto("/openings")
    page.locator("a", has_text=OPENING).first.click()
    opening_url = re.search(r"/openings/\d+", page.url).group(0)
    page.goto(f"{opening_url}/plan")
    if not page.locator("#plan-table").count():
        page.click("#generate-form button[type=submit]")
        expect(page.locator("#plan-table")).to_be_visible(timeout=60_000)
    wanted = sorted({bank_id for _, _, plan in SOLVERS for bank_id in plan})
    for bank_id in wanted:
        page.select_option("#add-coding-form select[name=coding_id]", bank_id)
        page.click("#add-coding-form button[type=submit]")
        expect(page.locator(f"#plan-table tr[data-question='coding-{bank_id}']")).to_be_visible()
    # the same question twice is refused with a message
    page.select_option("#add-coding-form select[name=coding_id]", wanted[0])
    page.click("#add-coding-form button[type=submit]")
    expect(page.locator("div[role=alert]")).to_contain_text("已在面试方案中")

    # HR invites the candidates to the AI interview.
    earlier = {a: set(_mail_files(tmp_path_factory, a)) for _, a, _ in SOLVERS}
    page.goto("/scheduling/invite")
    page.select_option("#choose-opening select[name=opening_id]", label=OPENING)
    page.click("#choose-opening button[type=submit]")
    for name, _, _ in SOLVERS:
        page.locator("#candidate-choices tr", has_text=name).locator("input[type=checkbox]").check()
    page.check("input[name=kind][value=ai]")
    page.fill("input[name=duration_minutes]", "30")
    page.click("#send-button")
    expect(page.locator("#batch-status")).to_contain_text("完成", timeout=60_000)

    for name, address, plan in SOLVERS:
        _new_mail(tmp_path_factory, address, r"/i/([A-Za-z0-9_.\-]+)", earlier[address])
        token = _newest_link(tmp_path_factory, address, earlier[address])
        started = time.monotonic()
        _interview(browser, server, tmp_path_factory, address, token, plan)
        print(
            f"\n{name}: {len(plan)} coding question(s) solved in {time.monotonic() - started:.0f} s"
        )

        # HR's report: per question the tests passed, efficiency against the reference at
        # each input size, and the code.
        page.goto("/interviews")
        row = page.locator("#interviews-table tr", has_text=name).first
        report_url = row.locator("a").first.get_attribute("href")
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            page.goto(report_url)
            if page.locator("#dimensions").count():
                break
            time.sleep(1)
        expect(page.locator("#dimensions")).to_be_visible()
        for bank_id, language in plan.items():
            block = page.locator(f"#coding-{bank_id}")
            expect(block).to_have_attribute("data-status", "accepted")
            # the grading's own level, quoted: all hidden tests, time against the reference
            expect(block.locator(".coding-line")).to_contain_text("个隐藏测试")
            expect(block.locator(".coding-line")).to_contain_text("参考解法的")
            level = float(block.locator(".coding-level").get_attribute("data-level"))
            assert level >= 4.5, (bank_id, level)
            expect(block.locator(".efficiency tbody tr")).to_have_count(
                len(get_question(bank_id).efficiency.sizes)
            )
            first_line = get_question(bank_id).reference[language].strip().splitlines()[0]
            expect(block.locator("pre code")).to_contain_text(first_line.strip())
        # the coding answers are quoted as evidence of the technical competency
        # the technical competency quotes the code or the result line as its evidence
        technical = page.locator("#dimensions tr[data-dimension='technical_depth']")
        print(f"{name}: technical depth {technical.locator('.ai-score').inner_text()}")
        quote = technical.locator(".quote").first
        expect(quote).to_be_visible()
        quoted = quote.inner_text().strip("“”")
        sources = [get_question(b).reference[lang] for b, lang in plan.items()]
        sources += page.locator(".coding-line").all_inner_texts()
        assert any(quoted.strip("。. ") in text for text in sources), quoted
