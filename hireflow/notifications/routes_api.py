"""Notifications under ``/api/v1``: the outbox with delivery status and resend, per-company
channel settings (secrets write-only), and message templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Query, Response

from hireflow.core.rows import shaped
from hireflow.notifications import (
    channel_settings,
    message_templates,
    outbox_actions,
    queries,
    schemas,
)
from hireflow.notifications.models import CHANNELS, MESSAGE_STATUSES
from hireflow.web.api_routes import ServiceRoutes
from hireflow.web.deps import ApiUser, AppSettings, DbSession, Id, Offset, audit_read

router = APIRouter(tags=["notifications"])
api = ServiceRoutes(router, __name__)


@router.get("/notifications/outbox", response_model=schemas.OutboxPage)
def list_outbox(
    session: DbSession,
    principal: ApiUser,
    channel: str = Query("", max_length=20),
    status: str = Query("", max_length=20),
    limit: int = Query(50, ge=1, le=500),
    offset: Offset = 0,
) -> Any:
    channel = channel if channel in CHANNELS else ""
    status = status if status in MESSAGE_STATUSES else ""
    rows, total = queries.outbox(
        session, principal, channel=channel, status=status, limit=limit, offset=offset
    )
    audit_read(session, principal, "outbox.listed", "outbox_message", [r.id for r in rows])
    return schemas.OutboxPage(
        total=total,
        counts=queries.counts(session, principal),
        items=[schemas.OutboxOut.model_validate(r) for r in rows],
    )


@router.get("/notifications/outbox/{outbox_message_id}", response_model=schemas.OutboxDetail)
def get_message(outbox_message_id: Id, session: DbSession, principal: ApiUser) -> Any:
    row = queries.message(session, principal, outbox_message_id)
    detail = schemas.OutboxDetail.model_validate(row)
    detail.body_text = outbox_actions.visible_text(row)
    audit_read(session, principal, "outbox.message_viewed", "outbox_message", target_id=row.id)
    return detail


def _queues(path: str, call: Callable[..., Any], body: Any = None, *, name: str) -> None:
    """A route that puts a message in the outbox: 202 Accepted with the message, which the
    worker delivers later (its status tells how that went)."""
    api.post(path, call, body, name=name, model=schemas.OutboxOut, status_code=202)


_queues(
    "/notifications/outbox/{outbox_message_id}/resend", outbox_actions.resend_message, name="resend"
)
api.get(
    "/notifications/channels",
    channel_settings.channel_views,
    name="list_channels",
    model=list[schemas.ChannelOut],
    settings=True,
)


@router.put("/notifications/channels", response_model=schemas.ChannelOut)
def save_channel(
    data: schemas.ChannelIn, session: DbSession, principal: ApiUser, settings: AppSettings
) -> Any:
    channel_settings.save_channel(session, principal, data, settings)
    views = channel_settings.channel_views(session, principal, settings)
    return next(v for v in views if v.channel == data.channel)


_queues(
    "/notifications/channels/test",
    outbox_actions.send_test,
    schemas.TestMessageIn,
    name="test_channel",
)
api.get(
    "/notifications/templates",
    message_templates.template_views,
    name="list_templates",
    model=list[schemas.TemplateOut],
)
api.put(
    "/notifications/templates",
    message_templates.save_template,
    schemas.TemplateIn,
    model=schemas.TemplateOut,
    out=lambda row, *_context: shaped(schemas.TemplateOut, row, customised=True),
)


@router.post("/notifications/templates/reset", status_code=204)
def reset_template(data: schemas.TemplateReset, session: DbSession, principal: ApiUser) -> Response:
    message_templates.reset_template(session, principal, data.kind, data.language)
    return Response(status_code=204)
