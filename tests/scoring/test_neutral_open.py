"""Identity neutralisation beyond the lists (hireflow/scoring/neutral_open.py).

Names and places that no list holds are found by where they stand: a capitalised word after
"in" or before "office", next to a role word or before what a person does; a Chinese run
after a role word that jieba's dictionary cannot read as ordinary words, a place word of
jieba's dictionary in a place context. None of the names and places below is in the
neutraliser's lists, nor in the counterfactual set's held-out lists (those stay held out for
bench/scoring_counterfactual.py).
"""

from __future__ import annotations

import pytest

from hireflow.scoring.neutral import neutralise


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "My team lead, Siobhan, asked me to own the release.",
            "My team lead, X, asked me to own the release.",
        ),
        ("Tendai and I rewrote the billing job.", "X and I rewrote the billing job."),
        (
            "I asked Anneliese to review the Terraform plan.",
            "I asked X to review the Terraform plan.",
        ),
        (
            "Last year I worked at our plant in Kalamazoo.",
            "Last year I worked at our plant in the city.",
        ),
        (
            "Customers in the Okanagan office were unhappy.",
            "Customers in the city office were unhappy.",
        ),
        (
            "I studied at Macalester and took a databases course.",
            "I studied at a school and took a databases course.",
        ),
        ("I went to a night school in the Bronx.", "I went to a school."),
        (
            "Oyelaran, who runs a bakery in Ibadan, called me.",
            "X, who runs a bakery in the city, called me.",
        ),
    ],
)
def test_unlisted_english_names_places_and_schools_are_neutral(text: str, expected: str) -> None:
    assert neutralise(text, "en") == expected


@pytest.mark.parametrize(
    "text",
    [
        # Capitalised words at a sentence start, product names, days and months stay: the
        # engine counts named things as specific detail.
        "During the migration we moved the Jenkins jobs to GitHub Actions.",
        "We shipped the Salesforce integration on Friday.",
        "However, the Kafka consumer lagged behind in December.",
        "Our Kubernetes cluster ran out of memory, so I asked the Platform team for help.",
        "They told me the PostgreSQL index was not used.",
        "Then I rewrote the Python job and the API answered in 200 ms.",
    ],
)
def test_ordinary_capitalised_words_and_products_stay(text: str) -> None:
    assert neutralise(text, "en") == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("项目经理古丽娜尔让我整理需求。", "项目经理某某让我整理需求。"),
        ("我和同事索朗旺堆商量后决定重写接口。", "我和同事某某商量后决定重写接口。"),
        ("我在克拉玛依的分公司做运维。", "我在某地的分公司做运维。"),
        ("老家在黔东南州，毕业于一所民办院校。", "老家在某地，毕业于某校。"),
        ("行政的阿卜杜热依木负责网络安装。", "行政的某某负责网络安装。"),
    ],
)
def test_unlisted_chinese_names_and_places_are_neutral(text: str, expected: str) -> None:
    assert neutralise(text, "zh") == expected


@pytest.mark.parametrize(
    "text",
    [
        "我们用Redis做缓存，接口响应从两秒降到两百毫秒。",
        "主管提出先把数据库连接池调大。",
        "我的任务是把报表改到凌晨跑。",
        "我们有一条包装线的漏封率一直比其他线高一倍。",
        "后来我们把这个方法推广到了其他车间，客户满意度提高了。",
        "我和设备组一起试了两种预热时间。",
    ],
)
def test_ordinary_chinese_words_stay(text: str) -> None:
    assert neutralise(text, "zh") == text
