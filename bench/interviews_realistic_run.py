"""One realistic run (``bench/interviews_load.py --realistic``): installation, processes,
candidates, faults, and the checks afterwards. See ``interviews_realistic`` for the model and
``interviews_topology`` for the processes."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import interviews_realistic as realistic
import interviews_topology as topo_module
import interviews_world as world_module
from company import BENCH_PASSWORD, add_hr_admin


@dataclass
class Faults:
    """What the fault schedule did, and what it needs to check afterwards."""

    events: list[str] = field(default_factory=list)
    invited_emails: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def note(self, text: str) -> None:
        self.events.append(f"t+{time.monotonic() - self.started:.0f}s {text}")


def add_applicants(world: Any, count: int, prefix: str) -> list[tuple[int, str]]:
    """``count`` candidates who applied to the opening, not invited yet: (id, e-mail)."""
    with world.database.session() as session:
        rows = [world_module.applicant(world, f"{prefix}-{i}") for i in range(count)]
        session.add_all(rows)
        session.commit()
        return [(row.id, row.email.lower()) for row in rows]


async def invite(pool: realistic.Pool, world: Any, applicants, token: str, faults: Faults) -> None:
    """HR invites applicants to the AI interview through the API (202: the worker sends)."""
    response = await pool.call(
        "hr_invite",
        "POST",
        "/api/v1/invitations",
        headers={"Authorization": f"Bearer {token}"},
        json={
            "opening_id": world.opening_id,
            "candidate_ids": [cid for cid, _ in applicants],
            "kind": "ai",
            "request_key": f"bench-{applicants[0][0]}",
        },
    )
    faults.invited_emails.extend(email for _, email in applicants)
    faults.note(f"{len(applicants)} AI invitations sent by HR (batch {response.json()['id']})")


async def fault_plan(pool, model, topology, redis, pg, world, faults: Faults) -> None:
    """Kill a web process, kill a worker mid-task, restart the bench's Redis and PostgreSQL,
    at fixed shares of the run, each while candidates are answering."""
    total = model.expected_seconds()
    token = (
        await pool.call(
            "hr_login",
            "POST",
            "/api/v1/auth/token",
            json={"email": "hr@bench.example", "password": BENCH_PASSWORD},
        )
    ).json()["token"]
    first, second = add_applicants(world, 100, "inv-a"), add_applicants(world, 100, "inv-b")

    async def at(share: float) -> None:
        await asyncio.sleep(max(0.0, faults.started + share * total - time.monotonic()))

    await at(0.2)
    web = topology.webs[0]
    await asyncio.to_thread(web.kill)
    faults.note(f"{web.name} killed (SIGKILL)")
    await asyncio.sleep(5)
    await asyncio.to_thread(web.start)
    faults.note(f"{web.name} restarted and healthy")

    await at(0.3)
    await invite(pool, world, first, token, faults)
    await _kill_busy_worker(topology, faults)

    await at(0.5)
    await invite(pool, world, second, token, faults)
    await at(0.52)
    if redis is not None:
        await asyncio.to_thread(redis.restart)
        faults.note("bench's Redis killed (SIGKILL, nothing persisted) and started again")

    await at(0.7)
    if pg is not None:
        await asyncio.to_thread(pg.restart)
        faults.note("bench's PostgreSQL instance restarted (pg_ctl -m fast restart)")
    else:
        faults.note("PostgreSQL not restarted (no private instance here)")


async def _kill_busy_worker(topology, faults: Faults, patience: float = 60.0) -> None:
    deadline = time.monotonic() + patience
    while time.monotonic() < deadline:
        worker = topo_module.busy_worker(topology)
        if worker is not None:
            task = topo_module.last_task_name(worker)
            await asyncio.to_thread(worker.kill)
            faults.note(f"{worker.name} killed (SIGKILL) while running {task}")
            await asyncio.sleep(3)
            await asyncio.to_thread(worker.start)
            faults.note(f"{worker.name} restarted")
            return
        await asyncio.sleep(0.05)
    faults.note("no worker was mid-task within a minute; none killed")


async def drive(
    model, urls, batch, database, grace, topology=None, redis=None, pg=None, world=None
):
    rec = realistic.Recorder()
    pool = realistic.Pool(urls, rec, connections=max(50, model.candidates))
    faults = Faults()
    rng = random.Random(model.seed)
    sampler = asyncio.create_task(realistic.sample_load(rec))
    watcher = asyncio.create_task(realistic.watch_reports(database, rec))
    extra = []
    if topology is not None:
        extra.append(
            asyncio.create_task(fault_plan(pool, model, topology, redis, pg, world, faults))
        )
    started = time.monotonic()
    await asyncio.gather(
        *(realistic.candidate(pool, model, c, random.Random(rng.random())) for c in batch)
    )
    wall = time.monotonic() - started
    for task in extra:
        await task  # the schedule finishes its last step even if candidates were quicker
    watcher.cancel()
    waited = await realistic.wait_for_reports(database, rec, grace)
    sampler.cancel()
    await pool.close()
    return rec, wall, waited, faults


def run(
    backend: str,
    kind: str,
    model: realistic.Model,
    pg_admin: str,
    redis_url: str,
    with_faults: bool,
) -> dict[str, Any]:
    """One run in this (child) process; returns its figures."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"hireflow-real-{backend}-"))
    ports = topo_module.port_range()
    redis = pg = sink = None
    notes: list[str] = []
    try:
        redis, pg, redis_url, pg_admin = _services(
            backend, kind, with_faults, ports, data_dir, redis_url, pg_admin, notes
        )
        database_url = (
            f"sqlite:///{data_dir / 'hireflow.db'}"
            if backend == "sqlite"
            else world_module.fresh_postgres(pg_admin, f"hireflow_real_{os.getpid()}")
        )
        world = world_module.prepare(data_dir, database_url)
        if with_faults:
            with world.database.session() as session:
                add_hr_admin(session, world.tenant_id)
                session.commit()
        batch = world_module.add_candidates(world, model.candidates, prefix="r")
        env = world_module.environment(data_dir, database_url)
        if kind == "multi":
            env["HIREFLOW_BROKER_URL"] = redis_url
        if with_faults:
            sink = topo_module.SmtpSink(ports[12]).__enter__()
            env.update({"HIREFLOW_SMTP_HOST": "127.0.0.1", "HIREFLOW_SMTP_PORT": str(ports[12])})
        topology = topo_module.build(kind, env, data_dir, ports)
        topology.start()
        time.sleep(3)
        load_before = os.getloadavg()
        rec, wall, waited, faults = asyncio.run(
            drive(
                model,
                topology.urls,
                batch,
                world.database,
                480 if with_faults else 180,
                *((topology, redis, pg, world) if with_faults else ()),
            )
        )
        out = _figures(world, rec, wall, batch, topology)
        out.update(
            backend=backend,
            topology=topology.describe(),
            conditions=model.describe(),
            broker=redis_url if kind == "multi" else "embedded SQLite broker",
            database="SQLite file" if backend == "sqlite" else pg_admin.rsplit("/", 1)[0],
            load_before=[round(x, 2) for x in load_before],
            waited_for_reports_s=waited,
            notes=notes,
            faults=faults.events,
            logs=str(data_dir),
        )
        if with_faults:
            out["messages"] = _messages(sink, faults.invited_emails)
        return out
    finally:
        if sink is not None:
            sink.__exit__()
        if "topology" in locals():
            topology.stop()
        for owned in (redis, pg):
            if owned is not None:
                owned.stop()


