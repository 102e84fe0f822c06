"""The analytics dashboard in a real browser (SPEC I1): HR opens it from the menu, sees the
funnel drawn by ECharts with its table, narrows it to one opening and downloads the CSV."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_from_menu, sign_in

pytestmark = pytest.mark.browser


def test_hr_reads_the_funnel_and_downloads_it(page: Page) -> None:
    sign_in(page, "hr@huaxing.example")
    open_from_menu(page, href="/analytics")
    funnel = page.locator("#funnel")
    expect(funnel.locator(".analytics-chart canvas")).to_have_count(1)
    expect(funnel.locator("tbody tr").first).to_be_visible()
    first_count = int(funnel.locator("tbody tr").first.locator("td").nth(1).inner_text())
    assert first_count > 0  # the demo's applications
    # one opening: the page keeps the filter and the figures follow it
    page.select_option("select[name=opening]", index=1)
    page.click("#analytics-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"opening=\d+"))
    with page.expect_download() as download:
        page.locator("#funnel a", has_text="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0].startswith("阶段,")
    # a period that ends before it starts is refused with a message, not an error page
    page.fill("input[name=start]", "2026-05-02")
    page.fill("input[name=end]", "2026-05-01")
    page.click("#analytics-filters button[type=submit]")
    expect(page.locator("#analytics-error")).to_contain_text("开始日期晚于结束日期")
