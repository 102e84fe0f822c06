"""The AI accuracy review (SPEC I4) over a real scored interview, real scorecards, an HR
override and a hire: agreement per competency (QWK checked against scikit-learn's), the
recommendation against the decision, overrides by direction, drift; page, API, export, scope."""

from __future__ import annotations

import csv
import io
from collections import Counter

import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score

from hireflow.analytics import accuracy
from hireflow.analytics.queries import Filters
from hireflow.analytics.review_counts import ai_level, cells_matrix, qwk_of_cells
from hireflow.analytics.tables import ACCURACY
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas as interview_schemas
from hireflow.org.auth import principal_for
from hireflow.workflow import schemas, scorecards, service
from hireflow.workflow.service import MoveRequest
from tests.conftest import bearer, login, make_org, make_user
from tests.interviews.factories import scored_interview
from tests.workflow.factories import principal


def test_qwk_matches_scikit_learn_and_levels_round_half_up():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a = rng.integers(1, 6, 60)
        b = np.clip(a + rng.integers(-2, 3, 60), 1, 5)
        expected = cohen_kappa_score(a, b, weights="quadratic", labels=[1, 2, 3, 4, 5])
        assert _qwk(a, b) == pytest.approx(expected)
    assert _qwk([3, 3], [3, 3]) is None and _qwk([], []) is None
    assert _qwk([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) == pytest.approx(1.0)
    assert [ai_level(s) for s in (0, 2.9, 3.0, 6.9, 7.0, 10)] == [1, 1, 2, 3, 4, 5]


def _qwk(first, second):
    """QWK of paired levels as the review computes it: from the 25 cell counts."""
    cells = Counter((int(a), str(b)) for a, b in zip(first, second, strict=True))
    return qwk_of_cells(cells_matrix(dict(cells)))


@pytest.fixture
def reviewed(session, db):
    """One scored interview; scorecards from HR and ten panel interviewers on the first two
    competencies; HR lowers the AI's first score; the candidate is hired."""
    org = make_org(session)
    setup, interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    hr = principal(session, org, "hr_admin")
    ai, match = scorecards.ai_scores(session, application)
    model = scorecards.model_of(application)
    first, second = model.dimensions[0].id, model.dimensions[1].id
    raters = [hr] + [principal_for(make_user(session, org.tenant, "hr_admin")) for _ in range(10)]
    session.commit()
    for n, rater in enumerate(raters):
        card = schemas.ScorecardIn(
            round="round_1",
            ratings={first: n % 5 + 1, second: ai_level(ai[second])},
            recommendation="yes",
        )
        scorecards.submit(session, rater, application.id, card)
    interview_hr.adjust_score(
        session,
        hr,
        interview.id,
        interview_schemas.AdjustIn(dimension_id=first, score=0.5, reason="例子不具体，没有结果"),
    )
    version = len(service.history(session, hr, application.id).moves)
    service.move(session, hr, application.id, MoveRequest(to="hired", version=version))
    return org, application, ai, match, first, second


def test_the_review_pairs_scorecards_with_the_ai_and_flags_low_agreement(session, reviewed):
    org, application, ai, match, first, second = reviewed
    hr = principal(session, org, "hr_admin")
    found = accuracy.review(session, hr, Filters())
    by = {a.competency: a for a in found.agreement}
    assert by[first].pairs == 11 and by[second].pairs == 11
    # the AI gave one level to one report: QWK 0 against varied ratings, flagged
    assert by[first].qwk.value == pytest.approx(0.0) and by[first].flagged
    levels = [n % 5 + 1 for n in range(11)]
    assert by[first].mean_difference.value == pytest.approx(
        round(ai[first] / 2 - sum(levels) / 11, 3)
    )
    # eleven ratings of ONE application: resampling applications cannot give an interval
    assert by[first].mean_difference.low is None and by[first].qwk.low is None
    assert by[second].qwk.value is None and not by[second].flagged  # both always one level
    recommended = match >= float(application.opening.pass_threshold) * 10
    rec = found.recommendation
    assert (rec.recommended_hired, rec.not_recommended_hired) == ((1, 0) if recommended else (0, 1))
    assert rec.agreement.value == (1.0 if recommended else 0.0)
    assert [(o.competency, o.raised, o.lowered) for o in found.overrides] == [(first, 0, 1)]
    assert len(found.drift) == 1 and found.drift[0].pairs == 22
    assert found.drift[0].overrides == 1
    # the period and the scope
    day = application.created_at.date()
    assert accuracy.review(session, hr, Filters(end=day.replace(year=2000))).agreement == []
    stranger = principal(session, make_org(session), "hr_admin")
    assert accuracy.review(session, stranger, Filters()).agreement == []
    with pytest.raises(NotFound):
        accuracy.review(session, stranger, Filters(opening_id=application.opening_id))
    with pytest.raises(Forbidden):
        accuracy.review(session, principal(session, org, "interviewer"), Filters())
    with pytest.raises(ValidationFailed):
        accuracy.review(session, hr, Filters(start=day, end=day.replace(year=2000)))


def test_page_api_and_export(session, reviewed, client):
    org, _application, _ai, _match, first, _second = reviewed
    login(client, org.users["hr_admin"])
    page = client.get("/analytics/ai-accuracy")
    assert page.status_code == 200
    for key in ACCURACY:
        assert f'id="{key}"' in page.text
    assert 'id="low-agreement"' in page.text and 'href="/interviews-calibration"' in page.text
    exported = client.get("/analytics/ai-accuracy/export?chart=ai_agreement&format=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Competency", "Pairs", "QWK"] and any(r[1] == "11" for r in rows[1:])
    assert client.get("/analytics/ai-accuracy/export?chart=funnel&format=csv").status_code == 404
    assert client.get("/analytics/ai-accuracy?start=2026-99-01").status_code == 422
    headers = bearer(client, org.users["hr_admin"])
    api = client.get("/api/v1/analytics/ai-accuracy", headers=headers)
    assert api.status_code == 200
    body = api.json()
    assert {a["competency"] for a in body["agreement"] if a["flagged"]} == {first}
    assert body["recommendation"]["agreement"]["value"] in (0.0, 1.0)
    assert client.get("/api/v1/analytics/ai-accuracy?opening=0", headers=headers).status_code == 422
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/analytics/ai-accuracy", headers=interviewer).status_code == 403
    # a recruiter sees the page without the calibration link (HR's screen)
    login(client, org.users["recruiter"])
    assert 'href="/interviews-calibration"' not in client.get("/analytics/ai-accuracy").text
