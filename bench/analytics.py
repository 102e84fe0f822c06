"""How fast the analytics dashboards answer over a large pipeline (issue 16: every dashboard
over 1,000,000 applications and 5,000,000 stage events under 1 s on PostgreSQL and under 2 s
on SQLite).

    python bench/analytics.py [--applications 200000] [--openings 50] [--repeat 5]
                              [--database-url URL]

On a fresh database (a temporary SQLite file unless ``--database-url`` names another, which
must be empty): ``--openings`` openings with ``--applications`` applications spread over them
(one encrypted candidate row copied, so rows are real but cheap to write) and each
application's walk through the default stages (a geometric number of moves, some ending in a
rejection), written in bulk. Then, as the company's HR admin, each figure's query
(``hireflow.analytics.queries``: the funnel, time in stage, score distributions) for the whole
company and for one opening, ``--repeat`` times each (the first run is printed apart: it reads
from disk). Baseline in the same run: a bare ``SELECT sum(seconds_in_stage)`` over every
stage event, the scan any dashboard reading them all must at least pay.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from typing import Any

from company import add_department, add_hr_admin, add_opening, fresh_database

WALK = ("screened", "ai_interview", "round_1", "round_2", "offer", "hired")


def _progress(done: int, total: int, what: str) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{what:12} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    sys.stderr.flush()
    if done >= total:
        sys.stderr.write("\n")


def _populate(session: Any, applications: int, openings: int) -> dict[str, Any]:
    from sqlalchemy import insert, select, text

    from hireflow.candidates.models import Application, Candidate
    from hireflow.core.db import utcnow
    from hireflow.org import service as org_service
    from hireflow.workflow.models import StageMove

    rng = random.Random(16)
    tenant = org_service.create_tenant(session, "Bench", "bench")
    dept = add_department(session, tenant.id, region="cn")
    user = add_hr_admin(session, tenant.id)
    rows = [
        add_opening(session, dept, f"Opening {n}", region="cn", job_type="technical")
        for n in range(openings)
    ]
    template = Candidate(tenant_id=tenant.id, name="Template", email="t@bench.example")
    session.add(template)
    session.commit()
    columns = dict(
        session.execute(select(Candidate.__table__).where(Candidate.id == template.id))
        .mappings()
        .one()
    )
    columns.pop("id")
    opening_ids = [o.id for o in rows]
    now = utcnow()
    chunk = 20_000
    events = 0
    for start in range(0, applications, chunk):
        size = min(chunk, applications - start)
        first = (
            session.execute(
                insert(Candidate.__table__).returning(Candidate.__table__.c.id),
                [
                    {**columns, "name": f"P{start + i}", "name_key": f"p{start + i}"}
                    for i in range(size)
                ],
            )
            .scalars()
            .all()
        )
        applied = [
            {
                "tenant_id": tenant.id,
                "candidate_id": candidate_id,
                "opening_id": rng.choice(opening_ids),
                "stage": "applied",
                "source": rng.choice(("upload", "referral", "portal")),
                "screening_status": "",
                "language": "zh",
                "timezone": "Asia/Shanghai",
                "locale_source": "",
                "created_at": now - timedelta(days=rng.randint(0, 700)),
                "updated_at": now,
            }
            for candidate_id in first
        ]
        app_ids = session.execute(
            insert(Application.__table__).returning(
                Application.__table__.c.id, Application.__table__.c.opening_id
            ),
            applied,
        ).all()
        moves = []
        for app_id, opening_id in app_ids:
            previous = "applied"
            depth = 0
            while depth < len(WALK) and rng.random() < 0.72:
                depth += 1
            path = list(WALK[:depth])
            if depth < len(WALK) and rng.random() < 0.5:
                path.append("rejected")
            for version, key in enumerate(path, start=1):
                moves.append(
                    {
                        "tenant_id": tenant.id,
                        "application_id": app_id,
                        "opening_id": opening_id,
                        "from_key": previous,
                        "to_key": key,
                        "seconds_in_stage": rng.randint(3600, 20 * 86400),
                        "version": version,
                        "moved_at": now,
                    }
                )
                previous = key
        if moves:
            session.execute(insert(StageMove.__table__), moves)
        events += len(moves)
        session.commit()
        _progress(start + size, applications, "applications")
    session.execute(text("ANALYZE"))
    session.commit()
    return {"user": user, "openings": opening_ids, "events": events}


def _time(run: Any, repeat: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    run()
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        warm.append((time.perf_counter() - started) * 1000)
    return cold, warm


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--openings", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    if args.applications < 1 or args.openings < 1 or args.repeat < 1:
        parser.error("--applications, --openings and --repeat must be at least 1")

    _root, database = fresh_database("hireflow-bench-analytics-", args.database_url)
    from sqlalchemy import func, select

    from hireflow.analytics import queries
    from hireflow.analytics.queries import Filters
    from hireflow.org.auth import principal_for
    from hireflow.workflow.models import StageMove

    started = time.perf_counter()
    with database.session() as session:
        made = _populate(session, args.applications, args.openings)
    print(
        f"data: {args.applications:,} applications over {args.openings} openings, "
        f"{made['events']:,} stage events, written in {time.perf_counter() - started:.0f} s; "
        f"{database.engine.dialect.name}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    with database.session() as session:
        hr = principal_for(made["user"])
        one = Filters(opening_id=made["openings"][0])
        checks = {
            "baseline: sum over all stage events": lambda: session.scalar(
                select(func.sum(StageMove.seconds_in_stage))
            ),
            "funnel, company": lambda: queries.funnel(session, hr, Filters()),
            "time in stage, company": lambda: queries.time_in_stage(session, hr, Filters()),
            "scores, company": lambda: queries.score_distributions(session, hr, Filters()),
            "funnel, one opening": lambda: queries.funnel(session, hr, one),
            "time in stage, one opening": lambda: queries.time_in_stage(session, hr, one),
        }
        baseline = None
        for name, run in checks.items():
            cold, warm = _time(run, args.repeat)
            median = statistics.median(warm)
            baseline = baseline or median
            print(
                f"{name:38} first {cold:8.1f} ms   median {median:8.1f} ms   "
                f"max {max(warm):8.1f} ms   ×{median / baseline:5.1f} baseline"
            )


if __name__ == "__main__":
    main()
