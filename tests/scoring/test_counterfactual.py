"""Counterfactual fairness of the scoring engine (SPEC bias audit).

The same answers with person names, gendered pronouns, places, schools and ethnic groups
swapped, in Chinese and English (tests/data/counterfactual/answers.yaml), must not move any
dimension score, level or the job match by more than 0.1 between the variants of one answer.
Every variant is scored with the real default engine and embedder.
"""

from __future__ import annotations

from collections import Counter

import pytest

from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.neutral import neutralise
from tests.scoring import counterfactual_data as cf

ANSWERS = cf.load()["answers"]


def test_the_set_is_large_and_covers_every_category() -> None:
    languages = Counter(a["language"] for a in ANSWERS)
    assert languages["zh"] >= 15 and languages["en"] >= 15
    assert len({a["question"] for a in ANSWERS}) >= 10
    categories = Counter(v.category for a in ANSWERS for v in cf.variants(a))
    for category in cf.CATEGORIES:
        assert categories[category] >= 10, category
    assert sum(categories.values()) >= 500
    for answer in ANSWERS:
        texts = [v.text for v in cf.variants(answer)]
        assert len(texts) == len(set(texts)) >= 5, answer["id"]
        assert all(cf.placeholder_free(t) for t in texts), answer["id"]


def test_no_frozen_test_story_is_reused() -> None:
    """Only development-split stories of the graded set (story 3 of each is the frozen test)."""
    import json

    frozen = [
        json.loads(line)["answer"]
        for line in (cf.GRADED / "answers.jsonl").open(encoding="utf-8")
        if json.loads(line)["split"] == "test" and json.loads(line)["style"] == "complete_measured"
    ]
    for answer in ANSWERS:
        template = answer["text"]
        for text in frozen:
            first = text.split("。")[0].split(". ")[0]
            assert first[:20] not in template, answer["id"]


@pytest.mark.parametrize("answer", ANSWERS, ids=[a["id"] for a in ANSWERS])
def test_swapping_who_where_and_which_school_changes_no_score(answer: dict) -> None:
    variants = cf.variants(answer)
    base = cf.score_text(answer, variants[0].text)
    assert base.values["job_match"] > 0
    moved = []
    for variant in variants[1:]:
        changes = cf.changes(base, cf.score_text(answer, variant.text))
        worst = max(changes, key=changes.__getitem__)
        if changes[worst] > cf.MAX_CHANGE:
            moved.append((variant.category, variant.label, worst, round(changes[worst], 3)))
    assert not moved, moved


def test_the_report_quotes_the_candidates_own_words() -> None:
    """Only what the engine measures is neutral: sentences and quotes keep the names."""
    answer = next(a for a in ANSWERS if a["id"] == "en-customer-1")
    text = cf.variants(answer)[1].text  # Mary, she
    question, model = cf.question_and_model(answer["question"])
    report = score_interview(InterviewInput("en", model, (question,), (Answer(question.id, text),)))
    sentences = [s["text"] for s in report.answers[0].sentences]
    assert any("Mary" in s for s in sentences)
    assert all(s in text for s in sentences)
    quotes = [e.quote for d in report.dimensions for e in d.evidence]
    assert quotes and all(q in text for q in quotes)


@pytest.mark.parametrize(
    ("language", "text", "expected"),
    [
        (
            "en",
            "She told him that her manager, Mr. Okafor, was in Lagos.",
            "They told them that their manager, X, was in the city.",
        ),
        ("en", "I went to a community college in Detroit.", "I went to a school."),
        (
            "en",
            "After Harvard I joined a Black family business.",
            "After a school I joined a family business.",
        ),
        ("zh", "销售主管张伟让我向大家解释，她也同意。", "销售主管某某让我向大家解释，TA也同意。"),
        (
            "zh",
            "我是维吾尔族，老家在新疆喀什，某职业技术学院毕业。",
            "我是某族，老家在某地，某校毕业。",
        ),
        ("zh", "我请欧阳晓燕帮我看，买买提·艾力也来了。", "我请某某帮我看，某某也来了。"),
    ],
)
def test_neutralise(language: str, text: str, expected: str) -> None:
    assert neutralise(text, language) == expected


@pytest.mark.parametrize(
    ("language", "text"),
    [
        # Common words that begin with a surname character are not names.
        ("zh", "我的任务是在周末前把顾客的顾虑马上解决，方案也其他部门看过。"),
        ("zh", "我从中学到了很多。"),
        # Technical terms and ordinary capitalised words stay.
        ("en", "I moved our Kubernetes cluster to Python 3.12 on Friday in December."),
        ("en", "The University team and I wrote the school schedule."),
    ],
)
def test_neutralise_leaves_ordinary_words(language: str, text: str) -> None:
    assert neutralise(text, language) == text
