"""A report that agrees with itself: job match with its shortfall penalty, unanswered
questions, evidence or "none" per dimension, copies credited once, calibration named only
where it changed a score (hireflow.scoring.interview, adjust, copies)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from hireflow.scoring.adjust import NO_EVIDENCE_CAP, finalise_report, rederive_report
from hireflow.scoring.calibration import CompanyCalibration, DimensionCalibration
from hireflow.scoring.copies import Copy, find_copies, shingles
from hireflow.scoring.engine import STORY_EVIDENCE, score_interview
from hireflow.scoring.interview import job_match, with_unanswered
from hireflow.scoring.models import Indicator
from hireflow.scoring.report import Report
from tests.scoring.engine_helpers import (
    OFF_TOPIC_EN,
    STRONG_EN,
    STRONG_ZH,
    VAGUE_EN,
    eval_model,
    eval_questions,
    interview,
)

EIGHT = ("comm_b", "ps_b", "tw_b", "co_b", "la_b", "st_b", "ld_b", "ro_b")


# ------------------------------------------------------------------------------ job match


def test_one_of_four_answered_and_three_unanswered_is_not_a_high_match() -> None:
    model = eval_model()
    four = ("communication", "teamwork", "problem_solving", "customer_orientation")
    scores: dict[str, float | None] = {d.id: None for d in model.dimensions}
    scores.update({"communication": 10.0, "teamwork": 0.0, "problem_solving": 0.0})
    scores["customer_orientation"] = 0.0
    match, coverage = job_match(model, scores)
    assert coverage == pytest.approx(0.5)
    assert match == pytest.approx(5.0)  # 100 · 0.25 · (1 − 0.8)
    assert set(four) <= {d.id for d in model.dimensions}


def test_shortfall_penalty_a_single_far_short_competency_caps_the_match() -> None:
    model = eval_model()  # eight equal weights, required 6-7
    all_met = {d.id: 10.0 for d in model.dimensions}
    assert job_match(model, all_met)[0] == pytest.approx(100.0)
    one_half = dict(all_met, communication=3.5)  # required 7: fit 0.5
    match, _ = job_match(model, one_half)
    # the old mean would say 93.75 %; the penalty keeps it well below "high"
    assert match == pytest.approx(100 * (1 - 0.5 / 8) * (1 - 0.8 * 0.5))
    assert match < 60
    three_short = dict(all_met, communication=5.6, teamwork=4.8, leadership=5.6)
    assert job_match(model, three_short)[0] < 80


@pytest.mark.parametrize("bad", [-3.0, 14.0])
def test_job_match_clips_out_of_range_scores(bad: float) -> None:
    model = eval_model()
    scores = {d.id: 7.0 for d in model.dimensions}
    scores["communication"] = bad
    match, _ = job_match(model, scores)
    assert match is not None and 0.0 <= match <= 100.0


def test_unanswered_scored_questions_count_as_empty_answers() -> None:
    questions = eval_questions()
    only = interview({"comm_b": STRONG_EN})
    asked = replace(only, questions=(questions["comm_b"], questions["tw_b"]))
    filled = with_unanswered(asked)
    assert [(a.question_id, a.text) for a in filled.answers] == [
        ("comm_b", STRONG_EN),
        ("tw_b", ""),
    ]
    assert with_unanswered(filled) is filled
    report = score_interview(asked)
    assert report.dimension("teamwork").score == 0.0
    assert report.job_match is not None and report.job_match < 20
    # the same answers with the second question not asked at all
    assert score_interview(only).job_match == pytest.approx(100.0)


# ----------------------------------------------------------------------------- evidence


def test_every_scored_dimension_quotes_a_sentence_or_says_none() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))
    for d in report.dimensions:
        if not d.assessed or not d.score:
            continue
        if d.evidence:
            assert all(e.quote for e in d.evidence)
        else:
            assert d.score <= NO_EVIDENCE_CAP and d.components["no_evidence"] == 1.0
            assert any(n.code == "no_evidence" for n in report.notes)


def test_a_dimension_without_evidence_is_capped_with_lower_confidence() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN}))
    d = report.dimension("communication")
    assert d.evidence and d.score > NO_EVIDENCE_CAP
    stripped = replace(report, dimensions=(replace(d, evidence=()),))
    final = finalise_report(stripped, eval_model())
    capped = final.dimension("communication")
    assert capped.score == NO_EVIDENCE_CAP and capped.level == NO_EVIDENCE_CAP / 2
    assert capped.confidence == pytest.approx(d.confidence * 0.5, abs=1e-4)
    assert capped.raw_score == d.raw_score
    (note,) = [n for n in final.notes if n.code == "no_evidence"]
    assert "Communication" in note.text["en"] and "沟通" in note.text["zh"]
    assert final.job_match < report.job_match
    assert not any(f.dimension_id == "communication" for f in final.strengths)


def _abstract_indicators(model):
    """The eval model with communication's indicators replaced by wording far from any story."""
    far = (
        Indicator("c.x1", {"en": "Epistemic alignment of discourse", "zh": "话语的认知对齐"}),
        Indicator("c.x2", {"en": "Semiotic coherence", "zh": "符号的一致性"}),
    )
    dims = tuple(
        replace(d, indicators=far) if d.id == "communication" else d for d in model.dimensions
    )
    return replace(model, dimensions=dims)


