"""Authentication: passwords, lock-out, browser sessions, bearer tokens and API keys."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, TooManyAttempts, Unauthorized, ValidationFailed
from hireflow.core.permissions import Grant, Principal, Role
from hireflow.core.security import (
    hash_password,
    new_token,
    password_needs_rehash,
    password_problem,
    token_hash,
    verify_password,
)
from hireflow.core.settings import Settings
from hireflow.org.models import AccessToken, User

BAD_CREDENTIALS = N_("Wrong email or password.")
MAX_LOCKOUT_SECONDS = 3600


def principal_for(user: User, auth: str = "session") -> Principal:
    """The permission layer's view of a user."""
    grants = tuple(
        Grant(Role(item.role), item.subsidiary_id, item.department_id) for item in user.roles
    )
    return Principal(
        user_id=user.id,
        tenant_id=user.tenant_id,
        name=user.name,
        grants=grants,
        language=user.language,
        timezone=user.timezone,
        auth=auth,
    )


def _lockout_seconds(settings: Settings, failures: int) -> int:
    """Back-off doubles with each failure past the limit, capped at an hour."""
    over = failures - settings.login_max_failures
    return min(settings.login_lockout_seconds * (2 ** max(over, 0)), MAX_LOCKOUT_SECONDS)


def authenticate(session: Session, settings: Settings, email: str, password: str) -> User:
    """Check credentials, applying lock-out; commits the outcome either way."""
    now = utcnow()
    user = session.scalars(
        select(User).where(User.email == email.strip().lower()).options(selectinload(User.roles))
    ).first()
    if user is not None and user.locked_until is not None and user.locked_until > now:
        seconds = int((user.locked_until - now).total_seconds()) + 1
        raise TooManyAttempts(params={"seconds": seconds})
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        if user is not None:
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + timedelta(
                    seconds=_lockout_seconds(settings, user.failed_logins)
                )
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
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(
        session, "auth.login", actor=principal_for(user), target_type="user", target_id=user.id
    )
    session.commit()
    return user


def issue_token(
    session: Session,
    user: User,
    kind: str,
    *,
    hours: int | None = None,
    name: str = "",
) -> tuple[str, AccessToken]:
    """Create a session/bearer/API-key secret; only its hash is stored. Caller commits."""
    prefix = {"session": "hfs", "bearer": "hfb", "api_key": "hfk"}[kind]
    raw = new_token(prefix)
    row = AccessToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=token_hash(raw),
        prefix=raw[:10],
        expires_at=utcnow() + timedelta(hours=hours) if hours else None,
    )
    session.add(row)
    session.flush()
    return raw, row


def resolve_token(session: Session, raw: str, kinds: tuple[str, ...]) -> tuple[User, str] | None:
    """The active user behind a secret, or None if unknown, expired, revoked or disabled."""
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
    user = session.scalars(
        select(User).where(User.id == row.user_id).options(selectinload(User.roles))
    ).first()
    if user is None or not user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > timedelta(minutes=5):
        # Throttled so a busy API client does not turn every read into a write.
        row.last_used_at = now
        session.commit()
    return user, row.kind


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
        audit.record(
            session, "auth.logout", actor=principal, target_type="user", target_id=principal.user_id
        )
        session.commit()


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
    audit.record(
        session, "auth.password_changed", actor=principal, target_type="user", target_id=user.id
    )
    session.commit()
