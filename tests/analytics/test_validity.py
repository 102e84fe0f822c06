"""Predictive validity over generated people (``validity_sample``, known r = 0.5 between the
first competency and the rating among everyone assessed): the analysis, restriction of range,
scope; the proposal saved as a version, activated, and reverted, each audited; the page, its
export and the API with their permissions and bad input."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from hireflow.analytics import validity, validity_sample
from hireflow.analytics.queries import Filters
from hireflow.analytics.validity_stats import MIN_N
from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.interviews.models import InterviewSession
from hireflow.offers.models import Employee
from hireflow.openings import versions
from hireflow.openings.competency import competency_model_of
from tests.conftest import bearer, login, make_org
from tests.workflow.factories import make_opening, principal

TODAY = date(2026, 12, 1)


@pytest.fixture
def sampled(session):
    """400 assessed applicants of one opening (technical preset), the top 40 % by mean score
    hired; a second opening with 20 hired at random."""
    org = make_org(session)
    opening = make_opening(session, org)
    small = make_opening(session, org, dept_index=2)
    session.commit()
    big = validity_sample.generate(session, opening.id, people=400, today=TODAY)
    validity_sample.generate(
        session, small.id, people=40, hired_share=0.5, select_top=False, seed=3, today=TODAY
    )
    return org, opening, small, big


def _rows(found, dimension):
    return {r.outcome: r for r in found.rows if r.dimension == dimension}


def test_the_analysis_finds_the_generated_relation(session, sampled):
    org, opening, _small, big = sampled
    hr = principal(session, org, "hr_admin")
    scope = validity.parse_scope(Filters(opening_id=opening.id), None, None)
    found = validity.analyse(session, hr, scope, TODAY)
    assert (found.assessed, found.hired) == (400, 160)
    predictive = _rows(found, big.predictive)
    rating = predictive["rating"]
    assert rating.pearson.n == 160 and not rating.pearson.small
    # hired on their mean score over seven competencies: the range of this one is a little
    # restricted (SD ratio under 1), the correction raises r, the interval covers 0.5
    assert rating.range_ratio < 1 and rating.corrected > rating.pearson.r
    assert 0.0 < rating.pearson.low < 0.5 < rating.pearson.high
    assert rating.spearman.low < rating.spearman.r < rating.spearman.high
    # a competency unrelated to the outcomes: its interval covers 0
    other = next(d.id for d in competency_model_of(opening).dimensions if d.id != big.predictive)
    unrelated = _rows(found, other)["rating"]
    assert unrelated.pearson.low < 0 < unrelated.pearson.high
    # retention at 12 months is known only for people who started a year before TODAY
    assert predictive["retained_12"].pearson.n < predictive["retained_3"].pearson.n <= 160
    # the proposal for the rating leans to the predictive competency, within [0, 1]
    p = found.proposal
    assert p.n == 160 and p.proposed[big.predictive] > p.current[big.predictive]
    assert all(0 <= w <= 1 for w in p.proposed.values())


def test_scope_family_small_n_and_bad_input(session, sampled):
    org, _opening, small, _big = sampled
    hr = principal(session, org, "hr_admin")
    every = validity.analyse(session, hr, validity.parse_scope(Filters(), None, None), TODAY)
    assert every.hired == 180 and every.proposal is None  # two openings: no proposal
    family = validity.parse_scope(Filters(), "sales", None)
    assert validity.analyse(session, hr, family, TODAY).hired == 0
    few = validity.analyse(
        session, hr, validity.parse_scope(Filters(opening_id=small.id), None, None), TODAY
    )
    assert few.hired == 20 and all(r.pearson.small for r in few.rows)
    # a hiring manager of department 0 sees the first opening only
    manager = principal(session, org, "hiring_manager")
    assert (
        validity.analyse(session, manager, validity.parse_scope(Filters(), None, None)).hired == 160
    )
    with pytest.raises(NotFound):
        validity.analyse(
            session, manager, validity.parse_scope(Filters(opening_id=small.id), None, None)
        )
    stranger = principal(session, make_org(session), "hr_admin")
    assert (
        validity.analyse(session, stranger, validity.parse_scope(Filters(), None, None)).hired == 0
    )
    with pytest.raises(Forbidden):
        validity.analyse(
            session,
            principal(session, org, "interviewer"),
            validity.parse_scope(Filters(), None, None),
        )
    with pytest.raises(ValidationFailed) as bad:
        validity.parse_scope(Filters(), "astronaut", None)
    assert bad.value.fields == {"family": "invalid"}
    with pytest.raises(ValidationFailed):
        validity.parse_scope(Filters(), None, "happiness")


def _audits(session, opening_id, action):
    return list(
        session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == action, AuditEntry.target_id == str(opening_id)
            )
        )
    )


def test_adopt_activate_and_go_back_all_audited(session, sampled):
    org, opening, small, _big = sampled
    hr = principal(session, org, "hr_admin")
    before = dict(opening.competency_model or {}) or None
    scope = validity.parse_scope(Filters(opening_id=opening.id), None, "rating")
    added = validity.adopt(session, hr, scope, TODAY)
    # never automatic: the model in use is unchanged, version 1 is the model as it was
    session.refresh(opening)
    assert opening.competency_model == before
    found = versions.versions(session, hr, opening.id)
    assert [(v.number, v.active, v.source) for v in found] == [
        (2, False, "validity"),
        (1, True, "initial"),
    ]
    assert added.number == 2 and "n=160" in added.note
    weights = {d["id"]: d["weight"] for d in added.model["dimensions"]}
    assert all(w > 0 for w in weights.values()) and sum(weights.values()) == pytest.approx(
        100, abs=0.5
    )
    assert _audits(session, opening.id, "opening.competency_version_added")
    versions.activate(session, hr, opening.id, 2)
    session.refresh(opening)
    model = competency_model_of(opening)
    assert {d.id: d.weight for d in model.dimensions} == weights
    # reversible: version 1 again
    versions.activate(session, hr, opening.id, 1)
    session.refresh(opening)
    assert opening.competency_model == found[1].model
    activations = _audits(session, opening.id, "opening.competency_version_activated")
    assert [(a.old_values["version"], a.new_values["version"]) for a in activations] == [
        (1, 2),
        (2, 1),
    ]
    # too few people, an unknown version, someone else: refused
    with pytest.raises(validity.TooFewPeople):
        validity.adopt(
            session, hr, validity.parse_scope(Filters(opening_id=small.id), None, None), TODAY
        )
    assert versions.versions(session, hr, small.id) == []
    with pytest.raises(NotFound):
        versions.activate(session, hr, opening.id, 9)
    with pytest.raises(Forbidden):
        validity.adopt(session, principal(session, org, "recruiter"), scope, TODAY)
    with pytest.raises(Forbidden):
        versions.activate(session, principal(session, org, "hiring_manager"), opening.id, 2)
    with pytest.raises(NotFound):
        versions.activate(session, principal(session, make_org(session), "hr_admin"), opening.id, 2)


def test_an_edit_in_the_model_editor_becomes_the_active_version(session, sampled):
    from hireflow.openings import competency, schemas

    org, opening, _small, _big = sampled
    hr = principal(session, org, "hr_admin")
    validity.adopt(
        session, hr, validity.parse_scope(Filters(opening_id=opening.id), None, None), TODAY
    )
    competency.set_competency_model(
        session, hr, opening.id, schemas.CompetencyModelIn(source="job_type", job_type="sales")
    )
    found = versions.versions(session, hr, opening.id)
    assert next((v.number, v.active, v.source) for v in found) == (3, True, "job_type")
    assert sum(v.active for v in found) == 1


def test_page_export_and_api(session, sampled, client):
    org, opening, small, _big = sampled
    login(client, org.users["hr_admin"])
    page = client.get(f"/analytics/validity?opening={opening.id}")
    assert page.status_code == 200
    for marker in ('id="validity"', 'id="validity_weights"', 'id="adopt-form"', 'id="limits"'):
        assert marker in page.text
    assert 'id="small-n"' not in page.text
    assert 'id="small-n"' in client.get(f"/analytics/validity?opening={small.id}").text
    exported = client.get(
        f"/analytics/validity/export?chart=validity&format=csv&opening={opening.id}"
    )
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["Competency", "Outcome", "n", "Pearson r"] and len(rows) > 5
    xlsx = client.get(
        f"/analytics/validity/export?chart=validity_weights&format=xlsx&opening={opening.id}"
    )
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    # the weights table needs one opening
    assert (
        client.get("/analytics/validity/export?chart=validity_weights&format=csv").status_code
        == 404
    )
    assert client.get("/analytics/validity/export?chart=funnel&format=csv").status_code == 404
    assert client.get("/analytics/validity?family=astronaut").status_code == 422
    assert client.get("/analytics/validity?start=2026-99-01").status_code == 422
    # adopt then activate through the page
    added = client.post(
        "/analytics/validity/adopt",
        data={"opening": str(opening.id), "outcome": "rating"},
        follow_redirects=False,
    )
    assert added.status_code == 303 and "done=added" in added.headers["location"]
    shown = client.get(added.headers["location"])
    assert 'data-version="2" data-active="no"' in shown.text
    done = client.post(
        "/analytics/validity/activate",
        data={"opening": str(opening.id), "number": "2"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert 'data-version="2" data-active="yes"' in client.get(done.headers["location"]).text
    refused = client.post("/analytics/validity/adopt", data={"opening": str(small.id)})
    assert refused.status_code == 409 and 'id="adopt-error"' in refused.text
    assert (
        client.post(
            "/analytics/validity/activate", data={"opening": "x", "number": "1"}
        ).status_code
        == 404
    )
    # the API
    headers = bearer(client, org.users["hr_admin"])
    api = client.get(
        f"/api/v1/analytics/validity?opening={opening.id}&outcome=retained_3", headers=headers
    )
    assert api.status_code == 200
    body = api.json()
    assert body["hired"] == 160 and body["min_n"] == MIN_N
    assert [t["key"] for t in body["tables"]] == ["validity", "validity_weights"]
    assert client.get("/api/v1/analytics/validity?outcome=nope", headers=headers).status_code == 422
    made = client.post(
        "/api/v1/analytics/validity/proposals",
        json={"opening": opening.id, "outcome": "probation"},
        headers=headers,
    )
    assert made.status_code == 201 and made.json()["number"] == 3 and not made.json()["active"]
    listed = client.get(f"/api/v1/openings/{opening.id}/competency-versions", headers=headers)
    assert [v["number"] for v in listed.json()] == [3, 2, 1]
    back = client.post(
        f"/api/v1/openings/{opening.id}/competency-versions/1/activate", headers=headers
    )
    assert back.status_code == 200 and back.json()["active"]
    # who may: a recruiter reads (their openings) but neither adopts nor activates
    recruiter = bearer(client, org.users["recruiter"])
    assert (
        client.get(
            f"/api/v1/analytics/validity?opening={opening.id}", headers=recruiter
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/analytics/validity/proposals", json={"opening": opening.id}, headers=recruiter
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/v1/openings/{opening.id}/competency-versions/2/activate", headers=recruiter
        ).status_code
        == 403
    )
    interviewer = bearer(client, org.users["interviewer"])
    assert client.get("/api/v1/analytics/validity", headers=interviewer).status_code == 403
    other = make_org(session)
    outsider = bearer(client, other.users["hr_admin"])
    assert (
        client.get(f"/api/v1/analytics/validity?opening={opening.id}", headers=outsider).status_code
        == 404
    )
    assert (
        client.get(
            f"/api/v1/openings/{opening.id}/competency-versions", headers=outsider
        ).status_code
        == 404
    )


def test_a_hired_person_counts_with_the_report_of_the_opening_they_were_hired_into(
    session, sampled
):
    """Someone hired into one opening and later assessed for another (not hired there): the
    report of the other opening is neither their hired scores nor a hired person there."""
    org, opening, small, _big = sampled
    hr = principal(session, org, "hr_admin")
    every = validity.parse_scope(Filters(), None, None)
    before = validity.gather(session, hr, every, TODAY).hired
    employee = session.scalars(select(Employee).where(Employee.opening_id == opening.id)).first()
    hired_there = select(Employee.person_id).where(Employee.opening_id == small.id)
    interview = session.scalars(
        select(InterviewSession).where(
            InterviewSession.opening_id == small.id,
            InterviewSession.candidate_id.not_in(hired_there),
        )
    ).first()
    interview.candidate_id = employee.person_id  # their interview for the other opening
    session.commit()
    assert validity.gather(session, hr, every, TODAY).hired == before
    only_small = validity.parse_scope(Filters(opening_id=small.id), None, None)
    assert validity.analyse(session, hr, only_small, TODAY).hired == 20


def test_a_remembered_analysis_follows_every_change_of_the_data(session, sampled, monkeypatch):
    """The bootstrap's result is remembered per contents of the scope's data: asking again
    resamples nothing, and a changed outcome (here ratings and a probation result recorded
    after the first answer) is answered anew, equal to a computation from nothing."""
    from hireflow.analytics import validity_cache
    from hireflow.analytics import validity_stats as stats
    from hireflow.candidates.models import PerformanceRating

    org, opening, _small, big = sampled
    hr = principal(session, org, "hr_admin")
    scope = validity.parse_scope(Filters(opening_id=opening.id), None, None)
    validity_cache.clear()
    computed = []
    shared = stats.shared_correlations
    monkeypatch.setattr(stats, "shared_correlations", lambda *a: computed.append(1) or shared(*a))
    first = validity.analyse(session, hr, scope, TODAY)
    runs = len(computed)
    assert runs > 0
    assert validity.analyse(session, hr, scope, TODAY).rows == first.rows
    assert len(computed) == runs  # remembered: nothing resampled
    hired = list(session.scalars(select(Employee).where(Employee.opening_id == opening.id)))
    for employee in hired[:40]:
        for rating in session.scalars(
            select(PerformanceRating).where(PerformanceRating.candidate_id == employee.person_id)
        ):
            rating.rating = 5.0 if rating.rating < 3 else 1.0  # the relation turned around
    hired[0].probation_result = "failed" if hired[0].probation_result != "failed" else "passed"
    session.commit()
    changed = validity.analyse(session, hr, scope, TODAY)
    assert len(computed) > runs  # a new key: computed again
    assert _rows(changed, big.predictive)["rating"] != _rows(first, big.predictive)["rating"]
    assert _rows(changed, big.predictive)["probation"] != _rows(first, big.predictive)["probation"]
    validity_cache.clear()
    assert validity.analyse(session, hr, scope, TODAY).rows == changed.rows
