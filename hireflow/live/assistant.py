"""What the assistant makes of a live call: the plan checklist and the hints.

Everything here reads the room's plan (the opening's questions and competency model, as the AI
interview uses them) and the utterances transcribed so far; nothing writes. The engine's own
analysis (:mod:`hireflow.scoring.analysis`) and follow-up rules (:mod:`hireflow.scoring.followups`)
judge each answer as they judge an AI interview answer, so a live hint and a report's follow-up
question say the same thing about the same answer.

Hints (each shown once per room, identified by ``key``):

* ``follow_up``: the answer lacks the candidate's own action, the result, or concrete detail,
  or is off topic: the engine's follow-up question, drawn from the answer;
* ``not_answered``: HR moved on from a question the candidate did not answer;
* ``not_asked``: a required question whose planned time has passed and that was not asked;
* ``no_evidence``: past 60 % of the planned time, competencies without any evidence yet;
* ``time``: the required questions not yet asked need more time than is left;
* ``voice``: the candidate's speech rate against their own baseline in this call, as a fact
  (never an emotion, never scored; off when the company switched observations off).
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.interviews.transcript import join_segments
from hireflow.scoring.analysis import AnswerAnalysis, analyse_interview
from hireflow.scoring.embedding import Embedder
from hireflow.scoring.followups import suggest_follow_ups
from hireflow.scoring.interview import Answer, InterviewInput
from hireflow.scoring.models import CompetencyModel, Question, load_model, localised
from hireflow.scoring.models import question_from_dict as _question_from_dict
from hireflow.scoring.plan_model import PER_QUESTION_OVERHEAD_S

HINT_LANGUAGES = {"zh": "zh-CN", "en": "en", "ja": "ja"}
# Warm-ups, motivation and closing questions help the conversation; the others assess a
# competency and are required.
OPTIONAL_KINDS = frozenset({"motivation", "introduction", "closing", "warmup"})
MATCH_SHARE = 0.45  # share of a question's words an interviewer's utterance must say
VOICE_CHANGE = 0.30  # speech rate this far from the baseline is worth mentioning
VOICE_MIN_SPEAKING_S = 2.0  # shorter utterances give no usable rate
NO_EVIDENCE_AFTER = 0.6  # of the planned time
FOLLOW_UP_REASONS = frozenset({"we_only", "no_result", "vague", "off_topic", "project_roi"})
NOT_ANSWERED = frozenset({"empty", "unsupported_language", "off_topic"})


@dataclass(frozen=True)
class Spoken:
    """One utterance as the assistant needs it."""

    id: int
    speaker: str
    text: str
    question_id: str | None
    start_s: float
    end_s: float
    speech: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Hint:
    key: str
    kind: str
    question_id: str | None
    text: dict[str, str]

    def to_json(self) -> str:
        return json.dumps(self.text, ensure_ascii=False)


@dataclass(frozen=True)
class Plan:
    """The room's plan, read once per request."""

    language: str
    model: CompetencyModel
    questions: tuple[Question, ...]

    @classmethod
    def from_room(cls, plan: dict[str, Any], language: str) -> Plan:
        model = load_model(plan["model"])
        questions = tuple(_question_from_dict(q) for q in plan.get("questions", []))
        return cls(language, model, questions)

    def question(self, question_id: str | None) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def required(self, question: Question) -> bool:
        return question.kind not in OPTIONAL_KINDS


def messages(msgid: str, **params: Any) -> dict[str, str]:
    """The msgid in every hint language (a hint is stored and read later in any of them)."""
    return {key: gettext_for(lang)(msgid) % params for key, lang in HINT_LANGUAGES.items()}


# ----------------------------------------------------------------------- which question


_EN_WORD = re.compile(r"[a-z][a-z'-]{2,}")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_STOP = frozenset(
    [
        "the",
        "and",
        "you",
        "your",
        "what",
        "how",
        "did",
        "was",
        "were",
        "have",
        "has",
        "with",
        "for",
        "that",
        "this",
        "about",
        "tell",
        "give",
        "time",
        "when",
        "which",
        "who",
        "why",
        "can",
        "could",
        "would",
        "from",
        "into",
        "our",
        "out",
        "one",
    ]
)


