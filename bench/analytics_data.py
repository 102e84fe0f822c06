"""The generated company behind ``bench/analytics.py``: 1,000,000 applications, about 5.2
million stage events and what the other dashboard figures read, written in bulk.

``--openings`` openings over two subsidiaries (one department each); each of
applications/openings candidates applies to every opening. Each application walks the default
stages a geometric number of moves (continuing with probability 0.95, half of those that stop
rejected: about 5.2 moves per application); its stage is where the walk ended. Received dates
spread over 700 days. Every application that reached the AI interview stage (about 95 %) gets
an AI invitation (sent, opened 90 % of the time), an interview (started 97 %, submitted 95 %),
one answer (text, voice or video), an invitation e-mail or SMS in the outbox (3 % failed) and
a report with six competency scores; one reaching round 1 gets an interviewer scorecard with
the six competencies on levels 1-5 (the AI's level ± 1); one reaching the offer stage gets an
offer sent 20-60 days after it applied; the first hire of each candidate becomes an employee
with a probation result, a leaving date for some, and a performance rating.

Not generated: HR score overrides, live interview rooms, development re-assessments.
"""

from __future__ import annotations

import random
import sys
from datetime import timedelta
from typing import Any

from company import add_department, add_hr_admin, add_opening

WALK = ("screened", "ai_interview", "round_1", "round_2", "offer", "hired")
COMPETENCIES = ("communication", "teamwork", "problem_solving", "learning", "ownership", "drive")
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
APP_COLUMNS = (
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
SOURCES = ("upload", "career_site", "referral", "job_board")


def progress(done: int, total: int, what: str) -> None:
    width = 30
    filled = int(width * done / max(total, 1))
    sys.stderr.write(f"\r{what:12} [{'#' * filled}{'.' * (width - filled)}] {done:>9,}/{total:,}")
    sys.stderr.flush()
    if done >= total:
        sys.stderr.write("\n")


def write(session: Any, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Rows given as tuples of ``columns``, in bulk (see :func:`_insert`)."""
    _insert(session, table, [dict(zip(columns, row, strict=True)) for row in rows])


def _insert(
    session: Any, table: Any, rows: list[dict[str, Any]], constants: dict[str, Any] | None = None
) -> None:
    """Rows in bulk without per-row Core processing: each column's default is computed and
    converted (encrypted, serialised) once per batch, each given value by the column type's
    own converter; then COPY on PostgreSQL, the driver's executemany on SQLite. Every row
    of a batch names the same columns."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    given = list(rows[0])
    fixed: dict[str, Any] = dict(constants or {})
    for column in table.columns:
        if column.name in given or column.name in fixed or column.default is None:
            continue
        value = column.default.arg
        fixed[column.name] = value(None) if callable(value) else value
    names = given + list(fixed)
    converters = [_converter(table.c[name], dialect) for name in names]
    constants = [
        convert(fixed[name]) if convert else fixed[name]
        for name, convert in zip(names[len(given) :], converters[len(given) :], strict=True)
    ]
    own = list(zip(given, converters[: len(given)], strict=True))
    values = [
        tuple(c(row[n]) if c and row[n] is not None else row[n] for n, c in own) + tuple(constants)
        for row in rows
    ]
    connection = session.connection()
    if dialect.name == "postgresql":
        raw = connection.connection.dbapi_connection
        statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in values:
                copy.write_row(row)
        return
    marks = ", ".join("?" * len(names))
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", values
    )


def _converter(column: Any, dialect: Any) -> Any:
    """The column type's conversion of a Python value to what the driver is given."""
    return column.type._cached_bind_processor(dialect)


def walk(rng: random.Random) -> list[str]:
    depth = 0
    while depth < len(WALK) and rng.random() < 0.95:
        depth += 1
    path = list(WALK[:depth])
    if depth < len(WALK) and rng.random() < 0.5:
        path.append("rejected")
    return path


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


class _Batch:
    """The rows of one chunk of applications, per table."""

    def __init__(self) -> None:
        self.apps: list[tuple[Any, ...]] = []
        self.moves: list[tuple[Any, ...]] = []
        self.invitations: list[dict[str, Any]] = []
        self.sessions: list[dict[str, Any]] = []
        self.answers: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self.cards: list[dict[str, Any]] = []
        self.offers: list[dict[str, Any]] = []
        self.employees: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []


def _application(
    batch: _Batch, world: dict[str, Any], app_id: int, rng: random.Random, now: Any
) -> None:
    openings, people = world["openings"], world["people"]
    person, at = divmod(app_id - 1 - world["base"], len(openings))
    candidate, opening = people[person], openings[at]
    tenant = world["tenant"]
    received = now - timedelta(days=rng.randint(0, 700), seconds=rng.randint(0, 86399))
    path = walk(rng)
    source = SOURCES[app_id % len(SOURCES)]
    batch.apps.append(
        (app_id, tenant, candidate, opening, path[-1] if path else "applied", source, "",
         "zh", "Asia/Shanghai", "", received, now)
    )  # fmt: skip
    previous = "applied"
    for version, key in enumerate(path, start=1):
        seconds = rng.randint(3600, 20 * 86400)
        batch.moves.append((tenant, app_id, opening, previous, key, seconds, version, now))
        previous = key
    if "ai_interview" in path:
        _interview(batch, world, (app_id, candidate, opening, received), rng)
    if "offer" in path:
        sent = min(now, received + timedelta(days=rng.uniform(20, 60)))
        batch.offers.append(
            {"id": app_id, "tenant_id": tenant, "application_id": app_id,
             "candidate_id": candidate, "opening_id": opening, "status": "sent",
             "start_date": (sent + timedelta(days=30)).date(), "sent_at": sent,
             "created_at": sent}
        )  # fmt: skip
    if path and path[-1] == "hired" and candidate not in world["employed"]:
        _employee(batch, world, (app_id, candidate, opening, received), rng)


def _interview(batch: _Batch, world: dict[str, Any], app: tuple[Any, ...], rng: Any) -> None:
    app_id, candidate, opening, received = app
    now = world["now"]
    tenant = world["tenant"]
    written = min(now, received + timedelta(days=rng.uniform(0.2, 30)))
    sent = received + (written - received) * 0.3
    common = {"id": app_id, "tenant_id": tenant, "opening_id": opening, "candidate_id": candidate}
    opened = sent + timedelta(hours=2) if rng.random() < 0.9 else None
    batch.invitations.append(
        {**common, "kind": "ai", "status": "completed", "deadline": written, "sent_at": sent,
         "opened_at": opened, "created_at": sent, "device_result": {"device": rng.choice(
             ("desktop", "phone", "tablet"))}}
    )  # fmt: skip
    started = opened if opened is not None and rng.random() < 0.97 else None
    submitted = written if started is not None and rng.random() < 0.95 else None
    batch.sessions.append(
        {**common, "invitation_id": app_id, "status": "scored", "deadline": written,
         "started_at": started, "submitted_at": submitted}
    )  # fmt: skip
    if started is not None:
        batch.answers.append(
            {"tenant_id": tenant, "interview_id": app_id, "question_id": "q1",
             "mode": rng.choice(("text", "text", "voice", "video")), "status": "answered"}
        )  # fmt: skip
    channel = "email" if rng.random() < 0.8 else "sms"
    batch.outbox.append(
        {"tenant_id": tenant, "opening_id": opening, "channel": channel, "kind": "invitation_ai",
         "recipient": "", "related_type": "invitation", "related_id": app_id,
         "dedupe_key": f"bench-invitation-{app_id}", "created_at": sent,
         "status": "failed" if rng.random() < 0.03 else "sent"}
    )  # fmt: skip
    scores = {c: round(min(10.0, max(0.0, rng.gauss(6.5, 1.8))), 1) for c in COMPETENCIES}
    batch.reports.append(
        {"id": app_id, "tenant_id": tenant, "interview_id": app_id, "scores": scores,
         "job_match": round(10 * sum(scores.values()) / len(scores), 1), "created_at": written}
    )  # fmt: skip
    world["scores"][app_id] = scores


def _employee(batch: _Batch, world: dict[str, Any], app: tuple[Any, ...], rng: Any) -> None:
    app_id, candidate, opening, received = app
    now = world["now"]
    world["employed"].add(candidate)
    start = (received + timedelta(days=70)).date()
    left = start + timedelta(days=rng.randint(20, 400)) if rng.random() < 0.2 else None
    batch.employees.append(
        {"tenant_id": world["tenant"], "person_id": candidate, "employee_number": f"B{app_id}",
         "department_id": world["department_of"][opening], "offer_id": app_id,
         "opening_id": opening, "start_date": start,
         "probation_result": rng.choice(("passed", "passed", "passed", "extended", "failed")),
         "left_on": left if left is not None and left <= now.date() else None}
    )  # fmt: skip
    mean = sum(world["scores"].get(app_id, {"x": 6.5}).values()) / 6
    batch.ratings.append(
        {"tenant_id": world["tenant"], "candidate_id": candidate, "period": "2026",
         "rating": round(min(5.0, max(1.0, 3 + 0.4 * (mean - 6.5) + rng.gauss(0, 0.6))), 2)}
    )  # fmt: skip


def _scorecards(batch: _Batch, world: dict[str, Any], rng: random.Random, now: Any) -> None:
    """One round-1 scorecard per application that left round 1 (interviewer: the HR user)."""
    reached = {m[1] for m in batch.moves if m[3] == "round_1"}
    for app_id in sorted(reached & set(world["scores"])):
        scores = world["scores"][app_id]
        ratings = {
            c: min(5, max(1, int(v / 2 + 0.5) + rng.choice((-1, 0, 0, 1))))
            for c, v in scores.items()
        }
        batch.cards.append(
            {"tenant_id": world["tenant"], "opening_id": world["opening_of"][app_id],
             "application_id": app_id, "round_key": "round_1", "interviewer_id": world["user"],
             "ratings": ratings, "recommendation": "yes", "submitted_at": now}
        )  # fmt: skip


def _flush(session: Any, batch: _Batch) -> None:
    from hireflow.candidates.models import Application, PerformanceRating
    from hireflow.interviews.models import InterviewAnswer, InterviewReport, InterviewSession
    from hireflow.notifications.models import OutboxMessage
    from hireflow.offers.models import Employee, Offer
    from hireflow.scheduling.models import Invitation
    from hireflow.workflow.models import Scorecard, StageMove

    write(session, Application.__table__, APP_COLUMNS, batch.apps)
    write(session, StageMove.__table__, MOVE_COLUMNS, batch.moves)
    report = {"body": "{}", "sha256": "0" * 64, "engine_version": "bench"}
    for model, rows, constants in (
        (Invitation, batch.invitations, None),
        (InterviewSession, batch.sessions, None),
        (InterviewAnswer, batch.answers, None),
        (InterviewReport, batch.reports, report),
        (OutboxMessage, batch.outbox, None),
        (Scorecard, batch.cards, None),
        (Offer, batch.offers, None),
        (Employee, batch.employees, None),
        (PerformanceRating, batch.ratings, None),
    ):
        _insert(session, model.__table__, rows, constants)


ID_TABLES = ("applications", "invitations", "interview_sessions", "interview_reports", "offers")


def populate(session: Any, applications: int, openings: int) -> dict[str, Any]:
    from sqlalchemy import text

    from hireflow.core import versions
    from hireflow.core.db import utcnow

    rng = random.Random(16)
    tenant, user, opening_ids, dept_ids = _company(session, openings)
    world: dict[str, Any] = {
        "tenant": tenant.id,
        "user": user.id,
        "openings": opening_ids,
        "people": _candidates(session, tenant.id, -(-applications // openings) - 1),
        "employed": set(),
        "department_of": {o: dept_ids[n % 2] for n, o in enumerate(opening_ids)},
        "opening_of": {},
        "scores": {},
    }
    now = world["now"] = utcnow()
    counts = {"events": 0, "reports": 0, "scorecards": 0, "offers": 0, "employees": 0}
    # An application's id is also its invitation's, interview's, report's and offer's: start
    # past every row already there (0 in an empty database, as the bench's figures assume).
    base = max(
        session.scalar(text(f"SELECT coalesce(max(id), 0) FROM {table}")) or 0
        for table in ID_TABLES
    )
    world["base"] = base  # ids past the rows already there; people counted from 0
    chunk = 20_000
    for start in range(0, applications, chunk):
        batch = _Batch()
        for app_id in range(base + start + 1, base + min(start + chunk, applications) + 1):
            world["opening_of"][app_id] = opening_ids[(app_id - 1) % openings]
            _application(batch, world, app_id, rng, now)
        _scorecards(batch, world, rng, now)
        _flush(session, batch)
        # COPY bypasses the ORM, whose writes move predictive validity's data version
        versions.bump(session, tenant.id, versions.VALIDITY)
        session.commit()
        world["scores"].clear()
        world["opening_of"].clear()
        counts["events"] += len(batch.moves)
        counts["reports"] += len(batch.reports)
        counts["scorecards"] += len(batch.cards)
        counts["offers"] += len(batch.offers)
        counts["employees"] += len(batch.employees)
        progress(start + len(batch.apps), applications, "applications")
    if session.get_bind().dialect.name == "postgresql":
        for table in ("applications", "invitations", "interview_sessions", "interview_reports",
                      "offers", "workflow_stage_moves", "interview_answers",
                      "notification_outbox", "workflow_scorecards", "employees",
                      "performance_ratings"):  # fmt: skip
            session.execute(text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    session.execute(text("ANALYZE"))
    session.commit()
    return counts
