"""A coding answer's level from its grading: correctness and efficiency, not the words.

A coding question is answered with a program that a sandbox ran on hidden tests and on inputs
of growing size, against a reference solution. Reading that as prose (the result line and the
code) scored four accepted, efficient solutions at technical depth 3.1; the level must come
from what was measured. :func:`coding_grade` maps the grading, given as plain numbers
(:class:`CodingOutcome`; the platform fills it from its grader's result), to a level on the
competency's 1–5 anchors, the score (2 × level) and one sentence of evidence in zh and en
that the report quotes ("passed 10/10 hidden tests; 1.1× the reference's time at n=80,000").

The mapping, in full (docs/coding.md, "Scoring"):

=====================================================  =====
grading                                                level
=====================================================  =====
did not compile, or nothing ran (sandbox stopped it)   1.0
some hidden tests fail: 1 + 2 × (share passed)         1.0–2.8
all pass; wrong or crashing on the large inputs        3.0
all pass; over the time limit on a large input         3.0
all pass; run time grows faster than the reference's   3.5
all pass; efficiency not measured                      4.0
all pass; grows like the reference, > 3× its time      4.5
all pass; grows like the reference, ≤ 3× its time      5.0
=====================================================  =====

Correctness is the share of *hidden* tests passed (the visible examples were shown to the
candidate). Efficiency counts only once every hidden test passes: a fast wrong program is not
efficient. "Grows faster" is the grader's verdict (log-log growth more than 0.45 above the
reference's and over twice its time at the largest size, or over 30× its time), so an
O(n²) solution where the reference is O(n log n) lands at 3.5 and the efficient one at 5.

Pure and deterministic; imports nothing outside the scoring library.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from hireflow.scoring.judge import JudgeVerdict

__all__ = [
    "CodingGrade",
    "CodingOutcome",
    "SizePoint",
    "coding_grade",
    "coding_verdict",
    "outcome_from_dict",
    "outcome_to_dict",
]

# The constant factor an efficient solution may be over the reference and still be level 5.
RATIO_FULL = 3.0
LEVELS = {
    "compile_error": 1.0,
    "nothing_ran": 1.0,
    "incorrect": 3.0,
    "too_slow": 3.0,
    "slower": 3.5,
    "not_measured": 4.0,
    "efficient_slow": 4.5,
    "efficient": 5.0,
}
STATUS_TEXT = {
    "wrong_answer": ("答案错误", "wrong answer"),
    "runtime_error": ("运行错误", "runtime error"),
    "time_limit": ("超出时间限制", "time limit exceeded"),
    "memory_limit": ("超出内存限制", "memory limit exceeded"),
    "output_limit": ("输出超出限制", "output limit exceeded"),
    "sandbox_violation": ("被沙箱终止", "stopped by the sandbox"),
    "compile_error": ("编译错误", "compile error"),
}


@dataclass(frozen=True)
class SizePoint:
    """One efficiency input: the candidate's status and CPU ms and the reference's CPU ms."""

    n: int
    status: str
    time_ms: float | None = None
    reference_ms: float | None = None


@dataclass(frozen=True)
class CodingOutcome:
    """What the grader measured of one submission, as plain values.

    ``status``: the submission's (``accepted``, ``compile_error``, ``wrong_answer``, …);
    ``efficiency``: the grader's verdict (``efficient``, ``slower``, ``too_slow``,
    ``incorrect``, ``not_measured``) with ``ratio`` = candidate / reference time at the largest
    size both finished; ``language``: the label the evidence names (``Python``).
    """

    language: str
    status: str
    hidden_passed: int
    hidden_total: int
    compile_ok: bool = True
    efficiency: str = "not_measured"
    ratio: float | None = None
    growth: float | None = None
    reference_growth: float | None = None
    points: tuple[SizePoint, ...] = ()
    first_failure: str = ""  # status of the first failing hidden test


@dataclass(frozen=True)
class CodingGrade:
    """A coding answer's level (1–5), score (0–10), the rule that decided it, and the
    sentence of evidence in each language."""

    level: float
    score: float
    rule: str
    evidence: dict[str, str]
    basis: dict[str, float] = field(default_factory=dict)


def _n(value: int) -> str:
    return f"{value:,}"


def _times(ratio: float) -> str:
    return f"{ratio:.1f}" if ratio < 10 else f"{ratio:.0f}"


def _efficiency_clause(outcome: CodingOutcome, rule: str) -> tuple[str, str]:
    """The efficiency half of the sentence (zh, en)."""
    if rule == "not_measured":
        return "未测量运行效率", "efficiency not measured"
    bad = next((p for p in outcome.points if p.status != "passed"), None)
    if rule in ("incorrect", "too_slow") and bad is not None:
        zh, en = STATUS_TEXT.get(bad.status, (bad.status, bad.status.replace("_", " ")))
        return f"n={_n(bad.n)} 时{zh}", f"{en} at n={_n(bad.n)}"
    measured = [p for p in outcome.points if p.status == "passed" and p.time_ms is not None]
    largest = measured[-1].n if measured else None
    if outcome.ratio is None or largest is None:
        text = ("运行时间的增长与参考解法相当", "run time grows like the reference's")
        if rule == "slower":
            text = ("运行时间增长快于参考解法", "run time grows faster than the reference's")
        return text
    times = _times(outcome.ratio)
    zh = f"n={_n(largest)} 时运行时间为参考解法的 {times} 倍"
    en = f"{times}× the reference's time at n={_n(largest)}"
    if rule == "slower":
        growth = ""
        if outcome.growth is not None and outcome.reference_growth is not None:
            growth = f" (n^{outcome.growth:.2f} vs n^{outcome.reference_growth:.2f})"
        zh += f"，增长快于参考解法{growth}"
        en += f", growing faster than it{growth}"
    return zh, en


def _rule(outcome: CodingOutcome) -> str:
    if not outcome.compile_ok or outcome.status == "compile_error":
        return "compile_error"
    if outcome.hidden_total <= 0 or outcome.status == "sandbox_violation":
        return "nothing_ran"
    if outcome.hidden_passed < outcome.hidden_total:
        return "partial"
    verdict = outcome.efficiency
    if verdict == "efficient":
        slow = outcome.ratio is not None and outcome.ratio > RATIO_FULL
        return "efficient_slow" if slow else "efficient"
    return verdict if verdict in LEVELS else "not_measured"


def coding_grade(outcome: CodingOutcome) -> CodingGrade:
    """The level, score and quoted evidence of one graded submission (the table above)."""
    rule = _rule(outcome)
    share = outcome.hidden_passed / outcome.hidden_total if outcome.hidden_total > 0 else 0.0
    level = round(1.0 + 2.0 * share, 2) if rule == "partial" else LEVELS[rule]
    label = outcome.language
    passed = f"{outcome.hidden_passed}/{outcome.hidden_total}"
    if rule == "compile_error":
        zh, en = f"{label} 代码未能编译", f"{label}: the code did not compile"
    elif rule == "nothing_ran":
        status_zh, status_en = STATUS_TEXT.get(outcome.status, (outcome.status, outcome.status))
        zh = f"{label} 代码未能运行隐藏测试（{status_zh}）"
        en = f"{label}: no hidden test ran ({status_en})"
    elif rule == "partial":
        status_zh, status_en = STATUS_TEXT.get(
            outcome.first_failure or outcome.status, (outcome.status, outcome.status)
        )
        zh = f"{label} 代码通过了 {passed} 个隐藏测试，首个失败：{status_zh}"
        en = f"{label}: passed {passed} hidden tests; first failure: {status_en}"
    else:
        eff_zh, eff_en = _efficiency_clause(outcome, rule)
        zh = f"{label} 代码通过了 {passed} 个隐藏测试；{eff_zh}"
        en = f"{label}: passed {passed} hidden tests; {eff_en}"
    basis = {"hidden_passed_share": round(share, 4)}
    if outcome.ratio is not None:
        basis["reference_ratio"] = float(outcome.ratio)
    return CodingGrade(
        level=level,
        score=round(2.0 * level, 2),
        rule=rule,
        evidence={"zh": zh + "。", "en": en + "."},
        basis=basis,
    )


# ------------------------------------------------------------------------- plain data


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def outcome_from_dict(data: Mapping[str, Any]) -> CodingOutcome:
    """A :class:`CodingOutcome` from the interview file's ``answers[i].coding`` mapping;
    raises ValueError naming the field that is wrong."""
    if not isinstance(data, Mapping):
        raise ValueError("must be a mapping")
    for key in ("language", "status"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"{key}: is required (a text)")
    counts = {}
    for key in ("hidden_passed", "hidden_total"):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{key}: must be a whole number, 0 or more")
        counts[key] = value
    if counts["hidden_passed"] > counts["hidden_total"]:
        raise ValueError("hidden_passed: more than hidden_total")
    points = []
    for i, raw in enumerate(data.get("points") or ()):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("n"), int):
            raise ValueError(f"points[{i}]: must be a mapping with a whole number n")
        points.append(
            SizePoint(
                n=int(raw["n"]),
                status=str(raw.get("status", "")),
                time_ms=_number(raw.get("time_ms")),
                reference_ms=_number(raw.get("reference_ms")),
            )
        )
    return CodingOutcome(
        language=str(data["language"]),
        status=str(data["status"]),
        hidden_passed=counts["hidden_passed"],
        hidden_total=counts["hidden_total"],
        compile_ok=bool(data.get("compile_ok", True)),
        efficiency=str(data.get("efficiency") or "not_measured"),
        ratio=_number(data.get("ratio")),
        growth=_number(data.get("growth")),
        reference_growth=_number(data.get("reference_growth")),
        points=tuple(points),
        first_failure=str(data.get("first_failure") or ""),
    )


def outcome_to_dict(outcome: CodingOutcome) -> dict[str, Any]:
    """Plain data :func:`outcome_from_dict` reads back."""
    data = asdict(outcome)
    data["points"] = list(data["points"])
    return data


# ------------------------------------------------------------------------- the engine's verdict

CODING_SOURCE = "coding"  # JudgeVerdict.source and Evidence.indicator_id of a graded answer


def coding_verdict(outcome: CodingOutcome, language: str) -> JudgeVerdict:
    """The engine's verdict on a coding answer: the grading's level, its sentence quoted."""
    grade = coding_grade(outcome)
    quote = grade.evidence["zh" if language.startswith("zh") else "en"]
    return JudgeVerdict(
        score=grade.score,
        level=grade.level,
        evidence=(quote,),
        rationale=f"coding grade: {grade.rule}",
        source=CODING_SOURCE,
    )
