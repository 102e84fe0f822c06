"""Grading is a pure function of the sandbox's measurements: verdicts without running code."""

from __future__ import annotations

import json
import math
import re
import signal

import pytest

from hireflow.coding.grader import (
    EFFICIENCY_MESSAGES,
    case_status,
    efficiency_message,
    grade,
    judge_efficiency,
    outputs_match,
)
from hireflow.coding.questions import get_question

QUESTION = get_question("pair-sum")


def raw(case_id: str, stdout: str = "", **extra) -> dict:
    return {
        "id": case_id,
        "exit_code": 0,
        "signal": None,
        "cpu_s": 0.01,
        "wall_s": 0.02,
        "max_rss_kb": 9000,
        "stdout": stdout,
        "stderr": "",
        "killed_for": "",
        **extra,
    }


def report_for(outputs: dict[str, str], **extra) -> dict:
    return {
        "compile": {"ok": True, "stdout": "", "stderr": ""},
        "cases": [raw(case_id, out) for case_id, out in outputs.items()],
        "oom_kills": 0,
        "wall_s": 0.1,
        **extra,
    }


def all_correct() -> dict[str, str]:
    outputs = {f"ex-{i}": c.output for i, c in enumerate(QUESTION.examples)}
    outputs.update({f"t-{i}": c.output for i, c in enumerate(QUESTION.tests)})
    return outputs


@pytest.mark.parametrize(
    ("expected", "actual", "checker", "ok"),
    [
        ("3\n", "3", "tokens", True),
        ("1 2\n3\n", "1   2 3\n\n", "tokens", True),
        ("3\n", "4\n", "tokens", False),
        ("3\n", "", "tokens", False),
        ("a b\n", "a b  \n", "exact", True),
        ("a b\n", "a  b\n", "exact", False),
        ("0.3333333\n", "0.33333334", "float", True),
        ("0.5\n", "0.51", "float", False),
        ("1 2\n", "1", "float", False),
        ("x\n", "y", "float", False),
    ],
)
def test_outputs_match(expected, actual, checker, ok):
    assert outputs_match(expected, actual, checker) is ok


@pytest.mark.parametrize(
    ("fields", "status"),
    [
        ({"killed_for": "time"}, "time_limit"),
        ({"signal": int(signal.SIGXCPU), "exit_code": None}, "time_limit"),
        ({"killed_for": "output"}, "output_limit"),
        ({"exit_code": 1, "stderr": "Traceback...\nMemoryError\n"}, "memory_limit"),
        ({"signal": 6, "exit_code": None, "stderr": "what():  std::bad_alloc"}, "memory_limit"),
        ({"exit_code": 1, "stderr": "java.lang.OutOfMemoryError: Java heap space"}, "memory_limit"),
        (
            {"exit_code": 1, "stderr": "OutOfMemoryError: unable to create native thread"},
            "runtime_error",
        ),
        ({"signal": int(signal.SIGSEGV), "exit_code": None}, "runtime_error"),
        ({"exit_code": 3}, "runtime_error"),
        ({"max_rss_kb": 400 * 1024}, "memory_limit"),
        ({}, ""),
    ],
)
def test_case_status(fields, status):
    assert case_status(raw("t-0", **fields), 256, oom_killed=False)[0] == status


def test_a_kill_by_the_memory_cap_is_a_memory_error_only_when_the_cap_fired():
    killed = raw("t-0", signal=int(signal.SIGKILL), exit_code=None)
    assert case_status(killed, 256, oom_killed=True)[0] == "memory_limit"
    assert case_status(killed, 256, oom_killed=False)[0] == "runtime_error"
    assert "SIGKILL" in case_status(killed, 256, oom_killed=False)[1]


def test_accepted_submission_shows_examples_but_hides_hidden_tests():
    result = grade(QUESTION, "python", "print(1)", "submit", report_for(all_correct()))
    assert result.status == "accepted"
    assert result.passed == result.total == len(QUESTION.examples) + len(QUESTION.tests)
    visible = [c for c in result.cases if c.visible]
    hidden = [c for c in result.cases if not c.visible]
    assert visible[0].input == QUESTION.examples[0].input and visible[0].output
    assert all(not (c.input or c.expected or c.output) for c in hidden)
    assert result.efficiency.verdict == "not_measured"
    assert json.loads(json.dumps(result.to_dict()))["code"] == "print(1)"


def test_first_failing_case_names_the_submission_status():
    outputs = all_correct()
    outputs["t-3"] = "wrong"
    result = grade(QUESTION, "python", "x", "submit", report_for(outputs))
    assert result.status == "wrong_answer"
    assert result.passed == result.total - 1
    report = report_for(all_correct())
    report["cases"][5] = raw("t-3", killed_for="time")
    assert grade(QUESTION, "python", "x", "submit", report).status == "time_limit"


