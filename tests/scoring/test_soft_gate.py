"""Engine 1.1's relevance gate is a ramp, not a cliff.

A hard cap at gate probability 0.5 moved answers by up to several points when their
probability crossed it by 0.01 (docs/scoring.md, "A soft relevance gate"). Flagged answers
(below 0.5) are still capped at 1.5; above it the part of the level above 1.5 counts by a
weight that ramps with the probability. These tests hold the score to that: it never falls as
the probability rises, never jumps, and the ends are the cap and the ungated level.
"""

from __future__ import annotations

import numpy as np
import pytest

from hireflow.scoring import learned
from tests.scoring.test_learned import COMPLAINT_EN, _score


def test_the_gate_weight_is_a_ramp_from_the_threshold() -> None:
    slope = 1.0 / (learned.GATE_HIGH - learned.GATE_LOW)
    p = np.arange(0.0, 1.0005, 0.001)
    w = np.array([learned.gate_weight(float(x)) for x in p])
    steps = np.diff(w)
    assert (steps >= 0).all()
    assert steps.max() <= 0.001 * slope + 1e-6
    assert w[0] == 0.0 and w[-1] == 1.0
    assert learned.gate_weight(learned.GATE_LOW) == 0.0
    assert learned.gate_weight(learned.GATE_HIGH) == 1.0
    # Every answer flagged as not addressing its question is still capped at 1.5.
    assert learned.GATE_LOW >= learned.GATE_THRESHOLD


@pytest.mark.parametrize("level", [1.0, 1.5, 2.0, 3.7, 5.0])
def test_gated_level_keeps_a_share_of_the_level_above_the_cap(level: float) -> None:
    cap = learned.GATE_CAP_LEVEL
    assert learned.gated_level(level, 0.0) == min(level, cap)
    assert learned.gated_level(level, 1.0) == level
    shares = [learned.gated_level(level, w) for w in np.arange(0.0, 1.001, 0.05)]
    assert (np.diff(shares) >= 0).all()  # more weight never lowers a level
    assert learned.gated_level(level, 0.5) == pytest.approx(
        min(level, cap) + max(0, level - cap) / 2
    )


def _score_at(monkeypatch: pytest.MonkeyPatch, probability: float):
    monkeypatch.setattr(learned, "gate_probability", lambda features: round(probability, 6))
    return _score(COMPLAINT_EN, "customer_orientation")


def test_score_moves_smoothly_with_the_gate_probability(monkeypatch: pytest.MonkeyPatch) -> None:
    """A strong story, its gate probability swept in steps of 0.01 across the former threshold
    (and at 0 and 1): the score never falls, never moves by half a point in one step (a hard
    cap jumped from 3 to the full score at 0.5), starts at the cap and ends at the ungated
    level."""
    sweep = np.concatenate([[0.0], np.arange(0.25, 0.751, 0.01), [1.0]])
    scores = [_score_at(monkeypatch, p)[1].score for p in sweep]
    steps = np.diff(scores)
    assert (steps >= -1e-9).all(), scores
    assert steps.max() < 0.5, scores
    assert scores[0] <= 2 * learned.GATE_CAP_LEVEL
    assert scores[-1] >= 7.0


def test_flagged_answers_stay_capped_and_answers_on_the_ramp_keep_their_quote(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    report, dim = _score_at(monkeypatch, learned.GATE_THRESHOLD - 0.01)
    notes = [n for n in report.notes if n.code == "not_the_question_asked"]
    assert notes and "capped at level 1.5" in notes[0].text["en"]
    assert dim.level <= learned.GATE_CAP_LEVEL and dim.components["gate_weight"] == 0.0
    middle = (learned.GATE_LOW + learned.GATE_HIGH) / 2
    report, dim = _score_at(monkeypatch, middle)
    assert not [n for n in report.notes if n.code == "not_the_question_asked"]
    assert dim.components["gate_weight"] == pytest.approx(0.5, abs=1e-4)
    assert learned.GATE_CAP_LEVEL < dim.level < 5.0
    # The sentence the score rests on is quoted: the no-evidence cap (4.0) does not cut the
    # ramp off.
    assert dim.evidence and "no_evidence" not in dim.components
