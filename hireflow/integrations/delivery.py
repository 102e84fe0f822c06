"""Sending webhook deliveries: in order per subject, each at most once at a time, retried with
exponential back-off, then marked failed.

One attempt (:func:`attempt`):

1. Claim the row with one conditional UPDATE (pending and due -> sending, with a lease) and
   commit, but only when no earlier row of the same endpoint and subject is still pending or
   sending: a later event waits for the earlier one to be delivered or failed. Two workers
   never send the same row; a Celery message delivered twice finds the row claimed or settled.
2. Check the address again (DNS may have changed since the endpoint was saved) and POST the
   stored body, signed now, outside any transaction. Redirects are not followed.
3. Record the outcome. A settled row (delivered or failed) hands over to the next row of its
   line, which the caller queues; a failed attempt before the last one is due again after
   ``backoff(attempts)``.

A worker that dies holding a claim leaves a lease that runs out; :func:`due` puts such rows
back in line, and it also finds retries whose back-off has passed (the periodic sweep).
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from hireflow.core.db import Database, utcnow
from hireflow.integrations import signing
from hireflow.integrations.addresses import UnsafeAddress, check_url
from hireflow.integrations.models import IntegrationSettings, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_MAX = timedelta(hours=1)
LEASE = timedelta(seconds=60)
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
OPEN = ("pending", "sending")
# Rows per task: one transaction's deliveries go in tasks of this many, so a busy publisher
# sends few broker messages and several workers still share the work.
CHUNK = 50
# Requests in flight at once per worker process (one round's rows go out side by side).
SENDERS = 8


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 10 s, 20 s, 40 s, ... capped at an hour."""
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


@dataclass(frozen=True)
class Outcome:
    status: str  # delivered | retry | failed | blocked | skipped
    delivery_id: int
    retry_in: float | None = None  # seconds, for "retry"
    next_in_line: int | None = None  # the row to queue now that this one settled


_local = threading.local()


def _client() -> httpx.Client:
    """One pooled client per thread (connections to a receiver are kept alive)."""
    client = getattr(_local, "client", None)
    if client is None:
        client = httpx.Client(timeout=TIMEOUT, follow_redirects=False, trust_env=False)
        _local.client = client
    return client


def _earlier_open(row: type[WebhookDelivery] | WebhookDelivery) -> object:
    earlier = aliased(WebhookDelivery)
    return exists().where(
        earlier.endpoint_id == row.endpoint_id,
        earlier.subject == row.subject,
        earlier.id < row.id,
        earlier.status.in_(OPEN),
    )


@dataclass(frozen=True)
class _Claimed:
    delivery_id: int
    url: str
    secrets: tuple[str, ...]
    allow_private: bool
    body: bytes
    event_id: str
    event: str


def _heads(session: Session, ids: list[int], now: datetime) -> list[int]:
    """Of ``ids``, the rows that are pending, due, and first in their line."""
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(
                WebhookDelivery.id.in_(ids),
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
                ~_earlier_open(WebhookDelivery),  # type: ignore[operator]
            )
            .order_by(WebhookDelivery.id)
        )
    )


