"""Candidate questions answered from the opening and the FAQ (hireflow.interviews.qa, SPEC E6),
with the real embedder, on the labelled set in tests/data/interviews/candidate_questions/.

Answering wrongly is worse than forwarding: pay is answered only from what the company
published about pay, and a question nothing answers goes to HR.
"""

from __future__ import annotations

import pytest

from hireflow.interviews.qa import answer_question
from hireflow.interviews.qa_passages import passages_for
from hireflow.interviews.qa_topics import answer_types, question_topics
from hireflow.scoring.embedding import get_embedder
from tests.interviews.candidate_questions_set import figures, judge, openings, questions


def _passages(opening_id: str):
    opening = openings()[opening_id]
    return passages_for(opening["description"], opening["faqs"], location=opening["location"])


def _ask(opening_id: str, question: str):
    return answer_question(question, _passages(opening_id), get_embedder())


def test_the_description_is_read_as_sections_items_and_clauses():
    passages = _passages("zh_backend")
    description = openings()["zh_backend"]["description"]
    assert all(
        p.quote in description for p in passages if p.source == "opening" and p.kind != "field"
    )
    duties = next(p for p in passages if p.kind == "section" and "岗位职责" in p.quote)
    assert "duties" in duties.primary and duties.quote.count("\n") == 4
    assert {p.faq_id for p in passages if p.source == "faq"} == {1, 2, 3, 4, 5, 6, 7}
    # a run-on Chinese line: each of its clauses can be quoted alone, under its heading
    sales = _passages("zh_sales")
    (clause,) = [p for p in sales if p.quote == "制定区域销售计划，管理3名销售代表；"]
    assert "duties" in clause.primary and "manage" in clause.topics
    # the location field is a passage too
    assert any(p.kind == "field" and p.quote == "上海·张江" for p in passages)
    # the colon of a time is not a heading; an inline heading is quoted with its line
    (hours,) = passages_for("工作时间9:00-18:00，周末双休。", [])
    assert hours.kind == "item" and hours.quote == "工作时间9:00-18:00，周末双休。"
    assert {"hours", "weekend"} <= hours.topics
    salary = [p for p in passages_for("Salary range: EUR 50,000–60,000.", []) if p.kind == "item"]
    assert salary[0].quote == "Salary range: EUR 50,000–60,000." and "salary" in salary[0].primary


@pytest.mark.parametrize(
    ("opening", "question", "expected"),
    [
        # the examples
        ("zh_backend", "这个岗位主要负责什么工作？", "负责招聘平台后端服务的设计、开发与维护"),
        ("zh_backend", "工作地点在哪里？", "张江"),
        (
            "en_success",
            "Which customers will I be responsible for?",
            "about 40 enterprise customers",
        ),
        ("en_success", "Is the job in Munich?", "Singapore office"),
        ("en_analyst", "Is the job in Munich?", "Marienplatz, Munich"),
        # pay that the company published, in the other language too
        ("zh_service", "工资是多少？", "月薪6000–8000元"),
        ("en_analyst", "这个职位的薪水是多少？", "EUR 55,000–65,000"),
        # the company FAQ, across languages
        ("en_payments", "How long is the probation period?", "试用期为3个月"),
        ("zh_backend", "试用期工资打折吗", "转正工资的80%"),
    ],
)
def test_answered_with_the_passage_that_says_it(opening, question, expected):
    result = _ask(opening, question)
    assert result.status == "answered", (question, result)
    assert expected in result.passage.quote


@pytest.mark.parametrize(
    ("opening", "question"),
    [
        # pay not published: the FAQ on probation pay is not an answer to "what is the salary?"
        ("zh_backend", "工资是多少？"),
        ("en_payments", "What is the salary?"),
        # published as a structure only: a question about the amount goes to HR
        ("zh_sales", "底薪具体是多少"),
        # a narrower topic than the passage's ("parental leave" is not "30 days of vacation")
        ("en_analyst", "Do you offer parental leave?"),
        # nothing says it
        ("zh_backend", "公司有停车位吗？"),
        ("en_success", "Who would I report to?"),
        ("zh_service", "需要说英语吗"),
    ],
)
def test_forwarded_when_nothing_published_says_it(opening, question):
    result = _ask(opening, question)
    assert result.status == "forwarded" and result.passage is None, (question, result)


