"""The monthly analytics report (SPEC I1): subscribing on the page (audited), the worker's
run on the 1st, and the e-mail through the outbox to a real local SMTP server with a PDF and
an XLSX whose figures are the dashboard's."""

from __future__ import annotations

import email
import io
from datetime import date, timedelta
from email import policy

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from hireflow.analytics import monthly, tables
from hireflow.analytics.queries import Filters
from hireflow.analytics.tasks import monthly_report
from hireflow.core.audit import AuditEntry
from hireflow.core.db import utcnow
from hireflow.core.errors import Forbidden
from hireflow.core.i18n import gettext_for
from hireflow.core.tasks import celery_app
from hireflow.notifications.delivery import deliver_message
from hireflow.notifications.models import OutboxMessage
from tests.analytics.test_dashboard import _walk
from tests.conftest import login, make_org
from tests.notifications import test_delivery
from tests.notifications.smtp_server import smtp_fixture  # noqa: F401 - a real local SMTP server
from tests.workflow.factories import apply, make_opening, principal


@pytest.fixture
def org(session):
    return make_org(session)


def _last_month_pipeline(session, org, today: date):
    """Five applications received last month (three screened) and one this month."""
    start, _end = monthly.previous_month(today)
    hr = principal(session, org, "hr_admin")
    opening = make_opening(session, org)
    apps = [apply(session, org, opening) for _ in range(5)]
    late = apply(session, org, opening)
    session.commit()
    when = utcnow().replace(year=start.year, month=start.month, day=3)
    for app in apps:
        app.created_at = when
    late.created_at = when.replace(day=1) + timedelta(days=40)
    session.commit()
    for app in apps[:3]:
        _walk(session, hr, app, ["screened"], when)
    return opening


def test_subscribing_is_per_user_audited_and_refused_without_analytics(session, org, client):
    login(client, org.users["hr_admin"])
    assert "Subscribe to the monthly report" in client.get("/analytics").text
    done = client.post("/analytics/monthly-report", data={"subscribed": "1"})
    assert done.status_code == 200 and "Stop the monthly report" in done.text
    hr = principal(session, org, "hr_admin")
    assert monthly.is_subscribed(session, hr)
    assert not monthly.is_subscribed(session, principal(session, org, "recruiter"))
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "analytics.monthly_subscription")
    ).all()
    assert [r.new_values for r in rows] == [{"subscribed": True}]
    # the same again changes nothing and writes no second row; bad input is refused
    client.post("/analytics/monthly-report", data={"subscribed": "1"})
    assert client.post("/analytics/monthly-report", data={"subscribed": "maybe"}).status_code == 422
    client.post("/analytics/monthly-report", data={"subscribed": "0"})
    assert not monthly.is_subscribed(session, hr)
    session.expire_all()
    assert (
        len(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == "analytics.monthly_subscription")
            ).all()
        )
        == 2
    )
    with pytest.raises(Forbidden):
        monthly.set_subscribed(session, principal(session, org, "interviewer"), True)
    login(client, org.users["interviewer"])
    assert client.post("/analytics/monthly-report", data={"subscribed": "1"}).status_code == 403


def test_the_worker_mails_last_months_figures_on_the_first(
    session,
    db,
    settings,
    org,
    smtp,
    monkeypatch,
):
    inbox, port = smtp
    test_delivery._email_channel(session, settings, org, port)
    today = utcnow().date().replace(day=1)
    _last_month_pipeline(session, org, today)
    org.users["hr_admin"].language = "zh-CN"
    session.commit()
    hr = principal(session, org, "hr_admin")
    monthly.set_subscribed(session, hr, True)
    monkeypatch.setattr("hireflow.analytics.tasks.get_database", lambda: db)
    assert monthly_report(today.isoformat()) == 1
    assert monthly_report(today.isoformat()) == 0  # a second run queues nothing new
    (row,) = session.scalars(select(OutboxMessage).where(OutboxMessage.kind == monthly.KIND)).all()
    assert deliver_message(db, row.id, settings) == "sent"
    (raw,) = [m[2] for m in inbox.messages]
    received = email.message_from_bytes(raw, policy=policy.default)
    start, end = monthly.previous_month(today)
    assert f"{start:%Y-%m}" in received["subject"] and "招聘分析" in received["subject"]
    parts = {p.get_filename(): p.get_content() for p in received.iter_attachments()}
    pdf = parts[f"hireflow-analytics-{start:%Y-%m}.pdf"]
    assert pdf.startswith(b"%PDF-")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "招聘分析" in text and "各阶段通过率" in text
    book = load_workbook(io.BytesIO(parts[f"hireflow-analytics-{start:%Y-%m}.xlsx"]))
    assert set(tables.CHARTS) <= set(book.sheetnames)
    funnel = [list(r) for r in book["funnel"].iter_rows(min_row=2, values_only=True)]
    expected = tables.table(
        "funnel", session, hr, Filters(start=start, end=end), gettext_for("zh-CN")
    )
    assert funnel == [[None if c == "" else c for c in r] for r in expected.rows]
    assert funnel[0][1] == 5 and funnel[1][1] == 3  # last month's applications only


def test_the_report_follows_the_readers_language_and_scope(session, org):
    today = date(2027, 3, 1)
    assert monthly.previous_month(today) == (date(2027, 2, 1), date(2027, 2, 28))
    assert monthly.previous_month(date(2027, 1, 1)) == (date(2026, 12, 1), date(2026, 12, 31))
    org.users["hr_admin"].language = "en"
    session.commit()
    report = monthly.build(
        session, principal(session, org, "hr_admin"), date(2027, 2, 1), date(2027, 2, 28)
    )
    assert report.language == "en" and report.tables[0].title == "Funnel by stage"
    assert "Hiring analytics" in monthly.report_html(report)


def test_the_beat_runs_the_report_on_the_first():
    entry = celery_app.conf.beat_schedule["analytics.monthly_report"]
    assert entry["task"] == "analytics.monthly_report"
    assert entry["schedule"].day_of_month == {1}
