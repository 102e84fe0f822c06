"""Grades a submission: builds the sandbox job, runs it, measures the reference, grades.

This is what a sandbox worker does for one task (:mod:`hireflow.coding.tasks`). One submission
is one sandbox run: the compile step, the visible examples, the hidden tests and the efficiency
inputs, each in a process of its own inside it. Efficiency inputs come from the question's
generator (run in the sandbox too: a company's own questions are not trusted code either) and
the reference solution's run times and outputs on them; both are cached per worker process,
keyed by the question's fingerprint (inputs for ever, reference timings for
``REFERENCE_TTL_S`` so they follow the host's load).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hireflow.coding.grader import SubmissionResult, grade, hidden_tests_pass
from hireflow.coding.languages import Language, get_language
from hireflow.coding.questions import Question, get_question
from hireflow.coding.sandbox import Job, Sandbox, SandboxError
from hireflow.core.process_value import ProcessValue

QUEUE = "sandbox"  # the Celery queue only sandbox workers consume
MAX_CODE_BYTES = 64 * 1024
MODES = ("run", "submit")
REFERENCE_TTL_S = 900.0
EFFICIENCY_GROUP = "efficiency"
COMPILE_CPU_S = 10.0
OUTPUT_BYTES = 1024 * 1024
HARNESS_MB = 48  # the harness and bubblewrap inside the memory cap
GENERATOR_DRIVER = """
def _hireflow_main():
    import random
    import sys

    n, seed = map(int, sys.stdin.read().split())
    sys.stdout.write(generate(n, random.Random(seed)))


