"""Grading: from what the sandbox measured to a verdict per case and per submission (pure).

Nothing here runs code. :mod:`hireflow.coding.runner` executes the submission and hands the raw
per-case measurements (exit status, signal, CPU seconds, peak memory, output, whether a limit
killed it) to :func:`grade`, which compares outputs outside the sandbox (expected outputs never
enter it), names the error of each failing case, and judges efficiency against the reference
solution measured on the same inputs. The result is a :class:`SubmissionResult`, a plain object
the interview report renders and stores as JSON.
"""

from __future__ import annotations

import math
import re
import signal
from dataclasses import asdict, dataclass, field
from typing import Any

from hireflow.coding.questions import Case, Question
from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for

CASE_STATUSES = (
    "passed",
    "wrong_answer",
    "runtime_error",
    "time_limit",
    "memory_limit",
    "output_limit",
    "skipped",
)
SUBMISSION_STATUSES = (
    "accepted",
    "compile_error",
    "wrong_answer",
    "runtime_error",
    "time_limit",
    "memory_limit",
    "output_limit",
    "sandbox_violation",
)
EFFICIENCY_VERDICTS = ("efficient", "slower", "too_slow", "incorrect", "not_measured")
MESSAGE_KEEP = 2000
# CPU time below this is start-up noise: growth is not judged from it
NOISE_FLOOR_S = 0.003
# Fitted growth above which a candidate is slower when the reference is too fast to fit
ONLY_CANDIDATE_GROWTH = 1.4
MEMORY_MARKERS = re.compile(
    r"MemoryError|std::bad_alloc|java\.lang\.OutOfMemoryError: Java heap space|"
    r"JavaScript heap out of memory|Reached heap limit|runtime: out of memory|"
    r"cannot allocate memory"
)


@dataclass(frozen=True)
class CaseOutcome:
    """One case: ``visible`` cases (the examples) show their input and output to the candidate."""

    id: str
    visible: bool
    status: str
    time_ms: float | None = None
    memory_kb: int | None = None
    message: str = ""
    input: str = ""
    expected: str = ""
    output: str = ""


@dataclass(frozen=True)
class EfficiencyPoint:
    """Run time of the candidate and of the reference at one input size (CPU ms, start-up
    subtracted); ``status`` is the candidate's case status at that size."""

    n: int
    status: str
    time_ms: float | None
    reference_ms: float | None


@dataclass(frozen=True)
class Efficiency:
    verdict: str
    points: tuple[EfficiencyPoint, ...] = ()
    growth: float | None = None  # slope of log(time) over log(n)
    reference_growth: float | None = None
    ratio: float | None = None  # candidate / reference at the largest size both finished
    message: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SubmissionResult:
    """Everything the report shows for one submission (see docs/coding.md)."""

    question_id: str
    question_version: int
    language: str
    mode: str  # "run" (examples only) or "submit" (examples and hidden tests)
    code: str
    status: str
    compile_ok: bool
    compile_message: str
    passed: int
    total: int
    cases: tuple[CaseOutcome, ...]
    efficiency: Efficiency
    wall_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def outputs_match(expected: str, actual: str, checker: str = "tokens") -> bool:
    """Compare a program's output with the expected one.

    ``tokens``: the same whitespace-separated tokens (line ends and trailing spaces ignored);
    ``exact``: equal after stripping trailing whitespace on each line;
    ``float``: tokens equal, numbers within 1e-6 absolute or relative.
    """
    if checker == "exact":
        strip = lambda text: "\n".join(line.rstrip() for line in text.rstrip().splitlines())  # noqa: E731
        return strip(expected) == strip(actual)
    want, got = expected.split(), actual.split()
    if checker == "tokens":
        return want == got
    if len(want) != len(got):
        return False
    for a, b in zip(want, got, strict=True):
        if a == b:
            continue
        try:
            x, y = float(a), float(b)
        except ValueError:
            return False
        if not math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-6):
            return False
    return True


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def case_status(raw: dict[str, Any], memory_mb: int, oom_killed: bool) -> tuple[str, str]:
    """The error status of a finished case (``""`` if it ran to a normal exit) and a message."""
    if raw.get("skipped"):
        return "skipped", "not run: earlier cases hit the time limit"
    stderr = (raw.get("stderr") or "")[-MESSAGE_KEEP:]
    killed_for = raw.get("killed_for") or ""
    sig = raw.get("signal")
    if killed_for == "time" or sig == signal.SIGXCPU:
        return "time_limit", f"time limit exceeded\n{stderr}".strip()
    if killed_for == "output":
        return "output_limit", "output limit exceeded"
    if MEMORY_MARKERS.search(stderr) and "unable to create native thread" not in stderr:
        return "memory_limit", f"memory limit exceeded\n{stderr}".strip()
    if sig == signal.SIGKILL and oom_killed:
        return "memory_limit", "memory limit exceeded (killed by the memory cap)"
    if raw.get("max_rss_kb") and raw["max_rss_kb"] > memory_mb * 1024 * 1.25:
        return "memory_limit", "memory limit exceeded"
    if sig is not None:
        return "runtime_error", f"killed by {_signal_name(sig)}\n{stderr}".strip()
    if raw.get("exit_code") not in (0, None):
        return "runtime_error", f"exit code {raw['exit_code']}\n{stderr}".strip()
    return "", ""


