"""How fast the code sandbox grades: throughput, latency under a burst, start-up per language.

Prints:
* **floor**: a bare bubblewrap sandbox with every namespace starting ``python3 -I -S -c pass``
  (no harness, no cgroup, no seccomp), median of 10: the baseline the other figures are
  compared with, measured in the same run.
* **throughput**: Python submissions graded per second by 2 worker processes (as
  ``hireflow sandbox-worker --concurrency 2``), each submission a fresh sandbox running the
  question's 2 examples and 10 hidden tests (``pair-sum``; efficiency sizes off, then on).
  Every submission's code is different (a distinct solution variant and a numbered comment),
  so nothing is a cache hit. Target >= 10/s on 2 cores.
* **burst latency**: 50 distinct submissions handed at once to the 2 grading processes
  (2 examples + 10 hidden tests each, the throughput's conditions); latency = from hand-in to
  the result, p50/p95/max. Target p95 < 2 s.
* **burst through Redis**: the same 50 sent at once through Redis to a real
  ``hireflow sandbox-worker --concurrency 2`` (the product's path: a submission also runs the
  3 efficiency sizes), latency from sending to the result being readable.
* **start-up per language**: a fresh sandbox that compiles (where the language does) and runs
  a trivial program on one input: bubblewrap + namespaces + compile + run, median of 3.
* the machine's load average before and after each part (the machine is shared; figures
  measured under load say so).

Usage: .venv/bin/python bench/coding_sandbox.py [--submissions 100] [--redis URL]
       [--parts floor,throughput,burst,redis,startup]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hireflow.coding.languages import available_languages  # noqa: E402
from hireflow.coding.questions import get_question  # noqa: E402
from hireflow.coding.runner import QUEUE  # noqa: E402

VARIANTS = [
    """import sys
from collections import Counter
d = sys.stdin.buffer.read().split()
n, k = int(d[0]), int(d[1])
seen = Counter()
pairs = 0
for v in map(int, d[2:2 + n]):
    pairs += seen[k - v]
    seen[v] += 1
print(pairs)
""",
    """import sys
d = sys.stdin.read().split()
n, k = int(d[0]), int(d[1])
a = sorted(map(int, d[2:2 + n]))
count = {}
total = 0
for v in a:
    total += count.get(k - v, 0)
    count[v] = count.get(v, 0) + 1
