"""Runs untrusted code: bubblewrap + seccomp + rlimits + a cgroup, as an unprivileged user.

One call of :meth:`Sandbox.execute` is one sandbox: a fresh set of namespaces (user, PID,
network with nothing but its own loopback, mount, IPC, UTS, cgroup), a read-only view of
``/usr`` (the toolchains) and of the few files under ``/etc`` they read, an empty ``/etc/passwd``
of its own, a size-capped tmpfs work directory ``/box``, no environment but what we set, the
seccomp filter of :mod:`hireflow.coding.seccomp`, and the slot's cgroup for memory and
processes. Inside, :mod:`hireflow.coding.harness` compiles the submission and runs every case
in a process of its own with rlimits and a wall-clock deadline. ``--die-with-parent`` and the
PID namespace guarantee that nothing outlives the run: when the worker kills bubblewrap (the
run's overall deadline), the kernel kills every process in the namespace.

Concurrency: runs take a *slot* (an ``flock`` on a file), up to ``HIREFLOW_SANDBOX_SLOTS`` at
once per host. Started as root, each slot runs under a uid of its own (``uid_base + slot``), so
``RLIMIT_NPROC`` counts one run's processes only and no two runs can signal each other; the
worker's own uid is used when it is not root (then run it as a dedicated unprivileged account).
"""

from __future__ import annotations

import fcntl
import json
import marshal
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

from hireflow.coding import cgroups, seccomp

HARNESS = Path(__file__).with_name("harness.py")
INSIDE_UID = 1000
RESULT_CAP = 64 * 1024 * 1024


class SandboxSettings(BaseSettings):
    """Sandbox host configuration (environment prefix ``HIREFLOW_SANDBOX_``)."""

    model_config = SettingsConfigDict(env_prefix="HIREFLOW_SANDBOX_", extra="ignore")

    bwrap: str = "/usr/bin/bwrap"
    python: str = "/usr/bin/python3"
    slots: int = 8
    uid_base: int = 61000
    cgroup: Literal["auto", "v1", "v2", "none"] = "auto"
    state_dir: Path = Path(tempfile.gettempdir()) / "hireflow-sandbox"
    box_mb: int = 64  # the writable work directory (tmpfs, counted in the memory cap)
    tmp_mb: int = 16
    # Each grading process of ``hireflow sandbox-worker`` (and the sandboxes it starts) keeps
    # to one CPU when the processes divide evenly over the CPUs (see ``cpu_for_process``).
    pin_cpus: bool = True
    # How many grading processes ``hireflow sandbox-worker`` started (it sets this for its
    # Celery processes; 0 elsewhere, where nothing is pinned).
    processes: int = 0


#: Set by ``hireflow sandbox-worker`` for its Celery processes (``SandboxSettings.processes``).
PROCESSES_ENV = "HIREFLOW_SANDBOX_PROCESSES"


def cpu_for_process(index: int, processes: int, cpus: list[int]) -> int | None:
    """The CPU grading process ``index`` of ``processes`` keeps to, or None (leave it free).

    A grading is a chain of short processes (launcher, bubblewrap, harness, one per case),
    each waking the next. Left free, the scheduler's wake-up placement often stacks two
    workers' chains on one CPU while the other idles (the product's burst was slower so:
    docs/coding.md, "Measured"); one CPU per grading process keeps every CPU busy. Only when
    the processes divide evenly over the CPUs: otherwise some CPU would get more of them.
    """
    if not cpus or processes < len(cpus) or processes % len(cpus):
        return None
    return sorted(cpus)[index % len(cpus)]


def pin_grading_process(index: int, processes: int) -> int | None:
    """Keep this process (and every sandbox it starts) to the CPU ``cpu_for_process`` picks."""
    if not SandboxSettings().pin_cpus:
        return None
    cpu = cpu_for_process(index, processes, sorted(os.sched_getaffinity(0)))
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    return cpu


class SandboxError(RuntimeError):
    """The sandbox itself could not run (a host problem, never the candidate's code)."""


@dataclass
class Job:
    """What one sandbox run gets: files for ``/job`` and the harness's spec."""

    files: dict[str, bytes]
    spec: dict[str, Any]
    memory_bytes: int
    max_procs: int
    deadline_s: float
    binds: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    # Asked with the raw cases run so far before the spec's ``confirm_group`` starts: True
    # runs the group (in the same sandbox), False leaves it out of the report.
    confirm: Callable[[list[dict[str, Any]]], bool] | None = None


@dataclass
class RunReport:
    """The harness's report plus what the host observed around it."""

    compile: dict[str, Any] | None
    cases: list[dict[str, Any]]
    oom_kills: int = 0
    peak_bytes: int = 0
    wall_s: float = 0.0
    harness_died: bool = False
    diagnostics: str = ""


