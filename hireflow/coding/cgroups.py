"""Memory and process caps for a whole sandbox run, with Linux control groups when we may.

Each sandbox slot gets a cgroup of its own, created once and reused: before a run the worker
sets its memory cap (swap included) and process cap; a small shell joins the cgroup before it
execs bubblewrap, so every process of the run is inside from its first instruction. After the
run the worker reads whether the kernel's OOM killer fired there. Detection, in order:

* **cgroup v2** with the ``memory`` and ``pids`` controllers delegated to the worker's own
  cgroup (``memory.max``, ``memory.swap.max``, ``pids.max``, ``memory.events`` ``oom_kill``);
* **cgroup v1** ``memory`` and ``pids`` hierarchies writable by the worker
  (``memory.limit_in_bytes``, ``memory.memsw.limit_in_bytes``, ``pids.max``,
  ``memory.oom_control`` ``oom_kill``);
* **none**: the caps fall back to the per-process rlimits the harness sets (``RLIMIT_AS``,
  ``RLIMIT_NPROC``), which cannot cap the JVM and V8 heaps' native memory as tightly.

``HIREFLOW_SANDBOX_CGROUP=none`` forces the fallback; ``v1``/``v2`` insist on one.
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
GROUP = "hireflow-sandbox"


def _own_path(controller: str | None) -> str | None:
    """This process's cgroup path for a v1 controller, or the v2 path (controller None)."""
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        _, controllers, path = line.split(":", 2)
        if controller is None and controllers == "":
            return path
        if controller is not None and controller in controllers.split(","):
            return path
    return None


def _writable_dir(path: Path) -> bool:
    try:
        path.mkdir(exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK)


@dataclass(frozen=True)
class SlotGroup:
    """The cgroup directories of one slot (one per controller, or one on v2)."""

    version: int
    memory: Path
    pids: Path | None

    @property
    def join_files(self) -> list[str]:
        """The files the (single-threaded) launcher writes ``0`` to, joining the group.

        On v1 that is ``tasks``: ``0`` there moves the writing thread alone, which the kernel
        does without write-locking every thread group of the system (``cgroup.procs`` takes
        that lock and waits out an RCU grace period: several ms per hierarchy on each
        sandbox's start, ``bench/coding_sandbox.py --parts launch``). A single-threaded
        process and its thread are one, and everything it forks or execs afterwards is
        inside from its first instruction, as before. On v2 ``cgroup.procs`` (``0`` is the
        writer there too).
        """
        name = "tasks" if self.version == 1 else "cgroup.procs"
        files = [str(self.memory / name)]
        if self.pids is not None and self.pids != self.memory:
            files.append(str(self.pids / name))
        return files

    def set_limits(self, memory_bytes: int, max_procs: int) -> None:
        if self.version == 2:
            _write(self.memory / "memory.max", str(memory_bytes))
            _write_optional(self.memory / "memory.swap.max", "0")
            _write_optional(self.memory / "pids.max", str(max_procs))
            return
        limit = self.memory / "memory.limit_in_bytes"
        memsw = self.memory / "memory.memsw.limit_in_bytes"
        # v1 wants memory <= memory+swap at every step: order the writes by direction.
        try:
            _write(limit, str(memory_bytes))
            _write_optional(memsw, str(memory_bytes))
        except OSError:
            _write_optional(memsw, str(memory_bytes))
            _write(limit, str(memory_bytes))
        if self.pids is not None:
            _write(self.pids / "pids.max", str(max_procs))

    def drained(self, wait_s: float = 3.0) -> bool:
        """Wait until the previous run's last processes have been reaped out of this slot.

        Processes killed with a run's PID namespace are reparented and reaped by the host's
        init, which may lag under load; until then they still count against ``pids.max``.
        """
        deadline = time.monotonic() + wait_s
        while True:
            try:
                if not (self.memory / "cgroup.procs").read_text().strip():
                    return True
            except OSError:
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)

    def oom_kills(self) -> int:
        name = "memory.events" if self.version == 2 else "memory.oom_control"
        try:
            for line in (self.memory / name).read_text().splitlines():
                key, _, value = line.partition(" ")
                if key == "oom_kill":
                    return int(value)
        except (OSError, ValueError):
            pass
        return 0

    def peak_bytes(self) -> int:
        name = "memory.peak" if self.version == 2 else "memory.max_usage_in_bytes"
        try:
            return int((self.memory / name).read_text().strip())
        except (OSError, ValueError):
            return 0

    def reset_peak(self) -> None:
        if self.version == 1:
            _write_optional(self.memory / "memory.max_usage_in_bytes", "0")


def _write(path: Path, value: str) -> None:
    with open(path, "w") as handle:
        handle.write(value)


def _write_optional(path: Path, value: str) -> None:
    with contextlib.suppress(OSError):
        _write(path, value)


def _v2_parent() -> Path | None:
    own = _own_path(None)
    if own is None or not (ROOT / "cgroup.controllers").exists():
        return None
    base = ROOT / own.lstrip("/")
    try:
        controllers = (base / "cgroup.controllers").read_text().split()
    except OSError:
        return None
    if "memory" not in controllers:
        return None
    parent = base / GROUP
    if not _writable_dir(parent):
        return None
    try:
        _write(parent / "cgroup.subtree_control", "+memory +pids")
    except OSError:
        try:
            _write(parent / "cgroup.subtree_control", "+memory")
        except OSError:
            return None
    return parent


def _v1_parent(controller: str) -> Path | None:
    hierarchy = ROOT / controller
    own = _own_path(controller)
    if own is None or not (hierarchy / "cgroup.procs").exists():
        return None
    parent = hierarchy / own.lstrip("/") / GROUP
    return parent if _writable_dir(parent) else None


def detect(mode: str = "auto") -> str:
    """Which cgroup version this worker can use: ``"v2"``, ``"v1"`` or ``"none"``."""
    if mode == "none":
        return "none"
    if mode in ("auto", "v2") and _v2_parent() is not None:
        return "v2"
    if mode in ("auto", "v1") and _v1_parent("memory") is not None:
        return "v1"
    if mode in ("v1", "v2"):
        raise RuntimeError(f"HIREFLOW_SANDBOX_CGROUP={mode} but that cgroup is not usable here")
    return "none"


def slot_group(version: str, slot: int) -> SlotGroup | None:
    """Create (or reuse) the cgroup of a slot; ``None`` when cgroups are not used."""
    name = f"slot-{slot}"
    if version == "v2":
        parent = _v2_parent()
        if parent is None:
            return None
        path = parent / name
        path.mkdir(exist_ok=True)
        return SlotGroup(2, path, path)
    if version == "v1":
        memory = _v1_parent("memory")
        if memory is None:
            return None
        (memory / name).mkdir(exist_ok=True)
        _write_optional(memory / name / "memory.swappiness", "0")
        pids_parent = _v1_parent("pids")
        pids = None
        if pids_parent is not None:
            pids = pids_parent / name
            pids.mkdir(exist_ok=True)
        return SlotGroup(1, memory / name, pids)
    return None
