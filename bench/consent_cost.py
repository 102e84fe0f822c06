"""What the candidate's consent costs inside its request, in process: ``give_consent`` (the
service the consent endpoint calls, with its commit) for N verified candidates one after
another on a fresh installation, timed by wall clock and by the process's CPU time (less
moved by other work on a shared machine than the wall clock), with the statements it sent
(its writes listed by table). No HTTP, no page state: only what the consent itself does.

To compare two versions of the code, run the same file with ``PYTHONPATH`` pointing at each
checkout, back to back. Run: ``PYTHONPATH=$PWD .venv/bin/python bench/consent_cost.py
[--candidates 200] [--backend sqlite|postgresql] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import collections
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import interviews_world as world_module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--candidates", type=int, default=200)
    parser.add_argument("--backend", default="sqlite")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hireflow-consent-"))
    url, pg_name = world_module.fresh_database(args.backend, data_dir, args.pg, "consent")
    try:
        world = world_module.prepare(data_dir, url)
        batch = world_module.add_candidates(world, args.candidates, prefix="k")
        figures = measure(world, batch)
    finally:
        if args.backend != "sqlite":
            world.database.engine.dispose()
            world_module.drop_postgres(args.pg, pg_name)
    wall, cpu, statements, writes = figures
    import hireflow

    code = Path(hireflow.__file__).parent
    print(
        f"{args.backend}: {len(wall)} consents one after another ({code}); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    print(
        f"  wall p50 {statistics.median(wall):.2f} ms, mean {statistics.fmean(wall):.2f} ms; "
        f"CPU p50 {statistics.median(cpu):.2f} ms, mean {statistics.fmean(cpu):.2f} ms"
    )
    print(f"  statements per consent: {statements / len(wall):.1f}; writes per consent by table:")
    for table, count in sorted(writes.items()):
        print(f"    {table}: {count / len(wall):.1f}")
    return 0


def measure(world, batch) -> tuple[list[float], list[float], int, collections.Counter]:
    from sqlalchemy import event

    from hireflow.core.db import utcnow
    from hireflow.interviews import candidate, schemas, sessions
    from hireflow.scheduling.models import Invitation

    sent: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        sent.append(" ".join(statement.split()))

    engine = world.database.engine
    wall: list[float] = []
    cpu: list[float] = []
    for made in batch:
        with world.database.session() as session:
            invitation = session.get(Invitation, made.invitation_id)
            invitation.verified_at = utcnow()
            session.commit()
            interview = sessions.ensure_session(session, invitation)
            data = schemas.ConsentIn(
                tab="bench-tab",
                recording=True,
                ai_assessment=True,
                notice_version=candidate.NOTICE_VERSION,
            )
            event.listen(engine, "before_cursor_execute", record)
            started, started_cpu = time.perf_counter(), time.process_time()
            candidate.give_consent(session, interview, data)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            event.remove(engine, "before_cursor_execute", record)
    writes: collections.Counter = collections.Counter()
    for statement in sent:
        words = statement.split()
        if words[0] in ("INSERT", "UPDATE", "DELETE"):
            table = words[2] if words[0] in ("INSERT", "DELETE") else words[1]
            writes[f"{words[0]} {table}"] += 1
    return wall, cpu, len(sent), writes


if __name__ == "__main__":
    raise SystemExit(main())
