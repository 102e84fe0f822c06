"""Candidate questions (SPEC E6) that no word list places: a passage answers one only when it
says at least half of what the question names, in its own script, or says it in other words
(a close sentence vector) (hireflow.interviews.qa_words.covers_half)."""

from __future__ import annotations

import pytest

from hireflow.interviews.qa_passages import Passage, passages_for
from hireflow.interviews.qa_words import COVERED_SIMILARITY, covers_half
from hireflow.scoring.text import content_words
from tests.interviews.candidate_questions_set import ask


def _line(quote: str) -> Passage:
    return next(p for p in passages_for(quote, []) if p.kind == "item")


@pytest.mark.parametrize(
    ("own", "quote", "similarity", "expected"),
    [
        # one of two named things said ("Dutch"), the other ("lessons") not: half is enough
        ({"dutch", "lesson"}, "Fluent English; Dutch is a plus.", 0.3, True),
        # one of three is not
        ({"dutch", "lesson", "pay"}, "Fluent English; Dutch is a plus.", 0.3, False),
        # nothing said, but a sentence vector this close says it in other words
        ({"fuel", "card"}, "You will drive one of our electric vans.", COVERED_SIMILARITY, True),
        ({"fuel", "card"}, "You will drive one of our electric vans.", 0.55, False),
        # inflections: "employees" for "employee"
        ({"employee", "onboarding"}, "Set up laptops for new employees.", 0.1, True),
        # an English word cannot be shared with a Chinese line: only the Chinese ones count
        ({"short", "video", "剪辑"}, "跟进每场露营活动的拍摄和剪辑；", 0.2, True),
        ({"short", "video", "团建"}, "跟进每场露营活动的拍摄和剪辑；", 0.2, False),
        # a question with nothing in the passage's script is left to the other checks
        ({"intern", "hire"}, "这个岗位只招全职，暂不招实习生。", 0.1, True),
        (set(), "Anything at all.", 0.0, True),
    ],
)
def test_a_passage_covers_half_of_what_is_named(own, quote, similarity, expected):
    passage = _line(quote)
    assert covers_half(own, passage, set(content_words(passage.text)), similarity) is expected


def test_an_faq_entrys_own_question_counts_as_what_it_says():
    (passage,) = passages_for("", [(1, "Do I need my own car?", "No, we have a van for you.")])
    assert passage.kind == "faq"
    words = set(content_words(passage.text))
    assert covers_half({"car", "own"}, passage, words, 0.2)
    assert not covers_half({"fuel", "card"}, passage, words, 0.2)


@pytest.mark.parametrize(
    ("opening", "question", "not_quoted"),
    [
        # "Dutch" is in the requirements; Dutch lessons paid for are not
        ("en_pm", "Do you pay for Dutch lessons?", "Dutch is a plus"),
        # the FAQ on driving a company van is close in vector, but says nothing of fuel cards
        ("en_driver", "Do I get a fuel card?", "electric vans"),
        # "what happens" is how it asks: the interview FAQ's "what happens next" is no answer
        ("en_lab", "What happens if a result is out of spec?", "panel interview"),
    ],
)
def test_a_passage_that_shares_one_word_of_several_does_not_answer(opening, question, not_quoted):
    result = ask(opening, question)
    assert result.passage is None or not_quoted not in result.passage.quote, result


@pytest.mark.parametrize(
    ("opening", "question", "expected"),
    [
        ("en_lab", "How do I get to the plant without a car?", "free company shuttle"),
        ("zh_media", "需要做short video剪辑吗", "剪辑"),
        ("en_nurse", "What kind of patients will I care for?", "post-operative patients"),
    ],
)
def test_still_answered_when_half_is_said(opening, question, expected):
    result = ask(opening, question)
    assert result.status == "answered", (question, result)
    assert expected in result.passage.quote
