"""Analytics (SPEC I1): the funnel, time in stage and score distributions over real pipeline
moves and real AI reports, in the caller's scope, with CSV/XLSX exports and bad input."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from hireflow.analytics import queries
from hireflow.analytics.queries import Filters
from hireflow.core.db import utcnow
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.workflow import service, stages
from hireflow.workflow.service import MoveRequest
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import scored_interview
from tests.workflow.factories import apply, make_opening, principal


@pytest.fixture
def org(session):
    return make_org(session)


def _walk(session, hr, application, keys, start):
    """Move an application through ``keys``, one day per stage."""
    version = 0
    for n, key in enumerate(keys):
        reason = None
        if key == "rejected":
            reason = stages.rejection_reasons(session, hr.tenant_id)[0].key
        position = service.move(
            session,
            hr,
            application.id,
            MoveRequest(to=key, version=version, reason=reason),
            now=start + timedelta(days=n + 1),
        )
        version = position.version


@pytest.fixture
def pipeline(session, org):
    """Ten applications to one opening: 4 stay applied, 3 screened, 2 to round 1 (one then
    rejected), 1 hired; and one application to an opening of another department."""
    hr = principal(session, org, "hr_admin")
    opening = make_opening(session, org)
    other = make_opening(session, org, dept_index=2, members=False)
    start = utcnow() - timedelta(days=30)
    apps = [apply(session, org, opening) for _ in range(10)]
    apply(session, org, other)
    session.commit()
    for app in apps[4:7]:
        _walk(session, hr, app, ["screened"], start)
    _walk(session, hr, apps[7], ["screened", "ai_interview", "round_1", "rejected"], start)
    _walk(session, hr, apps[8], ["screened", "ai_interview", "round_1"], start)
    _walk(session, hr, apps[9], ["screened", "ai_interview", "round_1", "offer", "hired"], start)
    return opening, other


def test_the_funnel_counts_the_furthest_stage_each_application_reached(session, org, pipeline):
    opening, _other = pipeline
    hr = principal(session, org, "hr_admin")
    steps = {s.stage.key: s for s in queries.funnel(session, hr, Filters(opening_id=opening.id))}
    assert [steps[k].reached for k in ("applied", "screened", "ai_interview", "round_1")] == [
        10,
        6,
        3,
        3,
    ]
    assert steps["offer"].reached == 1 and steps["hired"].reached == 1
    assert steps["screened"].conversion == pytest.approx(0.6)
    assert steps["applied"].conversion is None
    assert "rejected" not in steps and "withdrawn" not in steps
    # the whole company counts the other opening's application too
    company = queries.funnel(session, hr, Filters())
    assert company[0].reached == 11


def test_time_in_stage_is_the_mean_of_the_moves_out(session, org, pipeline):
    opening, _other = pipeline
    hr = principal(session, org, "hr_admin")
    rows = {r.stage.key: r for r in queries.time_in_stage(session, hr, Filters(opening.id))}
    assert rows["applied"].moves == 6
    assert rows["round_1"].moves == 2 and rows["round_1"].mean_days == pytest.approx(1.0)


def test_scores_follow_hr_overrides_and_the_period(session, db, org):
    _setup, interview = scored_interview(session, db, org)
    hr = principal(session, org, "hr_admin")
    found = queries.score_distributions(session, hr, Filters())
    assert found and all(d.n == 1 and sum(d.counts) == 1 for d in found)
    target = found[0].competency
    interview_hr.adjust_score(
        session,
        hr,
        interview.id,
        interview_schemas.AdjustIn(dimension_id=target, score=0.5, reason="例子不具体，没有结果"),
    )
    after = {d.competency: d for d in queries.score_distributions(session, hr, Filters())}
    assert after[target].counts[0] == 1 and after[target].mean == 0.5
    future = utcnow().date() + timedelta(days=10)
    assert queries.score_distributions(session, hr, Filters(start=future)) == []
    names = queries.competency_names(session, hr, Filters(), "zh")
    assert all(d.competency in names for d in found)


def test_scope_recruiters_see_their_openings_and_interviewers_nothing(session, org, pipeline):
    opening, other = pipeline
    recruiter = principal(session, org, "recruiter")  # owns `opening` only
    assert queries.funnel(session, recruiter, Filters())[0].reached == 10
    with pytest.raises(NotFound):
        queries.funnel(session, recruiter, Filters(opening_id=other.id))
    manager = principal(session, org, "hiring_manager")  # department 0: `opening`
    assert queries.funnel(session, manager, Filters())[0].reached == 10
    with pytest.raises(Forbidden):
        queries.funnel(session, principal(session, org, "interviewer"), Filters())
    stranger = principal(session, make_org(session), "hr_admin")
    with pytest.raises(NotFound):
        queries.funnel(session, stranger, Filters(opening_id=opening.id))
    assert queries.funnel(session, stranger, Filters())[0].reached == 0


def test_bad_periods_are_refused(session, org):
    hr = principal(session, org, "hr_admin")
    with pytest.raises(ValidationFailed):
        queries.funnel(session, hr, Filters(start=date(2026, 5, 2), end=date(2026, 5, 1)))
    with pytest.raises(ValidationFailed):
        queries.funnel(session, hr, Filters(start=date(2020, 1, 1), end=date(2026, 1, 1)))


def test_the_page_shows_each_chart_with_its_table_and_exports(session, org, pipeline, client):
    opening, _other = pipeline
    login(client, org.users["hr_admin"])
    page = client.get(f"/analytics?opening={opening.id}")
    assert page.status_code == 200
    for key in ("funnel", "stage_time", "scores"):
        assert f'id="{key}"' in page.text
    # no scores, interviews, offers or messages yet: funnel, pass rates, time, sources
    assert page.text.count('class="analytics-chart"') == 4
    exported = client.get(f"/analytics/export?chart=funnel&format=csv&opening={opening.id}")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["Stage", "Applications", "Conversion from the previous stage"]
    assert rows[1][1] == "10" and rows[2][1:] == ["6", "60.0%"]
    book = load_workbook(
        io.BytesIO(client.get("/analytics/export?chart=stage_time&format=xlsx").content)
    )
    assert book.active.title == "stage_time" and book.active.max_row >= 2
    # bad input: the page says what is wrong, keeps the form; unknown exports are 404
    bad = client.get("/analytics?start=2026-13-01")
    assert bad.status_code == 422 and 'id="analytics-error"' in bad.text
    assert client.get("/analytics?opening=abc").status_code == 422
    assert client.get("/analytics/export?chart=salaries&format=csv").status_code == 404
    assert client.get("/analytics/export?chart=funnel&format=pdf").status_code == 404


def test_the_api_gives_the_same_tables_and_checks_roles(session, org, pipeline, client):
    opening, _other = pipeline
    headers = bearer(client, org.users["hr_admin"])
    found = client.get(f"/api/v1/analytics?chart=funnel&opening={opening.id}", headers=headers)
    assert found.status_code == 200 and found.json()["rows"][0][1] == 10
    assert client.get("/api/v1/analytics?chart=nothing", headers=headers).status_code == 422
    assert client.get("/api/v1/analytics?start=2026-02-30", headers=headers).status_code == 422
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/analytics", headers=interviewer).status_code == 403
    assert client.get("/api/v1/analytics").status_code == 401
