"""A real sandbox worker (``hireflow sandbox-worker``) takes a grading from the ``sandbox``
queue on the machine's Redis and returns the result; ordinary workers never see that queue."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from celery import Celery

from hireflow.coding.cli import sandbox_worker_command
from hireflow.coding.tasks import QUEUE, grade_submission
from hireflow.core.tasks import celery_app

REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS", "redis://127.0.0.1:6379/14")
# These tests empty and share their Redis database: under pytest-xdist they run on one worker.
pytestmark = pytest.mark.xdist_group("redis")
SOLUTION = "import sys\nd=sys.stdin.read().split()\nn,k=int(d[0]),int(d[1])\nfrom collections import Counter\nc=Counter();p=0\nfor v in map(int,d[2:2+n]):\n    p+=c[k-v];c[v]+=1\nprint(p)\n"


def test_grading_is_routed_to_the_sandbox_queue():
    assert QUEUE == "sandbox"
    routed = celery_app.amqp.router.route({}, grade_submission.name, args=(), kwargs={})
    assert routed["queue"].name == "sandbox"
    command = sandbox_worker_command(2)
    assert command[command.index("-Q") + 1] == "sandbox"


@pytest.mark.slow
def test_sandbox_worker_grades_a_submission_from_redis(tmp_path: Path):
    client = redis.Redis.from_url(REDIS_URL)
    client.ping()  # a missing Redis fails the test loudly
    client.flushdb()
    env = {
        **os.environ,
        "HIREFLOW_ENV": "test",
        "HIREFLOW_DATA_DIR": str(tmp_path),
        "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "HIREFLOW_BROKER_URL": REDIS_URL,
        "HIREFLOW_RESULT_BACKEND": REDIS_URL,
        "HIREFLOW_LOG_JSON": "false",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # A client app of its own on the test Redis: the process-wide app stays on its broker.
    client_app = Celery("client", broker=REDIS_URL, backend=REDIS_URL)
    try:
        sent = client_app.send_task(
            "coding.grade_submission", args=("pair-sum", "python", SOLUTION, "submit"), queue=QUEUE
        )
        wrong = client_app.send_task(
            "coding.grade_submission", args=("pair-sum", "python", "print(0)", "run"), queue=QUEUE
        )
        refused = client_app.send_task(
            "coding.grade_submission", args=("pair-sum", "cobol", "x", "run"), queue=QUEUE
        )
        deadline = time.monotonic() + 120
        while not sent.ready() and time.monotonic() < deadline:
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
            time.sleep(0.2)
        result = sent.get(timeout=60)
        assert result["status"] == "accepted"
        assert result["passed"] == result["total"] == 12
        assert result["efficiency"]["verdict"] == "efficient"
        assert result["code"] == SOLUTION
        assert wrong.get(timeout=60)["status"] == "wrong_answer"
        assert "cobol" in refused.get(timeout=60)["error"]
        # nothing of it went to the ordinary queue
        assert client.llen("hireflow") == 0
    finally:
        worker.terminate()
        worker.wait(timeout=20)
        client_app.close()
