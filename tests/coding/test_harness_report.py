"""The harness writes its report as JSON without importing ``json`` (half its start-up): its
encoder gives what ``json.loads`` reads back as the same values."""

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
