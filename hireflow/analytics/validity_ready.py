"""Predictive validity's results kept ready (issue 16, speed): a first request for a scope
reads a result the worker computed instead of drawing 1,000 resamples per group of outcomes.

Two parts, both in the database so every process (web, API, worker) shares them:

- *results* per company and data digest (``validity_cache.key``: the dimensions, outcomes,
  resamples, seed and every hired person's scores and outcomes in order). The digest is the
  data version: a request reads its scope's data as always, builds the digest and takes the
  result stored under it; a changed score, outcome or person is another digest. So a stored
  result is never stale, nothing is invalidated, and what is stored is exactly what the
  computation gives (seeded: the same arrays, the same intervals).
- *scopes* the worker keeps ready (:func:`refresh`, on beat every minute): for each company
  its standing scopes (the whole company, each department, each opening; no period) and the
  scopes analytics users asked for in the last ``KEEP_DAYS`` days (a period, a job family).
  The worker checks a scope again only when the company's data version (:func:`version`:
  the review and hired rollups' cuts, the newest report, adjustment and employee, every
  employee's probation result and leaving date, every performance rating, the openings'
  places and the day) changed since it last did, then reads its data and computes the result
  if its digest has none yet.

When no result is stored for the data (the worker has not run since the change, or the scope
was never asked for), the request computes it as before and stores it, so the answer is
always the current data's, never an older result: HR acts on these figures (proposed
weights are saved from them), and a figure that could be minutes old would have to be
labelled and second-guessed. The price is that first request's time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hireflow.analytics import rollups_hired, rollups_review
from hireflow.analytics.models import ReviewState
from hireflow.analytics.validity_models import ValidityResult, ValidityScope
from hireflow.analytics.validity_stats import Correlation
from hireflow.candidates.models import PerformanceRating
from hireflow.core.db import Database, get_database, insert_unless_present, utcnow
from hireflow.interviews.models import InterviewReport, ScoreAdjustment
from hireflow.offers.models import Employee
from hireflow.openings.models import Opening

KEEP_DAYS = 30  # a scope asked for is kept ready this long after it was last asked for
ASKED_AGAIN = timedelta(days=1)  # a scope's ``requested_at`` is written at most this often
MAX_ASKED = 200  # scopes asked for kept per company (the most recently asked)
WAIT_MS = 100  # how long a request waits for another writer to keep its result
SQLITE_BUSY_MS = 10_000  # the busy timeout every SQLite connection has (``core.db``)

log = logging.getLogger(__name__)

Found = dict[tuple[str, str], tuple[Correlation, Correlation]]


def encode(found: Found) -> list[list[Any]]:
    """A result as JSON: ``[dimension, outcome, [n, r, low, high] (Pearson), [...] (Spearman)]``."""
    return [
        [d, o, *([c.n, c.r, c.low, c.high] for c in pair)] for (d, o), pair in sorted(found.items())
    ]


def _correlation(value: Any) -> Correlation:
    n, r, low, high = value
    if not isinstance(n, int) or isinstance(n, bool):
        raise ValueError("n")
    for x in (r, low, high):
        if x is not None and not isinstance(x, (int, float)):
            raise ValueError("a value")
    return Correlation(n, r, low, high)


def decode(stored: Any) -> Found | None:
    """The result stored as :func:`encode` wrote it; None for anything else (never trusted
    blindly: a row of another shape is recomputed, not shown)."""
    try:
        found: Found = {}
        for dimension, outcome, pearson, spearman in stored:
            if not isinstance(dimension, str) or not isinstance(outcome, str):
                return None
            found[(dimension, outcome)] = (_correlation(pearson), _correlation(spearman))
        return found
    except (TypeError, ValueError):
        return None


def stored(session: Session, tenant_id: int, digest: str) -> Found | None:
    """The result kept for this company's data digest, if any (and readable)."""
    row = session.get(ValidityResult, (tenant_id, digest))
    return None if row is None else decode(row.found)


def store_in(session: Session, tenant_id: int, digest: str, found: Found) -> None:
    insert_unless_present(
        session,
        ValidityResult,
        tenant_id=tenant_id,
        digest=digest,
        found=encode(found),
        computed_at=utcnow(),
    )


def scope_key(openings: Iterable[int], start: date | None, end: date | None) -> str:
    """One scope of a company: its openings (any order) and period."""
    text = json.dumps([sorted(set(openings)), str(start), str(end)])
    return hashlib.blake2b(text.encode(), digest_size=32).hexdigest()


