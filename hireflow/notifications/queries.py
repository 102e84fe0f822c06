"""Reads of the outbox, narrowed to what the caller may see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hireflow.core.permissions import Principal, require, require_visible, restrict
from hireflow.notifications.models import CHANNELS, OutboxMessage


def outbox(
    session: Session,
    principal: Principal,
    *,
    channel: str = "",
    status: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[OutboxMessage], int]:
    """Messages of the caller's reach, newest first, with the total for paging."""
    require(principal, "notifications.read")
    stmt = restrict(select(OutboxMessage), principal, "notifications.read", OutboxMessage)
    if channel:
        stmt = stmt.where(OutboxMessage.channel == channel)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    total = int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)
    rows = session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def counts(session: Session, principal: Principal) -> dict[str, dict[str, int]]:
    """channel -> status -> number of messages (the tabs of the outbox page)."""
    require(principal, "notifications.read")
    stmt = restrict(
        select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
            OutboxMessage.channel, OutboxMessage.status
        ),
        principal,
        "notifications.read",
        OutboxMessage,
    )
    out: dict[str, dict[str, int]] = {c: {} for c in CHANNELS}
    for channel, status, number in session.execute(stmt):
        out.setdefault(channel, {})[status] = int(number)
    return out


def message(session: Session, principal: Principal, message_id: int) -> OutboxMessage:
    row = require_visible(session, OutboxMessage, message_id, principal, "notifications.read")
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id == row.id)
        .options(selectinload(OutboxMessage.attempts_log))
    ).one()
