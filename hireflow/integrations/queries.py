"""Reads for the integration pages and API: endpoints, the delivery log, settings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.integrations.models import (
    DELIVERY_STATUSES,
    IntegrationSettings,
    WebhookDelivery,
    WebhookEndpoint,
)

PAGE_SIZE = 50


def endpoints(session: Session, principal: Principal) -> list[WebhookEndpoint]:
    require(principal, "webhooks.read")
    stmt = restrict(select(WebhookEndpoint), principal, "webhooks.read", WebhookEndpoint)
    return list(session.scalars(stmt.order_by(WebhookEndpoint.id)))


def endpoint(session: Session, principal: Principal, endpoint_id: int) -> WebhookEndpoint:
    return require_visible(session, WebhookEndpoint, endpoint_id, principal, "webhooks.read")


@dataclass(frozen=True)
class DeliveryFilter:
    endpoint_id: int | None = None
    status: str | None = None
    event: str | None = None
    page: int = 1


def deliveries(
    session: Session, principal: Principal, where: DeliveryFilter
) -> tuple[list[WebhookDelivery], int]:
    """One page of the delivery log, newest first, with the total count."""
    require(principal, "webhooks.read")
    stmt = restrict(select(WebhookDelivery), principal, "webhooks.read", WebhookDelivery)
    if where.endpoint_id is not None:
        stmt = stmt.where(WebhookDelivery.endpoint_id == where.endpoint_id)
    if where.status in DELIVERY_STATUSES:
        stmt = stmt.where(WebhookDelivery.status == where.status)
    if where.event:
        stmt = stmt.where(WebhookDelivery.event == where.event)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, min(where.page, 100_000))
    rows = session.scalars(
        stmt.order_by(WebhookDelivery.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return list(rows), total


def delivery(session: Session, principal: Principal, delivery_id: int) -> WebhookDelivery:
    return require_visible(session, WebhookDelivery, delivery_id, principal, "webhooks.read")


def allow_private(session: Session, principal: Principal) -> bool:
    require(principal, "webhooks.read")
    row = session.get(IntegrationSettings, principal.tenant_id)
    return bool(row and row.allow_private_addresses)