def hidden_tests_pass(question: Question, raw_cases: list[dict[str, Any]]) -> bool:
    """Whether the raw sandbox records pass every hidden test (``t-N``) of ``question``: the
    condition for running its efficiency inputs."""
    raw_by_id = {raw.get("id"): raw for raw in raw_cases}
    for i, case in enumerate(question.tests):
        raw = raw_by_id.get(f"t-{i}")
        if raw is None or case_status(raw, question.memory_mb, oom_killed=False)[0]:
            return False
        if not outputs_match(case.output, raw.get("stdout") or "", question.checker):
            return False
    return True


def _fit_growth(points: list[tuple[int, float]]) -> float | None:
    usable = [(n, t) for n, t in points if t is not None and t >= NOISE_FLOOR_S]
    if len(usable) < 2:
        return None
    xs = [math.log(n) for n, _ in usable]
    ys = [math.log(t) for _, t in usable]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    var = sum((x - mx) ** 2 for x in xs)
    if var == 0:
        return None
    return round(sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var, 3)


EFFICIENCY_MESSAGES = {
    "efficient": N_("Run time grows like the reference solution's."),
    "slower": N_(
        "Run time grows faster than the reference solution's: a less efficient algorithm."
    ),
    "too_slow": N_("Hit the time limit on a large input that the reference solves in time."),
    "incorrect": N_("Wrong output on a large input, so efficiency was not judged."),
    "not_measured": N_("Efficiency was not measured."),
}
# The report carries the verdict's text in each of these languages (key: report language).
REPORT_LANGUAGES = {"en": "en", "zh": "zh-CN", "ja": "ja"}


def efficiency_message(verdict: str) -> dict[str, str]:
    """The verdict's explanation from the catalogues, in every report language."""
    msgid = EFFICIENCY_MESSAGES[verdict]
    return {key: gettext_for(language)(msgid) for key, language in REPORT_LANGUAGES.items()}


