"""Distinct interview answers for speed benches, so no figure rests on cache hits.

Each call returns a different text: an answer of the graded set (tests/data/scoring/graded)
in the requested language with the running number worked into every sentence, plus one
sentence of its own, so no sentence of it has been embedded before (graded answers share
sentences between their variants; a bare copy would hit the embedder's cache).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from functools import cache
from pathlib import Path

GRADED = Path(__file__).resolve().parents[1] / "tests" / "data" / "scoring" / "graded"
_counter = itertools.count()
_lock = threading.Lock()
_EXTRA = {
    "zh": "那是第{n}次类似的情况，我把经过记在了第{n}号工作日志里。",
    "en": "It was case number {n} of that kind, and I wrote it up in log entry {n}.",
}


@cache
def _answers(language: str) -> tuple[str, ...]:
    rows = [json.loads(line) for line in (GRADED / "answers.jsonl").open(encoding="utf-8")]
    return tuple(r["answer"] for r in rows if r["language"] == language)


def start_at(first: int) -> None:
    """Number this process's answers from ``first`` (parallel bench processes each take a
    range of their own, so no two of them score the same text)."""
    global _counter
    with _lock:
        _counter = itertools.count(first)


def distinct_answer(language: str = "zh") -> str:
    """A text no earlier call returned (thread-safe)."""
    with _lock:
        n = next(_counter)
    pool = _answers(language)
    base = pool[(n * 7) % len(pool)]
    if language == "zh":
        base = re.sub(r"([。！？])", f"（第{n + 1}例）\\1", base)
        return base + _EXTRA[language].format(n=n + 1)
    base = re.sub(r"([.!?])(\s|$)", f" (case {n + 1})\\1\\2", base)
    return base + " " + _EXTRA[language].format(n=n + 1)
