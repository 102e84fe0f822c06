"""How fast the analytics dashboards answer over a large pipeline (issue 16: every dashboard
over 1,000,000 applications and 5,000,000 stage events under 1 s on PostgreSQL and under 2 s
on SQLite).

Two steps, so the data is written once and measured as often as needed:

    python bench/analytics.py populate [--applications 1000000] [--openings 50]
                                       [--backend sqlite|postgresql] [--pg-admin URL]
    python bench/analytics.py measure --url URL [--repeat 2] [--give-up 60] [--direct]
    python bench/analytics.py copy --url SQLITE_URL [--pg-admin URL]
    python bench/analytics.py rebuild --url URL   # migrate to head, rebuild the rollups (timed)
    python bench/analytics.py split --url URL   # validity: reading vs statistics per scope
    python bench/analytics.py forget --url URL   # validity: drop every kept result and answer
    python bench/analytics.py drop --url URL   # a PostgreSQL database made by populate or copy

``populate`` (``--only pipeline``, ``flow`` or ``review``: only those rollups built, as
``rebuild``) makes a fresh database (an SQLite file under a new temporary directory, or a new
PostgreSQL database created through ``--pg-admin``), writes the generated company of
``bench/analytics_data.py`` in bulk (COPY on PostgreSQL), builds the rollups from nothing
(timed) and prints the URL to measure.

``copy`` writes the source tables of a populated SQLite database into a new PostgreSQL
database as they are (COPY, no generation: the same data on both), then builds the rollups
there (timed) and prints the URL to measure.

``rebuild`` brings a database populated by an earlier version up to the current schema and
rebuilds every rollup from the source tables (what ``hireflow analytics-rollups --rebuild``
does), timed; ``--only pipeline``, ``flow``, ``review`` or ``hired`` rebuilds only those
rollups (``review``: the AI accuracy review's and predictive validity's, with the rows per
hired person; ``hired``: those rows alone).

``measure`` times, as the company's HR admin, every dashboard figure (the ten charts of
``/analytics``, the AI accuracy review, predictive validity) over each scope: one opening, one
department (half of the openings, its subsidiary's only one), the whole company, the last 30
and 90 days and a custom period with ragged month ends. *cold*: the figure's first call for
that scope in this process (the database's own cache and the OS page cache are not dropped:
other figures have read some of the same pages); *warm*: the median of ``--repeat`` further
calls (predictive validity's warm calls read the data again but take the bootstrap's result
remembered for the same data, ``validity_cache``; its cold call reads the result the worker
kept in the database for the data, ``validity_ready``, or computes it when none is kept: the
worker's run before measuring keeps the standing scopes' results and those of the scopes
asked for in an earlier ``measure``, so a first ``measure`` computes the periods' results on
its cold calls and a second one reads them; after the figures, one employee's probation
result is changed and the company's first request, the worker's run and the request after it
are timed). Scopes run
smallest first; once a figure's cold call exceeds ``--give-up`` seconds the larger scopes of
that figure are skipped (printed as such). The page total is the sum of the
ten charts, which the dashboard page builds one after another. Then the worker's refresh after
1,000 new stage moves, and the funnel with them not yet folded in; likewise completion and
source/channel with 1,000 invitations opened in place (their interviews submitted) not yet
folded into the flow rollups, and the worker's run that folds them in. ``--direct`` also times
the funnel, time in stage, pass rates, score distribution, end-to-end time, completion, source
and channel, the top ten, the AI accuracy review and predictive validity (those of ``--only``,
by chart key) straight from the source tables (the baseline of the rollups' ratio), and checks
each equals the rollups' answer. Then, after the 1,000 new moves, the worker's refresh of the
review rollups (the application days those moves touched).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from typing import Any

from analytics_data import COMPETENCIES, MOVE_COLUMNS, populate, write
from company import fresh_database

TARGET_MS = {"postgresql": 1000.0, "sqlite": 2000.0}


def _conditions(database: Any) -> str:
    return (
        f"{database.engine.dialect.name}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs shared with other people's work, load average "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def _open(url: str) -> Any:
    import tempfile

    os.environ.setdefault("HIREFLOW_DATA_DIR", tempfile.mkdtemp(prefix="hireflow-bench-data-"))
    os.environ.setdefault("HIREFLOW_LOG_LEVEL", "WARNING")
    import hireflow.models  # noqa: F401
    from hireflow.core.db import Database, make_engine, set_database

    database = Database(make_engine(url))
    set_database(database)
    return database


def _populate(args: argparse.Namespace) -> None:
    from hireflow.analytics import rollups

    url = ""
    if args.backend == "postgresql":
        import psycopg

        name = f"hireflow_bench_analytics_{args.name or os.getpid()}"
        with psycopg.connect(args.pg_admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = f"{args.pg_admin.rsplit('/', 1)[0]}/{name}"
    root, database = fresh_database("hireflow-bench-analytics-", url)
    url = url or f"sqlite:///{root / 'bench.db'}"
    started = time.perf_counter()
    with database.session() as session:
        made = populate(session, args.applications, args.openings)
    print(
        f"data: {args.applications:,} applications over {args.openings} openings, "
        f"{made['events']:,} stage events, {made['reports']:,} AI interview reports "
        f"({made['reports'] * len(COMPETENCIES):,} scores), {made['scorecards']:,} scorecards, "
        f"{made['offers']:,} offers, {made['employees']:,} employees; "
        f"written in {time.perf_counter() - started:.0f} s; {_conditions(database)}"
    )
    _build_rollups(database, args.only, rollups.refresh)
    print(f"measure with: --url {url}")


def _build_rollups(database: Any, only: list[str] | None, pipeline: Any) -> None:
    """The rollups of ``only`` (None: all) built from nothing, each timed; ``pipeline``: how
    the pipeline rollups are built (``rollups.refresh`` or ``rollups.rebuild``)."""
    if not only or "pipeline" in only:
        started = time.perf_counter()
        pipeline(database)
        _built(database, started)
    if not only or "flow" in only:
        _built_flow(database)
    if not only or "review" in only:
        _review_built(database)
    if not only or "review" in only or "hired" in only:
        _hired_built(database)


def _built(database: Any, started: float) -> None:
    from hireflow.analytics.models import FunnelRollup, PassRollup, ScoreRollup, StageTimeRollup

    models = {
        "funnel": FunnelRollup,
        "time-in-stage": StageTimeRollup,
        "pass-rate": PassRollup,
        "score": ScoreRollup,
    }
    with database.session() as session:
        sizes = [f"{session.query(m).count():,} {name}" for name, m in models.items()]
    print(
        f"rollups built from nothing in {time.perf_counter() - started:.1f} s "
        f"({', '.join(sizes)} rows); {_conditions(database)}"
    )


def _rebuild(args: argparse.Namespace) -> None:
    """``--only pipeline``, ``flow``, ``review`` or ``hired``: only those rollups (the others
    kept)."""
    from hireflow.analytics import rollups
    from hireflow.core.migrate import upgrade

    started = time.perf_counter()
    upgrade(args.url)
    database = _open(args.url)
    print(f"migrated in {time.perf_counter() - started:.1f} s; {_conditions(database)}")
    _build_rollups(database, args.only, rollups.rebuild)


def _review_built(database: Any) -> None:
    """Build the AI accuracy review's and predictive validity's rollups (timed)."""
    from hireflow.analytics import rollups_review
    from hireflow.analytics.models import ReviewRollup

    started = time.perf_counter()
    rollups_review.rebuild(database)
    with database.session() as session:
        size = session.query(ReviewRollup).count()
    print(
        f"review rollups built from nothing in {time.perf_counter() - started:.1f} s "
        f"({size:,} rows); {_conditions(database)}"
    )


def _hired_built(database: Any) -> None:
    """Build predictive validity's rows per hired person (timed)."""
    from hireflow.analytics import rollups_hired

    started = time.perf_counter()
    done = rollups_hired.rebuild(database)
    print(
        f"hired people's rows built from nothing in {time.perf_counter() - started:.1f} s "
        f"({done['employees']:,} employees, {done['rows']:,} rows); {_conditions(database)}"
    )


