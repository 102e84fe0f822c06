"""The processes a load run talks to, started with the product's own commands.

- ``one``: one ``hireflow serve`` (its embedded worker on the local SQLite broker).
- ``multi``: two ``hireflow serve --no-embedded-worker`` on two ports (the bench's client
  spreads candidates over them round-robin) and two ``hireflow worker --concurrency 1``
  (the first with ``--beat``), on PostgreSQL and Redis.

For a fault run the bench also owns a Redis (``redis-server`` on its own port, no persistence)
and, when it can, a PostgreSQL instance (the machine's binaries, its own data directory and
port, run as the ``postgres`` user): those, and only those, it restarts. The machine's shared
Redis and PostgreSQL cluster are never stopped.

A local SMTP sink (aiosmtpd) counts the e-mails each recipient received.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import interviews_world as world_module

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path("/usr/lib/postgresql/15/bin")


def port_range() -> list[int]:
    """The ports this run may use (``HIREFLOW_TEST_PORTS=a-b``), else free ones."""
    spec = os.environ.get("HIREFLOW_TEST_PORTS", "")
    if "-" in spec:
        low, high = (int(x) for x in spec.split("-", 1))
        return list(range(low, high + 1))
    return [world_module.free_port() for _ in range(12)]


def hireflow(*args: str) -> list[str]:
    """The ``hireflow`` command line (the console script is ``python -m hireflow.cli``)."""
    return [sys.executable, "-m", "hireflow.cli", *args]


@dataclass
class Service:
    """A process the bench started, its command line and log, and how often it started."""

    name: str
    command: list[str]
    log: Path
    env: dict[str, str]
    url: str = ""
    process: subprocess.Popen | None = None
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a kill of its group takes its children too
            )
        if self.url:
            world_module.wait_healthy(self.url, self.process, self.log)

    def kill(self) -> None:
        """SIGKILL to the process and everything it started (no clean shutdown)."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()


class SmtpSink:
    """A local SMTP server that counts the messages each recipient received."""

    def __init__(self, port: int) -> None:
        from aiosmtpd.controller import Controller

        self.received: Counter[str] = Counter()
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope) -> str:
                with sink._lock:
                    for rcpt in envelope.rcpt_tos:
                        sink.received[rcpt.lower()] += 1
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self.port = port

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.controller.stop()


@dataclass
class PrivateRedis:
    """A redis-server of the bench's own (no persistence: a restart loses what it held)."""

    port: int
    directory: Path
    service: Service | None = None

    def start(self) -> str:
        if self.service is None:
            command = [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ]
            self.service = Service("redis", command, self.directory / "redis.log", dict(os.environ))
        self.service.start()
        _wait_port(self.port)
        return f"redis://127.0.0.1:{self.port}/0"

    def restart(self, down_for: float = 3.0) -> None:
        assert self.service is not None
        self.service.kill()
        time.sleep(down_for)
        self.start()

    def stop(self) -> None:
        if self.service is not None:
            self.service.stop()


@dataclass
class PrivatePostgres:
    """A PostgreSQL instance of the bench's own: the machine's binaries, a fresh data
    directory, its own port, run as the ``postgres`` user. ``None`` from :meth:`create` when
    that is not possible here (then the run says PostgreSQL was not restarted)."""

    port: int
    directory: Path
    notes: list[str] = field(default_factory=list)

    @classmethod
    def create(cls, port: int, root: Path) -> PrivatePostgres | None:
        if not (PG_BIN / "initdb").exists():
            return None
        directory = root / "pgdata"
        root.mkdir(parents=True, exist_ok=True)
        as_postgres = os.geteuid() == 0
        if as_postgres:
            shutil.chown(root, "postgres", "postgres")
        try:
            _run_pg(
                [
                    str(PG_BIN / "initdb"),
                    "-D",
                    str(directory),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                ],
                as_postgres,
            )
        except subprocess.CalledProcessError as exc:
            print(f"no private PostgreSQL: {exc.stderr.decode(errors='replace')[-300:]}")
            return None
        instance = cls(port, directory)
        instance._as_postgres = as_postgres  # type: ignore[attr-defined]
        instance.start()
        return instance

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
        options += " -c max_connections=200 -c fsync=on"
        _run_pg(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(self.directory),
                "-l",
                str(self.directory / "server.log"),
                "-o",
                options,
                "-w",
                *args,
            ],
            getattr(self, "_as_postgres", False),
        )

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """A fast restart: open connections are cut, the instance is back in seconds."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._ctl("-m", "fast", "stop")

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


def _run_pg(command: list[str], as_postgres: bool) -> None:
    if as_postgres:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, cwd="/tmp")


def _wait_port(port: int, timeout: float = 20) -> None:
    import socket

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on port {port}")


@dataclass
class Topology:
    """The web processes and workers of one run; ``urls`` are the web processes' addresses."""

    kind: str
    webs: list[Service]
    workers: list[Service]

    @property
    def urls(self) -> list[str]:
        return [web.url for web in self.webs]

    @property
    def worker_logs(self) -> list[Path]:
        # The embedded worker writes into its server's log.
        return [w.log for w in self.workers] or [web.log for web in self.webs]

    def start(self) -> None:
        for web in self.webs:  # one after another: each migrates on start
            web.start()
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for service in [*self.webs, *self.workers]:
            service.stop()

    def describe(self) -> str:
        lines = [f"{s.name}: {' '.join(s.command[2:])}" for s in [*self.webs, *self.workers]]
        return "; ".join(lines)


def build(kind: str, env: dict[str, str], data_dir: Path, ports: list[int]) -> Topology:
    """``one``: one ``hireflow serve`` with its embedded worker (on the embedded broker);
    ``multi``: 2 web processes and 2 separate workers (the environment names the broker)."""
    if kind == "one":
        url = f"http://127.0.0.1:{ports[0]}"
        web = Service("web", hireflow("serve", "--port", str(ports[0])), data_dir / "web.log", env)
        web.url = url
        return Topology(kind, [web], [])
    webs = []
    for i in range(2):
        web = Service(
            f"web{i + 1}",
            hireflow("serve", "--port", str(ports[i]), "--no-embedded-worker"),
            data_dir / f"web{i + 1}.log",
            env,
        )
        web.url = f"http://127.0.0.1:{ports[i]}"
        webs.append(web)
    workers = [
        Service(
            f"worker{i + 1}",
            hireflow("worker", "--concurrency", "1", *(["--beat"] if i == 0 else [])),
            data_dir / f"worker{i + 1}.log",
            env,
        )
        for i in range(2)
    ]
    return Topology(kind, webs, workers)


def busy_worker(topology: Topology) -> Service | None:
    """A worker whose log shows a task received and not yet finished (solo pool: one at a
    time), i.e. one that is mid-task now."""
    for worker in topology.workers:
        if worker.process is None or worker.process.poll() is not None:
            continue
        text = worker.log.read_text(errors="replace")[-20000:]
        lines = [line for line in text.splitlines() if "Task " in line]
        if lines and lines[-1].rstrip().endswith("received"):
            return worker
    return None


def last_task_name(worker: Service) -> str:
    text = worker.log.read_text(errors="replace")[-20000:]
    lines = [line for line in text.splitlines() if line.rstrip().endswith("received")]
    if not lines:
        return "?"
    return lines[-1].split("Task ", 1)[-1].split("[", 1)[0]
