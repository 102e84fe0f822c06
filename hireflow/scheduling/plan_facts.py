"""What candidates are told about an AI interview, derived from its plan and nothing else.

The invitation, the link page's guide, the consent screen and the question screen all state
how many questions there are, how long the interview takes, each question's time limit and
what to prepare. Each of them reads these facts from the interview's own questions (the plan
frozen when the invitation is sent), so they cannot contradict each other, and a 90-second
limit reads "1 min 30 s", never a rounded "2 minutes".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for

# Reading a question and getting ready, per question, on top of its answer time: the same
# allowance the plan generator budgets with, so "about N minutes" matches the opening's plan.
from hireflow.scoring.models import localised
from hireflow.scoring.plan_model import PER_QUESTION_OVERHEAD_S

DEFAULT_TIME_LIMIT_S = 180

# Question kinds that ask for code to be written or run. The engine has none yet (SPEC E8);
# when it gains one, listing it here makes every message tell candidates to prepare for it.
CODING_KINDS: frozenset[str] = frozenset({"coding"})

# Minutes only, minutes and seconds, seconds only; ``{m}`` and ``{s}`` stay braces because
# the interview page's script fills the same patterns.
_UNITS = (N_("{m} min"), N_("{m} min {s} s"), N_("{s} s"))
_RANGE = N_("{a} to {b}")


def _lang(language: str) -> str:
    tag = (language or "").lower()
    if tag.startswith("zh"):
        return "zh-CN"
    if tag.startswith("ja"):
        return "ja"
    return "en"


def duration_units(language: str) -> tuple[str, str, str]:
    """The three patterns :func:`format_seconds` uses (for the page's script too)."""
    only_minutes, both, only_seconds = (gettext_for(_lang(language))(u) for u in _UNITS)
    return only_minutes, both, only_seconds


def format_seconds(seconds: float, language: str) -> str:
    """``90`` → "1 min 30 s" / "1 分 30 秒" / "1分30秒"; whole minutes stay whole."""
    seconds = max(0, round(seconds))
    minutes, rest = divmod(seconds, 60)
    only_minutes, both, only_seconds = duration_units(language)
    if minutes and rest:
        return both.format(m=minutes, s=rest)
    if minutes:
        return only_minutes.format(m=minutes)
    return only_seconds.format(s=rest)


@dataclass(frozen=True)
class PlanFacts:
    """The statements about an interview that candidates read."""

    questions: int
    limits: tuple[int, ...]  # each question's answer time, seconds
    technical: int  # questions on technical knowledge (answered in words)
    coding: int  # questions that need code written or run

    @property
    def answer_seconds(self) -> int:
        return sum(self.limits)

    @property
    def minutes(self) -> int:
        """The whole interview: answer time plus reading time per question, rounded up."""
        total = self.answer_seconds + PER_QUESTION_OVERHEAD_S * self.questions
        return max(1, math.ceil(total / 60)) if self.questions else 0

    def time_limits(self, language: str) -> str:
        """ "3 min" when every question has the same limit, else "1 min 30 s to 3 min"."""
        if not self.limits:
            return ""
        low, high = min(self.limits), max(self.limits)
        if low == high:
            return format_seconds(low, language)
        return gettext_for(_lang(language))(_RANGE).format(
            a=format_seconds(low, language), b=format_seconds(high, language)
        )


def facts_of(questions: Iterable[dict[str, Any]]) -> PlanFacts:
    """The facts of an interview's questions (``InterviewSession.questions`` or a plan's)."""
    items = [q for q in questions if isinstance(q, dict)]
    limits = tuple(int(q.get("time_limit_s") or DEFAULT_TIME_LIMIT_S) for q in items)
    kinds = [str(q.get("kind", "")) for q in items]
    return PlanFacts(
        questions=len(items),
        limits=limits,
        technical=sum(1 for k in kinds if k == "technical"),
        coding=sum(1 for k in kinds if k in CODING_KINDS),
    )


def competency_names(model: Any, language: str) -> list[str]:
    """The competencies of a model in the reader's language (names are {zh, en} texts, or
    plain text in a model HR typed), never the raw mapping."""
    lang = "zh" if (language or "").lower().startswith("zh") else "en"
    names = []
    for item in (model or {}).get("dimensions", []) if isinstance(model, dict) else []:
        name = item.get("name") if isinstance(item, dict) else None
        if isinstance(name, dict):
            names.append(localised(name, lang))
        elif name:
            names.append(str(name))
    return names