def judge_efficiency(
    sizes: list[int],
    candidate: list[tuple[str, float | None]],
    reference: list[float | None],
    baseline: float = 0.0,
    reference_baseline: float = 0.0,
) -> Efficiency:
    """Compare growth with the reference: candidate = (status, CPU s) per size, reference =
    CPU s per size; baselines (start-up time on a tiny input) are subtracted from both."""

    def net(value: float | None, base: float) -> float | None:
        return None if value is None else max(value - base, 0.0)

    points = []
    cand_series, ref_series = [], []
    for n, (status, seconds), ref in zip(sizes, candidate, reference, strict=True):
        c, r = net(seconds, baseline), net(ref, reference_baseline)
        points.append(
            EfficiencyPoint(
                n=n,
                status=status,
                time_ms=None if c is None or status != "passed" else round(c * 1000, 2),
                reference_ms=None if r is None else round(r * 1000, 2),
            )
        )
        if status == "passed":
            cand_series.append((n, c))
            ref_series.append((n, r))
    result = {"points": tuple(points)}
    statuses = [p.status for p in points]
    if "wrong_answer" in statuses or "runtime_error" in statuses or "memory_limit" in statuses:
        return Efficiency("incorrect", message=efficiency_message("incorrect"), **result)
    if "time_limit" in statuses or "skipped" in statuses:
        return Efficiency("too_slow", message=efficiency_message("too_slow"), **result)
    growth = _fit_growth(cand_series)
    ref_growth = _fit_growth(ref_series)
    last_c = cand_series[-1][1] if cand_series else None
    last_r = ref_series[-1][1] if ref_series else None
    ratio = None
    if last_c is not None and last_r is not None:
        ratio = round(max(last_c, NOISE_FLOOR_S) / max(last_r, NOISE_FLOOR_S), 2)
    verdict = "efficient"
    # Growth decides when both are measurable (a constant factor is not an algorithm); a
    # ratio far beyond any constant factor decides when only the candidate is measurable.
    # There a quadratic loop's fitted growth sits well below 2 (its smallest measurable size
    # still carries fixed cost: 1.56 for distinct-window in C++), an n log n one's near 1.1.
    if growth is not None and ref_growth is not None:
        if growth - ref_growth > 0.45 and (ratio is None or ratio > 2):
            verdict = "slower"
    elif growth is not None and growth > ONLY_CANDIDATE_GROWTH and (ratio is None or ratio > 10):
        verdict = "slower"
    if ratio is not None and ratio > 30:
        verdict = "slower"
    return Efficiency(
        verdict,
        growth=growth,
        reference_growth=ref_growth,
        ratio=ratio,
        message=efficiency_message(verdict),
        **result,
    )


def grade(
    question: Question,
    language: str,
    code: str,
    mode: str,
    report: dict[str, Any],
    reference: dict[str, Any] | None = None,
) -> SubmissionResult:
    """Build the result of a submission from the sandbox report.

    ``report``: ``compile`` (harness compile step), ``cases`` (raw per case, ids ``ex-N``,
    ``t-N``, ``eff-N``), ``oom_kills``, ``harness_died``, ``wall_s``, ``memory_mb``.
    ``reference``: ``{"cpu": {n: seconds}, "outputs": {n: text}, "baseline": seconds}`` for
    the efficiency sizes, or None when efficiency is not measured.
    """
    memory_mb = int(report.get("memory_mb", question.memory_mb))
    wall_ms = round(float(report.get("wall_s", 0.0)) * 1000, 1)
    compile_step = report.get("compile") or {}
    compile_message = _compile_message(compile_step)
    common = {
        "question_id": question.id,
        "question_version": question.version,
        "language": language,
        "mode": mode,
        "code": code,
        "wall_ms": wall_ms,
    }
    not_measured = Efficiency("not_measured", message=efficiency_message("not_measured"))
    if compile_step and not compile_step.get("ok"):
        return SubmissionResult(
            **common,
            status="compile_error",
            compile_ok=False,
            compile_message=compile_message,
            passed=0,
            total=len(question.examples) + (len(question.tests) if mode == "submit" else 0),
            cases=(),
            efficiency=not_measured,
        )
    raw_by_id = {raw.get("id"): raw for raw in report.get("cases", [])}
    oom = bool(report.get("oom_kills"))
    graded = [(f"ex-{i}", True, c) for i, c in enumerate(question.examples)]
    if mode == "submit":
        graded += [(f"t-{i}", False, c) for i, c in enumerate(question.tests)]
    cases = [
        _case_outcome(question, case_id, visible, case, raw_by_id.get(case_id), memory_mb, oom)
        for case_id, visible, case in graded
    ]
    passed = sum(1 for c in cases if c.status == "passed")
    failing = next((c.status for c in cases if c.status != "passed"), None)
    if report.get("harness_died"):
        status = "sandbox_violation"
    elif failing is None:
        status = "accepted"
    elif failing == "skipped":
        status = "runtime_error"
    else:
        status = failing
    efficiency = not_measured
    if mode == "submit" and reference is not None and question.efficiency is not None:
        efficiency = _efficiency(question, raw_by_id, reference, cases, memory_mb, oom)
    return SubmissionResult(
        **common,
        status=status,
        compile_ok=True,
        compile_message=compile_message,
        passed=passed,
        total=len(cases),
        cases=tuple(cases),
        efficiency=efficiency,
    )


