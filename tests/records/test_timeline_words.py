"""The record timeline speaks to people: words, names and rounded numbers, never raw data."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from hireflow.interviews import candidate, engine_adapter, pipeline
from hireflow.interviews.models import InterviewReport
from hireflow.interviews.overrides import stored_report
from hireflow.records.models import PersonRecord
from hireflow.records.presenting import Presenter, humanise, score_text
from tests.conftest import login
from tests.interviews.factories import (  # noqa: F401 - fixtures
    ANSWERS_ZH,
    TAB,
    answer_all,
    make_setup,
    queue_fixture,
    started,
    storage_fixture,
)

RAW = re.compile(r"""\{\s*&#34;|\{\s*"|\{'|&#39;:|\b\d+\.\d{3,}\b""")


def _timeline(html: str) -> str:
    return html.split('id="timeline"', 1)[1].split("</section>", 1)[0]


def _reviewed(client, session, db, org, decision: str):
    setup = make_setup(session, org)
    interview = started(session, setup)
    answer_all(session, interview, ANSWERS_ZH)
    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) == "scored"
    login(client, org.users["hr_admin"])
    report = engine_adapter.report_of(session, interview)
    dimension = next(d for d in report.dimensions if d.assessed and d.id == "communication")
    assert (
        client.post(
            f"/interviews/{interview.id}/adjust",
            data={"dimension_id": dimension.id, "score": "7.5", "reason": "表达其实很清楚"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    assert (
        client.post(
            f"/interviews/{interview.id}/conclusion",
            data={"decision": decision, "conclusion": "技术扎实，进入复试"},
            follow_redirects=False,
        ).status_code
        == 303
    )
    return setup, interview, dimension


def test_a_reviewed_interview_reads_as_words_in_the_record(
    client, session, db, org, queue, storage
):
    setup, interview, _dimension = _reviewed(client, session, db, org, "advance")
    client.post("/lang", data={"lang": "zh-CN", "next": "/"})
    page = client.get(f"/records/{setup.candidate.id}")
    assert page.status_code == 200
    timeline = _timeline(page.text)
    assert not RAW.search(timeline), RAW.search(timeline).group(0)
    words = re.sub(r"<[^>]+>", " ", timeline)
    for code in ("technical_depth", "learning_agility", "communication", "ai_interview", "advance"):
        assert not re.search(rf"\b{code}\b", words), code
    assert "沟通表达" in timeline  # the competency's name, not its id
    assert "进入下一轮" in timeline  # the decision in words
    assert "技术扎实，进入复试" in timeline and "表达其实很清楚" in timeline
    assert "4.3047" not in timeline and re.search(r"\d\.\d → 7\.5", timeline)
    assert f'href="/interviews/{interview.id}"' in timeline
    # the status follows the decision
    assert 'data-status="waiting_second_round"' in page.text.split('id="timeline"')[0]


def test_a_rejection_ends_the_application_and_hold_goes_back(
    client, session, db, org, queue, storage
):
    setup, interview, _dimension = _reviewed(client, session, db, org, "reject")
    session.expire_all()
    record = session.query(PersonRecord).filter_by(person_id=setup.candidate.id).one()
    assert record.status == "rejected"
    client.post(
        f"/interviews/{interview.id}/conclusion",
        data={"decision": "hold", "conclusion": "再看看"},
        follow_redirects=False,
    )
    session.expire_all()
    assert session.query(PersonRecord).filter_by(person_id=setup.candidate.id).one().status == (
        "ai_interview_done"
    )


def test_english_viewers_read_english_names():
    words = Presenter(
        "en",
        lambda s: s,
        {7: {"dimensions": [{"id": "dx", "name": {"zh": "钻研", "en": "Digging in"}}]}},
    )
    assert words.dimension("communication") == "Communication"
    assert words.dimension("dx", 7) == "Digging in"
    assert words.dimension("company_own_thing") == "Company own thing"
    assert words.actor("system:interview-scoring").endswith("AI interview scoring")
    assert words.source("ai_interview") == "AI interview"
    assert words.value({"interview_id": 3, "round": "2"}) == "Round: 2"
    assert (
        words.value([{"school": "MIT", "degree": "master", "start": "2019"}])
        == "MIT · master · 2019"
    )
    assert score_text("4.3047") == "4.3" and humanise("learning_agility") == "Learning agility"


def test_competency_ids_in_facts_read_as_the_openings_names():
    model = {"dimensions": [{"id": "caching", "name": {"zh": "缓存设计", "en": "Caching"}}]}
    entry = type("E", (), {"type": "review", "opening_id": 7, "opening": None})()
    entry.facts = {"disagreements": ["caching", "communication"], "scorecards": 2}
    for language, words in (("zh-CN", "缓存设计、沟通表达"), ("en", "Caching, Communication")):
        shown = Presenter(language, lambda text: text, {7: model}).entry(entry, {"text": "ok"})
        assert ("Disagreements", words) in shown.lines, shown.lines


@pytest.mark.parametrize("reader", ["zh-CN", "en", "ja"])
def test_each_reader_reads_the_reports_prose_in_their_language(
    client, session, db, org, queue, storage, reader
):
    """A Chinese interview's summary, strengths, gaps and follow-up questions reach the record
    in every language the report has: each reader of the record, and of the person's page in
    the talent pool, gets theirs, for the AI's entry and for the one HR's adjustment restated."""
    setup, interview, _dimension = _reviewed(client, session, db, org, "advance")
    lang = reader[:2]
    row = session.scalars(
        select(InterviewReport).where(InterviewReport.interview_id == interview.id)
    ).one()
    reports = [stored_report(row.body), stored_report(row.final_body)]
    assert all(r is not None and r.language == "zh" for r in reports)
    client.post("/lang", data={"lang": reader, "next": "/"})
    timeline = html.unescape(_timeline(client.get(f"/records/{setup.candidate.id}").text))
    for report in reports:
        assert report is not None
        assert report.summary[lang] and report.summary[lang] in timeline
        for finding in [*report.strengths, *report.gaps, *report.follow_ups]:
            assert finding.text[lang] in timeline, finding.text[lang]
    if lang != "zh":  # no Chinese prose left for a reader of another language
        for report in reports:
            assert report is not None
            assert report.summary["zh"] not in timeline
            for finding in [*report.strengths, *report.gaps, *report.follow_ups]:
                assert finding.text["zh"] not in timeline, finding.text["zh"]
    # the person's page in the talent pool shows the same prose in the reader's language
    page = html.unescape(client.get(f"/candidates/{setup.candidate.id}").text)
    for report in reports:
        assert report is not None
        assert report.summary[lang] in page
        for finding in [*report.strengths, *report.gaps]:
            assert finding.text[lang] in page, finding.text[lang]
        if lang != "zh":
            assert report.summary["zh"] not in page


def test_prose_of_an_entry_without_languages_is_shown_as_stored():
    """Entries written before the record kept every language show the stored text; a list
    whose languages do not line up with it is not trusted."""
    words = Presenter("ja", lambda s: s)
    stored = {"summary": "总结", "strengths": ["甲", "乙"], "gaps": ["丙"], "follow_ups": []}
    assert words.prose(stored) == {
        "summary": "总结",
        "strengths": ["甲", "乙"],
        "gaps": ["丙"],
        "follow_ups": [],
    }
    localised = {
        "summary": {"zh": "总结", "en": "Summary", "ja": "総括"},
        "strengths": [{"zh": "甲", "en": "A"}, {}],
        "gaps": [{"zh": "丙"}, {"zh": "丁"}],  # one more than stored
    }
    shown = words.prose({**stored, "localised": localised})
    assert shown["summary"] == "総括"
    assert shown["strengths"] == ["A", "乙"]  # English before Chinese for a Japanese reader
    assert shown["gaps"] == ["丙"]
    assert Presenter("en", lambda s: s).prose({**stored, "localised": localised})["summary"] == (
        "Summary"
    )
