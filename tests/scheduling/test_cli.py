"""The operator commands run the same sweeps as the periodic tasks."""

import os
import subprocess
import sys

from typer.testing import CliRunner


def test_outbox_and_reminders_commands(tmp_path):
    env = {
        **os.environ,
        "HIREFLOW_DATA_DIR": str(tmp_path),
        "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "HIREFLOW_ENV": "test",
    }
    outbox = subprocess.run(
        [sys.executable, "-m", "hireflow.cli", "outbox", "--deliver"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outbox.returncode == 0, outbox.stderr
    assert "nothing was due" in outbox.stdout and "outbox is empty" in outbox.stdout
    reminders = subprocess.run(
        [sys.executable, "-m", "hireflow.cli", "reminders"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert reminders.returncode == 0 and "none were due" in reminders.stdout


def test_commands_are_registered():
    from hireflow.cli import app

    result = CliRunner().invoke(app, ["--help"])
    assert "outbox" in result.output and "reminders" in result.output
