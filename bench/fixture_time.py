"""Where a pytest run's time goes: a plugin that sums set-up, call and teardown per directory
and each fixture's own set-up and teardown, in wall and CPU seconds.

    PYTHONPATH=. .venv/bin/pytest -q -p no:cacheprovider -p bench.fixture_time \\
        tests/org --db sqlite,postgresql -n 0

At the end of the run it prints, for the tests it ran: per directory (``tests/<first part>``)
the number of tests and the seconds of set-up, call and teardown; then the fixtures whose own
set-up or teardown (their dependencies apart: pytest sets those up first) took the most wall
time in all, with how often they ran and their CPU seconds. CPU seconds are this process's
(``time.process_time``): a subprocess a test starts, or a server it talks to, shows in the
wall time only. Read the wall figures beside the machine's load (printed too): a loaded
machine stretches them, the CPU figures much less. Under pytest-xdist each worker's figures
stay in that worker; run it with ``-n 0``.

Last, the tests that run once per database (``[sqlite]``, ``[postgresql]``) yet sent no SQL
statement to any database in their set-up, call or teardown (SQLAlchemy's
``before_cursor_execute`` on every engine of this process): candidates to run once, with
their seconds. A test whose subprocess or server uses the database is not seen here.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

_PHASES: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
_TESTS: dict[str, set[str]] = defaultdict(set)
# fixture name -> [set-ups, set-up wall, set-up CPU, teardown wall, teardown CPU]
_FIXTURES: dict[str, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0, 0.0])
_STATEMENTS = [0]
# a backend-parametrized test -> [statements it sent, its seconds]
_PER_BACKEND: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])


@event.listens_for(Engine, "before_cursor_execute")
def _count(*_args: Any) -> None:
    _STATEMENTS[0] += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Iterator:
    callspec = getattr(item, "callspec", None)
    counted = _PER_BACKEND[item.nodeid] if callspec and "backend" in callspec.params else None
    before = _STATEMENTS[0]
    yield
    if counted is not None:
        counted[0] += _STATEMENTS[0] - before


def _area(nodeid: str) -> str:
    parts = nodeid.split("::", 1)[0].split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else parts[0]


def _timed_finalizer(name: str, finalizer: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            return finalizer()
        finally:
            row = _FIXTURES[name]
            row[3] += time.perf_counter() - wall
            row[4] += time.process_time() - cpu

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef, request: pytest.FixtureRequest) -> Iterator:
    known = len(fixturedef._finalizers)
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    row = _FIXTURES[fixturedef.argname]
    row[0] += 1
    row[1] += time.perf_counter() - wall
    row[2] += time.process_time() - cpu
    # a generator fixture's teardown is the finalizer its set-up added
    added = fixturedef._finalizers[known:]
    del fixturedef._finalizers[known:]
    fixturedef._finalizers.extend(_timed_finalizer(fixturedef.argname, f) for f in added)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    area = _area(report.nodeid)
    _PHASES[area][report.when] += report.duration
    if report.nodeid in _PER_BACKEND:
        _PER_BACKEND[report.nodeid][1] += report.duration
    _TESTS[area].add(report.nodeid)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write = terminalreporter.write_line
    one, five, _ = os.getloadavg()
    write(f"== where the time went (load {one:.1f} / {five:.1f}, {os.cpu_count()} CPUs)")
    write(f"{'area':<34}{'tests':>6}{'set-up s':>10}{'call s':>10}{'teardown s':>11}")
    totals = [0, 0.0, 0.0, 0.0]
    for area in sorted(_PHASES, key=lambda a: -sum(_PHASES[a].values())):
        phases, count = _PHASES[area], len(_TESTS[area])
        row = [count, phases["setup"], phases["call"], phases["teardown"]]
        totals = [t + r for t, r in zip(totals, row, strict=True)]
        write(f"{area:<34}{count:>6}{row[1]:>10.1f}{row[2]:>10.1f}{row[3]:>11.1f}")
    write(f"{'all':<34}{totals[0]:>6}{totals[1]:>10.1f}{totals[2]:>10.1f}{totals[3]:>11.1f}")
    write("== fixtures by their own wall time (set-up + teardown), CPU beside")
    write(f"{'fixture':<34}{'runs':>6}{'set-up s':>10}{'CPU':>7}{'teardown s':>11}{'CPU':>7}")
    ranked = sorted(_FIXTURES.items(), key=lambda item: -(item[1][1] + item[1][3]))
    for name, (runs, s_wall, s_cpu, t_wall, t_cpu) in ranked[:20]:
        write(f"{name:<34}{runs:>6.0f}{s_wall:>10.2f}{s_cpu:>7.2f}{t_wall:>11.2f}{t_cpu:>7.2f}")
    silent = [(seconds, nodeid) for nodeid, (sent, seconds) in _PER_BACKEND.items() if not sent]
    write(f"== run once per database, sent no SQL: {len(silent)} of {len(_PER_BACKEND)}")
    for seconds, nodeid in sorted(silent, reverse=True)[:40]:
        write(f"{seconds:>8.2f} s  {nodeid}")
