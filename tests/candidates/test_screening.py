"""Screening rules: degree scale, compile errors with positions, explanations, form builder."""

from __future__ import annotations

import json

import pytest

from hireflow.candidates.resume_model import EducationEntry, LanguageSkill, ResumeProfile, WorkEntry
from hireflow.candidates.rule_builder import ScreeningForm, build_rule, quote
from hireflow.candidates.screening import InterviewResults, screen
from hireflow.candidates.screening_rules import (
    KNOCKOUT,
    RANKING,
    RuleCompileError,
    ScreeningRule,
    compile_rule,
    compile_rules,
)


def profile(
    degree: str | None = "master", major: str = "机械工程", manufacturing: float = 2.0
) -> ResumeProfile:
    education = [EducationEntry(school="浙江大学", degree="bachelor", major="机械工程")]
    if degree and degree != "bachelor":
        education.append(EducationEntry(school="清华大学", degree=degree, major=major))
    if degree is None:
        education = []
    return ResumeProfile(
        name="王芳",
        location="上海",
        education=education,
        work=[
            WorkEntry(
                company="上海电气集团股份有限公司", title="机械工程师", industry="manufacturing"
            )
        ],
        years_experience=5.0,
        years_by_industry={"manufacturing": manufacturing, "internet": 3.0},
        skills=["Python", "SolidWorks", "Machine Learning"],
        languages=[LanguageSkill("English", "CET-6"), LanguageSkill("Japanese", "JLPT N2")],
    )


THE_EXAMPLE = (
    'education >= "bachelor" and major in ["机械工程", "mechanical engineering"] '
    'and years_in_industry("manufacturing") >= 3'
)


def test_the_spec_example_fails_on_industry_years_and_says_why() -> None:
    result = screen(profile(), [ScreeningRule(THE_EXAMPLE, id="req")])
    assert result.status == "rejected"
    (outcome,) = result.outcomes
    assert outcome.passed is False
    en = outcome.explanation["en"]
    assert "education: master ≥ bachelor ✓" in en
    assert "years in manufacturing = 2 < 3 ✗" in en
    assert "major: 机械工程 ∈" in en
    zh = outcome.explanation["zh"]
    assert "学历：硕士 ≥ 本科 ✓" in zh
    assert "制造行业年限 = 2 < 3 ✗" in zh
    assert [c.passed for c in outcome.checks] == [True, True, False]


def test_the_spec_example_passes_with_enough_years() -> None:
    result = screen(profile(manufacturing=3.5), [THE_EXAMPLE])
    assert result.status == "passed"
    assert result.passed


@pytest.mark.parametrize(
    ("rule", "degree", "expected"),
    [
        ('education >= "bachelor"', "master", True),
        ('education >= "master"', "bachelor", False),
        ('education > "bachelor"', "phd", True),
        ('education >= "本科"', "master", True),
        ('education >= "硕士"', "bachelor", False),
        ('education == "研究生"', "master", True),
        ('education < "master"', "bachelor", True),
        ('"bachelor" <= education', "phd", True),
        ('education in ["master", "博士"]', "phd", True),
        ('education in ["master", "博士"]', "bachelor", False),
        ('education >= "associate"', None, False),
        ('education >= "high school"', "bachelor", True),
    ],
)
def test_degrees_compare_on_the_ordered_scale(
    rule: str, degree: str | None, expected: bool
) -> None:
    # Alphabetically "master" < "phd" < "bachelor" would give wrong answers here.
    result = screen(profile(degree=degree), [rule])
    assert result.outcomes[0].passed is expected, result.explanation()


def test_major_matching_ignores_case_and_spacing() -> None:
    p = profile(degree="master", major="Mechanical  Engineering")
    assert screen(p, ['major in ["机械工程", "mechanical engineering"]']).passed
    assert screen(p, ['major == "MECHANICAL ENGINEERING"']).passed
    assert screen(p, ['"机械工程" in majors']).passed
    assert not screen(p, ['major == "会计学"']).passed


def test_functions_hr_needs() -> None:
    p = profile()
    rules = [
        'has_skill("py")',
        'has_skill("机器学习")',
        'not has_skill("Java")',
        'has_certificate("CET-4")',  # CET-6 includes CET-4
        'has_certificate("JLPT N2")',
        'has_language("日语")',
        'years_in_industry("制造业") == 2',
        'years_in_industry("Internet") == 3',
        'worked_at("上海电气")',
        'keyword("SolidWorks")',
        "years_experience >= 5 and years >= 5",
        'location == "上海"',
        '"SolidWorks" in skills',
    ]
    result = screen(p, rules)
    assert [o.passed for o in result.outcomes] == [True] * len(rules), result.explanation()


