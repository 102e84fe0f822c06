"""Interviewer scorecards (SPEC F6): immutable once submitted, amended with a reason into a new
version, blind until the interviewer submitted, merged with a real AI report per competency."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from hireflow.core.audit import AuditEntry
from hireflow.core.errors import Forbidden, NotFound, ValidationFailed
from hireflow.records import service as records_service
from hireflow.records.models import RecordEntry
from hireflow.workflow import queries, schemas, scorecards, service, stages
from hireflow.workflow.models import Conclusion, Scorecard, StageMove
from hireflow.workflow.scorecards import AlreadySubmitted, Superseded
from hireflow.workflow.service import MoveRequest
from tests.conftest import bearer, login, make_org
from tests.interviews.factories import scored_interview
from tests.workflow.factories import apply, make_opening, principal


@pytest.fixture
def org(session):
    return make_org(session)


@pytest.fixture
def opening(session, org):
    return make_opening(session, org)  # the technical preset: coding, communication, ...


@pytest.fixture
def application(session, org, opening):
    return apply(session, org, opening)


def card_in(round_key: str = "round_1", **ratings: int) -> schemas.ScorecardIn:
    return schemas.ScorecardIn(
        round=round_key,
        ratings=ratings or {"coding": 4, "communication": 3},
        recommendation="yes",
        notes="Clear reasoning about caching.",
    )


def amend_in(reason: str = "Mixed up two candidates", **ratings: int) -> schemas.AmendIn:
    return schemas.AmendIn(
        round="round_1",
        ratings=ratings or {"coding": 2},
        recommendation="no",
        notes="Corrected.",
        reason=reason,
    )


def test_submitted_scorecards_are_immutable_and_amended_as_new_versions(session, org, application):
    interviewer = principal(session, org, "interviewer")
    first = scorecards.submit(session, interviewer, application.id, card_in())
    assert (first.version, first.ratings, first.notes) == (
        1,
        {"coding": 4, "communication": 3},
        "Clear reasoning about caching.",
    )
    with pytest.raises(AlreadySubmitted) as again:
        scorecards.submit(session, interviewer, application.id, card_in(coding=5))
    assert again.value.status == 409
    second = scorecards.amend(session, interviewer, first.id, amend_in())
    assert (second.version, second.supersedes_id, second.amend_reason) == (
        2,
        first.id,
        "Mixed up two candidates",
    )
    session.refresh(first)
    assert first.superseded_at is not None and first.ratings == {"coding": 4, "communication": 3}
    with pytest.raises(Superseded):
        scorecards.amend(session, interviewer, first.id, amend_in())
    assert [c.version for c in scorecards.versions(session, interviewer, second.id)] == [1, 2]
    with pytest.raises(AlreadySubmitted):  # still one scorecard per round: amend, not resubmit
        scorecards.submit(session, interviewer, application.id, card_in())
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.target_type == "scorecard")
    ).all()
    assert sorted(actions) == ["scorecard.amended", "scorecard.submitted"]


@pytest.mark.parametrize(
    ("ratings", "field"),
    [
        ({"charisma": 3}, "ratings.charisma"),
        ({"coding": 0}, "ratings.coding"),
        ({"coding": 6}, "ratings.coding"),
        ({}, "ratings"),
    ],
)
def test_bad_ratings_are_refused(session, org, application, ratings, field):
    interviewer = principal(session, org, "interviewer")
    data = schemas.ScorecardIn(round="round_1", ratings=ratings, recommendation="no")
    with pytest.raises(ValidationFailed) as refused:
        scorecards.submit(session, interviewer, application.id, data)
    assert list(refused.value.fields) == [field]
    assert session.scalars(select(Scorecard)).all() == []


@pytest.mark.parametrize("round_key", ["offer", "nowhere"])
def test_a_scorecard_belongs_to_an_interview_round(session, org, application, round_key):
    with pytest.raises(ValidationFailed) as refused:
        scorecards.submit(
            session, principal(session, org, "interviewer"), application.id, card_in(round_key)
        )
    assert refused.value.fields == {"round": "unknown"}


def test_blind_until_the_interviewer_submitted(session, org, opening, application):
    hr = principal(session, org, "hr_admin")
    interviewer = principal(session, org, "interviewer")
    scorecards.submit(session, hr, application.id, card_in(coding=5))
    before = scorecards.merged(session, interviewer, application.id)
    assert before.blind and before.scorecards == [] and not before.ai_available
    assert all(c.ratings == [] for c in before.competencies)
    with pytest.raises(NotFound):  # nor one by one
        scorecards.versions(session, interviewer, before_card_id(session, application.id))
    scorecards.submit(session, interviewer, application.id, card_in(coding=2))
    after = scorecards.merged(session, interviewer, application.id)
    assert not after.blind and len(after.scorecards) == 2
    coding = next(c for c in after.competencies if c.id == "coding")
    assert sorted(r.level for r in coding.ratings) == [2, 5] and coding.human_mean == 3.5
    assert not scorecards.merged(session, hr, application.id).blind  # HR is not on the panel


def before_card_id(session, application_id: int) -> int:
    return session.scalars(
        select(Scorecard.id).where(Scorecard.application_id == application_id)
    ).first()


def test_the_company_may_turn_blindness_off(session, org, application):
    hr = principal(session, org, "hr_admin")
    scorecards.submit(session, hr, application.id, card_in())
    stages.set_settings(session, hr, schemas.SettingsIn(blind_scorecards=False))
    seen = scorecards.merged(session, principal(session, org, "interviewer"), application.id)
    assert not seen.blind and len(seen.scorecards) == 1


def test_merged_view_flags_disagreements_with_the_ai(session, db, org):
    setup, _interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    hr = principal(session, org, "hr_admin")
    ai, match = scorecards.ai_scores(session, application)
    assert ai and match is not None
    model = scorecards.model_of(application)
    first, second = model.dimensions[0].id, model.dimensions[1].id
    far = 1 if ai[first] / 2 >= 3 else 5  # more than one level away from the AI
    near = min(5, max(1, round(ai[second] / 2)))  # within a level
    scorecards.submit(
        session,
        hr,
        application.id,
        schemas.ScorecardIn(
            round="round_1", ratings={first: far, second: near}, recommendation="strong_yes"
        ),
    )
    found = scorecards.merged(session, hr, application.id)
    by_id = {c.id: c for c in found.competencies}
    assert by_id[first].disagrees and by_id[first].ai_level == round(ai[first] / 2, 1)
    assert not by_id[second].disagrees
    assert found.recommendations["strong_yes"] == 1 and found.job_match == match
    # the board shows the same job match to HR, and hides it from a blind panel interviewer
    board = queries.board(session, hr, application.opening_id)
    assert next(c for col in board.columns for c in col.cards).job_match == match
    blind_board = queries.board(
        session, principal(session, org, "interviewer"), application.opening_id
    )
    assert next(c for col in blind_board.columns for c in col.cards).job_match is None


def test_scope_and_roles(session, org, application):
    interviewer = principal(session, org, "interviewer")
    card = scorecards.submit(
        session, principal(session, org, "hr_admin"), application.id, card_in()
    )
    foreign = make_org(session)
    with pytest.raises(NotFound):
        scorecards.merged(session, principal(session, foreign, "hr_admin"), application.id)
    with pytest.raises(NotFound):
        scorecards.submit(
            session, principal(session, foreign, "interviewer"), application.id, card_in()
        )
    with pytest.raises(NotFound):  # only one's own scorecard can be amended
        scorecards.amend(session, interviewer, card.id, amend_in())
    with pytest.raises(Forbidden):
        scorecards.merged(session, principal(session, org, "it_auditor"), application.id)
    other = apply(session, org, make_opening(session, org, 2, members=False))
    with pytest.raises(NotFound):
        scorecards.submit(session, interviewer, other.id, card_in())
    with pytest.raises(NotFound):
        scorecards.merged(session, principal(session, org, "hiring_manager"), other.id)


def test_api_submit_amend_and_errors(client, session, org, application):
    session.commit()
    headers = bearer(client, org.users["interviewer"])
    url = f"/api/v1/applications/{application.id}/scorecards"
    body = {"round": "round_1", "ratings": {"coding": 4}, "recommendation": "yes"}
    created = client.post(url, json=body, headers=headers)
    assert created.status_code == 201, created.text
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_submitted"
    out_of_range = client.post(
        url, json={**body, "round": "round_2", "ratings": {"coding": 9}}, headers=headers
    )
    assert out_of_range.status_code == 422
    assert out_of_range.json()["error"]["fields"] == {"ratings.coding": "range"}
    unknown = client.post(
        url, json={**body, "round": "round_2", "ratings": {"charm": 3}}, headers=headers
    )
    assert unknown.json()["error"]["fields"] == {"ratings.charm": "unknown"}
    amend_url = f"/api/v1/scorecards/{created.json()['id']}/amend"
    assert client.post(amend_url, json=body, headers=headers).status_code == 422  # no reason
    amended = client.post(amend_url, json={**body, "reason": "Wrong level"}, headers=headers)
    assert amended.status_code == 201 and amended.json()["version"] == 2
    merged = client.get(url, headers=headers).json()
    assert merged["blind"] is False and [s["version"] for s in merged["scorecards"]] == [2]
    stranger = bearer(client, make_org(session).users["hr_admin"])
    session.commit()
    assert client.get(url, headers=stranger).status_code == 404


def test_scorecard_page_shows_anchors_and_submits(client, session, org, application):
    session.commit()
    login(client, org.users["interviewer"])
    url = f"/applications/{application.id}/scorecards"
    page = client.get(url)
    assert page.status_code == 200
    model = scorecards.model_of(application)
    coding = next(d for d in model.dimensions if d.id == "coding")
    assert coding.anchor(4).text["en"][:30] in page.text  # the anchor text beside its level
    assert 'id="blind-notice"' in page.text
    bad = client.post(url, data={"round": "round_1", "rating_coding": "7", "recommendation": "yes"})
    assert bad.status_code == 422 and 'id="scorecard-error"' in bad.text
    done = client.post(
        url,
        data={"round": "round_1", "rating_coding": "4", "recommendation": "yes", "notes": "ok"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert 'id="blind-notice"' not in page.text and "/amend" in page.text


def test_hr_conclusion_goes_on_the_record_with_the_merged_figures(session, org, application):
    hr = principal(session, org, "hr_admin")
    scorecards.submit(session, hr, application.id, card_in())
    row = scorecards.conclude(
        session,
        hr,
        application.id,
        schemas.ConclusionIn(decision="advance", reason="Both rounds strong on coding."),
    )
    entry = session.get(RecordEntry, row.record_entry_id)
    assert entry.type == "review" and entry.facts["final_conclusion"] == "advance"
    assert entry.facts["scorecards"] == 1 and entry.opening_id == application.opening_id
    shown = scorecards.merged_out(scorecards.merged(session, hr, application.id))
    assert shown.conclusion.reason == "Both rounds strong on coding."
    with pytest.raises(Forbidden):  # interviewers rate; HR concludes
        scorecards.conclude(
            session,
            principal(session, org, "interviewer"),
            application.id,
            schemas.ConclusionIn(decision="reject", reason="No."),
        )
    with pytest.raises(NotFound):
        scorecards.conclude(
            session,
            principal(session, make_org(session), "hr_admin"),
            application.id,
            schemas.ConclusionIn(decision="reject", reason="No."),
        )


def test_conclusion_form_on_the_page(client, session, org, application):
    session.commit()
    login(client, org.users["hr_admin"])
    url = f"/applications/{application.id}/scorecards"
    assert 'id="conclusion-form"' in client.get(url).text
    short = client.post(
        f"/applications/{application.id}/conclusion", data={"decision": "hold", "reason": "x"}
    )
    assert short.status_code == 422
    done = client.post(
        f"/applications/{application.id}/conclusion",
        data={"decision": "hold", "reason": "Waiting for the second round."},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "Waiting for the second round." in client.get(url).text


def test_erasure_removes_the_texts_and_keeps_the_facts(session, org, application):
    hr = principal(session, org, "hr_admin")
    card = scorecards.submit(session, hr, application.id, card_in())
    service.move(session, hr, application.id, MoveRequest("rejected", 0, "skills", "weak SQL"))
    scorecards.conclude(
        session, hr, application.id, schemas.ConclusionIn(decision="reject", reason="Weak SQL.")
    )
    report = records_service.erase_person(session, hr, application.candidate_id)
    assert any(line.startswith("workflow:") for line in report.hooks)
    session.refresh(card)
    assert card.notes == "[erased]" and card.ratings == {"coding": 4, "communication": 3}
    move = session.scalars(
        select(StageMove).where(StageMove.application_id == application.id)
    ).one()
    assert move.note == "[erased]" and move.to_key == "rejected"
    conclusion = session.scalars(
        select(Conclusion).where(Conclusion.application_id == application.id)
    ).one()
    assert conclusion.reason == "[erased]" and conclusion.decision == "reject"


def test_a_blind_interviewer_sees_no_ai_report_in_the_interviews_pages(session, db, org, client):
    from hireflow.interviews import hr as interviews_hr
    from hireflow.interviews import queries as interview_queries
    from hireflow.interviews.errors import ScorecardFirst

    setup, interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    interviewer = principal(session, org, "interviewer")
    assert scorecards.is_blind(session, interviewer, application)
    with pytest.raises(ScorecardFirst):
        interviews_hr.view_report(session, interviewer, interview.id)
    (row,) = interview_queries.interviews(session, interviewer)
    assert row.job_match is None and row.ai_job_match is None
    (ranked,) = interview_queries.interviews(session, interviewer, sort="match")
    assert ranked.job_match is None  # no ranking by a hidden score either
    login(client, org.users["interviewer"])
    page = client.get(f"/interviews/{interview.id}")  # says why, leads to the scorecard
    assert page.status_code == 200 and 'id="scorecard-first"' in page.text
    assert f'href="/applications/{application.id}/scorecards"' in page.text
    assert 'id="dimensions"' not in page.text and "job-match" not in page.text
    assert client.get(f"/api/v1/interviews/{interview.id}").status_code == 403
    # HR, who is not on the panel, sees it all along
    hr = principal(session, org, "hr_admin")
    assert interview_queries.interviews(session, hr)[0].job_match is not None
    # once the interviewer rated, the report opens
    first = scorecards.model_of(application).dimensions[0].id
    scorecards.submit(session, interviewer, application.id, card_in(**{first: 3}))
    assert interviews_hr.view_report(session, interviewer, interview.id).id == interview.id
    assert interview_queries.interviews(session, interviewer)[0].job_match is not None


def test_moves_and_the_conclusion_read_as_words_on_the_record(session, db, org, client):
    """The timeline names stages, fact keys and competencies in the reader's language: no
    "Previous stage: round_2" on a Chinese page, no competency ids."""
    setup, _interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    hr = principal(session, org, "hr_admin")
    service.move(session, hr, application.id, MoveRequest("round_1", 0))
    service.move(session, hr, application.id, MoveRequest("round_2", 1))
    ai, _match = scorecards.ai_scores(session, application)
    model = scorecards.model_of(application)
    first = model.dimensions[0]
    far = 1 if ai[first.id] / 2 >= 3 else 5
    scorecards.submit(
        session,
        hr,
        application.id,
        schemas.ScorecardIn(round="round_2", ratings={first.id: far}, recommendation="strong_yes"),
    )
    scorecards.conclude(
        session, hr, application.id, schemas.ConclusionIn(decision="advance", reason="一致推荐")
    )
    session.commit()
    login(client, org.users["hr_admin"])
    pages = {}
    for language in ("zh-CN", "en"):
        client.post("/lang", data={"lang": language, "next": "/"})
        page = client.get(f"/records/{setup.candidate.id}")
        assert page.status_code == 200
        timeline = page.text.split('id="timeline"', 1)[1].split("</section>", 1)[0]
        pages[language] = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", timeline))
    zh, en = pages["zh-CN"], pages["en"]
    for code in ("round_1", "round_2", "previous_stage", "days_in_stage", "strong_yes", first.id):
        assert not re.search(rf"\b{code}\b", zh + en), code
    for english in ("Previous stage", "Days in", "Final conclusion", "Disagreements", "Pipeline"):
        assert english not in zh, english
    for words in (
        "原阶段",
        "第二轮面试",
        "最终结论",
        "面试评分表",
        "强烈建议录用",
        first.name["zh"],
    ):
        assert words in zh, words
    for words in ("Previous stage", "Interview round 2", "Final conclusion", first.name["en"]):
        assert words in en, words


def test_the_board_hides_the_ai_match_from_a_blind_panel_member(session, org, opening):
    """The board asks the same gate as the report: a panel interviewer sees a candidate's AI
    job match once they rated that candidate; HR sees it all along."""
    from tests.workflow.test_rules import _report

    rated, unrated = apply(session, org, opening), apply(session, org, opening)
    _report(session, rated, 81.0, coding=8)
    _report(session, unrated, 64.0, coding=6)
    interviewer = principal(session, org, "interviewer")
    hr = principal(session, org, "hr_admin")

    def matches(viewer) -> tuple[bool, dict[int, float | None]]:
        found = queries.board(session, viewer, opening.id)
        cards = [card for column in found.columns for card in column.cards]
        return found.match_hidden, {card.application_id: card.job_match for card in cards}

    assert matches(interviewer) == (True, {rated.id: None, unrated.id: None})
    scorecards.submit(session, interviewer, rated.id, card_in())
    assert matches(interviewer) == (True, {rated.id: 81.0, unrated.id: None})
    assert matches(hr) == (False, {rated.id: 81.0, unrated.id: 64.0})
    stages.set_settings(session, hr, schemas.SettingsIn(blind_scorecards=False))
    assert matches(interviewer) == (False, {rated.id: 81.0, unrated.id: 64.0})


def test_the_printable_report_carries_the_scorecards_as_the_reader_may_see_them(
    session, db, org, client
):
    setup, interview = scored_interview(session, db, org)
    application = setup.candidate.applications[0]
    first = scorecards.model_of(application).dimensions[0].id
    login(client, org.users["hr_admin"])
    bare = client.get(f"/interviews/{interview.id}/print")
    assert bare.status_code == 200 and 'id="scorecards"' not in bare.text  # none submitted
    interviewer = principal(session, org, "interviewer")
    scorecards.submit(
        session,
        interviewer,
        application.id,
        schemas.ScorecardIn(
            round="round_1",
            ratings={first: 4},
            recommendation="strong_yes",
            notes="<b>讲清楚了</b>缓存失效",
        ),
    )
    page = client.get(f"/interviews/{interview.id}/print").text
    section = page[page.index('id="scorecards"') :]
    name = org.users["interviewer"].name
    assert "Interviewer scorecards" in section and f"{name}: 4" in section
    assert "Strong yes" in section and "&lt;b&gt;讲清楚了&lt;/b&gt;缓存失效" in section
    assert section.index("</section>") < section.index("</body>")
    client.cookies.clear()
    client.headers.pop("X-CSRF-Token", None)
    org.users["hiring_manager"].language = "zh-CN"
    session.commit()
    login(client, org.users["hiring_manager"])
    chinese = client.get(f"/interviews/{interview.id}/print").text
    assert "面试官评分表" in chinese and "强烈建议录用" in chinese
