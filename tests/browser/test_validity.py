"""Predictive validity in Chromium (SPEC I2) over generated people: HR makes an opening,
``hireflow validity-sample`` writes 150 assessed applicants and 60 hires with outcomes into the
demo server's database, and HR reads the chart and table from the analytics menu, downloads
the CSV, saves the proposed weights as a version, activates it and goes back; then records a
rating on a hire's outcomes page, with a bad period refused and the form kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import open_from_menu, sign_in

pytestmark = pytest.mark.browser
HR = "hr@huaxing.example"


@pytest.fixture(scope="module")
def sampled_opening(server: str, server_data_dir: Path) -> int:
    token = httpx.post(
        f"{server}/api/v1/auth/token", json={"email": HR, "password": "Hireflow-demo-2026"}
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    department = httpx.get(f"{server}/api/v1/org/departments", headers=headers).json()[0]["id"]
    made = httpx.post(
        f"{server}/api/v1/openings",
        json={"title": "效度样本岗位", "department_id": department, "job_type": "sales"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    opening = made.json()["id"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update({"HIREFLOW_DATA_DIR": str(server_data_dir), "HIREFLOW_LOG_LEVEL": "WARNING"})
    command = [sys.executable, "-m", "hireflow.cli", "validity-sample", "--opening", str(opening)]
    done = subprocess.run(
        [*command, "--people", "150"], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "150 assessed, 60 hired" in done.stdout
    return opening


def _hire(server_data_dir: Path, opening: int) -> int:
    engine = create_engine(f"sqlite:///{server_data_dir / 'hireflow.db'}")
    with engine.connect() as connection:
        query = text("SELECT person_id FROM employees WHERE opening_id = :o ORDER BY id LIMIT 1")
        return int(connection.scalar(query, {"o": opening}))


def test_hr_reads_validity_and_adopts_then_reverts_weights(
    page: Page, sampled_opening: int
) -> None:
    sign_in(page, HR)
    open_from_menu(page, href="/analytics/validity")
    expect(page.locator("h1")).to_have_text("预测效度")
    page.select_option("select[name=opening]", str(sampled_opening))
    page.select_option("select[name=outcome]", "rating")
    page.click("#validity-filters button[type=submit]")
    expect(page.locator("#hired")).to_have_text("60")
    expect(page.locator("#limits")).to_contain_text("全距限制")
    table = page.locator("#validity")
    expect(table.locator(".analytics-chart canvas")).to_have_count(1)
    expect(table.locator("tbody tr").first).to_be_visible()
    assert table.locator("tbody tr").count() == 7 * 5  # the sales preset × five outcomes
    weights = page.locator("#validity_weights")
    expect(weights.locator(".analytics-chart canvas")).to_have_count(1)
    with page.expect_download() as download:
        table.locator("a", has_text="CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("胜任力维度,结果,n,Pearson 相关系数 r") and len(lines) == 36
    # save the proposal: a new version, not in use until activated
    page.click("#adopt-form button[type=submit]")
    expect(page.locator("#version-added")).to_be_visible()
    expect(page.locator("tr[data-version='2']")).to_have_attribute("data-active", "no")
    expect(page.locator("tr[data-version='1']")).to_have_attribute("data-active", "yes")
    page.locator("tr[data-version='2'] button").click()
    expect(page.locator("#version-activated")).to_be_visible()
    expect(page.locator("tr[data-version='2']")).to_have_attribute("data-active", "yes")
    # and back to the model as it was
    page.locator("tr[data-version='1'] button").click()
    expect(page.locator("tr[data-version='1']")).to_have_attribute("data-active", "yes")
    expect(page.locator("tr[data-version='2']")).to_have_attribute("data-active", "no")


def test_hr_records_a_rating_of_a_hire(
    page: Page, sampled_opening: int, server_data_dir: Path
) -> None:
    person = _hire(server_data_dir, sampled_opening)
    sign_in(page, HR)
    page.goto(f"/people/{person}/outcomes")
    expect(page.locator("h1")).to_contain_text("录用后表现")
    page.fill("#rating-form input[name=period]", "2026年")
    page.fill("#rating-form input[name=rating]", "4")
    page.click("#rating-form button[type=submit]")
    expect(page.locator("#outcome-error")).to_be_visible()
    expect(page.locator("#rating-form input[name=period]")).to_have_value("2026年")
    page.fill("#rating-form input[name=period]", "2026-Q4")
    page.click("#rating-form button[type=submit]")
    expect(page.locator("#outcome-saved")).to_be_visible()
    expect(page.locator("tr[data-period='2026-Q4']")).to_contain_text("4.0")
    page.select_option("#probation-form select[name=result]", "extended")
    page.click("#probation-form button[type=submit]")
    expect(page.locator("#probation-result")).to_have_text("延长")
