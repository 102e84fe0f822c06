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

    .venv/bin/python bench/test_suite_time.py --fixtures            # per-test fixture costs

``--fixtures`` times, in this process (CPU seconds beside wall seconds), what the shared test
fixtures cost each test: building the web app (``create_app``) against reusing it, and a new
migrated database by running the migrations against copying a migrated one (SQLite backup,
PostgreSQL ``CREATE DATABASE .. TEMPLATE``).

Where the suite's time went (measured December 2026 on the 2-core machine, load 13-19 from
other work, so read the CPU figures): ``create_app`` costs 1.2-1.9 s of CPU (FastAPI prepares
the ~500 routes' dependencies and parameters, 3,200 pydantic adapters), and 770 of the 3,466
tests (both databases) built one through the ``app`` fixture: some 1,150 CPU seconds, about
ten minutes of a 2-worker run. tests/conftest.py now builds one app per settings object per
process (a request on it costs 0.01-0.03 s). ``tests/org --db sqlite``: 79 s of CPU before,
21 s after. Sign-ins for unknown accounts verified against a dummy hash at production Argon2
cost; it is now made at the tests' cost (tests/core/test_security.py checks production's).
Migrating a new database costs 1.4 s of CPU and up to 20 s of wall time on the loaded machine
(SQLite and PostgreSQL alike); the ~36 tests that make a database of their own copy this
process's migrated one instead (0.2-0.3 s of wall time for PostgreSQL's template copy, 0.04-0.06 s
for SQLite's, against 4-14 s for migrating). Those tests with the app change, both databases
(85 tests of tests/records, test_plaintext_scan, test_concurrency): 180 s of CPU before, 152 s
after. Not changed: the ``redis`` and ``browser`` xdist groups (each starts the run on a worker
of its own: ``--dist loadgroup`` hands out the largest groups first), the demo server (24 s of
CPU to healthy, once a run), and the worker subprocess tests of the ``redis`` group (real
Celery workers importing the speech models; the visibility-timeout waits are the behaviour).
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


def _timed(label: str, action, repeat: int = 3) -> None:
    cpu, wall = [], []
    for _ in range(repeat):
        started_cpu, started = time.process_time(), time.perf_counter()
        action()
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    spans = f"CPU {min(cpu):.3f}-{max(cpu):.3f} s, wall {min(wall):.2f}-{max(wall):.2f} s"
    print(f"   {label}: {spans}")


def fixture_costs() -> None:
    """What the shared fixtures cost each test (tests/conftest.py), in this process."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")  # as the tests run
    import tempfile

    from fastapi.testclient import TestClient

    from hireflow.app import create_app
    from hireflow.core.db import Database
    from hireflow.core.migrate import upgrade
    from tests import conftest

    print(f"== fixture costs; load before: {_load()}", flush=True)
    settings = conftest.get_settings()
    database = Database(conftest.engine_for("sqlite")[0])
    app = create_app(settings, database)  # the first also imports the domains' route modules

    def request() -> None:
        with TestClient(app, base_url="http://testserver") as client:
            assert client.get("/login").status_code == 200

    _timed("create_app (the app fixture's cost per test)", lambda: create_app(settings, database))
    _timed("a request on an app built before (the app fixture now)", request)
    folder = Path(tempfile.mkdtemp(prefix="hireflow-bench-"))
    count = iter(range(1000))
    _timed("migrate a new SQLite database", lambda: upgrade(f"sqlite:///{folder}/{next(count)}"))
    _timed(
        "copy the migrated SQLite database",
        lambda: conftest.migrated_url("sqlite", folder / str(next(count))),
    )
    made: list[str] = []

    def migrate_postgres() -> None:
        made.append(conftest._postgres_url())
        upgrade(made[-1])

    _timed("migrate a new PostgreSQL database", migrate_postgres)
    _timed(
        "copy the migrated PostgreSQL database",
        lambda: made.append(conftest.migrated_url("postgresql", folder)),
    )
    for url in made:
        conftest._drop_postgres(url)
    database.engine.dispose()
    conftest.pytest_sessionfinish(None, 0)  # type: ignore[arg-type]
    print(f"   load after: {_load()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", "--workers", type=int, default=min(os.cpu_count() or 1, 8))
    parser.add_argument(
        "--order",
        choices=("serial-first", "parallel-first"),
        default="serial-first",
        help="which run goes first (the second may find warmer disk caches)",
    )
    parser.add_argument("--fixtures", action="store_true", help="time the shared fixtures")
    args, selection = parser.parse_known_args(argv)
    if args.fixtures:
        fixture_costs()
        return 0
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
