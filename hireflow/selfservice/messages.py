"""E-mails of self-service, through the notifications outbox: a re-assessment to take, a seat
freed on a course, a course about to start. Written in the recipient's language from this
domain's catalogue, queued in the caller's transaction (sent after the commit, never on a
rollback), once per dedupe key."""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.orm import Session

from hireflow.candidates.models import Candidate
from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.notifications import outbox
from hireflow.notifications.outbox import OutgoingMessage

TEXTS = {
    "development.reassessment": (
        N_("A development re-assessment for you"),
        N_(
            "Hello %(name)s,\n\nA short AI interview on the competencies of your development "
            "plan is ready for you until %(deadline)s. Open it from your development page:\n"
            "%(link)s"
        ),
    ),
    "training.seat": (
        N_("You have a seat: %(course)s"),
        N_("Hello %(name)s,\n\nA seat became free and is now yours: %(course)s.\n%(link)s"),
    ),
    "training.reminder": (
        N_("Reminder: %(course)s starts %(when)s"),
        N_(
            "Hello %(name)s,\n\nYour course %(course)s starts %(when)s.\n%(where)s\n\n"
            "Your development page: %(link)s"
        ),
    ),
}


def tell_person(
    session: Session,
    person: Candidate,
    kind: str,
    params: Mapping[str, object],
    *,
    dedupe_key: str,
    related: tuple[str, int],
) -> None:
    """Queue one e-mail to the person (nothing when they have no address)."""
    if not person.email:
        return
    language = person.language or "zh-CN"
    _ = gettext_for(language)
    subject, text = TEXTS[kind]
    values = {
        "name": person.name,
        "link": get_settings().base_url.rstrip("/") + "/my/development",
        **params,
    }
    outbox.enqueue(
        session,
        person.tenant_id,
        OutgoingMessage(
            channel="email",
            kind=kind,
            recipient=person.email,
            recipient_label=person.name,
            subject=_(subject) % values,
            text=_(text) % values,
            language=language,
        ),
        dedupe_key=dedupe_key,
        related_type=related[0],
        related_id=related[1],
    )
