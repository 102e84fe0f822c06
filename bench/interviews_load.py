"""Load: N candidates take the AI interview at the same time against a running server.

Each simulated candidate does what the page does, through the personal-link API: open the
link, pass the identity check (last four characters of the ID number), load the interview
(created on this first verified access), consent, then for each of the six questions open it
and save a typed answer (``--autosaves K``: after K drafts of it, as the page autosaves while
the candidate types), and submit: 17 requests (+6K), back to back, no think time. All N start
together. The server is ``hireflow serve`` (one uvicorn process) with its embedded worker
scoring submissions meanwhile, on a fresh installation: SQLite (the embedded default) or
PostgreSQL.

In the same run the same client drives a bare FastAPI endpoint (a POST that validates a small
JSON body, one uvicorn process) with the same number of requests and simultaneous clients:
the ratio says what the product's work costs over the framework's floor on this machine.

Printed per backend and N: wall time, requests per second, interviews completed per second,
p50/p95/max latency of all requests and of each step, errors (non-2xx and transport), the
bare endpoint's figures and the ratios, and how many reports the worker stored within a
minute of the last submission. The client shares the machine's cores with the server, so
absolute figures are pessimistic; the ratio is the fairer number.

With ``--one-at-a-time`` the N candidates go one after another (one request in flight, the
per-request cost without queueing; no worker runs, so no reports are stored), the bare
endpoint likewise, the two alternating in rounds
of ten candidates so that the machine's changing load falls on both alike. In the same rounds
the bare endpoint behind Hireflow's middleware alone and behind the whole application
(``request_floor``) is driven too: the floor a candidate request stands on before its
endpoint does anything. Each step's ratio to the bare endpoint (bare p50 / step p50) is
printed beside the throughput ratio.

With ``--realistic`` the candidates keep a human pace instead (``interviews_realistic``: starts
spread over ``--ramp`` seconds, an answer every 60-120 s, autosave every 15 s, reloads, dropped
connections, distinct answers; ``--pace`` compresses time) against the topologies of
``--topologies``: ``one`` (one ``hireflow serve`` with its embedded worker) and ``multi`` (two
``hireflow serve`` web processes behind the bench's round-robin and two ``hireflow worker``
processes, on Redis: ``--redis``). ``--faults`` (multi on PostgreSQL) kills a web process and
a worker mid-task and restarts a Redis and a PostgreSQL instance the bench started itself,
while HR sends AI invitations to a local SMTP sink; afterwards it checks every interview,
report, answer and e-mail.

Run: ``.venv/bin/python bench/interviews_load.py [--counts 100,500,1000]
[--backends sqlite,postgresql] [--pg postgresql://postgres@127.0.0.1:5432/postgres]
[--one-at-a-time] [--autosaves K]``, or ``... --realistic [--candidates 1000] [--ramp 600]
[--pace 1] [--topologies one,multi] [--redis redis://127.0.0.1:6379/8] [--faults]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
# The tree this bench belongs to, not whichever checkout the environment has installed: the
# servers it starts run from this tree, so the schema it migrates must be this tree's too.
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import interviews_world as world_module
import request_floor
from answer_pool import distinct_answer

TAB = "load-tab-0001"
# How long a fresh server may take to answer its health check: on a machine at load average
# 15-20 its start (migrations included) took longer than the world's default of 90 s.
START_TIMEOUT = 300.0
REQUESTS_PER_CANDIDATE = 17
# The bare endpoint (a POST validating a small JSON body) as a FastAPI app of its own.
BARE_APP = (
    request_floor.ENDPOINT
    + """
from fastapi import FastAPI