def test_keyword_searches_the_resume_text_when_given() -> None:
    assert not screen(profile(), ['keyword("PLC")']).passed
    assert screen(profile(), ['keyword("plc")'], resume_text="熟悉西门子 PLC 编程").passed


def test_interview_rules_wait_for_results_then_evaluate() -> None:
    rule = ScreeningRule(
        'score("communication") >= 8.5 and mentions("customer case") >= 2', id="talk"
    )
    pending = screen(profile(), [rule])
    assert pending.status == "pending"
    assert pending.outcomes[0].passed is None
    assert pending.outcomes[0].explanation["en"] == "no interview results yet"
    assert pending.outcomes[0].explanation["zh"] == "尚无面试结果"

    answers = ["One customer case was hard.", "Another Customer  Case: we won it back."]
    done = screen(profile(), [rule], {"scores": {"communication": 8.7}, "answers": answers})
    assert done.status == "passed"
    assert "interview score (Communication) = 8.7 ≥ 8.5 ✓" in done.outcomes[0].explanation["en"]
    assert "面试得分（沟通表达） = 8.7 ≥ 8.5 ✓" in done.outcomes[0].explanation["zh"]
    assert "mentions of “customer case” = 2 ≥ 2 ✓" in done.outcomes[0].explanation["en"]

    low = screen(profile(), [rule], InterviewResults({"communication": 7.0}, answers))
    assert low.status == "rejected"
    assert "interview score (Communication) = 7 < 8.5 ✗" in low.outcomes[0].explanation["en"]

    missing = screen(profile(), [rule], InterviewResults({"coding": 9.0}, answers))
    assert missing.status == "pending"
    assert "Communication" in missing.outcomes[0].explanation["en"]


def test_knockout_and_weighted_ranking() -> None:
    rules = [
        ScreeningRule('education >= "bachelor"', KNOCKOUT, id="degree"),
        ScreeningRule('has_skill("Python")', RANKING, weight=3, id="python"),
        ScreeningRule('has_skill("Java")', RANKING, weight=1, id="java"),
        ScreeningRule('score("coding") >= 8', RANKING, weight=5, id="coding"),
    ]
    result = screen(profile(), rules)
    assert result.status == "passed"
    # coding cannot be evaluated yet, so it neither helps nor hurts: 3 of 4 evaluable weight
    assert result.score == 75.0
    with_interview = screen(profile(), rules, {"scores": {"coding": 9}, "answers": []})
    assert with_interview.score == pytest.approx(100 * 8 / 9, abs=0.1)
    rejected = screen(profile(degree=None), rules)
    assert rejected.status == "rejected"
    assert rejected.score == 75.0


def test_result_serialises() -> None:
    result = screen(profile(), [THE_EXAMPLE, ScreeningRule('has_skill("Python")', RANKING, 2.0)])
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["status"] == "rejected"
    assert data["outcomes"][0]["checks"][2]["passed"] is False
    assert "✗" in result.explanation("zh") and "✓" in result.explanation("en")


def test_syntax_error_reports_line_column_and_caret() -> None:
    text = 'education >= "bachelor" and\n  years_experience >= >= 3'
    with pytest.raises(RuleCompileError) as err:
        compile_rule(ScreeningRule(text, id="r1"))
    (problem,) = err.value.errors
    assert problem.code == "syntax"
    assert problem.rule_id == "r1"
    assert (problem.line, problem.column) == (2, 23)
    assert problem.excerpt == "  years_experience >= >= 3\n                      ^"
    assert "line 2, column 23" in problem.message["en"]
    assert "第 2 行第 23 列" in problem.message["zh"]


def test_unclosed_parenthesis_points_at_the_end() -> None:
    with pytest.raises(RuleCompileError) as err:
        compile_rule('(has_skill("Python") or has_skill("Java")')
    assert err.value.errors[0].code == "syntax"
    assert err.value.errors[0].column == len('(has_skill("Python") or has_skill("Java")') + 1


