"""Wall time of the test suite (or a part of it), serial against pytest-xdist, in one run.

    .venv/bin/python bench/test_suite_time.py                       # the default subset
    .venv/bin/python bench/test_suite_time.py -n 2 tests/records --db sqlite
    .venv/bin/python bench/test_suite_time.py --order parallel-first tests/core

Runs the same pytest selection twice, as ``scripts/test.sh`` does: once in one process
(``-p no:xdist``) and once with ``-n N --dist loadgroup``, then prints both wall times, the
speed-up, the CPU count and the machine's load average (``os.getloadavg``) before and after
each run. A loaded machine (load above the CPU count) shares its cores with other work, so
the speed-up it shows is lower than on a quiet one: read the figure with the load beside it.
Either run failing makes the figure meaningless: the script then says so and exits 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ["tests/core", "tests/test_cli.py", "tests/test_i18n.py", "tests/scheduling"]


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"{one:.1f} (1 min) / {five:.1f} (5 min)"


def _run(label: str, extra: list[str], selection: list[str]) -> tuple[float, int, str]:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, *selection]
    print(f"== {label}: {' '.join(command[1:])}", flush=True)
    print(f"   load before: {_load()}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    summary = next(
        (line for line in reversed(done.stdout.splitlines()) if re.search(r"\bin [\d.]+s", line)),
        "(no pytest summary)",
    )
    print(f"   load after:  {_load()}", flush=True)
    print(f"   {summary.strip('= ')}", flush=True)
    print(f"   wall time: {wall:.1f} s (exit {done.returncode})", flush=True)
    if done.returncode != 0:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n", file=sys.stderr)
    return wall, done.returncode, summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--workers", type=int, default=min(os.cpu_count() or 1, 8))
    parser.add_argument(
        "--order",
        choices=("serial-first", "parallel-first"),
        default="serial-first",
        help="which run goes first (the second may find warmer disk caches)",
    )
    args, selection = parser.parse_known_args(argv)
    selection = selection or DEFAULT
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"CPUs usable: {cpus}; workers: {args.workers}; selection: {' '.join(selection)}")
    print(f"databases: {os.environ.get('HIREFLOW_TEST_DBS', 'sqlite,postgresql')}")
    runs = {
        "serial": ["-p", "no:xdist"],
        "parallel": ["-n", str(args.workers), "--dist", "loadgroup"],
    }
    order = ["serial", "parallel"] if args.order == "serial-first" else ["parallel", "serial"]
    results = {name: _run(name, runs[name], selection) for name in order}
    if any(code != 0 for _wall, code, _summary in results.values()):
        print("a run failed: no figure (fix the tests first)")
        return 1
    serial, parallel = results["serial"][0], results["parallel"][0]
    print(
        f"serial {serial:.1f} s, parallel ({args.workers} workers) {parallel:.1f} s: "
        f"{serial / parallel:.2f}x faster; load at the end {_load()} on {cpus} CPUs"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