def _terms(text: str) -> set[str]:
    lowered = text.lower()
    words = {w for w in _EN_WORD.findall(lowered) if w not in _STOP}
    han = "".join(_HAN.findall(lowered))
    return words | {han[i : i + 2] for i in range(len(han) - 1)}


def match_question(plan: Plan, text: str) -> str | None:
    """The plan question an interviewer's utterance asks: the one whose words it says most
    (at least :data:`MATCH_SHARE` of them), in any of the question's languages."""
    said = _terms(text)
    if not said:
        return None
    best, best_share = None, 0.0
    for question in plan.questions:
        for wording in question.text.values():
            wanted = _terms(wording)
            if not wanted:
                continue
            share = len(wanted & said) / len(wanted)
            if share > best_share:
                best, best_share = question.id, share
    return best if best_share >= MATCH_SHARE else None


# ----------------------------------------------------------------------- one answer


def answer_texts(spoken: Sequence[Spoken]) -> dict[str, str]:
    """The candidate's words per question, in order."""
    out: dict[str, list[str]] = {}
    for item in spoken:
        if item.speaker == "candidate" and item.question_id and item.text:
            out.setdefault(item.question_id, []).append(item.text)
    # Chinese lines join without a space ("我负责平台。后来"), others with one.
    return {qid: join_segments(parts) for qid, parts in out.items()}


def analyse_answer(
    plan: Plan, question_id: str, text: str, embedder: Embedder, use_learned: bool
) -> AnswerAnalysis:
    question = plan.question(question_id)
    if question is None:
        raise KeyError(question_id)
    interview = InterviewInput(
        language=plan.language,
        model=plan.model,
        questions=(question,),
        answers=(Answer(question_id, text),),
    )
    return analyse_interview(interview, embedder, use_learned=use_learned)[0]


def answer_state(plan: Plan, analysis: AnswerAnalysis) -> tuple[dict[str, Any], list[Hint]]:
    """What the checklist keeps of an analysed answer (its status, the competencies it gave
    evidence for, the reasons to follow up: no quotes, it is stored in clear) and the
    engine's follow-up questions as hints (they may quote the answer)."""
    on_topic = [s for s in analysis.sentences if s.on_topic]
    status = analysis.status
    if status == "ok" and (not on_topic or analysis.features.get("on_topic_share", 1) < 0.5):
        status = "off_topic" if analysis.kind != "motivation" else "ok"
    evidence = [
        e.dimension_id
        for e in analysis.dimension_evidence
        if e.addresses and any(i.quoted for i in e.indicators)
    ]
    hints = []
    # No dimension scores yet: only the per-answer rules fire, not the report's gap ones.
    for item in suggest_follow_ups([analysis], {}, plan.model, {}):
        if item.reason not in FOLLOW_UP_REASONS:
            continue
        text = dict(item.text)
        text.setdefault("ja", text.get("en", ""))
        key = f"fu:{analysis.question_id}:{item.reason}"
        hints.append(Hint(key, "follow_up", analysis.question_id, text))
    state = {
        "status": status,
        "evidence": evidence if status == "ok" else [],
        "follow_ups": [h.key.rsplit(":", 1)[1] for h in hints],
    }
    return state, hints


# ----------------------------------------------------------------------- the hints


@dataclass
class Situation:
    """The room as the hint rules see it after one more utterance."""

    plan: Plan
    spoken: Sequence[Spoken]
    answers: dict[str, dict[str, Any]]  # question id -> answer_state()
    asked: list[str]  # question ids in the order they were first asked
    elapsed_s: float
    planned_s: float
    voice: bool


def _question_text(plan: Plan, question_id: str) -> dict[str, str]:
    question = plan.question(question_id)
    return dict(question.text) if question else {}


def _localised_param(msgid: str, per_lang: Callable[[str], dict[str, Any]]) -> dict[str, str]:
    return {key: gettext_for(lang)(msgid) % per_lang(key) for key, lang in HINT_LANGUAGES.items()}


