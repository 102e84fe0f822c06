"""Sending invitations (SPEC D2): who can be invited, previews, and the batch a send creates.

The request only checks and writes the invitation rows; the worker renders and sends them
(:mod:`hireflow.scheduling.sending`). An invitation's stage only moves forward (:func:`advance`).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, NotFound, ValidationFailed
from hireflow.core.permissions import Principal, get_visible, require_visible
from hireflow.core.settings import Settings
from hireflow.core.tasks import enqueue_on_commit
from hireflow.notifications import channel_settings, outbox
from hireflow.openings.models import Opening, OpeningMember
from hireflow.org.models import Tenant, User
from hireflow.scheduling import invitation_messages, messages, schemas
from hireflow.scheduling.ai_interview import planned_facts
from hireflow.scheduling.models import (
    CandidateAvailability,
    Invitation,
    InvitationBatch,
    SchedulingPolicy,
)
from hireflow.scheduling.policies import policy_for

# "sending": the messages are queued or in retry; "sent" once one of them is delivered
# (``_invitation_delivered``), "undeliverable" when every one of them failed.
STAGE_ORDER = ("queued", "sending", "sent", "opened", "verified", "booked", "completed")


OPEN_STATUSES = ("queued", "sending", "sent", "opened", "verified", "booked")


def staff_opening(
    session: Session, principal: Principal, opening_id: int, capability: str
) -> Opening:
    return require_visible(session, Opening, opening_id, principal, capability)


def _skip(candidate_id: int, reason: str, message: str) -> schemas.Skipped:
    return schemas.Skipped(candidate_id=candidate_id, reason=reason, message=message)


_SKIP_TEXT = {
    "unreachable": N_("No valid e-mail address or mobile number."),
    "already_invited": N_("Already has an open invitation of this kind for this opening."),
}


def _deadline(data: schemas.InvitationCreate, policy: SchedulingPolicy, now: datetime) -> datetime:
    deadline = data.deadline or (now + timedelta(days=policy.link_valid_days))
    if deadline <= now + timedelta(minutes=30):
        raise ValidationFailed(
            N_("The deadline must be at least 30 minutes in the future."),
            fields={"deadline": "past"},
        )
    if deadline > now + timedelta(days=366):
        raise ValidationFailed(N_("The deadline is too far away."), fields={"deadline": "far"})
    return deadline


def _recipients(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    opening: Opening,
    ids: list[int],
) -> dict[int, _Recipient]:
    """The candidates of a send as recipients (404 when one did not apply to the opening).

    Only the columns a send needs: loading whole people (with their encrypted fields) for a
    thousand candidates would cost the request more than everything else together. The
    language and zone are the application's (each application has its own), else the
    person's; HR's choices in this request override both.
    """
    applied = set(
        session.scalars(
            select(Application.candidate_id).where(
                Application.opening_id == opening.id,
                Application.tenant_id == principal.tenant_id,
                Application.candidate_id.in_(ids),
            )
        )
    )
    if len(applied) != len(ids):
        # Someone else's candidate, or one who did not apply: it does not exist for this call.
        raise NotFound()
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    stated = dict(
        session.execute(
            select(CandidateAvailability.candidate_id, CandidateAvailability.timezone).where(
                CandidateAvailability.candidate_id.in_(ids)
            )
        ).all()
    )
    return {
        row.id: _recipient(row, stated, tenant, data.locales.get(row.id))
        for row in session.execute(
            select(
                Candidate.id,
                Candidate.email,
                Candidate.language,
                Candidate.timezone,
                Application.language.label("app_language"),
                Application.timezone.label("app_timezone"),
            )
            .join(
                Application,
                (Application.candidate_id == Candidate.id) & (Application.opening_id == opening.id),
            )
            .where(Candidate.id.in_(ids), Candidate.tenant_id == principal.tenant_id)
        )
    }


def _check_panel(
    session: Session, principal: Principal, data: schemas.InvitationCreate, opening: Opening
) -> None:
    """The chosen interviewers exist (active, in the company); a live interview needs some."""
    if data.interviewer_ids:
        found = set(
            session.scalars(
                select(User.id).where(
                    User.id.in_(data.interviewer_ids),
                    User.tenant_id == principal.tenant_id,
                    User.is_active.is_(True),
                )
            )
        )
        if found != set(data.interviewer_ids):
            raise ValidationFailed(
                N_("An interviewer was not found."), fields={"interviewer_ids": "unknown"}
            )
    elif (
        data.kind != "ai"
        and not session.scalars(
            select(OpeningMember.id).where(
                OpeningMember.opening_id == opening.id, OpeningMember.role == "interviewer"
            )
        ).first()
    ):
        raise ValidationFailed(
            N_("Choose the interviewers: this opening has no interviewer panel."),
            fields={"interviewer_ids": "required"},
        )


def _prepare_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    policy: SchedulingPolicy,
    now: datetime,
) -> tuple[Opening, list[_Recipient], list[schemas.Skipped], datetime]:
    """Check a send request; returns the opening, who will be invited, who not and why."""
    opening = staff_opening(session, principal, data.opening_id, "invitations.send")
    deadline = _deadline(data, policy, now)
    ids = list(dict.fromkeys(data.candidate_ids))
    candidates = _recipients(session, principal, data, opening, ids)
    _check_panel(session, principal, data, opening)
    open_already = set(
        session.scalars(
            select(Invitation.candidate_id).where(
                Invitation.opening_id == opening.id,
                Invitation.kind == data.kind,
                Invitation.round_name == data.round_name,
                Invitation.candidate_id.in_(ids),
                Invitation.status.in_(OPEN_STATUSES),
            )
        )
    )
    sms_on = "sms" in policy.candidate_channels and "sms" in channel_settings.enabled_channels(
        session, principal.tenant_id
    )
    chosen: list[_Recipient] = []
    skipped: list[schemas.Skipped] = []
    for cid in ids:
        candidate = candidates[cid]
        if cid in open_already:
            skipped.append(_skip(cid, "already_invited", _SKIP_TEXT["already_invited"]))
            continue
        # A syntax check here keeps a thousand-candidate request fast; the worker validates
        # each address fully and marks anything unreachable as "undeliverable".
        reachable = bool(_PLAUSIBLE_EMAIL.match(candidate.email or "")) or (
            sms_on and messages.valid_mobile(_phone_of(session, cid))
        )
        if not reachable:
            skipped.append(_skip(cid, "unreachable", _SKIP_TEXT["unreachable"]))
            continue
        chosen.append(candidate)
    return opening, chosen, skipped, deadline


_PLAUSIBLE_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _phone_of(session: Session, candidate_id: int) -> str:
    return session.scalar(select(Candidate.phone).where(Candidate.id == candidate_id)) or ""


@dataclass(frozen=True)
class _Recipient:
    """A candidate as one send sees them: where to write, in which language and zone."""

    id: int
    email: str
    language: str
    timezone: str
    chosen_by_hr: bool = False


def _recipient(
    row: Any, stated: dict[int, str], tenant: Tenant, override: schemas.LocaleIn | None
) -> _Recipient:
    if override is not None:
        return _Recipient(row.id, row.email, override.language, override.timezone, True)
    language = row.app_language or row.language or tenant.default_language
    # A zone the candidate stated themselves beats any guess from their resume.
    zone = messages.safe_zone(
        stated.get(row.id) or row.app_timezone or row.timezone,
        messages.safe_zone(tenant.default_timezone, "Asia/Shanghai"),
    )
    return _Recipient(row.id, row.email, language, zone)


def _save_hr_locales(
    session: Session, principal: Principal, opening_id: int, chosen: list[_Recipient]
) -> None:
    """HR changed a candidate's language or zone before inviting: it is the application's now."""
    for recipient in chosen:
        if not recipient.chosen_by_hr:
            continue
        application = session.scalars(
            select(Application).where(
                Application.candidate_id == recipient.id, Application.opening_id == opening_id
            )
        ).one()
        if (application.language, application.timezone) == (
            recipient.language,
            recipient.timezone,
        ):
            continue
        audit.record(
            session,
            "application.locale_changed",
            actor=principal,
            target_type="application",
            target_id=application.id,
            old={"language": application.language, "timezone": application.timezone},
            new={"language": recipient.language, "timezone": recipient.timezone, "by": "hr"},
        )
        application.language = recipient.language
        application.timezone = recipient.timezone
        application.locale_source = "hr"


def preview_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    settings: Settings,
    now: datetime | None = None,
) -> schemas.PreviewOut:
    """What would be sent: who is skipped and why, and the message in each language used."""
    now = now or utcnow()
    policy = policy_for(session, principal.tenant_id)
    opening, chosen, skipped, deadline = _prepare_invitations(session, principal, data, policy, now)
    tenant = session.get(Tenant, principal.tenant_id)
    assert tenant is not None
    cache = outbox.TemplateCache(session, principal.tenant_id)
    samples: list[dict[str, Any]] = []
    seen_languages: set[str] = set()
    channels: dict[str, int] = {}
    for candidate in chosen:
        language = candidate.language
        draft = Invitation(
            id=0,
            tenant_id=principal.tenant_id,
            opening_id=opening.id,
            candidate_id=candidate.id,
            kind=data.kind,
            round_name=data.round_name,
            language=language,
            timezone=candidate.timezone,
            deadline=deadline,
            duration_minutes=data.duration_minutes or policy.duration_minutes,
            interviewer_ids=data.interviewer_ids,
            panel=data.panel,
        )
        p = messages.parties(session, draft)
        for channel, _address in messages.candidate_routes(session, p, policy):
            channels[channel] = channels.get(channel, 0) + 1
        if language in seen_languages or len(samples) >= 3:
            continue
        seen_languages.add(language)
        facts = (
            planned_facts(opening, language, draft.duration_minutes) if data.kind == "ai" else None
        )
        kind, context = invitation_messages.invitation_context(
            draft, p, "https://…/i/(personal link)", facts
        )
        rendered = outbox.render(cache, kind, language, context, draft.timezone)
        samples.append(
            {
                "language": language,
                "candidate_id": candidate.id,
                "subject": rendered.subject,
                "text": rendered.text,
                "sms": rendered.sms,
            }
        )
    return schemas.PreviewOut(
        count=len(chosen), skipped=skipped, samples=samples, channels=channels
    )


def _invitation_rows(
    principal: Principal,
    data: schemas.InvitationCreate,
    policy: SchedulingPolicy,
    opening: Opening,
    batch: InvitationBatch,
    chosen: list[_Recipient],
    deadline: datetime,
    now: datetime,
) -> list[dict[str, Any]]:
    duration = data.duration_minutes or policy.duration_minutes
    return [
        {
            "tenant_id": principal.tenant_id,
            "opening_id": opening.id,
            "candidate_id": c.id,
            "batch_id": batch.id,
            "kind": data.kind,
            "round_name": data.round_name,
            "status": "queued",
            "language": c.language,
            "timezone": c.timezone,
            "deadline": deadline,
            "duration_minutes": duration,
            "meeting_url": data.meeting_url,
            "materials": data.materials,
            "notes": data.notes,
            "interviewer_ids": data.interviewer_ids,
            "panel": data.panel and len(data.interviewer_ids) > 1,
            "created_by_id": principal.user_id,
            "created_at": now,
            "updated_at": now,
        }
        for c in chosen
    ]


def create_invitations(
    session: Session,
    principal: Principal,
    data: schemas.InvitationCreate,
    settings: Settings,
    now: datetime | None = None,
) -> tuple[InvitationBatch, list[schemas.Skipped], bool]:
    """Create the invitation rows of one send and enqueue one task for the worker.

    Returns (batch, skipped, created_now). The request does no rendering or sending, so it
    stays fast for a thousand candidates; the same ``request_key`` twice (a double click, a
    client retry) returns the first batch instead of inviting everyone again.
    """
    now = now or utcnow()
    request_key = data.request_key or secrets.token_hex(16)
    existing = session.scalars(
        select(InvitationBatch).where(
            InvitationBatch.tenant_id == principal.tenant_id,
            InvitationBatch.request_key == request_key,
        )
    ).first()
    if existing is not None:
        get_visible(session, InvitationBatch, existing.id, principal, "invitations.send")
        return existing, [], False
    policy = policy_for(session, principal.tenant_id)
    opening, chosen, skipped, deadline = _prepare_invitations(session, principal, data, policy, now)
    if not chosen:
        raise ValidationFailed(
            N_("None of the selected candidates can be invited (see the reasons listed)."),
            fields={"candidate_ids": "none"},
        )
    _save_hr_locales(session, principal, opening.id, chosen)
    batch = InvitationBatch(
        tenant_id=principal.tenant_id,
        opening_id=opening.id,
        kind=data.kind,
        request_key=request_key,
        total=len(chosen),
        status="queued",
        created_by_id=principal.user_id,
        created_at=now,
    )
    session.add(batch)
    session.flush()
    rows = _invitation_rows(principal, data, policy, opening, batch, chosen, deadline, now)
    # One executemany (psycopg pipelines it; SQLite runs it in one call). Multi-row VALUES
    # statements were measured slower here: compiling thousands of parameters costs more.
    session.execute(insert(Invitation), rows)
    audit.record(
        session,
        "invitations.created",
        actor=principal,
        target_type="invitation_batch",
        target_id=batch.id,
        new={
            "opening_id": opening.id,
            "kind": data.kind,
            "count": len(chosen),
            "candidate_ids": [c.id for c in chosen],
            "skipped": [s.candidate_id for s in skipped],
            "deadline": deadline,
        },
    )

    enqueue_on_commit(session, "scheduling.send_invitation_batch", batch.id)
    session.commit()
    return batch, skipped, True


def batch_view(session: Session, principal: Principal, batch_id: int) -> schemas.BatchOut:
    batch = require_visible(session, InvitationBatch, batch_id, principal, "invitations.read")
    counts = dict(
        session.execute(
            select(Invitation.status, func.count())
            .where(Invitation.batch_id == batch.id)
            .group_by(Invitation.status)
        ).all()
    )
    out = schemas.BatchOut.model_validate(batch)
    out.queued = int(counts.get("queued", 0))
    out.sent = sum(int(n) for status, n in counts.items() if status != "queued")
    return out


def staff_invitation(
    session: Session, principal: Principal, invitation_id: int, capability: str
) -> Invitation:
    return require_visible(session, Invitation, invitation_id, principal, capability)


def advance(invitation: Invitation, status: str) -> None:
    """Move the invitation's stage forward (never backwards, never out of a closed state)."""
    if invitation.status in ("cancelled", "completed"):
        return
    current = STAGE_ORDER.index(invitation.status if invitation.status in STAGE_ORDER else "sent")
    if STAGE_ORDER.index(status) > current:
        invitation.status = status
