"""Predictive validity's statistics alone (issue 16, speed): the bootstrap over the hired
people of a company the size of ``bench/analytics.py``'s, without a database.

The hired people's arrays are made as ``bench/analytics_data.py`` makes them (six
competencies ~ N(6.5, 1.8) in tenths on 0-10; a rating 1-5 in hundredths related to the mean
score; probation passed/extended/failed 3:1:1; a start date over 700 days before today, 20 %
leaving 20-400 days after it; so 20,000 hired at 1,000,000 applications), then timed, each
in this process with nothing remembered before (``validity_cache.clear``):

- *from nothing*: every (competency, outcome) r with its interval, all resampled
  (``validity._found``: what a request computes for data nobody asked for, e.g. a new period);
- *after one probation result changed*: the same again with one person's probation
  changed, right after the first (what the company's first request after such a change
  computes when the previous result is kept: here in this process's memory).

It also prints a digest of each result (every r and interval, as ``validity_ready.encode``
keeps them): two checkouts that print the same digests gave the same answers.

Run it from two checkouts (before and after a change) for a ratio on the same machine:

    python bench/validity_statistics.py [--hired 20000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def arrays(hired: int, seed: int = 16) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The dimensions, the scores (people × 6) and the outcomes (people × 5: rating,
    probation, retained 3, 6 and 12 months; NaN where not known yet)."""
    rng = np.random.default_rng(seed)
    scores = np.round(np.clip(rng.normal(6.5, 1.8, (hired, 6)), 0, 10), 1)
    rating = 3 + 0.4 * (scores.mean(axis=1) - 6.5) + rng.normal(0, 0.6, hired)
    outcomes = np.full((hired, 5), np.nan)
    outcomes[:, 0] = np.round(np.clip(rating, 1, 5), 2)
    outcomes[:, 1] = rng.choice([2.0, 2.0, 2.0, 1.0, 0.0], hired)
    started = rng.integers(0, 700, hired)  # days before today
    leaves = np.where(rng.random(hired) < 0.2, rng.integers(20, 401, hired), 10**6)
    for column, days in ((2, 91), (3, 182), (4, 365)):  # about 3, 6, 12 months
        gone = (leaves < days) & (leaves <= started)
        outcomes[gone | (started >= days), column] = 1.0
        outcomes[gone, column] = 0.0
    dimensions = ["communication", "drive", "learning", "ownership", "problem_solving", "teamwork"]
    return dimensions, scores, outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hired", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, help="groups resampled at once (if the code has it)")
    args = parser.parse_args()
    from hireflow.analytics import validity, validity_cache, validity_ready

    threads = "one at a time"
    try:
        from hireflow.analytics import validity_groups

        if args.threads is not None:
            validity_groups.THREADS = args.threads
        threads = f"up to {validity_groups.THREADS} at once"
    except ImportError:  # code from before the groups
        pass

    dimensions, scores, outcomes = arrays(args.hired)
    changed = outcomes.copy()
    changed[0, 1] = 1.0 if changed[0, 1] != 1.0 else 2.0
    fresh, after = [], []
    digests = set()
    for _ in range(args.repeat):
        validity_cache.clear()
        started = time.perf_counter()
        first = validity._found(dimensions, scores, outcomes)[0]
        fresh.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        second = validity._found(dimensions, scores, changed)[0]
        after.append((time.perf_counter() - started) * 1000)
        digests.add(tuple(_digest(validity_ready.encode(f)) for f in (first, second)))
    known = (~np.isnan(outcomes)).sum(axis=0)
    print(
        f"hired {args.hired:,} (known: {', '.join(f'{n:,}' for n in known)} per outcome; "
        f"groups resampled {threads}); "
        f"from nothing: median {statistics.median(fresh):,.0f} ms "
        f"({', '.join(f'{t:,.0f}' for t in fresh)}); after one probation result changed: "
        f"median {statistics.median(after):,.0f} ms ({', '.join(f'{t:,.0f}' for t in after)}); "
        f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs"
    )
    print(f"results' digests (from nothing, after the change): {sorted(digests)}")


def _digest(encoded: object) -> str:
    return hashlib.sha256(json.dumps(encoded).encode()).hexdigest()[:16]


if __name__ == "__main__":
    main()