def test_a_story_far_from_abstract_indicators_quotes_its_own_action_or_result() -> None:
    iv = interview({"comm_b": STRONG_EN})
    iv = replace(iv, model=_abstract_indicators(iv.model))
    report = score_interview(iv)
    d = report.dimension("communication")
    assert not d.components.get("no_evidence"), d.components
    assert d.score > NO_EVIDENCE_CAP
    (quote,) = d.evidence
    assert quote.indicator_id == STORY_EVIDENCE
    assert quote.quote in STRONG_EN
    assert {"action", "result"} & set(quote.star)


def test_an_answer_with_no_story_of_its_own_still_has_no_evidence() -> None:
    iv = interview({"comm_b": OFF_TOPIC_EN})
    iv = replace(iv, model=_abstract_indicators(iv.model))
    d = score_interview(iv).dimension("communication")
    assert not d.evidence
    assert d.score <= NO_EVIDENCE_CAP and d.components["no_evidence"] == 1.0


# ------------------------------------------------------------------------------- copies


def test_shingles_ignore_punctuation_case_and_spacing() -> None:
    assert shingles("Hello, World!") == shingles("hello world")
    assert shingles("") == frozenset()
    assert shingles("ab") == frozenset({"ab"})


def test_find_copies_credits_the_best_and_keeps_distinct_answers() -> None:
    texts = [("q1", STRONG_EN), ("q2", STRONG_EN.upper()), ("q3", VAGUE_EN)]
    copies = find_copies(texts, {"q1": 3.0, "q2": 8.0})
    assert copies == (Copy("q1", "q2", 1.0),)
    assert find_copies([("q1", STRONG_EN), ("q2", STRONG_ZH), ("q3", VAGUE_EN)]) == ()
    # short identical answers ("no idea") are not copies
    assert find_copies([("q1", "No idea."), ("q2", "No idea.")]) == ()
    assert find_copies([]) == ()


def test_a_near_copy_is_found_and_a_shared_sentence_is_not() -> None:
    near = STRONG_EN.replace("five customers", "six clients") + " I would do it again."
    assert [c.question_id for c in find_copies([("a", STRONG_EN), ("b", near)])] == ["b"]
    one_sentence = VAGUE_EN + " " + STRONG_EN.split(". ")[0] + "."
    assert find_copies([("a", STRONG_EN), ("b", one_sentence)]) == ()


@pytest.mark.parametrize("text", [STRONG_EN, STRONG_ZH])
def test_one_answer_pasted_everywhere_is_credited_once_and_flagged(text: str) -> None:
    language = "zh" if text is STRONG_ZH else "en"
    pasted = score_interview(interview(dict.fromkeys(EIGHT, text), language))
    copies = [n for n in pasted.notes if n.code == "copied_answer"]
    assert len(copies) == len(EIGHT) - 1
    assert all(n.text["zh"] and n.text["en"] and n.question_id for n in copies)
    assert len(pasted.extra["copies"]) == len(EIGHT) - 1
    credited = {a.question_id for a in pasted.answers if any(a.dimension_scores.values())}
    assert len(credited) == 1
    (own,) = credited
    alone = score_interview(interview({q: (text if q == own else "") for q in EIGHT}, language))
    assert pasted.job_match == pytest.approx(alone.job_match, abs=0.01)
    assert pasted.job_match < 10
    # the evidence of a copy is never quoted from the questions it was pasted into
    assert {e.question_id for d in pasted.dimensions for e in d.evidence} <= {own}
    print(f"pasted {pasted.job_match:.1f}% vs alone {alone.job_match:.1f}% ({language})")


def test_distinct_answers_are_not_flagged() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))
    assert not any(n.code == "copied_answer" for n in report.notes)
    assert "copies" not in report.extra


# --------------------------------------------------------------------------- calibration


def _calibration(dimension_id: str, shift: float) -> CompanyCalibration:
    from hireflow.scoring.calibration import Agreement

    same = Agreement(n=10, mae=0.0, qwk=1.0)
    dim = DimensionCalibration(
        dimension_id=dimension_id,
        method="isotonic",
        n=10,
        before=same,
        after=same,
        x_thresholds=(0.0, 10.0),
        y_thresholds=(0.0 + shift, 10.0 + shift),
    )
    return CompanyCalibration(
        company_id="c1",
        version="3",
        method="isotonic",
        min_corrections=5,
        corrections=10,
        dimensions={dimension_id: dim},
        skipped={},
    ).activate()


