"""What the engine scores: one interview's questions and the candidate's answers.

An interview file (JSON or YAML) looks like::

    {"language": "zh", "candidate_ref": "c-102",
     "questions": [{"id": "q1", "kind": "behavioural", "text": {"zh": "...", "en": "..."},
                    "dimensions": ["communication"], "time_limit_s": 180}],
     "answers": [{"question_id": "q1", "text": "...",
                  "audio_features": {"speech_rate_wpm": 140, "pause_ratio": 0.12}}]}

Questions use the fields of :class:`hireflow.scoring.models.Question`; the competency model
comes separately (a job's model is stored with the job, not with each interview).
Validation collects every problem and names its field (``answers[2].question_id``), like
the model loader does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hireflow.scoring.coding import CodingOutcome, outcome_from_dict, outcome_to_dict
from hireflow.scoring.models import (
    CompetencyModel,
    FieldError,
    ModelError,
    Question,
    question_from_dict,
    question_to_dict,
    read_structured_file,
)
from hireflow.scoring.text import engine_language

__all__ = [
    "Answer",
    "InterviewError",
    "InterviewInput",
    "interview_from_dict",
    "interview_to_dict",
    "job_match",
    "load_interview",
    "with_unanswered",
]

# Voice features arrive from the transcriber; they are observations, never inputs to a score.
_INTERVIEW_FIELDS = ("language", "candidate_ref", "questions", "answers")
# ``coding``: a coding answer's grading (hireflow.scoring.coding), which decides its level.
_ANSWER_FIELDS = ("question_id", "text", "audio_features", "coding")


@dataclass(frozen=True)
class Answer:
    """The candidate's answer to one question (text, or a transcript of speech)."""

    question_id: str
    text: str
    audio_features: dict[str, float] | None = None
    coding: CodingOutcome | None = None


@dataclass(frozen=True)
class InterviewInput:
    """Everything the engine needs to score one interview; no database, no I/O."""

    language: str
    model: CompetencyModel
    questions: tuple[Question, ...]
    answers: tuple[Answer, ...]
    candidate_ref: str = ""
    warnings: tuple[FieldError, ...] = field(default=(), compare=False, repr=False)

    def question(self, question_id: str) -> Question:
        """The question with this id; KeyError if the interview has none."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(question_id)


class InterviewError(ModelError):
    """An interview that cannot be scored; ``errors`` names each bad field."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors, what="interview")


def _kind(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: "a text", type(None): "empty"}.get(
        type(value), type(value).__name__
    )


def interview_from_dict(data: Any, model: CompetencyModel) -> InterviewInput:
    """Validate plain data into an :class:`InterviewInput`; raises :class:`InterviewError`."""
    errors: list[FieldError] = []
    warnings: list[FieldError] = []
    if not isinstance(data, Mapping):
        raise InterviewError([FieldError("", f"an interview must be a mapping, not {_kind(data)}")])
    for key in data:
        if key not in _INTERVIEW_FIELDS:
            errors.append(
                FieldError(
                    str(key), f"unknown field (expected one of: {', '.join(_INTERVIEW_FIELDS)})"
                )
            )

    raw_language = data.get("language")
    language = "zh"
    if not isinstance(raw_language, str) or not raw_language.strip():
        errors.append(FieldError("language", "is required (e.g. 'zh' or 'en')"))
    else:
        language = engine_language(raw_language)
        if raw_language.strip().lower().split("-")[0].split("_")[0] not in ("zh", "en"):
            warnings.append(
                FieldError("language", f"{raw_language!r} is scored with the English models")
            )

    candidate_ref = data.get("candidate_ref", "")
    if candidate_ref is None:
        candidate_ref = ""
    if not isinstance(candidate_ref, str):
        errors.append(FieldError("candidate_ref", f"must be a text, not {_kind(candidate_ref)}"))
        candidate_ref = ""

    raw_questions = data.get("questions")
    questions = _questions(raw_questions, model, errors)
    # An answer to an unknown question is reported only when there are questions at all.
    given = isinstance(raw_questions, list) and bool(raw_questions)
    answers = _answers(data.get("answers"), {q.id for q in questions} if given else None, errors)

    if errors:
        raise InterviewError(errors)
    return InterviewInput(
        language=language,
        model=model,
        questions=tuple(questions),
        answers=tuple(answers),
        candidate_ref=candidate_ref.strip(),
        warnings=tuple(warnings),
    )