def _beside(session: Session) -> Session | None:
    """A session of its own on the application's database for a request's writes, so they
    commit without committing the caller's work; None when the caller has written (on SQLite a
    second writer would wait for it: the result is then simply not kept)."""
    wrote = session.new or session.dirty or session.deleted or session.info.get("hireflow_wrote")
    if wrote:
        return None
    engine = get_database().engine
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        return None  # one shared connection: a session beside it would commit the caller's
    return get_database().session_factory()


def remember(
    session: Session,
    tenant_id: int,
    digest: str,
    found: Found | None,
    openings: Sequence[int],
    start: date | None,
    end: date | None,
) -> None:
    """After a request: keep the result it computed (``found``; None when it was stored) and
    note that its scope was asked for, so the worker keeps it ready. Best effort: a failure
    to write is logged and the request answers all the same."""
    beside = _beside(session)
    if beside is None:
        return
    try:
        with beside:
            sqlite = beside.get_bind().dialect.name == "sqlite"
            _wait_briefly(beside, sqlite, True)
            try:
                if found is not None:
                    store_in(beside, tenant_id, digest, found)
                _asked(beside, tenant_id, openings, start, end)
                beside.commit()
            finally:
                beside.rollback()
                _wait_briefly(beside, sqlite, False)
    except SQLAlchemyError as exc:  # busy database, a concurrent writer: kept next time
        log.warning("validity result not kept: %s", type(exc).__name__)


def _wait_briefly(session: Session, sqlite: bool, brief: bool) -> None:
    """A request does not wait for another writer (a worker's long rebuild) to keep what it
    computed: at most ``WAIT_MS`` per attempt, then it answers without keeping it."""
    if sqlite:  # the connection's own setting: put back before it returns to the pool
        timeout = WAIT_MS if brief else SQLITE_BUSY_MS
        session.connection().exec_driver_sql(f"PRAGMA busy_timeout={timeout}")
    elif brief:  # PostgreSQL: for this transaction only
        session.execute(text(f"SET LOCAL lock_timeout = '{WAIT_MS}ms'"))


def _asked(
    session: Session,
    tenant_id: int,
    openings: Sequence[int],
    start: date | None,
    end: date | None,
) -> None:
    key = scope_key(openings, start, end)
    row = session.scalars(
        select(ValidityScope).where(ValidityScope.tenant_id == tenant_id, ValidityScope.key == key)
    ).first()
    now = utcnow()
    if row is None:
        insert_unless_present(
            session,
            ValidityScope,
            tenant_id=tenant_id,
            key=key,
            openings=sorted(set(openings)),
            start=start,
            end=end,
            standing=False,
            requested_at=now,
        )
    elif not row.standing and now - row.requested_at > ASKED_AGAIN:
        row.requested_at = now


def version(session: Session, tenant_id: int, today: date) -> str:
    """The company's data version as far as validity reads it: anything that can change a
    scope's result changes it (so a scope is checked again), nothing else needs to."""
    digest = hashlib.blake2b(digest_size=32)

    def add(rows: Iterable[Any]) -> None:
        for row in rows:
            digest.update(repr(tuple(row)).encode())
            digest.update(b"\n")

    # the cuts the rollups read up to (the review rollups' stage moves and scorecards do not
    # change validity's sums: left out, so they alone do not make the worker check again)
    review = session.get(ReviewState, rollups_review.NAME)
    hired = rollups_hired.built(session)
    add([(None if review is None else (review.report_id, review.adjustment_id),)])
    add([(None if hired is None else (hired.report_id, hired.adjustment_id, hired.employee_id),)])
    add([(str(today),)])
    add(
        session.execute(
            select(
                func.max(InterviewReport.id),
                select(func.max(ScoreAdjustment.id)).scalar_subquery(),
                select(func.max(Employee.id)).scalar_subquery(),
            )
        )
    )
    add(
        session.execute(
            select(Opening.id, Opening.department_id, Opening.job_type)
            .where(Opening.tenant_id == tenant_id)
            .order_by(Opening.id)
        )
    )
    add(
        session.execute(
            select(Employee.id, Employee.left_on, Employee.probation_result)
            .where(Employee.tenant_id == tenant_id)
            .order_by(Employee.id)
        )
    )
    add(
        session.execute(
            select(PerformanceRating.id, PerformanceRating.candidate_id, PerformanceRating.rating)
            .where(PerformanceRating.tenant_id == tenant_id)
            .order_by(PerformanceRating.id)
        )
    )
    return digest.hexdigest()