def test_unknown_names_are_refused_with_a_suggestion() -> None:
    with pytest.raises(RuleCompileError) as err:
        compile_rule('educaton >= "bachelor"')
    problem = err.value.errors[0]
    assert problem.code == "unknown_name"
    assert "education" in problem.message["en"] and "education" in problem.message["zh"]
    with pytest.raises(RuleCompileError) as err:
        compile_rule("years_experience >= 3 and age < 35")
    assert err.value.errors[0].code == "unknown_name"
    assert err.value.errors[0].column == len("years_experience >= 3 and ") + 1


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ('education >= "graduate"', "unknown_degree"),
        ('education =~ "bach.*"', "education_usage"),
        ("education >= school", "education_usage"),
        ('education in ["master", school]', "education_usage"),
        ('years_experience >= "3"', "type_mismatch"),
        ("has_skill(3)", "bad_arguments"),
        ("   ", "empty"),
    ],
)
def test_bad_rules(text: str, code: str) -> None:
    with pytest.raises(RuleCompileError) as err:
        compile_rule(text)
    assert err.value.errors[0].code == code
    assert err.value.errors[0].message["zh"] and err.value.errors[0].message["en"]


def test_compile_rules_reports_every_broken_rule() -> None:
    with pytest.raises(RuleCompileError) as err:
        compile_rules(
            [
                "years >= 3",
                "years >=",
                {"text": "foo", "id": "x"},
                {"text": "years > 1", "kind": "bogus"},
            ]
        )
    assert [(e.rule_id, e.code) for e in err.value.errors] == [
        ("rule2", "syntax"),
        ("x", "unknown_name"),
        ("rule4", "bad_kind"),
    ]
    with pytest.raises(RuleCompileError) as err:
        compile_rules([ScreeningRule("years > 1", RANKING, weight=0)])
    assert err.value.errors[0].code == "bad_weight"


def test_no_eval_of_python() -> None:
    for text in ('__import__("os").system("true")', "().__class__", 'open("/etc/passwd")'):
        with pytest.raises(RuleCompileError):
            compile_rule(text)


def test_compiled_rules_are_reused_across_candidates() -> None:
    rules = compile_rules([THE_EXAMPLE])
    assert not screen(profile(manufacturing=1), rules).passed
    assert screen(profile(manufacturing=4), rules).passed


def test_form_builder_writes_rules_that_compile_and_work() -> None:
    form = {
        "min_education": "本科",
        "majors": ["机械工程", "mechanical engineering"],
        "min_years": 3,
        "industry": "manufacturing",
        "min_industry_years": 2,
        "required_skills": ["Python"],
        "any_skills": ["SolidWorks", "CATIA"],
        "certificates": ["CET-6"],
        "locations": ["上海", "苏州"],
        "keywords": ["工程师"],
        "min_scores": {"communication": 8.5},
        "min_mentions": {"customer case": 2},
    }
    text = build_rule(form)
    assert text.startswith(
        'education >= "bachelor" and major in ["机械工程", "mechanical engineering"]'
    )
    assert 'years_in_industry("manufacturing") >= 2' in text
    assert '(has_skill("SolidWorks") or has_skill("CATIA"))' in text
    compiled = compile_rule(text)
    answers = ["a customer case", "another customer case"]
    result = screen(profile(), [compiled], {"scores": {"communication": 9}, "answers": answers})
    assert result.passed, result.explanation()
    assert not screen(
        profile(manufacturing=1), [compiled], {"scores": {"communication": 9}, "answers": answers}
    ).passed


def test_form_builder_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        build_rule({})
    with pytest.raises(ValueError):
        build_rule({"min_education": "graduate"})
    with pytest.raises(ValueError):
        build_rule({"salary": 3})
    assert ScreeningForm(min_years=2.5).to_rule() == "years_experience >= 2.5"


def test_quoting_survives_quotes_and_backslashes() -> None:
    tricky = 'R&D "lab" \\ team'
    rule = compile_rule(f"keyword({quote(tricky)})")
    assert screen(profile(), [rule], resume_text=f"worked in the {tricky}").passed


def test_keyword_does_not_match_field_names() -> None:
    assert not screen(profile(), ['keyword("school")']).passed
    assert not screen(profile(), ['keyword("years_experience")']).passed
    assert screen(profile(), ['keyword("清华")']).passed


def test_marks_under_not_follow_the_rule() -> None:
    result = screen(profile(), ['not has_skill("Java") and not (years_experience > 3)'])
    outcome = result.outcomes[0]
    assert outcome.passed is False
    assert outcome.explanation["en"] == "skill “Java”: no ✓; years of experience: 5 > 3 ✗"
    assert [c.passed for c in outcome.checks] == [True, False]
