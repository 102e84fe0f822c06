"""Candidate questions (SPEC E6) on what an ad says before its headings and on questions that
ask whether something other than the pay is paid, with the real embedder: who the company is,
where the job is when the ad announces the hire, "is the trial shift paid?", and bad input."""

from __future__ import annotations

import pytest

from hireflow.interviews.qa import answer_question
from hireflow.interviews.qa_passages import passages_for
from hireflow.interviews.qa_topics import question_topics
from hireflow.scoring.embedding import get_embedder
from tests.interviews.qa_ads import asker
from tests.interviews.qa_ads import quote as _quote

CAFE = """Bean Street runs two cafés in Leeds city centre.

We're looking for a barista to join our Kirkgate Market café.

The role
* Make espresso drinks and serve 200 customers on a busy day.
* Keep the bar clean.

Pay: GBP 12.50 per hour.
Hours: shifts between 7:00 and 15:00.
"""

CAFE_FAQ = [
    (1, "Is there a trial shift?", "Yes, a paid one-hour trial shift after this interview."),
    (2, "Do you sponsor visas?", "We cannot sponsor visas."),
]

SHOP = """某某鞋业是本地连锁鞋店，全市有25家门店。
工作内容：接待顾客，整理货架。
上班时间：早班9:00-16:00，晚班16:00-22:00，每周轮换。
"""

SHOP_FAQ = [(1, "有培训吗？", "入职后有三天带薪培训。")]


_ask = asker(CAFE, CAFE_FAQ, "Leeds")


def test_what_the_company_does_is_its_opening_sentence_not_the_hiring_one():
    assert question_topics("What does the company do?") == {"company"}
    assert "company" in question_topics("公司是做什么的？")
    assert "company" not in question_topics("What does the team do?")
    assert "company" not in question_topics("What do you do with the data?")
    assert _quote(_ask("What does the company do?")).startswith("Bean Street runs two cafés")


def test_the_workplace_named_where_the_ad_announces_the_hire():
    for question in ("Where is the café?", "Which café would I work at?"):
        assert "Kirkgate Market" in _quote(_ask(question)), question


def test_how_many_shops_the_company_has():
    quote = _quote(_ask("公司有多少家门店？", SHOP, SHOP_FAQ, "成都"))
    assert "25家门店" in quote


def test_whether_something_else_is_paid_is_answered_by_what_says_it_is_paid():
    assert "paid one-hour trial shift" in _quote(_ask("Is the trial shift paid?"))
    assert "带薪培训" in _quote(_ask("培训期间有工资吗？", SHOP, SHOP_FAQ, "成都"))
    # the pay itself is still asked about as pay
    assert "12.50" in _quote(_ask("What is the hourly pay?"))


def test_overtime_pay_needs_a_passage_on_how_overtime_is_paid():
    ad = "岗位要求：能适应大促期间的加班。\n薪资：月薪6000元。"
    assert _ask("加班有加班费吗？", ad, [], "杭州").status == "forwarded"
    paid = "Overtime on Saturdays is paid at time and a half."
    assert _quote(_ask("Is overtime paid?", paid, [], "Leeds")) == paid


def test_an_english_question_on_night_shifts_matches_a_chinese_line_of_clock_times():
    quote = _quote(_ask("Are there night shifts?", SHOP, SHOP_FAQ, "成都"))
    assert quote.startswith("上班时间")


@pytest.mark.parametrize(
    "question",
    ["", "   ", "？", "paid?", "Is it paid?", "有工资吗", "what does do", "\u0000", "x" * 3000],
)
def test_bad_or_bare_questions_never_fail(question):
    result = _ask(question)
    assert result.status in ("answered", "forwarded")
    assert (result.status == "answered") == (result.passage is not None)


def test_an_ad_of_intro_lines_only_or_without_text():
    assert passages_for("", [], location="") == []
    only = passages_for("We are hiring.\n\nWe are hiring in Leeds.", [], location="Leeds")
    assert all(p.kind in ("item", "field") for p in only)
    result = answer_question("Where is the job?", only, get_embedder())
    assert result.status in ("answered", "forwarded")
