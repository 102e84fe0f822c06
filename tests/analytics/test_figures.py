"""The dashboard's further figures (SPEC I1): pass rates, end-to-end times, completion by
answer mode and device, source and channel, top ten per competency, interviewer load and
delivery failures, over rows the product's own services wrote, in the caller's scope."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from hireflow.analytics import figures, tables
from hireflow.analytics.queries import Filters
from hireflow.core.db import utcnow
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.notifications import outbox as notify
from hireflow.scheduling.models import Invitation
from hireflow.workflow.models import Scorecard
from tests.analytics.test_dashboard import pipeline  # noqa: F401  (fixture)
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import scored_interview
from tests.live.factories import everyone_in, make_room
from tests.offers.factories import sent_offer
from tests.workflow.factories import principal


@pytest.fixture
def org(session):
    return make_org(session)


def _message(session, inv: Invitation, channel: str, status: str) -> None:
    row = notify.enqueue(
        session,
        inv.tenant_id,
        notify.OutgoingMessage(
            channel=channel,
            kind="invitation.ai",
            recipient="c@example.com" if channel == "email" else "+8613800138000",
            subject="邀请",
            text="请完成面试",
        ),
        dedupe_key=f"test:{inv.id}:{channel}",
        opening_id=inv.opening_id,
        related_type="invitation",
        related_id=inv.id,
        deliver=False,
    )
    row.status = status
    session.commit()


@pytest.fixture
def world(session, db, org):
    """One AI interview done on a phone (invited on e-mail and SMS; the SMS failed), its
    interviewer's scorecard, a live round and a sent offer."""
    setup, interview = scored_interview(session, db, org)
    setup.invitation.device_result = {"camera": "ok", "device": "phone"}
    _message(session, setup.invitation, "email", "sent")
    _message(session, setup.invitation, "sms", "failed")
    application = setup.candidate.applications[0]
    session.add(
        Scorecard(
            tenant_id=org.tenant.id,
            opening_id=setup.opening.id,
            application_id=application.id,
            round_key="round_1",
            interviewer_id=org.users["interviewer"].id,
            ratings={},
            recommendation="yes",
        )
    )
    session.commit()
    room = make_room(session, org)
    everyone_in(session, org, room)
    offer, _token = sent_offer(session, org)
    return setup, interview, offer


def test_pass_rates_split_the_moves_out_of_each_stage(session, org, pipeline):  # noqa: F811
    opening, _other = pipeline
    hr = principal(session, org, "hr_admin")
    rows = {r.stage.key: r for r in figures.pass_rates(session, hr, Filters(opening.id))}
    # 6 screened of 10; round 1: one rejected, one moved on to offer
    assert (rows["applied"].moved_on, rows["applied"].rejected) == (6, 0)
    assert (rows["round_1"].moved_on, rows["round_1"].rejected) == (1, 1)
    assert rows["round_1"].rate == pytest.approx(0.5)
    assert "hired" not in rows and "rejected" not in rows


def test_end_to_end_completion_and_channels(session, org, world):
    hr = principal(session, org, "hr_admin")
    durations = {d.measure: d for d in figures.end_to_end(session, hr, Filters())}
    assert durations["invitation_report"].n == 1
    assert 0 <= durations["invitation_report"].median_hours < 1
    assert durations["application_offer"].n == 1
    done = {(c.group, c.value): c for c in figures.completion(session, hr, Filters())}
    assert (done[("mode", "text")].started, done[("mode", "text")].completed) == (1, 1)
    assert done[("device", "phone")].completion == 1.0
    assert done[("device", "phone")].drop_off == 0.0
    reach = {(r.group, r.value): r for r in figures.source_and_channel(session, hr, Filters())}
    assert (reach[("channel", "email")].opened, reach[("channel", "email")].completed) == (1, 1)
    assert ("channel", "sms") not in reach  # failed: it reached nobody
    upload = reach[("source", "upload")]
    assert upload.count >= 1 and (upload.invited, upload.opened, upload.completed) == (1, 1, 1)
    # a period after today counts nothing
    later = Filters(start=utcnow().date() + timedelta(days=2))
    assert figures.completion(session, hr, later) == []
    assert all(d.n == 0 for d in figures.end_to_end(session, hr, later))


