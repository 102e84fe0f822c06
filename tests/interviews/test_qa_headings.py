"""Candidate questions (SPEC E6), with the real embedder: headings that name pay or several
subjects, the place of work in the ad's own words, pay published as negotiable, "who is the
<role>?", narrower subjects, and close calls on questions no word list places."""

from __future__ import annotations

from hireflow.interviews.qa_topics import question_topics
from tests.interviews.qa_ads import asker
from tests.interviews.qa_ads import quote as _quote

COURIER = """Bike Courier – Bristol (BS1)

Swift Parcels delivers documents for law firms in the city centre.

Responsibilities:
- Collect parcels at our Temple Quay hub each morning.
- Deliver 30–40 parcels a day by cargo bike.

Pay and hours:
- £11.90 per hour, paid fortnightly.
- Five 8-hour shifts a week, Monday to Friday, starting at 8:00.
- Overtime on Saturdays is paid at double time.

Where and when
Our hub is at Temple Quay 4, Bristol. We work in the hub two days and on the road three.
"""

COURIER_FAQ = [(1, "Do I need my own bike?", "No, we lend you an electric cargo bike.")]

STUDIO = """【公司介绍】青禾设计是一家做品牌包装设计的工作室，位于成都高新区。
【岗位职责】负责客户包装方案的设计与打样；跟进印刷厂的打样和生产。
【福利】带薪年假8天，节日福利。
"""

STUDIO_FAQ = [(1, "工资是怎么定的？", "薪资面议，会根据作品集在复试时确定。")]


_ask = asker(COURIER, COURIER_FAQ, "Bristol")


def test_a_heading_that_names_pay_makes_its_lines_the_published_pay():
    for question in ("How much does it pay?", "What's the hourly rate?", "时薪多少？"):
        assert "£11.90 per hour" in _quote(_ask(question)), question


def test_under_a_heading_on_several_subjects_each_line_is_about_its_own():
    # the shifts, not the overtime line, answer "what are the hours?"
    assert "Five 8-hour shifts" in _quote(_ask("What are the hours?"))
    assert "double time" in _quote(_ask("Is overtime paid?"))


def test_the_place_of_work_in_the_ads_own_words_over_the_bare_location_field():
    quote = _quote(_ask("Where is the job based?"))
    assert quote != "Bristol" and ("BS1" in quote or "Temple Quay" in quote), quote
    # a line naming an address, not the one that only says "in the hub"
    assert "Temple Quay 4" in _quote(_ask("Where is the hub?"))
    quote = _quote(_ask("办公地点在哪", STUDIO, STUDIO_FAQ, "成都"))
    assert "成都高新区" in quote


def test_pay_published_as_negotiable_answers_how_much():
    for question in ("工资多少", "薪资范围是多少？", "What's the salary?"):
        assert "薪资面议" in _quote(_ask(question, STUDIO, STUDIO_FAQ, "成都")), question


def test_who_a_named_role_is_needs_a_name():
    ad = "You will report to the Head of Operations and work with a team of four."
    assert _ask("Who is the Head of Operations?", ad, [], "Leeds").status == "forwarded"
    named = ad + "\nThe Head of Operations, Priya Shah, joined in 2021."
    assert "Priya Shah" in _quote(_ask("Who is the Head of Operations?", named, [], "Leeds"))


def test_new_subjects_sick_pay_allowances_and_a_start_date_asked_with_words_between():
    assert "sick" in question_topics("Is there sick pay?")
    assert _ask("Is there sick pay?").status == "forwarded"
    ad = "薪资：月薪6000元，夜班另有每晚40元补贴。\n上班时间：两班倒，白班8:00-20:00，夜班20:00-8:00。"
    assert "40元补贴" in _quote(_ask("夜班补贴多少钱", ad, [], "苏州"))
    assert "start" in question_topics("什么时候可以入职？")
    assert "leave" in question_topics("试用期可以请假吗？")
    assert "salary" in question_topics("salary大概多少？")
