"""Competency scoring: ordering, the documented formula, job match, findings, follow-ups."""

from __future__ import annotations

import math

import pytest

from hireflow.scoring.analysis import analyse_interview
from hireflow.scoring.engine import (
    LEVEL_SLOPE,
    SITUATIONAL_MAX_LEVEL,
    WEIGHTS,
    answer_quality,
    score_interview,
)
from hireflow.scoring.interview import job_match
from hireflow.scoring.models import load_model
from tests.scoring.engine_helpers import (
    OFF_TOPIC_EN,
    STRONG_EN,
    STRONG_ZH,
    VAGUE_EN,
    VAGUE_ZH,
    WE_ONLY_EN,
    WE_ONLY_ZH,
    eval_model,
    interview,
)


def comm_score(text: str, language: str = "en", qid: str = "comm_b") -> float:
    report = score_interview(interview({qid: text}, language))
    score = report.dimension("communication").score
    assert score is not None
    return score


@pytest.mark.parametrize(
    ("strong", "we_only", "vague", "language"),
    [(STRONG_EN, WE_ONLY_EN, VAGUE_EN, "en"), (STRONG_ZH, WE_ONLY_ZH, VAGUE_ZH, "zh")],
)
def test_strong_beats_we_only_beats_vague(
    strong: str, we_only: str, vague: str, language: str
) -> None:
    s, w, v = (comm_score(t, language) for t in (strong, we_only, vague))
    assert s > w > v, (s, w, v)
    assert s >= 7.0
    assert v <= 4.0


def test_off_topic_scores_low() -> None:
    assert comm_score(OFF_TOPIC_EN) <= 3.0


def test_weights_sum_to_one() -> None:
    for kind, weights in WEIGHTS.items():
        assert math.isclose(sum(weights.values()), 1.0), kind


def test_engine_1_0_score_follows_the_documented_formula() -> None:
    """score = 2 · clip(1 + 5·q, 1, 5), q = base · factors; recomputed from the report."""
    iv = interview({"comm_b": STRONG_EN})
    analysis = analyse_interview(iv)[0]
    quality, components = answer_quality(analysis, "communication")
    weights = WEIGHTS["behavioural"]
    base = sum(weights[k] * components[k] for k in weights)
    assert math.isclose(base, components["base"], abs_tol=1e-3)
    f = analysis.features
    expected_q = (
        base
        * (0.4 + 0.6 * f["substance"])
        * (1 - 0.5 * f["generic_share"])
        * (1 - 0.6 * min(1.0, f["negative"] / 2))
        * f["on_topic_share"]
    )
    assert math.isclose(quality, expected_q, abs_tol=1e-3)
    report = score_interview(iv)
    level = min(5.0, max(1.0, 1 + LEVEL_SLOPE * quality))
    assert math.isclose(report.dimension("communication").score, 2 * level, abs_tol=1e-3)
    assert (
        report.answers[0].dimension_scores["communication"]
        == report.dimension("communication").score
    )


def test_engine_1_1_score_follows_the_documented_formula() -> None:
    """score = 2 · gated(clip(intercept + Σ w_k · f_k, 1, 5)): the relevance gate keeps the
    level up to 1.5 and its weight's share of the rest; recomputed from the features, the
    fitted weights and the gate weight the report shows."""
    from hireflow.scoring import learned
    from hireflow.scoring.engine import level_features

    iv = interview({"comm_b": STRONG_EN})
    analysis = analyse_interview(iv, use_learned=True)[0]
    features = level_features(analysis, "communication")
    fitted = learned.learned_model()["level"]
    raw = fitted["intercept"] + sum(fitted["coef"][k] * features[k] for k in features)
    report = score_interview(iv, engine="1.1")
    assert report.engine_version == "hireflow-scoring/1.1"
    dim = report.dimension("communication")
    for name, value in features.items():
        assert math.isclose(dim.components[f"feature_{name}"], value, abs_tol=1e-3)
    level = min(5.0, max(1.0, raw))
    weight = dim.components["gate_weight"]
    assert weight == learned.gate_weight(dim.components["gate_probability"])
    level = min(level, learned.GATE_CAP_LEVEL) + weight * max(0.0, level - learned.GATE_CAP_LEVEL)
    assert math.isclose(dim.score, 2 * level, abs_tol=2e-3)
    assert (
        report.answers[0].dimension_scores["communication"]
        == report.dimension("communication").score
    )


