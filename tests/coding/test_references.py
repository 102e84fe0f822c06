"""Every reference solution of the bank passes its own examples and hidden tests in the real
sandbox, and is judged efficient against itself: the bank's expected outputs, limits and
generators are consistent in every language this host can run."""

from __future__ import annotations

import pytest

from hireflow.coding.languages import available_languages
from hireflow.coding.questions import bank

PAIRS = [(q.id, lang) for q in bank().values() for lang in q.languages]


@pytest.mark.slow
@pytest.mark.parametrize(("question_id", "language"), PAIRS)
def test_reference_passes_its_own_tests(runner, question_id, language):
    if language not in available_languages():
        if language == "go":
            pytest.skip("Go toolchain not installed on this host")
        pytest.fail(f"{language} toolchain missing: scripts/test.sh installs it")
    question = bank()[question_id]
    result = runner.grade(question, language, question.reference[language])
    failing = [(c.id, c.status, c.message) for c in result.cases if c.status != "passed"]
    assert result.status == "accepted", (result.compile_message, failing)
    assert result.passed == len(question.examples) + len(question.tests)
    assert result.efficiency.verdict == "efficient", result.efficiency
    assert [p.n for p in result.efficiency.points] == list(question.efficiency.sizes)
