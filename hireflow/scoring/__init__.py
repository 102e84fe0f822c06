"""Hireflow's AI engine: a pure library (no database, no web).

Competency models and questions (:mod:`.models`), answer analysis (:mod:`.analysis`),
scoring (:mod:`.engine`), follow-up questions (:mod:`.followups`), the report
(:mod:`.report`), calibration from HR corrections (:mod:`.calibration`) and the judge
interface (:mod:`.judge`). The names below are re-exported lazily so that importing one
submodule does not load the others.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    # models
    "Anchor": "models",
    "CompetencyModel": "models",
    "Dimension": "models",
    "FieldError": "models",
    "Indicator": "models",
    "ModelError": "models",
    "Question": "models",
    "load_model": "models",
    "load_preset": "models",
    "localised": "models",
    # interviews
    "Answer": "interview",
    "InterviewError": "interview",
    "InterviewInput": "interview",
    "interview_from_dict": "interview",
    "load_interview": "interview",
    # analysis and scoring
    "AnswerAnalysis": "analysis",
    "analyse_interview": "analysis",
    "ENGINE_VERSION": "engine",
    "job_match": "interview",
    "score_interview": "engine",
    "suggest_follow_ups": "followups",
    # report
    "SCHEMA_VERSION": "report",
    "Report": "report",
    "ReportError": "report",
    "render_html": "report",
    # calibration
    "CompanyCalibration": "calibration",
    "Correction": "calibration",
    "agreement": "calibration",
    "corrections_from_report": "calibration",
    "fit_calibration": "calibration",
    # judges
    "EmbeddedJudge": "judge",
    "Judge": "judge",
    "OpenAICompatibleJudge": "judge",
    "judge_from_env": "judge",
    # embeddings
    "get_embedder": "embedding",
    "set_embedder": "embedding",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'hireflow.scoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"hireflow.scoring.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