def test_situational_answers_top_out_at_level_four() -> None:
    plan = (
        "First I would listen to the colleague and restate the objection to be sure I understood it. "
        "Then I would ask what risk they see, because objections usually hide a concern. "
        "I would bring the cost figures and the customer feedback behind my proposal. "
        "If we still disagree, I would suggest a small pilot in one region to test it. "
        "Finally I would send both teams a written summary of what we agreed."
    )
    report = score_interview(interview({"comm_s": plan}))
    assert report.dimension("communication").score <= 2 * SITUATIONAL_MAX_LEVEL


def test_dimension_score_is_mean_of_its_answers() -> None:
    model = load_model(
        {
            "id": "m",
            "name": {"en": "m"},
            "version": "1",
            "dimensions": [
                {**_dimension_dict("communication"), "weight": 1.0},
            ],
        }
    )
    from hireflow.scoring.interview import Answer, InterviewInput
    from hireflow.scoring.models import question_from_dict

    q1 = question_from_dict(
        {
            "id": "a",
            "kind": "behavioural",
            "text": {"en": "Tell me about explaining something."},
            "dimensions": ["communication"],
            "time_limit_s": 120,
        }
    )
    q2 = question_from_dict(
        {
            "id": "b",
            "kind": "behavioural",
            "text": {"en": "Tell me about a disagreement."},
            "dimensions": ["communication"],
            "time_limit_s": 120,
        }
    )
    iv = InterviewInput("en", model, (q1, q2), (Answer("a", STRONG_EN), Answer("b", VAGUE_EN)))
    report = score_interview(iv)
    per_answer = [a.dimension_scores["communication"] for a in report.answers]
    assert math.isclose(report.dimension("communication").score, sum(per_answer) / 2, abs_tol=1e-3)
    assert report.dimension("communication").components["answers"] == 2.0


def _dimension_dict(dim_id: str) -> dict:
    from hireflow.scoring.models import model_to_dict

    return next(d for d in model_to_dict(eval_model())["dimensions"] if d["id"] == dim_id)


def test_job_match_formula() -> None:
    model = eval_model()  # eight dimensions of equal weight
    scores = {d.id: None for d in model.dimensions}
    scores["communication"] = 7.0  # required 7 → fit 1
    scores["teamwork"] = 3.0  # required 6 → fit 0.5
    match, coverage = job_match(model, scores)
    assert coverage == pytest.approx(0.25)
    # weighted shortfall 0.25, largest shortfall 0.5: 100 · 0.75 · (1 − 0.8 · 0.5)
    assert match == pytest.approx(45.0)
    # Exceeding the requirement does not raise the match.
    scores["communication"] = 10.0
    assert job_match(model, scores)[0] == pytest.approx(45.0)
    assert job_match(model, {d.id: None for d in model.dimensions}) == (None, 0.0)


def test_unassessed_dimensions_are_reported_and_left_out() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN}))
    assessed = [d for d in report.dimensions if d.assessed]
    assert [d.id for d in assessed] == ["communication"]
    assert report.match_coverage == pytest.approx(1 / 8)
    teamwork = report.dimension("teamwork")
    assert teamwork.score is None and teamwork.confidence == 0.0
    assert sum(n.code == "not_assessed" for n in report.notes) == 7


def test_confidence_grows_with_evidence() -> None:
    one = score_interview(interview({"comm_b": STRONG_EN})).dimension("communication")
    short = score_interview(interview({"comm_b": "I explained it to them."})).dimension(
        "communication"
    )
    assert 0.0 < short.confidence < one.confidence <= 1.0


def test_strengths_gaps_and_evidence() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))
    assert [f.dimension_id for f in report.strengths] == ["communication"]
    assert [f.dimension_id for f in report.gaps] == ["teamwork"]
    assert "required" in report.gaps[0].text["en"] and "要求" in report.gaps[0].text["zh"]
    comm = report.dimension("communication")
    assert comm.evidence and all(e.quote in STRONG_EN for e in comm.evidence)
    assert report.key_examples and report.key_examples[0].quote in STRONG_EN


def test_summary_in_both_languages_and_mentions_match() -> None:
    report = score_interview(interview({"comm_b": STRONG_ZH, "tw_b": VAGUE_ZH}, "zh"))
    assert f"{report.job_match:.0f}%" in report.summary["zh"]
    assert "岗位匹配度" in report.summary["zh"]
    assert "Job match" in report.summary["en"]
    assert "沟通能力" in report.summary["zh"]


