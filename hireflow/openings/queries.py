"""Reads of openings, narrowed to what the caller may see."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hireflow.core.permissions import Principal, get_visible, require, require_visible, restrict
from hireflow.openings.models import HiringRequest, Opening


def list_openings(
    session: Session,
    principal: Principal,
    *,
    status: str | None = None,
    query: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[Opening]:
    require(principal, "openings.read")
    stmt = restrict(select(Opening), principal, "openings.read", Opening)
    if status:
        stmt = stmt.where(Opening.status == status)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(or_(Opening.title.ilike(like), Opening.location.ilike(like)))
    return list(
        session.scalars(
            stmt.order_by(Opening.created_at.desc(), Opening.id.desc()).limit(limit).offset(offset)
        )
    )


def get_opening(session: Session, principal: Principal, opening_id: int) -> Opening:
    return get_visible(session, Opening, opening_id, principal, "openings.read")


def count_by_status(session: Session, principal: Principal) -> dict[str, int]:
    require(principal, "openings.read")
    stmt = restrict(
        select(Opening.status, func.count()).group_by(Opening.status),
        principal,
        "openings.read",
        Opening,
    )
    return {status: int(count) for status, count in session.execute(stmt)}


def list_hiring_requests(
    session: Session, principal: Principal, *, status: str | None = None, limit: int = 200
) -> list[HiringRequest]:
    """Requests of the caller's reach: a hiring manager's department, all of HR's."""
    require(principal, "hiring_requests.read")
    stmt = restrict(select(HiringRequest), principal, "hiring_requests.read", HiringRequest)
    if status:
        stmt = stmt.where(HiringRequest.status == status)
    return list(
        session.scalars(
            stmt.order_by(HiringRequest.updated_at.desc(), HiringRequest.id.desc()).limit(limit)
        )
    )


def get_hiring_request(session: Session, principal: Principal, request_id: int) -> HiringRequest:
    return require_visible(session, HiringRequest, request_id, principal, "hiring_requests.read")
