"""Candidate questions about the job (SPEC E6): how often the right passage is quoted.

On the labelled set in tests/data/interviews/candidate_questions/ (labels and splits committed
before tuning): the first set of 181 questions (six openings, three company FAQs; split dev /
test), dev2 (69 questions), test2 (108 questions over four more openings), dev3 (74), dev4
(44 near misses on the development openings), dev5 (68, two more openings) and dev6 (63, two
more openings, a check whose errors are not listed), and test3 (62, two more openings, held out:
written after the last change and never tuned on), and test4 (172, four more openings,
held out: written and committed before the changes of its round, scored once after them).
Prints, for the
held-out splits (test + test2 = 197 questions, never tuned on; then each alone) and the
development splits, the share
answered with an acceptable passage or correctly forwarded ("top-1 correct", target >= 90 %),
the share answered wrongly (target <= 3 %) and the share forwarded although answerable, for
the current method and, in the same run, the two before it, read from the repository's history
(plain retrieval with a threshold; passages and topic gates, without the answer-type checks).

Usage: .venv/bin/python bench/candidate_questions.py
    [--split test|test2|held-out|dev|dev2|dev3|dev4|dev5|dev6|dev7|test3|test4|all] [--show-dev]
(--show-dev lists the development questions the current method gets wrong: for tuning; the
held-out splits are never listed.)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from history import load_module  # noqa: E402

from hireflow.interviews import qa, qa_passages  # noqa: E402
from hireflow.scoring.embedding import get_embedder  # noqa: E402
from tests.interviews.candidate_questions_set import (  # noqa: E402
    figures,
    judge,
    openings,
    questions,
)

# The two methods before the current one, as they were committed: plain retrieval with a
# threshold (the first E6 method), then passages and topic gates without the answer-type checks.
qa_baseline = load_module(
    "8068a792b68fcd881f8dfd7261dda4e9eaa30649", "hireflow/interviews/qa.py", "qa_baseline"
)
qa_topics = load_module(
    "5436449c922b83079d14ea939a1e3da4f2275b70", "hireflow/interviews/qa.py", "qa_topics"
)

Method = Callable[[str, dict], tuple[str, str | None]]
HELD_OUT = ("test", "test2")  # never tuned on
DEV = ("dev", "dev2", "dev3", "dev4", "dev5", "dev7")  # tuned on; dev6's errors are never listed


def method(embedder, passages_for, answer_question, *, location: bool) -> Method:
    """One method as the run calls it: an opening's passages are cut once, then each question
    is answered from them (``location``: the method reads the opening's location field)."""
    cache: dict[str, list] = {}

    def answer(question: str, opening: dict) -> tuple[str, str | None]:
        if opening["id"] not in cache:
            extra = {"location": opening.get("location", "")} if location else {}
            cache[opening["id"]] = passages_for(opening["description"], opening["faqs"], **extra)
        result = answer_question(question, cache[opening["id"]], embedder)
        return result.status, result.passage.quote if result.passage else None

    return answer


# name, how passages are cut, how a question is answered, whether the location is read
METHODS = (
    (
        "baseline (retrieval + threshold)",
        qa_baseline.passages_for,
        qa_baseline.answer_question,
        False,
    ),
    ("topics (passages + topic gates)", qa_topics.passages_for, qa_topics.answer_question, True),
    ("current", qa_passages.passages_for, qa.answer_question, True),
)


def run(method: Method, split: str) -> tuple[dict[str, list[str]], list[tuple], float]:
    by_group: dict[str, list[str]] = defaultdict(list)
    failures = []
    started = time.perf_counter()
    count = 0
    for item in questions():
        if split not in ("all", item.split) and not (
            split == "held-out" and item.split in HELD_OUT
        ):
            continue
        count += 1
        status, quote = method(item.question, openings()[item.opening])
        outcome = judge(item, status, quote)
        for group in ("all", f"lang={item.lang}", f"kind={item.kind}"):
            by_group[group].append(outcome)
        if outcome != "correct":
            failures.append((item, status, quote, outcome))
    return by_group, failures, (time.perf_counter() - started) / max(1, count)


def _line(name: str, outcomes: list[str]) -> str:
    f = figures(outcomes)
    return (
        f"  {name:<26} n={f.n:<4} top-1 correct {f.top1:6.1%}  wrongly answered "
        f"{f.wrong_rate:6.1%}  forwarded though answerable {f.missed / f.n if f.n else 0:6.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--split",
        choices=("test", "test2", "test3", "test4", "held-out", *DEV, "dev6", "all"),
        default="test",
    )
    parser.add_argument("--show-dev", action="store_true")
    args = parser.parse_args()
    embedder = get_embedder()
    print(f"embedder: {getattr(embedder, 'name', type(embedder).__name__)}")
    splits = (
        [args.split]
        if args.split != "test"
        else [
            *("held-out", "test", "test2", "dev", "dev2", "dev3", "dev4", "dev5", "dev6"),
            *("test3", "dev7", "test4"),
        ]
    )
    for name, passages_for, answer_question, location in METHODS:
        answer = method(embedder, passages_for, answer_question, location=location)
        for split in splits:
            groups, failures, per_question = run(answer, split)
            print(f"\n{name}: {split} split ({per_question * 1000:.0f} ms per question)")
            print(_line("all", groups["all"]))
            for group in sorted(g for g in groups if g != "all"):
                if group.startswith("lang=") or args.split == "all":
                    print(_line(group, groups[group]))
            if args.show_dev and split in DEV and name == "current":
                for item, status, quote, outcome in failures:
                    print(
                        f"    {outcome:7} {item.id} [{item.kind}] {item.question!r} -> {status}: "
                        f"{(quote or '')[:90]!r}"
                    )


if __name__ == "__main__":
    main()
