"""The ``hireflow score`` command function: JSON and HTML output, errors naming the field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hireflow.scoring.cli_score import score_command
from hireflow.scoring.report import Report
from tests.scoring.engine_helpers import EVAL_DIR, STRONG_EN, VAGUE_EN, interview_dict

MODEL = EVAL_DIR / "model.yaml"


@pytest.fixture
def interview_file(tmp_path: Path) -> Path:
    path = tmp_path / "interview.json"
    data = interview_dict({"comm_b": STRONG_EN, "tw_b": VAGUE_EN})
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_json_to_stdout(interview_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert score_command(interview_file, MODEL, "json", None) == 0
    report = Report.from_json(capsys.readouterr().out)
    assert report.dimension("communication").score is not None


def test_html_to_file(interview_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    score_command(interview_file, MODEL, "html", out)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html


def test_yaml_interview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import yaml

    path = tmp_path / "interview.yaml"
    path.write_text(yaml.safe_dump(interview_dict({"comm_b": STRONG_EN})), encoding="utf-8")
    score_command(path, MODEL, "json", None)
    assert json.loads(capsys.readouterr().out)["schema_version"]


def test_bad_interview_exits_2_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = interview_dict({"comm_b": STRONG_EN})
    data["answers"][0]["question_id"] = "q-unknown"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SystemExit) as caught:
        score_command(path, MODEL, "json", None)
    assert caught.value.code == 2
    assert "answers[0].question_id" in capsys.readouterr().err


def test_bad_model_and_format(interview_file: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit):
        score_command(interview_file, tmp_path / "missing.yaml", "json", None)
    with pytest.raises(SystemExit):
        score_command(interview_file, MODEL, "pdf", None)
