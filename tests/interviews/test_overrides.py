"""HR overrides of AI scores reach everything that reads scores (SPEC F1, F4, G1, G4, C3).

A scored interview, HR sets one competency to 2.5: the report is re-derived (job match,
strengths, gaps, summary), the HR record states the final scores with the AI's beside them in a
new entry that supersedes the AI's, and record search, the talent pool, rankings and the pages
read the final score. The AI's report and its entry stay as they were (chain verified).
"""

from __future__ import annotations

from html import escape

import pytest
from sqlalchemy import select

from hireflow.candidates.indexing import index_candidate
from hireflow.candidates.models import Candidate
from hireflow.core.errors import AppError
from hireflow.interviews import hr as interview_hr
from hireflow.interviews import schemas
from hireflow.interviews.models import InterviewReport
from hireflow.org.auth import principal_for
from hireflow.records import queries as record_queries
from hireflow.records.integrity import verify_person
from hireflow.records.models import RecordEntry, RecordScore
from hireflow.scoring.report import Report
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import (  # noqa: F401 - fixtures
    make_setup,
    queue_fixture,
    scored_interview,
    started,
    storage_fixture,
)


def _scored(session, db, org):
    return scored_interview(session, db, org)


def _row(session, interview_id: int) -> InterviewReport:
    session.expire_all()
    return session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview_id)
    ).one()


def _strongest(report: Report):
    """The assessed dimension the AI scored highest: an override to 2.5 surely lowers it."""
    return max((d for d in report.dimensions if d.assessed), key=lambda d: (d.score, d.id))


def _results(session, person_id: int) -> list[RecordEntry]:
    return list(
        session.scalars(
            select(RecordEntry)
            .where(RecordEntry.person_id == person_id, RecordEntry.type == "interview_result")
            .order_by(RecordEntry.seq)
        )
    )


def test_an_override_is_re_derived_restated_in_the_record_and_searched_by_final_score(
    session, db, org, queue, storage
):
    setup, interview = _scored(session, db, org)
    recruiter = principal_for(org.users["recruiter"])
    before = _row(session, interview.id)
    body, digest, ai_entry = before.body, before.sha256, before.record_entry_id
    ai = Report.from_json(body)
    dim = _strongest(ai)
    assert dim.score > 3.5

    search = record_queries.SearchFilters(dimension=dim.id, min_score=3.5)
    hr = principal_for(org.users["hr_admin"])
    found, _ = record_queries.search(session, hr, search)
    assert setup.candidate.id in [hit.person.id for hit in found]  # the AI's score, for now

    interview_hr.adjust_score(
        session,
        recruiter,
        interview.id,
        schemas.AdjustIn(dimension_id=dim.id, score=2.5, reason="例子不具体，没有结果"),
    )
    row = _row(session, interview.id)
    # the AI's report is untouched; the final one is re-derived beside it
    assert row.body == body and row.sha256 == digest and row.record_entry_id == ai_entry
    final = Report.from_json(row.final_body)
    assert final.dimension(dim.id).score == 2.5
    assert row.final_scores[dim.id] == 2.5 and row.final_job_match == final.job_match
    assert final.job_match < ai.job_match and row.effective_job_match == final.job_match
    assert dim.id in {g.dimension_id for g in final.gaps}
    assert dim.id not in {s.dimension_id for s in final.strengths}
    assert "2.5" in final.summary["zh"] and final.summary != ai.summary
    assert final.extra["hr_adjusted"] == {dim.id: {"ai": dim.score, "final": 2.5}}

    # the record states it in a new entry that supersedes the AI's; the chain still verifies
    ai_result, restated = _results(session, setup.candidate.id)
    assert ai_result.id == ai_entry and restated.id == row.final_entry_id
    assert restated.source == "hr_adjustment" and restated.actor_id == recruiter.user_id
    assert restated.facts["supersedes"] == ai_entry
    assert restated.facts["scores"][dim.id] == "2.5"
    assert restated.facts["ai_scores"][dim.id] == str(dim.score)
    assert restated.facts["adjusted"] == [dim.id]
    assert float(restated.facts["match_percent"]) == final.job_match
    assert float(restated.facts["ai_match_percent"]) == ai.job_match
    assert ai_result.facts["scores"][dim.id] == str(dim.score)  # never rewritten
    assert verify_person(session, setup.candidate.id).ok

    # filters and rankings read the score in effect only
    rows = session.scalars(
        select(RecordScore).where(
            RecordScore.person_id == setup.candidate.id, RecordScore.dimension == dim.id
        )
    ).all()
    assert [(r.entry_id, r.score) for r in rows] == [(restated.id, 2.5)]
    found, _ = record_queries.search(session, hr, search)
    assert setup.candidate.id not in [hit.person.id for hit in found]
    low = record_queries.SearchFilters(dimension=dim.id, min_score=2.5)
    assert setup.candidate.id in [
        hit.person.id for hit in record_queries.search(session, hr, low)[0]
    ]

    # a second override (another dimension) restates the restatement, from the AI's report
    other = next(d for d in ai.dimensions if d.assessed and d.id != dim.id)
    interview_hr.adjust_score(
        session,
        principal_for(org.users["hr_admin"]),
        interview.id,
        schemas.AdjustIn(dimension_id=other.id, score=9.5, reason="HR 面谈确认"),
    )
    row = _row(session, interview.id)
    final = Report.from_json(row.final_body)
    assert final.dimension(dim.id).score == 2.5 and final.dimension(other.id).score == 9.5
    third = _results(session, setup.candidate.id)[-1]
    assert third.facts["supersedes"] == restated.id and row.final_entry_id == third.id
    assert set(third.facts["adjusted"]) == {dim.id, other.id}
    live = session.scalars(
        select(RecordScore.entry_id).where(RecordScore.person_id == setup.candidate.id)
    ).all()
    assert set(live) == {third.id}
    assert verify_person(session, setup.candidate.id).ok

    # the conclusion states the scores and job match in effect
    interview_hr.conclude(
        session,
        recruiter,
        interview.id,
        schemas.ConclusionIn(conclusion="进入二面", decision="advance"),
    )
    review = session.scalars(
        select(RecordEntry).where(
            RecordEntry.person_id == setup.candidate.id, RecordEntry.type == "review"
        )
    ).one()
    assert review.facts["adjusted"] == {dim.id: "2.5", other.id: "9.5"}
    assert float(review.facts["job_match"]) == final.job_match