def test_topics_of_questions():
    assert question_topics("工资是多少？") == {"salary"}
    assert {"probation", "salary"} <= question_topics("试用期工资是多少")
    assert "remote" in question_topics("Can I work from home?")
    assert "location" in question_topics("Is the job in Munich?")
    assert question_topics("What are the responsibilities?") == {"duties"}


def _held_out(split: str):
    embedder = get_embedder()
    cache: dict[str, list] = {}
    outcomes = []
    for item in questions():
        if item.split != split:
            continue
        if item.opening not in cache:
            cache[item.opening] = _passages(item.opening)
        result = answer_question(item.question, cache[item.opening], embedder)
        outcomes.append(
            judge(item, result.status, result.passage.quote if result.passage else None)
        )
    return figures(outcomes)


def test_held_out_split_figures():
    """The frozen held-out splits, as bench/candidate_questions.py prints them: a regression
    guard at the measured level (see docs/interviews.md: the wrong-answer target is not met)."""
    test, test2, test4 = _held_out("test"), _held_out("test2"), _held_out("test4")
    assert test.n == 89 and test2.n == 108 and test4.n == 172
    assert test.top1 >= 0.87 and test.wrong_rate <= 0.05, test
    assert test2.top1 >= 0.81 and test2.wrong_rate <= 0.075, test2
    assert test4.top1 >= 0.75 and test4.wrong_rate <= 0.125, test4


@pytest.mark.parametrize(
    ("opening", "question", "expected"),
    [
        # a clock time for "what time?", not a mention of early and late shifts
        ("zh_ecommerce", "几点下班？", "9:00–18:00"),
        # the figure beside the part of pay asked about
        ("zh_restaurant", "提成比例是多少？", "按3%提成"),
        ("zh_trade", "底薪多少？", "底薪6000元"),
        # a named region answers "which markets?"
        ("zh_trade", "Which markets will I cover?", "欧洲和中东市场"),
        # "how many X?" answered by a number of X
        ("zh_restaurant", "要管多少员工？", "30名员工"),
        ("en_teacher", "How many pupils are in a class?", "about 24 pupils"),
        # an office in a named place: the FAQ on the office, not "office hours"
        ("en_fintech", "Is there an office in Singapore?", "small hub in Singapore"),
        # the aspect check leaves plain questions on a subject alone
        ("zh_ecommerce", "有餐补吗", "每月300元餐补"),
        ("zh_trade", "要经常出国吗？", "海外展会"),
        ("zh_restaurant", "什么时候知道面试结果？", "一周内"),
        # a team size written in words; a frequency for "how often?"
        ("en_data", "How big is the team?", "team of six data scientists"),
        ("en_data", "How often do the pipelines run?", "every hour"),
        # rest days as Chinese ads write them ("做六休一"), and a measure word in "多少辆车"
        ("zh_dispatch", "一周休几天？", "做六休一"),
        ("zh_dispatch", "每天要调度多少辆车？", "约60辆货车"),
        # health cover named without the word "insurance"
        ("en_data", "Is there health insurance?", "Health and dental coverage"),
        # across languages the aspect words cannot be shared: the topic decides
        ("zh_dispatch", "Is accommodation provided?", "包住宿"),
        ("en_data", "Can I work fully remote?", "Hybrid: two days a week"),
        # working hours with clock times say whether there is a night shift
        ("zh_dispatch", "需要上夜班吗？", "早8点到晚6点"),
        # "在哪些国家" asks for countries or regions, not a street address
        ("zh_trade", "客户主要在哪些国家？", "欧洲和中东市场"),
    ],
)
def test_the_passage_gives_what_kind_of_thing_was_asked(opening, question, expected):
    result = _ask(opening, question)
    assert result.status == "answered", (question, result)
    assert expected in result.passage.quote


