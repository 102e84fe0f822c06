"""The report page and API show what the report rules derive (SPEC F1, F2, F4): copied
answers flagged on the answer and credited once, the report's notes, follow-up reasons in
words (never codes), and the Adjustments list with the AI score the report states (after
company calibration), in Chinese and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from html import escape

import pytest
from sqlalchemy import select

from hireflow.interviews import candidate, pipeline, schemas, sessions
from hireflow.interviews import hr as interview_hr
from hireflow.interviews.models import CompanyCalibration, InterviewReport
from hireflow.org.auth import principal_for
from hireflow.scoring.calibration import (
    Agreement,
    DimensionCalibration,
)
from hireflow.scoring.calibration import (
    CompanyCalibration as EngineCalibration,
)
from hireflow.scoring.report import Report
from tests.conftest import bearer, login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    scored_interview,
    started,
    storage_fixture,
)

CODES = ("project_roi", "no_result", "we_only", "off_topic", "vague", "gap_example")


def _report(session, interview_id: int) -> tuple[InterviewReport, Report]:
    session.expire_all()
    row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview_id)
    ).one()
    return row, Report.from_json(row.body)


def _page(client, interview_id: int, language: str) -> str:
    client.post("/lang", data={"lang": language, "next": "/"})
    response = client.get(f"/interviews/{interview_id}")
    assert response.status_code == 200
    return response.text


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_one_text_pasted_into_every_question_is_flagged_and_credited_once(
    client, session, db, org, queue, storage, language
):
    # the factory answers every question with the same complaint story
    _setup, interview = scored_interview(session, db, org, ANSWERS_ZH)
    _row, report = _report(session, interview.id)
    # every answered question, those that score nothing (an introduction) included
    answered = [a for a in report.answers if a.status == "ok"]
    copies = [n for n in report.notes if n.code == "copied_answer"]
    assert len(answered) >= 3 and len(copies) == len(answered) - 1
    credited = [a for a in answered if any(a.dimension_scores.values())]
    assert len(credited) == 1
    assert report.follow_ups[0].reason == "copied_answer"

    login(client, org.users["hr_admin"])
    page = _page(client, interview.id, language)
    key = "zh" if language == "zh-CN" else "en"
    flags = page.count('class="flag copied-answer"')
    assert flags == len(copies)
    assert escape(copies[0].text[key]) in page
    notes = page.split('id="report-notes"', 1)[1].split("</section>", 1)[0]
    assert ("报告说明" if key == "zh" else "How this report was made") in notes
    assert 'data-code="copied_answer"' in notes
    follow_ups = page.split('id="follow-ups"', 1)[1].split("</ol>", 1)[0]
    assert ("与其他回答重复" if key == "zh" else "repeats another answer") in follow_ups
    for code in CODES:
        assert f">{code}<" not in follow_ups


def test_distinct_answers_raise_no_flag(client, session, db, org, queue, storage):
    setup = make_setup(session, org)
    interview = started(session, setup)
    # every question its own, different answer
    for n, question in enumerate(sessions.questions_of(interview)):
        candidate.open_question(session, interview, question["id"], TAB)
        text = (
            ANSWERS_ZH
            if n == 0
            else f"第{n}个经历：我在第{n}家公司负责第{n}条产品线，做了{n * 7}次用户访谈，"
            f"把退货率从{n + 10}%降到了{n}%，团队由{n + 3}个人组成。"
        )
        candidate.save_text(
            session, interview, question["id"], schemas.TextAnswerIn(tab=TAB, text=text, final=True)
        )
    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    _row, report = _report(session, interview.id)
    assert not [n for n in report.notes if n.code == "copied_answer"]
    login(client, org.users["hr_admin"])
    assert 'class="flag copied-answer"' not in _page(client, interview.id, "en")


def _calibration(dimension_id: str) -> dict:
    same = Agreement(n=30, mae=0.5, qwk=0.8)
    dim = DimensionCalibration(
        dimension_id=dimension_id,
        method="isotonic",
        n=30,
        before=same,
        after=same,
        x_thresholds=(0.0, 10.0),
        y_thresholds=(1.0, 10.0),
    )
    return EngineCalibration(
        company_id="tenant",
        version="1",
        method="isotonic",
        min_corrections=20,
        corrections=30,
        dimensions={dimension_id: dim},
        skipped={},
    ).to_dict()


def test_adjustments_list_the_ai_score_the_report_states_after_calibration(
    client, session, db, org, queue, storage
):
    _first_setup, first = scored_interview(session, db, org, ANSWERS_ZH)
    _row, plain = _report(session, first.id)
    # calibrate the dimension the credited answer scored, so the AI score moves
    dim = max((d for d in plain.dimensions if d.assessed), key=lambda d: (d.score, d.id))
    session.add(
        CompanyCalibration(
            tenant_id=org.tenant.id,
            version=1,
            data=_calibration(dim.id),
            active=True,
            created_by_id=None,
        )
    )
    session.commit()
    _setup, second = scored_interview(session, db, org, ANSWERS_ZH)
    _row, report = _report(session, second.id)
    shown = report.dimension(dim.id)
    assert shown.calibrated and shown.score != shown.raw_score
    assert [n.code for n in report.notes].count("calibrated") == 1
    others = [d for d in report.dimensions if d.assessed and d.id != dim.id]
    assert all(not d.calibrated for d in others)

    hr = principal_for(org.users["hr_admin"])
    interview_hr.adjust_score(
        session, hr, second.id, schemas.AdjustIn(dimension_id=dim.id, score=2.0, reason="abc")
    )
    login(client, org.users["hr_admin"])
    for language in ("zh-CN", "en"):
        page = _page(client, second.id, language)
        item = page.split('id="adjustments"', 1)[1].split("</ul>", 1)[0]
        assert f"{shown.score:.1f}" in item.split('class="ai-score"', 1)[1][:20]
        if f"{shown.raw_score:.1f}" != f"{shown.score:.1f}":
            assert f">{shown.raw_score:.1f}<" not in item
        assert "2.0" in item
        # the label before the AI's score takes the page's colon (full-width in Chinese)
        label = item.split('class="ai-score"', 1)[0]
        assert ("：" if language == "zh-CN" else ": ") in label
        calibrated = page.split('id="calibrated"', 1)[1].split("</p>", 1)[0]
        assert escape(shown.name["zh" if language == "zh-CN" else "en"]) in calibrated

    api = client.get(
        f"/api/v1/interviews/{second.id}", headers=bearer(client, org.users["hr_admin"])
    )
    assert api.status_code == 200
    (adjustment,) = api.json()["adjustments"]
    assert adjustment["ai_score"] == pytest.approx(shown.raw_score)
    assert adjustment["ai_report_score"] == pytest.approx(shown.score)


def test_the_export_names_the_entry_that_restates_an_adjusted_result(
    client, session, db, org, queue, storage
):
    import io
    import json
    import zipfile

    setup, interview = scored_interview(session, db, org, ANSWERS_ZH)
    _row, report = _report(session, interview.id)
    dim = max((d for d in report.dimensions if d.assessed), key=lambda d: (d.score, d.id))
    hr = principal_for(org.users["hr_admin"])
    interview_hr.adjust_score(
        session, hr, interview.id, schemas.AdjustIn(dimension_id=dim.id, score=2.5, reason="abc")
    )
    response = client.get(
        f"/api/v1/records/{setup.candidate.id}/export",
        headers=bearer(client, org.users["hr_admin"]),
    )
    assert response.status_code == 200
    timeline = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("timeline.json"))
    results = [e for e in timeline if e["type"] == "interview_result"]
    ai, final = results
    assert ai["superseded_by"] == final["seq"] and "superseded_by" not in final
    assert float(final["facts"]["scores"][dim.id]) == 2.5
    assert float(final["facts"]["ai_scores"][dim.id]) == dim.score
    assert all("superseded_by" not in e for e in timeline if e["type"] != "interview_result")


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_reports_notes_name_questions_by_their_number_not_their_plan_id(
    client, session, db, org, queue, storage, language
):
    """A note about one answer (not the question asked, not answered, another language) names
    the question as HR sees it in the answers below: its number, not a plan id."""
    interview = started(session, make_setup(session, org))
    first = sessions.questions_of(interview)[0]["id"]  # the others are left unanswered
    candidate.open_question(session, interview, first, TAB)
    candidate.save_text(
        session, interview, first, schemas.TextAnswerIn(tab=TAB, text=ANSWERS_ZH, final=True)
    )
    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    _row, report = _report(session, interview.id)
    numbers = {a.question_id: n for n, a in enumerate(report.answers, 1)}
    named = [n for n in report.notes if n.question_id]
    assert named, [n.code for n in report.notes]  # notes about single answers
    login(client, org.users["hr_admin"])
    page = _page(client, interview.id, language)
    notes = page.split('id="report-notes"', 1)[1].split("</section>", 1)[0]
    key = "zh" if language == "zh-CN" else "en"
    for note in named:
        assert note.question_id not in note.text[key] and note.question_id not in notes
        assert str(numbers[note.question_id]) in note.text[key]
        assert escape(note.text[key]) in notes
