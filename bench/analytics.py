"""How fast the analytics dashboards answer over a large pipeline (issue 16: every dashboard
over 1,000,000 applications and 5,000,000 stage events under 1 s on PostgreSQL and under 2 s
on SQLite).

    python bench/analytics.py [--applications 1000000] [--openings 50] [--repeat 3]
                              [--backend sqlite|postgresql] [--pg-admin URL] [--keep]

On a fresh database (a temporary SQLite file, or a new PostgreSQL database created through
``--pg-admin`` and dropped afterwards unless ``--keep``): ``--openings`` openings and
``--applications`` applications (each of applications/openings candidates applies to every
opening, one encrypted candidate row copied), each walking the default stages a geometric
number of moves (continuing with probability 0.95, half of those that stop rejected: about
5.2 moves per application), written in bulk (COPY on PostgreSQL). The received dates spread
over 700 days.

Every application that reached the AI interview stage (about 90 %) also gets an AI interview
(an invitation, a session and a report with six competency scores, 0-10, written up to 30
days after the application), so the score distribution is measured over about 900,000
reports and 5.4 million scores.

Then, as the company's HR admin, each figure for the whole company, one department's half of
the openings, one opening and the last 90 days: the direct query over the stage events
(``direct=True``, the baseline, in the same run) and the rollup read, ``--repeat`` times each
after a first run (printed apart: it reads from disk). Also timed: the first build of the
rollups, the worker's refresh after 1,000 new moves, and the readers with those 1,000 moves
not yet folded in (they add them on the fly).
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
MOVE_COLUMNS = (
    "tenant_id",
    "application_id",
    "opening_id",
    "from_key",
    "to_key",
    "seconds_in_stage",
    "version",
    "moved_at",
)


def _progress(done: int, total: int, what: str) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{what:12} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    sys.stderr.flush()
    if done >= total:
        sys.stderr.write("\n")


def _write(session: Any, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows in bulk: COPY on PostgreSQL, executemany on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        raw = session.connection().connection.dbapi_connection
        with raw.cursor() as cursor:
            names = ", ".join(columns)
            with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    from sqlalchemy import insert

    session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])


def _walk(rng: random.Random) -> list[str]:
    depth = 0
    while depth < len(WALK) and rng.random() < 0.95:
        depth += 1
    path = list(WALK[:depth])
    if depth < len(WALK) and rng.random() < 0.5:
        path.append("rejected")
    return path


def _moves(tenant_id: int, app_id: int, opening_id: int, rng: random.Random, now: Any) -> list:
    found = []
    previous = "applied"
    for version, key in enumerate(_walk(rng), start=1):
        seconds = rng.randint(3600, 20 * 86400)
        found.append((tenant_id, app_id, opening_id, previous, key, seconds, version, now))
        previous = key
    return found


def _company(session: Any, openings: int) -> tuple[Any, Any, list[int], list[int]]:
    from hireflow.org import service as org_service

    tenant = org_service.create_tenant(session, "Bench", "bench")
    depts = [
        add_department(session, tenant.id, f"Sub {n}", f"Dept {n}", region="cn") for n in (1, 2)
    ]
    user = add_hr_admin(session, tenant.id)
    rows = [
        add_opening(session, depts[n % 2], f"Opening {n}", region="cn", job_type="technical")
        for n in range(openings)
    ]
    session.commit()
    return tenant, user, [o.id for o in rows], [d.id for d in depts]


def _candidates(session: Any, tenant_id: int, count: int) -> list[int]:
    from sqlalchemy import insert, select

    from hireflow.candidates.models import Candidate

    template = Candidate(tenant_id=tenant_id, name="Template", email="t@bench.example")
    session.add(template)
    session.commit()
    table = Candidate.__table__
    columns = dict(session.execute(select(table).where(table.c.id == template.id)).mappings().one())
    columns.pop("id")
    rows = [{**columns, "name": f"P{i}", "name_key": f"p{i}"} for i in range(count)]
    ids = [template.id]
    for start in range(0, len(rows), 5000):
        ids += (
            session.execute(insert(table).returning(table.c.id), rows[start : start + 5000])
            .scalars()
            .all()
        )
    session.commit()
    return ids


def _populate(session: Any, applications: int, openings: int) -> dict[str, Any]:
    from sqlalchemy import text

    from hireflow.candidates.models import Application
    from hireflow.core.db import utcnow
    from hireflow.workflow.models import StageMove

    rng = random.Random(16)
    tenant, user, opening_ids, dept_ids = _company(session, openings)
    people = _candidates(session, tenant.id, -(-applications // openings) - 1)
    now = utcnow()
    columns = (
        "id",
        "tenant_id",
        "candidate_id",
        "opening_id",
        "stage",
        "source",
        "screening_status",
        "language",
        "timezone",
        "locale_source",
        "created_at",
        "updated_at",
    )
    chunk, events, reports = 50_000, 0, 0
    interviews: list[tuple[int, int, int, Any]] = []
    for start in range(0, applications, chunk):
        apps, moves = [], []
        for app_id in range(start + 1, min(start + chunk, applications) + 1):
            person, opening_id = divmod(app_id - 1, openings)
            received = now - timedelta(days=rng.randint(0, 700), seconds=rng.randint(0, 86399))
            apps.append(
                (
                    app_id,
                    tenant.id,
                    people[person],
                    opening_ids[opening_id],
                    "applied",
                    "upload",
                    "",
                    "zh",
                    "Asia/Shanghai",
                    "",
                    received,
                    now,
                )
            )
            mine = _moves(tenant.id, app_id, opening_ids[opening_id], rng, now)
            moves += mine
            if any(m[4] == "ai_interview" for m in mine):
                written = min(now, received + timedelta(days=rng.uniform(0.2, 30)))
                interviews.append((app_id, people[person], opening_ids[opening_id], written))
        _write(session, Application.__table__, columns, apps)
        _write(session, StageMove.__table__, MOVE_COLUMNS, moves)
        reports += _interviews(session, tenant.id, interviews, rng)
        interviews.clear()
        events += len(moves)
        session.commit()
        _progress(start + len(apps), applications, "applications")
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT setval('applications_id_seq', :n)"), {"n": applications})
        for table in ("invitations", "interview_sessions", "interview_reports"):
            session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
        session.execute(text("ANALYZE"))
    else:
        session.execute(text("ANALYZE"))
    session.commit()
    return {
        "user": user,
        "tenant": tenant.id,
        "openings": opening_ids,
        "departments": dept_ids,
        "events": events,
        "reports": reports,
    }


COMPETENCIES = ("communication", "teamwork", "problem_solving", "learning", "ownership", "drive")


def _interviews(
    session: Any, tenant_id: int, found: list[tuple[int, int, int, Any]], rng: Any
) -> int:
    """An AI invitation, interview and report per (application id, candidate, opening, when)
    (ids = the application's; Core inserts, so the models' defaults fill the rest)."""
    from sqlalchemy import insert

    from hireflow.interviews.models import InterviewReport, InterviewSession
    from hireflow.scheduling.models import Invitation

    if not found:
        return 0
    common = [{"id": a, "tenant_id": tenant_id, "opening_id": o} for a, _c, o, _w in found]
    session.execute(
        insert(Invitation.__table__),
        [
            {**row, "candidate_id": c, "kind": "ai", "status": "completed", "deadline": w}
            for row, (_a, c, _o, w) in zip(common, found, strict=True)
        ],
    )
    session.execute(
        insert(InterviewSession.__table__),
        [
            {**row, "candidate_id": c, "invitation_id": a, "status": "scored", "deadline": w}
            for row, (a, c, _o, w) in zip(common, found, strict=True)
        ],
    )
    session.execute(
        insert(InterviewReport.__table__),
        [
            {
                "id": a,
                "tenant_id": tenant_id,
                "interview_id": a,
                "body": "{}",
                "sha256": "0" * 64,
                "engine_version": "bench",
                "scores": {
                    c: round(min(10.0, max(0.0, rng.gauss(6.5, 1.8))), 1) for c in COMPETENCIES
                },
                "job_match": 70.0,
                "created_at": w,
            }
            for a, _c, _o, w in found
        ],
    )
    return len(found)


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


def _database(args: argparse.Namespace) -> tuple[Any, str]:
    """A fresh database: an SQLite file, or a new PostgreSQL database (its name returned)."""
    if args.backend == "sqlite":
        return fresh_database("hireflow-bench-analytics-")[1], ""
    import psycopg

    name = f"hireflow_bench_analytics_{os.getpid()}"
    with psycopg.connect(args.pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.pg_admin.rsplit('/', 1)[0]}/{name}"
    return fresh_database("hireflow-bench-analytics-", url)[1], name


def _drop(args: argparse.Namespace, database: Any, name: str) -> None:
    if not name or args.keep:
        return
    import psycopg

    database.engine.dispose()
    with psycopg.connect(args.pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')


def _row(name: str, direct: tuple[float, list[float]], rolled: tuple[float, list[float]]) -> None:
    d, r = statistics.median(direct[1]), statistics.median(rolled[1])
    print(
        f"{name:34} direct first {direct[0]:8.1f} median {d:8.1f} ms | "
        f"rollups first {rolled[0]:7.1f} median {r:7.1f} max {max(rolled[1]):7.1f} ms | "
        f"direct/rollups ×{d / r:6.1f}"
    )


def _measure(session: Any, made: dict[str, Any], args: argparse.Namespace) -> None:
    from hireflow.analytics import queries
    from hireflow.analytics.queries import Filters
    from hireflow.core.db import utcnow
    from hireflow.org.auth import principal_for

    hr = principal_for(made["user"])
    today = utcnow().date()
    scopes = {
        "company": Filters(),
        "one department (half)": Filters(department_id=made["departments"][0]),
        "one opening": Filters(opening_id=made["openings"][0]),
        "company, last 90 days": Filters(start=today - timedelta(days=90), end=today),
    }
    figures = (
        ("funnel", queries.funnel),
        ("time in stage", queries.time_in_stage),
        ("score distribution", queries.score_distributions),
    )
    for label, figure in figures:
        for scope, filters in scopes.items():
            rolled = _time(lambda f=figure, x=filters: f(session, hr, x), args.repeat)
            direct = _time(
                lambda f=figure, x=filters: f(session, hr, x, direct=True), args.direct_repeat
            )
            same = figure(session, hr, filters) == figure(session, hr, filters, direct=True)
            _row(f"{label}, {scope}{'' if same else ' DIFFERENT'}", direct, rolled)


def _pending(session: Any, made: dict[str, Any], count: int) -> None:
    """``count`` new stage moves on random applications (not yet in the rollups)."""
    from hireflow.core.db import utcnow
    from hireflow.workflow.models import StageMove

    rng = random.Random(61)
    rows = []
    for _ in range(count):
        app_id = rng.randint(1, made["applications"])
        opening_id = made["openings"][(app_id - 1) % len(made["openings"])]
        rows.append((made["tenant"], app_id, opening_id, "offer", "round_2", 3600, 99, utcnow()))
    _write(session, StageMove.__table__, MOVE_COLUMNS, rows)
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--openings", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--direct-repeat", type=int, default=1)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL database")
    args = parser.parse_args()
    if min(args.applications, args.openings, args.repeat, args.direct_repeat) < 1:
        parser.error("--applications, --openings and the repeats must be at least 1")
    if args.applications < args.openings:
        parser.error("--applications must be at least --openings")

    database, name = _database(args)
    try:
        _run(database, args)
    finally:
        _drop(args, database, name)


def _run(database: Any, args: argparse.Namespace) -> None:
    from hireflow.analytics import rollups
    from hireflow.analytics.models import FunnelRollup, ScoreRollup, StageTimeRollup

    started = time.perf_counter()
    with database.session() as session:
        made = _populate(session, args.applications, args.openings)
    made["applications"] = args.applications
    print(
        f"data: {args.applications:,} applications over {args.openings} openings, "
        f"{made['events']:,} stage events, {made['reports']:,} AI interview reports "
        f"({made['reports'] * len(COMPETENCIES):,} scores), "
        f"written in {time.perf_counter() - started:.0f} s; "
        f"{database.engine.dialect.name}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    started = time.perf_counter()
    rollups.refresh(database)
    with database.session() as session:
        sizes = [session.query(m).count() for m in (FunnelRollup, StageTimeRollup, ScoreRollup)]
    print(
        f"rollups built from nothing in {time.perf_counter() - started:.1f} s: "
        f"{sizes[0]:,} funnel rows, {sizes[1]:,} time-in-stage rows, {sizes[2]:,} score rows"
    )
    print(f"median of {args.repeat} (rollups) / {args.direct_repeat} (direct) after a first run:")
    with database.session() as session:
        _measure(session, made, args)
        _pending(session, made, 1000)
        hr_funnel = _tail_funnel(session, made)
        rolled = _time(hr_funnel, args.repeat)
        print(
            f"funnel, company, 1,000 moves not yet folded in: median "
            f"{statistics.median(rolled[1]):.1f} ms (the reader adds them)"
        )
    started = time.perf_counter()
    done = rollups.refresh(database)
    print(
        f"worker refresh folding in {done['moves']:,} moves: "
        f"{(time.perf_counter() - started) * 1000:.0f} ms; load average {os.getloadavg()[0]:.1f}"
    )


def _tail_funnel(session: Any, made: dict[str, Any]) -> Any:
    from hireflow.analytics import queries
    from hireflow.analytics.queries import Filters
    from hireflow.org.auth import principal_for

    hr = principal_for(made["user"])
    return lambda: queries.funnel(session, hr, Filters())


if __name__ == "__main__":
    main()
