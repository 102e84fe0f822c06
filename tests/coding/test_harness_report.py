"""The harness starts light: it writes its report as JSON without importing ``json`` (half its
start-up), and imports once the allowed standard modules a solution uses instead of once per
case. Its encoder gives what ``json.loads`` reads back as the same values."""

from __future__ import annotations

import json

import pytest

from hireflow.coding.harness import encode

REPORTS = [
    {"compile": None, "cases": []},
    {
        "cases": [
            {
                "id": "t-0",
                "exit_code": 0,
                "signal": None,
                "cpu_s": 1e-05,
                "wall_s": 0.123456,
                "max_rss_kb": 10**12,
                "stdout": 'quote " backslash \\ tab \t nul \x00 line\n',
                "stderr": "中文 日本語 é \ufffd",
                "killed_for": "",
                "skipped": True,
                "ok": False,
            }
        ]
    },
    [0.1 + 0.2, -7, [], {}],
]


@pytest.mark.parametrize("report", REPORTS)
def test_report_encoding_reads_back_as_json(report):
    text = encode(report)
    assert "\n" not in text  # one line per report
    assert json.loads(text) == report


def test_only_plain_values_are_reported():
    with pytest.raises(TypeError):
        encode({"x": object()})


def test_modules_the_solution_imports_are_found_for_preloading():
    from hireflow.coding.harness import PRELOAD, _names

    source = (
        "import sys\nfrom collections import Counter\ndef f():\n    import heapq\n    import this\n"
    )
    found = PRELOAD & _names(compile(source, "solution.py", "exec"))
    # only allowed modules (no side effects) are imported by the harness; the others, like
    # ``this`` (which prints), are imported by the solution's own process as before
    assert found == {"collections", "heapq"}
