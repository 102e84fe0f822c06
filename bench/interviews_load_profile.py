"""Where a candidate request's time goes inside the server: ``hireflow serve`` under cProfile.

py-spy is not in the environment, so the server runs in-process under Python's own profiler,
in every thread (the event loop's and the thread pool's: endpoints run there), while N
candidates take the interview one after another (``interviews_load``'s flow, no worker, no
concurrency). At the end the merged profile's top functions by cumulative and own time are
printed with the conditions (load average before and after). Profiling slows every call, so
the figures are shares, not latencies.

Run: ``PYTHONPATH=$PWD .venv/bin/python bench/interviews_load_profile.py [--candidates 20]
[--autosaves 3] [--backend sqlite] [--top 40] [--steps [--depth 3] [--share 0.04]]``
(``--steps``: per step of the flow, what its endpoint's time was spent calling).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))

import interviews_world as world_module
from interviews_load import Recorder, candidate_flow, figures

# Started as the server: profile every thread, write the stats when uvicorn exits.
SERVER = """
import cProfile, sys, threading
profiles = []
def _start(*_args):
    profile = cProfile.Profile()
    profiles.append(profile)
    profile.enable()
threading.setprofile(_start)
main = cProfile.Profile()
profiles.append(main)
out, port = sys.argv[1], sys.argv[2]
sys.argv = ["hireflow", "serve", "--port", port, "--no-embedded-worker"]
from hireflow.cli import main as cli_main
main.enable()
try:
    cli_main()
except BaseException:  # the CLI's exit, or the interrupt uvicorn raises again on shutdown
    pass
finally:
    import pstats
    merged = None
    for profile in profiles:
        profile.create_stats()
        if not profile.stats:
            continue  # a thread that ran nothing
        if merged is None:
            merged = pstats.Stats(profile)
        else:
            merged.add(profile)
    merged.dump_stats(out)
"""


async def run_candidates(base_url: str, batch, autosaves: int) -> Recorder:
    import httpx

    recorder = Recorder()
    async with httpx.AsyncClient(base_url=base_url, timeout=httpx.Timeout(120.0)) as client:
        for cand in batch:
            await candidate_flow(client, recorder, cand.token, cand.id_last4, autosaves=autosaves)
    return recorder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--autosaves", type=int, default=3)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--only",
        default="",
        help="print only functions whose file path matches this expression (e.g. hireflow/)",
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="per step: what its endpoint called (instead of the top functions)",
    )
    parser.add_argument("--depth", type=int, default=3, help="with --steps: levels shown")
    parser.add_argument(
        "--share", type=float, default=0.04, help="with --steps: callees under this share left out"
    )
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireflow-profile-"))
    database_url, pg_name = world_module.fresh_database(args.backend, data_dir, args.pg, "profile")
    world = world_module.prepare(data_dir, database_url)
    batch = world_module.add_candidates(world, args.candidates, prefix="p")
    port = world_module.free_port()
    (data_dir / "profiled_server.py").write_text(SERVER)
    stats_file = data_dir / "server.prof"
    load_before = os.getloadavg()[0]
    server = subprocess.Popen(
        [sys.executable, str(data_dir / "profiled_server.py"), str(stats_file), str(port)],
        env=world_module.environment(data_dir, database_url),
        cwd=world_module.ROOT,
        stdout=(data_dir / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        world_module.wait_healthy(
            f"http://127.0.0.1:{port}", server, data_dir / "server.log", timeout=300
        )
        started = time.perf_counter()
        recorder = asyncio.run(run_candidates(f"http://127.0.0.1:{port}", batch, args.autosaves))
        wall = time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)
        if args.backend != "sqlite":
            world.database.engine.dispose()
            world_module.drop_postgres(args.pg, pg_name)
    out = figures(recorder, wall)
    print(
        f"{args.backend}: {args.candidates} candidates one at a time under the profiler, "
        f"{out['requests']} requests, errors {out['errors'] or 0}; load average before "
        f"{load_before:.2f}, after {os.getloadavg()[0]:.2f}"
    )
    import pstats

    stats = pstats.Stats(str(stats_file))
    if args.steps:  # before the paths are stripped: the steps are found by theirs
        print_steps(stats, args.depth, args.share)
        return 0
    restrictions = [args.only, args.top] if args.only else [args.top]
    if not args.only:
        stats.strip_dirs()
    stats.sort_stats("cumulative").print_stats(*restrictions)
    stats.sort_stats("tottime").print_stats(*restrictions)
    return 0


# The endpoint function of each step of ``interviews_load``'s candidate flow (its module, name).
STEPS = (
    ("open", "scheduling/routes_api.py", "link_info"),
    ("verify", "scheduling/routes_api.py", "link_verify"),
    ("load", "interviews/routes_api.py", "link_interview"),
    ("consent", "interviews/routes_api.py", "link_consent"),
    ("question", "interviews/routes_api.py", "link_open"),
    ("autosave, answer", "interviews/routes_api.py", "link_text"),
    ("submit", "interviews/routes_api.py", "link_submit"),
)


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    short = path.split("/site-packages/")[-1].split("/hireflow/")[-1]
    return f"{short}:{line} {name}"


def _walk(stats, node, total: float, level: int, depth: int, share: float, seen) -> None:
    """``node``'s callees by the time spent in them from there, largest first."""
    callees = stats.all_callees.get(node, {})
    ranked = sorted(callees.items(), key=lambda item: -item[1][3])
    for callee, (_cc, n, own, inclusive) in ranked:
        if inclusive < share * total or callee in seen:
            continue
        print(
            f"{'  ' * level}{100 * inclusive / total:5.1f} %  own {100 * own / total:4.1f}"
            f" %  n={n:<6} {_where(callee)}"
        )
        if level < depth:
            _walk(stats, callee, total, level + 1, depth, share, seen | {callee})


def print_steps(stats, depth: int, share: float) -> None:
    """Per step: its endpoint's calls and time, then what it called (time spent in each
    callee when called from there, inclusive), ``depth`` levels down, callees under ``share``
    of the endpoint's time left out. cProfile keeps one edge per caller/callee pair, so below
    the first level a callee's time is what it spent under that caller from anywhere."""
    stats.calc_callees()
    for step, module, name in STEPS:
        found = [f for f in stats.stats if f[2] == name and f[0].endswith(module)]
        if not found:
            print(f"\n{step}: {name} not called")
            continue
        func = found[0]
        calls, total = stats.stats[func][1], stats.stats[func][3]
        per_call = 1000 * total / max(1, calls)
        print(f"\n{step}: {name}, {calls} calls, {total:.3f} s ({per_call:.2f} ms/call)")
        _walk(stats, func, total, 1, depth, share, frozenset({func}))


if __name__ == "__main__":
    raise SystemExit(main())