def test_the_calibration_note_names_only_the_dimensions_it_changed() -> None:
    answers = {"comm_b": STRONG_EN, "tw_b": VAGUE_EN}
    moved = score_interview(interview(answers), calibration=_calibration("teamwork", 1.0))
    (note,) = [n for n in moved.notes if n.code == "calibrated"]
    assert "Teamwork" in note.text["en"] and "Communication" not in note.text["en"]
    assert moved.dimension("teamwork").calibrated
    assert not moved.dimension("communication").calibrated
    assert moved.calibration == {"company_id": "c1", "version": "3"}
    # a calibration that changes no score of this interview is not claimed
    idle = score_interview(interview(answers), calibration=_calibration("leadership", 1.0))
    assert not any(n.code == "calibrated" for n in idle.notes)
    assert idle.calibration is None
    assert not any(d.calibrated for d in idle.dimensions)


# ------------------------------------------------------------------------ HR re-derivation


def test_rederivation_uses_the_penalised_job_match() -> None:
    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": STRONG_EN + " Also."}))
    assert isinstance(report, Report)
    final = rederive_report(report, {"communication": 1.0}, eval_model())
    expected, _ = job_match(eval_model(), {d.id: d.score for d in final.dimensions})
    assert final.job_match == expected
    assert final.extra["ai_job_match"] == report.job_match


# ------------------------------------------------- introduction, motivation and closing


INTRO_EN = (
    "My name is Li Wei. I studied economics at Fudan University and then spent three years "
    "in customer service at a bank, where I looked after small business clients. I enjoy "
    "explaining complicated things simply. I am applying because your team builds products "
    "for the same kind of customers, and I want to grow into a product role."
)
INTRO_ZH = (
    "我叫李伟，复旦大学经济学专业毕业，之后在银行做了三年客户服务，主要负责小微企业客户。"
    "我喜欢把复杂的事情讲简单。我申请这个岗位，是因为贵公司的产品面向同样的客户，我希望往产品方向发展。"
)


@pytest.mark.parametrize(("text", "language"), [(INTRO_EN, "en"), (INTRO_ZH, "zh")])
def test_introduction_and_motivation_answers_are_never_called_off_topic(
    text: str, language: str
) -> None:
    from hireflow.scoring.models import question_from_dict

    intro = question_from_dict(
        {
            "id": "intro",
            "kind": "motivation",
            "text": {
                "zh": "请做一个简单的自我介绍，并说说为什么申请这个岗位。",
                "en": "Please introduce yourself and tell us why you applied.",
            },
            "dimensions": ["communication"],
            "time_limit_s": 120,
        }
    )
    closing = question_from_dict(
        {
            "id": "closing",
            "kind": "motivation",
            "text": {"zh": "你还有什么问题想问我们吗？", "en": "Do you have any questions for us?"},
            "dimensions": [],
            "time_limit_s": 60,
        }
    )
    base = interview({"comm_b": STRONG_EN if language == "en" else STRONG_ZH}, language)
    asked = replace(
        base,
        questions=(intro, *base.questions, closing),
        answers=(
            base.answers[0].__class__("intro", text),
            *base.answers,
            base.answers[0].__class__(
                "closing",
                "What does the first month look like?"
                if language == "en"
                else "入职第一个月做什么？",
            ),
        ),
    )
    report = score_interview(asked)
    assert not [f for f in report.follow_ups if f.reason == "off_topic"]
    words = ("off the question", "did not address", "偏离问题")
    for finding in (*report.gaps, *report.strengths):
        for value in finding.text.values():
            assert not any(w in value for w in words)
    # an unscored closing question left unanswered is not counted against the candidate
    no_closing = replace(asked, answers=asked.answers[:-1])
    assert score_interview(no_closing).job_match == report.job_match


def test_a_motivation_answer_off_its_question_still_gets_no_off_topic_label() -> None:
    from hireflow.scoring.analysis import analyse_interview
    from hireflow.scoring.followups import suggest_follow_ups

    base = interview({"comm_b": VAGUE_EN})
    (analysis,) = analyse_interview(base)
    drifted = replace(analysis, features={**analysis.features, "on_topic_share": 0.2})
    texts = {"comm_b": {"en": "Tell us about yourself.", "zh": "请介绍一下你自己。"}}
    scores = {"communication": 2.0}
    behavioural = suggest_follow_ups([drifted], texts, eval_model(), scores)
    assert "off_topic" in [f.reason for f in behavioural]  # the rule itself still works
    motivation = suggest_follow_ups(
        [replace(drifted, kind="motivation")], texts, eval_model(), scores
    )
    assert "off_topic" not in [f.reason for f in motivation]

    report = score_interview(base)
    answer = report.answers[0]
    low = replace(answer, features={**answer.features, "on_topic_share": 0.2})
    as_behavioural = finalise_report(replace(report, answers=(low,)), eval_model())
    as_motivation = finalise_report(
        replace(report, answers=(replace(low, kind="motivation"),)), eval_model()
    )
    gap = next(g for g in as_behavioural.gaps if g.dimension_id == "communication")
    assert "did not address" in gap.text["en"] and "偏离问题" in gap.text["zh"]
    gap = next(g for g in as_motivation.gaps if g.dimension_id == "communication")
    assert "did not address" not in gap.text["en"] and "偏离问题" not in gap.text["zh"]