_hireflow_main()
"""


class SubmissionError(ValueError):
    """The submission cannot be graded as sent (unknown language, too large...)."""


@dataclass(frozen=True)
class CaseInput:
    id: str
    input: str
    group: str = ""


def _run_step(language: Language, question: Question) -> dict[str, Any]:
    cpu = question.time_s * language.time_factor
    memory = question.memory_mb
    argv = [part.format(memory_mb=memory) for part in language.run]
    return {
        "argv": argv,
        "cpu_s": cpu,
        "wall_s": cpu * 2 + 1,
        "as_mb": None if language.as_overhead_mb is None else memory + language.as_overhead_mb,
        # RLIMIT_NPROC counts the sandbox user's processes: its init, the harness, the case
        "nproc": language.nproc + 3,
        "fsize_mb": 16,
        "nofile": language.nofile,
        "output_bytes": OUTPUT_BYTES,
    }


def _compile_step(language: Language) -> dict[str, Any] | None:
    if not language.compile:
        return None
    return {
        "argv": list(language.compile),
        "cpu_s": COMPILE_CPU_S,
        "wall_s": COMPILE_CPU_S * 1.5,
        "as_mb": language.compile_memory_mb if language.as_overhead_mb is not None else None,
        "nproc": language.compile_nproc + 3,
        "fsize_mb": 64,
        "nofile": 256,
        "output_bytes": 64 * 1024,
    }


def build_job(
    question: Question, language: Language, code: str, cases: list[CaseInput]
) -> tuple[Job, dict[str, Any]]:
    """The sandbox job for running ``code`` on ``cases`` (pure; exposed for tests)."""
    run = _run_step(language, question)
    compile_step = _compile_step(language)
    files = {language.source_name: code.encode("utf-8")}
    spec_cases = []
    for case in cases:
        name = f"{case.id}.in"
        files[name] = case.input.encode("utf-8")
        item: dict[str, Any] = {"id": case.id, "input": f"/job/{name}"}
        if case.group:
            item.update(group=case.group, stop_group_on_limit=True)
        spec_cases.append(item)
    spec = {
        "files": [language.source_name],
        "inline_python": language.inline_python,
        "compile": compile_step,
        "run": run,
        "cases": spec_cases,
        "max_timeouts": 2,
        "env": {
            "PATH": "/usr/bin:/bin",
            "HOME": "/box",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            **language.env,
        },
    }
    run_memory = question.memory_mb + language.memory_overhead_mb
    memory_mb = max(run_memory, language.compile_memory_mb) + HARNESS_MB
    deadline = (compile_step["wall_s"] if compile_step else 0) + len(cases) * run["wall_s"] + 10
    job = Job(
        files=files,
        spec=spec,
        memory_bytes=memory_mb * 1024 * 1024,
        # the precise per-case cap is the harness's RLIMIT_NPROC; the cgroup's is the backstop
        # for the whole run, with room for a previous run's processes still being reaped
        max_procs=max(run["nproc"], compile_step["nproc"] if compile_step else 0) + 64,
        deadline_s=deadline,
        binds=language.binds,
        env=dict(language.env),
    )
    return job, spec


class CodeRunner:
    """Runs and grades submissions on this host's sandbox (one per worker process)."""

    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.sandbox = sandbox or Sandbox()
        self._inputs: dict[str, dict[int, str]] = {}
        self._references: dict[tuple[str, str], tuple[float, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def execute(
        self,
        question: Question,
        language: Language,
        code: str,
        cases: list[CaseInput],
        confirm: Callable[[list[dict[str, Any]]], bool] | None = None,
    ) -> dict[str, Any]:
        """One sandbox run; with ``confirm``, the ``efficiency`` group runs only if it says so
        (asked with the raw cases run before the group, in the same sandbox)."""
        job, spec = build_job(question, language, code, cases)
        if confirm is not None:
            spec["confirm_group"] = EFFICIENCY_GROUP
            job.confirm = confirm
        report = self.sandbox.execute(job)
        return {
            "compile": report.compile,
            "cases": report.cases,
            "oom_kills": report.oom_kills,
            "harness_died": report.harness_died,
            "wall_s": report.wall_s,
            "memory_mb": question.memory_mb,
            "diagnostics": report.diagnostics,
        }

    # -- efficiency material --------------------------------------------------------------

    def efficiency_inputs(self, question: Question) -> dict[int, str]:
        """The generated input of every efficiency size (deterministic: seeded)."""
        assert question.efficiency is not None
        key = question.fingerprint
        with self._lock:
            if key in self._inputs:
                return self._inputs[key]
        eff = question.efficiency
        python = get_language("python")
        code = eff.generator + "\n" + GENERATOR_DRIVER
        cases = [CaseInput(f"gen-{n}", f"{n} {eff.seed}\n") for n in eff.sizes]
        generator_question = _with_limits(question, time_s=10.0, memory_mb=512)
        job, spec = build_job(generator_question, python, code, cases)
        spec["run"]["output_bytes"] = 32 * 1024 * 1024
        report = self.sandbox.execute(job)
        inputs = {}
        for n, raw in zip(eff.sizes, report.cases, strict=False):
            if raw.get("exit_code") != 0 or raw.get("killed_for"):
                raise SandboxError(
                    f"{question.id}: the input generator failed at n={n}: {raw.get('stderr')}"
                )
            inputs[n] = raw["stdout"]
        if len(inputs) != len(eff.sizes):
            raise SandboxError(f"{question.id}: the input generator did not finish")
        with self._lock:
            self._inputs[key] = inputs
        return inputs

    def reference(self, question: Question, language: Language) -> dict[str, Any]:
        """The reference solution's outputs and CPU times at every efficiency size."""
        key = (question.fingerprint, language.key)
        with self._lock:
            cached = self._references.get(key)
        if cached is not None and time.monotonic() - cached[0] < REFERENCE_TTL_S:
            return cached[1]
        assert question.efficiency is not None
        inputs = self.efficiency_inputs(question)
        cases = [CaseInput(f"ex-{i}", c.input) for i, c in enumerate(question.examples)]
        cases += [CaseInput(f"eff-{n}", inputs[n]) for n in question.efficiency.sizes]
        report = self.execute(question, language, question.reference[language.key], cases)
        by_id = {raw.get("id"): raw for raw in report["cases"]}
        cpu, outputs = {}, {}
        for n in question.efficiency.sizes:
            raw = by_id.get(f"eff-{n}")
            if raw is None or raw.get("exit_code") != 0 or raw.get("killed_for"):
                raise SandboxError(
                    f"{question.id}: the {language.key} reference failed at n={n}; "
                    "check the question's limits"
                )
            cpu[n] = raw["cpu_s"]
            outputs[n] = raw["stdout"]
        baseline = min(
            by_id[f"ex-{i}"]["cpu_s"] for i in range(len(question.examples)) if f"ex-{i}" in by_id
        )
        reference = {"cpu": cpu, "outputs": outputs, "baseline": baseline}
        with self._lock:
            self._references[key] = (time.monotonic(), reference)
        return reference

    # -- the entry point ------------------------------------------------------------------

    def grade(
        self, question: Question | str, language_key: str, code: str, mode: str = "submit"
    ) -> SubmissionResult:
        """Run ``code`` (``mode`` "run": examples; "submit": examples, hidden tests and the
        efficiency sizes) and grade it."""
        if isinstance(question, str):
            question = get_question(question)
        if mode not in MODES:
            raise SubmissionError(f"mode must be one of {', '.join(MODES)}")
        if language_key not in question.languages:
            raise SubmissionError(
                f"{question.id} is offered in {', '.join(question.languages)}, not {language_key}"
            )
        if not isinstance(code, str) or not code.strip():
            raise SubmissionError("the submission is empty")
        if len(code.encode("utf-8")) > MAX_CODE_BYTES:
            raise SubmissionError(f"the submission is larger than {MAX_CODE_BYTES // 1024} KiB")
        language = get_language(language_key)
        cases = [CaseInput(f"ex-{i}", c.input) for i, c in enumerate(question.examples)]
        reference = None
        confirm = None
        decided: list[bool] = []
        if mode == "submit":
            cases += [CaseInput(f"t-{i}", c.input) for i, c in enumerate(question.tests)]
            if question.efficiency is not None:
                reference = self.reference(question, language)
                inputs = self.efficiency_inputs(question)
                cases += [
                    CaseInput(f"eff-{n}", inputs[n], group=EFFICIENCY_GROUP)
                    for n in question.efficiency.sizes
                ]

                # the large inputs run only once every hidden test passed
                def confirm(raw_cases: list[dict[str, Any]]) -> bool:
                    decided.append(hidden_tests_pass(question, raw_cases))
                    return decided[-1]

        report = self.execute(question, language, code, cases, confirm)
        if confirm is not None and not any(decided):
            reference = None  # efficiency not measured: the hidden tests did not all pass
        return grade(question, language_key, code, mode, report, reference)


def _with_limits(question: Question, time_s: float, memory_mb: int) -> Question:
    from dataclasses import replace

    return replace(question, time_s=time_s, memory_mb=memory_mb)


RUNNER: ProcessValue[CodeRunner] = ProcessValue(CodeRunner)


def get_runner() -> CodeRunner:
    """The process-wide runner (its caches live as long as the worker process)."""
    return RUNNER.get()
