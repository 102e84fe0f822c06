"""``hireflow score INTERVIEW.json --model MODEL.yaml [--format json|html] [--output FILE]``.

Scores one interview file against a competency model and writes the report as canonical
JSON or as a standalone HTML page. Input errors are printed with the field they concern and
exit with status 2. An LLM judge is used when ``HIREFLOW_JUDGE_URL`` is set.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hireflow.scoring.engine import score_interview
from hireflow.scoring.interview import load_interview
from hireflow.scoring.judge import judge_from_env
from hireflow.scoring.models import ModelError, load_model

__all__ = ["FORMATS", "score_command"]

FORMATS = ("json", "html")


def score_command(
    interview: Path,
    model: Path,
    format: str = "json",
    output: Path | None = None,
    *,
    settings: Any = None,
) -> int:
    """Score ``interview`` with ``model`` and write the report; returns the exit status."""
    fmt = format.lower()
    if fmt not in FORMATS:
        sys.stderr.write(f"--format must be one of {', '.join(FORMATS)}, not {format!r}\n")
        raise SystemExit(2)
    try:
        competency_model = load_model(model)
        interview_input = load_interview(interview, competency_model)
    except ModelError as exc:
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(2) from None
    report = score_interview(
        interview_input, judge=judge_from_env(settings) if settings is not None else None
    )
    text = report.to_json() if fmt == "json" else report.to_html()
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        output.write_text(text, encoding="utf-8")
    return 0
