"""What a candidate does through their personal link, without an account (SPEC D2, D4, D5).

The link carries a signed token naming one candidate and one invitation; every function here
starts from it and touches nothing else, so a token for candidate A can never reach candidate
B (the invitation must exist, belong to the token's candidate and be open).

Identity check (D4): the last four characters of the ID number on file, or else a one-time code
sent by e-mail/SMS (kept only as an HMAC, valid ten minutes, one per minute at most). Wrong
answers count; at the company's limit the link locks (longer each time) and the opening's
recruiters are alerted. A correct answer is recorded (time and method: HR sees "confirmed") and
yields an access value, signed and bound to the invitation's identity generation, which the
pages keep in a cookie and API clients send as ``X-Link-Access``.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, AppError, NotFound, TooManyAttempts, ValidationFailed
from hireflow.core.security import Signer
from hireflow.core.settings import Settings
from hireflow.core.timezones import TimeError
from hireflow.scheduling import invitation_messages, messages, schemas
from hireflow.scheduling.ai_interview import hooks
from hireflow.scheduling.errors import scheduling_error
from hireflow.scheduling.invitations import advance
from hireflow.scheduling.links import LinkClaims, LinkTokenError, read_link_token
from hireflow.scheduling.models import CandidateAvailability, Invitation, SchedulingPolicy
from hireflow.scheduling.policies import policy_for
from hireflow.scheduling.timeline import local_interval

CODE_VALID_MINUTES = 10
CODE_INTERVAL = timedelta(seconds=60)
CODES_PER_DAY = 6
ACCESS_HOURS = 12
MAX_LOCK = timedelta(hours=24)


class LinkGone(AppError):
    """A link that was valid once: expired, or its invitation was withdrawn."""

    status = 410
    code = "link_expired"
    message = N_("This interview link has expired. Please ask the recruiter for a new one.")


class LinkNeedsIdentity(AppError):
    status = 403
    code = "identity_required"
    message = N_("Please confirm your identity first.")


def open_link(
    session: Session,
    token: str,
    settings: Settings,
    now: datetime | None = None,
    *,
    mark_opened: bool = True,
) -> Invitation:
    """The invitation a token names, after checking signature, expiry and ownership.

    The first opening is recorded (the progress view's "opened").
    """
    now = now or utcnow()
    try:
        claims = _verified_claims(settings.secret_key, token)
    except LinkTokenError as exc:
        raise NotFound(N_("This interview link is not valid.")) from exc
    if now >= claims.expires_at:
        raise LinkGone()
    if not claims.invitation_id.isdigit() or not claims.candidate_id.isdigit():
        raise NotFound(N_("This interview link is not valid."))
    invitation = session.get(Invitation, int(claims.invitation_id))
    if invitation is None or invitation.candidate_id != int(claims.candidate_id):
        raise NotFound(N_("This interview link is not valid."))
    if invitation.status == "cancelled":
        raise LinkGone(N_("This invitation was withdrawn. Please contact the recruiter."))
    if invitation.status == "queued":
        # Not sent yet: the link cannot have reached anyone legitimately.
        raise NotFound(N_("This interview link is not valid."))
    if mark_opened and invitation.opened_at is None:
        invitation.opened_at = now
        advance(invitation, "opened")
        _audit_candidate(
            session,
            invitation,
            "invitation.opened",
        )
        session.commit()
    return invitation


# Every request of a candidate's interview presents the same link and access value; their
# signatures are checked once per process. Only what the signed text itself says is kept
# (ids, expiry, signing time), keyed by the secret and the exact text, so a hit can only
# return what checking again would: expiry and age are compared with the clock on every
# request, and everything that can be revoked (a withdrawn invitation, a reset identity
# check, a submitted interview) is read from the database on every request as before.
SIGNATURE_CACHE = 4096


@functools.lru_cache(maxsize=SIGNATURE_CACHE)
def _verified_claims(secret_key: str, token: str) -> LinkClaims:
    """The token's claims once its signature checks out (expiry is the caller's to check)."""
    return read_link_token(secret_key, token, _EPOCH)


@functools.lru_cache(maxsize=SIGNATURE_CACHE)
def _verified_access(secret_key: str, value: str) -> tuple[str, datetime] | None:
    return _signer(secret_key).unsign_timed(value)


_EPOCH = datetime.fromtimestamp(0, UTC)


def invitation_id_of(token: str, settings: Settings) -> int | None:
    """The invitation a correctly signed token names (nothing checked beyond the signature:
    :func:`open_link` does that), or None."""
    try:
        claims = _verified_claims(settings.secret_key, token)
    except LinkTokenError:
        return None
    return int(claims.invitation_id) if claims.invitation_id.isdigit() else None


# --------------------------------------------------------------------------- access


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, "invitation-access")


def access_value(settings: Settings, invitation: Invitation) -> str:
    return _signer(settings.secret_key).sign(f"{invitation.id}:{invitation.identity_generation}")


def has_access(settings: Settings, invitation: Invitation, value: str | None) -> bool:
    if not value or invitation.verified_at is None:
        return False
    signed = _verified_access(settings.secret_key, value)
    if signed is None:
        return False
    raw, signed_at = signed
    if (utcnow() - signed_at).total_seconds() > ACCESS_HOURS * 3600:
        return False
    return raw == f"{invitation.id}:{invitation.identity_generation}"


def require_access(settings: Settings, invitation: Invitation, value: str | None) -> None:
    if not has_access(settings, invitation, value):
        raise LinkNeedsIdentity()


def access_cookie_name(invitation: Invitation) -> str:
    return f"hf_link_{invitation.id}"


# --------------------------------------------------------------------------- identity


def identity_method(invitation: Invitation, id_number: str | None = None) -> str:
    """``id_last4`` when an ID number is on file, else ``code`` (sent by e-mail/SMS);
    ``id_number``: the one on file, when the caller read it already."""
    if id_number is None:
        id_number = id_number_on_file(invitation)
    return "id_last4" if len(id_number.strip()) >= 4 else "code"


def id_number_on_file(invitation: Invitation) -> str:
    """The ID number on file for the invitation's candidate ("" when none), read as that one
    column when the candidate is not loaded: loading the whole row decrypts every personal
    column of it (e-mail, phone, birth date, the resume's three documents) on each link
    request that only asks which identity check applies."""
    loaded = invitation.__dict__.get("candidate")
    session = object_session(invitation)
    if loaded is None and session is not None:
        found = session.scalar(
            select(Candidate.id_number).where(Candidate.id == invitation.candidate_id)
        )
    else:
        found = (loaded if loaded is not None else invitation.candidate).id_number
    return found or ""


def _code_hash(settings: Settings, invitation: Invitation, code: str) -> str:
    key = settings.secret_key.encode()
    message = f"identity-code:{invitation.id}:{invitation.identity_generation}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _check_lock(invitation: Invitation, now: datetime) -> None:
    if invitation.identity_locked_until is not None and invitation.identity_locked_until > now:
        seconds = int((invitation.identity_locked_until - now).total_seconds()) + 1
        raise TooManyAttempts(params={"seconds": seconds})


def _code_refused(code: str, unit: str, count: int, many: str, one: str) -> TooManyAttempts:
    """A new code asked for too soon: how long to wait, in words for one unit or several."""
    return TooManyAttempts(many if count > 1 else one, code=code, params={unit: count})


def send_code(
    session: Session, invitation: Invitation, settings: Settings, now: datetime | None = None
) -> int:
    """Send a new one-time code on every channel the candidate has; returns how many."""
    now = now or utcnow()
    _check_lock(invitation, now)
    if identity_method(invitation) != "code":
        raise ValidationFailed(N_("Enter the last four characters of your ID number instead."))
    if invitation.code_sent_at is not None:
        wait = invitation.code_sent_at + CODE_INTERVAL - now
        if wait > timedelta(0):
            # Not a wrong answer: a code was just sent and the next one must wait.
            raise _code_refused(
                "code_cooldown",
                "seconds",
                int(wait.total_seconds()) + 1,
                N_("A code was just sent. Wait %(seconds)s seconds before asking for a new one."),
                N_("A code was just sent. Wait a second before asking for a new one."),
            )
        if invitation.code_sent_at > now - timedelta(days=1) and (
            invitation.codes_sent >= CODES_PER_DAY
        ):
            # the count starts again a day after the last code
            left = invitation.code_sent_at + timedelta(days=1) - now
            raise _code_refused(
                "codes_per_day",
                "hours",
                math.ceil(left.total_seconds() / 3600),
                N_("No more codes today. Ask for a new one in %(hours)s hours."),
                N_("No more codes today. Ask for a new one within the hour."),
            )
        if invitation.code_sent_at <= now - timedelta(days=1):
            invitation.codes_sent = 0
    code = f"{secrets.randbelow(1_000_000):06d}"
    invitation.codes_sent += 1
    invitation.code_hash = _code_hash(settings, invitation, code)
    invitation.code_expires_at = now + timedelta(minutes=CODE_VALID_MINUTES)
    invitation.code_sent_at = now
    policy = policy_for(session, invitation.tenant_id)
    p = messages.parties(session, invitation)
    count = invitation_messages.identity_code_messages(session, p, code, CODE_VALID_MINUTES, policy)
    if count == 0:
        session.rollback()
        raise ValidationFailed(
            N_("We cannot reach you by e-mail or text message. Please contact the recruiter.")
        )
    _audit_candidate(
        session,
        invitation,
        "invitation.identity_code_sent",
        new={"channels": count},
    )
    session.commit()
    return count


def _normalise(answer: str) -> str:
    return "".join(ch for ch in answer.strip().upper() if ch.isalnum())


def _answer_ok(
    invitation: Invitation, id_number: str, given: str, settings: Settings, now: datetime
) -> bool:
    if identity_method(invitation, id_number) == "id_last4":
        expected = _normalise(id_number)[-4:]
        return len(given) == 4 and hmac.compare_digest(given, expected)
    return (
        bool(invitation.code_hash)
        and invitation.code_expires_at is not None
        and invitation.code_expires_at > now
        and hmac.compare_digest(_code_hash(settings, invitation, given), invitation.code_hash)
    )


def _audit_candidate(
    session: Session,
    invitation: Invitation,
    action: str,
    new: dict[str, Any] | None = None,
    old: dict[str, Any] | None = None,
) -> None:
    """An audit row for something the candidate did through their link."""
    audit.record(
        session,
        action,
        actor=None,
        tenant_id=invitation.tenant_id,
        actor_label="candidate",
        target_type="invitation",
        target_id=invitation.id,
        old=old,
        new=new,
    )


def verify(
    session: Session,
    invitation: Invitation,
    answer: str,
    settings: Settings,
    now: datetime | None = None,
) -> str:
    """Check the candidate's answer; returns the access value or raises (attempts counted)."""
    now = now or utcnow()
    _check_lock(invitation, now)
    id_number = id_number_on_file(invitation)
    method = identity_method(invitation, id_number)
    if _answer_ok(invitation, id_number, _normalise(answer), settings, now):
        first = invitation.verified_at is None
        invitation.verified_at = invitation.verified_at or now
        invitation.verify_method = method
        invitation.identity_failures = 0
        invitation.code_hash = ""
        advance(invitation, "verified")
        _audit_candidate(
            session, invitation, "invitation.identity_verified", {"method": method, "first": first}
        )
        session.commit()
        return access_value(settings, invitation)
    policy = policy_for(session, invitation.tenant_id)
    invitation.identity_failures += 1
    remaining = policy.identity_max_attempts - invitation.identity_failures
    if remaining > 0:
        _audit_candidate(
            session,
            invitation,
            "invitation.identity_failed",
            {"method": method, "failures": invitation.identity_failures},
        )
        session.commit()
        raise ValidationFailed(
            N_("That is not correct. %(remaining)s attempts left."),
            code="identity_wrong",
            params={"remaining": remaining},
            fields={"answer": "wrong"},
        )
    _lock_out(session, invitation, policy, settings, now)


def _lock_out(
    session: Session,
    invitation: Invitation,
    policy: SchedulingPolicy,
    settings: Settings,
    now: datetime,
) -> NoReturn:
    """Too many wrong answers: lock the link (longer each time) and alert the recruiters."""
    attempts = invitation.identity_failures
    invitation.identity_lockouts += 1
    lock = min(
        timedelta(minutes=policy.identity_lockout_minutes)
        * 2 ** (invitation.identity_lockouts - 1),
        MAX_LOCK,
    )
    invitation.identity_locked_until = now + lock
    invitation.identity_failures = 0
    invitation.code_hash = ""
    p = messages.parties(session, invitation)
    invitation_messages.identity_locked_messages(session, p, settings, policy, attempts)
    _audit_candidate(
        session,
        invitation,
        "invitation.identity_locked",
        {"until": invitation.identity_locked_until, "lockouts": invitation.identity_lockouts},
    )
    session.commit()
    raise TooManyAttempts(params={"seconds": int(lock.total_seconds())})


# --------------------------------------------------------------------------- language


def choose_language(session: Session, invitation: Invitation, language: str) -> bool:
    """The candidate switched language on their link: from now on this application speaks it
    (pages, codes, reminders, link API errors; the interview too if it has not started).

    Works before the identity check, so a code can be asked for in a language the candidate
    reads. Returns whether anything changed."""
    if language not in ("zh-CN", "en", "ja") or invitation.language == language:
        return False
    before = invitation.language
    invitation.language = language
    application = session.scalars(
        select(Application).where(
            Application.candidate_id == invitation.candidate_id,
            Application.opening_id == invitation.opening_id,
        )
    ).first()
    if application is not None:
        application.language = language
        application.locale_source = "candidate"
    on_language_change(session, invitation)
    _audit_candidate(
        session,
        invitation,
        "invitation.language_chosen",
        old={"language": before},
        new={"language": language},
    )
    session.commit()
    return True


def speak_to(state: Any, invitation: Invitation) -> None:
    """Answer (errors included) in the candidate's language, whatever the client asked for:
    ``state`` is the request's state, whose ``language`` the error handlers read."""
    if invitation.language in ("zh-CN", "en", "ja"):
        state.language = invitation.language


def on_language_change(session: Session, invitation: Invitation) -> None:
    """Let an AI interview that has not started follow the new language."""
    if invitation.kind != "ai":
        return
    hooks().follow_language(session, invitation)


# --------------------------------------------------------------------------- after the check


def record_device_check(
    session: Session, invitation: Invitation, data: schemas.DeviceCheckIn, *, device: str = ""
) -> None:
    """Keep the outcome for HR's progress view; the details go to the technical log.
    ``device`` is the class of the browser's device (desktop, phone, tablet: from its
    User-Agent), which the analytics count completion by."""
    invitation.device_checked_at = utcnow()
    invitation.device_ok = bool(data.camera and data.microphone and data.browser_ok)
    network = "fail" if data.network_ms is None else "ok" if data.network_ms < 1500 else "slow"
    invitation.device_result = {
        "browser": "ok" if data.browser_ok else "fail",
        "camera": "ok" if data.camera else "fail",
        "microphone": ("slow" if data.microphone_silent else "ok") if data.microphone else "fail",
        "network": network,
        "network_ms": data.network_ms,
        "recorder": data.recorder,
        "device": device,
    }
    _audit_candidate(
        session,
        invitation,
        "invitation.device_checked",
        new={
            "camera": data.camera,
            "microphone": data.microphone,
            "browser_ok": data.browser_ok,
            "network_ms": data.network_ms,
        },
    )
    session.commit()


def save_availability(
    session: Session,
    invitation: Invitation,
    data: schemas.CandidateAvailabilityIn,
    now: datetime | None = None,
) -> CandidateAvailability:
    """The candidate's stated zone and times (wall-clock in that zone), stored as instants."""
    now = now or utcnow()
    windows = []
    for window in data.windows:
        start, end = window.start, window.end
        if start.tzinfo is not None or end.tzinfo is not None:
            start, end = start.replace(tzinfo=None), end.replace(tzinfo=None)
        try:
            interval = local_interval(data.timezone, start.date(), start.time(), end.time())
        except TimeError as exc:
            raise scheduling_error(exc) from exc
        if end.date() != start.date() and end.date() != start.date() + timedelta(days=1):
            raise ValidationFailed(
                N_("A time window must end within a day of its start."), fields={"windows": "long"}
            )
        if interval.end <= now:
            raise ValidationFailed(N_("This time is in the past."), fields={"windows": "past"})
        if interval.start > now + timedelta(days=90):
            raise ValidationFailed(N_("This time is too far away."), fields={"windows": "far"})
        windows.append([interval.start.isoformat(), interval.end.isoformat()])
    row = session.scalars(
        select(CandidateAvailability).where(
            CandidateAvailability.candidate_id == invitation.candidate_id
        )
    ).first()
    if row is None:
        row = CandidateAvailability(
            tenant_id=invitation.tenant_id, candidate_id=invitation.candidate_id
        )
        session.add(row)
    row.timezone = data.timezone
    row.windows = windows
    row.preferred_start = data.preferred_start
    row.preferred_end = data.preferred_end
    row.updated_at = now
    if invitation.status not in ("completed", "cancelled"):
        invitation.timezone = data.timezone
    _audit_candidate(
        session,
        invitation,
        "invitation.availability_stated",
        new={"timezone": data.timezone, "windows": len(windows)},
    )
    session.commit()
    return row


def can_change(invitation: Invitation, session: Session, now: datetime | None = None) -> bool:
    """Whether the candidate may still book, move or cancel online."""
    now = now or utcnow()
    if invitation.kind == "ai" or invitation.status in ("cancelled", "completed"):
        return False
    booking = invitation.booking
    if booking is not None and booking.status == "active":
        policy = policy_for(session, invitation.tenant_id)
        return booking.start - now >= timedelta(hours=policy.change_cutoff_hours)
    return now <= invitation.deadline
