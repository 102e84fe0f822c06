"""A bank question as an interview plan question (SPEC E8).

A coding question is an ordinary ``technical`` plan question tagged ``coding:<bank id>``, so
plans, the scoring engine and the record read it like any other; the statement, starter code
and examples come from the bank when the candidate opens it. Its texts are the plan's data in
zh, en and ja; its key points are what the result line of a graded
submission says (``interviews.coding.result_line``), so the engine quotes that line.
"""

from __future__ import annotations

from typing import Any

from hireflow.coding.questions import bank, get_question, text_key
from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for

TAG = "coding"
TAG_PREFIX = "coding:"
TIME_LIMIT_S = 1800  # a coding question's clock: the plan format's longest
PLAN_LANGUAGES = {"zh": "zh-CN", "en": "en", "ja": "ja"}
# Dimensions a coding question is scored on when HR names none, best first.
TECHNICAL_DIMENSIONS = ("technical_depth", "coding", "problem_solving")
KEY_POINTS = (
    N_("passed all of the tests"),
    N_("run time grows like the reference solution's"),
)
RATIONALE = N_(
    "A coding exercise run in a sandbox: correctness on hidden tests and run time against a "
    "reference solution."
)


def coding_id_of(question: dict[str, Any]) -> str | None:
    """The bank id of a plan question that is a coding question, else None."""
    for tag in question.get("tags") or ():
        if isinstance(tag, str) and tag.startswith(TAG_PREFIX):
            return tag[len(TAG_PREFIX) :]
    return None


def bank_choices(language: str) -> list[tuple[str, str]]:
    """(id, title) of every question of the bank, for HR's plan editor."""
    lang = text_key(language)
    return [(qid, q.title.get(lang) or q.title["en"]) for qid, q in sorted(bank().items())]


def technical_dimension(dimension_ids: tuple[str, ...]) -> str:
    """The model's dimension a coding question assesses by default."""
    for wanted in TECHNICAL_DIMENSIONS:
        if wanted in dimension_ids:
            return wanted
    return dimension_ids[0] if dimension_ids else ""


def plan_question(bank_id: str, dimension: str) -> dict[str, Any]:
    """The plan entry asking the bank's question ``bank_id``, scored on ``dimension``
    (``LookupError`` for an id not in the bank)."""
    question = get_question(bank_id)
    texts = {key: gettext_for(lang) for key, lang in PLAN_LANGUAGES.items()}
    return {
        "id": f"coding-{bank_id}",
        "kind": "technical",
        "text": dict(question.title),
        "dimensions": [dimension],
        "time_limit_s": TIME_LIMIT_S,
        "reference_answers": {},
        "key_points": {key: [_(p) for p in KEY_POINTS] for key, _ in texts.items()},
        "rationale": {key: _(RATIONALE) for key, _ in texts.items()},
        "tags": [TAG, f"{TAG_PREFIX}{bank_id}"],
    }