def not_answered_hints(situation: Situation, left: str) -> list[Hint]:
    """HR moved on from ``left``: a hint when the candidate said nothing to the point."""
    state = situation.answers.get(left)
    if state is not None and state.get("status") not in NOT_ANSWERED:
        return []
    words = _question_text(situation.plan, left)
    text = _localised_param(
        N_("The candidate did not answer the question “%(question)s”. Follow up."),
        lambda key: {"question": localised(words, key)},
    )
    return [Hint(f"na:{left}", "not_answered", left, text)]


def _question_param(words: dict[str, str]) -> Callable[[str], dict[str, Any]]:
    def param(key: str) -> dict[str, Any]:
        return {"question": localised(words, key)}

    return param


def _planned_seconds(question: Question) -> int:
    return question.time_limit_s + PER_QUESTION_OVERHEAD_S


def time_hints(situation: Situation) -> list[Hint]:
    plan = situation.plan
    out: list[Hint] = []
    cumulative = 0.0
    unasked: list[Question] = []
    for question in plan.questions:
        cumulative += _planned_seconds(question)
        if not plan.required(question) or question.id in situation.asked:
            continue
        unasked.append(question)
        if situation.elapsed_s > cumulative and situation.spoken:
            text = _localised_param(
                N_("Required question not asked yet: “%(question)s”."),
                _question_param(dict(question.text)),
            )
            out.append(Hint(f"nq:{question.id}", "not_asked", question.id, text))
    left = situation.planned_s - situation.elapsed_s
    needed = sum(_planned_seconds(q) for q in unasked)
    if unasked and needed > max(left, 0):
        minutes = max(0, round(left / 60))
        text = messages(
            N_("%(minutes)s min left; %(count)s required questions need about %(needed)s min."),
            minutes=minutes,
            count=len(unasked),
            needed=round(needed / 60),
        )
        out.append(Hint(f"time:{len(unasked)}", "time", None, text))
    return out


def uncovered(situation: Situation) -> list[str]:
    """Competencies of the plan without evidence in any answer so far."""
    planned = {d for q in situation.plan.questions for d in q.dimensions}
    found = {d for state in situation.answers.values() for d in state.get("evidence", [])}
    return [d.id for d in situation.plan.model.dimensions if d.id in planned and d.id not in found]


def evidence_hints(situation: Situation) -> list[Hint]:
    if situation.planned_s <= 0 or situation.elapsed_s < NO_EVIDENCE_AFTER * situation.planned_s:
        return []
    missing = uncovered(situation)
    if not missing:
        return []
    dims = {d.id: d for d in situation.plan.model.dimensions}
    text = _localised_param(
        N_("No evidence yet for: %(competencies)s."),
        lambda key: {"competencies": ", ".join(localised(dims[m].name, key) for m in missing)},
    )
    return [Hint("ne:" + ",".join(missing), "no_evidence", None, text)]


def voice_hints(situation: Situation, latest: Spoken) -> list[Hint]:
    """Speech rate against the candidate's own median rate in this call, as a fact."""
    if not situation.voice or latest.speaker != "candidate":
        return []
    rate = _rate(latest)
    if rate is None:
        return []
    others = [s for s in situation.spoken if s.speaker == "candidate" and s.id != latest.id]
    earlier = [r for r in map(_rate, others) if r is not None]
    if len(earlier) < 2:
        return []
    baseline = statistics.median(earlier)
    change = rate / baseline - 1
    if abs(change) < VOICE_CHANGE:
        return []
    msgid = (
        N_("Observation: speech rate %(percent)s %% above this candidate's own baseline.")
        if change > 0
        else N_("Observation: speech rate %(percent)s %% below this candidate's own baseline.")
    )
    text = messages(msgid, percent=round(abs(change) * 100))
    return [Hint(f"voice:{latest.id}", "voice", None, text)]


def _rate(item: Spoken) -> float | None:
    rate = item.speech.get("speech_rate")
    speaking = item.speech.get("speaking_time") or 0
    if not isinstance(rate, int | float) or speaking < VOICE_MIN_SPEAKING_S:
        return None
    return float(rate) if rate > 0 else None
