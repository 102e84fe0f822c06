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
  ``hireflow sandbox-worker --concurrency 2`` (the product's path: an accepted submission also
  runs the question's efficiency sizes), latency from sending to the worker storing the result
  (its ``date_done``: the bench waits without competing for the cores). With
  ``--compare-with OTHER_CHECKOUT`` the burst runs alternately on the other checkout's code and
  on this one, ``--rounds`` times each, and prints the medians and their ratio: on a shared
  machine only figures measured back to back compare.
* **CPU per run** (``cpu``): the CPU time of every process of a Python sandbox run (through a
  cgroup v1 ``cpuacct`` group, so it needs root), by what the run holds: nothing, the 12 cases,
  the 12 cases and the efficiency sizes, a whole grading; what a submission costs the cores.
* **launch** (``launch``): the wall time of starting the product's sandbox (launcher,
  bubblewrap with the product's arguments, seccomp, ``python3 -I -S -c pass`` instead of the
  harness) in a slot, the launcher joining the slot's cgroups through ``tasks`` (as now)
  against ``cgroup.procs`` (as before), interleaved, median of 20; what the join costs each
  sandbox's start (it waits, so CPU figures do not show it).
* **start-up per language**: a fresh sandbox that compiles (where the language does) and runs
  a trivial program on one input: bubblewrap + namespaces + compile + run, median of 3.
* ``HIREFLOW_BENCH_TREE=/other/checkout`` measures that checkout's code in-process (the parts
  other than the Redis burst, which compares with ``--compare-with``).
* the machine's load average before and after each part (the machine is shared; figures
  measured under load say so).
* ``--high-share`` (root, cgroup v1 ``cpu``): the bench and everything it starts (the sandbox
  worker, its sandboxes) run in a ``cpu`` cgroup of the largest weight (``cpu.shares``
  262144 against 1024 for everyone else), so on a shared machine they get nearly all the CPU
  they ask for while the scheduler places them as on a quiet one: an approximation of the
  quiet machine, printed as such, never instead of it.

Usage: .venv/bin/python bench/coding_sandbox.py [--submissions 100] [--redis URL]
       [--parts floor,throughput,burst,redis,cpu,launch,startup]
       [--compare-with /work/main --rounds 2] [--high-share]
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
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import replace
from pathlib import Path

# HIREFLOW_BENCH_TREE: measure another checkout's code (e.g. the main branch's) in-process
ROOT = Path(os.environ.get("HIREFLOW_BENCH_TREE") or Path(__file__).resolve().parents[1])
sys.path.insert(0, str(ROOT))

from hireflow.coding.languages import available_languages  # noqa: E402
from hireflow.coding.questions import get_question  # noqa: E402
from hireflow.coding.runner import QUEUE  # noqa: E402

SIZES = ", ".join(f"{n:,}" for n in get_question("pair-sum").efficiency.sizes)  # type: ignore[union-attr]

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
    label = f"with the efficiency sizes {SIZES}" if efficiency else "12 cases"
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
    times = []
    for _ in range(10):
        started = time.perf_counter()
        floor_run()
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


def burst(redis_url: str, count: int = 50, tree: Path = ROOT) -> dict[str, float]:
    """``count`` distinct submissions sent at once through Redis to a real sandbox worker
    running the code of ``tree``; latency = sending to the worker storing the result (its
    ``date_done``), so the bench's own waiting costs the cores nothing while it runs."""
    import redis
    from celery import Celery

    client = redis.Redis.from_url(redis_url)
    client.ping()
    client.flushdb()
    data = tempfile.mkdtemp(prefix="hf-bench-")
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "HIREFLOW_DATA_DIR": data,
        "HIREFLOW_BROKER_URL": redis_url,
        "HIREFLOW_RESULT_BACKEND": redis_url,
        "HIREFLOW_LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "hireflow.cli", "sandbox-worker", "--concurrency", "2"],
        env=env,
        cwd=str(tree),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    app = Celery("bench", broker=redis_url, backend=redis_url)
    try:
        # Warm both worker processes (a first grading generates the inputs and times the
        # reference, once per process); distinct codes, two at a time so both take one.
        for i in range(4):
            pair = [
                app.send_task(
                    "coding.grade_submission",
                    args=("pair-sum", "python", VARIANTS[0] + f"# warm {i} {j}\n"),
                    queue=QUEUE,
                )
                for j in range(2)
            ]
            for result in pair:
                result.get(timeout=180)
        before = _load()
        sent_at: dict[str, float] = {}
        results = []
        for i in range(count):
            code = VARIANTS[i % len(VARIANTS)] + f"# burst {i} {time.time_ns()}\n"
            sent_at_i = time.time()
            # this app has none of the platform's routes: name the sandbox queue
            result = app.send_task(
                "coding.grade_submission", args=("pair-sum", "python", code), queue=QUEUE
            )
            sent_at[result.id] = sent_at_i
            results.append(result)
        first = min(sent_at.values())
        outcomes = [r.get(timeout=600) for r in results]
        latencies = sorted(r.date_done.timestamp() - sent_at[r.id] for r in results)
        makespan = max(r.date_done.timestamp() for r in results) - first
        statuses = {o["status"] for o in outcomes}
        verdicts = {o["efficiency"]["verdict"] for o in outcomes}
        sizes = ", ".join(f"{p['n']:,}" for p in outcomes[0]["efficiency"]["points"])
        figures = {
            "p50": statistics.median(latencies),
            "p95": latencies[int(0.95 * (count - 1))],
            "max": latencies[-1],
            "rate": count / makespan,
        }
        print(
            f"burst of {count} through Redis, 2 sandbox worker processes of {tree} (submit "
            f"mode, efficiency sizes {sizes}): p50 {figures['p50']:.2f} s, "
            f"p95 {figures['p95']:.2f} s, max {figures['max']:.2f} s "
            f"({figures['rate']:.1f}/s); statuses {sorted(statuses)}, efficiency "
            f"{sorted(verdicts)}; {before} before, {_load()} after"
        )
        return figures
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        app.close()


