"""Predictive validity's results kept ready (issue 16, speed): a request for a scope answers
from what the worker (or an earlier request) computed, checking in a few key reads that it is
the current data's, instead of reading the scope's data or drawing 1,000 resamples per group.

Three parts, all in the database so every process (web, API, worker) shares them:

- the company's *data version* (:func:`version`): its counter in ``core.versions``, moved in
  the same transaction as every write of an input (a report's scores, HR's adjustment, a
  hire, a rating, a probation result or leaving date, an opening's model or place, a model
  version: the models mark themselves, so every ORM writer moves it; bulk writers bump it
  themselves), the review and hired rollups' cuts and the day (retention depends on it);
- per *scope* (openings and period) its whole *answer* (counts, rows, for one opening the
  proposed weights of every outcome) stamped with the version it was computed at
  (``answered``): a request whose version equals the stamp reads that answer and nothing
  else; any other stamp (a write since) is not used, and the request computes;
- *results* per company and data digest (``validity_cache.key``: the dimensions, outcomes,
  resamples, seed and every hired person's scores and outcomes in order): a computing
  request or the worker still reads the scope's data, but a digest already computed (the
  same data under another scope, or data changed back) is not resampled again.

The worker (:func:`refresh`, on beat every minute) keeps ready, per company, its standing
scopes (the whole company, each department, each opening; no period) and the scopes asked
for in the last ``KEEP_DAYS`` days: when the company's version moved since it last checked a
scope, it reads the scope's data and stores its answer at that version (and computes the
result if its digest has none yet).

When no answer is kept for the current version (the worker has not run since the change, or
the scope was never asked for), the request computes as before and keeps what it computed,
so the answer is always the current data's, never an older result: HR acts on these figures
(proposed weights are saved from them), and a figure that could be minutes old would have to
be labelled and second-guessed. The price is that first request's time after a change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from hireflow.analytics import rollups_hired, rollups_review
from hireflow.analytics.hired_models import HiredState
from hireflow.analytics.models import ReviewState
from hireflow.analytics.validity_models import ValidityResult, ValidityScope
from hireflow.analytics.validity_stats import Correlation, Proposal
from hireflow.core import versions
from hireflow.core.db import Database, get_database, insert_unless_present, utcnow
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


def stored_many(session: Session, tenant_id: int, digests: Sequence[str]) -> dict[str, Found]:
    """The readable results kept for these digests of the company (one query)."""
    found: dict[str, Found] = {}
    for digest, kept in session.execute(
        select(ValidityResult.digest, ValidityResult.found).where(
            ValidityResult.tenant_id == tenant_id, ValidityResult.digest.in_(list(digests))
        )
    ):
        decoded = decode(kept)
        if decoded is not None:
            found[digest] = decoded
    return found


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
    digest: str | None,
    found: Found | None,
    openings: Sequence[int],
    start: date | None,
    end: date | None,
    answer: tuple[str, dict[str, Any] | None] | None = None,
    parts: dict[str, Found] | None = None,
) -> None:
    """After a request: keep the result it computed (``found``; None when it was stored)
    and its groups' parts by their digests (``parts``, ``validity_groups``), the scope's
    whole ``answer`` with the data version it was computed at (None when it was read), and
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
                if found is not None and digest is not None:
                    store_in(beside, tenant_id, digest, found)
                for part_digest, part in (parts or {}).items():
                    store_in(beside, tenant_id, part_digest, part)
                _asked(beside, tenant_id, openings, start, end, digest, answer)
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
    digest: str | None = None,
    answer: tuple[str, dict[str, Any] | None] | None = None,
) -> None:
    key = scope_key(openings, start, end)
    row = session.scalars(
        select(ValidityScope).where(ValidityScope.tenant_id == tenant_id, ValidityScope.key == key)
    ).first()
    now = utcnow()
    kept = {} if answer is None else {"answered": answer[0], "answer": answer[1]}
    if digest is not None and answer is not None:
        kept["digest"] = digest  # the result the answer holds: not pruned while kept
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
            **kept,
        )
        return
    if not row.standing and now - row.requested_at > ASKED_AGAIN:
        row.requested_at = now
    for name, value in kept.items():
        setattr(row, name, value)


def version(session: Session, tenant_id: int, today: date) -> str:
    """The company's data version as far as validity reads it, in a few key reads: the
    company's counter (``core.versions``: moved in the same transaction as every write of a
    score, adjustment, report, hire, outcome, rating, opening's model or place, or model
    version), the review and hired rollups' cuts (the same answer summed another way could
    differ in its last bits) and the day (retention outcomes depend on it). Read *before*
    the data an answer is computed from: a write committed in between makes the stamp older
    than the data, never newer, so the answer is recomputed rather than kept stale."""
    review = session.execute(
        select(ReviewState.report_id, ReviewState.adjustment_id).where(
            ReviewState.name == rollups_review.NAME
        )
    ).first()
    hired = session.execute(
        select(HiredState.report_id, HiredState.adjustment_id, HiredState.employee_id).where(
            HiredState.name == rollups_hired.NAME
        )
    ).first()
    parts = (
        versions.current(session, tenant_id, versions.VALIDITY),
        None if review is None else tuple(review),
        None if hired is None else tuple(hired),
        str(today),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=32).hexdigest()


