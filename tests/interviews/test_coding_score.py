"""A coding answer's level comes from its grading (correctness, efficiency against the
reference), through the real sandbox, the engine's input and the stored report: accepted and
efficient scores high, accepted but quadratic lower, wrong low, no submission no evidence."""

from __future__ import annotations

import pytest

from hireflow.coding.plans import plan_question, technical_dimension
from hireflow.coding.questions import get_question
from hireflow.interviews import candidate, coding, pipeline
from hireflow.interviews.engine_adapter import interview_input, report_of
from hireflow.interviews.models import InterviewSession
from hireflow.interviews.sessions import answers_of
from hireflow.scoring.plan_model import InterviewPlan
from tests.interviews.factories import TAB, make_setup, started
from tests.interviews.test_coding import PAIR_SUM, _code, eager  # noqa: F401 - fixture

pytestmark = pytest.mark.usefixtures("eager")

QUADRATIC_INVERSIONS = """#include <cstdio>
#include <vector>
int main() {
    int n;
    if (std::scanf("%d", &n) != 1) return 0;
    std::vector<long long> a(n);
    for (auto &x : a) std::scanf("%lld", &x);
    long long c = 0;
    for (int i = 0; i < n; ++i)
        for (int j = i + 1; j < n; ++j) c += a[i] > a[j];
    std::printf("%lld\\n", c);
}
"""


def _setup(session, org):
    setup = make_setup(session, org, language="en")
    plan = InterviewPlan.from_dict(setup.opening.interview_plan)
    dims = tuple(d["id"] for d in setup.opening.competency_model["dimensions"])
    dimension = technical_dimension(dims)
    for i, bank_id in enumerate(
        ("pair-sum", "count-inversions", "interval-union", "distinct-window")
    ):
        plan = plan.add_question(plan_question(bank_id, dimension), i)
    setup.opening.interview_plan = plan.to_dict()
    session.commit()
    return setup, dimension


def test_the_grading_decides_the_technical_level_and_is_quoted(session, org, db):
    setup, dim = _setup(session, org)
    interview = started(session, setup)
    submitted = {
        "coding-pair-sum": _code("submit", PAIR_SUM),
        "coding-count-inversions": _code("submit", QUADRATIC_INVERSIONS, "cpp"),
        "coding-interval-union": _code("submit", "print(0)\n"),
    }
    for qid, data in submitted.items():
        candidate.open_question(session, interview, qid, TAB)
        coding.poll_run(session, interview, coding.start_run(session, interview, qid, data).id)
    # coding-distinct-window: never submitted
    runs = coding.submissions(session, interview.id)
    efficiency = {qid: coding.result_of(run)["efficiency"]["verdict"] for qid, run in runs.items()}
    assert efficiency["coding-pair-sum"] == "efficient"
    assert efficiency["coding-count-inversions"] in ("slower", "too_slow")

    engine_in = interview_input(interview, answers_of(session, interview), runs)
    graded = {a.question_id: a for a in engine_in.answers if a.coding is not None}
    assert set(graded) == set(submitted)
    assert (
        graded["coding-pair-sum"].coding.hidden_passed
        == graded["coding-pair-sum"].coding.hidden_total
    )

    candidate.submit(session, interview, TAB)
    assert pipeline.score(db, interview.id) in ("scored", "done")
    session.expire_all()
    report = report_of(session, session.get(InterviewSession, interview.id))
    scores = {a.question_id: a.dimension_scores.get(dim) for a in report.answers}
    assert scores["coding-pair-sum"] >= 9.0  # level 5 (4.5 should the box be very slow)
    assert 5.0 <= scores["coding-count-inversions"] <= 7.0 < scores["coding-pair-sum"]
    assert scores["coding-interval-union"] <= 2.0
    assert not scores.get("coding-distinct-window")  # asked, not answered: 0

    dimension = next(d for d in report.dimensions if d.id == dim)
    quotes = {e.question_id: e for e in dimension.evidence}
    assert "coding-distinct-window" not in quotes  # no submission, no evidence
    best = quotes["coding-pair-sum"]
    assert best.indicator_id == "coding"
    hidden = graded["coding-pair-sum"].coding.hidden_total
    assert best.quote.startswith(f"Python: passed {hidden}/{hidden} hidden tests; ")
    largest = max(get_question("pair-sum").efficiency.sizes)
    assert f"× the reference's time at n={largest:,}" in best.quote
    # the quote is the first line of the answer the report shows, word for word
    text = next(a.text for a in engine_in.answers if a.question_id == "coding-pair-sum")
    assert text.startswith(best.quote)
