"""Webhook signatures, shaped like Stripe's.

Each request carries ``Hireflow-Signature: t=<unix seconds>,v1=<hex>`` where the hex is
HMAC-SHA256 over ``"<t>.<raw body>"`` with the endpoint's secret. While a rotated secret is in
its grace period a second ``v1=`` signed with the previous secret follows, so a receiver that
still knows only the old secret keeps accepting. Receivers compare in constant time and refuse
a ``t`` too far from their clock (replayed captures).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

SIGNATURE_HEADER = "Hireflow-Signature"
EVENT_ID_HEADER = "Hireflow-Event-Id"
EVENT_HEADER = "Hireflow-Event"
DELIVERY_HEADER = "Hireflow-Delivery"
TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of generated secrets, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: Iterable[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [f"v1={sign(s, timestamp, body)}" for s in secrets_]
    return ",".join(parts)


def verify(
    secret: str,
    header: str,
    body: bytes,
    *,
    tolerance: int = TOLERANCE_SECONDS,
    now: float | None = None,
) -> bool:
    """Whether ``header`` carries a valid, fresh signature of ``body`` under ``secret``."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit() and len(value) < 12:
            timestamp = int(value)
        elif key == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)