app = FastAPI()
app.post("/bare")(bare)
"""
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))]


class Recorder:
    def __init__(self) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.completed = 0
        self.in_flight = 0
        self.peak = 0

    async def call(self, client, step: str, method: str, url: str, **kwargs):
        started = time.perf_counter()
        try:
            response = await client.request(method, url, **kwargs)
        except Exception as exc:  # transport errors count, the candidate gives up
            self.latencies[step].append(time.perf_counter() - started)
            self.errors[f"{step}:{type(exc).__name__}"] += 1
            raise
        self.latencies[step].append(time.perf_counter() - started)
        if response.status_code >= 300:
            self.errors[f"{step}:{response.status_code}"] += 1
            raise RuntimeError(f"{step} {response.status_code} {response.text[:200]}")
        return response


def requests_per_candidate(autosaves: int) -> int:
    """open, verify, load, consent, six questions (open, drafts, answer), submit."""
    return REQUESTS_PER_CANDIDATE + 6 * autosaves


async def candidate_flow(
    client, recorder: Recorder, token: str, last4: str, delay: float = 0.0, autosaves: int = 0
) -> None:
    await asyncio.sleep(delay)
    recorder.in_flight += 1
    recorder.peak = max(recorder.peak, recorder.in_flight)
    try:
        await _candidate_steps(client, recorder, token, last4, autosaves)
    finally:
        recorder.in_flight -= 1


async def _candidate_steps(
    client, recorder: Recorder, token: str, last4: str, autosaves: int = 0
) -> None:
    base = f"/api/v1/links/{token}"
    await recorder.call(client, "open", "GET", base)
    verified = await recorder.call(
        client, "verify", "POST", f"{base}/verify", json={"answer": last4}
    )
    headers = {"X-Link-Access": verified.json()["access"]}
    state = (
        await recorder.call(client, "load", "GET", f"{base}/interview", headers=headers)
    ).json()
    await recorder.call(
        client,
        "consent",
        "POST",
        f"{base}/interview/consent",
        headers=headers,
        json={
            "tab": TAB,
            "recording": True,
            "ai_assessment": True,
            "notice_version": state["notice_version"],
        },
    )
    for question in state["questions"]:
        qid = question["id"]
        await recorder.call(
            client,
            "question",
            "POST",
            f"{base}/interview/questions/{qid}/open",
            headers=headers,
            json={"tab": TAB},
        )
        text = distinct_answer("zh")
        # the page's drafts while the candidate types, then the answer
        saves = [
            ("autosave", text[: max(1, len(text) * (n + 1) // (autosaves + 1))], False)
            for n in range(autosaves)
        ]
        for step, sent, final in [*saves, ("answer", text, True)]:
            await recorder.call(
                client,
                step,
                "PUT",
                f"{base}/interview/questions/{qid}/text",
                headers=headers,
                json={"tab": TAB, "text": sent, "final": final},
            )
    await recorder.call(
        client, "submit", "POST", f"{base}/interview/submit", headers=headers, json={"tab": TAB}
    )
    recorder.completed += 1


async def bare_flow(
    client, recorder: Recorder, requests: int, delay: float = 0.0, step: str = "bare"
) -> None:
    await asyncio.sleep(delay)
    recorder.in_flight += 1
    recorder.peak = max(recorder.peak, recorder.in_flight)
    for _ in range(requests):
        await recorder.call(
            client,
            step,
            "POST",
            "/bare",
            json={"tab": TAB, "text": distinct_answer("zh"), "final": True},
        )
    recorder.completed += 1
    recorder.in_flight -= 1


async def drive(base_url: str, jobs, concurrency: int) -> tuple[Recorder, float]:
    import httpx

    recorder = Recorder()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url, limits=limits, timeout=httpx.Timeout(120.0)
    ) as client:
        started = time.perf_counter()
        results = await asyncio.gather(
            *(job(client, recorder) for job in jobs), return_exceptions=True
        )
        wall = time.perf_counter() - started
    recorder.failed = sum(1 for r in results if isinstance(r, BaseException))  # type: ignore[attr-defined]
    return recorder, wall


async def drive_one_at_a_time(
    base_url: str,
    bare_url: str,
    batch,
    rounds: int = 10,
    autosaves: int = 0,
    floors: dict[str, str] | None = None,
) -> tuple[Recorder, float, Recorder, float, dict[str, tuple[Recorder, float]]]:
    """Candidates one after another, and the same number of bare requests one after another
    (and as many to each floor app: ``floors`` name -> URL), alternating in rounds so all
    see the same machine load; returns the recorders and their summed wall times."""
    import httpx

    product, bare = Recorder(), Recorder()
    walls = [0.0, 0.0]
    floor_runs = {name: (Recorder(), [0.0]) for name in floors or {}}
    timeout = httpx.Timeout(120.0)
    async with (
        httpx.AsyncClient(base_url=base_url, timeout=timeout) as client,
        httpx.AsyncClient(base_url=bare_url, timeout=timeout) as bare_client,
    ):
        floor_clients = {
            name: httpx.AsyncClient(base_url=url, timeout=timeout)
            for name, url in (floors or {}).items()
        }
        try:
            for start in range(0, len(batch), rounds):
                chunk = batch[start : start + rounds]
                started = time.perf_counter()
                for cand in chunk:
                    await candidate_flow(
                        client, product, cand.token, cand.id_last4, autosaves=autosaves
                    )
                walls[0] += time.perf_counter() - started
                started = time.perf_counter()
                for _ in chunk:
                    await bare_flow(bare_client, bare, requests_per_candidate(autosaves))
                walls[1] += time.perf_counter() - started
                for name, (recorder, wall) in floor_runs.items():
                    started = time.perf_counter()
                    for _ in chunk:
                        await bare_flow(
                            floor_clients[name], recorder, requests_per_candidate(autosaves)
                        )
                    wall[0] += time.perf_counter() - started
        finally:
            for floor_client in floor_clients.values():
                await floor_client.aclose()
    return (
        product,
        walls[0],
        bare,
        walls[1],
        {name: (recorder, wall[0]) for name, (recorder, wall) in floor_runs.items()},
    )


def figures(recorder: Recorder, wall: float) -> dict:
    everything = [v for values in recorder.latencies.values() for v in values] or [0.0]
    return {
        "peak_in_flight": recorder.peak,
        "requests": len(everything),
        "wall_s": round(wall, 2),
        "rps": round(len(everything) / wall, 1),
        "p50_ms": round(statistics.median(everything) * 1000, 1),
        "p95_ms": round(pct(everything, 95) * 1000, 1),
        "max_ms": round(max(everything) * 1000, 1),
        "errors": dict(recorder.errors),
        "completed": recorder.completed,
        "steps": {
            step: {
                "n": len(values),
                "p50_ms": round(statistics.median(values) * 1000, 1),
                "p95_ms": round(pct(values, 95) * 1000, 1),
            }
            for step, values in recorder.latencies.items()
        },
    }


def run_backend(
    backend: str,
    counts: list[int],
    pg_admin: str,
    immediate: bool,
    rate: float,
    one_at_a_time: bool = False,
    autosaves: int = 0,
) -> dict:
    """One backend in this (child) process: fresh installation, server, worker, bare app."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"hireflow-load-{backend}-"))
    pg_name = world_module.database_name("load")
    if backend == "sqlite":
        database_url = f"sqlite:///{data_dir / 'hireflow.db'}"
    else:
        database_url = world_module.fresh_postgres(pg_admin, pg_name)
    world = world_module.prepare(data_dir, database_url)
    batches = [world_module.add_candidates(world, n, prefix=f"n{n}") for n in counts]
    env = world_module.environment(data_dir, database_url)
    port, bare_port = world_module.free_port(), world_module.free_port()
    (data_dir / "bare_app.py").write_text(BARE_APP)
    server = worker = bare = None
    floors: dict[str, tuple[subprocess.Popen, str]] = {}
    label = backend + (" (BEGIN IMMEDIATE)" if immediate and backend == "sqlite" else "")
    out: dict = {"backend": label, "runs": []}
    try:
        immediate = immediate and backend == "sqlite"
        server = world_module.start_server(
            env, port, data_dir / "server.log", immediate, START_TIMEOUT
        )
        if not one_at_a_time:  # the per-request cost is measured without scoring beside it
            worker = world_module.start_worker(env, data_dir / "worker.log", immediate=immediate)
        bare = subprocess.Popen(
            [
                sys.executable,
                *("-m", "uvicorn", "bare_app:app", "--log-level", "warning"),
                "--port",
                str(bare_port),
            ],
            cwd=data_dir,
            stdout=(data_dir / "bare.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        if one_at_a_time:  # the bare endpoint behind Hireflow's pipeline too
            floors = start_floors(data_dir, env)
        time.sleep(3)
        for n, batch in zip(counts, batches, strict=True):
            concurrency = n
            # Candidates arrive at ``rate`` per second; with no think time their interviews
            # overlap heavily (the peak of simultaneous interviews is printed).
            jobs = [
                (
                    lambda c, r, t=cand.token, k=cand.id_last4, d=i / rate: candidate_flow(
                        c, r, t, k, d, autosaves
                    )
                )
                for i, cand in enumerate(batch)
            ]
            load_avg = os.getloadavg()[0]
            floor_figures: dict = {}
            if one_at_a_time:
                recorder, wall, bare_recorder, bare_wall, floor_runs = asyncio.run(
                    drive_one_at_a_time(
                        f"http://127.0.0.1:{port}",
                        f"http://127.0.0.1:{bare_port}",
                        batch,
                        autosaves=autosaves,
                        floors={name: url for name, (_process, url) in floors.items()},
                    )
                )
                floor_figures = {k: figures(r, w) for k, (r, w) in floor_runs.items()}
                submitted_at = time.monotonic()
            else:
                recorder, wall = asyncio.run(drive(f"http://127.0.0.1:{port}", jobs, concurrency))
                submitted_at = time.monotonic()
                bare_jobs = [
                    (lambda c, r, d=i / rate: bare_flow(c, r, requests_per_candidate(autosaves), d))
                    for i in range(n)
                ]
                bare_recorder, bare_wall = asyncio.run(
                    drive(f"http://127.0.0.1:{bare_port}", bare_jobs, concurrency)
                )
            product = figures(recorder, wall)
            baseline = figures(bare_recorder, bare_wall)
            # The worker has been scoring since the first submissions (and through the bare
            # run); wait up to a minute more for the rest, and say when the last one landed.
            reports, reports_after = (
                (0, 0.0)
                if one_at_a_time
                else wait_reports(world, [c.invitation_id for c in batch], submitted_at, 60)
            )
            out["runs"].append(
                {
                    "n": n,
                    "load_avg_before": round(load_avg, 2),
                    "load_avg_after": round(os.getloadavg()[0], 2),
                    "mode": ("one at a time" if one_at_a_time else f"{rate}/s arrivals")
                    + f", {autosaves} autosaves per question",
                    "product": product,
                    "bare": baseline,
                    "floors": floor_figures,
                    "throughput_ratio": round(product["rps"] / baseline["rps"], 3),
                    "p95_ratio": round(product["p95_ms"] / baseline["p95_ms"], 1),
                    "interviews_per_s": round(product["completed"] / product["wall_s"], 2),
                    "reports": reports,
                    "reports_after_s": reports_after,
                }
            )
    finally:
        for process in (bare, worker, server, *(p for p, _url in floors.values())):
            world_module.stop(process)
        if backend != "sqlite":
            world.database.engine.dispose()
            world_module.drop_postgres(pg_admin, pg_name)
    return out


def start_floors(data_dir: Path, env: dict[str, str]) -> dict[str, tuple[subprocess.Popen, str]]:
    """The floor apps (``request_floor``) running and answering; name -> (process, URL)."""
    started = {}
    for kind in request_floor.APPS:
        process, port = request_floor.start(kind, data_dir, env)
        started[kind] = (process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + START_TIMEOUT
    for process, url in started.values():
        while True:
            try:
                request_floor.check(url)
                break
            except Exception:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    return started


def wait_reports(world, invitation_ids: list[int], since: float, grace: float) -> tuple[int, float]:
    """Reports stored for these interviews, polled until all are there or ``grace`` seconds
    have passed from now; returns the count and the seconds from ``since`` (the end of the
    product run) to the last poll."""
    from sqlalchemy import func, select

    from hireflow.interviews.models import InterviewReport, InterviewSession

    deadline = time.monotonic() + grace
    while True:
        with world.database.session() as session:
            count = int(
                session.scalar(
                    select(func.count())
                    .select_from(InterviewReport)
                    .join(InterviewSession, InterviewSession.id == InterviewReport.interview_id)
                    .where(InterviewSession.invitation_id.in_(invitation_ids))
                )
                or 0
            )
        if count >= len(invitation_ids) or time.monotonic() >= deadline:
            return count, round(time.monotonic() - since, 1)
        time.sleep(1)


def show(result: dict) -> None:
    print(f"\n== {result['backend']} ==")
    for run in result["runs"]:
        p, b = run["product"], run["bare"]
        print(
            f"N={run['n']:>5}  {p['requests']} requests in {p['wall_s']} s: {p['rps']} req/s, "
            f"p50 {p['p50_ms']} ms, p95 {p['p95_ms']} ms, max {p['max_ms']} ms; "
            f"{p['completed']}/{run['n']} interviews completed ({run['interviews_per_s']}/s, "
            f"peak {p['peak_in_flight']} at once); "
            f"errors {sum(p['errors'].values())} {p['errors'] or ''}"
        )
        print(
            f"         bare FastAPI: {b['rps']} req/s, p50 {b['p50_ms']} ms, p95 {b['p95_ms']} ms "
            f"-> throughput ratio {run['throughput_ratio']}, p95 ratio {run['p95_ratio']}x; "
            f"reports stored: {run['reports']}/{run['n']} by {run['reports_after_s']} s after "
            "the last submission; "
            f"load avg before {run['load_avg_before']}, after {run['load_avg_after']} "
            f"({run['mode']})"
        )
        steps = ", ".join(f"{step} {v['p50_ms']}/{v['p95_ms']}" for step, v in p["steps"].items())
        print(f"         per step p50/p95 ms: {steps}")
        # each step's p50 against the bare endpoint's: the throughput ratio it alone would have
        per_step = ", ".join(
            f"{step} {b['p50_ms'] / v['p50_ms']:.2f}" for step, v in p["steps"].items()
        )
        print(f"         per step ratio to bare (bare p50 / step p50): {per_step}")
        for name, f in run.get("floors", {}).items():
            print(
                f"         floor '{name}' (the bare endpoint behind Hireflow's "
                f"{'middleware' if name == 'middleware' else 'whole app'}): {f['rps']} req/s, "
                f"p50 {f['p50_ms']} ms, p95 {f['p95_ms']} ms -> ratio to bare "
                f"{f['rps'] / b['rps']:.3f}; product / this floor "
                f"{p['rps'] / f['rps']:.3f}; errors {sum(f['errors'].values())}"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counts", default="100,500,1000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--pg",
        default=os.environ.get(
            "HIREFLOW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument(
        "--one-at-a-time",
        action="store_true",
        help="candidates one after another (the per-request cost, no queueing)",
    )
    parser.add_argument(
        "--sqlite-immediate",
        action="store_true",
        help="also run SQLite with the proposed BEGIN IMMEDIATE engine change",
    )
    parser.add_argument("--rate", type=float, default=100.0, help="candidates arriving per second")
    parser.add_argument(
        "--autosaves",
        type=int,
        default=0,
        help="drafts saved per question before the answer (the page autosaves while typing)",
    )
    parser.add_argument("--child", default="")
    parser.add_argument("--json", default="")
    add_realistic_arguments(parser)
    args = parser.parse_args()
    if args.realistic:
        return realistic_main(args)
    counts = [int(x) for x in args.counts.split(",") if x]
    if args.child:
        backend, _, variant = args.child.partition("+")
        result = run_backend(
            backend,
            counts,
            args.pg,
            variant == "immediate",
            args.rate,
            args.one_at_a_time,
            args.autosaves,
        )
        Path(args.json).write_text(json.dumps(result))
        return 0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    backends = [b for b in args.backends.split(",") if b]
    if args.sqlite_immediate and "sqlite" in backends:
        backends.insert(backends.index("sqlite") + 1, "sqlite+immediate")
    for backend in backends:
        target = Path(tempfile.mkstemp(suffix=".json")[1])
        # One child per backend: a fresh process, so no settings or pools carry over.
        subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                backend,
                "--counts",
                args.counts,
                "--pg",
                args.pg,
                "--rate",
                str(args.rate),
                *(["--one-at-a-time"] if args.one_at_a_time else []),
                "--autosaves",
                str(args.autosaves),
                "--json",
                str(target),
            ],
            check=True,
        )
        show(json.loads(target.read_text()))
    return 0


def add_realistic_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--realistic", action="store_true", help="human pace (see above)")
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--ramp", type=float, default=600.0, help="seconds over which they start")
    parser.add_argument("--pace", type=float, default=1.0, help="time compression factor")
    parser.add_argument("--topologies", default="one,multi")
    parser.add_argument(
        "--redis", default=os.environ.get("HIREFLOW_TEST_REDIS", "redis://127.0.0.1:6379/8")
    )
    parser.add_argument("--faults", action="store_true", help="multi on PostgreSQL, with faults")


def realistic_main(args: argparse.Namespace) -> int:
    """Each backend x topology in a child process of its own (fresh settings and pools)."""
    import interviews_realistic
    import interviews_realistic_run

    model = interviews_realistic.Model(candidates=args.candidates, ramp=args.ramp, pace=args.pace)
    if args.child:
        backend, kind = args.child.split(":")
        out = interviews_realistic_run.run(backend, kind, model, args.pg, args.redis, args.faults)
        Path(args.json).write_text(json.dumps(out))
        return 0
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}")
    runs = (
        [("postgresql", "multi")]
        if args.faults
        else [
            (backend, kind)
            for backend in args.backends.split(",")
            for kind in args.topologies.split(",")
            if backend and kind and not (kind == "multi" and backend == "sqlite")
        ]
    )
    for backend, kind in runs:
        target = Path(tempfile.mkstemp(suffix=".json")[1])
        forwarded = [
            "--realistic", "--candidates", str(args.candidates), "--ramp", str(args.ramp),
            "--pace", str(args.pace), "--pg", args.pg, "--redis", args.redis,
            *(["--faults"] if args.faults else []),
        ]  # fmt: skip
        subprocess.run(
            [sys.executable, __file__, *forwarded, "--child", f"{backend}:{kind}", "--json",
             str(target)],
            check=True,
        )  # fmt: skip
        interviews_realistic_run.show(json.loads(target.read_text()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
