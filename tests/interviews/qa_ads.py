"""Asking a job ad's candidate questions with the real embedder (SPEC E6), as the question
tests do: one ad by default, another when a test names it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hireflow.interviews.qa import answer_question
from hireflow.interviews.qa_passages import passages_for
from hireflow.scoring.embedding import get_embedder


def asker(description: str, faqs: list[Any], location: str) -> Callable[..., Any]:
    """``ask(question[, description, faqs, location])``: the answer from this ad, its FAQ and
    its location field, unless the call names other ones."""

    def ask(
        question: str, description: str = description, faqs: Any = faqs, location: str = location
    ) -> Any:
        passages = passages_for(description, faqs, location=location)
        return answer_question(question, passages, get_embedder())

    return ask


def quote(result: Any) -> str:
    """The quoted passage of an answered question (fails on any other outcome)."""
    assert result.status == "answered", result
    return result.passage.quote