def compare(redis_url: str, other: Path, rounds: int) -> None:
    """The burst through Redis, alternately for ``other`` (e.g. the main branch's checkout)
    and this checkout, ``rounds`` times each: on a shared machine only figures measured back
    to back compare."""
    runs: dict[Path, list[dict[str, float]]] = {other: [], ROOT: []}
    for _ in range(rounds):
        for tree in (other, ROOT):
            runs[tree].append(burst(redis_url, tree=tree))
    for key, unit in (("p50", "s"), ("p95", "s"), ("rate", "/s")):
        a = statistics.median(r[key] for r in runs[other])
        b = statistics.median(r[key] for r in runs[ROOT])
        better = a / b if unit == "s" else b / a
        print(
            f"compare {key} (median of {rounds}): {other} {a:.2f} {unit}, this checkout "
            f"{b:.2f} {unit}: {better:.2f}× better"
        )


CPUACCT = Path("/sys/fs/cgroup/cpuacct")
CPU = Path("/sys/fs/cgroup/cpu")


@contextmanager
def high_share() -> Iterator[None]:
    """Run the rest of the bench (and what it starts) in a ``cpu`` cgroup of the largest
    weight: on a shared machine, nearly the CPU a quiet one would give."""
    group = CPU / f"hireflow-bench-share-{os.getpid()}"
    group.mkdir()
    try:
        (group / "cpu.shares").write_text("262144")
        (group / "cgroup.procs").write_text(str(os.getpid()))
        print("high share: this bench and its processes weigh 256x anyone else (cpu.shares)")
        yield
    finally:
        (CPU / "cgroup.procs").write_text(str(os.getpid()))
        for pid in (group / "cgroup.procs").read_text().split():
            with suppress(OSError):
                (CPU / "cgroup.procs").write_text(pid)
        group.rmdir()


