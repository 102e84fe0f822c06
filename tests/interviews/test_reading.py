"""Answers and quoted evidence translated for the reader (SPEC E7), through a real local server
that speaks the OpenAI chat-completions protocol. Scores never change with a translation."""

from __future__ import annotations

import pytest

from hireflow.interviews import queries as interview_queries
from hireflow.interviews import reading
from hireflow.scoring.translation import OpenAICompatibleTranslator, set_translator
from tests.chat_server import chat_server
from tests.conftest import bearer, login
from tests.interviews.factories import ANSWERS_EN, scored_interview


def _translated(text: str) -> str:
    return "TRANSLATED: " + text[:30]


@pytest.fixture
def translator():
    with chat_server(_translated) as chat:
        set_translator(OpenAICompatibleTranslator(chat.url, "local-model"))
        try:
            yield chat
        finally:
            set_translator(None)


def test_without_a_translator_the_report_offers_none(session, db, org, client):
    set_translator(None)
    _setup, interview = scored_interview(session, db, org)
    login(client, org.users["hr_admin"])  # reads English; the answers are Chinese
    page = client.get(f"/interviews/{interview.id}?translate=1")
    assert page.status_code == 200
    assert 'id="translate-link"' not in page.text and 'class="translation' not in page.text
    answer = client.get(f"/api/v1/interviews/{interview.id}/translation")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "translation_unavailable"


def test_hr_reads_chinese_answers_beside_an_english_translation(
    session, db, org, client, translator
):
    _setup, interview = scored_interview(session, db, org)
    login(client, org.users["hr_admin"])
    page = client.get(f"/interviews/{interview.id}")
    assert 'id="translate-link"' in page.text and "TRANSLATED" not in page.text
    assert translator.requests == []  # nothing is translated until asked for
    shown = client.get(f"/interviews/{interview.id}?translate=1")
    assert shown.status_code == 200
    assert shown.text.count('class="bilingual"') >= 2 and "TRANSLATED: " in shown.text
    assert 'id="translation-notice"' in shown.text and "openai:local-model" in shown.text
    # every translated text went out once, from Chinese into English
    sent = [r["messages"][-1]["content"] for r in translator.requests]
    assert len(sent) == len(set(sent)) and all(
        "Simplified Chinese to English" in r["messages"][0]["content"] for r in translator.requests
    )
    detail = interview_queries.detail(session, interview)
    quotes = {e.quote for d in detail.report.dimensions for e in d.evidence}
    assert quotes and quotes <= set(sent)  # the quoted evidence is translated too
    # the API gives the same, and the scores are those of the originals
    api = client.get(
        f"/api/v1/interviews/{interview.id}/translation",
        headers=bearer(client, org.users["hr_admin"]),
    )
    assert api.status_code == 200
    body = api.json()
    assert body["target"] == "en" and {t["original"] for t in body["texts"]} == set(sent)
    assert all(t["translation"] == _translated(t["original"]) for t in body["texts"])
    again = interview_queries.detail(session, interview)
    assert [d.score for d in again.report.dimensions] == [d.score for d in detail.report.dimensions]


def test_english_answers_for_a_chinese_reader_and_nothing_for_an_english_one(
    session, db, org, client, translator
):
    _setup, interview = scored_interview(session, db, org, text=ANSWERS_EN)
    detail = interview_queries.detail(session, interview)
    assert reading.available(detail, "en") is False  # already in the reader's language
    found = reading.translate(detail, "zh-CN")
    assert found is not None and found.target == "zh" and found.texts and not found.error
    assert all(
        "English to Simplified Chinese" in r["messages"][0]["content"] for r in translator.requests
    )
    headers = bearer(client, org.users["hr_admin"])
    api = client.get(f"/api/v1/interviews/{interview.id}/translation?to=zh", headers=headers)
    assert api.status_code == 200 and api.json()["target"] == "zh"
    assert (
        client.get(
            f"/api/v1/interviews/{interview.id}/translation?to=fr", headers=headers
        ).status_code
        == 422
    )


def test_a_failing_provider_leaves_the_originals_readable(session, db, org, client, translator):
    _setup, interview = scored_interview(session, db, org)
    translator.mode = "error"
    login(client, org.users["hr_admin"])
    page = client.get(f"/interviews/{interview.id}?translate=1")
    assert page.status_code == 200 and 'id="translation-error"' in page.text
    assert 'class="translation' not in page.text
    api = client.get(f"/api/v1/interviews/{interview.id}/translation")
    assert api.status_code == 502 and api.json()["error"]["code"] == "translation_failed"


def test_translations_follow_the_report_access_rules(session, db, org, client, translator):
    _setup, interview = scored_interview(session, db, org)
    outsider = bearer(client, org.users["it_auditor"])
    assert client.get(
        f"/api/v1/interviews/{interview.id}/translation", headers=outsider
    ).status_code in (403, 404)
    assert (
        client.get(
            "/api/v1/interviews/999999/translation", headers=bearer(client, org.users["hr_admin"])
        ).status_code
        == 404
    )
    assert translator.requests == []