def reasons(text: str, qid: str = "comm_b", language: str = "en") -> set[str]:
    report = score_interview(interview({qid: text}, language))
    return {f.reason for f in report.follow_ups}


def test_follow_up_asks_for_the_result_when_there_is_none() -> None:
    text = (
        "Last year I had to explain our new pricing model to the sales team. I prepared slides "
        "with simple examples and I ran two workshops for them. I also answered their questions."
    )
    assert "no_result" in reasons(text)


def test_follow_up_asks_roi_of_a_mentioned_project() -> None:
    text = (
        "I led the short video project for our brand last year. I planned the scripts and I "
        "worked with two editors. The project reached 2 million views in three months."
    )
    report = score_interview(interview({"comm_b": text}))
    roi = [f for f in report.follow_ups if f.reason == "project_roi"]
    assert roi
    assert "short video project" in roi[0].text["en"]
    assert "ROI" in roi[0].text["zh"] and "挑战" in roi[0].text["zh"]


def test_follow_up_asks_what_the_candidate_did_for_we_only() -> None:
    assert "we_only" in reasons(WE_ONLY_EN)
    assert "we_only" in reasons(WE_ONLY_ZH, language="zh")


def test_follow_up_asks_for_an_example_when_vague() -> None:
    assert "vague" in reasons(VAGUE_EN)
    assert "vague" in reasons(VAGUE_ZH, language="zh")


def test_follow_up_for_empty_and_gap_dimensions() -> None:
    report = score_interview(interview({"comm_b": "", "tw_b": VAGUE_EN}))
    found = {(f.question_id, f.reason) for f in report.follow_ups}
    assert ("comm_b", "no_answer") in found
    for follow_up in report.follow_ups:
        assert follow_up.text["zh"] and follow_up.text["en"]


def test_chinese_project_topic_is_quoted() -> None:
    text = (
        "去年我负责公司的直播带货项目，我制定了排期，并且每天复盘数据，还协调了三个部门。"
        "我们一共做了二十场直播。"
    )
    report = score_interview(interview({"comm_b": text}, "zh"))
    roi = [f for f in report.follow_ups if f.reason == "project_roi"]
    assert roi and "直播带货项目" in roi[0].text["zh"]


def test_technical_questions_use_the_reference_scorer() -> None:
    from hireflow.scoring.interview import Answer, InterviewInput
    from hireflow.scoring.models import question_from_dict
    from hireflow.scoring.reference import score_reference_answer

    model = load_model(
        {
            "id": "m",
            "name": {"en": "m"},
            "version": "1",
            "dimensions": [{**_dimension_dict("problem_solving"), "weight": 1.0}],
        }
    )
    reference = (
        "A hash table stores key-value pairs in an array of buckets. A hash function maps each "
        "key to a bucket. Collisions are handled by chaining or open addressing. Lookups take "
        "O(1) time on average."
    )
    question = question_from_dict(
        {
            "id": "t1",
            "kind": "technical",
            "text": {"en": "How does a hash table work?"},
            "dimensions": ["problem_solving"],
            "time_limit_s": 300,
            "reference_answers": {"en": [reference]},
            "key_points": {"en": ["hash function maps keys to buckets", "collisions", "O(1)"]},
        }
    )
    good = (
        "A hash table keeps key-value pairs in buckets. A hash function turns the key into a "
        "bucket index. When two keys collide we chain them in a list or probe the next slot. "
        "Average lookup is O(1)."
    )
    weak = "It is a kind of table that is very fast."
    scores = {}
    for name, text in (("good", good), ("weak", weak)):
        iv = InterviewInput("en", model, (question,), (Answer("t1", text),))
        report = score_interview(iv)
        technical = report.answers[0].technical
        assert technical is not None and technical["key_points"] >= 1
        expected = score_reference_answer(question.text["en"], text, [reference])
        assert report.dimension("problem_solving").score == pytest.approx(expected, abs=1e-3)
        scores[name] = report.dimension("problem_solving").score
    assert scores["good"] > scores["weak"]


def test_public_api_is_re_exported() -> None:
    import hireflow.scoring as scoring

    assert scoring.score_interview is score_interview
    for name in ("Report", "fit_calibration", "OpenAICompatibleJudge", "load_interview"):
        assert hasattr(scoring, name)
    with pytest.raises(AttributeError):
        scoring.no_such_name  # noqa: B018