def test_api_search_pool_ranking_and_bad_inputs(client, session, db, org, queue, storage):
    setup, interview = _scored(session, db, org)
    second, other_interview = _scored(session, db, org)
    ai = Report.from_json(_row(session, interview.id).body)
    dim = _strongest(ai)
    headers = bearer(client, org.users["recruiter"])
    url = f"/api/v1/interviews/{interview.id}/adjustments"

    # bad inputs first: nothing is stored
    for body, status in (
        ({"dimension_id": dim.id, "score": 11, "reason": "too high"}, 422),
        ({"dimension_id": dim.id, "score": -1, "reason": "too low"}, 422),
        ({"dimension_id": dim.id, "score": 5, "reason": ""}, 422),
        ({"dimension_id": "charisma", "score": 5, "reason": "unknown"}, 422),
        ({"dimension_id": dim.id, "score": "high", "reason": "not a number"}, 422),
    ):
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == status, (body, response.text)
    assert _row(session, interview.id).final_body is None
    manager = bearer(client, org.users["hiring_manager"])
    body = {"dimension_id": dim.id, "score": 2.5, "reason": "no result"}
    assert client.post(url, headers=manager, json=body).status_code == 403
    foreign = make_org(session)
    stranger = bearer(client, foreign.users["hr_admin"])
    assert client.post(url, headers=stranger, json=body).status_code == 404
    missing = client.post("/api/v1/interviews/999999/adjustments", headers=headers, json=body)
    assert missing.status_code == 404
    unscored = make_setup(session, org)
    pending = started(session, unscored)
    response = client.post(
        f"/api/v1/interviews/{pending.id}/adjustments", headers=headers, json=body
    )
    assert response.status_code == 409

    assert client.post(url, headers=headers, json=body).status_code == 201
    detail = client.get(f"/api/v1/interviews/{interview.id}", headers=headers).json()
    assert detail["report"]["job_match"] == ai.job_match  # the AI's, as scored
    assert detail["final_report"]["dimensions"]
    final_dim = next(d for d in detail["final_report"]["dimensions"] if d["id"] == dim.id)
    assert final_dim["score"] == 2.5
    assert detail["interview"]["job_match"] == detail["final_report"]["job_match"]
    assert detail["interview"]["ai_job_match"] == ai.job_match
    assert detail["effective_scores"][dim.id] == 2.5
    assert detail["final_entry_id"] and detail["final_entry_id"] != detail["record_entry_id"]

    hr = bearer(client, org.users["hr_admin"])
    people = client.get(
        "/api/v1/records", headers=hr, params={"dimension": dim.id, "min_score": 3.5}
    ).json()
    ids = [p["person_id"] for p in people]
    assert setup.candidate.id not in ids and second.candidate.id in ids

    for candidate_id in (setup.candidate.id, second.candidate.id):
        index_candidate(session, session.get(Candidate, candidate_id))
    session.commit()
    pool = client.get(
        "/api/v1/candidates", headers=hr, params={"dimension": dim.id, "min_score": 3.5}
    ).json()
    ids = [p["id"] for p in pool]
    assert setup.candidate.id not in ids and second.candidate.id in ids

    ranked = client.get(
        "/api/v1/interviews", headers=hr, params={"sort": "match", "status": "scored"}
    ).json()
    order = [r["id"] for r in ranked]
    assert order.index(other_interview.id) < order.index(interview.id)
    mine = next(r for r in ranked if r["id"] == interview.id)
    assert mine["job_match"] < mine["ai_job_match"]
    bad_sort = client.get("/api/v1/interviews", headers=hr, params={"sort": "random"})
    assert bad_sort.status_code == 422


