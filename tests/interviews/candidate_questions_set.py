"""The labelled candidate-question set (tests/data/interviews/candidate_questions/) and how an
answer is judged against it; shared by tests/interviews/test_qa.py and
bench/candidate_questions.py. See the set's README for the rules."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from hireflow.interviews.qa import QaResult, answer_question
from hireflow.interviews.qa_passages import Passage, passages_for
from hireflow.scoring.embedding import get_embedder

SET_DIR = Path(__file__).resolve().parents[1] / "data" / "interviews" / "candidate_questions"


@dataclass(frozen=True)
class LabelledQuestion:
    id: str
    opening: str
    lang: str
    question: str
    kind: str
    expected: Any  # "forward" or a list of acceptable answers (str, or list[str]: all of them)
    split: str


@cache
def openings() -> dict[str, dict[str, Any]]:
    """Openings by id (both files), each with its company's FAQ as ``faqs``."""
    out = {}
    for name in (
        "openings.yaml",
        "openings_dev2.yaml",
        "openings_test2.yaml",
        "openings_dev3.yaml",
        "openings_dev5.yaml",
        "openings_dev6.yaml",
        "openings_test3.yaml",
        "openings_test4.yaml",
        "openings_dev7.yaml",
        "openings_test5.yaml",
        "openings_test6.yaml",
        "openings_test7.yaml",
    ):
        data = yaml.safe_load((SET_DIR / name).read_text(encoding="utf-8"))
        for opening in data["openings"]:
            faq = data["companies"][opening["company"]]["faq"]
            out[opening["id"]] = {
                **opening,
                "faqs": [(f["id"], f["question"], f["answer"]) for f in faq],
            }
    return out


@cache
def questions() -> tuple[LabelledQuestion, ...]:
    """Every labelled question: splits ``dev`` and ``test``, then ``dev2``, ``test2``, ``dev3``, ``dev4``, ``dev5``, ``dev6``, ``test3``, ``test4``, ``dev7``, ``test5``, ``test6`` and ``test7``."""
    out = []
    for name in (
        "questions.jsonl",
        "questions_dev2.jsonl",
        "questions_test2.jsonl",
        "questions_dev3.jsonl",
        "questions_dev4.jsonl",
        "questions_dev5.jsonl",
        "questions_dev6.jsonl",
        "questions_test3.jsonl",
        "questions_test4.jsonl",
        "questions_dev7.jsonl",
        "questions_test5.jsonl",
        "questions_test6.jsonl",
        "questions_test7.jsonl",
    ):
        lines = (SET_DIR / name).read_text(encoding="utf-8").splitlines()
        out += [LabelledQuestion(**json.loads(line)) for line in lines if line.strip()]
    return tuple(out)


def opening_passages(opening_id: str) -> list[Passage]:
    """The passages of one labelled opening, as the interview cuts them."""
    opening = openings()[opening_id]
    return passages_for(
        opening["description"],
        opening["faqs"],
        location=opening["location"],
        title=opening["title"],
    )


def ask(opening_id: str, question: str) -> QaResult:
    """The answer to ``question`` during an interview for a labelled opening."""
    return answer_question(question, opening_passages(opening_id), get_embedder())


def _acceptable(quote: str, answer: str | list[str]) -> bool:
    parts = [answer] if isinstance(answer, str) else list(answer)
    size = sum(len(p) for p in parts)
    return all(p in quote for p in parts) and len(quote) <= max(3 * size, size + 200)


def judge(item: LabelledQuestion, status: str, quote: str | None) -> str:
    """``correct``, ``wrong`` (answered, but not with an acceptable passage) or ``missed``
    (forwarded although the set says what answers it)."""
    if status != "answered":
        return "correct" if item.expected == "forward" else "missed"
    if item.expected == "forward":
        return "wrong"
    return "correct" if any(_acceptable(quote or "", a) for a in item.expected) else "wrong"


@dataclass(frozen=True)
class Figures:
    n: int
    correct: int
    wrong: int
    missed: int

    @property
    def top1(self) -> float:
        return self.correct / self.n if self.n else 0.0

    @property
    def wrong_rate(self) -> float:
        return self.wrong / self.n if self.n else 0.0


def figures(outcomes: Iterable[str]) -> Figures:
    items = list(outcomes)
    return Figures(len(items), items.count("correct"), items.count("wrong"), items.count("missed"))