@pytest.mark.parametrize(
    ("opening", "question"),
    [
        # on the subject, without what was asked: a sum, a clock time, a person, a country
        ("zh_restaurant", "全勤奖多少钱？"),
        ("zh_restaurant", "早班几点开始？"),
        ("zh_restaurant", "区域经理是谁？"),
        ("zh_restaurant", "转正后工资多少？"),
        ("zh_trade", "提成比例多少？"),
        ("zh_trade", "展会一般在哪些国家？"),
        # "how many engineers?" is not "a team of 45 people"
        ("en_fintech", "How many engineers are on the payments team?"),
        ("en_teacher", "How many students does the school have?"),
        # a question the word lists do not place: not answered by a passage on another
        # subject that shares only a number or a unit with it
        ("zh_restaurant", "每个月休几天？"),
        ("zh_trade", "公司一年营业额多少？"),
        ("zh_restaurant", "员工吃饭怎么解决？"),
        # on the subject, but not the aspect asked about, and reading differently
        ("zh_ecommerce", "宿舍有空调吗？"),
        ("zh_trade", "出差有补贴吗？"),
        ("zh_trade", "五险一金按什么基数交？"),
        ("zh_restaurant", "提成是每月发还是每季度发？"),
        ("en_fintech", "What is the vesting schedule for the stock options?"),
        # "when?" needs a point in time: "去年人均两个月工资" says how much, not when
        ("zh_trade", "年终奖什么时候发？"),
        # a figure elsewhere in the line is not the figure of the subject asked about
        ("zh_dispatch", "公积金比例多少？"),
        # both subjects must be there: the shuttle's time is not the working hours
        ("zh_dispatch", "班车几点发车？"),
    ],
)
def test_forwarded_when_the_passage_lacks_what_was_asked(opening, question):
    result = _ask(opening, question)
    assert result.status == "forwarded", (question, result.passage)
    assert result.passage is None


def test_answer_types_of_questions():
    assert answer_types("工资多少？") == {"quantity"}
    assert answer_types("几点上班？") == {"clock"}
    assert answer_types("Who will be my manager?") == {"person"}
    assert answer_types("Where is the office?") == {"place"}
    assert answer_types("Which countries does the role cover?") == {"country"}
    assert answer_types("Is there a pension?") == frozenset()
    assert answer_types("什么时候出结果？") == {"when"}
    assert answer_types("How long is the probation?") == {"quantity", "time"}
    assert answer_types("") == frozenset()


def test_a_named_place_alone_does_not_answer_a_question_about_remote_work():
    passages = passages_for("Finch builds payment APIs for shops in Southeast Asia.", [])
    result = answer_question("Can I work from Singapore?", passages, get_embedder())
    assert result.status == "forwarded"


def test_deterministic_and_bad_inputs():
    embedder = get_embedder()
    passages = _passages("zh_backend")
    first = answer_question("晋升通道是什么样的？", passages, embedder)
    assert answer_question("晋升通道是什么样的？", passages, embedder) == first
    assert answer_question("", passages, embedder).status == "forwarded"
    assert answer_question("   ", passages, embedder).status == "forwarded"
    assert answer_question("晋升？", [], embedder).status == "forwarded"
    assert answer_question("x" * 5000, passages, embedder).status in ("answered", "forwarded")
    assert answer_question("？？？", passages, embedder).status == "forwarded"
    assert answer_question("几点", passages_for("", [(1, "", "")]), embedder).status == "forwarded"
    assert answer_question("how many", passages, embedder).status == "forwarded"
    assert passages_for("", []) == []
    assert passages_for("\n\n  \n", [(1, "q", "")]) == []


def test_answer_types_frequency_and_bad_input():
    assert answer_types("How often do the pipelines run?") == {"frequency"}
    assert answer_types("多久一次？") >= {"frequency"}
    embedder = get_embedder()
    passages = _passages("zh_dispatch")
    for question in ("多少", "how often", "五险一金", "\u0000\u200b", "班车" * 400):
        result = answer_question(question, passages, embedder)
        assert result.status in ("answered", "forwarded")
        assert (result.status == "answered") == (result.passage is not None)


def test_topics_of_job_ad_phrasings():
    assert "visa" in question_topics("Legally entitled to work in Canada.")
    assert "visa" in question_topics("You must have the right to work in the UK.")
    assert "location" not in question_topics("How much is the home-office allowance?")
    assert "location" in question_topics("Where is the office?")
    assert "insurance" in question_topics("Health and dental coverage from day one.")
    assert "weekend" in question_topics("上班时间为做六休一")
    assert "team" in question_topics("Work with the forecasting team of six data scientists.")


def test_an_inline_heading_is_not_repeated_in_its_clauses():
    passages = passages_for("Responsibilities: teach 18 lessons a week; plan lessons.", [])
    texts = [p.text for p in passages if p.kind == "item"]
    assert "Responsibilities: teach 18 lessons a week;" in texts
    assert "Responsibilities: plan lessons." in texts
    assert not any(t.count("Responsibilities") > 1 for t in texts)
