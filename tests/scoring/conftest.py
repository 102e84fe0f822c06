"""Fixtures of the scoring tests."""

from __future__ import annotations

import pytest

from hireflow.scoring import learned


@pytest.fixture
def engine_1_1(monkeypatch: pytest.MonkeyPatch) -> None:
    """Score with engine 1.1 (learned roles, relevance gate), which is off by default."""
    monkeypatch.setattr(learned, "enabled", lambda: True)
