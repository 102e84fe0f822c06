"""An offer's life (SPEC H3): made from a template, approved step by step, sent, withdrawn,
expired and reminded. The candidate's side is in ``portal``; the hire in ``hire``.

Every write checks the caller (``offers.manage`` / ``offers.approve`` on the offer's opening;
anything outside their reach answers 404 like a missing offer), audits in the same
transaction and commits.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core import audit, events
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, ValidationFailed
from hireflow.core.i18n import format_datetime
from hireflow.core.permissions import Principal, Role, get_visible, require_visible
from hireflow.core.settings import Settings
from hireflow.notifications import outbox
from hireflow.notifications.channels import Attachment
from hireflow.offers import configuration, messages, schemas
from hireflow.offers.defaults import APPROVER_LABELS, LETTER_BODY, STATUS_LABELS
from hireflow.offers.errors import (
    LazyText,
    OfferConflict,
    OfferError,
    OfferForbidden,
    OfferLocked,
    OfferNotApproved,
)
from hireflow.offers.links import candidate_link
from hireflow.offers.models import (
    CLOSED_STATUSES,
    Offer,
    OfferApproval,
    OfferSettings,
    OfferTemplate,
)
from hireflow.offers.pdf import PDF_LANGUAGES, Letter, digest, pdf_language, render_pdf
from hireflow.offers.pipeline import move_to_kind
from hireflow.openings.models import Opening
from hireflow.org.models import Department, Tenant, User
from hireflow.org.role_holders import role_holders
from hireflow.records import service as records
from hireflow.records.service import SystemActor

# Offers that still stand for their application (a new one cannot be made beside them).
STANDING = ("draft", "pending_approval", "approved", "rejected", "sent", "accepted")


def visible_offer(
    session: Session, principal: Principal, offer_id: int, capability: str = "offers.read"
) -> Offer:
    """The offer if the caller may use it for ``capability``, else 404 (403: not at all)."""
    return require_visible(session, Offer, offer_id, principal, capability)


def status_error(cls: type[OfferError], offer: Offer) -> OfferError:
    return cls(params={"status": status_word(offer.status)}, fields={"status": offer.status})


def status_word(status: str) -> LazyText:
    return LazyText(STATUS_LABELS.get(status, status))


def approvals(session: Session, offer: Offer) -> list[OfferApproval]:
    return list(
        session.scalars(
            select(OfferApproval)
            .where(OfferApproval.offer_id == offer.id)
            .order_by(OfferApproval.round, OfferApproval.step)
        )
    )


# --------------------------------------------------------------------------- making


def _manager(
    session: Session, principal: Principal, opening: Opening | None, user_id: int | None
) -> int | None:
    """The new employee's manager: the one named, else the department's hiring manager."""
    if user_id is None:
        managers = (
            role_holders(
                session, opening.tenant_id, Role.HIRING_MANAGER, department_id=opening.department_id
            )
            if opening
            else []
        )
        return managers[0].id if managers else None
    user = session.get(User, user_id)
    if user is None or user.tenant_id != principal.tenant_id:
        raise ValidationFailed(N_("Unknown manager."), fields={"manager_id": "unknown"})
    return user.id


def _start_date(value: date | None, today: date) -> date:
    if value is None:
        raise ValidationFailed(
            N_("The offer needs a start date (the template has none)."),
            fields={"start_date": "required"},
        )
    if value < today:
        raise ValidationFailed(
            N_("The start date cannot be in the past."), fields={"start_date": "past"}
        )
    return value


def _audit(
    session: Session,
    principal: Principal,
    action: str,
    offer: Offer,
    *,
    new: dict[str, Any],
    old: dict[str, Any] | None = None,
) -> None:
    """The audit row of what ``principal`` did to ``offer`` (in the caller's transaction)."""
    audit.record_on(session, action, principal, ("offer", offer.id), old=old, new=new)


def create_offer(
    session: Session,
    principal: Principal,
    application_id: int,
    data: schemas.OfferIn,
    *,
    now: datetime | None = None,
) -> Offer:
    """An offer for one application from a template (the template's terms are copied)."""
    now = now or utcnow()
    application = require_visible(session, Application, application_id, principal, "offers.manage")
    standing = session.scalars(
        select(Offer).where(Offer.application_id == application.id, Offer.status.in_(STANDING))
    ).first()
    if standing is not None:
        raise OfferConflict(
            N_("This application has an offer already (%(status)s)."),
            params={"status": status_word(standing.status)},
            fields={"application_id": "has_offer"},
        )
    template = get_visible(session, OfferTemplate, data.template_id, principal, "offers.manage")
    if not template.active:
        raise ValidationFailed(
            N_("This template is no longer in use."), fields={"template_id": "inactive"}
        )
    opening = application.opening
    candidate = application.candidate
    offer = Offer(
        tenant_id=application.tenant_id,
        application_id=application.id,
        candidate_id=application.candidate_id,
        opening_id=application.opening_id,
        template_id=template.id,
        status="draft",
        salary=data.salary if data.salary is not None else template.salary,
        currency=data.currency or template.currency,
        salary_period=data.salary_period or template.salary_period,
        start_date=_start_date(data.start_date or template.start_date, now.date()),
        probation_months=(
            data.probation_months
            if data.probation_months is not None
            else template.probation_months
        ),
        required_documents=list(template.required_documents),
        location=data.location if data.location is not None else template.location,
        body=dict(template.body),
        language=application.language or candidate.language or "zh-CN",
        valid_days=data.valid_days or template.valid_days,
        manager_id=_manager(session, principal, opening, data.manager_id),
        created_by_id=principal.user_id,
    )
    session.add(offer)
    session.flush()
    _audit(
        session,
        principal,
        "offer.created",
        offer,
        new={"application": application.id, "template": template.id, **_terms(offer)},
    )
    session.commit()
    return offer


def _terms(offer: Offer) -> dict[str, object]:
    return {
        "salary": offer.salary,
        "currency": offer.currency,
        "period": offer.salary_period,
        "start_date": offer.start_date.isoformat(),
        "probation_months": offer.probation_months,
        "valid_days": offer.valid_days,
    }


def update_offer(
    session: Session, principal: Principal, offer_id: int, data: schemas.OfferUpdate
) -> Offer:
    """Change a draft or a refused offer (one that is waiting, approved or sent is locked)."""
    offer = visible_offer(session, principal, offer_id, "offers.manage")
    if offer.status not in ("draft", "rejected"):
        raise status_error(OfferLocked, offer)
    old = _terms(offer)
    changes = data.model_dump(exclude_unset=True, exclude_none=True)
    if "start_date" in changes:
        changes["start_date"] = _start_date(changes["start_date"], utcnow().date())
    if "manager_id" in changes:
        changes["manager_id"] = _manager(
            session, principal, session.get(Opening, offer.opening_id), changes["manager_id"]
        )
    for key, value in changes.items():
        setattr(offer, key, value)
    offer.version += 1
    _audit(session, principal, "offer.changed", offer, old=old, new=_terms(offer))
    session.commit()
    return offer


# --------------------------------------------------------------------------- approvals


def _yearly(amount: int, period: str) -> int:
    return amount * 12 if period == "month" else amount


def above_band(offer: Offer, settings: OfferSettings) -> bool:
    """Whether the HR head must approve: above the band, or in another currency than it."""
    if offer.currency != settings.band_currency:
        return True
    return _yearly(offer.salary, offer.salary_period) > _yearly(
        settings.salary_band, settings.band_period
    )


def chain_for(offer: Offer, settings: OfferSettings) -> list[str]:
    """The approver roles, in order, this offer needs."""
    steps = []
    if settings.manager_approval:
        steps.append("hiring_manager")
    if above_band(offer, settings):
        steps.append("hr_head")
    return steps


def _approvers(session: Session, offer: Offer, role: str, settings: OfferSettings) -> list[User]:
    if role == "hiring_manager":
        opening = session.get(Opening, offer.opening_id)
        if opening is None or opening.department_id is None:
            return []
        return role_holders(
            session, offer.tenant_id, Role.HIRING_MANAGER, department_id=opening.department_id
        )
    if settings.hr_head_id is not None:
        head = session.get(User, settings.hr_head_id)
        return [head] if head is not None else []
    return role_holders(session, offer.tenant_id, Role.HR_ADMIN)


def _ask(
    session: Session, settings_: Settings, offer: Offer, step: OfferApproval, chain: OfferSettings
) -> None:
    """Tell the approvers of ``step`` that the offer waits for them."""
    for user in _approvers(session, offer, step.role, chain):
        _tell_staff(
            session,
            settings_,
            offer,
            user,
            "offer.approval",
            f"offer:{offer.id}:approval:{step.round}:{step.step}:{user.id}",
        )


def _tell_staff(
    session: Session,
    settings_: Settings,
    offer: Offer,
    user: User,
    kind: str,
    dedupe_key: str,
    **params: object,
) -> None:
    """An e-mail to a member of staff about the offer: its position, a link to its page and
    ``params``."""
    opening = session.get(Opening, offer.opening_id)
    messages.queue(
        session,
        offer.tenant_id,
        kind,
        **messages.to_user(
            user,
            {
                "position": opening.title if opening else "",
                "link": messages.link(settings_, f"/applications/{offer.application_id}/offer"),
                **params,
            },
        ),
        dedupe_key=dedupe_key,
        related=("offer", offer.id),
        opening_id=offer.opening_id,
    )


def submit(session: Session, principal: Principal, offer_id: int, settings_: Settings) -> Offer:
    """Start the approval chain (an offer needing no approval is approved at once)."""
    offer = visible_offer(session, principal, offer_id, "offers.manage")
    if offer.status not in ("draft", "rejected"):
        raise status_error(OfferLocked, offer)
    chain = configuration.approval_settings(session, offer.tenant_id)
    steps = chain_for(offer, chain)
    last_round = session.scalar(
        select(func.max(OfferApproval.round)).where(OfferApproval.offer_id == offer.id)
    )
    round_ = (last_round or 0) + 1
    rows = [
        OfferApproval(
            tenant_id=offer.tenant_id,
            offer_id=offer.id,
            opening_id=offer.opening_id,
            round=round_,
            step=index,
            role=role,
        )
        for index, role in enumerate(steps, start=1)
    ]
    session.add_all(rows)
    offer.status = "pending_approval" if rows else "approved"
    _audit(
        session,
        principal,
        "offer.submitted",
        offer,
        new={"round": round_, "chain": steps, "status": offer.status},
    )
    if rows:
        session.flush()
        _ask(session, settings_, offer, rows[0], chain)
    session.commit()
    return offer


def _may_decide(principal: Principal, step: OfferApproval, chain: OfferSettings) -> bool:
    if step.role == "hiring_manager":
        return Role.HIRING_MANAGER in principal.roles
    head = chain.hr_head_id
    return Role.HR_ADMIN in principal.roles and head in (None, principal.user_id)


def decide(
    session: Session,
    principal: Principal,
    offer_id: int,
    data: schemas.DecisionIn,
    settings_: Settings,
    *,
    now: datetime | None = None,
) -> Offer:
    """Approve or refuse the step the offer waits for (only its role may)."""
    now = now or utcnow()
    offer = visible_offer(session, principal, offer_id, "offers.approve")
    if offer.status != "pending_approval":
        raise OfferConflict(
            N_("This offer is not waiting for approval (it is “%(status)s”)."),
            params={"status": status_word(offer.status)},
            fields={"status": offer.status},
        )
    pending = [a for a in approvals(session, offer) if a.status == "pending"]
    step = min(pending, key=lambda a: (a.round, a.step))
    chain = configuration.approval_settings(session, offer.tenant_id)
    if not _may_decide(principal, step, chain):
        raise OfferForbidden(
            N_("This step waits for the %(role)s."),
            params={"role": LazyText(APPROVER_LABELS[step.role])},
        )
    step.status = "approved" if data.approve else "refused"
    step.decided_by_id = principal.user_id
    step.decided_at = now
    step.comment = data.comment.strip() or None
    rest = [a for a in pending if a is not step]
    if not data.approve:
        for other in rest:
            other.status = "skipped"
        offer.status = "rejected"
    elif not rest:
        offer.status = "approved"
    _audit(
        session,
        principal,
        "offer.approved" if data.approve else "offer.approval_refused",
        offer,
        new={"round": step.round, "step": step.step, "role": step.role, "status": offer.status},
    )
    _publish_decided(session, offer, step)
    if data.approve and rest:
        session.flush()
        _ask(session, settings_, offer, min(rest, key=lambda a: a.step), chain)
    session.commit()
    return offer


def _publish_decided(session: Session, offer: Offer, step: OfferApproval) -> None:
    """``offer.decided``: each approver's decision reaches the person's record (and webhooks)."""
    assert step.decided_by_id is not None
    events.publish(
        session,
        "offer.decided",
        offer.tenant_id,
        f"offer:{offer.id}",
        {
            "offer_id": offer.id,
            "application_id": offer.application_id,
            "opening_id": offer.opening_id,
            "round": step.round,
            "step": step.step,
            "role": step.role,
            "decision": step.status,
            "approver": step.decided_by_id,
            "status": offer.status,
        },
    )


# --------------------------------------------------------------------------- sending


@dataclass(frozen=True)
class Parties:
    """The rows an offer's letter and messages name."""

    tenant: Tenant
    candidate: Candidate
    application: Application
    opening: Opening
    department: Department | None


def parties(session: Session, offer: Offer) -> Parties:
    application = session.get(Application, offer.application_id)
    assert application is not None
    opening = application.opening
    return Parties(
        tenant=session.get(Tenant, offer.tenant_id),  # type: ignore[arg-type]
        candidate=application.candidate,
        application=application,
        opening=opening,
        department=session.get(Department, opening.department_id)
        if opening.department_id
        else None,
    )


def letter(session: Session, offer: Offer, language: str) -> Letter:
    """The offer's letter in ``language`` ("zh", "en" or "ja"); a template without Japanese
    text gives the built-in Japanese letter text."""
    who = parties(session, offer)
    return Letter(
        language=language,
        company=who.tenant.name,
        name=who.candidate.name,
        position=who.opening.title,
        department=who.department.name if who.department else "",
        **offer.shown_terms(),
        body=str(offer.body.get(language) or LETTER_BODY.get(language, "")),
        documents=list(offer.required_documents),
        expires_at=offer.expires_at,
        timezone=who.candidate.timezone or "Asia/Shanghai",
        reference=f"OFFER-{offer.id}",
    )


def letter_pdf(session: Session, principal: Principal, offer_id: int, language: str) -> bytes:
    """The letter as PDF for staff (preview before sending, or the letter as sent)."""
    offer = visible_offer(session, principal, offer_id, "offers.read")
    if language not in PDF_LANGUAGES:
        raise ValidationFailed(
            N_("The letter is in Chinese (zh), English (en) or Japanese (ja)."),
            fields={"lang": "unknown"},
        )
    return render_pdf(letter(session, offer, language))


def send(
    session: Session,
    principal: Principal,
    offer_id: int,
    settings_: Settings,
    *,
    now: datetime | None = None,
) -> Offer:
    """Send an approved offer: the letter in the candidate's language goes into their record
    and to them with their personal link; the application moves to the offer stage."""
    now = now or utcnow()
    offer = visible_offer(session, principal, offer_id, "offers.manage")
    if offer.status != "approved":
        raise status_error(OfferNotApproved, offer)
    who = parties(session, offer)
    offer.status = "sent"
    offer.sent_at = now
    offer.sent_by_id = principal.user_id
    offer.expires_at = now + timedelta(days=offer.valid_days)
    offer.link_generation += 1
    language = pdf_language(offer.language)
    document = render_pdf(letter(session, offer, language))
    offer.pdf_sha256 = digest(document)
    filename = f"offer-{offer.id}-{language}.pdf"
    records.attach_file(
        session,
        principal,
        who.candidate.id,
        io.BytesIO(document),
        filename,
        "application/pdf",
        {"opening_id": offer.opening_id, "offer_id": offer.id, "sha256": offer.pdf_sha256},
        kind="offer_letter",
        source="offers",
        commit=False,
    )
    move_to_kind(session, principal, who.application, "offer", now, note=f"OFFER-{offer.id}")
    _tell_candidate(
        session,
        settings_,
        offer,
        who,
        "offer.sent",
        "sent",
        (Attachment(filename, document, "application/pdf"),),
    )
    _audit(
        session,
        principal,
        "offer.sent",
        offer,
        new={"expires_at": offer.expires_at, "pdf_sha256": offer.pdf_sha256, "language": language},
    )
    session.commit()
    return offer


def _tell_candidate(
    session: Session,
    settings_: Settings,
    offer: Offer,
    who: Parties,
    kind: str,
    key: str,
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """An e-mail to the candidate with their personal link (once per kind and link)."""
    messages.queue(
        session,
        offer.tenant_id,
        kind,
        recipient=who.candidate.email,
        language=offer.language,
        params={
            "name": who.candidate.name,
            "company": who.tenant.name,
            "position": who.opening.title,
            "expires": _local(offer.expires_at, who.candidate.timezone, offer.language),
            "link": candidate_link(settings_, offer),
        },
        dedupe_key=f"offer:{offer.id}:{key}:{offer.link_generation}",
        related=("offer", offer.id),
        opening_id=offer.opening_id,
        label=who.candidate.name,
        attachments=attachments,
    )


def tell_sender(
    session: Session, settings_: Settings, offer: Offer, kind: str, **params: object
) -> None:
    """An e-mail to the person who sent the offer (its answer, its expiry), once per kind."""
    sender = session.get(User, offer.sent_by_id) if offer.sent_by_id else None
    if sender is None:
        return
    _tell_staff(session, settings_, offer, sender, kind, f"offer:{offer.id}:{kind}", **params)


def _local(value: datetime | None, zone: str, language: str) -> str:
    return format_datetime(value, zone or "Asia/Shanghai", language, "long")


def withdraw(
    session: Session, principal: Principal, offer_id: int, data: schemas.WithdrawIn
) -> Offer:
    """Withdraw an offer that is not answered yet; its link then answers 410."""
    offer = visible_offer(session, principal, offer_id, "offers.manage")
    if offer.status in CLOSED_STATUSES:
        raise status_error(OfferLocked, offer)
    previous = offer.status
    offer.status = "withdrawn"
    if previous == "sent":
        records.append_entry(
            session,
            principal,
            offer.candidate_id,
            "application",
            data={"reason": data.reason.strip()} if data.reason.strip() else None,
            source="offers",
            facts={"offer_id": offer.id, "offer_status": "withdrawn"},
            opening_id=offer.opening_id,
            commit=False,
        )
    outbox.cancel_pending(session, "offer", offer.id)
    _audit(
        session,
        principal,
        "offer.withdrawn",
        offer,
        old={"status": previous},
        new={"status": "withdrawn"},
    )
    session.commit()
    return offer


# --------------------------------------------------------------------------- time passing


def expire_due(session: Session, settings_: Settings, now: datetime | None = None) -> int:
    """Mark sent offers past their expiry as expired (on the record; the sender is told)."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(Offer).where(Offer.status == "sent", Offer.expires_at <= now).limit(500)
        )
    )
    for offer in due:
        mark_expired(session, offer, settings_)
    session.commit()
    return len(due)


def mark_expired(session: Session, offer: Offer, settings_: Settings) -> None:
    """One offer expires (in the caller's transaction)."""
    offer.status = "expired"
    actor = SystemActor("offer-expiry", tenant_id=offer.tenant_id)
    records.append_entry(
        session,
        actor,
        offer.candidate_id,
        "application",
        source="offers",
        facts={"offer_id": offer.id, "offer_status": "expired"},
        opening_id=offer.opening_id,
        commit=False,
    )
    audit.record(
        session,
        "offer.expired",
        actor=None,
        tenant_id=offer.tenant_id,
        target_type="offer",
        target_id=offer.id,
        actor_label=actor.label,
    )
    tell_sender(session, settings_, offer, "offer.expired")


def remind_due(session: Session, settings_: Settings, now: datetime | None = None) -> int:
    """Remind candidates whose offer expires within the company's reminder days (once)."""
    now = now or utcnow()
    sent = session.scalars(
        select(Offer).where(
            Offer.status == "sent", Offer.reminded_at.is_(None), Offer.expires_at > now
        )
    )
    count = 0
    for offer in sent:
        chain = configuration.approval_settings(session, offer.tenant_id)
        if not chain.reminder_days or offer.expires_at is None:
            continue
        if offer.expires_at - timedelta(days=chain.reminder_days) > now:
            continue
        who = parties(session, offer)
        _tell_candidate(session, settings_, offer, who, "offer.reminder", "reminder")
        offer.reminded_at = now
        count += 1
    session.commit()
    return count