def _questions(
    raw_questions: Any, model: CompetencyModel, errors: list[FieldError]
) -> list[Question]:
    """The interview's questions, each valid and with an id of its own; problems go to
    ``errors``."""
    questions: list[Question] = []
    if not isinstance(raw_questions, list) or not raw_questions:
        errors.append(FieldError("questions", "is required (a non-empty list of questions)"))
        raw_questions = []
    seen_questions: dict[str, int] = {}
    for i, raw in enumerate(raw_questions):
        try:
            question = question_from_dict(
                raw, location=f"questions[{i}]", known_dimensions=model.dimension_ids
            )
        except ModelError as exc:
            errors.extend(exc.errors)
            continue
        if question.id in seen_questions:
            errors.append(
                FieldError(
                    f"questions[{i}].id",
                    f"{question.id!r} is already used by questions[{seen_questions[question.id]}]",
                )
            )
            continue
        seen_questions[question.id] = i
        questions.append(question)
    return questions


def _answers(raw_answers: Any, known: set[str] | None, errors: list[FieldError]) -> list[Answer]:
    """The answers, one per known question at most; problems go to ``errors``."""
    answers: list[Answer] = []
    if not isinstance(raw_answers, list):
        errors.append(FieldError("answers", f"is required (a list), not {_kind(raw_answers)}"))
        raw_answers = []
    answered: dict[str, int] = {}
    for i, raw in enumerate(raw_answers):
        loc = f"answers[{i}]"
        if not isinstance(raw, Mapping):
            errors.append(FieldError(loc, f"must be a mapping, not {_kind(raw)}"))
            continue
        for key in raw:
            if key not in _ANSWER_FIELDS:
                errors.append(
                    FieldError(
                        f"{loc}.{key}",
                        f"unknown field (expected one of: {', '.join(_ANSWER_FIELDS)})",
                    )
                )
        qid = raw.get("question_id")
        if not isinstance(qid, str) or not qid.strip():
            errors.append(FieldError(f"{loc}.question_id", "is required (a question id)"))
            continue
        if known is not None and qid not in known:
            errors.append(FieldError(f"{loc}.question_id", f"unknown question {qid!r}"))
        if qid in answered:
            errors.append(
                FieldError(
                    f"{loc}.question_id", f"{qid!r} is already answered in answers[{answered[qid]}]"
                )
            )
        answered[qid] = i
        text = raw.get("text", "")
        if text is None:
            text = ""
        if not isinstance(text, str):
            errors.append(FieldError(f"{loc}.text", f"must be a text, not {_kind(text)}"))
            text = ""
        audio = _audio_features(raw.get("audio_features"), f"{loc}.audio_features", errors)
        graded = None
        if raw.get("coding") is not None:
            try:
                graded = outcome_from_dict(raw["coding"])
            except ValueError as exc:
                errors.append(FieldError(f"{loc}.coding", str(exc)))
        answers.append(Answer(question_id=qid, text=text, audio_features=audio, coding=graded))
    return answers


def _audio_features(value: Any, loc: str, errors: list[FieldError]) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        errors.append(FieldError(loc, f"must be a mapping of name to number, not {_kind(value)}"))
        return None
    result: dict[str, float] = {}
    for key, item in value.items():
        if isinstance(item, bool) or not isinstance(item, int | float) or not math.isfinite(item):
            errors.append(FieldError(f"{loc}.{key}", "must be a finite number"))
            continue
        result[str(key)] = float(item)
    return result


