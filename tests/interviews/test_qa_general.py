"""Candidate questions (SPEC E6) in words no list was written with: the typical question a
paraphrase is nearest to, the job's own name as no evidence, inflections and compounds of the
word asked about, a broad question that names one item, a "where?" about something else, and an
FAQ entry narrower than the question (hireflow.interviews.qa, qa_intents)."""

from __future__ import annotations

import pytest

from hireflow.interviews.qa import answer_question
from hireflow.interviews.qa_intents import PROTOTYPES, inferred_topics
from hireflow.interviews.qa_passages import passages_for
from hireflow.interviews.qa_topics import TOPICS
from hireflow.scoring.embedding import get_embedder
from tests.interviews.candidate_questions_set import ask


def test_every_prototype_is_of_a_known_topic_in_both_languages():
    topics = {topic for topic, _text in PROTOTYPES}
    assert topics <= set(TOPICS)
    for topic in topics:
        texts = [text for t, text in PROTOTYPES if t == topic]
        assert any(ch >= "\u4e00" for text in texts for ch in text), topic
        assert any(text.isascii() for text in texts), topic


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("一个月能拿多少钱", "salary"),
        ("What is the monthly pay?", "salary"),
        ("每周上几天班？", "hours"),
        ("Which software should I know?", "tech"),
    ],
)
def test_a_paraphrase_takes_the_topic_of_the_nearest_typical_question(question, topic):
    assert inferred_topics(question, get_embedder()) == {topic}


@pytest.mark.parametrize("question", ["", "   ", "？", "asdf qwer zxcv"])
def test_no_topic_is_inferred_from_nothing(question):
    assert inferred_topics(question, get_embedder()) == frozenset()


@pytest.mark.parametrize(
    ("opening", "question", "expected"),
    [
        # no word list names pay here: the nearest typical question does
        ("zh_eldercare", "一个月能拿多少钱", "综合月收入6000-8000元"),
        # "audits" is one item of the duties, not the whole section
        ("en_lab", "Will I be involved in audits?", "Support audits"),
        # the word asked about, inflected or in a compound
        ("en_lab", "Does the pay depend on experience?", "depending on experience"),
        ("en_lab", "Is there parking at the site?", "on-site parking"),
        ("en_helpdesk", "Is there a home office allowance?", "home-office stipend"),
        # the ad's own line over an FAQ entry on a narrower question (family rooms)
        ("zh_site", "Is accommodation provided?", "项目部提供住宿和工作餐"),
    ],
)
def test_answered_in_words_no_list_was_written_with(opening, question, expected):
    result = ask(opening, question)
    assert result.status == "answered", (question, result)
    assert expected in result.passage.quote


@pytest.mark.parametrize(
    ("opening", "question", "not_quoted"),
    [
        # the job's name is in the question and in the hiring line: no evidence
        ("zh_restaurant", "店长需要会做菜吗？", "招聘门店店长"),
        ("zh_eldercare", "没有养老护理员证可以吗", "现招聘养老护理员10名"),
        # "where?" about recording results, not about where the job is
        ("en_lab", "Where do I record test results?", "Ringaskiddy"),
    ],
)
def test_not_answered_by_a_passage_that_only_shares_the_jobs_name_or_where(
    opening, question, not_quoted
):
    result = ask(opening, question)
    assert result.passage is None or not_quoted not in result.passage.quote, result


def test_the_title_names_the_job_and_is_never_quoted():
    passages = passages_for(
        "We are hiring a barista.\n\nPay: £12 an hour.", [], location="Leeds", title="Barista" * 60
    )
    (title,) = [p for p in passages if p.kind == "title"]
    assert len(title.quote) == 200
    assert not [p for p in passages_for("We are hiring.", [], title="  ") if p.kind == "title"]
    for question in ("Barista?", "What is the job title?", "Is this a barista job?"):
        result = answer_question(question, passages, get_embedder())
        assert result.passage is None or result.passage.kind != "title", question
