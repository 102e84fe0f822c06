"""Notices of stage changes in the company's hiring-group chats (SPEC H5): when a candidate
enters one of the stages the company picked (``WorkflowSettings.notify_stages``), each
hiring-group robot it turned on (WeCom, DingTalk, Feishu) gets a message through the outbox.

Written in the move's transaction (the ``stage.changed`` handler), so a move that rolls back
announces nothing; the outbox's dedupe key names the application and the position's version,
so the same move handled twice announces once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from hireflow.candidates.models import Application, Candidate
from hireflow.core.errors import N_
from hireflow.core.events import Event
from hireflow.core.i18n import gettext_for
from hireflow.core.settings import get_settings
from hireflow.notifications import channel_settings
from hireflow.notifications import outbox as notify
from hireflow.notifications.models import GROUP_CHANNELS
from hireflow.notifications.templates import TemplateKind
from hireflow.openings.models import Opening
from hireflow.org.models import Tenant
from hireflow.workflow.models import WorkflowSettings
from hireflow.workflow.stages import by_key, opening_stages

NOTICE_TITLE = N_("%(opening)s: a candidate entered “%(stage)s”")
NOTICE_BODY = N_(
    "%(candidate)s moved from “%(previous)s” to “%(stage)s” in the pipeline of %(opening)s."
)


@dataclass(frozen=True)
class Route:
    """Where one staff message goes: channel, address (none for a group robot), label,
    language, and the part of the dedupe key that tells the routes apart."""

    channel: str
    address: str
    label: str
    language: str
    key: str


def group_routes(session: Session, tenant: Tenant) -> list[Route]:
    """The company's hiring-group robots that are turned on."""
    enabled = channel_settings.enabled_channels(session, tenant.id)
    return [
        Route(channel, "", "hiring group", tenant.default_language, channel)
        for channel in GROUP_CHANNELS
        if channel in enabled
    ]


def enqueue_staff_message(
    session: Session,
    application: Application,
    route: Route,
    texts: tuple[str, str, dict[str, str]],
    link: str,
    dedupe: str,
) -> None:
    """One message to staff about ``application`` (title and body msgids with their
    parameters, in the route's language), in the caller's transaction, once per dedupe key."""
    opening = application.opening
    tenant = session.get(Tenant, opening.tenant_id)
    assert tenant is not None
    title, body, params = texts
    _ = gettext_for(route.language)
    context = {
        "candidate_name": None,  # the message is to staff, not a letter to the candidate
        "company_name": tenant.name,
        "job_title": opening.title,
        "hr_contact": None,
        "title": _(title) % params,
        "body": _(body) % params,
        "link": link,
    }
    cache = notify.TemplateCache(session, opening.tenant_id)
    rendered = notify.render(
        cache, TemplateKind.GENERIC, route.language, context, tenant.default_timezone
    )
    notify.enqueue(
        session,
        opening.tenant_id,
        notify.OutgoingMessage.from_rendered(
            route.channel,
            TemplateKind.GENERIC.value,
            route.address,
            rendered,
            recipient_label=route.label,
        ),
        dedupe_key=f"{dedupe}:{route.key}",
        opening_id=opening.id,
        related_type="application",
        related_id=application.id,
    )


def announce(session: Session, event: Event) -> int:
    """Messages written for a ``stage.changed`` event (0 when its stage is not announced)."""
    settings = session.get(WorkflowSettings, event.tenant_id)
    to_key = event.data.get("to")
    if settings is None or to_key not in (settings.notify_stages or []):
        return 0
    application_id = event.data.get("application_id")
    application = (
        session.get(Application, application_id) if isinstance(application_id, int) else None
    )
    if application is None or application.tenant_id != event.tenant_id:
        return 0
    tenant = session.get(Tenant, event.tenant_id)
    assert tenant is not None
    routes = group_routes(session, tenant)
    if not routes:
        return 0
    opening: Opening = application.opening
    candidate = session.get(Candidate, application.candidate_id)
    stages = opening_stages(session, opening)
    language = tenant.default_language

    def label(key: object) -> str:
        stage = by_key(stages, str(key))
        return stage.label(language) if stage is not None else str(key)

    params = {
        "candidate": candidate.name if candidate is not None else "",
        "opening": opening.title,
        "stage": label(to_key),
        "previous": label(event.data.get("from")),
    }
    link = f"{get_settings().base_url.rstrip('/')}/openings/{opening.id}/pipeline"
    dedupe = f"stage-notice:{application.id}:{event.data.get('version')}"
    for route in routes:
        enqueue_staff_message(
            session, application, route, (NOTICE_TITLE, NOTICE_BODY, params), link, dedupe
        )
    return len(routes)