def load_interview(
    source: str | Path | Mapping[str, Any], model: CompetencyModel
) -> InterviewInput:
    """Load and validate an interview from a JSON/YAML file or a dict."""
    if isinstance(source, str | Path):
        try:
            data = read_structured_file(Path(source), what="interview")
        except ModelError as exc:
            raise InterviewError(exc.errors) from None
    else:
        data = source
    return interview_from_dict(data, model)


def interview_to_dict(interview: InterviewInput) -> dict[str, Any]:
    """Plain data that :func:`load_interview` reads back (with the same model)."""
    return {
        "language": interview.language,
        "candidate_ref": interview.candidate_ref,
        "questions": [question_to_dict(q) for q in interview.questions],
        "answers": [
            {
                "question_id": a.question_id,
                "text": a.text,
                **({"audio_features": dict(a.audio_features)} if a.audio_features else {}),
                **({"coding": outcome_to_dict(a.coding)} if a.coding else {}),
            }
            for a in interview.answers
        ],
    }


# ---------------------------------------------------------------------------- job match

# How strongly the largest single shortfall pulls job match down (docs/scoring.md).
SHORTFALL_PENALTY = 0.8


def job_match(
    model: CompetencyModel, scores: Mapping[str, float | None]
) -> tuple[float | None, float]:
    """Job match % and the share of the model's weight that was assessed.

    With ``fit_d = min(1, s_d / r_d)`` (``s_d / 10`` when a dimension has no required level)
    and weights renormalised over the assessed dimensions::

        S     = Σ w_d · (1 − fit_d)                 (weighted shortfall, 0..1)
        m     = max over required dimensions of (1 − fit_d)
        match = 100 · (1 − S) · (1 − 0.8 · m)

    The second factor is the shortfall penalty: an average cannot hide one required
    competency far below its level. One of four equal competencies answered and three left
    unanswered (scored 0) gives ``S = 0.75, m = 1``: 5 %, not the 100 % an average over the
    answered one alone gave. A dimension no question assessed (None) is left out and
    reported through the coverage; an unanswered question is not "no question": the caller
    scores it 0 (:func:`with_unanswered`).
    """
    weights = model.normalised_weights()
    assessed = [d for d in model.dimensions if scores.get(d.id) is not None]
    coverage = math.fsum(weights[d.id] for d in assessed)
    if not assessed or coverage <= 0:
        return None, 0.0
    shortfall = 0.0
    largest = 0.0
    for d in assessed:
        score = max(0.0, min(10.0, float(scores[d.id])))  # type: ignore[arg-type]
        if d.required_level > 0:
            fit = min(1.0, score / d.required_level)
            largest = max(largest, 1.0 - fit)
        else:
            fit = score / 10.0
        shortfall += weights[d.id] / coverage * (1.0 - fit)
    match = 100.0 * max(0.0, 1.0 - shortfall) * (1.0 - SHORTFALL_PENALTY * largest)
    return round(match, 4) + 0.0, round(coverage, 4) + 0.0


def with_unanswered(interview: InterviewInput) -> InterviewInput:
    """The interview with an empty answer for every scored question nobody answered.

    A question that was asked but left unanswered is no evidence of its competency, and
    scores 0 like an empty answer; leaving it out would let job match average over the
    answered questions only. Questions that assess no dimension (an introduction, "any
    questions?") are not added: there is nothing to score.
    """
    answered = {a.question_id for a in interview.answers}
    missing = tuple(
        Answer(question_id=q.id, text="")
        for q in interview.questions
        if q.id not in answered and q.dimensions
    )
    if not missing:
        return interview
    order = {q.id: i for i, q in enumerate(interview.questions)}
    answers = sorted(
        (*interview.answers, *missing), key=lambda a: order.get(a.question_id, len(order))
    )
    return replace(interview, answers=tuple(answers))
