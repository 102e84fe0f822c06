"""Candidate questions about the job (SPEC E6): how often the right passage is quoted.

On the labelled set in tests/data/interviews/candidate_questions/ (labels and splits committed
before tuning): the first set of 181 questions (six openings, three company FAQs; split dev /
test), dev2 (69 questions), test2 (108 questions over four more openings), dev3 (74), dev4
(44 near misses on the development openings), dev5 (68, two more openings), dev6 (63, two
more openings, a check whose errors are not listed), test3 (62, two more openings, held out),
dev7 (63), test4 (172, four more openings: held out until it was scored once, a development
split since) and test5 (181 questions over four openings in other industries, held out:
written and committed before the changes of its round, scored once after them), test6 (169
questions over four more openings in four more industries, held out the same way, a
development split since the round that wrote test7 scored it a third time; test5 has been one
since it was scored) and test7 (166 questions over four more openings
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
    [--show-dev] [--current-only] [--method NAME] [--sweep MODULE.NAME=V1,V2] [--embedder e5]
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
from hireflow.scoring.embedding import EmbedderConfig, get_embedder  # noqa: E402
from tests.interviews.candidate_questions_set import (  # noqa: E402
    ask,
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

_FILES = ("qa.py", "qa_passages.py", "qa_topics.py", "qa_topics.yaml")


def historic(commit: str, package: str, names: tuple[str, ...]) -> tuple | None:
    """(answer_question, passages_for) of the method at ``commit``, its files run against each
    other; None (with a note) when this clone does not hold that commit."""
    try:
        load_package(
            commit,
            package,
            {name: f"hireflow/interviews/{name}" for name in names},
            "hireflow.interviews",
        )
    except RuntimeError as error:
        print(f"skipped the method at {commit[:7]}: {error}".splitlines()[0], file=sys.stderr)
        return None
    module = importlib.import_module(f"{package}.qa")
    return module.answer_question, importlib.import_module(f"{package}.qa_passages").passages_for


# The method before the round that wrote test6 (main at dc5038a: answer-type, aspect and
# subject checks, headings that name pay or several subjects, the workplace as the ad names it,
# pay published as negotiable, named roles), its four modules run against each other.
qa_previous = historic("dc5038af28c5e0b738231e8840afacd819cb1889", "qa_previous", _FILES)

# The method of main at a710689 (the typical questions per topic, the job's title as no
# evidence, inflections and compounds), its six files run against each other.
qa_before_round = historic(
    "a710689e99b2c1dcffdc4c3d362e20d191960157",
    "qa_before_round",
    (*_FILES, "qa_intents.py", "qa_intents.yaml"),
)

# The method before the round that wrote test7 (main at d9b4695: "answer only when the passage
# says it"), its seven files run against each other: the baseline scored once on test6 and
# test7 before any change of that round.
qa_before_test7 = historic(
    "d9b4695904c6447d690a240394ffc72032dc65b9",
    "qa_before_test7",
    (*_FILES, "qa_intents.py", "qa_intents.yaml", "qa_words.py"),
)

Method = Callable[[str, dict], tuple[str, str | None]]
HELD_OUT = ("test", "test2")  # never tuned on (nor are test3 and test7)
# tuned on; dev6's errors are never listed. test4 was held out until it had been scored once
# (75.6 % / 12.2 %); it has been a development split since (see the set's README), as has
# test5 since it was scored once (72.4 % / 10.5 %), and test6 since it was scored a third time
# (71.6 % / 14.8 %, the baseline of the round that wrote test7).
DEV = ("dev", "dev2", "dev3", "dev4", "dev5", "dev7", "test4", "test5", "test6")


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
METHODS = tuple(
    (name, found[1], found[0], location)
    for name, found, location in (
        (
            "baseline (retrieval + threshold)",
            (qa_baseline.answer_question, qa_baseline.passages_for),
            False,
        ),
        (
            "topics (passages + topic gates)",
            (qa_topics.answer_question, qa_topics.passages_for),
            True,
        ),
        ("previous (main at dc5038a)", qa_previous, True),
        ("main at a710689", qa_before_round, True),
        ("before this round (main at d9b4695)", qa_before_test7, True),
        ("current", (qa.answer_question, qa_passages.passages_for), True),
    )
    if found is not None
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


def sweep(embedder, setting: str, split: str) -> None:
    """The current method on a development split for each value of one constant."""
    if split not in (*DEV, "dev-all"):
        raise SystemExit("--sweep runs on a development split only (--split dev-all, dev, ...)")
    target, _, values = setting.partition("=")
    module_name, _, constant = target.rpartition(".")
    module = importlib.import_module(f"hireflow.interviews.{module_name}")
    if not hasattr(module, constant):
        raise SystemExit(f"no constant {constant} in {module.__name__}")
    kept = getattr(module, constant)
    try:
        for value in values.split(","):
            parsed = value in ("1", "true", "True") if isinstance(kept, bool) else type(kept)(value)
            setattr(module, constant, parsed)
            answer = method(embedder, qa_passages.passages_for, qa.answer_question, location=True)
            groups, _failures, per_question = run(answer, split)
            print(f"{target}={value}: {split} ({per_question * 1000:.0f} ms per question)")
            print(_line("all", groups["all"]))
    finally:
        setattr(module, constant, kept)


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
    parser.add_argument(
        "--method", help="only the methods whose name contains this (e.g. d9b4695, current)"
    )
    parser.add_argument(
        "--sweep",
        metavar="MODULE.NAME=V1,V2",
        help="the current method on one development split for each value of one of its "
        "constants (e.g. qa.MIN_SCORE=0.3,0.4): for tuning, never on a held-out split",
    )
    parser.add_argument(
        "--embedder", choices=("use", "e5"), default="use", help="the sentence encoder"
    )
    args = parser.parse_args()
    embedder = get_embedder(EmbedderConfig(kind=args.embedder))
    print(f"embedder: {getattr(embedder, 'name', type(embedder).__name__)}")
    if args.sweep:
        sweep(embedder, args.sweep, args.split)
        return
    splits = (
        [args.split]
        if args.split != "test"
        else [
            *("held-out", "test", "test2", "dev", "dev2", "dev3", "dev4", "dev5", "dev6"),
            *("test3", "dev7", "test4", "test5", "test6", "test7"),
        ]
    )
    chosen = METHODS[-1:] if args.current_only else METHODS
    if args.method:
        chosen = tuple(m for m in chosen if args.method in m[0])
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
                    result = ask(item.opening, item.question)
                    print(
                        f"    {outcome:7} {item.id} [{item.kind}] {item.question!r} -> {status}: "
                        f"{(quote or '')[:90]!r} (score {result.score:.2f}, cosine "
                        f"{result.similarity:.2f}, margin {result.margin:.3f}"
                        f"{', ' + result.reason if result.reason else ''})"
                    )


if __name__ == "__main__":
    main()