def cpu_per_run(rounds: int = 15) -> None:
    """CPU time (every process: launcher, bubblewrap, harness, cases; through a cgroup v1
    ``cpuacct`` group) of one Python sandbox run by what it holds, median of ``rounds``,
    interleaved: what a submission costs the cores, which load inflates less than wall time."""
    from hireflow.coding.languages import get_language
    from hireflow.coding.runner import CaseInput, CodeRunner

    group = CPUACCT / f"hireflow-bench-{os.getpid()}"
    try:
        group.mkdir()
        (group / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as exc:
        print(f"cpu per run: skipped (no writable cgroup v1 cpuacct: {exc})")
        return
    usage = lambda: int((group / "cpuacct.usage").read_text()) / 1e9  # noqa: E731
    runner, question = CodeRunner(), get_question("pair-sum")
    python = get_language("python")
    inputs = runner.efficiency_inputs(question)
    runner.reference(question, python)
    cases = [CaseInput(f"ex-{i}", c.input) for i, c in enumerate(question.examples)]
    cases += [CaseInput(f"t-{i}", c.input) for i, c in enumerate(question.tests)]
    sizes = [CaseInput(f"eff-{n}", inputs[n], group="efficiency") for n in inputs]

    def code(i: int, variant: int = 0) -> str:
        return VARIANTS[variant] + f"# cpu {i} {time.time_ns()}\n"

    parts = {
        "bare bubblewrap + python3 (the floor)": lambda i: floor_run(),
        "sandbox, no case": lambda i: runner.execute(question, python, code(i), []),
        "sandbox, 12 cases": lambda i: runner.execute(question, python, code(i), cases),
        "sandbox, 12 cases + efficiency sizes": lambda i: runner.execute(
            question, python, code(i), cases + sizes
        ),
        "grading a submission (all of it)": lambda i: runner.grade(
            question, "python", code(i, i % len(VARIANTS))
        ),
    }
    spent: dict[str, list[float]] = {name: [] for name in parts}
    before = _load()
    for i in range(rounds):
        for name, run in parts.items():
            start = usage()
            run(i)
            spent[name].append(usage() - start)
    sizes_text = ", ".join(f"{n:,}" for n in inputs)
    print(f"CPU per Python run (pair-sum, efficiency sizes {sizes_text}; median of {rounds}):")
    for name, values in spent.items():
        print(f"  {name:40} {statistics.median(values) * 1000:6.1f} ms")
    print(f"  ({before} before, {_load()} after)")
    (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
    for _ in range(100):  # the last sandbox's processes may still be on their way out
        try:
            group.rmdir()
            break
        except OSError:
            time.sleep(0.05)


def floor_run() -> None:
    argv = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--ro-bind", "/", "/"]
    argv += ["--proc", "/proc", "--dev", "/dev", "/usr/bin/python3", "-I", "-S", "-c", "pass"]
    subprocess.run(argv, check=True)


def launch(rounds: int = 20) -> None:
    """The product's sandbox start with the slot's cgroups joined through ``tasks`` or
    ``cgroup.procs`` (see ``cgroups.SlotGroup.join_files``), and without a launcher."""
    from hireflow.coding import cgroups, seccomp
    from hireflow.coding.sandbox import Job, Sandbox

    sandbox = Sandbox()
    slot = sandbox.settings.slots - 1
    group = cgroups.slot_group(sandbox.cgroup_version, slot)
    if group is None or not sandbox.is_root:
        print("launch: skipped (needs root and a cgroup)")
        return
    jobdir = Path(tempfile.mkdtemp(dir=sandbox.settings.state_dir))
    jobdir.chmod(0o755)
    job = Job(files={}, spec={}, memory_bytes=512 << 20, max_procs=128, deadline_s=10)
    uid = sandbox.settings.uid_base + slot

    def argv(fd: int, join: str | None) -> list[str]:
        bwrap = sandbox._argv(job, jobdir, fd)
        bwrap = [*bwrap[: len(bwrap) - 2], "-c", "pass"]  # python3 -I -S -c pass
        if join is None:
            return bwrap
        files = [f.replace(Path(f).name, join) for f in group.join_files]
        script = "".join(f'echo 0 > "${i + 1}" && ' for i in range(len(files)))
        script += f'shift {len(files)} && exec "$@"'
        prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
        return ["/bin/sh", "-c", script, "sh", *files, *prefix, *bwrap]

    kinds = {"no launcher": None, "joining through tasks": "tasks"}
    kinds["joining through cgroup.procs"] = "cgroup.procs"
    walls: dict[str, list[float]] = {name: [] for name in kinds}
    before = _load()
    with _slot_lock(sandbox, slot):
        for _ in range(rounds):
            for name, join in kinds.items():
                fd = seccomp.program_fd()
                started = time.perf_counter()
                subprocess.run(argv(fd, join), pass_fds=(fd,), check=True)
                walls[name].append(time.perf_counter() - started)
                os.close(fd)
    jobdir.rmdir()
    print(f"launch of the product's sandbox (python3 -c pass; median of {rounds}):")
    for name, values in walls.items():
        print(f"  {name:30} {statistics.median(values) * 1000:6.1f} ms")
    print(f"  ({before} before, {_load()} after)")


@contextmanager
def _slot_lock(sandbox, slot: int) -> Iterator[None]:
    """Hold a slot's lock, as a grading does, so no other run shares its cgroups meanwhile."""
    import fcntl

    fd = os.open(sandbox.settings.state_dir / f"slot-{slot}.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


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
    parser.add_argument("--parts", default="floor,throughput,burst,redis,cpu,launch,startup")
    parser.add_argument(
        "--compare-with", type=Path, help="another checkout: its Redis burst, back to back"
    )
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--high-share", action="store_true", help="approximate a quiet machine (root, cgroup v1)"
    )
    args = parser.parse_args()
    with high_share() if args.high_share else nullcontext():
        run_parts(args)


def run_parts(args: argparse.Namespace) -> None:
    parts = set(args.parts.split(","))
    print(f"machine: {os.cpu_count()} cores, {_load()}")
    base = floor() if "floor" in parts else None
    if "throughput" in parts:
        throughput(args.submissions, efficiency=False, base=base)
        throughput(args.submissions, efficiency=True, base=base)
    if "burst" in parts:
        pool_burst(50, base)
    if "redis" in parts:
        if args.redis and args.compare_with:
            compare(args.redis, args.compare_with.resolve(), args.rounds)
        elif args.redis:
            burst(args.redis)
        else:
            print("burst through Redis: skipped (pass --redis redis://127.0.0.1:6379/N)")
    if "cpu" in parts:
        cpu_per_run()
    if "launch" in parts:
        launch()
    if "startup" in parts:
        startup()
    print(f"after: {_load()}")


if __name__ == "__main__":
    main()
