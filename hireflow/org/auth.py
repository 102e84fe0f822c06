"""Authentication: passwords, lock-out, browser sessions, bearer tokens and API keys."""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hireflow.core import audit
from hireflow.core.audit import request_context
from hireflow.core.db import add_or_find, utcnow
from hireflow.core.errors import N_, TooManyAttempts, Unauthorized, ValidationFailed
from hireflow.core.permissions import API_SCOPES, Grant, Principal, Role
from hireflow.core.security import (
    hash_password,
    new_token,
    password_needs_rehash,
    password_problem,
    token_hash,
    verify_password,
)
from hireflow.core.settings import Settings, get_settings
from hireflow.org.models import AccessToken, LoginThrottle, User

BAD_CREDENTIALS = N_("Wrong email or password.")
# An address that signed in to an account lately skips that account's back-off for this long.
TRUSTED_ADDRESS_DAYS = 90
# What an API key may reach is only what its scopes (``AccessToken.scopes``) open: see
# core.permissions.API_SCOPES. A leaked key cannot mint keys or create administrators unless
# it was made for that.
API_KEY_SCOPES = tuple(API_SCOPES)


def principal_for(user: User, auth: str = "session", token: AccessToken | None = None) -> Principal:
    """The permission layer's view of a user (``token``: the API key it comes with, whose
    explicit scopes and expiry bound what the caller may do)."""
    grants = tuple(
        Grant(Role(item.role), item.subsidiary_id, item.department_id) for item in user.roles
    )
    extra: dict[str, object] = {}
    if auth == "api_key":
        extra["key_scopes"] = frozenset((token.scopes if token else "").split())
        extra["key_expires_at"] = token.expires_at if token else None
    return Principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        name=user.name,
        grants=grants,
        language=user.language,
        timezone=user.timezone,
        auth=auth,
        extra=extra,
    )


# --- sign-in throttling --------------------------------------------------------------------
#
# Three counters per failed attempt, each with its own limit:
#   pair     (address, account): the owner's typos and a single guesser; back-off doubles.
#   address  (any accounts): one address spraying passwords over many accounts.
#   account  (any addresses): a guesser spread over many addresses; a slower back-off that
#            addresses the account signed in from lately ("trusted") do not feel.
# An attacker can therefore lock only themselves out; the owner keeps signing in from their
# usual address, and from a new one after the back-off. Unknown emails are counted exactly
# like known ones, so the answers (401, then 429 with the same wait) reveal nothing.


def _key(settings: Settings, scope: str, value: str) -> str:
    digest = hmac.new(settings.secret_key.encode(), f"{scope}:{value}".encode(), "sha256")
    return digest.hexdigest()


def _backoff(base: int, failures: int, limit: int, cap: int) -> int:
    """Seconds to wait once ``failures`` reached ``limit``: doubling, capped."""
    return min(base * (2 ** max(failures - limit, 0)), cap)


def _load(session: Session, keys: dict[str, str]) -> dict[str, LoginThrottle]:
    rows = session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys.values())))
    by_key = {row.key: row for row in rows}
    return {scope: by_key[key] for scope, key in keys.items() if key in by_key}


def _row(session: Session, rows: dict[str, LoginThrottle], scope: str, key: str) -> LoginThrottle:
    """The counter row, created if missing (a concurrent creator wins, we re-read)."""
    row = rows.get(scope)
    if row is not None:
        return row
    now = utcnow()
    row = LoginThrottle(
        key=key,
        scope="trusted" if scope == "trusted" else scope,
        failures=0,
        window_started_at=now,
        updated_at=now,
    )
    taken = select(LoginThrottle).where(LoginThrottle.key == key)
    row, _created = add_or_find(session, row, lambda: session.scalars(taken).one())
    rows[scope] = row
    return row


def _limits(settings: Settings) -> dict[str, int]:
    return {
        "pair": settings.login_max_failures,
        "address": settings.login_address_max_failures,
        "account": settings.login_account_max_failures,
    }


def _wait_seconds(rows: dict[str, LoginThrottle], now: datetime, trusted: bool) -> int:
    waits = [
        int((row.locked_until - now).total_seconds()) + 1
        for scope, row in rows.items()
        if scope in ("pair", "address", "account")
        and not (scope == "account" and trusted)
        and row.locked_until is not None
        and row.locked_until > now
    ]
    return max(waits, default=0)


def _count_failure(
    session: Session, settings: Settings, rows: dict[str, LoginThrottle], keys: dict[str, str]
) -> None:
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    for scope, limit in _limits(settings).items():
        row = _row(session, rows, scope, keys[scope])
        idle = row.locked_until is None or row.locked_until <= now
        if idle and now - row.window_started_at > window:
            row.failures = 0
            row.window_started_at = now
        row.failures += 1
        row.updated_at = now
        if row.failures >= limit:
            seconds = _backoff(
                settings.login_lockout_seconds,
                row.failures,
                limit,
                settings.login_max_lockout_seconds,
            )
            row.locked_until = now + timedelta(seconds=seconds)