def _built_flow(database: Any) -> None:
    from hireflow.analytics import rollups_flow, top_scores
    from hireflow.analytics.models import FlowRollup

    started = time.perf_counter()
    done = rollups_flow.rebuild(database)
    with database.session() as session:
        sums = session.query(FlowRollup).count()
    print(
        f"flow rollups built from nothing in {time.perf_counter() - started:.1f} s "
        f"({done['sources']:,} source rows, {done['facts']:,} facts, {sums:,} month rows); "
        f"{_conditions(database)}"
    )
    started = time.perf_counter()
    scores = top_scores.refresh(database, rebuild=True)
    print(
        f"top scores built from nothing in {time.perf_counter() - started:.1f} s "
        f"({scores:,} rows); {_conditions(database)}"
    )


def _copy(args: argparse.Namespace) -> None:
    """The SQLite database's source tables, row for row, into a new PostgreSQL database."""
    import sqlite3

    import psycopg

    from hireflow.analytics import rollups
    from hireflow.core.db import Base

    name = f"hireflow_bench_analytics_{os.getpid()}"
    with psycopg.connect(args.pg_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{args.pg_admin.rsplit('/', 1)[0]}/{name}"
    _root, database = fresh_database("hireflow-bench-analytics-", url)
    # a long wait: the populating process may still hold its write lock while building rollups
    source = sqlite3.connect(args.url.removeprefix("sqlite:///"), timeout=1800)
    started = time.perf_counter()
    with psycopg.connect(url) as target:
        target.execute("SET TIME ZONE 'UTC'")  # SQLite holds UTC times without a zone
        for table in Base.metadata.sorted_tables:
            if table.name.startswith("analytics_") or not _copyable(source, target, table):
                continue
            names = [c.name for c in table.columns]
            rows = source.execute(f"SELECT {', '.join(names)} FROM {table.name}")
            statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
            with target.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            if "id" in table.c and table.c.id.autoincrement:
                target.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"(SELECT max(id) FROM {table.name}))"
                )
        target.execute("ANALYZE")
    print(f"copied in {time.perf_counter() - started:.0f} s; {_conditions(database)}")
    started = time.perf_counter()
    rollups.refresh(database)
    print(
        f"rollups built from nothing in {time.perf_counter() - started:.1f} s; "
        f"{_conditions(database)}"
    )
    _built_flow(database)
    _review_built(database)
    _hired_built(database)
    print(f"measure with: --url {url}")