def _case_outcome(
    question: Question,
    case_id: str,
    visible: bool,
    case: Case,
    raw: dict[str, Any] | None,
    memory_mb: int,
    oom: bool,
) -> CaseOutcome:
    """One graded case from its raw sandbox record (None: the run ended before it)."""
    if raw is None:
        return CaseOutcome(
            case_id, visible, "skipped", message="not run: the sandbox run ended early"
        )
    status, message = case_status(raw, memory_mb, oom)
    output = raw.get("stdout") or ""
    if not status:
        status = "passed" if outputs_match(case.output, output, question.checker) else ""
        if not status:
            status, message = "wrong_answer", "wrong answer"
    return CaseOutcome(
        id=case_id,
        visible=visible,
        status=status,
        time_ms=round(float(raw.get("cpu_s", 0.0)) * 1000, 2),
        memory_kb=raw.get("max_rss_kb"),
        message=message,
        input=case.input if visible else "",
        expected=case.output if visible else "",
        output=output[:MESSAGE_KEEP] if visible else "",
    )


def _compile_message(step: dict[str, Any]) -> str:
    if not step:
        return ""
    if step.get("killed_for") == "time":
        return "compilation took too long (time limit)"
    if step.get("killed_for") == "output":
        return "compilation produced too much output"
    text = ((step.get("stderr") or "") + (step.get("stdout") or "")).strip()
    if not step.get("ok") and step.get("signal") == signal.SIGKILL:
        text = f"compilation was killed (memory or process limit)\n{text}".strip()
    return text[-MESSAGE_KEEP:]


def _efficiency(
    question: Question,
    raw_by_id: dict[str, dict[str, Any]],
    reference: dict[str, Any],
    cases: list[CaseOutcome],
    memory_mb: int,
    oom: bool,
) -> Efficiency:
    assert question.efficiency is not None
    sizes = list(question.efficiency.sizes)
    measured: list[tuple[str, float | None]] = []
    for n in sizes:
        raw = raw_by_id.get(f"eff-{n}")
        if raw is None:
            measured.append(("skipped", None))
            continue
        status, _ = case_status(raw, memory_mb, oom)
        if not status:
            expected = reference["outputs"].get(n, reference["outputs"].get(str(n), ""))
            ok = outputs_match(expected, raw.get("stdout") or "", question.checker)
            status = "passed" if ok else "wrong_answer"
        measured.append((status, raw.get("cpu_s")))
    finished = [c.time_ms / 1000 for c in cases if c.status == "passed" and c.time_ms is not None]
    baseline = min(finished) if finished else 0.0
    ref_cpu = reference["cpu"]
    return judge_efficiency(
        sizes,
        measured,
        [ref_cpu.get(n, ref_cpu.get(str(n))) for n in sizes],
        baseline=baseline,
        reference_baseline=float(reference.get("baseline", 0.0)),
    )
