"""The dashboard's further charts in Chromium (SPEC I1), over the demo company plus generated
scorecards and device checks written into the server's database: every figure is drawn by
ECharts with its table (or says it has no data), the interviewer load shows the generated
scorecards, an XLSX download opens, and HR subscribes to the monthly report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from hireflow.analytics.tables import CHARTS
from hireflow.candidates.models import Application
from hireflow.org.models import User
from hireflow.scheduling.models import Invitation
from hireflow.workflow.models import Scorecard
from tests.browser.conftest import open_from_menu, sign_in

pytestmark = pytest.mark.browser

GENERATED = 7  # scorecards written for the demo's interviewer


def _generate(data_dir: Path) -> str:
    """Scorecards by the demo's interviewer on seven demo applications and a phone device
    check on every AI invitation, straight into the server's database; the interviewer's
    name."""
    engine = create_engine(f"sqlite:///{data_dir / 'hireflow.db'}")
    try:
        with Session(engine) as session:
            interviewer = session.scalars(
                select(User).where(User.email == "interviewer@huaxing.example")
            ).one()
            apps = session.scalars(
                select(Application)
                .where(Application.tenant_id == interviewer.tenant_id)
                .order_by(Application.id)
                .limit(GENERATED)
            ).all()
            assert len(apps) == GENERATED
            for app in apps:
                session.add(
                    Scorecard(
                        tenant_id=app.tenant_id,
                        opening_id=app.opening_id,
                        application_id=app.id,
                        round_key="round_1",
                        interviewer_id=interviewer.id,
                        ratings={},
                        recommendation="yes",
                    )
                )
            for inv in session.scalars(select(Invitation).where(Invitation.kind == "ai")):
                inv.device_result = {**(inv.device_result or {}), "device": "phone"}
            session.commit()
            return interviewer.name
    finally:
        engine.dispose()


def test_hr_reads_every_chart_downloads_one_and_subscribes(
    page: Page, server_data_dir: Path
) -> None:
    name = _generate(server_data_dir)
    sign_in(page, "hr@huaxing.example")
    open_from_menu(page, href="/analytics")
    for key in CHARTS:
        section = page.locator(f"#{key}")
        expect(section).to_be_visible()
        drawn = section.locator(".analytics-chart canvas")
        expect(drawn.or_(section.locator(".empty"))).to_have_count(1)
    for key in ("funnel", "pass_rates", "reach", "interviewer_load"):
        expect(page.locator(f"#{key} .analytics-chart canvas")).to_have_count(1)
    load = page.locator("#interviewer_load tbody tr", has_text=name)
    expect(load.locator("td").nth(1)).to_have_text(str(GENERATED))
    expect(page.locator("#completion tbody")).to_contain_text("手机")
    with page.expect_download() as download:
        page.locator("#interviewer_load a", has_text="XLSX").click()
    book = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "面试官" and any(r[0] == name and r[1] == GENERATED for r in rows[1:])
    # the monthly report: subscribe, see the state, leave again
    page.click("#monthly-report button[type=submit]")
    expect(page.locator("#monthly-state")).to_contain_text("每月 1 日")
    expect(page.locator("#monthly-report button[type=submit]")).to_have_text("停止接收月度报告")
    page.click("#monthly-report button[type=submit]")
    expect(page.locator("#monthly-report button[type=submit]")).to_have_text("订阅月度报告")