def test_top_load_and_deliveries(session, org, world):
    setup, _interview, _offer = world
    hr = principal(session, org, "hr_admin")
    top = figures.top_per_competency(session, hr, Filters())
    assert top and all(r.rank == 1 and r.candidate == setup.candidate.name for r in top)
    load = {r.interviewer: r for r in figures.interviewer_load(session, hr, Filters())}
    assert load[org.users["interviewer"].name].scorecards == 1
    assert load[org.users["hr_admin"].name].live_rounds == 1
    failures = figures.delivery_failures(session, hr, Filters())
    assert failures[0].channel == "sms" and failures[0].failed == 1
    assert failures[0].failure_rate == 1.0
    email = next(d for d in failures if d.channel == "email" and d.kind == "invitation.ai")
    assert (email.sent, email.failed, email.failure_rate) == (1, 0, 0.0)


def test_top_ten_keeps_the_ten_best(session, db, org):
    for _ in range(3):
        scored_interview(session, db, org)
    hr = principal(session, org, "hr_admin")
    top = figures.top_per_competency(session, hr, Filters(), top=2)
    by = {}
    for r in top:
        by.setdefault(r.competency, []).append(r)
    assert by and all([r.rank for r in rows] == [1, 2] for rows in by.values())
    assert all(rows[0].score >= rows[1].score for rows in by.values())


def test_scope_of_the_new_figures(session, org, world):
    setup, _interview, _offer = world
    recruiter = principal(session, org, "recruiter")  # on every factory opening
    assert figures.delivery_failures(session, recruiter, Filters())
    with pytest.raises(Forbidden):
        figures.interviewer_load(session, principal(session, org, "interviewer"), Filters())
    stranger = principal(session, make_org(session), "hr_admin")
    for figure in (
        figures.pass_rates,
        figures.completion,
        figures.source_and_channel,
        figures.top_per_competency,
        figures.interviewer_load,
        figures.delivery_failures,
    ):
        assert figure(session, stranger, Filters()) == []
        with pytest.raises(NotFound):
            figure(session, stranger, Filters(opening_id=setup.opening.id))
    bad = Filters(start=utcnow().date(), end=utcnow().date() - timedelta(days=1))
    with pytest.raises(ValidationFailed):
        figures.end_to_end(session, principal(session, org, "hr_admin"), bad)


def test_every_chart_on_the_page_in_the_api_and_exports(session, org, world, client):
    setup, _interview, _offer = world
    login(client, org.users["hr_admin"])
    page = client.get("/analytics")
    assert page.status_code == 200
    for key in tables.CHARTS:
        assert f'id="{key}"' in page.text
    for key in ("completion", "reach", "top", "interviewer_load", "deliveries", "end_to_end"):
        exported = client.get(f"/analytics/export?chart={key}&format=csv")
        assert exported.status_code == 200, key
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert len(rows) >= 2, key
        book = load_workbook(
            io.BytesIO(client.get(f"/analytics/export?chart={key}&format=xlsx").content)
        )
        assert book.active.title == key and book.active.max_row == len(rows)
    headers = bearer(client, org.users["hr_admin"])
    found = client.get("/api/v1/analytics?chart=deliveries", headers=headers).json()
    assert found["rows"][0][:5] == ["SMS", "invitation.ai", 1, 0, 1]
    top = client.get(f"/api/v1/analytics?chart=top&opening={setup.opening.id}", headers=headers)
    assert top.status_code == 200 and top.json()["rows"][0][2] == setup.candidate.name
    assert client.get("/api/v1/analytics?chart=salaries", headers=headers).status_code == 422
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/analytics?chart=top", headers=interviewer).status_code == 403