def kept_answer(
    session: Session,
    tenant_id: int,
    openings: Sequence[int],
    start: date | None,
    end: date | None,
    current: str,
) -> tuple[dict[str, Any] | None, bool]:
    """The scope's kept answer if it was computed at the ``current`` data version (else
    None), and whether the scope's being asked for is still to be noted (one key read)."""
    key = scope_key(openings, start, end)
    row = session.execute(
        select(
            ValidityScope.answered,
            ValidityScope.answer,
            ValidityScope.standing,
            ValidityScope.requested_at,
        ).where(ValidityScope.tenant_id == tenant_id, ValidityScope.key == key)
    ).first()
    if row is None:
        return None, True
    answered, answer, standing, requested_at = row
    note = not standing and utcnow() - requested_at > ASKED_AGAIN
    return (answer_read(answer) if answered == current else None), note


def answer_read(answer: Any) -> dict[str, Any] | None:
    """A kept answer as :func:`answer_of` wrote it, checked; None for anything else (never
    trusted blindly: another shape is recomputed, not shown)."""
    try:
        rows = [_row_read(row) for row in answer["rows"]]
        proposals = answer["proposals"]
        if proposals is not None:
            opening = proposals["opening"]
            if not isinstance(opening, int) or isinstance(opening, bool):
                return None
            proposals = {
                "opening": opening,
                "by_outcome": {
                    str(k): _proposal_read(v) for k, v in proposals["by_outcome"].items()
                },
            }
        counts = (answer["assessed"], answer["hired"])
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in counts):
            return None
        return {"assessed": counts[0], "hired": counts[1], "rows": rows, "proposals": proposals}
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _number(value: Any) -> float | None:
    if value is not None and (not isinstance(value, (int, float)) or isinstance(value, bool)):
        raise ValueError("a value")
    return value


def _row_read(row: Any) -> tuple[str, str, Correlation, Correlation, float | None, float | None]:
    dimension, outcome, pearson, spearman, ratio, corrected = row
    if not isinstance(dimension, str) or not isinstance(outcome, str):
        raise ValueError("a name")
    pair = _correlation(pearson), _correlation(spearman)
    return dimension, outcome, *pair, _number(ratio), _number(corrected)


def _weights(value: Any) -> dict[str, float]:
    return {str(k): float(_number(v)) for k, v in value.items()}  # type: ignore[arg-type]


def _proposal_read(value: Any) -> Proposal:
    n, data_weights, current, proposed, shrinkage = (
        value["n"],
        value["data_weights"],
        value["current"],
        value["proposed"],
        value["shrinkage"],
    )
    if not isinstance(n, int) or isinstance(n, bool) or _number(shrinkage) is None:
        raise ValueError("n")
    fitted = None if data_weights is None else _weights(data_weights)
    return Proposal(n, fitted, _weights(current), _weights(proposed), float(shrinkage))


def answer_of(
    assessed: int,
    hired: int,
    rows: Sequence[Any],
    proposals: tuple[int, dict[str, Proposal]] | None,
) -> dict[str, Any] | None:
    """An answer as JSON: the counts, per row ``[dimension, outcome, [n, r, low, high]
    (Pearson), [...] (Spearman), range ratio, corrected r]``, and for a scope of one opening
    the proposed weights for each outcome. None when a value is not finite (PostgreSQL's
    JSON has no NaN): such a scope is not kept, it is computed each time."""
    answer = {
        "assessed": assessed,
        "hired": hired,
        "rows": [
            [
                r.dimension,
                r.outcome,
                *([c.n, c.r, c.low, c.high] for c in (r.pearson, r.spearman)),
                r.range_ratio,
                r.corrected,
            ]
            for r in rows
        ],
        "proposals": None
        if proposals is None
        else {
            "opening": proposals[0],
            "by_outcome": {k: dataclasses.asdict(p) for k, p in proposals[1].items()},
        },
    }
    try:
        json.dumps(answer, allow_nan=False)
    except ValueError:
        return None
    return answer


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
            if scope.answered == current and answer_read(scope.answer) is not None:
                scope.checked = current  # a request computed it at this version already
                done["scopes"] += 1
                session.commit()
                continue
            # only the company's own openings, whatever a row says
            listed = scope.openings if isinstance(scope.openings, list) else []
            openings = [o for o in listed if o in own]
            digest, computed, answer = (
                validity.ready_result(session, tenant_id, openings, scope, today)
                if openings
                else (None, False, None)
            )
            scope.digest, scope.answer, scope.answered = digest, answer, current
            scope.checked = current
            done["scopes"] += 1
            done["computed"] += computed
            session.commit()  # each scope's result as soon as it is there
        _prune(session, tenant_id)
        session.commit()


__all__ = [
    "KEEP_DAYS",
    "answer_of",
    "answer_read",
    "decode",
    "encode",
    "kept_answer",
    "refresh",
    "remember",
    "scope_key",
    "stored",
    "stored_many",
    "version",
]
