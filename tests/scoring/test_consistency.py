"""Consistency (SPEC F5): the same interview gives byte-identical JSON across runs and processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import load_interview
from hireflow.scoring.models import load_model
from tests.scoring.engine_helpers import (
    EVAL_DIR,
    STRONG_EN,
    STRONG_ZH,
    VAGUE_ZH,
    WE_ONLY_EN,
    interview_dict,
)

SCRIPT = (
    "import sys\n"
    "from pathlib import Path\n"
    "from hireflow.scoring.cli_score import score_command\n"
    "score_command(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))\n"
)


@pytest.fixture(scope="module")
def interview_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = interview_dict(
        {"comm_b": STRONG_ZH, "tw_b": VAGUE_ZH, "co_s": WE_ONLY_EN, "ps_b": STRONG_EN, "la_b": ""},
        language="zh",
    )
    data["answers"][0]["audio_features"] = {"speech_rate_cpm": 260.0, "pause_ratio": 0.12}
    path = tmp_path_factory.mktemp("consistency") / "interview.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def run_in_subprocess(interview: Path, out: Path, fmt: str = "json", threads: str = "2") -> bytes:
    env = {**os.environ, "HIREFLOW_EMBEDDER_THREADS": threads}
    subprocess.run(
        [sys.executable, "-c", SCRIPT, str(interview), str(EVAL_DIR / "model.yaml"), fmt, str(out)],
        check=True,
        env=env,
        timeout=300,
    )
    return out.read_bytes()


@pytest.mark.slow
def test_two_processes_give_identical_bytes(interview_file: Path, tmp_path: Path) -> None:
    first = run_in_subprocess(interview_file, tmp_path / "a.json")
    second = run_in_subprocess(interview_file, tmp_path / "b.json", threads="1")
    assert first == second
    # ... and the same bytes as this process, whose embedder cache already holds other texts.
    model = load_model(EVAL_DIR / "model.yaml")
    here = score_interview(load_interview(interview_file, model)).to_json().encode()
    assert here == first
    html_a = run_in_subprocess(interview_file, tmp_path / "a.html", "html")
    html_b = run_in_subprocess(interview_file, tmp_path / "b.html", "html")
    assert html_a == html_b


def test_same_input_same_report_in_one_process(interview_file: Path) -> None:
    model = load_model(EVAL_DIR / "model.yaml")
    reports = [score_interview(load_interview(interview_file, model)).to_json() for _ in range(3)]
    assert reports[0] == reports[1] == reports[2]
    # No clock, no randomness: nothing in the report depends on when it was made.
    assert "generated" not in reports[0] and "timestamp" not in reports[0]


def test_answer_order_does_not_change_dimension_scores(interview_file: Path) -> None:
    model = load_model(EVAL_DIR / "model.yaml")
    data = json.loads(interview_file.read_text(encoding="utf-8"))
    forward = score_interview(load_interview(data, model))
    data["answers"].reverse()
    data["questions"].reverse()
    backward = score_interview(load_interview(data, model))
    for d in forward.dimensions:
        assert backward.dimension(d.id).score == d.score
