"""What the sandbox does for speed without loosening it: each grading process of a sandbox
worker keeps to one CPU when the processes divide evenly over the CPUs; the harness refuses to
run outside a sandbox of its own; it stays non-dumpable (its ``/proc`` files closed to the
cases) with the lighter ``prctl`` call."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hireflow.coding.sandbox import HARNESS, cpu_for_process

UNUSED_UID = ["setpriv", "--reuid=60999", "--regid=60999", "--clear-groups", "--"]


def test_each_grading_process_keeps_to_one_cpu_when_they_divide_evenly():
    assert [cpu_for_process(i, 2, [0, 1]) for i in range(2)] == [0, 1]
    assert [cpu_for_process(i, 4, [3, 1]) for i in range(4)] == [1, 3, 1, 3]
    # a replaced pool process gets its predecessor's index, so the same CPU
    assert cpu_for_process(5, 2, [0, 1]) == 1


@pytest.mark.parametrize(("processes", "cpus"), [(1, [0, 1]), (3, [0, 1]), (2, []), (5, [0, 1])])
def test_uneven_or_fewer_processes_are_left_free(processes, cpus):
    assert cpu_for_process(0, processes, cpus) is None


@pytest.mark.skipif(os.geteuid() != 0, reason="runs the harness as an unused uid (needs root)")
def test_the_harness_refuses_to_run_outside_its_own_pid_namespace():
    # As an unused uid: were the guard to fail, its kill(-1) could reach no one's process.
    result = subprocess.run(
        [*UNUSED_UID, "/usr/bin/python3", "-I", "-S", str(HARNESS), "/nonexistent/spec.bin"],
        capture_output=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert b"refusing to run" in result.stderr


def test_a_case_cannot_open_the_harness_s_proc_files(runner):
    probe = """import os
parent = os.getppid()
for name in ("environ", "mem", "fd"):
    try:
        os.listdir(f"/proc/{parent}/fd") if name == "fd" else open(f"/proc/{parent}/{name}", "rb").read(1)
        print(name, "open")
    except OSError as exc:
        print(name, type(exc).__name__)
print(parent)
"""
    lines = runner.grade("pair-sum", "python", probe, "run").cases[0].output.splitlines()
    assert lines == [
        "environ PermissionError",
        "mem PermissionError",
        "fd PermissionError",
        "2",
    ], lines


def test_a_sandbox_worker_s_pool_processes_keep_to_a_cpu_each(tmp_path):
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        pytest.skip("one CPU: nothing to divide")
    env = {
        **os.environ,
        "HIREFLOW_DATA_DIR": str(tmp_path),
        "HIREFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "HIREFLOW_BROKER_URL": "memory://",
        "HIREFLOW_RESULT_BACKEND": "cache+memory://",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", str(len(cpus))],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        pinned = _wait_for_pool(worker.pid, len(cpus))
        assert sorted(pinned) == [[cpu] for cpu in cpus], pinned
    finally:
        worker.terminate()
        worker.wait(timeout=30)


def _wait_for_pool(pid: int, size: int, wait_s: float = 60.0) -> list[list[int]]:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        children = _children(pid)
        affinities = []
        for child in children:
            try:
                affinities.append(sorted(os.sched_getaffinity(child)))
            except OSError:
                continue
        if len(affinities) >= size and all(len(a) == 1 for a in affinities):
            return affinities
        time.sleep(0.5)
    return [sorted(os.sched_getaffinity(c)) for c in _children(pid)]


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]
