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
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from sqlalchemy import and_, exists, func, select, update
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
    url: str
    secrets: tuple[str, ...]
    allow_private: bool
    body: bytes
    event_id: str
    event: str
    attempts: int


def _claim(session: Session, delivery_id: int, now: datetime) -> _Claimed | str:
    row = session.get(WebhookDelivery, delivery_id)
    if row is None or row.status != "pending" or row.next_attempt_at > now:
        return "skipped"
    if session.scalar(select(_earlier_open(row))):
        return "blocked"
    claimed = session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
        )
        .values(status="sending", lease_until=now + LEASE, last_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        return "skipped"
    endpoint = session.get(WebhookEndpoint, row.endpoint_id)
    settings = session.get(IntegrationSettings, row.tenant_id)
    info = _Claimed(
        url=endpoint.url if endpoint else "",
        secrets=_signing_secrets(endpoint, now) if endpoint and endpoint.active else (),
        allow_private=bool(settings and settings.allow_private_addresses),
        body=row.body.encode(),
        event_id=row.event_id,
        event=row.event,
        attempts=row.attempts,
    )
    session.commit()
    return info


def _signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> tuple[str, ...]:
    keys = [endpoint.secret]
    until = endpoint.previous_secret_until
    if endpoint.previous_secret and until is not None and until > now:
        keys.append(endpoint.previous_secret)
    return tuple(keys)


def _post(claim: _Claimed, delivery_id: int) -> tuple[int | None, str]:
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
        signing.DELIVERY_HEADER: str(delivery_id),
    }
    try:
        response = _client().post(claim.url, content=claim.body, headers=headers)
    except httpx.HTTPError as exc:
        return None, type(exc).__name__
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"http_{response.status_code}"


def _settle(
    session: Session, delivery_id: int, status: int | None, error: str, now: datetime
) -> Outcome:
    row = session.get(WebhookDelivery, delivery_id)
    assert row is not None
    row.attempts += 1
    row.last_status, row.last_error, row.lease_until = status, error[:300], None
    if not error:
        row.status, row.delivered_at = "delivered", now
    elif row.attempts >= MAX_ATTEMPTS or error == "endpoint_off":
        row.status = "failed"
    else:
        wait = backoff(row.attempts)
        row.status, row.next_attempt_at = "pending", now + wait
        session.commit()
        return Outcome("retry", delivery_id, retry_in=wait.total_seconds())
    following = session.scalar(
        select(func.min(WebhookDelivery.id)).where(
            WebhookDelivery.endpoint_id == row.endpoint_id,
            WebhookDelivery.subject == row.subject,
            WebhookDelivery.id > row.id,
            WebhookDelivery.status == "pending",
        )
    )
    outcome = Outcome(row.status, delivery_id, next_in_line=following)
    session.commit()
    if error:
        log.warning(
            "webhook delivery failed",
            extra={"event": "integrations.delivery_failed", "delivery": delivery_id, "code": error},
        )
    return outcome


def attempt(db: Database, delivery_id: int, now: datetime | None = None) -> Outcome:
    """Try to send one delivery now (see the module's description)."""
    now = now or utcnow()
    with db.session() as session:
        claim = _claim(session, delivery_id, now)
    if isinstance(claim, str):
        return Outcome(claim, delivery_id)
    status, error = _post(claim, delivery_id)
    with db.session() as session:
        return _settle(session, delivery_id, status, error, now)


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
