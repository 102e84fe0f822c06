"""Telling an interview's owner recruiters: e-mails in their language, once per event."""

from __future__ import annotations

from sqlalchemy.orm import Session

from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.interviews.models import InterviewSession
from hireflow.notifications import outbox as notify
from hireflow.notifications.templates import TemplateKind
from hireflow.scheduling import messages
from hireflow.scheduling.models import Invitation


def notify_owners(
    session: Session,
    interview: InterviewSession,
    dedupe_key: str,
    title: str,
    body: str,
    **params: str,
) -> int:
    """E-mail the opening's owner recruiters (in their language), once per ``dedupe_key``."""

    invitation = session.get(Invitation, interview.invitation_id)
    if invitation is None:
        return 0
    parties = messages.parties(session, invitation)
    cache = notify.TemplateCache(session, interview.tenant_id)
    link = f"{get_settings().base_url.rstrip('/')}/interviews/{interview.id}"
    count = 0
    for owner in parties.owners:
        address = messages.valid_email(owner.email)
        if not address:
            continue
        _ = gettext_for(owner.language)
        values = {
            "candidate": parties.candidate.name,
            "opening": parties.opening.title,
            **params,
        }
        rendered = notify.render(
            cache,
            TemplateKind.GENERIC,
            owner.language,
            {**parties.context, "title": _(title), "body": _(body) % values, "link": link},
            parties.zones.get(owner.id, parties.tenant.default_timezone),
        )
        notify.enqueue(
            session,
            interview.tenant_id,
            notify.OutgoingMessage.from_rendered(
                "email",
                TemplateKind.GENERIC.value,
                address,
                rendered,
                recipient_label=owner.name,
            ),
            dedupe_key=f"{dedupe_key}:u{owner.id}",
            opening_id=interview.opening_id,
            related_type="interview",
            related_id=interview.id,
        )
        count += 1
    return count
