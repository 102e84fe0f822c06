"""Japanese interviews and reports (SPEC E7): a candidate invited in Japanese sees the bank's
Japanese questions and pages; a reader whose language is Japanese reads the report's prose in
Japanese, on the page and in the printable report; Japanese answers are reported unscored."""

from __future__ import annotations

import re

from hireflow.interviews import candidate as interview_candidate
from hireflow.interviews import engine_adapter, pipeline
from hireflow.interviews.models import InterviewSession
from tests.conftest import login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    scored_interview,
    started,
    storage_fixture,
)

KANA = re.compile(r"[\u3040-\u30ff]")
JAPANESE = (
    "昨年、返品を断られたお客様から強い苦情を受けました。私はまず話を最後まで聞き、注文記録を"
    "確認して返品期限の計算ミスを見つけました。当日中に返金を手配し、お客様に電話で謝罪しました。"
)


def test_a_candidate_invited_in_japanese_sees_japanese_questions(client, session, org):
    setup = make_setup(session, org, language="ja")
    questions = [item["question"] for item in setup.opening.interview_plan["items"]]
    with_japanese = [q for q in questions if q["text"].get("ja")]
    assert len(with_japanese) >= len(questions) - 1  # the bank's questions all have ja
    interview = started(session, setup)
    assert interview.language == "en"  # scored by the English engine, shown in Japanese
    state = interview_candidate.candidate_state(session, interview)
    shown = {q.id: q.text for q in state.questions}
    for question in with_japanese:
        assert shown[str(question["id"])] == question["text"]["ja"]
    name, value = setup.cookie
    client.cookies.set(name, value)
    page = client.get(f"/i/{setup.token}/interview")
    assert page.status_code == 200 and '<html lang="ja"' in page.text
    assert "記録される内容" in page.text and "AI の使い方" in page.text


def test_a_chinese_invitation_still_shows_chinese_questions(session, org):
    setup = make_setup(session, org, language="zh-CN")
    interview = started(session, setup)
    state = interview_candidate.candidate_state(session, interview)
    assert state.questions and not any(KANA.search(q.text) for q in state.questions)


def test_a_japanese_reader_reads_the_report_in_japanese(client, session, db, org, queue, storage):
    _, interview = scored_interview(session, db, org)
    report = engine_adapter.report_of(session, interview)
    reader = org.users["recruiter"]
    reader.language = "ja"
    session.commit()
    login(client, reader)
    page = client.get(f"/interviews/{interview.id}")
    assert page.status_code == 200
    assert report.summary["ja"] in page.text and "職務適合度" in report.summary["ja"]
    assert report.summary["zh"] not in page.text
    for follow_up in report.follow_ups:
        assert follow_up.text["ja"] in page.text
    printable = client.get(f"/interviews/{interview.id}/print")
    assert printable.status_code == 200 and '<html lang="ja">' in printable.text
    assert "AI 面接レポート" in printable.text and "岗位匹配度" not in printable.text


def test_japanese_answers_are_reported_as_not_scored(client, session, db, org, queue, storage):
    setup = make_setup(session, org, language="ja")
    interview = started(session, setup)
    answer_all(session, interview, JAPANESE)
    interview_candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    session.expire_all()
    interview = session.get(InterviewSession, interview.id)
    report = engine_adapter.report_of(session, interview)
    assert report.job_match is None
    assert {a.status for a in report.answers if a.kind != "technical"} == {"unsupported_language"}
    assert "採点していません" in report.summary["ja"]
    reader = org.users["recruiter"]
    reader.language = "ja"
    session.commit()
    login(client, reader)
    page = client.get(f"/interviews/{interview.id}")
    assert page.status_code == 200 and "採点していません" in page.text
