"""Managing webhook endpoints: create, change, rotate the secret, delete, replay a delivery,
and the company's integration settings. Every write checks the caller, audits and commits."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.core import audit
from hireflow.core.db import utcnow
from hireflow.core.errors import N_, Conflict
from hireflow.core.permissions import Principal, require, require_visible
from hireflow.core.rows import company_row
from hireflow.core.tasks import enqueue_on_commit
from hireflow.integrations import schemas
from hireflow.integrations.addresses import validated_url
from hireflow.integrations.models import IntegrationSettings, WebhookDelivery, WebhookEndpoint
from hireflow.integrations.signing import new_secret

DELIVER_TASK = "integrations.deliver"


def allow_private(session: Session, tenant_id: int) -> bool:
    row = session.get(IntegrationSettings, tenant_id)
    return bool(row and row.allow_private_addresses)


def create_endpoint(
    session: Session, principal: Principal, data: schemas.EndpointIn
) -> WebhookEndpoint:
    require(principal, "webhooks.manage")
    url = validated_url(data.url, allow_private(session, principal.tenant_id))
    endpoint = WebhookEndpoint(
        tenant_id=principal.tenant_id,
        url=url,
        description=data.description,
        events=list(data.events),
        secret=new_secret(),
        active=data.active,
        created_by_id=principal.user_id,
    )
    # The URL is configuration, not personal data; the secret never enters the audit trail.
    new = {"url": url, "events": endpoint.events, "active": endpoint.active}
    audit.commit_created(
        session,
        endpoint,
        "webhook.created",
        actor=principal,
        target_type="webhook_endpoint",
        new=new,
    )
    return endpoint


def update_endpoint(
    session: Session, principal: Principal, endpoint_id: int, data: schemas.EndpointIn
) -> WebhookEndpoint:
    endpoint = require_visible(session, WebhookEndpoint, endpoint_id, principal, "webhooks.manage")
    url = validated_url(data.url, allow_private(session, principal.tenant_id))
    old = {"url": endpoint.url, "events": endpoint.events, "active": endpoint.active}
    endpoint.url, endpoint.description = url, data.description
    endpoint.events, endpoint.active = list(data.events), data.active
    audit.commit_recorded(
        session,
        "webhook.updated",
        actor=principal,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        old=old,
        new={"url": url, "events": endpoint.events, "active": endpoint.active},
    )
    return endpoint


def delete_endpoint(session: Session, principal: Principal, endpoint_id: int) -> None:
    endpoint = require_visible(session, WebhookEndpoint, endpoint_id, principal, "webhooks.manage")
    old = {"url": endpoint.url, "events": endpoint.events}
    audit.commit_deleted(
        session,
        endpoint,
        "webhook.deleted",
        actor=principal,
        target_type="webhook_endpoint",
        old=old,
    )


def rotate_secret(
    session: Session, principal: Principal, endpoint_id: int, grace_hours: int
) -> WebhookEndpoint:
    """A new secret signs from now on; the old one signs beside it for ``grace_hours``."""
    endpoint = require_visible(session, WebhookEndpoint, endpoint_id, principal, "webhooks.manage")
    if grace_hours > 0:
        endpoint.previous_secret = endpoint.secret
        endpoint.previous_secret_until = utcnow() + timedelta(hours=grace_hours)
    else:
        endpoint.previous_secret, endpoint.previous_secret_until = None, None
    endpoint.secret = new_secret()
    audit.commit_recorded(
        session,
        "webhook.secret_rotated",
        actor=principal,
        target_type="webhook_endpoint",
        target_id=endpoint.id,
        new={"grace_hours": grace_hours},
    )
    return endpoint


def replay(session: Session, principal: Principal, delivery_id: int) -> WebhookDelivery:
    """Send a settled delivery again as a new row (same event id, so receivers can dedupe)."""
    original = require_visible(session, WebhookDelivery, delivery_id, principal, "webhooks.manage")
    if original.status not in ("delivered", "failed"):
        raise Conflict(N_("This delivery is still being sent; replay it once it has settled."))
    endpoint = session.get(WebhookEndpoint, original.endpoint_id)
    if endpoint is None or not endpoint.active:
        raise Conflict(N_("The endpoint is switched off; switch it on to replay."))
    copy = WebhookDelivery(
        tenant_id=original.tenant_id,
        endpoint_id=original.endpoint_id,
        event_id=original.event_id,
        event=original.event,
        subject=original.subject,
        body=original.body,
        replay_of_id=original.id,
        next_attempt_at=utcnow(),
    )
    session.add(copy)
    session.flush()
    audit.record(
        session,
        "webhook.replayed",
        actor=principal,
        target_type="webhook_delivery",
        target_id=original.id,
        new={"delivery": copy.id, "event": original.event},
    )
    enqueue_on_commit(session, DELIVER_TASK, [copy.id])
    session.commit()
    return copy


def set_settings(
    session: Session, principal: Principal, data: schemas.SettingsIO
) -> IntegrationSettings:
    require(principal, "webhooks.manage")
    row = company_row(session, IntegrationSettings, principal.tenant_id)[0]
    old = {"allow_private_addresses": bool(row.allow_private_addresses)}
    row.allow_private_addresses = data.allow_private_addresses
    audit.commit_recorded(
        session,
        "integrations.settings_changed",
        actor=principal,
        target_type="integration_settings",
        target_id=principal.tenant_id,
        old=old,
        new={"allow_private_addresses": data.allow_private_addresses},
    )
    return row


def subscriptions(session: Session, tenant_id: int) -> list[tuple[int, list[str]]]:
    """(id, events) of the company's active endpoints (their secrets stay unread)."""
    rows = session.execute(
        select(WebhookEndpoint.id, WebhookEndpoint.events).where(
            WebhookEndpoint.tenant_id == tenant_id, WebhookEndpoint.active.is_(True)
        )
    )
    return [(row.id, list(row.events)) for row in rows]
