"""Candidate questions (SPEC E6), the round that wrote test7: a sentence that names the location
field's place beside a workplace is where the job is (the bare field then answers nothing), a
later clause's figure with no word for pay is not the published pay, and the housing fund is a
subject of its own beside social insurance (hireflow.interviews.qa, qa_passages)."""

from __future__ import annotations

import pytest

from hireflow.interviews.qa import answer_question
from hireflow.interviews.qa_passages import passages_for
from hireflow.interviews.qa_topics import question_topics
from hireflow.scoring.embedding import get_embedder

CLINIC = (
    "Registered Vet Nurse\n\n"
    "Tui Vets is a small-animal clinic in Ponsonby, Auckland, with four vets.\n\n"
    "You will prepare patients for surgery and care for hospitalised animals.\n\n"
    "What we offer: four 10-hour days a week; NZ$800 a year for training; free parking."
)


def _ask(description: str, question: str, location: str = "", faqs=()):
    passages = passages_for(description, list(faqs), location=location, title="")
    return answer_question(question, passages, get_embedder())


@pytest.mark.parametrize(
    "question", ["Where is the clinic?", "Is the job in Auckland?", "诊所在哪里"]
)
def test_a_sentence_naming_the_fields_place_beside_a_workplace_says_where(question):
    result = _ask(CLINIC, question, location="Auckland")
    assert result.status == "answered"
    assert "Ponsonby" in result.passage.quote


def test_the_bare_field_still_answers_when_the_ad_names_no_workplace():
    ad = "Vet Nurse\n\nYou will prepare patients for surgery.\n\nWe offer free parking."
    result = _ask(ad, "Where is the job?", location="Auckland")
    assert result.status == "answered" and result.passage.quote == "Auckland"


def test_the_hire_at_our_named_place_keeps_precedence_over_the_company_sentence():
    ad = (
        "Barista\n\n"
        "Laneway Coffee runs three specialty cafés in Melbourne's CBD. "
        "We're looking for a barista to join our Flinders Lane café.\n\n"
        "Pay: A$30 an hour."
    )
    result = _ask(ad, "Which café would I work at?", location="Melbourne")
    assert result.status == "answered" and "Flinders Lane" in result.passage.quote


@pytest.mark.parametrize(
    "question", ["What is the salary?", "How much does the role pay?", "工资多少？"]
)
def test_a_later_clauses_figure_without_a_word_for_pay_is_not_the_pay(question):
    assert _ask(CLINIC, question, location="Auckland").status == "forwarded"


def test_a_later_clause_that_names_pay_still_is_the_pay():
    ad = "Vet Nurse\n\nWhat we offer: four days a week; salary NZ$62,000 a year; free parking."
    result = _ask(ad, "What is the salary?", location="Auckland")
    assert result.status == "answered" and "NZ$62,000" in result.passage.quote


def test_the_housing_fund_is_not_social_insurance():
    assert {"housing_fund", "insurance"} <= question_topics("公积金交吗")
    assert "housing_fund" not in question_topics("缴纳社保")
    # the package asked about as "五险一金" is answered by "缴纳五险" (tests/interviews/test_qa.py)
    assert "housing_fund" not in question_topics("有五险一金吗")
    ad = "汽修技师\n【薪资福利】\n1. 底薪5000元；\n2. 包午餐，缴纳社保；\n3. 满一年有5天年假。"
    assert _ask(ad, "公积金交吗", location="佛山").status == "forwarded"
    assert _ask(ad, "交社保吗", location="佛山").status == "answered"
    ad2 = "汽修技师\n【薪资福利】\n1. 底薪5000元；\n2. 包午餐，缴纳五险一金；"
    found = _ask(ad2, "有住房公积金吗", location="佛山")
    assert found.status == "answered" and "五险一金" in found.passage.quote


@pytest.mark.parametrize("location", ["", "  ", "St. Helier (Jersey)", "(", "a" * 300, "诊所"])
def test_odd_location_fields_never_fail(location):
    result = _ask(CLINIC, "Where is the clinic?", location=location)
    assert result.status in ("answered", "forwarded")
    none = _ask("", "Where is the clinic?", location=location)
    assert none.status in ("answered", "forwarded")
