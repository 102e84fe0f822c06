"""The languages a coding question may be answered in, and how each is built and run.

Toolchains are the host's Debian packages (python3, nodejs, g++, a JDK 17, golang), found at
start-up; a language whose toolchain is missing is reported unavailable, never half-run. Every
command runs inside the sandbox (:mod:`hireflow.coding.sandbox`), so paths are resolved to real
files under ``/usr`` (``/etc/alternatives`` is not visible there).

Memory is capped three ways depending on the runtime: native programs and Python get an
address-space rlimit (``RLIMIT_AS``); the JVM and V8 reserve far more address space than they
use, so they get their own heap flag (``-Xmx``, ``--max-old-space-size``) and rely on the
sandbox's cgroup for the hard cap (see docs/coding.md).
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class Language:
    """How to compile and run one language in the sandbox."""

    key: str
    label: str
    source_name: str
    run: tuple[str, ...]
    compile: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    # extra host paths the toolchain reads (bound read-only into the sandbox)
    binds: tuple[str, ...] = ()
    inline_python: bool = False
    # RLIMIT_AS for the program: limit + this many MiB; None = no address-space rlimit
    as_overhead_mb: int | None = 32
    # memory the runtime itself needs beyond the program's limit (the cgroup cap adds it)
    memory_overhead_mb: int = 32
    # processes/threads the program may create (0: none, so it cannot spawn a shell; the JVM,
    # V8 and Go need threads, so their programs can start processes, inside the sandbox)
    nproc: int = 8
    compile_nproc: int = 16
    compile_memory_mb: int = 0
    nofile: int = 64
    # a heap flag per run, formatted with the memory limit in MiB
    heap_flag: str = ""
    # the runtime's start-up costs this much CPU more than the program, at least (grading
    # multiplies time limits per language, as judges do)
    time_factor: float = 1.0


def _real(path: str | None) -> str | None:
    return os.path.realpath(path) if path else None


def _find(name: str, *patterns: str) -> str | None:
    found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
    if found:
        return _real(found)
    for pattern in patterns:
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return _real(candidate)
    return None


def _java_home(javac: str) -> str:
    return os.path.dirname(os.path.dirname(javac))


def _python(python: str) -> Language:
    return Language(
        key="python",
        label="Python 3",
        source_name="solution.py",
        run=(python, "-I", "-S", "solution.py"),
        inline_python=True,
        as_overhead_mb=64,
        nproc=0,
    )


def _javascript(node: str) -> Language:
    return Language(
        key="javascript",
        label="JavaScript (Node.js)",
        source_name="solution.js",
        compile=(node, "--check", "solution.js"),
        run=(node, "--max-old-space-size={memory_mb}", "--stack-size=8000", "solution.js"),
        as_overhead_mb=None,
        memory_overhead_mb=96,
        nproc=16,
        compile_nproc=16,
        compile_memory_mb=256,
        nofile=256,
        time_factor=2.0,
    )


def _cpp(gpp: str) -> Language:
    return Language(
        key="cpp",
        label="C++ 17 (g++)",
        source_name="solution.cpp",
        compile=(gpp, "-std=gnu++17", "-O2", "-pipe", "-o", "solution", "solution.cpp"),
        run=("./solution",),
        as_overhead_mb=16,
        nproc=0,
        compile_nproc=8,
        compile_memory_mb=1024,
    )


def _java(javac: str) -> Language:
    home = _java_home(javac)
    java = os.path.join(home, "bin", "java")
    jvm = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xss64m")
    etc_java = sorted(glob.glob("/etc/java-*"))
    return Language(
        key="java",
        label="Java 17",
        source_name="Main.java",
        compile=(
            javac,
            *(f"-J{flag}" for flag in jvm[:3]),
            "-J-Xmx384m",
            "-encoding",
            "UTF-8",
            "-d",
            ".",
            "Main.java",
        ),
        run=(java, "-Xmx{memory_mb}m", *jvm, "-XX:CICompilerCount=1", "-cp", ".", "Main"),
        binds=tuple(etc_java),
        as_overhead_mb=None,
        memory_overhead_mb=192,
        nproc=64,
        compile_nproc=64,
        compile_memory_mb=640,
        nofile=256,
        time_factor=2.0,
    )


def _go(go: str) -> Language:
    return Language(
        key="go",
        label="Go",
        source_name="solution.go",
        compile=(go, "build", "-o", "solution", "solution.go"),
        run=("./solution",),
        env={
            "GOCACHE": "/box/.cache/go",
            "GOPATH": "/box/.go",
            "GO111MODULE": "off",
            "CGO_ENABLED": "0",
            "GOTOOLCHAIN": "local",
            "GOMAXPROCS": "1",
        },
        as_overhead_mb=None,
        memory_overhead_mb=64,
        nproc=32,
        compile_nproc=64,
        compile_memory_mb=768,
        nofile=256,
    )


# key, how to find the toolchain, how to run it. A toolchain counts only under /usr (the
# distribution's packages, which the sandbox binds read-only).
_TOOLCHAINS: tuple[tuple[str, Callable[[], str | None], Callable[[str], Language]], ...] = (
    ("python", lambda: _find("python3"), _python),
    ("javascript", lambda: _find("node") or _find("nodejs"), _javascript),
    ("cpp", lambda: _find("g++"), _cpp),
    ("java", lambda: _find("javac", "/usr/lib/jvm/*/bin/javac"), _java),
    ("go", lambda: _find("go", "/usr/lib/go-*/bin/go", "/usr/local/go/bin/go"), _go),
)


@cache
def available_languages() -> dict[str, Language]:
    """Languages whose toolchain is installed on this host, by key."""
    found: dict[str, Language] = {}
    for key, find, build in _TOOLCHAINS:
        path = find()
        if path and path.startswith("/usr/"):
            found[key] = build(path)
    return found


LANGUAGE_KEYS = ("python", "javascript", "cpp", "java", "go")


def get_language(key: str) -> Language:
    """The language by key, or a clear error naming the ones this host can run."""
    languages = available_languages()
    if key not in languages:
        known = ", ".join(sorted(languages)) or "none"
        if key in LANGUAGE_KEYS:
            raise LookupError(f"{key} is not installed on this sandbox host (available: {known})")
        raise LookupError(f"unknown language {key!r} (available: {known})")
    return languages[key]
