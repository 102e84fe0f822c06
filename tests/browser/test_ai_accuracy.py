"""The AI accuracy review in Chromium (SPEC I4): HR reaches it from the analytics menu, reads
the explanation and the four figures (the demo's scored interviews have no scorecards yet, so
each says there is no data rather than drawing an empty chart), and a bad period is refused
with a message and the form kept."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import open_from_menu, sign_in

pytestmark = pytest.mark.browser


def test_hr_opens_the_ai_accuracy_review(page: Page) -> None:
    sign_in(page, "hr@huaxing.example")
    open_from_menu(page, href="/analytics/ai-accuracy")
    expect(page.locator("h1")).to_have_text("AI 准确度评估")
    expect(page.locator("body")).to_contain_text("二次加权 Kappa")
    for key in ("ai_agreement", "ai_recommendation", "ai_overrides", "ai_drift"):
        section = page.locator(f"#{key}")
        expect(section).to_be_visible()
        charts = section.locator(".analytics-chart canvas")
        empty = section.locator(".empty")
        expect(charts.or_(empty)).to_have_count(1)  # a drawn chart, or the "no data" notice
    page.fill("input[name=start]", "2026-05-02")
    page.fill("input[name=end]", "2026-05-01")
    page.click("#accuracy-filters button[type=submit]")
    expect(page.locator("#accuracy-error")).to_contain_text("开始日期晚于结束日期")
    expect(page.locator("input[name=start]")).to_have_value("2026-05-02")
    # the dashboard links to the review, keeping its filters
    open_from_menu(page, href="/analytics")
    page.click("#ai-accuracy-link")
    expect(page).to_have_url(re.compile(r"/analytics/ai-accuracy"))