def test_run_mode_grades_only_the_examples():
    outputs = {f"ex-{i}": c.output for i, c in enumerate(QUESTION.examples)}
    result = grade(QUESTION, "cpp", "x", "run", report_for(outputs))
    assert result.status == "accepted" and result.total == len(QUESTION.examples)


def test_compile_error_reports_the_compiler_message():
    report = {"compile": {"ok": False, "stderr": "solution.cpp:3: error: expected ';'"}}
    result = grade(QUESTION, "cpp", "int main(", "submit", report)
    assert result.status == "compile_error" and not result.compile_ok
    assert "expected ';'" in result.compile_message
    assert result.passed == 0 and result.cases == ()
    report = {"compile": {"ok": False, "killed_for": "time", "stderr": ""}}
    assert "too long" in grade(QUESTION, "cpp", "x", "submit", report).compile_message


def test_missing_cases_and_a_dead_harness():
    result = grade(QUESTION, "python", "x", "submit", report_for({}, harness_died=True))
    assert result.status == "sandbox_violation"
    assert all(c.status == "skipped" for c in result.cases)


SIZES = [5000, 20000, 80000]


def series(exponent: float, scale: float) -> list[float]:
    return [scale * (n / 1000) ** exponent for n in SIZES]


def nlogn(scale: float) -> list[float]:
    return [scale * n * math.log(n) / 1e6 for n in SIZES]


def test_efficiency_tells_quadratic_from_n_log_n():
    reference = nlogn(0.5)
    quadratic = judge_efficiency(SIZES, [("passed", t) for t in series(2, 0.0004)], reference)
    assert quadratic.verdict == "slower"
    assert quadratic.growth == pytest.approx(2, abs=0.05)
    assert quadratic.reference_growth == pytest.approx(1.1, abs=0.1)
    slower_constant = judge_efficiency(SIZES, [("passed", t * 1.8) for t in reference], reference)
    assert slower_constant.verdict == "efficient"
    assert slower_constant.ratio == pytest.approx(1.8, abs=0.01)


def test_efficiency_start_up_is_subtracted():
    reference = nlogn(0.5)
    # A runtime with 80 ms start-up and the same algorithm: flat raw times, same growth net
    candidate = [("passed", t + 0.08) for t in reference]
    verdict = judge_efficiency(SIZES, candidate, reference, baseline=0.08)
    assert verdict.verdict == "efficient"
    assert verdict.points[0].time_ms == pytest.approx(reference[0] * 1000, abs=0.01)


def test_efficiency_limits_and_wrong_outputs():
    reference = nlogn(0.5)
    timed_out = [("passed", 0.6), ("time_limit", 2.1), ("skipped", None)]
    assert judge_efficiency(SIZES, timed_out, reference).verdict == "too_slow"
    wrong = [("passed", 0.01), ("wrong_answer", 0.02), ("passed", 0.05)]
    assert judge_efficiency(SIZES, wrong, reference).verdict == "incorrect"
    verdict = judge_efficiency(SIZES, timed_out, reference)
    assert verdict.points[1].time_ms is None and verdict.message["zh"]


def test_efficiency_below_the_noise_floor_is_not_called_slow():
    tiny = [("passed", 0.001), ("passed", 0.0012), ("passed", 0.0015)]
    assert judge_efficiency(SIZES, tiny, [0.001, 0.001, 0.001]).verdict == "efficient"


def test_efficiency_messages_come_from_the_catalogues():
    for verdict, msgid in EFFICIENCY_MESSAGES.items():
        message = efficiency_message(verdict)
        assert set(message) == {"en", "zh", "ja"}
        assert message["en"] == msgid
        assert message["zh"] != msgid and re.search(r"[\u4e00-\u9fff]", message["zh"]), verdict
        assert re.search(r"[\u3040-\u30ff]", message["ja"]), verdict
    with pytest.raises(KeyError):
        efficiency_message("fast")


def test_efficiency_when_only_the_candidate_is_measurable():
    sizes = [1500, 6000, 24000]
    reference = [0.00055, 0.00075, 0.00581]  # under the noise floor but at the largest size
    # A quadratic C++ loop as measured in the sandbox: fixed cost flattens its fitted growth
    quadratic = [("passed", 0.00151), ("passed", 0.01026), ("passed", 0.08884)]
    verdict = judge_efficiency(sizes, quadratic, reference)
    assert verdict.reference_growth is None
    assert verdict.growth == pytest.approx(1.56, abs=0.01)
    assert verdict.verdict == "slower"
    # n log n with a larger constant than the reference: not slower
    n_log_n = [("passed", 0.002), ("passed", 0.0095), ("passed", 0.044)]
    assert judge_efficiency(sizes, n_log_n, reference).verdict == "efficient"