def authenticate(
    session: Session,
    settings: Settings,
    email: str,
    password: str,
    address: str | None = None,
) -> User:
    """Check credentials under the sign-in throttle; commits the outcome either way.

    ``address`` is the client's address (default: the current request's).
    """
    now = utcnow()
    email = email.strip().lower()
    if address is None:
        address = request_context.get().ip
    address = address or "-"
    keys = {
        "pair": _key(settings, "pair", f"{address}|{email}"),
        "address": _key(settings, "address", address),
        "account": _key(settings, "account", email),
        "trusted": _key(settings, "trusted", f"{address}|{email}"),
    }
    rows = _load(session, keys)
    trusted_row = rows.get("trusted")
    trusted = trusted_row is not None and now - trusted_row.updated_at < timedelta(
        days=TRUSTED_ADDRESS_DAYS
    )
    wait = _wait_seconds(rows, now, trusted)
    if wait:
        raise TooManyAttempts(params={"seconds": wait})
    user = session.scalars(
        select(User).where(User.email == email).options(selectinload(User.roles))
    ).first()
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        _count_failure(session, settings, rows, keys)
        if user is not None:
            user.failed_logins += 1
            audit.record(
                session,
                "auth.login_failed",
                actor=None,
                actor_label="anonymous",
                tenant_id=user.tenant_id,
                target_type="user",
                target_id=user.id,
                new={"failed_logins": user.failed_logins},
            )
        session.commit()
        raise Unauthorized(BAD_CREDENTIALS, code="bad_credentials")
    # Success clears this address's own count for the account (the owner's typos), not the
    # address-wide or account-wide ones an attacker could otherwise reset with their own account.
    if "pair" in rows:
        session.delete(rows.pop("pair"))
    _row(session, rows, "trusted", keys["trusted"]).updated_at = now
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.commit_on(session, "auth.login", principal_for(user), ("user", user.id))
    return user


def purge_login_throttles(session: Session) -> int:
    """Forget counters long idle and trusted addresses not seen lately (housekeeping)."""
    now = utcnow()
    idle = now - timedelta(days=1)
    stale = now - timedelta(days=TRUSTED_ADDRESS_DAYS)
    rows = session.scalars(
        select(LoginThrottle).where(
            ((LoginThrottle.scope != "trusted") & (LoginThrottle.updated_at < idle))
            | (LoginThrottle.updated_at < stale)
        )
    ).all()
    for row in rows:
        if row.locked_until is None or row.locked_until < now:
            session.delete(row)
    session.commit()
    return len(rows)


def issue_token(
    session: Session,
    user: User,
    kind: str,
    *,
    hours: int | None = None,
    name: str = "",
    scopes: tuple[str, ...] = (),
) -> tuple[str, AccessToken]:
    """Create a session/bearer/API-key secret; only its hash is stored. Caller commits.

    An API key always expires: at most ``api_key_max_days`` after it is made.
    """
    prefix = {"session": "hfs", "bearer": "hfb", "api_key": "hfk"}[kind]
    if kind == "api_key":
        longest = get_settings().api_key_max_days * 24
        hours = min(hours or longest, longest)
    raw = new_token(prefix)
    row = AccessToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=token_hash(raw),
        prefix=raw[:10],
        expires_at=utcnow() + timedelta(hours=hours) if hours else None,
        scopes=" ".join(sorted(set(scopes))) if kind == "api_key" else "",
    )
    session.add(row)
    session.flush()
    return raw, row


def resolve_token(
    session: Session, raw: str, kinds: tuple[str, ...]
) -> tuple[User, AccessToken] | None:
    """The active user behind a secret and its token row, or None if unknown, expired,
    revoked or disabled."""
    if not raw or len(raw) > 200:
        return None
    row = session.scalars(
        select(AccessToken).where(AccessToken.token_hash == token_hash(raw))
    ).first()
    now = utcnow()
    if row is None or row.kind not in kinds or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    if row.kind == "api_key" and row.expires_at is None:
        return None  # keys made before lifetimes were enforced and not migrated
    user = session.scalars(
        select(User).where(User.id == row.user_id).options(selectinload(User.roles))
    ).first()
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        # Throttled so a busy API client does not turn every read into a write.
        row.last_used_at = now
        session.commit()
    return user, row


def revoke_token(session: Session, raw: str) -> None:
    row = session.scalars(
        select(AccessToken).where(AccessToken.token_hash == token_hash(raw))
    ).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        session.commit()


def login(
    session: Session, settings: Settings, email: str, password: str, kind: str = "session"
) -> tuple[str, datetime | None, User]:
    """Authenticate and open a session (or bearer token); returns the raw secret."""
    user = authenticate(session, settings, email, password)
    raw, row = issue_token(session, user, kind, hours=settings.session_hours)
    session.commit()
    return raw, row.expires_at, user


def logout(session: Session, raw: str, principal: Principal | None) -> None:
    revoke_token(session, raw)
    if principal is not None:
        audit.commit_on(session, "auth.logout", principal, ("user", principal.user_id))


def change_password(session: Session, principal: Principal, current: str, new: str) -> None:
    user = session.get(User, principal.user_id)
    if user is None or not verify_password(user.password_hash, current):
        raise ValidationFailed(
            N_("The current password is wrong."), fields={"current_password": "wrong"}
        )
    problem = password_problem(new)
    if problem:
        raise ValidationFailed(problem, fields={"new_password": "weak"})
    user.password_hash = hash_password(new)
    # Every other session ends: a changed password usually means a suspected leak.
    for token in session.scalars(
        select(AccessToken).where(
            AccessToken.user_id == user.id,
            AccessToken.kind.in_(("session", "bearer")),
            AccessToken.revoked_at.is_(None),
        )
    ):
        token.revoked_at = utcnow()
    audit.commit_on(session, "auth.password_changed", principal, ("user", user.id))
