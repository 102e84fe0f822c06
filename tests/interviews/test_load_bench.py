"""The load bench's statistics: percentiles, and the embedder cache counts it reads from the
scoring workers' logs (the line the worker writes must stay the line the bench parses)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


@pytest.fixture(scope="module")
def realistic():
    sys.path.insert(0, str(BENCH))
    try:
        import interviews_realistic

        yield interviews_realistic
    finally:
        sys.path.remove(str(BENCH))


def test_percentiles_by_nearest_rank(realistic):
    values = [float(v) for v in range(1, 101)]
    assert realistic.pct(values, 50) in (50.0, 51.0)  # the two middle values of 100
    assert realistic.pct(values, 95) == 95.0
    assert realistic.pct(values, 100) == 100.0
    assert realistic.pct([], 95) == 0.0
    assert realistic.pct([3.0], 95) == 3.0


def test_cache_counts_sum_the_last_line_of_each_process(realistic, tmp_path):
    one, two = tmp_path / "worker1.log", tmp_path / "worker2.log"
    one.write_text(
        "INFO embedder cache pid=10 requested=100 hits=40\n"
        "INFO embedder cache pid=10 requested=250 hits=90\n"
        # the same worker restarted: a new process, counting from zero
        "INFO embedder cache pid=11 requested=30 hits=10\n"
    )
    two.write_text("noise\nINFO embedder cache pid=10 requested=5 hits=5\n")
    assert realistic.cache_hit_rate([one, two, tmp_path / "missing.log"]) == (285, 105)


def test_the_worker_writes_the_line_the_bench_reads(realistic, caplog, tmp_path):
    from hireflow.interviews import tasks

    with caplog.at_level(logging.INFO, logger="hireflow.interviews.tasks"):
        tasks._log_embedder_cache()
    log = tmp_path / "worker.log"
    log.write_text("\n".join(r.getMessage() for r in caplog.records) + "\n")
    requested, hits = realistic.cache_hit_rate([log])
    assert 0 <= hits <= requested
    assert realistic.CACHE_LINE.search(log.read_text())