class Sandbox:
    """A sandbox host: checks its prerequisites once, then runs jobs in slots."""

    def __init__(self, settings: SandboxSettings | None = None) -> None:
        self.settings = settings or SandboxSettings()
        for tool in (self.settings.bwrap, self.settings.python):
            if not os.access(tool, os.X_OK):
                raise SandboxError(f"{tool} is missing: install Debian's bubblewrap and python3")
        self.cgroup_version = cgroups.detect(self.settings.cgroup)
        self.seccomp_program = seccomp.filter_program()
        self.is_root = os.geteuid() == 0
        self.settings.state_dir.mkdir(mode=0o711, parents=True, exist_ok=True)
        self._etc = self._make_etc()

    # -- set-up -------------------------------------------------------------------------

    def _make_etc(self) -> Path:
        """``/etc/passwd`` and ``/etc/group`` that name only the sandbox user."""
        etc = self.settings.state_dir / "etc"
        etc.mkdir(mode=0o755, exist_ok=True)
        (etc / "passwd").write_text(f"runner:x:{INSIDE_UID}:{INSIDE_UID}:runner:/box:/bin/false\n")
        (etc / "group").write_text(f"runner:x:{INSIDE_UID}:\n")
        (etc / "hosts").write_text("127.0.0.1 localhost sandbox\n")
        for name in ("passwd", "group", "hosts"):
            (etc / name).chmod(0o644)
        return etc

    @cached_property
    def system_binds(self) -> list[str]:
        args: list[str] = ["--ro-bind", "/usr", "/usr"]
        for top in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / top
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        for path in ("/etc/ld.so.cache", "/etc/localtime"):
            if os.path.exists(path):
                args += ["--ro-bind", path, path]
        for name in ("passwd", "group", "hosts"):
            args += ["--ro-bind", str(self._etc / name), f"/etc/{name}"]
        return args

    @contextmanager
    def _slot(self, wait_s: float = 120.0) -> Iterator[int]:
        """Take a free slot (blocking up to ``wait_s``), holding its lock for the run."""
        deadline = time.monotonic() + wait_s
        start = os.getpid() % self.settings.slots
        while True:
            for offset in range(self.settings.slots):
                slot = (start + offset) % self.settings.slots
                fd = os.open(self.settings.state_dir / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    os.close(fd)
                    continue
                try:
                    yield slot
                finally:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
                return
            if time.monotonic() > deadline:
                raise SandboxError("every sandbox slot stayed busy; try again later")
            time.sleep(0.01)

    # -- running ------------------------------------------------------------------------

    def execute(self, job: Job) -> RunReport:
        """Run a job in a fresh sandbox and return the harness's report."""
        with self._slot() as slot:
            uid = self.settings.uid_base + slot if self.is_root else os.geteuid()
            group = cgroups.slot_group(self.cgroup_version, slot)
            if group is not None:
                group.drained()
                group.set_limits(job.memory_bytes, job.max_procs)
                group.reset_peak()
            oom_before = group.oom_kills() if group is not None else 0
            jobdir = Path(tempfile.mkdtemp(prefix="job-", dir=self.settings.state_dir))
            try:
                for name, data in job.files.items():
                    (jobdir / name).write_bytes(data)
                    (jobdir / name).chmod(0o644)
                spec = dict(job.spec, jobdir="/job", workdir="/box")
                if job.confirm is None:
                    spec.pop("confirm_group", None)
                # marshal (version 4, Python 3.4+): the harness reads it without importing json
                (jobdir / "spec.bin").write_bytes(marshal.dumps(spec, 4))
                (jobdir / "spec.bin").chmod(0o644)
                if self.is_root:
                    os.chown(jobdir, uid, uid)
                jobdir.chmod(0o700)
                report = self._run(job, jobdir, uid, group)
            finally:
                shutil.rmtree(jobdir, ignore_errors=True)
            if group is not None:
                report.oom_kills = group.oom_kills() - oom_before
                report.peak_bytes = group.peak_bytes()
            return report

    def _argv(self, job: Job, jobdir: Path, seccomp_fd: int) -> list[str]:
        settings = self.settings
        env = {
            "PATH": "/usr/bin:/bin",
            "HOME": "/box",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TMPDIR": "/tmp",  # noqa: S108 - the sandbox's own tmpfs
            **job.env,
        }
        argv = [
            settings.bwrap,
            "--unshare-all",
            "--unshare-user",
            "--disable-userns",
            "--uid",
            str(INSIDE_UID),
            "--gid",
            str(INSIDE_UID),
            "--hostname",
            "sandbox",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
        ]
        for key, value in env.items():
            argv += ["--setenv", key, value]
        argv += self.system_binds
        for path in job.binds:
            argv += ["--ro-bind", path, path]
        argv += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(settings.tmp_mb * 1024 * 1024),
            "--tmpfs",
            "/tmp",  # noqa: S108 - a tmpfs of the sandbox's own
            "--size",
            str(settings.box_mb * 1024 * 1024),
            "--tmpfs",
            "/box",
            "--ro-bind",
            str(jobdir),
            "/job",
            "--ro-bind",
            str(HARNESS),
            "/opt/hireflow/harness.py",
            "--remount-ro",
            "/",
            "--chdir",
            "/box",
            "--seccomp",
            str(seccomp_fd),
            settings.python,
            "-I",
            "-S",
            "/opt/hireflow/harness.py",
            "/job/spec.bin",
        ]
        return argv

    def _launcher(self, argv: list[str], uid: int, group: cgroups.SlotGroup | None) -> list[str]:
        """Join the slot's cgroup(s) and drop to the slot's uid, then exec bubblewrap."""
        prefix: list[str] = []
        if self.is_root:
            prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        if group is None:
            return prefix + argv
        files = group.join_files
        script = "".join(f'echo 0 > "${i + 1}" && ' for i in range(len(files)))
        script += f'shift {len(files)} && exec "$@"'
        return ["/bin/sh", "-c", script, "sh", *files, *prefix, *argv]

    def _run(self, job: Job, jobdir: Path, uid: int, group: cgroups.SlotGroup | None) -> RunReport:
        seccomp_fd = seccomp.program_fd()
        started = time.monotonic()
        try:
            argv = self._launcher(self._argv(job, jobdir, seccomp_fd), uid, group)
            proc = subprocess.Popen(  # noqa: S603 - fixed argv, no shell interpolation of input
                argv,
                stdin=subprocess.DEVNULL if job.confirm is None else subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                pass_fds=(seccomp_fd,),
                start_new_session=True,
                env={"PATH": "/usr/bin:/bin"},
            )
        finally:
            os.close(seccomp_fd)
        out, err, timed_out = _collect(proc, started + job.deadline_s, job.confirm)
        wall = time.monotonic() - started
        diagnostics = err.decode("utf-8", "replace")[-2000:]
        if timed_out:
            return RunReport(None, [], wall_s=wall, harness_died=True, diagnostics="deadline")
        if proc.returncode != 0 and diagnostics.startswith("bwrap:"):
            raise SandboxError(f"bubblewrap failed: {diagnostics.strip()}")
        try:
            # one line per confirmation (the cases run before it), then the final report
            lines = [json.loads(line) for line in out.split(b"\n") if line]
            final = lines[-1]
            cases = [case for line in lines for case in line["cases"]]
            compiled = final["compile"]
        except (ValueError, LookupError, TypeError):
            return RunReport(None, [], wall_s=wall, harness_died=True, diagnostics=diagnostics)
        return RunReport(compiled, cases, wall_s=wall)


