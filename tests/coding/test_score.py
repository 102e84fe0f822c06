"""The coding answer's level from its grading (``hireflow.scoring.coding``): the mapping table,
with plain numbers, and what the engine does with it."""

from __future__ import annotations

import pytest

from hireflow.scoring.coding import (
    CodingOutcome,
    SizePoint,
    coding_grade,
    outcome_from_dict,
    outcome_to_dict,
)

POINTS_FAST = (
    SizePoint(5000, "passed", 2.0, 1.9),
    SizePoint(20000, "passed", 8.5, 8.0),
    SizePoint(80000, "passed", 37.0, 34.0),
)
POINTS_QUADRATIC = (
    SizePoint(5000, "passed", 6.0, 1.0),
    SizePoint(20000, "passed", 98.0, 4.3),
    SizePoint(80000, "passed", 1650.0, 18.0),
)


def _outcome(**kwargs) -> CodingOutcome:
    base = {
        "language": "Python",
        "status": "accepted",
        "hidden_passed": 10,
        "hidden_total": 10,
        "efficiency": "efficient",
        "ratio": 1.09,
        "growth": 1.02,
        "reference_growth": 0.98,
        "points": POINTS_FAST,
    }
    return CodingOutcome(**{**base, **kwargs})


def test_accepted_and_efficient_is_the_top_level_with_the_measurement_quoted():
    grade = coding_grade(_outcome())
    assert grade.level == 5.0 and grade.score == 10.0 and grade.rule == "efficient"
    assert grade.evidence["en"] == (
        "Python: passed 10/10 hidden tests; 1.1× the reference's time at n=80,000."
    )
    assert grade.evidence["zh"] == (
        "Python 代码通过了 10/10 个隐藏测试；n=80,000 时运行时间为参考解法的 1.1 倍。"
    )
    # same growth but a large constant factor: a little lower
    assert coding_grade(_outcome(ratio=4.2)).level == 4.5


def test_accepted_but_quadratic_scores_lower_than_efficient():
    quadratic = coding_grade(
        _outcome(efficiency="slower", ratio=91.7, growth=2.02, points=POINTS_QUADRATIC)
    )
    assert quadratic.level == 3.5 < coding_grade(_outcome()).level
    assert "92× the reference's time at n=80,000" in quadratic.evidence["en"]
    assert "n^2.02 vs n^0.98" in quadratic.evidence["en"]
    too_slow = coding_grade(
        _outcome(
            efficiency="too_slow",
            ratio=None,
            points=(SizePoint(5000, "passed", 900.0, 1.0), SizePoint(20000, "time_limit")),
        )
    )
    assert too_slow.level == 3.0
    assert too_slow.evidence["en"].endswith("time limit exceeded at n=20,000.")


def test_wrong_answers_and_compile_errors_score_low():
    none_passed = coding_grade(
        _outcome(status="wrong_answer", hidden_passed=0, first_failure="wrong_answer")
    )
    assert none_passed.level == 1.0
    assert none_passed.evidence["en"] == (
        "Python: passed 0/10 hidden tests; first failure: wrong answer."
    )
    most = coding_grade(_outcome(status="time_limit", hidden_passed=7, first_failure="time_limit"))
    assert most.level == pytest.approx(2.4) and most.level < 3.0
    compile_error = coding_grade(
        _outcome(status="compile_error", compile_ok=False, hidden_passed=0, hidden_total=0)
    )
    assert compile_error.level == 1.0 and "did not compile" in compile_error.evidence["en"]
    # efficiency never lifts a program that fails hidden tests
    assert coding_grade(_outcome(hidden_passed=9, status="wrong_answer")).level < 3.0
    # correct on the small tests, wrong on the large inputs
    wrong_large = coding_grade(
        _outcome(efficiency="incorrect", points=(SizePoint(5000, "wrong_answer"),))
    )
    assert wrong_large.level == 3.0 and "wrong answer at n=5,000" in wrong_large.evidence["en"]
    stopped = coding_grade(_outcome(status="sandbox_violation", hidden_passed=0))
    assert stopped.level == 1.0


def test_not_measured_efficiency_is_correct_but_not_proven_fast():
    grade = coding_grade(_outcome(efficiency="not_measured", ratio=None, points=()))
    assert grade.level == 4.0 and "efficiency not measured" in grade.evidence["en"]


def test_plain_data_round_trip_and_refusals():
    outcome = _outcome()
    assert outcome_from_dict(outcome_to_dict(outcome)) == outcome
    with pytest.raises(ValueError, match="hidden_passed"):
        outcome_from_dict({**outcome_to_dict(outcome), "hidden_passed": 11})
    with pytest.raises(ValueError, match="language"):
        outcome_from_dict({**outcome_to_dict(outcome), "language": ""})
    with pytest.raises(ValueError, match="points"):
        outcome_from_dict({**outcome_to_dict(outcome), "points": [{"n": "big"}]})