print(total)
""",
    """def main():
    import sys
    data = list(map(int, sys.stdin.read().split()))
    n, k = data[0], data[1]
    freq = {}
    for v in data[2:2 + n]:
        freq[v] = freq.get(v, 0) + 1
    pairs = 0
    for v, c in freq.items():
        w = k - v
        if w == v:
            pairs += c * (c - 1)
        elif w in freq:
            pairs += c * freq[w]
    print(pairs // 2)


main()
""",
]
HELLO = {
    "python": "print(int(input().split()[0]) * 0 + 1)  # {i}\n",
    "javascript": "// {i}\nconsole.log(1);\n",
    "cpp": '// {i}\n#include <cstdio>\nint main(){{ std::puts("1"); }}\n',
    "java": (
        "// {i}\npublic class Main {{ public static void main(String[] a) {{"
        ' System.out.println("1"); }} }}\n'
    ),
    "go": '// {i}\npackage main\nimport "fmt"\nfunc main() {{ fmt.Println("1") }}\n',
}

_runner = None


def _grade(args: tuple[int, bool]) -> tuple[float, str]:
    """In a worker process: grade one distinct submission, return (seconds, status)."""
    global _runner
    from hireflow.coding.runner import CodeRunner

    index, efficiency = args
    if _runner is None:
        _runner = CodeRunner()
    question = get_question("pair-sum")
    if not efficiency:
        question = replace(question, efficiency=None)
    code = VARIANTS[index % len(VARIANTS)] + f"# submission {index}\n"
    started = time.perf_counter()
    result = _runner.grade(question, "python", code, "submit")
    return time.perf_counter() - started, result.status


def throughput(count: int, efficiency: bool, base: float | None = None) -> None:
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_grade, [(i, efficiency) for i in range(4)]))  # warm both processes
        before = _load()
        started = time.perf_counter()
        results = list(pool.map(_grade, [(1000 + i, efficiency) for i in range(count)]))
        elapsed = time.perf_counter() - started
    statuses = {status for _, status in results}
    times = sorted(t for t, _ in results)
    label = "with 3 efficiency sizes (n up to 80,000)" if efficiency else "12 cases"
    print(
        f"throughput ({label}): {count / elapsed:.1f} submissions/s "
        f"({count} in {elapsed:.2f} s; per submission "
        f"p50 {statistics.median(times) * 1000:.0f} ms, "
        f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms"
        + (f", p50 {statistics.median(times) / base:.1f}× the floor" if base else "")
        + f"; statuses {sorted(statuses)}; {before} before, {_load()} after)"
    )


def _load() -> str:
    return "load average " + ", ".join(f"{x:.1f}" for x in os.getloadavg())


def floor() -> float:
    """Median seconds of a bare sandbox start (namespaces + python3, nothing else)."""
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/"]
    argv += ["--proc", "/proc", "--dev", "/dev", "/usr/bin/python3", "-I", "-S", "-c", "pass"]
    times = []
    for _ in range(10):
        started = time.perf_counter()
        subprocess.run(argv, check=True)
        times.append(time.perf_counter() - started)
    seconds = statistics.median(times)
    print(f"floor: a bare bubblewrap sandbox starting python3: {seconds * 1000:.0f} ms ({_load()})")
    return seconds


def pool_burst(count: int = 50, base: float | None = None) -> None:
    """``count`` distinct submissions handed at once to 2 grading processes."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(_grade, [(i, False) for i in range(4)]))  # warm both processes
        before = _load()
        done_at: dict[int, float] = {}
        lock = threading.Lock()
        started = time.perf_counter()
        futures = []
        for i in range(count):
            future = pool.submit(_grade, (2000 + i, False))

            def finished(_f, i=i) -> None:
                with lock:
                    done_at[i] = time.perf_counter()

            future.add_done_callback(finished)
            futures.append(future)
        statuses = {f.result()[1] for f in futures}
        elapsed = time.perf_counter() - started
    latencies = sorted(done_at[i] - started for i in range(count))
    p95 = latencies[int(0.95 * (count - 1))]
    extra = f"; {statistics.median(latencies) / base:.0f}× the floor at p50" if base else ""
    print(
        f"burst of {count} handed at once to 2 grading processes (12 cases each, no "
        f"efficiency sizes): p50 {statistics.median(latencies):.2f} s, p95 {p95:.2f} s, "
        f"max {latencies[-1]:.2f} s; all done in {elapsed:.2f} s "
        f"({count / elapsed:.1f}/s){extra}; statuses {sorted(statuses)} "
        f"({before} before, {_load()} after)"
    )


def burst(redis_url: str, count: int = 50) -> None:
    import redis
    from celery import Celery

    client = redis.Redis.from_url(redis_url)
    client.ping()
    client.flushdb()
    data = tempfile.mkdtemp(prefix="hf-bench-")
    env = {
        **os.environ,
        "HIREFLOW_DATA_DIR": data,
        "HIREFLOW_BROKER_URL": redis_url,
        "HIREFLOW_RESULT_BACKEND": redis_url,
        "HIREFLOW_LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = Celery("bench", broker=redis_url, backend=redis_url)
    try:
        # Warm the worker processes (first grading loads the bank and the references).
        warm = [
            app.send_task(
                "coding.grade_submission", args=("pair-sum", "python", VARIANTS[0]), queue=QUEUE
            )
            for _ in range(4)
        ]
        for result in warm:
            result.get(timeout=180)
        sent_at: dict[str, float] = {}
        done_at: dict[str, float] = {}
        results = []
        for i in range(count):
            code = VARIANTS[i % len(VARIANTS)] + f"# burst {i}\n"
            sent_at_i = time.perf_counter()
            # this app has none of the platform's routes: name the sandbox queue
            result = app.send_task(
                "coding.grade_submission", args=("pair-sum", "python", code), queue=QUEUE
            )
            sent_at[result.id] = sent_at_i
            results.append(result)

        def wait(result) -> None:
            result.get(timeout=300)
            done_at[result.id] = time.perf_counter()

        threads = [threading.Thread(target=wait, args=(r,)) for r in results]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies = sorted(done_at[r.id] - sent_at[r.id] for r in results)
        statuses = {r.get()["status"] for r in results}
        print(
            f"burst of {count} through Redis, 2 sandbox worker processes (submit mode with "
            f"efficiency): p50 {statistics.median(latencies):.2f} s, "
            f"p95 {latencies[int(0.95 * (count - 1))]:.2f} s, max {latencies[-1]:.2f} s; "
            f"statuses {sorted(statuses)}; {_load()} after"
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.close()


def startup() -> None:
    from hireflow.coding.runner import CaseInput, CodeRunner

    runner = CodeRunner()
    question = get_question("pair-sum")
    for key, language in available_languages().items():
        walls, compiles, runs = [], [], []
        for i in range(3):
            code = HELLO[key].format(i=f"{i} {time.time_ns()}")
            started = time.perf_counter()
            report = runner.execute(question, language, code, [CaseInput("ex-0", "1 2\n1\n")])
            walls.append(time.perf_counter() - started)
            compile_step = report["compile"] or {}
            compiles.append(compile_step.get("wall_s", 0.0))
            runs.append(report["cases"][0]["wall_s"])
        print(
            f"start-up {key:10}: sandbox total {statistics.median(walls) * 1000:6.0f} ms "
            f"(compile {statistics.median(compiles) * 1000:5.0f} ms, "
            f"one run {statistics.median(runs) * 1000:5.0f} ms)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--submissions", type=int, default=100)
    parser.add_argument("--redis", default=os.environ.get("HIREFLOW_TEST_REDIS", ""))
    parser.add_argument("--parts", default="floor,throughput,burst,redis,startup")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    print(f"machine: {os.cpu_count()} cores, {_load()}")
    base = floor() if "floor" in parts else None
    if "throughput" in parts:
        throughput(args.submissions, efficiency=False, base=base)
        throughput(args.submissions, efficiency=True, base=base)
    if "burst" in parts:
        pool_burst(50, base)
    if "redis" in parts:
        if args.redis:
            burst(args.redis)
        else:
            print("burst through Redis: skipped (pass --redis redis://127.0.0.1:6379/N)")
    if "startup" in parts:
        startup()
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