def test_report_and_record_pages_show_final_score_ai_beside_and_re_derived_summary(
    client, session, db, org, queue, storage
):
    setup, interview = _scored(session, db, org)
    ai = Report.from_json(_row(session, interview.id).body)
    dim = _strongest(ai)
    login(client, org.users["hr_admin"])
    response = client.post(
        f"/interviews/{interview.id}/adjust",
        data={"dimension_id": dim.id, "score": "2.5", "reason": "no measurable result"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    page = client.get(f"/interviews/{interview.id}").text
    final = Report.from_json(_row(session, interview.id).final_body)
    lang = "zh" if escape(final.summary["zh"]) in page else "en"
    row = page.split(f'data-dimension="{dim.id}"', 1)[1].split("</tr>", 1)[0]
    assert f"{dim.score:.1f}" in row.split('class="ai-score"', 1)[1].split("</td>", 1)[0]
    assert "2.5" in row.split('class="effective-score"', 1)[1].split("</td>", 1)[0]
    summary = page.split('id="summary"', 1)[1].split("</p>", 1)[0]
    assert escape(final.summary[lang]) in summary and "2.5" in summary
    ai_summary = page.split('id="ai-summary"', 1)[1].split("</span>", 1)[0]
    assert escape(ai.summary[lang]) in ai_summary
    gaps = page.split('id="gaps"', 1)[1].split("</ul>", 1)[0]
    assert "2.5" in gaps
    header = page.split('id="job-match"', 1)[1][:400]
    assert f"{final.job_match:.0f}%" in header and f"{ai.job_match:.0f}%" in header

    printable = client.get(f"/interviews/{interview.id}/print").text
    assert escape(final.summary[lang]) in printable and f"AI {dim.score:.1f} → 2.5" in printable

    record = client.get(f"/records/{setup.candidate.id}").text
    assert "interview-adjusted" in record and "interview-superseded" in record
    assert "no measurable result" in record
    assert f"{dim.score:.1f})" in record.split("interview-adjusted", 1)[1]


def test_overrides_and_erasure(session, db, org, queue, storage):
    """An erasure clears the re-derived report with the AI's; an override after an erasure
    is kept for calibration but adds nothing to the erased record."""
    from hireflow.records import service as records

    setup, interview = _scored(session, db, org)
    ai = Report.from_json(_row(session, interview.id).body)
    dim = _strongest(ai)
    hr = principal_for(org.users["hr_admin"])
    interview_hr.adjust_score(
        session, hr, interview.id, schemas.AdjustIn(dimension_id=dim.id, score=3.0, reason="abc")
    )
    records.erase_person(session, hr, setup.candidate.id)
    row = _row(session, interview.id)
    assert row.body == "{}" and row.final_body == "{}"
    entries = len(_results(session, setup.candidate.id))

    other, second = _scored(session, db, org)
    other_dim = _strongest(Report.from_json(_row(session, second.id).body))
    records.erase_person(session, hr, other.candidate.id)
    session.expire_all()
    # the report was erased with the person: nothing left to adjust, said clearly
    with pytest.raises(AppError) as refused:
        interview_hr.adjust_score(
            session,
            hr,
            second.id,
            schemas.AdjustIn(dimension_id=other_dim.id, score=3.0, reason="abc"),
        )
    assert refused.value.status == 410 and refused.value.code == "erased"
    session.rollback()
    assert len(_results(session, setup.candidate.id)) == entries


def test_pages_after_an_erasure(client, session, db, org, queue, storage):
    from hireflow.records import service as records

    setup, interview = _scored(session, db, org)
    records.erase_person(session, principal_for(org.users["hr_admin"]), setup.candidate.id)
    login(client, org.users["hr_admin"])
    page = client.get(f"/interviews/{interview.id}")
    assert page.status_code == 200 and 'id="report-erased"' in page.text
    api = client.get(
        f"/api/v1/interviews/{interview.id}", headers=bearer(client, org.users["hr_admin"])
    )
    assert api.status_code == 410 and "erased" in api.text
