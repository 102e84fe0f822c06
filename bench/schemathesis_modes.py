"""The cases tests/test_schemathesis.py generates, with both generation modes configured (as
before) and with only the mode of each run (as now), compared operation by operation.

    PYTHONPATH=. .venv/bin/python bench/schemathesis_modes.py

For every operation of ``/api/v1/openapi.json`` and each mode (valid, schema-violating) it
generates the administrator's examples (``HIREFLOW_SCHEMATHESIS_EXAMPLES``, 2) both ways with
the test's settings, sends nothing, and prints the seconds each way, how many (operation,
mode) pairs generated the same cases, and how many had nothing to generate: Hypothesis's
``Unsatisfiable`` (after rejecting 459 draws) before, schemathesis's ``SkipTest`` at the
first draw now. Exit 1 when any pair's cases differ.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")

import schemathesis
from hypothesis import given
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.control import SkipTest

from hireflow.app import create_app
from hireflow.core.db import Database
from tests import conftest
from tests.test_schemathesis import EXAMPLES, bounded


def generate(operation, mode: GenerationMode, one_mode: bool) -> tuple[float, list[str], str]:
    """(seconds, the cases, how it ended) for the test's settings (tests/test_schemathesis.py)."""
    modes = [mode] if one_mode else list(GenerationMode)
    operation.schema.config.generation.update(modes=modes)
    cases: list[str] = []

    @bounded(EXAMPLES)
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case) -> None:
        cases.append(repr((case.path_parameters, case.query, case.headers, case.body)))

    started, ended = time.perf_counter(), "generated"
    try:
        run()
    except Unsatisfiable:
        ended = "Unsatisfiable"
    except SkipTest:
        ended = "SkipTest"
    return time.perf_counter() - started, cases, ended


def main() -> int:
    one, five, _ = os.getloadavg()
    print(f"load before: {one:.1f} / {five:.1f} on {os.cpu_count()} CPUs")
    engine, _url = conftest.engine_for("sqlite")
    app = create_app(conftest.get_settings(), Database(engine))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    seconds = {False: 0.0, True: 0.0}
    same, differ, endings = 0, [], {}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            both = generate(operation, mode, one_mode=False)
            single = generate(operation, mode, one_mode=True)
            seconds[False] += both[0]
            seconds[True] += single[0]
            key = (mode.value, both[2], single[2])
            endings[key] = endings.get(key, 0) + 1
            if both[1] == single[1]:
                same += 1
            else:
                differ.append(f"{operation.method.upper()} {operation.path} {mode.value}")
    conftest.pytest_sessionfinish(None, 0)  # type: ignore[arg-type]
    print(f"{len(operations)} operations; seconds generating:")
    print(f"  both modes configured {seconds[False]:.1f} s, one mode per run {seconds[True]:.1f} s")
    for (mode, before, now), count in sorted(endings.items()):
        print(f"  {mode}: {count} pairs ended {before} before, {now} now")
    print(f"same cases: {same} pairs; different: {len(differ)} {differ[:10]}")
    one, five, _ = os.getloadavg()
    print(f"load after: {one:.1f} / {five:.1f}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
