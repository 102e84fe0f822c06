"""Shared helpers for the scoring-engine tests: the evaluation rubric and interview builders."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.models import CompetencyModel, Question, load_model, question_from_dict

EVAL_DIR = Path(__file__).resolve().parents[1] / "data" / "scoring" / "eval"


@cache
def eval_model() -> CompetencyModel:
    return load_model(EVAL_DIR / "model.yaml")


@cache
def eval_questions() -> dict[str, Question]:
    data = yaml.safe_load((EVAL_DIR / "questions.yaml").read_text(encoding="utf-8"))
    return {q["id"]: question_from_dict(q) for q in data}


def interview(
    answers: dict[str, str], language: str = "en", audio: dict[str, dict[str, float]] | None = None
) -> InterviewInput:
    """An interview over the evaluation rubric: ``{question_id: answer_text}``."""
    questions = eval_questions()
    audio = audio or {}
    return InterviewInput(
        language=language,
        model=eval_model(),
        questions=tuple(questions[qid] for qid in answers),
        answers=tuple(Answer(qid, text, audio.get(qid)) for qid, text in answers.items()),
        candidate_ref="test-candidate",
    )


def interview_dict(answers: dict[str, str], language: str = "en") -> dict[str, Any]:
    """The same interview as plain data (what an interview file contains)."""
    from hireflow.scoring.models import question_to_dict

    questions = eval_questions()
    return {
        "language": language,
        "candidate_ref": "test-candidate",
        "questions": [question_to_dict(questions[qid]) for qid in answers],
        "answers": [{"question_id": qid, "text": text} for qid, text in answers.items()],
    }


# Answers used across tests (not part of the evaluation set).
STRONG_EN = (
    "Last year our support team was overwhelmed after we launched a new billing system, and "
    "customers did not understand their invoices. My manager asked me to fix the "
    "communication before the next billing cycle. I interviewed five customers to find out "
    "what confused them, and I rewrote the invoice explanation in plain language with one "
    "worked example. Then I trained the 12 support agents in two 30-minute sessions and asked "
    "each of them to explain an invoice back to me. As a result, billing tickets fell from "
    "about 200 to 70 a week within a month. I learned to start from the listener's questions."
)
STRONG_ZH = (
    "去年我们上线了新的计费系统，客户看不懂账单，客服每天接到大量投诉。领导让我在下个账期前解决沟通问题。"
    "我先访谈了五位客户，弄清楚他们看不懂的地方，然后用通俗的语言重写了账单说明，并配了一个计算示例。"
    "接着我给12名客服做了两次30分钟的培训，并请每个人把账单解释给我听。"
    "结果一个月内账单相关的工单从每周约200张降到了70张。这件事让我明白，沟通要从对方的问题出发。"
)
VAGUE_EN = (
    "I think communication is one of my strengths. I am a people person and I always explain "
    "things clearly. Good communication is the key to success in any team."
)
VAGUE_ZH = "我觉得自己沟通能力比较强，性格开朗，跟谁都聊得来。我认为沟通最重要的是真诚和耐心。"
WE_ONLY_EN = (
    "We had a project to launch a new customer portal last year. We worked very hard on it. "
    "We organised workshops with the customers and we prepared a lot of training material. "
    "We also explained the new features to the sales team."
)
WE_ONLY_ZH = (
    "去年我们做了一个新的客户门户项目。我们团队非常努力，我们组织了好几次客户座谈会，"
    "我们还准备了很多培训材料，也给销售团队讲解了新功能。"
)
OFF_TOPIC_EN = (
    "I am looking for a new job because my commute is very long. I also hope the salary here "
    "is higher. In my free time I like hiking and photography."
)