def _services(backend, kind, with_faults, ports, data_dir, redis_url, pg_admin, notes):
    """The Redis and PostgreSQL of the bench's own that this run needs (``None`` for those it
    does not); returns them with the broker and admin URLs to use."""
    redis = pg = None
    if with_faults:
        redis = topo_module.PrivateRedis(ports[10], data_dir)
        redis_url = redis.start()
    elif kind == "multi":
        _flush(redis_url)
    if backend == "postgresql":
        # An instance of the bench's own: nothing else on the machine touches its
        # database (a shared cluster's databases may be migrated by other work), and the
        # fault run may restart it.
        pg = topo_module.PrivatePostgres.create(
            ports[11], Path(tempfile.mkdtemp(prefix="hireflow-real-pg-"))
        )
        if pg is None:
            notes.append("no private PostgreSQL instance: the machine's cluster, not restarted")
        else:
            pg_admin = pg.admin_url
    return redis, pg, redis_url, pg_admin


def _flush(redis_url: str) -> None:
    """Empty the run's own Redis database (queues left from an earlier run)."""
    import redis as redis_client

    redis_client.Redis.from_url(redis_url).flushdb()


def _figures(world, rec, wall, batch, topology) -> dict[str, Any]:
    checks = realistic.integrity(world.database, rec, [c.invitation_id for c in batch])
    latency = list(rec.report_after.values())
    requested, hits = realistic.cache_hit_rate(topology.worker_logs)
    everything = [v for values in rec.latencies.values() for v in values]
    return {
        "wall_s": round(wall, 1),
        "requests": len(everything),
        "rps": round(len(everything) / wall, 1) if wall else 0.0,
        "errors": dict(rec.errors),
        "accepted_409": rec.accepted_409,
        "completed": rec.completed,
        "gave_up": rec.gave_up,
        "gave_up_why": dict(rec.gave_up_why),
        "peak": rec.peak,
        "reloads": rec.reloads,
        "drops": rec.drops,
        "steps": realistic.step_figures(rec),
        "all_p95_ms": round(realistic.pct(everything, 95) * 1000, 1),
        "reports_seen": len(rec.report_after),
        "report_p50_s": round(realistic.pct(latency, 50), 2),
        "report_p95_s": round(realistic.pct(latency, 95), 2),
        "report_max_s": round(max(latency), 2) if latency else 0.0,
        "checks": checks,
        "cache": {"requested": requested, "hits": hits},
        "load": {
            "min": round(min(rec.load_samples), 2),
            "mean": round(statistics.fmean(rec.load_samples), 2),
            "max": round(max(rec.load_samples), 2),
        },
    }


