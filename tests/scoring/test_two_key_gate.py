"""Engine 1.0's two-key relevance gate: a story that answers another question is capped and
flagged with its reason; either key alone (the catalogue's reading of the competency, or a
sentence close to the question itself) keeps the level; the score is still explainable from
the report's components; odd inputs neither crash nor get flagged by accident."""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import pytest

from hireflow.scoring import learned
from hireflow.scoring.engine import LEVEL_SLOPE, score_interview
from hireflow.scoring.evidence import (
    QUESTION_MATCH_HIGH,
    QUESTION_MATCH_LOW,
    TWO_KEY_HIGH,
    TWO_KEY_LOW,
    question_match,
    two_key_weight,
)
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.text import content_words
from tests.scoring.test_learned import COMPLAINT_EN, _model, _questions

GATE_NOTE = "not_the_question_asked"


def _score(text: str, question_id: str, language: str = "en", embedder=None):
    question = _questions()[question_id]
    interview = InterviewInput(
        language=language,
        model=_model(),
        questions=(question,),
        answers=(Answer(question.id, text),),
    )
    report = score_interview(interview, embedder=embedder)  # the default engine, 1.0
    return report, report.dimension(question_id)


def _gate_notes(report) -> list:
    return [n for n in report.notes if n.code == GATE_NOTE]


def test_either_key_keeps_the_level_and_both_low_flag() -> None:
    probs = np.linspace(0.0, 1.0, 101)
    matches = np.linspace(0.0, 0.3, 61)
    grid = np.array([[two_key_weight(float(p), float(m)) for m in matches] for p in probs])
    assert grid.min() == 0.0 and grid.max() == 1.0
    # Monotone in both keys: more relevance never lowers what an answer keeps.
    assert (np.diff(grid, axis=0) >= -1e-12).all()
    assert (np.diff(grid, axis=1) >= -1e-12).all()
    # Either key at the top of its ramp keeps the whole level.
    assert two_key_weight(TWO_KEY_HIGH, 0.0) == 1.0
    assert two_key_weight(0.0, QUESTION_MATCH_HIGH) == 1.0
    # Both keys at the bottom: capped at level 1.5.
    assert two_key_weight(TWO_KEY_LOW, QUESTION_MATCH_LOW) == 0.0
    # Flagged (less than half kept) exactly when both keys are below the middle of their ramps.
    mid_p = (TWO_KEY_LOW + TWO_KEY_HIGH) / 2
    mid_m = (QUESTION_MATCH_LOW + QUESTION_MATCH_HIGH) / 2
    assert two_key_weight(mid_p - 0.01, mid_m - 0.005) < 0.5
    assert two_key_weight(mid_p + 0.01, 0.0) > 0.5
    assert two_key_weight(0.0, mid_m + 0.005) > 0.5


def test_story_under_a_question_it_does_not_answer_is_capped_and_flagged() -> None:
    own_report, own = _score(COMPLAINT_EN, "customer_orientation")
    other_report, other = _score(COMPLAINT_EN, "teamwork")
    assert own.components["gate_weight"] == 1.0, own.components
    assert not _gate_notes(own_report)
    assert other.components["gate_weight"] < 0.5, other.components
    assert other.score <= 4.0 and own.score - other.score >= 3.0, (own.score, other.score)
    (note,) = _gate_notes(other_report)
    # The reason shown to HR: what the story reads as, and how close it comes to the question.
    assert "customer orientation" in note.text["en"]
    assert f"{other.components['gate_question_match']:.2f}" in note.text["en"]
    assert f"{other.components['gate_question_match']:.2f}" in note.text["zh"]
    assert note.question_id == "teamwork"


def test_engine_one_score_is_the_formula_level_through_the_gate() -> None:
    _, dim = _score(COMPLAINT_EN, "teamwork")
    c = dim.components
    quality = (
        c["base"]
        * c["substance_factor"]
        * c["generic_factor"]
        * c["negative_factor"]
        * c["topic_factor"]
    )
    level = min(5.0, max(1.0, 1.0 + LEVEL_SLOPE * quality))
    expected = learned.gated_level(level, c["gate_weight"])
    assert dim.level == pytest.approx(expected, abs=0.01)
    # Engine 1.0 keeps its own formula: no learned level model takes part.
    assert not any(k.startswith("contribution_") for k in c)


def test_question_match_of_a_story_without_own_sentences_is_zero() -> None:
    assert question_match((), np.zeros((0, 4)), np.ones((1, 4))) == 0.0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Our company was founded in 1998 and has more than 3,000 employees in twelve "
        "countries. The canteen serves food from five regions.",
    ],
)
def test_empty_and_company_only_answers_are_not_rewarded(text: str) -> None:
    report, dim = _score(text, "teamwork")
    assert dim.score is None or dim.score <= 3.0, dim.components
    if not text.strip():
        assert not _gate_notes(report)


class _HashingEmbedder:
    """A bag-of-words embedder that has no fitted gate: engine 1.0 must score without one."""

    name = "hashing-test"
    dim = 64

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim))
        for row, text in enumerate(texts):
            for word in content_words(text):
                out[row, zlib.crc32(word.encode()) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1.0, norms)


def test_an_embedder_without_a_fitted_gate_scores_without_one() -> None:
    report, dim = _score(COMPLAINT_EN, "teamwork", embedder=_HashingEmbedder())
    assert dim.score is not None
    assert not any(k.startswith("gate_") for k in dim.components)
    assert not _gate_notes(report)
