"""Counterfactual fairness of the scoring engine: how much a score moves when only who, where
and which school change.

Scores every variant of every answer of tests/data/counterfactual/answers.yaml (names with
their gendered pronouns, pronouns alone, places, schools, ethnic groups, whole profiles; zh and
en) with the default engine and embedder, and prints per swap category the number of
variants, the largest and the mean absolute change of any dimension score or level (0-10) and,
apart, of the job match (points of its 0-100 scale) against the answer's base text, and how
many variants moved anything by more than 0.1. Baseline in the same run: the same variants
with identity neutralisation (hireflow/scoring/neutral.py) switched off. Held-out names,
places and schools (not in the neutraliser's lists) are printed apart.

Usage: .venv/bin/python bench/scoring_counterfactual.py [--engine 1.0|1.1] [--no-baseline]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.scoring import answer_text  # noqa: E402
from hireflow.scoring.embedding import get_embedder  # noqa: E402
from hireflow.scoring.engine import DEFAULT_ENGINE, ENGINES  # noqa: E402
from tests.scoring import counterfactual_data as cf  # noqa: E402

Changes = dict[str, list[tuple[float, float]]]  # per variant: (score or level, job match)
WORST: list[tuple[float, str, str, str, str]] = []  # the last run's largest changes


def measure(engine: str, variants_of: Callable[[dict], list[cf.Variant]]) -> Changes:
    """Per category, the largest change of any compared value for each variant."""
    per: Changes = defaultdict(list)
    WORST.clear()
    for answer in cf.load()["answers"]:
        base_text = cf.variants(answer)[0].text
        base = cf.score_text(answer, base_text, engine)
        for variant in variants_of(answer):
            if variant.text == base_text:
                continue
            changes = cf.changes(base, cf.score_text(answer, variant.text, engine))
            key = max(changes, key=changes.__getitem__)
            dims = max(v for k, v in changes.items() if k != "job_match")
            pair = (dims, changes["job_match"])
            per[variant.category].append(pair)
            per[f"all ({answer['language']})"].append(pair)
            WORST.append((changes[key], answer["id"], variant.category, variant.label, key))
    return per


def print_table(title: str, per: Changes) -> None:
    print(f"\n{title}")
    print("  score = largest change of a dimension score or level (0-10); job match in points")
    print(
        f"{'category':<18}{'variants':>9}{'score max':>11}{'score mean':>12}"
        f"{'match max':>11}{'match mean':>12}{'> 0.1':>7}"
    )
    for category in sorted(per, key=lambda c: (c.startswith("all"), c)):
        pairs = per[category]
        dims = [d for d, _ in pairs]
        match = [m for _, m in pairs]
        big = sum(max(p) > cf.MAX_CHANGE for p in pairs)
        print(
            f"{category:<18}{len(pairs):>9}{max(dims):>11.3f}{sum(dims) / len(dims):>12.4f}"
            f"{max(match):>11.2f}{sum(match) / len(match):>12.3f}{big:>7}"
        )


def print_worst(count: int = 8) -> None:
    """The largest changes of the last run: answer, category, swapped value, what moved."""
    print("  largest changes (answer, category, value, what moved):")
    for change, answer_id, category, label, key in sorted(WORST, reverse=True)[:count]:
        print(f"    {change:7.2f}  {answer_id:<22} {category:<16} {label:<28} {key}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--engine", default=DEFAULT_ENGINE, choices=ENGINES)
    parser.add_argument("--no-baseline", action="store_true")
    args = parser.parse_args()
    embedder = get_embedder()
    answers = cf.load()["answers"]
    total = sum(len(cf.variants(a)) for a in answers)
    print(
        f"Engine {args.engine}, embedder {embedder.name}; {len(answers)} answers "
        f"({sum(a['language'] == 'zh' for a in answers)} zh), {total} texts; "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    started = time.perf_counter()
    after = measure(args.engine, lambda a: cf.variants(a)[1:])
    elapsed = time.perf_counter() - started
    print_table(f"With identity neutralisation (the engine as shipped; {elapsed:.1f} s)", after)
    held = measure(args.engine, cf.held_out_variants)
    print_table("Held-out names, places and schools (not in the neutraliser's lists)", held)
    print_worst()
    if not args.no_baseline:
        shipped = answer_text.neutralise
        answer_text.neutralise = lambda text, language: text  # type: ignore[assignment]
        try:
            before = measure(args.engine, lambda a: cf.variants(a)[1:])
        finally:
            answer_text.neutralise = shipped
        print_table("Baseline: neutralisation switched off (same run, same texts)", before)
        print_worst()
    print(f"\nembedder cache: {embedder.hits} hits of {embedder.requested} texts requested")


if __name__ == "__main__":
    main()
