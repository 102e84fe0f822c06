"""Demo live room: one open room for the first candidate of 高级后端工程师, so the demo's HR,
recruiter and panel find the assistant page on ``/live`` with the opening's plan ready.
Idempotent: a company with a room is left alone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hireflow.candidates.models import Application
from hireflow.live import service
from hireflow.live.models import LiveRoom
from hireflow.openings.models import Opening
from hireflow.org.auth import principal_for
from hireflow.org.models import Tenant, User


def add_demo(session: Session, tenant: Tenant) -> None:
    if session.scalars(select(LiveRoom.id).where(LiveRoom.tenant_id == tenant.id)).first():
        return
    hr = session.scalars(
        select(User).where(User.tenant_id == tenant.id, User.email == "hr@huaxing.example")
    ).first()
    application = session.scalars(
        select(Application)
        .join(Opening, Opening.id == Application.opening_id)
        .where(Opening.tenant_id == tenant.id, Opening.title == "高级后端工程师")
        .order_by(Application.id)
    ).first()
    if hr is None or application is None:
        return
    service.open_room(session, principal_for(hr), application.id, planned_minutes=45)