def _answer(proc: subprocess.Popen[bytes], line: bytes, confirm: Callable[..., bool]) -> None:
    """Answer the harness's confirmation: its report line so far decides."""
    assert proc.stdin is not None
    try:
        go = confirm(json.loads(line)["cases"])
    except (ValueError, LookupError, TypeError):
        go = False  # not a report: the final parse says the harness died
    with suppress(OSError):
        proc.stdin.write(b"1" if go else b"0")
        proc.stdin.flush()
    with suppress(OSError):
        proc.stdin.close()


def _collect(
    proc: subprocess.Popen[bytes], deadline: float, confirm: Callable[..., bool] | None = None
) -> tuple[bytes, bytes, bool]:
    """Read the harness's stdout/stderr (capped) until it exits or the deadline passes;
    answer its confirmation (``confirm``) when its first line is complete."""
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks = {out_fd: bytearray(), err_fd: bytearray()}
    open_fds = {out_fd, err_fd}
    timed_out = False
    while open_fds:
        left = deadline - time.monotonic()
        if left <= 0:
            timed_out = True
            break
        ready, _, _ = select.select(list(open_fds), [], [], min(left, 1.0))
        for fd in ready:
            data = os.read(fd, 1 << 16)
            if not data:
                open_fds.discard(fd)
            elif len(chunks[fd]) < RESULT_CAP:
                chunks[fd] += data
        if confirm is not None and b"\n" in chunks[out_fd]:
            _answer(proc, bytes(chunks[out_fd].split(b"\n", 1)[0]), confirm)
            confirm = None
    if timed_out:
        _kill_group(proc)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _kill_group(proc)
        proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    if proc.stdin is not None and not proc.stdin.closed:
        proc.stdin.close()
    return bytes(chunks[out_fd]), bytes(chunks[err_fd]), timed_out


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the launcher's process group; bubblewrap's PID namespace takes the rest with it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        with suppress(ProcessLookupError):
            proc.kill()
