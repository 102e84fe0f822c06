"""``hireflow worker --queues`` (one process per queue) and ``hireflow beat``."""

from __future__ import annotations

import sys
import time

from typer.testing import CliRunner

from hireflow import cli
from hireflow.core.settings import Settings


def test_an_unknown_queue_is_refused_with_the_known_ones():
    result = CliRunner().invoke(cli.app, ["worker", "--queues", "scoring,speach"])
    assert result.exit_code == 2
    assert "unknown queue speach" in result.output and "notifications" in result.output


def test_the_worker_command_names_its_queues(tmp_path):
    settings = Settings(data_dir=tmp_path, separate_queues=True)
    everything = cli._worker_command(settings, 2, beat=False)
    assert everything[everything.index("-Q") + 1] == "hireflow,speech,scoring,notifications"
    single = cli._worker_command(Settings(data_dir=tmp_path), 2, beat=False)
    assert single[single.index("-Q") + 1] == "hireflow"  # nothing is routed elsewhere
    speech = cli._worker_command(settings, 1, beat=True, queues="speech")
    assert speech[speech.index("-Q") + 1] == "speech" and "--beat" in speech
    assert "--pool=solo" in speech and speech[speech.index("--hostname") + 1] == "speech@%h"


def test_one_process_per_queue_and_all_stop_when_one_ends():
    started = time.monotonic()
    code = cli._run_all(
        [
            [sys.executable, "-c", "import time; time.sleep(60)"],
            [sys.executable, "-c", "import sys, time; time.sleep(0.5); sys.exit(3)"],
        ]
    )
    assert code == 3  # the failing process's exit code, and the sleeper was stopped
    assert time.monotonic() - started < 30