def _claim(session: Session, ids: list[int], now: datetime) -> list[_Claimed]:
    heads = _heads(session, ids, now)
    if not heads:
        return []
    claimed = set(
        session.scalars(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(heads),
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,
            )
            .values(status="sending", lease_until=now + LEASE, last_attempt_at=now)
            .returning(WebhookDelivery.id)
            .execution_options(synchronize_session=False)
        )
    )
    rows = session.execute(
        select(
            WebhookDelivery.id,
            WebhookDelivery.endpoint_id,
            WebhookDelivery.tenant_id,
            WebhookDelivery.body,
            WebhookDelivery.event_id,
            WebhookDelivery.event,
        )
        .where(WebhookDelivery.id.in_(claimed))
        .order_by(WebhookDelivery.id)
    ).all()
    endpoints = {
        e.id: e
        for e in session.scalars(
            select(WebhookEndpoint).where(WebhookEndpoint.id.in_({r.endpoint_id for r in rows}))
        )
    }
    private = {
        s.tenant_id: s.allow_private_addresses
        for s in session.scalars(
            select(IntegrationSettings).where(
                IntegrationSettings.tenant_id.in_({r.tenant_id for r in rows})
            )
        )
    }
    out = []
    for row in rows:
        endpoint = endpoints.get(row.endpoint_id)
        active = endpoint is not None and endpoint.active
        out.append(
            _Claimed(
                delivery_id=row.id,
                url=endpoint.url if endpoint is not None else "",
                secrets=_signing_secrets(endpoint, now) if endpoint and active else (),
                allow_private=bool(private.get(row.tenant_id)),
                body=row.body.encode(),
                event_id=row.event_id,
                event=row.event,
            )
        )
    session.commit()
    return out


def _signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    keys = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        keys.append(endpoint.previous_secret)
    return tuple(keys)


def _post(claim: _Claimed) -> tuple[int | None, str]:
    """(HTTP status or None, error code); the error never contains the URL or the body."""
    if not claim.secrets:
        return None, "endpoint_off"
    try:
        check_url(claim.url, claim.allow_private)
    except UnsafeAddress as exc:
        return None, f"address_{exc.code}"
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Hireflow-Webhooks/1",
        signing.SIGNATURE_HEADER: signing.signature_header(
            claim.secrets, int(time.time()), claim.body
        ),
        signing.EVENT_ID_HEADER: claim.event_id,
        signing.EVENT_HEADER: claim.event,
        signing.DELIVERY_HEADER: str(claim.delivery_id),
    }
    try:
        response = _client().post(claim.url, content=claim.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, type(exc).__name__
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"http_{response.status_code}"


def _settle_one(row: WebhookDelivery, status: int | None, error: str, now: datetime) -> Outcome:
    row.attempts += 1
    row.last_status, row.last_error, row.lease_until = status, error[:300], None
    if row.attempts >= MAX_ATTEMPTS or error == "endpoint_off":
        row.status = "failed"
        return Outcome("failed", row.id)
    wait = backoff(row.attempts)
    row.status, row.next_attempt_at = "pending", now + wait
    return Outcome("retry", row.id, retry_in=wait.total_seconds())


def _settle(
    session: Session, results: dict[int, tuple[int | None, str]], now: datetime
) -> list[Outcome]:
    """Record a round's outcomes: the delivered rows in one UPDATE, failures row by row; then
    the next pending row of each settled line, in one query."""
    delivered: dict[int, list[int]] = {}
    for delivery_id, (status, error) in results.items():
        if not error and status is not None:
            delivered.setdefault(status, []).append(delivery_id)
    for status, ids in delivered.items():
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_(ids))
            .values(
                status="delivered",
                delivered_at=now,
                attempts=WebhookDelivery.attempts + 1,
                last_status=status,
                last_error="",
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )
    outcomes = {i: Outcome("delivered", i) for ids in delivered.values() for i in ids}
    failing = [i for i in results if i not in outcomes]
    for row in session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(failing))):
        outcomes[row.id] = _settle_one(row, *results[row.id], now)
    settled = [i for i, o in outcomes.items() if o.status != "retry"]
    lines = session.execute(
        select(WebhookDelivery.id, WebhookDelivery.endpoint_id, WebhookDelivery.subject).where(
            WebhookDelivery.id.in_(settled)
        )
    ).all()
    if lines:
        # A settled row headed its line, so every pending row of that line comes after it.
        following = {
            (row.endpoint_id, row.subject): row.next_id
            for row in session.execute(
                select(
                    WebhookDelivery.endpoint_id,
                    WebhookDelivery.subject,
                    func.min(WebhookDelivery.id).label("next_id"),
                )
                .where(
                    WebhookDelivery.status == "pending",
                    or_(
                        *(
                            and_(
                                WebhookDelivery.endpoint_id == line.endpoint_id,
                                WebhookDelivery.subject == line.subject,
                            )
                            for line in lines
                        )
                    ),
                )
                .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.subject)
            )
        }
        for line in lines:
            outcome = outcomes[line.id]
            outcomes[line.id] = Outcome(
                outcome.status,
                line.id,
                next_in_line=following.get((line.endpoint_id, line.subject)),
            )
    session.commit()
    failed = [i for i, o in outcomes.items() if o.status == "failed"]
    if failed:
        log.warning(
            "webhook deliveries failed",
            extra={"event": "integrations.delivery_failed", "deliveries": failed[:20]},
        )
    return [outcomes[i] for i in sorted(outcomes)]


