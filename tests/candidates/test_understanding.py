"""A talent-pool query read like a person means it: experience, education and places become
filters, the rest stays keywords, and the page says how it understood the query."""

from __future__ import annotations

import pytest

from hireflow.candidates.understanding import understand


@pytest.mark.parametrize(
    ("query", "keywords", "min_years", "max_years"),
    [
        ("Java 上海 五年", "Java", 5, None),
        ("五年以上 Java", "Java", 5, None),
        ("Java 5年经验", "Java", 5, None),
        ("十年 销售", "销售", 10, None),
        ("三到五年 测试", "测试", 3, 5),
        ("python 5+ years", "python", 5, None),
        ("at least 3 years Go", "Go", 3, None),
        ("3-5 years sales", "sales", 3, 5),
        ("product manager 8 yrs", "product manager", 8, None),
        ("Java 2019", "Java 2019", None, None),  # a year is not an experience
        ("5G 通信", "5G 通信", None, None),
    ],
)
def test_experience_is_read_as_a_filter(query, keywords, min_years, max_years):
    understood = understand(query)
    assert understood.q == keywords
    assert understood.min_years == min_years and understood.max_years == max_years


@pytest.mark.parametrize(
    ("query", "keywords", "degree"),
    [
        ("硕士 机械工程", "机械工程", "master"),
        ("本科以上 会计", "会计", "bachelor"),
        ("master's data science", "data science", "master"),
        ("PhD machine learning", "machine learning", "phd"),
        ("bachelors marketing", "marketing", "bachelor"),
        ("Scrum Master", "Scrum Master", ""),  # a skill, not a degree
    ],
)
def test_education_is_read_as_a_filter(query, keywords, degree):
    understood = understand(query)
    assert understood.q == keywords and understood.min_education == degree


@pytest.mark.parametrize(
    ("query", "keywords", "places"),
    [
        ("Java 上海", "Java", {"上海", "Shanghai"}),
        ("sales Munich", "sales", {"Munich", "München", "慕尼黑"}),
        ("New York product manager", "product manager", {"New York", "纽约"}),
        ("上海交通大学", "上海交通大学", None),  # a school, not a place
    ],
)
def test_places_are_read_as_a_filter(query, keywords, places):
    understood = understand(query)
    assert understood.q == keywords
    if places is None:
        assert not understood.location
    else:
        assert set(understood.location.split("|")) >= places


def test_it_says_how_it_understood_the_query_in_both_languages():
    understood = understand("Java 上海 五年 硕士")
    said_zh = " ".join(p["zh"] for p in understood.parts)
    said_en = " ".join(p["en"] for p in understood.parts)
    assert "上海" in said_zh and "5" in said_zh and "硕士" in said_zh
    assert "Shanghai" in said_en or "上海" in said_en
    assert "5 years" in said_en and "master" in said_en.lower()
    assert [p["kind"] for p in understood.parts] == ["location", "years", "education"]


def test_a_plain_query_is_left_alone():
    understood = understand("机械工程 PLC")
    assert understood.q == "机械工程 PLC" and not understood.parts