def _standing(session: Session, tenant_id: int) -> list[list[int]]:
    """The company's standing scopes: all its openings, each department's, each opening."""
    places = list(
        session.execute(
            select(Opening.id, Opening.department_id)
            .where(Opening.tenant_id == tenant_id)
            .order_by(Opening.id)
        )
    )
    departments: dict[int, list[int]] = {}
    for opening, department in places:
        departments.setdefault(department, []).append(opening)
    scopes = [[o for o, _ in places], *departments.values(), *([o] for o, _ in places)]
    unique: dict[str, list[int]] = {scope_key(s, None, None): s for s in scopes if s}
    return list(unique.values())


def _keep_scopes(session: Session, tenant_id: int) -> list[ValidityScope]:
    """The company's scope rows as the worker keeps them: the standing ones as they are now
    (a standing row no longer standing is dropped), asked-for ones within ``KEEP_DAYS``, the
    ``MAX_ASKED`` most recent."""
    standing = {scope_key(s, None, None): s for s in _standing(session, tenant_id)}
    rows = list(session.scalars(select(ValidityScope).where(ValidityScope.tenant_id == tenant_id)))
    cutoff = utcnow() - timedelta(days=KEEP_DAYS)
    asked = sorted(
        (r for r in rows if not r.standing and r.key not in standing),
        key=lambda r: r.requested_at,
        reverse=True,
    )
    gone = [r for r in rows if r.standing and r.key not in standing]
    gone += [r for n, r in enumerate(asked) if n >= MAX_ASKED or r.requested_at < cutoff]
    for row in gone:
        session.delete(row)
    present = {r.key: r for r in rows}
    for key, openings in standing.items():
        if key in present:
            present[key].standing = True
        else:
            insert_unless_present(
                session,
                ValidityScope,
                tenant_id=tenant_id,
                key=key,
                openings=openings,
                standing=True,
                requested_at=utcnow(),
            )
    session.flush()
    return list(
        session.scalars(
            select(ValidityScope)
            .where(ValidityScope.tenant_id == tenant_id)
            .order_by(ValidityScope.id)
        )
    )


def _prune(session: Session, tenant_id: int) -> None:
    """Drop the company's results older than ``KEEP_DAYS`` that no kept scope points at."""
    used = select(ValidityScope.digest).where(
        ValidityScope.tenant_id == tenant_id, ValidityScope.digest.is_not(None)
    )
    session.execute(
        delete(ValidityResult).where(
            ValidityResult.tenant_id == tenant_id,
            ValidityResult.computed_at < utcnow() - timedelta(days=KEEP_DAYS),
            ValidityResult.digest.not_in(used),
        )
    )


def refresh(database: Database, today: date | None = None) -> dict[str, int]:
    """Make sure every kept scope of every company has its current data's result stored
    (the worker's run; idempotent, harmless when repeated or run twice at once). A company
    whose run fails on the database (busy, a concurrent change) is tried again next run; the
    others go on."""
    today = today or utcnow().date()
    done = {"scopes": 0, "computed": 0}
    with database.session() as session:
        tenants = list(session.scalars(select(Opening.tenant_id).distinct()))
    for tenant_id in tenants:
        try:
            _refresh_company(database, tenant_id, today, done)
        except SQLAlchemyError as exc:
            log.warning("validity results of a company not made ready: %s", type(exc).__name__)
    return done


def _refresh_company(database: Database, tenant_id: int, today: date, done: dict[str, int]) -> None:
    from hireflow.analytics import validity

    with database.session() as session:
        current = version(session, tenant_id, today)
        own = set(session.scalars(select(Opening.id).where(Opening.tenant_id == tenant_id)))
        for scope in _keep_scopes(session, tenant_id):
            if scope.checked == current:
                continue
            # only the company's own openings, whatever a row says
            listed = scope.openings if isinstance(scope.openings, list) else []
            openings = [o for o in listed if o in own]
            scope.digest, computed = (
                validity.ready_result(session, tenant_id, openings, scope, today)
                if openings
                else (None, False)
            )
            scope.checked = current
            done["scopes"] += 1
            done["computed"] += computed
            session.commit()  # each scope's result as soon as it is there
        _prune(session, tenant_id)
        session.commit()


__all__ = ["KEEP_DAYS", "decode", "encode", "refresh", "remember", "scope_key", "stored", "version"]
