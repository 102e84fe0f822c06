"""A real Hireflow server with demo data, driven by Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.chat_server import ChatServer, chat_server
from tests.conftest import free_port

CHROMIUM = os.environ.get("HIREFLOW_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under pytest-xdist the browser tests run on one worker, against one demo server and one
    Chromium: a second demo server costs about as much CPU as it saves on two cores, and two
    starting at once on a loaded machine pushed both past the start-up deadline."""
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session")
def server_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("browser-data")


def machine_translation(text: str) -> str:
    """What the browser tests' translation provider answers: recognisable, not a language."""
    return "【译】" + text[:40]


@pytest.fixture(scope="session")
def translation_provider() -> Iterator[type[ChatServer]]:
    """A real local server speaking the OpenAI chat protocol, the demo's translator (E7)."""
    with chat_server(machine_translation) as chat:
        yield chat


@pytest.fixture(scope="session")
def server(server_data_dir: Path, translation_provider: type[ChatServer]) -> Iterator[str]:
    """``hireflow serve --demo`` on a fresh data directory, exactly as a newcomer runs it, with
    a translation provider configured as IT would."""
    data_dir = server_data_dir
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HIREFLOW_")}
    env.update({"HIREFLOW_DATA_DIR": str(data_dir), "HIREFLOW_LOG_LEVEL": "WARNING"})
    env.update(
        {
            "HIREFLOW_TRANSLATOR": "openai",
            "HIREFLOW_TRANSLATOR_URL": translation_provider.url,
            "HIREFLOW_TRANSLATOR_MODEL": "local-model",
        }
    )
    log = (data_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "serve", "--demo", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    # Loading the demo takes about 40 s on a loaded 2-core machine, longer while other tests
    # (pytest-xdist workers) share the cores: the deadline only catches a hung server.
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(Path(log.name).read_text(errors="replace"))
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    else:
        process.terminate()
        raise RuntimeError("server did not become healthy:\n" + Path(log.name).read_text())
    yield base
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    context = browser.new_context(base_url=server, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def show_translations(page: Page) -> Locator:
    """On an interview report, ask for translations into the reader's language; checks that the
    first answer stands beside its machine translation and returns that original (E7)."""
    page.click("#translate-link")
    expect(page.locator("#translation-notice")).to_be_visible()
    pair = page.locator("#answers .bilingual").first
    expect(pair.locator(".translation")).to_contain_text("【译】")
    original = pair.locator(":scope > :not(.translation)").first  # a paragraph or a quote
    expect(original).not_to_contain_text("【译】")
    return original


def sign_in(page: Page, email: str, password: str = "Hireflow-demo-2026") -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def open_from_menu(page: Page, label: str | None = None, *, href: str | None = None) -> None:
    """Go to a page through the navigation as a person does: open its menu, click the link.

    The link is named by its label or, where the label depends on the language, its href."""
    if href is not None:
        link = page.locator(f"header nav a[href='{href}']").first
    else:
        link = page.locator("header nav a", has_text=label).first
    group = link.locator("xpath=ancestor::li[contains(@class, 'nav-group')]")
    toggle = page.locator("#nav-toggle-label")
    if not link.is_visible() and toggle.is_visible():  # a phone: open the menu first
        toggle.click()
    if group.count() and not link.is_visible():
        group.locator(".nav-group-label").hover()
    link.click()
