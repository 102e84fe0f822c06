"""The on-topic weight: monotone in topicality, no cliff, off-topic answers stay low.

A hard on-topic threshold moved whole answers by up to 7 points when a sentence's closeness to
the question crossed it by 0.01 (docs/scoring.md, "On-topic weight"). These tests hold the
soft weight to what replaced it.
"""

from __future__ import annotations

import json
from dataclasses import replace
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

from hireflow.scoring.analysis import analyse_interview
from hireflow.scoring.answer_features import (
    LINK_HIGH,
    LINK_LOW,
    ON_TOPIC,
    TOPIC_HIGH,
    TOPIC_LOW,
    answer_features,
    topic_ramp,
    topic_weights,
)
from hireflow.scoring.embedding import cosine_matrix, get_embedder
from hireflow.scoring.engine import LEVEL_SLOPE, answer_quality, score_interview
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.models import CompetencyModel, Question, load_model, question_from_dict
from tests.scoring.engine_helpers import OFF_TOPIC_EN, STRONG_EN, STRONG_ZH, interview

GRADED = Path(__file__).resolve().parents[1] / "data" / "scoring" / "graded"
SLOPE = 1.0 / (TOPIC_HIGH - TOPIC_LOW)  # the largest change of a weight per unit of closeness


def test_the_ramp_is_monotone_and_has_no_step() -> None:
    x = np.arange(-0.2, 0.6, 0.001)
    y = topic_ramp(x, TOPIC_LOW, TOPIC_HIGH)
    steps = np.diff(y)
    assert (steps >= 0).all()
    assert steps.max() <= 0.001 * SLOPE + 1e-9
    assert y[0] == 0.0 and y[-1] == 1.0
    assert topic_ramp(np.array([(TOPIC_LOW + TOPIC_HIGH) / 2]), TOPIC_LOW, TOPIC_HIGH)[0] == (
        pytest.approx(ON_TOPIC)
    )


@pytest.mark.parametrize("text", [STRONG_EN, STRONG_ZH])
def test_weights_rise_with_closeness_and_never_jump(text: str) -> None:
    """Raising one sentence's closeness to the question never lowers any sentence's weight,
    and 0.01 more closeness moves no weight by more than 0.01 / the ramp's width."""
    sentences = [s for s in text.replace("。", "。\n").replace(". ", ".\n").split("\n") if s]
    vecs = get_embedder().embed(sentences)
    off = np.zeros(len(sentences), dtype=bool)
    base = np.linspace(0.0, 0.2, len(sentences))
    for k in range(len(sentences)):
        previous = None
        for delta in np.arange(-0.2, 0.3, 0.01):
            relevance = base.copy()
            relevance[k] += delta
            weights = topic_weights(relevance, vecs, sentences, off)
            assert ((weights >= 0) & (weights <= 1)).all()
            if previous is not None:
                assert (weights >= previous - 1e-12).all()
                assert (weights - previous).max() <= 0.01 * SLOPE + 1e-9
            previous = weights


def test_off_topic_sentences_weigh_nothing() -> None:
    sentences = ["I rewrote the invoice letter.", "The weather was nice."]
    vecs = get_embedder().embed(sentences)
    weights = topic_weights(np.array([0.5, 0.5]), vecs, sentences, np.array([False, True]))
    assert weights[0] == 1.0 and weights[1] == 0.0


def _score_at(analysis, scale: float) -> float:
    """Engine 1.0's score of ``analysis`` with every sentence's weight times ``scale``."""
    sentences = tuple(replace(s, topicality=s.topicality * scale) for s in analysis.sentences)
    vecs = get_embedder().embed([s.text for s in sentences])
    features = answer_features(sentences, vecs, vecs[:1], analysis.language)
    scaled = replace(analysis, sentences=sentences, features=features)
    quality, _ = answer_quality(scaled, analysis.dimensions[0])
    return 2.0 * min(5.0, max(1.0, 1.0 + LEVEL_SLOPE * quality))


