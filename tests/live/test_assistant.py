"""The assistant's rules on a plan and utterances, without the database or audio: which
question an interviewer asks, time and evidence hints, and the voice observation that compares
the candidate only with themselves (and is off when the company turned it off)."""

from __future__ import annotations

from hireflow.live import assistant
from hireflow.scoring.models import load_preset, model_to_dict, question_to_dict
from hireflow.scoring.plan import generate_plan
from hireflow.scoring.plan_model import JobSpec


def _plan() -> assistant.Plan:
    model = load_preset(job_type="technical")
    job = JobSpec(
        title="Backend engineer",
        description="Python services",
        job_type="technical",
        skills=("python",),
        language="en",
    )
    plan = generate_plan(job, model, budget_minutes=20, lang="en")
    data = {
        "questions": [question_to_dict(q) for q in plan.questions],
        "model": model_to_dict(model),
    }
    return assistant.Plan.from_room(data, "en")


def _said(i: int, speaker: str, rate: float | None = None, speaking: float = 5.0):
    speech = {"speech_rate": rate, "speaking_time": speaking} if rate else {}
    return assistant.Spoken(i, speaker, "text", None, i * 10.0, i * 10.0 + 5, speech)


def _situation(plan, spoken=(), *, elapsed=0.0, planned=1200.0, asked=(), answers=None, voice=True):
    return assistant.Situation(
        plan, list(spoken), answers or {}, list(asked), elapsed, planned, voice
    )


def test_an_interviewer_reading_a_question_is_recognised_in_either_language():
    plan = _plan()
    question = next(q for q in plan.questions if plan.required(q))
    assert assistant.match_question(plan, "So, " + question.text["en"]) == question.id
    assert assistant.match_question(plan, question.text["zh"] + "请讲讲。") == question.id
    assert assistant.match_question(plan, "Nice weather today, isn't it?") is None


def test_time_hints_name_required_questions_whose_time_has_passed():
    plan = _plan()
    required = [q for q in plan.questions if plan.required(q)]
    early = _situation(plan, [_said(1, "interviewer")], elapsed=30)
    assert assistant.time_hints(early) == []
    late = _situation(plan, [_said(1, "interviewer")], elapsed=1150, asked=[required[0].id])
    kinds = [h.kind for h in assistant.time_hints(late)]
    assert "time" in kinds and "not_asked" in kinds
    assert required[0].id not in {h.question_id for h in assistant.time_hints(late)}


def test_competencies_without_evidence_are_named_after_most_of_the_time():
    plan = _plan()
    assert assistant.evidence_hints(_situation(plan, elapsed=100)) == []
    (hint,) = assistant.evidence_hints(_situation(plan, elapsed=1000))
    assert hint.kind == "no_evidence" and hint.text["en"].startswith("No evidence yet for")
    everything = {d for q in plan.questions for d in q.dimensions}
    covered = {"q": {"evidence": sorted(everything)}}
    assert assistant.evidence_hints(_situation(plan, elapsed=1000, answers=covered)) == []


def test_voice_observation_compares_the_candidate_with_their_own_baseline_only():
    plan = _plan()
    spoken = [
        _said(1, "candidate", 150),
        _said(2, "interviewer", 300),  # the interviewer's pace is not the baseline
        _said(3, "candidate", 140),
        _said(4, "candidate", 200),
    ]
    (hint,) = assistant.voice_hints(_situation(plan, spoken), spoken[-1])
    assert hint.kind == "voice"
    assert "38 % above" in hint.text["en"] and "基线" in hint.text["zh"]
    assert "nervous" not in hint.text["en"].lower() and "紧张" not in hint.text["zh"]
    assert assistant.voice_hints(_situation(plan, spoken, voice=False), spoken[-1]) == []
    steady = [*spoken[:3], _said(4, "candidate", 160)]
    assert assistant.voice_hints(_situation(plan, steady), steady[-1]) == []
    short = [*spoken[:3], _said(4, "candidate", 200, speaking=1.0)]
    assert assistant.voice_hints(_situation(plan, short), short[-1]) == []
