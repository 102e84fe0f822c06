"""``hireflow serve`` and its embedded worker live and die together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    # Every thread's children: the embedded worker is restarted from a supervising thread.
    found: list[int] = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(x) for x in path.read_text().split()]
        except FileNotFoundError:
            continue
    return found


def _task_workers(pid: int) -> list[int]:
    """The children that consume the task queue (``serve`` also starts a speech worker)."""
    found = []
    for child in _children(pid):
        try:
            args = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"-Q" in args and args[args.index(b"-Q") + 1] == b"hireflow":
            found.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


@pytest.mark.skipif(sys.platform != "linux", reason="parent-death signal is Linux only")
def test_a_killed_server_takes_its_embedded_worker_with_it(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update({"HIREFLOW_DATA_DIR": str(tmp_path), "HIREFLOW_LOG_LEVEL": "WARNING"})
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 90
        workers: list[int] = []
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            workers = _children(server.pid)
            try:
                healthy = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).is_success
            except httpx.HTTPError:
                healthy = False
            if healthy and workers:
                break
            time.sleep(0.3)
        assert workers, "no embedded worker was started"
        server.send_signal(signal.SIGKILL)  # no chance to clean up
        server.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(_alive(pid) for pid in workers):
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in workers), "the embedded worker outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
        log.close()


@pytest.mark.skipif(sys.platform != "linux", reason="reads children from /proc")
def test_a_killed_embedded_worker_is_restarted_and_reported(tmp_path: Path) -> None:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIREFLOW_")}
    env.update({"HIREFLOW_DATA_DIR": str(tmp_path), "HIREFLOW_LOG_LEVEL": "WARNING"})
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def health() -> dict:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).json()
        except (httpx.HTTPError, ValueError):
            return {}

    def wait_for(condition, seconds: float = 120):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            found = condition()
            if found:
                return found
            time.sleep(0.5)
        raise AssertionError((tmp_path / "serve.log").read_text())

    try:
        first = wait_for(
            lambda: (
                _task_workers(server.pid)
                if health().get("checks", {}).get("worker", {}).get("ok")
                else None
            )
        )
        os.kill(first[0], signal.SIGKILL)
        second = wait_for(lambda: [p for p in _task_workers(server.pid) if p not in first])
        assert second and _alive(second[0])
        report = wait_for(
            lambda: (
                health() if health().get("checks", {}).get("worker", {}).get("restarts") else None
            )
        )
        assert report["checks"]["worker"] == {**report["checks"]["worker"], "ok": True}
        assert report["checks"]["worker"]["restarts"] == 1
        text = (tmp_path / "serve.log").read_text()
        assert "exited with -9" in text and "was restarted" in text
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(second[0]):
            time.sleep(0.2)
        assert not _alive(second[0]), "the restarted worker outlived the server"
    finally:
        if server.poll() is None:
            server.kill()
        log.close()