def _copyable(source: Any, target: Any, table: Any) -> bool:
    """Rows in SQLite and none yet in PostgreSQL (the migrations may have seeded some)."""
    if source.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone() is None:
        return False
    return target.execute(f"SELECT 1 FROM {table.name} LIMIT 1").fetchone() is None


def _time(run: Any, repeat: int) -> tuple[float, float | None]:
    started = time.perf_counter()
    run()
    cold = (time.perf_counter() - started) * 1000
    warm = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        warm.append((time.perf_counter() - started) * 1000)
    return cold, (statistics.median(warm) if warm else None)


def _scopes(session: Any, made: dict[str, Any]) -> dict[str, Any]:
    from hireflow.analytics.queries import Filters

    today = made["today"]
    custom_start = date(today.year - 1, 3, 17)
    return {
        "one opening": Filters(opening_id=made["openings"][0]),
        "last 30 days": Filters(start=today - timedelta(days=30), end=today),
        "last 90 days": Filters(start=today - timedelta(days=90), end=today),
        f"custom {custom_start}..+200 d": Filters(
            start=custom_start, end=custom_start + timedelta(days=200)
        ),
        "one department (half)": Filters(department_id=made["departments"][0]),
        "company": Filters(),
    }


def _figures(session: Any, hr: Any) -> dict[str, Any]:
    from hireflow.analytics import tables, validity

    def chart(key: str) -> Any:
        return lambda f: tables.table(key, session, hr, f, str)

    found = {key: chart(key) for key in tables.CHARTS}
    found["AI accuracy review"] = lambda f: tables.accuracy_tables(session, hr, f, str)
    found["predictive validity"] = lambda f: validity.analyse(
        session, hr, validity.Scope(f), made_today()
    )
    return found


def made_today() -> date:
    from hireflow.core.db import utcnow

    return utcnow().date()


