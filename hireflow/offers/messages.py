"""E-mails of offers and onboarding, through the notifications outbox.

Each is written in its recipient's language from this domain's catalogue and queued in the
caller's transaction (delivered after the commit, never on a rollback). A dedupe key per
message makes a repeated reminder run queue nothing twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from sqlalchemy.orm import Session

from hireflow.core.errors import N_
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import Settings
from hireflow.notifications import outbox
from hireflow.notifications.channels import Attachment
from hireflow.notifications.outbox import OutgoingMessage
from hireflow.offers.errors import LazyText
from hireflow.org.models import User

# kind -> (subject msgid, text msgid); texts take %(name)s-style parameters
TEXTS = {
    "offer.sent": (
        N_("Your offer from %(company)s"),
        N_(
            "Hello %(name)s,\n\n%(company)s offers you the position of %(position)s. The letter "
            "is attached. Read it and answer online before %(expires)s:\n%(link)s\n\n%(company)s"
        ),
    ),
    "offer.reminder": (
        N_("Reminder: your offer from %(company)s"),
        N_(
            "Hello %(name)s,\n\nYour offer for %(position)s is waiting for your answer until "
            "%(expires)s:\n%(link)s\n\n%(company)s"
        ),
    ),
    "offer.approval": (
        N_("An offer waits for your approval"),
        N_("Hello %(name)s,\n\nThe offer for %(position)s waits for your approval:\n%(link)s"),
    ),
    "offer.answered": (
        N_("Offer %(answer)s: %(position)s"),
        N_(
            "Hello %(name)s,\n\nThe candidate answered the offer for %(position)s: %(answer)s.\n"
            "%(link)s"
        ),
    ),
    "offer.expired": (
        N_("Offer expired: %(position)s"),
        N_("Hello %(name)s,\n\nThe offer for %(position)s expired without an answer.\n%(link)s"),
    ),
    "onboarding.task": (
        N_("Onboarding task: %(task)s"),
        N_(
            "Hello %(name)s,\n\n%(person)s joins %(department)s on %(start)s. Your task: "
            "%(task)s, due %(due)s.\n%(link)s"
        ),
    ),
    "onboarding.reminder": (
        N_("Reminder: onboarding task due %(due)s"),
        N_("Hello %(name)s,\n\nThe onboarding task “%(task)s” is due %(due)s.\n%(link)s"),
    ),
    "onboarding.notice": (
        N_("New colleague starting on %(start)s"),
        N_(
            "Hello %(name)s,\n\n%(person)s joins %(department)s as %(position)s on %(start)s. "
            "Welcome them!\n%(link)s"
        ),
    ),
}


def link(settings: Settings, path: str) -> str:
    return settings.base_url.rstrip("/") + path


def queue(
    session: Session,
    tenant_id: int,
    kind: str,
    *,
    recipient: str,
    language: str,
    params: Mapping[str, object],
    dedupe_key: str,
    related: tuple[str, int],
    opening_id: int | None = None,
    label: str = "",
    attachments: tuple[Attachment, ...] = (),
) -> None:
    """Write one e-mail to the outbox in ``language`` (a recipient without an address is
    skipped: the page shows the task or offer all the same)."""
    if not recipient:
        return
    _ = gettext_for(language)
    subject, text = TEXTS[kind]
    values = {k: _(v) if isinstance(v, LazyText) else v for k, v in params.items()}
    message = OutgoingMessage(
        channel="email",
        kind=kind,
        recipient=recipient,
        recipient_label=label,
        subject=_(subject) % values,
        text=_(text) % values,
        attachments=attachments,
        language=language,
    )
    outbox.enqueue(
        session,
        tenant_id,
        message,
        dedupe_key=dedupe_key,
        opening_id=opening_id,
        related_type=related[0],
        related_id=related[1],
    )


class Addressee(TypedDict):
    """Whom ``queue`` writes to: ``queue(session, tenant, kind, **to_user(user, params), ...)``."""

    recipient: str
    language: str
    params: Mapping[str, object]


def to_user(user: User, params: Mapping[str, object]) -> Addressee:
    """A user as the addressee: their address and language, their name as ``name``."""
    return {
        "recipient": user.email,
        "language": user.language,
        "params": {"name": user.name, **params},
    }
