"""The platform side of the scoring engine: settings choose the engine and the encoder."""

from __future__ import annotations

from hireflow.core.settings import get_settings
from hireflow.interviews.engine_adapter import compute_report
from tests.interviews.factories import scored_interview


def test_the_setting_chooses_the_scoring_engine(session, db, org, monkeypatch):
    _setup, interview = scored_interview(session, db, org)
    monkeypatch.delenv("HIREFLOW_SCORING_LEARNED", raising=False)
    assert compute_report(session, interview).engine_version == "hireflow-scoring/1.0"
    monkeypatch.setenv("HIREFLOW_SCORING_LEARNED", "1")
    get_settings.cache_clear()
    try:
        assert compute_report(session, interview).engine_version == "hireflow-scoring/1.1"
    finally:
        monkeypatch.delenv("HIREFLOW_SCORING_LEARNED")
        get_settings.cache_clear()