def _made(session: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from hireflow.candidates.models import Application
    from hireflow.openings.models import Opening
    from hireflow.org.models import Department, Tenant, User

    tenant = session.scalars(select(Tenant).where(Tenant.slug == "bench")).one()
    return {
        "tenant": tenant.id,
        "user": session.scalars(select(User).where(User.tenant_id == tenant.id)).first(),
        "openings": list(session.scalars(select(Opening.id).order_by(Opening.id))),
        "departments": list(session.scalars(select(Department.id).order_by(Department.id))),
        "applications": session.query(Application).count(),
        "today": made_today(),
    }


def _measure(args: argparse.Namespace) -> None:
    from hireflow.org.auth import principal_for

    database = _open(args.url)
    dialect = database.engine.dialect.name
    target = TARGET_MS[dialect]
    print(f"measuring {args.url.split('@')[-1]}; {_conditions(database)}")
    _worker_run(database)
    if not args.only or "predictive validity" in args.only:
        _validity_worker_run(database)
    print(f"cold: first call in this process; warm: median of {args.repeat} more; target "
          f"{target:,.0f} ms")  # fmt: skip
    print(f"{'figure':24} {'scope':28} {'cold ms':>9} {'warm ms':>9}  meets target")
    totals: dict[str, list[Any]] = {}
    with database.session() as session:
        made = _made(session)
        hr = principal_for(made["user"])
        scopes = _scopes(session, made)
        for label, figure in _figures(session, hr).items():
            if args.only and label not in args.only:
                continue
            skip = False
            for scope, filters in scopes.items():
                if skip:
                    print(f"{label:24} {scope:28} {'skipped':>9}")
                    continue
                cold, warm = _time(lambda fig=figure, x=filters: fig(x), args.repeat)
                slowest = max(cold, warm or 0)
                verdict = "yes" if slowest < target else "NO"
                print(f"{label:24} {scope:28} {cold:9.0f} {_ms(warm):>9}  {verdict}", flush=True)
                if label in _charts():
                    totals.setdefault(scope, [0.0, 0.0, 0])
                    totals[scope][0] += cold
                    totals[scope][1] += warm or cold
                    totals[scope][2] += 1
                skip = cold > args.give_up * 1000
        for scope, (cold, warm, measured) in totals.items():
            verdict = "yes" if max(cold, warm) < target else "NO"
            if measured < len(_charts()):  # the skipped charts are not in the sum
                verdict = f"a lower bound: {len(_charts()) - measured} charts not run"
            print(f"{'page (ten charts)':24} {scope:28} {cold:9.0f} {warm:9.0f}  {verdict}")
        if args.direct:
            _direct(session, hr, scopes, args.only, args.give_up)
        if not args.only or "predictive validity" in args.only:
            _validity_after_change(session, database, hr)
        _flow_pending(session, database, made, hr, args.repeat)
        _pending(session, made, 1000)
        pipeline = _pipeline_built(session)
        if pipeline:
            cold, warm = _time(lambda: _funnel(session, hr), args.repeat)
            print(f"funnel, company, 1,000 moves not yet folded in: cold {cold:.0f} ms, warm "
                  f"{_ms(warm)} ms")  # fmt: skip
    _refreshed(database, pipeline)


def _pipeline_built(session: Any) -> bool:
    from hireflow.analytics import rollups

    return rollups.built_cut(session) is not None


def _refreshed(database: Any, pipeline: bool) -> None:
    """The worker's runs after the 1,000 new moves (the pipeline rollups' only if built: a
    first run would build them from nothing)."""
    from hireflow.analytics import rollups, rollups_review

    if pipeline:
        started = time.perf_counter()
        done = rollups.refresh(database)
        print(
            f"worker refresh folding in {done['moves']:,} moves: "
            f"{(time.perf_counter() - started) * 1000:.0f} ms; {_conditions(database)}"
        )
    if _review_state(database):
        started = time.perf_counter()
        done = rollups_review.refresh(database)
        print(
            f"worker refresh of the review rollups after those moves ({done['days']:,} "
            f"application days of {done['openings']} openings recomputed): "
            f"{(time.perf_counter() - started) * 1000:.0f} ms; {_conditions(database)}"
        )


def _review_state(database: Any) -> bool:
    from hireflow.analytics import rollups_review

    with database.session() as session:
        return rollups_review.built(session)


def _flow_pending(session: Any, database: Any, made: dict[str, Any], hr: Any, repeat: int) -> None:
    """1,000 AI invitations opened in place (and their interviews submitted) not yet folded
    in: completion and source/channel for the company, then the worker's run."""
    from sqlalchemy import select, update

    from hireflow.analytics import figures, rollups_flow
    from hireflow.analytics.queries import Filters
    from hireflow.core.db import utcnow
    from hireflow.interviews.models import InterviewSession
    from hireflow.scheduling.models import Invitation

    if rollups_flow.built(session) is None:
        return
    unopened = select(Invitation.id).where(Invitation.opened_at.is_(None)).limit(1000)
    ids = list(session.scalars(unopened))
    session.execute(update(Invitation).where(Invitation.id.in_(ids)).values(opened_at=utcnow()))
    session.execute(
        update(InterviewSession)
        .where(InterviewSession.invitation_id.in_(ids))
        .values(started_at=utcnow(), submitted_at=utcnow())
    )
    session.commit()
    for label, figure in (
        ("completion", figures.completion),
        ("source and channel", figures.source_and_channel),
    ):
        cold, warm = _time(lambda f=figure: f(session, hr, Filters()), repeat)
        print(f"{label}, company, {len(ids):,} invitations opened in place not yet folded in: "
              f"cold {cold:.0f} ms, warm {_ms(warm)} ms")  # fmt: skip
    session.commit()
    started = time.perf_counter()
    done = rollups_flow.refresh(database)
    print(
        f"worker refresh of the flow facts folding them in ({done['sources']:,} facts changed): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms; {_conditions(database)}"
    )


def _worker_run(database: Any) -> None:
    """The worker's run before measuring, as it runs every minute: the flow readers recompute
    what changed since its last run (less a margin), which right after ``populate`` would be
    the rows it wrote last."""
    from hireflow.analytics import rollups_flow

    with database.session() as session:
        if rollups_flow.built(session) is None:
            return
    started = time.perf_counter()
    done = rollups_flow.refresh(database)
    print(
        f"worker run of the flow rollups before measuring: {done['sources']:,} facts changed, "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )


def _validity_worker_run(database: Any) -> None:
    """The worker's run of predictive validity's ready results before measuring, as it runs
    every minute: the standing scopes (company, departments, openings) and the scopes asked
    for before (an earlier ``measure`` asked for the periods) get their data's result unless
    it is stored already."""
    from hireflow.analytics import validity_ready

    started = time.perf_counter()
    done = validity_ready.refresh(database)
    print(
        f"worker run of predictive validity's ready results before measuring: "
        f"{done['scopes']:,} scopes checked, {done['computed']:,} results computed, "
        f"{(time.perf_counter() - started) * 1000:.0f} ms; {_conditions(database)}",
        flush=True,
    )


def _validity_after_change(session: Any, database: Any, hr: Any) -> None:
    """One outcome recorded (an employee's probation result, through the ORM: the company's
    data version moves): the company's first request computes (reads and resamples), the
    worker's next run makes every kept scope ready again, and a request after it reads."""
    from sqlalchemy import select

    from hireflow.analytics import validity, validity_cache, validity_ready
    from hireflow.analytics.queries import Filters
    from hireflow.offers.models import Employee

    employee = session.scalars(
        select(Employee).where(Employee.tenant_id == hr.tenant_id).order_by(Employee.id)
    ).first()
    if employee is None:
        return
    employee.probation_result = "extended" if employee.probation_result != "extended" else "passed"
    session.commit()

    def company() -> float:
        validity_cache.clear()  # as a new process: nothing remembered in memory
        started = time.perf_counter()
        validity.analyse(session, hr, validity.Scope(Filters()), made_today())
        return (time.perf_counter() - started) * 1000

    first = company()
    started = time.perf_counter()
    done = validity_ready.refresh(database, made_today())
    worker = (time.perf_counter() - started) * 1000
    print(
        f"predictive validity after one probation result changed: company's first request "
        f"{first:.0f} ms (computed); the worker's run {worker:.0f} ms ({done['scopes']:,} "
        f"scopes checked, {done['computed']:,} computed); the company's request after it "
        f"{company():.0f} ms; {_conditions(database)}",
        flush=True,
    )


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _charts() -> tuple[str, ...]:
    from hireflow.analytics import tables

    return tables.CHARTS


def _funnel(session: Any, hr: Any) -> Any:
    from hireflow.analytics import queries
    from hireflow.analytics.queries import Filters

    return queries.funnel(session, hr, Filters())


def _direct(
    session: Any, hr: Any, scopes: dict[str, Any], only: list[str] | None, give_up: float
) -> None:
    """The rollup figures straight from the source tables (those of ``--only``, by chart key,
    if given), each checked against the rollups' answer; like the rollup figures, the larger
    scopes are skipped once one takes longer than ``give_up`` seconds."""
    from hireflow.analytics import accuracy, figures, queries, validity, validity_cache

    def review(s: Any, h: Any, f: Any, direct: bool = False) -> Any:
        return accuracy.review(s, h, f, direct=direct)

    def analysis(s: Any, h: Any, f: Any, direct: bool = False) -> Any:
        if direct:  # the same data as the rollups' answer: resampled, not remembered
            validity_cache.clear()
        return validity.analyse(s, h, validity.Scope(f), made_today(), direct=direct)

    for key, name, figure in (
        ("funnel", "funnel", queries.funnel),
        ("stage_time", "time in stage", queries.time_in_stage),
        ("pass_rates", "pass rates", figures.pass_rates),
        ("scores", "score distribution", queries.score_distributions),
        ("end_to_end", "end-to-end time", figures.end_to_end),
        ("completion", "completion", figures.completion),
        ("reach", "source and channel", figures.source_and_channel),
        ("top", "top 10", figures.top_per_competency),
        ("AI accuracy review", "AI accuracy review", review),
        ("predictive validity", "predictive validity", analysis),
    ):
        if only and key not in only:
            continue
        skip = False
        for scope, filters in scopes.items():
            if skip:
                print(f"direct {name:17} {scope:28} {'skipped':>9}")
                continue
            started = time.perf_counter()
            direct = figure(session, hr, filters, direct=True)
            cold = (time.perf_counter() - started) * 1000
            same = figure(session, hr, filters) == direct
            print(f"direct {name:17} {scope:28} {cold:9.0f} {'':9}  same as rollups: {same}")
            skip = cold > give_up * 1000


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
    write(session, StageMove.__table__, MOVE_COLUMNS, rows)
    session.commit()


def _split(args: argparse.Namespace) -> None:
    """Predictive validity per scope, one call each: the time reading (``validity.gather``:
    the assessed sums, the hired people, their outcomes) and the statistics
    (``validity.correlations``)."""
    from hireflow.analytics import validity
    from hireflow.org.auth import principal_for

    database = _open(args.url)
    print(f"predictive validity, reading and statistics; {_conditions(database)}")
    with database.session() as session:
        made = _made(session)
        hr = principal_for(made["user"])
        for scope, filters in _scopes(session, made).items():
            started = time.perf_counter()
            data = validity.gather(session, hr, validity.Scope(filters), made["today"])
            read = (time.perf_counter() - started) * 1000
            started = time.perf_counter()
            validity.correlations(data)
            stats = (time.perf_counter() - started) * 1000
            print(
                f"{scope:28} hired {len(data.hired):6,}  reading {read:7.0f} ms  "
                f"statistics {stats:7.0f} ms  load {os.getloadavg()[0]:.1f}",
                flush=True,
            )


def _forget(args: argparse.Namespace) -> None:
    """Drop what predictive validity keeps (results, answers, scopes asked for), so the next
    ``measure`` starts as on a database nobody asked anything of: its worker run computes the
    standing scopes, and the periods compute on their cold calls."""
    from sqlalchemy import delete

    from hireflow.analytics.validity_models import ValidityResult, ValidityScope

    database = _open(args.url)
    with database.session() as session:
        scopes = session.execute(delete(ValidityScope)).rowcount
        results = session.execute(delete(ValidityResult)).rowcount
        session.commit()
    print(f"predictive validity forgot {scopes:,} kept scopes and {results:,} results")


def _drop(args: argparse.Namespace) -> None:
    import psycopg

    name = args.url.rsplit("/", 1)[1]
    if not name.startswith("hireflow_bench_analytics_"):
        sys.exit("only a database made by populate is dropped")
    with psycopg.connect(args.pg_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "step", choices=("populate", "copy", "rebuild", "measure", "split", "forget", "drop")
    )
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--openings", type=int, default=50)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--pg-admin", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--url", default="")
    parser.add_argument("--name", default="", help="populate: the PostgreSQL database's suffix")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--give-up", type=float, default=60.0, help="seconds")
    parser.add_argument("--only", nargs="*", help="figures to time (default: all)")
    parser.add_argument("--direct", action="store_true")
    args = parser.parse_args()
    if min(args.applications, args.openings) < 1 or args.repeat < 0:
        parser.error("--applications and --openings must be at least 1, --repeat at least 0")
    if args.applications < args.openings:
        parser.error("--applications must be at least --openings")
    if args.step != "populate" and not args.url:
        parser.error(f"{args.step} needs --url")
    steps = {
        "populate": _populate,
        "copy": _copy,
        "rebuild": _rebuild,
        "measure": _measure,
        "split": _split,
        "forget": _forget,
        "drop": _drop,
    }
    steps[args.step](args)


if __name__ == "__main__":
    main()
