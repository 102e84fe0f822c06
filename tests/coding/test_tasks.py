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

# A Redis database of its own: a worker another test leaves consuming its database cannot take
# these tasks. The test empties it: under pytest-xdist it runs on the "redis" group's worker.
REDIS_URL = os.environ.get("HIREFLOW_TEST_REDIS_SANDBOX", "redis://127.0.0.1:6379/11")
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
    # The worker's log goes to a file, not a pipe nobody reads while it runs (a full pipe
    # would stop the worker); shown when the test fails.
    log_path = tmp_path / "worker.log"
    # Migrated first, as IT would: the worker's heartbeat writes to the database (into a
    # database without tables it logs a traceback every beat, drowning the log's tail).
    subprocess.run([sys.executable, "-m", "hireflow.cli", "migrate"], env=env, check=True)
    log = log_path.open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "1"],
        env=env,
        stdout=log,
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
        # Start-up included: importing and starting a worker took 42 s under load 14.
        deadline = time.monotonic() + 240
        while not sent.ready() and time.monotonic() < deadline:
            assert worker.poll() is None, tail(log_path)
            time.sleep(0.2)
        assert sent.ready(), (
            f"queued {client.llen(QUEUE)}, unacked {client.hlen('unacked')}, "
            f"clients {sum(c.get('db') == client.connection_pool.connection_kwargs.get('db') for c in client.client_list())}\n"
            + tail(log_path)
        )
        result = sent.get(timeout=10)
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
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()  # a warm shutdown waits for the task at hand
            worker.wait()
        log.close()
        client_app.close()


def tail(path: Path, size: int = 6000) -> str:
    """The end of the worker's log, for a failure's message."""
    return path.read_bytes()[-size:].decode(errors="replace")
