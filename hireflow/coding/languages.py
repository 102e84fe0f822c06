"""The languages a coding question may be answered in, and how each is built and run.

Toolchains are the host's Debian packages (python3, nodejs, g++, a JDK 17, golang), found at
start-up; a language whose toolchain is missing is reported unavailable, never half-run. Every
command runs inside the sandbox (:mod:`hireflow.coding.sandbox`), so paths are resolved to real
files under ``/usr`` (``/etc/alternatives`` is not visible there).

Memory is capped three ways depending on the runtime: native programs and Python get an
address-space rlimit (``RLIMIT_AS``); the JVM and V8 reserve far more address space than they
use, so they get their own heap flag (``-Xmx``, ``--max-old-space-size``) and rely on the
sandbox's cgroup for the hard cap (see docs/coding.md).

The languages and their commands and limits are the table ``languages.yaml``.
"""

from __future__ import annotations

import glob
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml


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


def _find(names: Sequence[str], patterns: Sequence[str] = ()) -> str | None:
    for name in names:
        found = shutil.which(name, path="/usr/local/bin:/usr/bin:/bin")
        if found:
            return _real(found)
    for pattern in patterns:
        for candidate in sorted(glob.glob(pattern), reverse=True):
            if os.access(candidate, os.X_OK):
                return _real(candidate)
    return None


@cache
def _table() -> dict[str, dict[str, Any]]:
    """``languages.yaml``: key -> how to find the toolchain and the ``Language`` fields."""
    text = resources.files("hireflow.coding").joinpath("languages.yaml").read_text("utf-8")
    table: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return table


def _build(key: str, spec: Mapping[str, Any], tool: str) -> Language:
    """The language as found on this host: ``tool`` (and the java beside javac) in its
    commands, its bind patterns expanded."""
    java_home = os.path.dirname(os.path.dirname(tool))
    paths = {"{tool}": tool, "{java}": os.path.join(java_home, "bin", "java")}

    def command(parts: Sequence[str]) -> tuple[str, ...]:
        return tuple(paths.get(part, part) for part in parts)

    fields = {name: value for name, value in spec.items() if name != "find"}
    return Language(
        key=key,
        **{
            **fields,
            "run": command(spec["run"]),
            "compile": command(spec.get("compile", ())),
            "binds": tuple(
                path for bind in spec.get("binds", ()) for path in sorted(glob.glob(bind))
            ),
        },
    )


@cache
def available_languages() -> dict[str, Language]:
    """Languages whose toolchain is installed on this host, by key."""
    # A toolchain counts only under /usr (the distribution's packages, which the sandbox binds
    # read-only).
    found: dict[str, Language] = {}
    for key, spec in _table().items():
        path = _find(spec["find"]["names"], spec["find"].get("patterns", ()))
        if path and path.startswith("/usr/"):
            found[key] = _build(key, spec, path)
    return found


LANGUAGE_KEYS = tuple(_table())


def get_language(key: str) -> Language:
    """The language by key, or a clear error naming the ones this host can run."""
    languages = available_languages()
    if key not in languages:
        known = ", ".join(sorted(languages)) or "none"
        if key in LANGUAGE_KEYS:
            raise LookupError(f"{key} is not installed on this sandbox host (available: {known})")
        raise LookupError(f"unknown language {key!r} (available: {known})")
    return languages[key]