def _send_all(claims: list[_Claimed]) -> dict[int, tuple[int | None, str]]:
    """POST a round's rows side by side: each heads a different line, so order holds."""
    if len(claims) == 1:
        return {claims[0].delivery_id: _post(claims[0])}
    results = _pool().map(_post, claims)
    return {claim.delivery_id: result for claim, result in zip(claims, results, strict=True)}


_pool_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _pool_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(SENDERS, thread_name_prefix="webhooks")
        return _executor


def attempt_many(db: Database, ids: list[int], now: datetime | None = None) -> list[Outcome]:
    """Send the given rows, in rounds: each round claims the rows that head their line, sends
    them and records the outcomes; a row that waited behind one settled in this round goes in
    the next. Returns the final outcome per row; ``next_in_line`` is set only for rows outside
    ``ids`` (those the caller must queue)."""
    now = now or utcnow()
    remaining = sorted(set(ids))
    final: dict[int, Outcome] = {}
    for _round in range(len(remaining)):  # each round settles at least one row
        with db.session() as session:
            claims = _claim(session, remaining, now)
        if not claims:
            break
        results = _send_all(claims)
        with db.session() as session:
            outcomes = _settle(session, results, now)
        settled = set(results)
        remaining = [i for i in remaining if i not in settled]
        for outcome in outcomes:
            if outcome.next_in_line in remaining:  # sent in the next round, not queued
                outcome = Outcome(outcome.status, outcome.delivery_id, outcome.retry_in)
            final[outcome.delivery_id] = outcome
        if not remaining:
            break
    return [final[i] for i in sorted(final)] + [
        _unsent(db, i, now) for i in remaining if i not in final
    ]


def _unsent(db: Database, delivery_id: int, now: datetime) -> Outcome:
    """Why a row was not sent: settled or claimed elsewhere, not due (skipped), or waiting
    behind an earlier row of its line (blocked)."""
    with db.session() as session:
        row = session.get(WebhookDelivery, delivery_id)
        if row is None or row.status != "pending" or row.next_attempt_at > now:
            return Outcome("skipped", delivery_id)
        return Outcome("blocked", delivery_id)


def attempt(db: Database, delivery_id: int, now: datetime | None = None) -> Outcome:
    """Try to send one delivery now (see the module's description)."""
    return attempt_many(db, [delivery_id], now)[0]


def due(db: Database, now: datetime | None = None, limit: int = 500) -> list[int]:
    """Rows to queue now: expired claims are released first, then every due pending row that
    heads its line (no earlier open row of its endpoint and subject)."""
    now = now or utcnow()
    with db.session() as session:
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.status == "sending", WebhookDelivery.lease_until < now)
            .values(status="pending", lease_until=None)
            .execution_options(synchronize_session=False)
        )
        ids = list(
            session.scalars(
                select(WebhookDelivery.id)
                .where(
                    and_(
                        WebhookDelivery.status == "pending",
                        WebhookDelivery.next_attempt_at <= now,
                        ~_earlier_open(WebhookDelivery),  # type: ignore[operator]
                    )
                )
                .order_by(WebhookDelivery.id)
                .limit(limit)
            )
        )
        session.commit()
    return ids
