"""A report re-derived from HR's final scores (hireflow.scoring.adjust)."""

from __future__ import annotations

import pytest

from hireflow.scoring.adjust import AdjustError, rederive_report
from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import job_match
from hireflow.scoring.report import Report
from tests.scoring.engine_helpers import STRONG_EN, VAGUE_EN, eval_model, interview


@pytest.fixture(scope="module")
def report() -> Report:
    return score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))


def test_an_override_moves_job_match_findings_and_summary(report: Report) -> None:
    ai = report.dimension("communication")
    assert ai.score is not None and ai.score >= 7.0  # a strength the AI found
    final = rederive_report(report, {"communication": 2.5}, eval_model())
    dim = final.dimension("communication")
    assert dim.score == 2.5 and dim.level == 1.25
    assert dim.raw_score == ai.raw_score and dim.evidence == ai.evidence
    # job match is the engine's formula over the final scores
    expected, _coverage = job_match(eval_model(), {d.id: d.score for d in final.dimensions})
    assert final.job_match == expected and final.job_match < report.job_match
    assert "communication" not in {f.dimension_id for f in final.strengths}
    assert "communication" in {f.dimension_id for f in final.gaps}
    assert "2.5" in final.summary["en"] and "2.5" in final.summary["zh"]
    assert f"{ai.score:.1f}" not in final.summary["en"]
    # the AI's own score stays beside the final one, and a note names what HR changed
    assert final.extra["hr_adjusted"] == {"communication": {"ai": ai.score, "final": 2.5}}
    assert final.extra["ai_job_match"] == report.job_match
    (note,) = [n for n in final.notes if n.code == "hr_adjusted"]
    assert "Communication" in note.text["en"] or "communication" in note.text["en"].lower()
    # unchanged parts: answers, key examples, follow-ups
    assert final.answers == report.answers and final.key_examples == report.key_examples
    assert final.follow_ups == report.follow_ups


def test_raising_a_score_can_turn_a_gap_into_a_strength(report: Report) -> None:
    assert "teamwork" in {f.dimension_id for f in report.gaps}
    final = rederive_report(report, {"teamwork": 8.0}, eval_model())
    assert "teamwork" in {f.dimension_id for f in final.strengths}
    assert "teamwork" not in {f.dimension_id for f in final.gaps}
    assert final.job_match > report.job_match


def test_deterministic_round_trip_and_no_change(report: Report) -> None:
    first = rederive_report(report, {"communication": 3.0}, eval_model())
    again = rederive_report(report, {"communication": 3.0}, eval_model())
    assert first.to_json() == again.to_json()
    assert Report.from_json(first.to_json()).to_json() == first.to_json()
    same = report.dimension("communication").score
    assert rederive_report(report, {"communication": same}, eval_model()) is report
    assert rederive_report(report, {}, eval_model()) is report


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"charisma": 5.0}, "not a dimension"),
        ({"leadership": 5.0}, "did not assess"),
        ({"communication": 10.5}, "between 0 and 10"),
        ({"communication": -1}, "between 0 and 10"),
        ({"communication": float("nan")}, "must be a number"),
        ({"communication": True}, "must be a number"),
        ({"communication": "7"}, "must be a number"),
    ],
)
def test_bad_final_scores_are_refused(report: Report, scores: dict, message: str) -> None:
    with pytest.raises(AdjustError, match=message):
        rederive_report(report, scores, eval_model())