def _messages(sink, invited: list[str], settle: float = 45.0) -> dict[str, Any]:
    """Every invited candidate's e-mail arrived exactly once: wait until all arrived (or
    four minutes), then a while longer for any second copy (delivery retries every 30 s)."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and any(sink.received[e] == 0 for e in invited):
        time.sleep(2)
    time.sleep(settle)
    counts = [sink.received[e] for e in invited]
    return {
        "invited": len(invited),
        "received_once": sum(1 for c in counts if c == 1),
        "missing": sum(1 for c in counts if c == 0),
        "doubled": sum(1 for c in counts if c > 1),
        "other_recipients": sum(v for k, v in sink.received.items() if k not in set(invited)),
    }


def show(out: dict[str, Any]) -> None:
    """Print one run's figures with their conditions."""
    print(f"\n== realistic: {out['backend']}, {out['topology']} ==")
    print(
        f"   conditions: {out['conditions']}; broker {out['broker'].split('@')[-1]}; "
        f"database {out['database'].split('@')[-1]}"
    )
    load = out["load"]
    print(
        f"   load average (1 min) during the run: min {load['min']}, mean {load['mean']}, "
        f"max {load['max']} (before: {out['load_before']})"
    )
    errors = sum(out["errors"].values())
    print(
        f"   {out['requests']} requests in {out['wall_s']} s ({out['rps']} req/s), peak "
        f"{out['peak']} interviews at once; {out['completed']} completed, {out['gave_up']} gave "
        f"up; errors {errors} {out['errors'] or ''}; 409 accepted on retry {out['accepted_409']}; "
        f"reloads {out['reloads']}, dropped connections {out['drops']}; all requests p95 "
        f"{out['all_p95_ms']} ms"
    )
    for step, v in out["steps"].items():
        print(
            f"     {step:<9} n={v['n']:>6}  p50 {v['p50_ms']:>8} ms  p95 {v['p95_ms']:>8} ms  "
            f"max {v['max_ms']:>9} ms"
        )
    c = out["checks"]
    print(
        f"   report there after submission (polled every 1 s, {out['reports_seen']} seen): p50 "
        f"{out['report_p50_s']} s, p95 {out['report_p95_s']} s, max {out['report_max_s']} s "
        f"(waited {out['waited_for_reports_s']} s after the last candidate)"
    )
    print(
        f"   nothing lost: {c['interviews']} interviews, {c['submitted']} submitted, "
        f"{c['reports']} reports ({c['submitted_without_report']} submitted without a report, "
        f"{c['more_than_one_report']} with more than one); answers stored intact "
        f"{c['answers_stored_intact']}/{c['answers_sent']}"
    )
    cache = out["cache"]
    rate = cache["hits"] / cache["requested"] if cache["requested"] else 0.0
    print(
        f"   embedder cache in the scoring processes: {cache['hits']} of {cache['requested']} "
        f"texts found ({rate:.1%})"
    )
    for event in out["faults"]:
        print(f"   fault: {event}")
    if "messages" in out:
        m = out["messages"]
        print(
            f"   invitation e-mails: {m['invited']} invited, {m['received_once']} received "
            f"exactly once, {m['missing']} missing, {m['doubled']} doubled "
            f"(other recipients: {m['other_recipients']})"
        )
    for why, count in out["gave_up_why"].items():
        print(f"   gave up ({count}): {why}")
    for note in out["notes"]:
        print(f"   note: {note}")
    print(f"   logs: {out['logs']}")
