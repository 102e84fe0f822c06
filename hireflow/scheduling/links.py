"""Signed, expiring, single-candidate personal interview links (SPEC D1, D4).

A token binds one candidate to one invitation until an expiry instant, signed with
itsdangerous (HMAC-SHA1 over a salted key derivation, URL-safe). The secret is passed in, never
read from settings here; pass a list of secrets to rotate keys (the last one signs, all of them
verify). The token is not encrypted: it carries only opaque ids, never personal data.

Expiry is explicit (an instant chosen by HR, e.g. the invitation deadline) rather than a
maximum age, and ``now`` is passed in, so the functions stay pure and testable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

from hireflow.core.errors import Messages
from hireflow.scheduling.timeline import SchedulingError, require_aware

__all__ = ["LinkClaims", "LinkTokenError", "make_link_token", "read_link_token"]

_SALT = "hireflow.interview-link.v1"

_LINK_MESSAGES: dict[str, tuple[str, str]] = {
    "link_expired": (
        "This interview link expired on {expired}. Ask the recruiter for a new one.",
        "该面试链接已于 {expired} 过期,请联系招聘人员重新发送。",
    ),
    "link_invalid": (
        "This interview link is not valid (it was altered or cut short).",
        "该面试链接无效(可能被修改或不完整)。",
    ),
    "link_wrong_candidate": (
        "This interview link belongs to someone else.",
        "该面试链接不属于当前用户。",
    ),
    "link_expiry_in_past": (
        "A link cannot be issued with an expiry in the past.",
        "不能生成已过期的链接。",
    ),
    "link_bad_id": (
        "Candidate and invitation ids must be non-empty text without spaces.",
        "候选人和邀请编号必须是不含空格的非空文本。",
    ),
}


class LinkTokenError(SchedulingError):
    """An interview link that cannot be honoured; ``code`` is one of ``_LINK_MESSAGES``."""

    MESSAGES: Messages = _LINK_MESSAGES


@dataclass(frozen=True)
class LinkClaims:
    candidate_id: str
    invitation_id: str
    expires_at: datetime


def _serializer(secret: str | bytes | Sequence[str | bytes]) -> URLSafeSerializer:
    if isinstance(secret, str | bytes):
        if not secret:
            raise ValueError("the link secret must not be empty")
        keys: list[str | bytes] = [secret]
    else:
        keys = list(secret)
        if not keys or not all(keys):
            raise ValueError("the link secrets must not be empty")
    return URLSafeSerializer(keys, salt=_SALT)


def _check_id(value: object) -> str:
    if not isinstance(value, str) or not value or any(ch.isspace() for ch in value):
        raise LinkTokenError("link_bad_id")
    return value


def make_link_token(
    secret: str | bytes | Sequence[str | bytes],
    candidate_id: str,
    invitation_id: str,
    expires_at: datetime,
    *,
    now: datetime | None = None,
) -> str:
    """A URL-safe token for one candidate's invitation, valid until ``expires_at``.

    If ``now`` is given, an expiry not after it is refused (``link_expiry_in_past``).
    """
    require_aware(expires_at, "expires_at")
    if now is not None and expires_at <= require_aware(now, "now"):
        raise LinkTokenError("link_expiry_in_past")
    payload = {
        "c": _check_id(candidate_id),
        "i": _check_id(invitation_id),
        "e": int(expires_at.timestamp()),
    }
    return _serializer(secret).dumps(payload)


def read_link_token(
    secret: str | bytes | Sequence[str | bytes],
    token: str,
    now: datetime,
    *,
    candidate_id: str | None = None,
) -> LinkClaims:
    """Verify ``token`` and return its claims.

    Raises :class:`LinkTokenError`: ``link_invalid`` for a tampered, truncated or foreign
    token, ``link_expired`` once ``now`` reaches the expiry, and ``link_wrong_candidate`` when
    ``candidate_id`` is given (e.g. the signed-in candidate) and differs from the token's.
    The signature is checked before anything in the payload is trusted.
    """
    require_aware(now, "now")
    if not isinstance(token, str) or not token or len(token) > 2048:
        raise LinkTokenError("link_invalid")
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise LinkTokenError("link_invalid") from exc
    if (
        not isinstance(payload, dict)
        or set(payload) != {"c", "i", "e"}
        or not isinstance(payload["e"], int)
        or not isinstance(payload["c"], str)
        or not isinstance(payload["i"], str)
    ):
        raise LinkTokenError("link_invalid")
    expires_at = datetime.fromtimestamp(payload["e"], UTC)
    if now >= expires_at:
        raise LinkTokenError("link_expired", expired=expires_at.isoformat())
    if candidate_id is not None and candidate_id != payload["c"]:
        raise LinkTokenError("link_wrong_candidate")
    return LinkClaims(payload["c"], payload["i"], expires_at)
