"""The messages of an invitation: the invitation itself, identity codes, lock-out alerts."""

from __future__ import annotations

import html
from dataclasses import replace
from typing import Any

from sqlalchemy.orm import Session

from hireflow.core.db import utcnow
from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import Settings
from hireflow.notifications import outbox as notify
from hireflow.notifications.channels import Attachment
from hireflow.notifications.templates import RenderedMessage, TemplateKind
from hireflow.scheduling.messages import (
    Parties,
    candidate_link,
    sms_params,
    to_candidate,
    to_staff,
    valid_email,
)
from hireflow.scheduling.models import Invitation, SchedulingPolicy
from hireflow.scheduling.plan_facts import PlanFacts
from hireflow.scheduling.qr import CONTENT_ID, qr_png

_QR_CAPTION = N_("Scan the code with your phone to open your personal interview link:")


def invitation_context(
    inv: Invitation, p: Parties, link: str, facts: PlanFacts | None = None
) -> tuple[TemplateKind, dict[str, Any]]:
    """Which template an invitation uses, and its values.

    ``facts`` (AI interviews) are the interview plan's: question count, length, time limits
    and technical questions are stated from them, never from a separate setting."""
    context: dict[str, Any] = {
        **p.context,
        "link": link,
        "deadline": inv.deadline,
        "materials": list(inv.materials or []),
        "notes": inv.notes or None,
    }
    if inv.kind == "ai":
        context.update(job_type=p.opening.job_type)
        if facts is not None and facts.questions:
            context.update(
                duration_minutes=facts.minutes,
                question_count=facts.questions,
                time_limits=facts.time_limits(inv.language),
                technical_questions=facts.technical,
                coding_questions=facts.coding,
            )
        return TemplateKind.INVITATION_AI, context
    if inv.kind == "next_round":
        context.update(round_name=inv.round_name or "")
        return TemplateKind.INVITATION_NEXT_ROUND, context
    context.update(
        duration_minutes=inv.duration_minutes,
        round_name=inv.round_name or "",
        job_type=p.opening.job_type,
        interviewer_names=[u.name for u in p.interviewers] if inv.panel else [],
    )
    return TemplateKind.INVITATION_SCHEDULE, context


def invitation_messages(
    session: Session,
    cache: notify.TemplateCache,
    p: Parties,
    settings: Settings,
    policy: SchedulingPolicy,
    send_no: int,
    shared: dict[Any, Any] | None = None,
    facts: PlanFacts | None = None,
) -> int:
    """The invitation itself, on every channel that reaches the candidate."""
    inv = p.invitation
    link = candidate_link(settings, inv, policy)
    kind, context = invitation_context(inv, p, link, facts)
    rendered = notify.render(cache, kind, inv.language, context, inv.timezone)
    # E-mails carry the QR code of the personal link: scanned by a phone (or WeChat), it
    # opens the same page as the link. A text message carries the link only.
    rendered, qr = with_link_qr(rendered, link)
    return to_candidate(
        session,
        p,
        policy,
        kind.value,
        rendered,
        dedupe=f"invitation:{inv.id}:{send_no}",
        related=("invitation", inv.id),
        sms=sms_params(p, link=link),
        attachment_for=lambda _channel: qr,
        created_by_id=inv.created_by_id,
        shared=shared,
    )


def with_link_qr(rendered: RenderedMessage, link: str) -> tuple[RenderedMessage, Attachment]:
    """The message's HTML with the QR code of ``link`` under its text, and the image."""
    image = Attachment("interview-link.png", qr_png(link), "image/png", {"content_id": CONTENT_ID})
    caption = html.escape(gettext_for(rendered.language)(_QR_CAPTION))
    block = (
        f'<p style="margin-top:1.5em">{caption}<br>'
        f'<img src="cid:{CONTENT_ID}" alt="QR" width="200" height="200"></p>\n</body>'
    )
    return replace(rendered, html=rendered.html.replace("</body>", block, 1)), image


def identity_code_messages(
    session: Session, p: Parties, code: str, valid_minutes: int, policy: SchedulingPolicy
) -> int:
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    rendered = notify.render(
        cache,
        TemplateKind.IDENTITY_CODE,
        inv.language,
        {**p.context, "code": code, "valid_minutes": valid_minutes},
        inv.timezone,
    )
    return to_candidate(
        session,
        p,
        policy,
        TemplateKind.IDENTITY_CODE.value,
        rendered,
        dedupe=f"identity:{inv.id}:{inv.identity_generation}:{inv.codes_sent}",
        related=("invitation", inv.id),
        sms=sms_params(p, code=code),
    )


def identity_locked_messages(
    session: Session,
    p: Parties,
    settings: Settings,
    policy: SchedulingPolicy,
    attempts: int,
) -> int:
    """Alert the opening's recruiters (and the hiring group) that a link was locked."""
    inv = p.invitation
    cache = notify.TemplateCache(session, inv.tenant_id)
    progress = f"{settings.base_url.rstrip('/')}/scheduling/openings/{inv.opening_id}"
    count = 0
    key = f"locked:{inv.id}:{inv.identity_generation}:{inv.identity_lockouts}"
    for owner in p.owners:
        if not valid_email(owner.email):
            continue
        rendered = notify.render(
            cache,
            TemplateKind.IDENTITY_LOCKED,
            owner.language,
            {
                **p.context,
                "recipient_name": owner.name,
                "attempts": attempts,
                "locked_until": inv.identity_locked_until or utcnow(),
                "link": progress,
            },
            p.zones.get(owner.id, p.tenant.default_timezone),
        )
        to_staff(
            session,
            p,
            owner,
            TemplateKind.IDENTITY_LOCKED.value,
            rendered,
            dedupe_key=f"{key}:u{owner.id}",
            related=("invitation", inv.id),
        )
        count += 1
    return count
