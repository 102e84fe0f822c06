"""``hireflow analytics-rollups`` on a fresh database, as an operator runs it: it migrates,
builds the rollups (nothing to fold in yet), and ``--rebuild`` recomputes them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "HIREFLOW_ENV": "test",
        "HIREFLOW_DATA_DIR": str(tmp_path / "data"),
        "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}",
        "HIREFLOW_LOG_JSON": "false",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    return subprocess.run(
        [sys.executable, "-m", "hireflow.cli", "analytics-rollups", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_command_builds_then_rebuilds(tmp_path: Path):
    first = _run(tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Folded in 0 applications" in first.stdout
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ops.db'}")
    with engine.connect() as connection:
        state = connection.execute(sa.text("SELECT name FROM analytics_rollup_state")).all()
        review = connection.execute(sa.text("SELECT name FROM analytics_review_state")).all()
    engine.dispose()
    assert state == [("pipeline",)] and review == [("review",)]
    again = _run(tmp_path, "--rebuild")
    assert again.returncode == 0, again.stderr
    assert "Rebuilt up to 0 applications" in again.stdout
    assert _run(tmp_path, "--no-such-flag").returncode != 0