@pytest.mark.parametrize(("text", "language"), [(STRONG_EN, "en"), (STRONG_ZH, "zh")])
def test_score_falls_gradually_as_the_answer_drifts_off_topic(text: str, language: str) -> None:
    analysis = analyse_interview(interview({"comm_b": text}, language))[0]
    assert all(s.topicality == 1.0 for s in analysis.sentences if s.on_topic)
    scores = [_score_at(analysis, scale) for scale in np.arange(0.0, 1.001, 0.01)]
    steps = np.diff(scores)
    assert (steps >= -1e-9).all()  # more on topic never scores lower
    assert steps.max() < 0.5  # 1 % of topicality never moves the score by half a point
    assert scores[0] == 2.0 and scores[-1] >= 7.0


def test_sentences_report_their_weight() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN}))
    sentences = report.answers[0].sentences
    assert all(0.0 <= s["topicality"] <= 1.0 for s in sentences)
    assert all(s["on_topic"] == (s["topicality"] >= ON_TOPIC) for s in sentences)


def test_an_unrelated_answer_stays_low() -> None:
    analysis = analyse_interview(interview({"comm_b": OFF_TOPIC_EN}))[0]
    assert analysis.features["substance"] < 0.5
    assert score_interview(interview({"comm_b": OFF_TOPIC_EN})).dimensions[0].score <= 3.0


def _graded_dev(style: str) -> list[dict]:
    items = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    return [i for i in items if i["split"] == "dev" and i["style"] == style]


@cache
def _graded_rubric() -> tuple[CompetencyModel, dict[str, Question]]:
    model = load_model(GRADED / "model.yaml")
    data = yaml.safe_load((GRADED / "questions.yaml").read_text(encoding="utf-8"))
    return model, {q["id"]: question_from_dict(q) for q in data}


def _graded_score(item: dict) -> float:
    model, questions = _graded_rubric()
    question = questions[item["question"]]
    report = score_interview(
        InterviewInput(
            language=item["language"],
            model=model,
            questions=(question,),
            answers=(Answer(question.id, item["answer"]),),
        )
    )
    return report.dimension(item["question"]).score


def test_fabricated_stories_stay_low_on_the_graded_dev_split() -> None:
    """Fluent STAR stories about an unrelated situation (dev split; engine 1.0): on average
    no higher than the hard threshold left them (3.38 on these 20), most at most 3/10."""
    scores = [_graded_score(item) for item in _graded_dev("fabricated_off_topic")]
    assert np.mean(scores) <= 3.4
    assert np.mean([s <= 3.0 for s in scores]) >= 0.3


BANK_STORY = [
    "Last spring a bank customer phoned me, upset that her card had been charged twice.",
    "I went through the statement with her line by line and found the duplicate charge.",
    "I filed the refund that afternoon and called her back with the reference number.",
    "The money was back two days later and she moved her savings to our bank as well.",
]
BANK_PADDING = (
    "Stock markets in Asia rose by 2% on Monday after the central bank cut interest rates."
)


@pytest.mark.xfail(
    strict=True,
    reason="known limit: a shared word passes a story's weight to unrelated padding; a floor on "
    "the receiving sentence's relevance also cut real result sentences (docs/scoring.md)",
)
def test_a_shared_noun_alone_does_not_pull_padding_in() -> None:
    """ "bank" in a bank story and in "the central bank cut interest rates": padding nowhere
    near the competency should keep only what its meaning earns (a link ramp to a core
    sentence), not the story's full weight through the shared noun."""
    sentences = [*BANK_STORY, BANK_PADDING]
    vecs = get_embedder().embed(sentences)
    off = np.zeros(len(sentences), dtype=bool)
    story_relevance = [0.30, 0.0, 0.0, 0.0]
    core = topic_ramp(np.array(story_relevance), TOPIC_LOW, TOPIC_HIGH)
    cos = cosine_matrix(vecs, vecs)[-1, :-1]
    meaning = float((topic_ramp(cos, LINK_LOW, LINK_HIGH) * core).max())
    weights = topic_weights(np.array([*story_relevance, 0.0]), vecs, sentences, off)
    assert weights[-1] == pytest.approx(meaning) and weights[-1] < ON_TOPIC
