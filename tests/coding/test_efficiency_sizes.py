"""The efficiency sizes of every bank question are small (they cost every accepted submission
CPU time) yet still tell O(n log n) from O(n²): in the real sandbox, the reference solution is
judged efficient and a correct quadratic one is not, in Python (the slowest runtime: the
quadratic one hits the time limit) and in C++ (the fastest: it must grow measurably faster)."""

from __future__ import annotations

import pytest

from hireflow.coding.questions import bank
from tests.coding.quadratic import QUADRATIC

PAIRS = [(q, lang) for q in sorted(bank()) for lang in sorted(QUADRATIC)]


@pytest.mark.slow
@pytest.mark.parametrize(("question_id", "language"), PAIRS)
def test_sizes_separate_n_log_n_from_quadratic(runner, question_id, language):
    question = bank()[question_id]
    assert question.efficiency is not None and max(question.efficiency.sizes) <= 40_000
    efficient = runner.grade(question, language, question.reference[language])
    assert efficient.status == "accepted"
    assert efficient.efficiency.verdict == "efficient", efficient.efficiency
    quadratic = runner.grade(question, language, QUADRATIC[language][question_id])
    # correct on every test: only its growth gives it away
    assert quadratic.status == "accepted", [(c.id, c.status) for c in quadratic.cases]
    assert quadratic.efficiency.verdict in ("slower", "too_slow"), quadratic.efficiency
    if quadratic.efficiency.verdict == "slower":
        assert quadratic.efficiency.ratio is not None and quadratic.efficiency.ratio > 10


def test_efficiency_runs_only_after_the_hidden_tests_pass(runner):
    question = bank()["pair-sum"]
    wrong = runner.grade(question, "python", "print(0)\n")
    assert wrong.status == "wrong_answer"
    assert wrong.efficiency.verdict == "not_measured" and wrong.efficiency.points == ()
    right = runner.grade(question, "python", question.reference["python"])
    assert [p.n for p in right.efficiency.points] == list(question.efficiency.sizes)
    assert all(p.status == "passed" for p in right.efficiency.points)
