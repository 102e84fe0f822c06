"""Report: versioned JSON round trip, standalone HTML in zh and en, radar chart."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from hireflow.scoring.engine import score_interview
from hireflow.scoring.report import SCHEMA_VERSION, Report, ReportError, radar_svg, render_html
from tests.scoring.engine_helpers import STRONG_EN, STRONG_ZH, VAGUE_ZH, WE_ONLY_EN, interview


@pytest.fixture(scope="module")
def report() -> Report:
    return score_interview(
        interview(
            {"comm_b": STRONG_ZH, "tw_b": VAGUE_ZH, "ps_b": "", "co_s": WE_ONLY_EN},
            "zh",
            audio={"comm_b": {"speech_rate_wpm": 150.0, "pause_ratio": 0.4}},
        )
    )


def test_json_round_trip_is_byte_identical(report: Report) -> None:
    text = report.to_json()
    again = Report.from_json(text)
    assert again.to_json() == text
    data = json.loads(text)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["engine_version"]
    assert set(data) >= {
        "dimensions",
        "job_match",
        "strengths",
        "gaps",
        "key_examples",
        "follow_ups",
        "summary",
        "answers",
        "notes",
    }


def test_json_floats_are_rounded(report: Report) -> None:
    text = report.to_json()
    for number in re.findall(r"-?\d+\.\d+", text):
        assert len(number.split(".")[1]) <= 4, number


def test_reading_a_newer_major_schema_is_refused(report: Report) -> None:
    data = report.to_dict()
    data["schema_version"] = "2.0"
    with pytest.raises(ReportError, match="schema_version"):
        Report.from_dict(data)


def test_reading_a_broken_report_names_the_field(report: Report) -> None:
    data = report.to_dict()
    del data["dimensions"][0]["confidence"]
    with pytest.raises(ReportError, match=r"dimensions\[0\]\.confidence"):
        Report.from_dict(data)
    with pytest.raises(ReportError, match="line 1"):
        Report.from_json("{not json")


def test_html_is_standalone_and_has_no_scripts(report: Report) -> None:
    html = report.to_html("zh")
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html.lower()
    # No external assets: no http(s) URLs in src/href, no stylesheets to fetch.
    assert not re.search(r"""(src|href)\s*=\s*["']?https?:""", html)
    assert "<link" not in html.lower()
    assert "@media print" in html
    assert "<svg" in html and 'class="scores"' in html and 'class="required"' in html


def test_html_in_chinese_and_english(report: Report) -> None:
    zh = render_html(report, "zh")
    en = render_html(report, "en")
    assert "岗位匹配度" in zh and "建议追问" in zh and 'lang="zh-CN"' in zh
    assert "Job match" in en and "Suggested follow-up questions" in en and 'lang="en"' in en
    # Quotes are the candidate's own words, escaped but unchanged.
    quote = report.dimension("communication").evidence[0].quote
    assert quote in zh and quote in en
    # Voice observations are shown, marked as not scored.
    assert "不计分" in zh and "not scored" in en


def test_html_escapes_candidate_text() -> None:
    nasty = STRONG_EN + " <script>alert(1)</script> I said <b>hello</b> to everyone."
    html = score_interview(interview({"comm_b": nasty})).to_html("en")
    assert "<script>alert" not in html
    assert "<b>hello" not in html


def test_radar_svg_points_and_labels() -> None:
    svg = radar_svg(["A", "B", "C", "D"], [10.0, 5.0, None, 0.0], [7.0, 7.0, 7.0, 7.0])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert svg.count("<polygon") == 5 + 2  # five rings, required, scores
    assert "C –" in svg  # unassessed dimension is marked
    assert "A 10.0" in svg


def test_radar_with_fewer_than_three_dimensions_draws_bars() -> None:
    svg = radar_svg(["A", "B"], [6.0, None], [7.0, 5.0])
    assert "bars" in svg and svg.count('class="required"') == 2


def test_unassessed_report_renders(report: Report) -> None:
    empty = score_interview(interview({"comm_b": ""}))
    # An unanswered question is evidence of nothing: it scores 0, it is not skipped.
    assert empty.job_match == 0.0
    assert empty.dimension("communication").score == 0.0
    html = empty.to_html("en")
    assert "not assessed" in html
    assert "0 of 1 answers analysed" in empty.summary["en"]


def test_report_is_a_value(report: Report) -> None:
    changed = replace(report, candidate_ref="someone-else")
    assert changed.to_json() != report.to_json()
    assert Report.from_json(changed.to_json()).candidate_ref == "someone-else"
