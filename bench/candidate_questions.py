"""Candidate questions about the job (SPEC E6): how often the right passage is quoted.

On the labelled set in tests/data/interviews/candidate_questions/ (labels and splits committed
before tuning): the first set of 181 questions (six openings, three company FAQs; split dev /
test), dev2 (69 questions), test2 (108 questions over four more openings), dev3 (74), dev4
(44 near misses on the development openings), dev5 (68, two more openings), dev6 (63, two
more openings, a check whose errors are not listed), test3 (62, two more openings, held out),
dev7 (63), test4 (172, four more openings: held out until it was scored once, a development
split since) and test5 (181 questions over four openings in other industries, held out:
written and committed before the changes of its round, scored once after them), test6 (169
questions over four more openings in four more industries, held out the same way; test5 has
been a development split since it was scored) and test7 (166 questions over four more openings
in four more industries: CNC machining, property management, airline cabin crew, legal
services; written and committed before any change of its round, held out, never listed).
Prints, for the held-out splits (test + test2 = 197 questions; then test, test2, test3, test6
and test7 alone, never tuned on) and the development splits, the share answered with an
acceptable passage or correctly forwarded ("top-1 correct", target >= 90 %), the share answered
wrongly (target <= 3 %) and the share forwarded although answerable, for the current method
and, in the same run, the four before it, read from the repository's history (plain retrieval
with a threshold; passages and topic gates, without the answer-type checks; the method of main
at dc5038a; the method before the latest round, main at a710689, its modules as they were
committed).

Usage: .venv/bin/python bench/candidate_questions.py
    [--split test|test2|test3|test5|test6|test7|held-out|dev|dev2|dev3|dev4|dev5|dev6|dev7|test4
             |dev-all|all]
    [--show-dev] [--current-only]
(--show-dev lists the development questions the current method gets wrong: for tuning; the
held-out splits and dev6 are never listed. dev-all: every development split tuned on.)
"""

from __future__ import annotations

import argparse
import inspect
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import importlib  # noqa: E402

from history import load_module, load_package  # noqa: E402

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

# The method before the latest round (main at dc5038a: answer-type, aspect and subject checks,
# headings that name pay or several subjects, the workplace as the ad names it, pay published
# as negotiable, named roles), its four modules run against each other.
PREVIOUS = "dc5038af28c5e0b738231e8840afacd819cb1889"
load_package(
    PREVIOUS,
    "qa_previous",
    {
        name: f"hireflow/interviews/{name}"
        for name in ("qa.py", "qa_passages.py", "qa_topics.py", "qa_topics.yaml")
    },
    "hireflow.interviews",
)
qa_previous = importlib.import_module("qa_previous.qa")
qa_previous_passages = importlib.import_module("qa_previous.qa_passages")

# The method before this round (main at a710689: the typical questions per topic, the job's
# title as no evidence, inflections and compounds), its six files run against each other.
BEFORE_ROUND = "a710689e99b2c1dcffdc4c3d362e20d191960157"
load_package(
    BEFORE_ROUND,
    "qa_before_round",
    {
        name: f"hireflow/interviews/{name}"
        for name in (
            *("qa.py", "qa_passages.py", "qa_topics.py", "qa_topics.yaml"),
            *("qa_intents.py", "qa_intents.yaml"),
        )
    },
    "hireflow.interviews",
)
qa_before_round = importlib.import_module("qa_before_round.qa")
qa_before_round_passages = importlib.import_module("qa_before_round.qa_passages")

Method = Callable[[str, dict], tuple[str, str | None]]
HELD_OUT = ("test", "test2")  # never tuned on (nor are test3, test6 and test7)
# tuned on; dev6's errors are never listed. test4 was held out until it had been scored once
# (75.6 % / 12.2 %); it has been a development split since (see the set's README), as has
# test5 since it was scored once (72.4 % / 10.5 %).
DEV = ("dev", "dev2", "dev3", "dev4", "dev5", "dev7", "test4", "test5")


def method(embedder, passages_for, answer_question, *, location: bool) -> Method:
    """One method as the run calls it: an opening's passages are cut once, then each question
    is answered from them (``location``: the method reads the opening's location field)."""
    cache: dict[str, list] = {}

    def answer(question: str, opening: dict) -> tuple[str, str | None]:
        if opening["id"] not in cache:
            extra = {"location": opening.get("location", "")} if location else {}
            if "title" in inspect.signature(passages_for).parameters:
                extra["title"] = opening.get("title", "")
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
    (
        "previous (before the latest round)",
        qa_previous_passages.passages_for,
        qa_previous.answer_question,
        True,
    ),
    (
        "before this round (main at a710689)",
        qa_before_round_passages.passages_for,
        qa_before_round.answer_question,
        True,
    ),
    ("current", qa_passages.passages_for, qa.answer_question, True),
)


def run(method: Method, split: str) -> tuple[dict[str, list[str]], list[tuple], float]:
    by_group: dict[str, list[str]] = defaultdict(list)
    failures = []
    started = time.perf_counter()
    count = 0
    for item in questions():
        if split not in ("all", item.split) and not (
            (split == "held-out" and item.split in HELD_OUT)
            or (split == "dev-all" and item.split in DEV)
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
        choices=(
            "test",
            "test2",
            "test3",
            "test5",
            "test6",
            "test7",
            "held-out",
            *DEV,
            "dev6",
            "dev-all",
            "all",
        ),
        default="test",
    )
    parser.add_argument("--show-dev", action="store_true")
    parser.add_argument("--current-only", action="store_true", help="skip the older methods")
    args = parser.parse_args()
    embedder = get_embedder()
    print(f"embedder: {getattr(embedder, 'name', type(embedder).__name__)}")
    splits = (
        [args.split]
        if args.split != "test"
        else [
            *("held-out", "test", "test2", "dev", "dev2", "dev3", "dev4", "dev5", "dev6"),
            *("test3", "dev7", "test4", "test5", "test6", "test7"),
        ]
    )
    chosen = METHODS[-1:] if args.current_only else METHODS
    for name, passages_for, answer_question, location in chosen:
        answer = method(embedder, passages_for, answer_question, location=location)
        for split in splits:
            groups, failures, per_question = run(answer, split)
            print(f"\n{name}: {split} split ({per_question * 1000:.0f} ms per question)")
            print(_line("all", groups["all"]))
            for group in sorted(g for g in groups if g != "all"):
                if group.startswith("lang=") or args.split == "all":
                    print(_line(group, groups[group]))
            if args.show_dev and split in (*DEV, "dev-all") and name == "current":
                for item, status, quote, outcome in failures:
                    print(
                        f"    {outcome:7} {item.id} [{item.kind}] {item.question!r} -> {status}: "
                        f"{(quote or '')[:90]!r}"
                    )


if __name__ == "__main__":
    main()