def test_job_match_properties() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    model = eval_model()
    ids = [d.id for d in model.dimensions]
    required = {d.id: d.required_level for d in model.dimensions}
    score = st.one_of(st.none(), st.floats(0.0, 10.0, allow_nan=False))

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.lists(score, min_size=len(ids), max_size=len(ids)), st.integers(0, len(ids) - 1))
    def check(values: list[float | None], pick: int) -> None:
        scores = dict(zip(ids, values, strict=True))
        match, coverage = job_match(model, scores)
        if all(v is None for v in values):
            assert (match, coverage) == (None, 0.0)
            return
        assert match is not None and 0.0 <= match <= 100.0
        worst = max(
            (1 - min(1.0, v / required[i]) for i, v in scores.items() if v is not None),
            default=0.0,
        )
        # never above what the largest shortfall allows
        assert match <= 100.0 * (1 - 0.8 * worst) + 1e-6
        # raising one assessed score never lowers the match
        if scores[ids[pick]] is not None:
            higher = dict(scores, **{ids[pick]: min(10.0, scores[ids[pick]] + 1.0)})
            assert job_match(model, higher)[0] >= match - 1e-6

    check()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_printable_report_shows_the_ai_score_beside_hr_and_says_when_there_is_no_evidence(
    lang: str,
) -> None:
    from hireflow.scoring.report import render_html

    report = score_interview(interview({"comm_b": STRONG_EN, "tw_b": VAGUE_EN}))
    ai = report.dimension("communication").score
    final = rederive_report(report, {"communication": 2.5}, eval_model())
    page = render_html(final, lang)
    cell = page.split('class="small note ai-score"', 1)[1].split("</span>", 1)[0]
    assert f"{ai:.1f}" in cell and ("AI 原分" if lang == "zh" else "AI") in cell
    d = report.dimension("communication")
    stripped = replace(report, dimensions=(replace(d, evidence=()),))
    capped = render_html(finalise_report(stripped, eval_model()), lang)
    expected = "回答中没有能证明该能力的句子" if lang == "zh" else "No sentence in the answers"
    assert 'class="note no-evidence"' in capped and expected in capped


def test_a_copy_to_a_question_of_the_same_competency_keeps_the_originals_evidence() -> None:
    # comm_b and comm_s both assess communication: whichever the engine quoted the shared
    # sentences from, the credited answer keeps them and the dimension is not "unproven".
    from hireflow.scoring.interview import Answer

    questions = eval_questions()
    # the behavioural question scores the story higher; its id sorts last
    behavioural = replace(questions["comm_b"], id="z_story")
    situational = replace(questions["comm_s"], id="a_plan")
    for order in ((behavioural, situational), (situational, behavioural)):
        base = interview({"comm_b": STRONG_EN})
        asked = replace(
            base,
            questions=order,
            answers=tuple(Answer(q.id, STRONG_EN) for q in order),
        )
        report = score_interview(asked)
        (copy,) = report.extra["copies"]
        d = report.dimension("communication")
        assert d.evidence and not d.components.get("no_evidence")
        assert {e.question_id for e in d.evidence} == {copy["original_id"]}
        assert all(e.question_id == copy["original_id"] for e in report.key_examples)
        assert report.key_examples


def test_copy_detection_of_odd_inputs() -> None:
    punctuation = "!!! ??? ... ——"
    emoji = "👍👍👍 🙂"
    long = STRONG_EN * 40
    texts = [("a", punctuation), ("b", punctuation), ("c", emoji), ("d", ""), ("e", long)]
    # nothing to compare: no letters or digits, or a single long answer
    assert find_copies(texts) == ()
    # a long answer and its first paragraph: the paragraph is a copy of the long one
    found = find_copies([("e", long), ("f", STRONG_EN)], {"e": 5.0, "f": 5.0})
    assert found == (Copy("f", "e", 1.0),)
    # full-width and half-width forms, line breaks and spaces do not hide a copy
    spaced = "\n".join(STRONG_ZH.replace("，", ", ").replace("。", ". "))
    assert [c.question_id for c in find_copies([("a", STRONG_ZH), ("b", spaced)])] == ["b"]
