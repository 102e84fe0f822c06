"""Reports read in Japanese (SPEC E7): the generated prose in ja, and Japanese answers, which
the engine cannot score, reported as not scored instead of as poor answers."""

from __future__ import annotations

import re

import pytest

from hireflow.scoring.engine import score_interview
from hireflow.scoring.models import localised
from hireflow.scoring.report import Report, render_html, report_language
from tests.scoring.engine_helpers import STRONG_EN, STRONG_ZH, VAGUE_ZH, WE_ONLY_EN, interview

KANA = re.compile(r"[\u3040-\u30ff]")

# A real STAR answer in Japanese (situation, task, own actions, measured result).
JAPANESE = (
    "昨年、新しい請求システムを導入した後、サポートチームに問い合わせが殺到しました。"
    "私は次の請求サイクルまでに説明を改善する役割を任されました。"
    "顧客五人にインタビューし、分かりにくい三つの項目を特定して、説明文を書き直しました。"
    "その結果、請求に関する問い合わせは一か月で四割減りました。"
)


@pytest.fixture(scope="module")
def report() -> Report:
    return score_interview(
        interview({"comm_b": STRONG_ZH, "tw_b": VAGUE_ZH, "ps_b": "", "co_s": WE_ONLY_EN}, "zh")
    )


def _texts(report: Report) -> list[dict[str, str]]:
    return (
        [report.summary]
        + [f.text for f in report.strengths + report.gaps]
        + [f.text for f in report.follow_ups]
        + [n.text for n in report.notes if n.code != "input_warning"]
    )


def test_every_generated_text_has_japanese(report: Report) -> None:
    texts = _texts(report)
    assert report.gaps and report.follow_ups and report.notes
    for text in texts:
        assert text.get("ja"), text
        assert text["ja"] not in (text.get("zh"), text.get("en")), text
    assert "職務適合度" in report.summary["ja"] and KANA.search(report.summary["ja"])
    assert any("要求" in f.text["ja"] for f in report.gaps)


def test_the_html_report_reads_in_japanese(report: Report) -> None:
    page = render_html(report, "ja")
    assert '<html lang="ja">' in page
    for label in (
        "AI 面接レポート",
        "職務適合度",
        "強み",
        "課題",
        "追加で聞くべき質問",
        "回答ごとの分析",
    ):
        assert label in page, label
    # the Chinese and English labels are gone (the answers themselves stay as given)
    for label in ("岗位匹配度", "建议追问", "Job match", "Suggested follow-up questions"):
        assert label not in page, label
    assert report.summary["ja"] in page
    chinese = render_html(report, "zh-CN")
    assert "岗位匹配度" in chinese and "職務適合度" not in chinese


def test_the_reader_language_is_mapped() -> None:
    assert [report_language(c) for c in ("ja", "ja-JP", "zh-CN", "zh", "en", "fr", None)] == [
        "ja",
        "ja",
        "zh",
        "zh",
        "en",
        "en",
        "en",
    ]
    assert localised({"zh": "中", "en": "E"}, "ja") == "E"  # ja falls back to English first
    assert localised({"zh": "中", "en": "E", "ja": "日"}, "ja") == "日"


def test_a_japanese_answer_is_not_scored_and_the_report_says_so() -> None:
    only_japanese = score_interview(interview({"comm_b": JAPANESE}, "en"))
    (answer,) = only_japanese.answers
    assert answer.status == "unsupported_language" and answer.language == "ja"
    assert only_japanese.job_match is None
    assert all(not d.assessed and d.score is None for d in only_japanese.dimensions)
    (note,) = [n for n in only_japanese.notes if n.code == "unsupported_language"]
    assert "日本語" in note.text["ja"] and "採点していません" in note.text["ja"]
    assert "Japanese" in note.text["en"] and "not scored" in note.text["en"]
    for lang, words in (("ja", "採点していません"), ("en", "not scored"), ("zh", "未评分")):
        assert words in only_japanese.summary[lang], only_japanese.summary[lang]
    page = render_html(only_japanese, "ja")
    assert "非対応の言語（未採点）" in page


def test_a_japanese_answer_does_not_lower_the_other_scores() -> None:
    english = score_interview(interview({"comm_b": STRONG_EN}, "en"))
    mixed = score_interview(interview({"comm_b": STRONG_EN, "tw_b": JAPANESE}, "en"))
    assert mixed.dimension("communication").score == english.dimension("communication").score
    teamwork = mixed.dimension("teamwork")
    assert teamwork.score is None and not teamwork.assessed  # not a zero
    assert "採点していません" in mixed.summary["ja"]
